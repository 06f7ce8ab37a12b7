"""The roles of DESIGN.md section 2, and the checks every app makes with them.

Each role is a Django group. What a role may do is a set of Django
permissions, granted by the app that owns them: each app lists its grants in
its own `roles.py` as `GRANTS = {Role.X: ["app.codename", ...]}`, and
`role_permissions()` gathers them from every installed app. After every
`migrate` (and every test database flush) the groups are set to exactly
those permissions.
"""

from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps as installed_apps
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Forbidden


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", gettext_lazy("Front desk")
    DISPATCHER = "dispatcher", gettext_lazy("Dispatcher")
    DISPATCH_LEAD = "dispatch_lead", gettext_lazy("Dispatch lead")
    FIELD_WORKER = "field_worker", gettext_lazy("Field worker")
    COORDINATOR = "coordinator", gettext_lazy("Coordinator")
    FINANCE = "finance", gettext_lazy("Finance")
    SUPERVISOR = "supervisor", gettext_lazy("Supervisor")


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions ("app_label.codename"), gathered from the
    `GRANTS` of each installed app's `roles` module."""
    gathered: dict[str, list[str]] = {role.value: [] for role in Role}
    for app_config in installed_apps.get_app_configs():
        name = f"{app_config.name}.roles"
        if app_config.name == "core" or find_spec(name) is None:
            continue
        for role, perms in getattr(import_module(name), "GRANTS", {}).items():
            gathered[str(role)].extend(perms)
    return gathered


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles).exists()


def require_perm(user: AbstractBaseUser, perm: str) -> None:
    """Raise Forbidden unless the user holds `perm` (through a role)."""
    if not user.has_perm(perm):
        raise Forbidden(_("Your role may not do this."))


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For a screen's view: log in first, then 403 unless the user holds one of `roles`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapped(request, *args: Any, **kwargs: Any) -> Any:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def sync_role_groups(group_model, permission_model, *, skip_missing: bool = False) -> None:
    """Create each role's group with exactly its permissions. Takes the models
    as arguments so a migration can pass its historical ones.

    `skip_missing`: for a moment when some apps' permissions do not exist yet
    (a migration that runs before theirs); otherwise a permission that does
    not exist raises DoesNotExist."""
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role, perms in role_permissions().items():
        missing = [perm for perm in perms if perm not in known]
        if missing and not skip_missing:
            raise permission_model.DoesNotExist(", ".join(missing))
        group, _created = group_model.objects.get_or_create(name=role)
        group.permissions.set([known[perm] for perm in perms if perm in known])


def sync_roles_in_migration(apps, schema_editor) -> None:
    """A data migration's step: create the permissions of every app migrated so
    far (Django normally does it only after all migrations), then sync the
    role groups, skipping the permissions of apps not migrated yet."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)


def sync_roles_after_migrate(sender, *, apps=installed_apps, **kwargs) -> None:
    """post_migrate receiver: once the signal reaches the last installed app,
    every app's permissions exist (django.contrib.auth creates them on the
    same signal, app by app), and the groups are set to exactly the grants.
    Grants whose permission is missing are skipped: after `migrate <app>
    <earlier migration>` an app's models may be gone. A test database's
    flush sends the signal without `apps`."""
    # Django sends the signal for the apps with models only.
    with_models = [app for app in installed_apps.get_app_configs() if app.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)
