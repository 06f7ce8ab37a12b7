"""The migration to "one open alert per reason" on a database that already
holds several open alerts for one order (the 30 emergencies): the newest of
them takes the reason, so the constraint holds and a repeat updates it; the
older stay open as they were, until acknowledged."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from realtime.models import Alert
from realtime.services import raise_alert

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("realtime", "0002_alerts_presence")


def test_the_migration_gives_the_newest_open_alert_of_a_reason_its_reason():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps.get_model("realtime", "Alert")
        start = timezone.now() - datetime.timedelta(minutes=5)
        ids = [
            old.objects.create(kind="incident", data={"id": 7, "n": n}, raised_at=start + datetime.timedelta(seconds=n)).pk
            for n in range(3)
        ]
        done = old.objects.create(kind="incident", data={"id": 8}, raised_at=start, acknowledged_at=start).pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    reasons = dict(Alert.objects.values_list("pk", "reason"))
    assert [reasons[pk] for pk in ids] == ["", "", "incident:7"]
    assert reasons[done] == ""
    assert Alert.objects.get(pk=ids[0]).last_raised_at == Alert.objects.get(pk=ids[0]).raised_at
    assert raise_alert(kind="incident", data={"id": 7, "n": 3}).pk == ids[-1]
    assert Alert.objects.get(pk=ids[-1]).count == 2
