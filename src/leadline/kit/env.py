"""Reading settings from the environment, with one clear error for a bad value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


class ConfigurationError(Exception):
    """A setting in the environment has a value Leadline cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(
        f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off"
    )


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigurationError(f"{name} is set but empty; give a comma-separated list")
    return items


def env_seconds(
    name: str, default: int, *, most: int = 3600, environ: Mapping[str, str] | None = None
) -> int:
    """A whole number of seconds from 1 to `most`."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip()
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise ConfigurationError(
            f"{name}={raw!r} is not a whole number of seconds from 1 to {most}"
        )
    return int(value)


def public_url(name: str, raw: str) -> str:
    """An http(s) base address without a trailing slash, or "" when unset."""
    value = raw.strip().rstrip("/")
    if not value:
        return ""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigurationError(
            f"{name}={raw!r} is not an address; use the form https://leadline.example.com"
        )
    if parsed.query or parsed.fragment:
        raise ConfigurationError(f"{name}={raw!r} must not carry a query or a fragment")
    return value


def database_config(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn LEADLINE_DATABASE_URL into a Django DATABASES entry.

    SQLite runs in WAL mode with IMMEDIATE transactions and a busy timeout so that
    the web process and the worker wait for each other instead of failing with
    "database is locked".
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3
        prefix = "sqlite:///"
        raw_path = unquote(url[len(prefix) :].split("?", 1)[0]) if url.startswith(prefix) else ""
        if not raw_path:
            raise ConfigurationError(
                f"LEADLINE_DATABASE_URL={url!r} names no file; use sqlite:///var/leadline.sqlite3"
            )
        path = Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ConfigurationError(
                f"LEADLINE_DATABASE_URL={url!r} names no database; "
                "use postgresql://USER@HOST:5432/DBNAME"
            )
        options: dict[str, object] = {}
        for key, values in parse_qs(parsed.query).items():
            options[key] = values[-1]
        try:
            port = parsed.port
        except ValueError as exc:
            raise ConfigurationError(f"LEADLINE_DATABASE_URL={url!r} has a bad port") from exc
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"LEADLINE_DATABASE_URL={url!r} is not supported; "
        "use sqlite:///path/to/file.sqlite3 or postgresql://user@host:5432/dbname"
    )
