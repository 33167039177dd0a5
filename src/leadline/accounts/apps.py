from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _role_presets(sender: AppConfig, **kwargs: Any) -> None:
    from leadline.accounts.services import ensure_role_presets

    ensure_role_presets()


class AccountsConfig(AppConfig):
    name = "leadline.accounts"
    label = "accounts"
    verbose_name = "Company and users"

    def ready(self) -> None:
        post_migrate.connect(_role_presets, sender=self)
