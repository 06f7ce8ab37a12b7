"""The service levels, the calendar and the subscriptions moved out of
reports with their rows: a database made before the move keeps every row,
and the roles keep their grants (the content types moved, not the
permissions re-made)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sla.models import Closure, ServiceLevel
from subscriptions.models import Subscription, SubscriptionHistory

BEFORE = [("reports", "0005_rollup_pairs")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_rows_and_grants_survive_the_move_out_of_reports(users, people, catalog):
    _migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    closure = old.get_model("reports", "Closure").objects.create(
        first_day=datetime.date(2027, 1, 4), last_day=datetime.date(2027, 1, 5), reason="Staff days")
    # The catalog's services came with their levels (sla.signals): one edited.
    level, _made = old.get_model("reports", "ServiceLevel").objects.update_or_create(
        service_id=catalog["clean"].pk, defaults={"response_amount": 2, "response_unit": "working_hours"})
    subscription = old.get_model("reports", "Subscription").objects.create(
        resident_id=people["with_card"].pk, service_id=catalog["clean"].pk, rule="FREQ=WEEKLY;BYDAY=TU",
        starts_at=timezone.now(), created_by_id=users["front_desk"].pk)
    old.get_model("reports", "SubscriptionHistory").objects.create(
        subscription_id=subscription.pk, action="create", to_status="active")
    coordinator = Group.objects.get(name="coordinator")
    assert coordinator.permissions.filter(content_type__app_label="reports", codename="add_closure").exists()

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert Closure.objects.get(pk=closure.pk).reason == "Staff days"
    assert ServiceLevel.objects.get(pk=level.pk).service == catalog["clean"]
    assert ServiceLevel.objects.get(pk=level.pk).response_unit == "working_hours"
    moved = Subscription.objects.get(pk=subscription.pk)
    assert moved.rule == "FREQ=WEEKLY;BYDAY=TU" and moved.resident == people["with_card"]
    assert SubscriptionHistory.objects.filter(subscription=moved).count() == 1
    # New rows go on where the old ones stopped.
    assert Closure.objects.create(first_day=datetime.date(2027, 2, 1), last_day=datetime.date(2027, 2, 1),
                                  reason="Move").pk > closure.pk
    held = {f"{p.content_type.app_label}.{p.codename}" for p in coordinator.permissions.select_related("content_type")}
    assert "sla.add_closure" in held and not any(perm.startswith("reports.") for perm in held)
    lead = {f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name="dispatch_lead").permissions.select_related("content_type")}
    assert {"reports.view_statistics", "subscriptions.add_subscription"} <= lead
