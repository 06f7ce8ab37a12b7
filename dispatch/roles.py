"""The roles of DESIGN.md section 2. Each is a Django group; its permissions
are granted by the migration `workorders.0002_roles` from `ROLE_PERMISSIONS`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    DISPATCHER = "dispatcher", _("Dispatcher")
    DISPATCH_LEAD = "dispatch_lead", _("Dispatch lead")
    FIELD_WORKER = "field_worker", _("Field worker")
    COORDINATOR = "coordinator", _("Coordinator")
    FINANCE = "finance", _("Finance")
    SUPERVISOR = "supervisor", _("Supervisor")


_CATALOG_READ = [
    "dispatch.view_servicearea",
    "dispatch.view_skill",
    "dispatch.view_serviceitem",
    "dispatch.view_worker",
    "dispatch.view_partnerunit",
]
_RESIDENTS_WRITE = [
    "dispatch.view_resident",
    "dispatch.add_resident",
    "dispatch.change_resident",
    "dispatch.add_intakerecord",
    "dispatch.view_intakerecord",
]
_DISPATCH = [
    "workorders.add_workorder",
    "workorders.view_workorder",
    "workorders.view_all_workorders",
    "workorders.request_approval_workorder",
    "workorders.assign_workorder",
    "workorders.emergency_start_workorder",
    "workorders.cancel_workorder",
    "dispatch.override_card_check",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.FRONT_DESK: _CATALOG_READ + _RESIDENTS_WRITE + [
        "workorders.add_workorder",
        "workorders.view_workorder",
        "workorders.view_all_workorders",
        "workorders.print_workorder",
        "workorders.collect_workorder",
        "workorders.return_workorder",
        "workorders.emergency_start_workorder",
        "workorders.cancel_workorder",
        # The front desk makes the follow-up calls (procedure step 8).
        "workorders.log_followup_workorder",
        "followup.view_followupcall",
        "followup.add_followupcall",
    ],
    Role.DISPATCHER: _CATALOG_READ + _RESIDENTS_WRITE + _DISPATCH + ["dispatch.view_health_notes"],
    Role.DISPATCH_LEAD: _CATALOG_READ + _RESIDENTS_WRITE + _DISPATCH + [
        "dispatch.view_health_notes",
        "workorders.approve_workorder",
        # Complaints: the lead owns escalations, resolves them, organises visits.
        "workorders.resolve_workorder",
        "followup.view_followupcall",
        "followup.view_escalation",
        "followup.change_escalation",
        "followup.view_spotcheck",
        "followup.view_periodicvisit",
        "followup.add_periodicvisit",
        "followup.change_periodicvisit",
    ],
    Role.FIELD_WORKER: ["dispatch.view_serviceitem", "workorders.view_workorder"],
    Role.COORDINATOR: [
        f"dispatch.{action}_{model}"
        for model in ("servicearea", "skill", "serviceitem", "worker", "partnerunit")
        for action in ("view", "add", "change")
    ],
    Role.FINANCE: _CATALOG_READ + [
        "workorders.view_workorder",
        "workorders.view_all_workorders",
        "workorders.settle_fee_workorder",
    ],
    Role.SUPERVISOR: _CATALOG_READ + [
        "dispatch.view_resident",
        # Data protection: who read a record, one resident's data, anonymising.
        "dispatch.view_health_notes",
        "dispatch.view_residentaccess",
        "dispatch.export_resident",
        "dispatch.anonymise_resident",
        "dispatch.view_intakerecord",
        "workorders.view_workorder",
        "workorders.view_all_workorders",
        "workorders.approve_workorder",
        # Second-level escalations, and the spot checks of follow-up calls.
        "workorders.resolve_workorder",
        "followup.view_followupcall",
        "followup.view_escalation",
        "followup.change_escalation",
        "followup.view_spotcheck",
        "followup.add_spotcheck",
        "followup.change_spotcheck",
        "followup.view_periodicvisit",
    ],
}


# Issue 7 (reports): subscriptions are taken at the desk and managed by dispatch;
# the coordinator keeps the calendar and service levels; statistics are for
# leads and supervisors, fee figures for finance and supervisors.
_SUBSCRIPTIONS = ["reports.view_subscription", "reports.add_subscription", "reports.change_subscription"]
_CALENDAR = [
    f"reports.{action}_{model}"
    for model in ("closure", "openinghours", "servicelevel")
    for action in ("view", "add", "change", "delete")
]
for _role, _perms in {
    Role.FRONT_DESK: _SUBSCRIPTIONS,
    Role.DISPATCHER: _SUBSCRIPTIONS,
    Role.DISPATCH_LEAD: _SUBSCRIPTIONS + ["reports.view_statistics"],
    Role.COORDINATOR: _CALENDAR,
    Role.FINANCE: ["reports.view_fee_statistics"],
    Role.SUPERVISOR: ["reports.view_subscription", "reports.view_statistics", "reports.view_fee_statistics"],
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms

# Issue 5 (screens): a field worker reports incidents on site; the dispatch
# group and the front desk take them by phone too (procedure step 6); the
# supervisor, who receives the emergencies, reads them.
_INCIDENTS = ["workorders.add_incident", "workorders.view_incident"]
for _role, _perms in {
    Role.FIELD_WORKER: _INCIDENTS,
    Role.FRONT_DESK: _INCIDENTS,
    Role.DISPATCHER: _INCIDENTS,
    Role.DISPATCH_LEAD: _INCIDENTS,
    Role.SUPERVISOR: ["workorders.view_incident"],
}.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _perms


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles).exists()


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

    `skip_missing`: for a migration that runs before other apps' migrations
    have created their permissions; a later migration syncs again, and
    tests/followup/test_roles.py checks the migrated groups are complete.
    Otherwise a permission that does not exist raises DoesNotExist."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=str(role))
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None and not skip_missing:
                raise permission_model.DoesNotExist(perm)
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def sync_roles_in_migration(apps, schema_editor) -> None:
    """A data migration's step: create the permissions of every app migrated so
    far (Django normally does it only after all migrations), then re-sync the
    role groups. Each app whose migration adds permissions to a role runs it;
    permissions of apps not yet migrated are skipped and granted by theirs."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_missing=True)
