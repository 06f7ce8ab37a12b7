"""Alerts: raised by a new request, acknowledged once for every board, sounded
again and escalated by the worker."""

import asyncio
import datetime
import threading

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from realtime.models import Alert, Event
from realtime.services import alert_acknowledge, alerts_tick

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_request_raises_one_alert(users, people, catalog):
    from tests.realtime.conftest import create_order

    order = create_order(users, people, catalog, urgency="urgent")
    alert = Alert.objects.get()
    assert alert.kind == "order.received" and alert.data["id"] == order.pk
    assert alert.acknowledged_at is None and alert.level == "normal"
    raised = Event.objects.get(type="alert.raised")
    assert raised.data == alert.as_data()


async def test_two_dispatchers_acking_at_once_store_one_ack_and_both_popups_close(board, take_request, users):
    one = await board("dispatcher", resume=None)
    two = await board("dispatch_lead", resume=None)
    await take_request()
    raised = [m for m in await one.events(2) if m["event"] == "alert.raised"][0]
    await two.events(2)
    alert_id = raised["data"]["id"]

    await asyncio.gather(one.send({"type": "ack", "alert": alert_id}), two.send({"type": "ack", "alert": alert_id}))
    results = [await one.next("ack_result"), await two.next("ack_result")]
    assert sorted(r["won"] for r in results) == [False, True]
    for client in (one, two):
        acked = await client.next()
        assert acked["event"] == "alert.acknowledged" and acked["data"]["id"] == alert_id
        await client.no_event(0.5)  # exactly one acknowledgement went out

    alert = await database_sync_to_async(Alert.objects.select_related("acknowledged_by").get)(pk=alert_id)
    winner = users["dispatcher"] if results[0]["won"] else users["dispatch_lead"]
    assert alert.acknowledged_by == winner
    assert alert.ack_seconds is not None and alert.ack_seconds >= 0
    assert await database_sync_to_async(Event.objects.filter(type="alert.acknowledged").count)() == 1
    await one.close()
    await two.close()


@pytest.mark.postgres
def test_racing_acknowledgements_on_postgresql_store_exactly_one(users, people, catalog):
    if connection.vendor != "postgresql":
        pytest.skip("the row-level race needs PostgreSQL (DATABASE_URL)")
    from tests.realtime.conftest import create_order

    create_order(users, people, catalog)
    alert = Alert.objects.get()
    barrier = threading.Barrier(4)
    results = []

    def ack(role):
        barrier.wait()
        try:
            results.append(alert_acknowledge(actor=users[role], alert_id=alert.pk)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=ack, args=(role,)) for role in ["dispatcher", "dispatch_lead"] * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert Event.objects.filter(type="alert.acknowledged").count() == 1


async def test_a_supervisor_watches_but_may_not_acknowledge(board, take_request):
    client = await board("supervisor", resume=None)
    await take_request()
    raised = (await client.events(2))[1]
    await client.send({"type": "ack", "alert": raised["data"]["id"]})
    assert (await client.next("error"))["code"] == "forbidden"
    assert await database_sync_to_async(Alert.objects.filter(acknowledged_at__isnull=False).exists)() is False
    await client.send({"type": "ack", "alert": 999999})
    assert (await client.next("error"))["code"] == "forbidden"
    await client.close()


async def test_acknowledging_an_unknown_alert_is_an_error(board):
    client = await board("dispatcher", resume=None)
    await client.send({"type": "ack", "alert": 999999})
    assert (await client.next("error"))["code"] == "not_found"
    await client.close()


def test_the_worker_sounds_an_alert_again_and_escalates_it_once(users, people, catalog, settings):
    from tests.realtime.conftest import create_order

    settings.ALERT_REPEAT_SECONDS = 60
    settings.ALERT_ESCALATE_SECONDS = 300
    create_order(users, people, catalog)
    alert = Alert.objects.get()
    start = alert.raised_at

    assert alerts_tick(now=start + datetime.timedelta(seconds=30)) == {"repeated": 0, "escalated": 0}
    assert alerts_tick(now=start + datetime.timedelta(seconds=61)) == {"repeated": 1, "escalated": 0}
    # The same moment again (a second worker, a retry) changes nothing.
    assert alerts_tick(now=start + datetime.timedelta(seconds=61)) == {"repeated": 0, "escalated": 0}
    assert alerts_tick(now=start + datetime.timedelta(seconds=301)) == {"repeated": 1, "escalated": 1}
    assert alerts_tick(now=start + datetime.timedelta(seconds=302)) == {"repeated": 0, "escalated": 0}
    alert.refresh_from_db()
    assert alert.level == "escalated" and alert.sound_count == 3
    escalated = Event.objects.get(type="alert.escalated")
    assert escalated.data["to_role"] == "dispatch_lead" and escalated.data["id"] == alert.pk
    assert Event.objects.filter(type="alert.repeated").count() == 2

    alert_acknowledge(actor=users["dispatch_lead"], alert_id=alert.pk)
    assert alerts_tick(now=start + datetime.timedelta(seconds=999)) == {"repeated": 0, "escalated": 0}


@pytest.mark.postgres
def test_two_workers_at_once_escalate_an_alert_once(users, people, catalog, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker race needs PostgreSQL (DATABASE_URL)")
    from tests.realtime.conftest import create_order

    for _ in range(5):
        create_order(users, people, catalog)
    later = timezone.now() + datetime.timedelta(seconds=settings.ALERT_ESCALATE_SECONDS + 1)
    barrier = threading.Barrier(3)
    totals = []

    def run():
        barrier.wait()
        try:
            totals.append(alerts_tick(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(t["escalated"] for t in totals) == 5
    assert sum(t["repeated"] for t in totals) == 5
    assert Event.objects.filter(type="alert.escalated").count() == 5


def test_run_alert_worker_runs_a_round(users, people, catalog, settings):
    from tests.realtime.conftest import create_order

    settings.ALERT_ESCALATE_SECONDS = 1
    create_order(users, people, catalog)
    Alert.objects.update(raised_at=timezone.now() - datetime.timedelta(seconds=5))
    call_command("run_alert_worker", stdout=open("/dev/null", "w"))
    assert Alert.objects.get().level == "escalated"
