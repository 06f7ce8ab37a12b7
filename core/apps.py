from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import schema  # noqa: F401 - registers its schema extension
        from core.roles import sync_roles_after_migrate

        # After every app's permissions exist (auth creates them on this signal too).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="core.sync_roles_after_migrate")
