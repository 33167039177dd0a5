"""Django settings, read from the environment (see docs/operations.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from leadline.kit.env import (
    ConfigurationError,
    database_config,
    env_bool,
    env_list,
    env_seconds,
    public_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
# Runtime files (the SQLite database, collected static files) live under ./var of
# the directory Leadline is started from, unless LEADLINE_VAR_DIR says otherwise.
VAR_DIR = Path(os.environ.get("LEADLINE_VAR_DIR", Path.cwd() / "var")).resolve()

_INSECURE_DEV_KEY = "leadline-insecure-development-key-change-me-0123456789"

try:
    DEBUG = env_bool("LEADLINE_DEBUG", False)
    SECRET_KEY = os.environ.get("LEADLINE_SECRET_KEY", "")
    if not SECRET_KEY:
        SECRET_KEY = _INSECURE_DEV_KEY
    elif len(SECRET_KEY) < 32:
        raise ConfigurationError("LEADLINE_SECRET_KEY must be at least 32 characters long")
    ALLOWED_HOSTS = env_list("LEADLINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    DATABASES = {
        "default": database_config(
            os.environ.get("LEADLINE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'leadline.sqlite3'}"),
            base_dir=Path.cwd(),
        )
    }
    # The conversation brain ("rules", built in) and the SMS/voice provider.
    LEADLINE_BRAIN = os.environ.get("LEADLINE_BRAIN", "rules").strip() or "rules"
    LEADLINE_PROVIDER = os.environ.get("LEADLINE_PROVIDER", "simulator").strip().lower()
    if LEADLINE_PROVIDER not in ("simulator", "twilio"):
        raise ConfigurationError(
            f"LEADLINE_PROVIDER={LEADLINE_PROVIDER!r} is not available; use 'simulator' or 'twilio'"
        )
    # Twilio: the defaults for every company that uses it (a company may set its own).
    LEADLINE_TWILIO_ACCOUNT_SID = os.environ.get("LEADLINE_TWILIO_ACCOUNT_SID", "").strip()
    LEADLINE_TWILIO_AUTH_TOKEN = os.environ.get("LEADLINE_TWILIO_AUTH_TOKEN", "").strip()
    LEADLINE_TWILIO_FROM = os.environ.get("LEADLINE_TWILIO_FROM", "").strip()
    LEADLINE_TWILIO_API_BASE = (
        public_url("LEADLINE_TWILIO_API_BASE", os.environ.get("LEADLINE_TWILIO_API_BASE", ""))
        or "https://api.twilio.com"
    )
    LEADLINE_TWILIO_TIMEOUT_SECONDS = env_seconds("LEADLINE_TWILIO_TIMEOUT_SECONDS", 10, most=60)
    LEADLINE_RECONCILE_SECONDS = env_seconds("LEADLINE_RECONCILE_SECONDS", 60)
    # Webhooks out go only to public addresses unless the installation allows its own network.
    LEADLINE_WEBHOOKS_ALLOW_PRIVATE = env_bool("LEADLINE_WEBHOOKS_ALLOW_PRIVATE", False)
    # The address Twilio calls back; webhook signatures are checked against it.
    LEADLINE_PUBLIC_URL = public_url(
        "LEADLINE_PUBLIC_URL", os.environ.get("LEADLINE_PUBLIC_URL", "")
    )
    if LEADLINE_PROVIDER == "twilio":
        missing = [
            name
            for name, value in (
                ("LEADLINE_TWILIO_ACCOUNT_SID", LEADLINE_TWILIO_ACCOUNT_SID),
                ("LEADLINE_TWILIO_AUTH_TOKEN", LEADLINE_TWILIO_AUTH_TOKEN),
                ("LEADLINE_TWILIO_FROM", LEADLINE_TWILIO_FROM),
                ("LEADLINE_PUBLIC_URL", LEADLINE_PUBLIC_URL),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(
                "LEADLINE_PROVIDER=twilio needs " + ", ".join(missing) + " (see docs/operations.md)"
            )
    # Requests a minute per API token (docs/api.md); counted in the database.
    _rate = os.environ.get("LEADLINE_API_RATE_LIMIT", "600").strip()
    if not _rate.isdigit() or not 1 <= int(_rate) <= 1_000_000:
        raise ConfigurationError(
            f"LEADLINE_API_RATE_LIMIT={_rate!r} is not a whole number of requests a minute "
            "(1 to 1000000)"
        )
    LEADLINE_API_RATE_LIMIT = int(_rate)
except ConfigurationError as exc:
    sys.stderr.write(f"leadline: configuration error: {exc}\n")
    raise SystemExit(2) from exc

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # ninja's bundled Swagger UI files: the API docs page loads nothing from a CDN.
    "ninja",
    "leadline.accounts",
    "leadline.crm",
    "leadline.capacity",
    "leadline.campaigns",
    "leadline.compliance",
    "leadline.interactions",
    "leadline.channels",
    "leadline.webhooks",
    "leadline.api",
    "leadline.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "leadline.urls"
WSGI_APPLICATION = "leadline.wsgi.application"
ASGI_APPLICATION = "leadline.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["leadline.accounts.backends.EmailBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders, so `leadline serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LEADLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
