"""One open alert per reason (its kind and the order in its data): a repeat
while it is open counts and updates it, and goes to the boards as
`alert.raised` with the same id and the new state, which a board applies by
id; a repeat after the acknowledgement is a new alert. Thirty emergencies on
one order are one pop-up."""

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from realtime.models import Alert, Event
from realtime.services import alert_acknowledge, alert_reason, raise_alert, raise_alerts
from tests.conftest import race
from workorders import services as orders

pytestmark = pytest.mark.django_db(transaction=True)


def _report(users, order, kind: str = "emergency"):
    return orders.incident_report(actor=users["field_worker"], order_id=order.pk, kind=kind, note="Help")


def test_thirty_emergencies_on_one_order_are_one_alert_with_the_latest_report(order_in, users):
    order, other = order_in("in_service"), order_in("in_service")
    incidents = [_report(users, order, "problem")] + [_report(users, order) for _ in range(29)]
    _report(users, other)
    alerts = list(Alert.objects.filter(kind="incident").order_by("id"))
    assert [a.data["id"] for a in alerts] == [order.pk, other.pk]
    alert = alerts[0]
    assert alert.count == 30 and alert.acknowledged_at is None
    # The latest report is what the pop-up shows: the problem became an emergency.
    assert alert.data["incident"] == incidents[-1].pk and alert.data["incident_kind"] == "emergency"
    assert alert.data["to_role"] == "supervisor"
    assert alert.raised_at < alert.last_raised_at
    raised = [e.data for e in Event.objects.filter(type="alert.raised") if e.data["id"] == alert.pk]
    assert [e["count"] for e in raised] == list(range(1, 31))
    assert raised[-1] == alert.as_data()


def test_the_board_snapshot_shows_one_alert_per_order(order_in, users, api):
    order = order_in("in_service")
    for _ in range(5):
        _report(users, order)
    snapshot = api("dispatcher").get("/api/v1/board/").json()
    incident_alerts = [a for a in snapshot["alerts"] if a["kind"] == "incident"]
    assert len(incident_alerts) == 1 and incident_alerts[0]["count"] == 5
    listed = api("dispatcher").get("/api/v1/alerts/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [a["count"] for a in rows if a["kind"] == "incident"] == [5]


def test_a_repeat_after_the_acknowledgement_is_a_new_alert(order_in, users):
    order = order_in("in_service")
    _report(users, order)
    first = Alert.objects.get(kind="incident")
    alert_acknowledge(actor=users["dispatcher"], alert_id=first.pk)
    _report(users, order)
    assert [(a.pk == first.pk, a.count, a.acknowledged_at is None) for a in Alert.objects.filter(kind="incident")] == [
        (True, 1, False), (False, 1, True),
    ]


def test_a_batch_naming_a_reason_twice_raises_it_once_and_answers_each_item():
    datas = [{"id": 1, "n": 1}, {"id": 2, "n": 1}, {"id": 1, "n": 2}]
    alerts = raise_alerts(kind="order.overdue", datas=datas)
    assert [a.pk for a in alerts] == [alerts[0].pk, alerts[1].pk, alerts[0].pk] and alerts[0].pk != alerts[1].pk
    assert Alert.objects.get(pk=alerts[0].pk).data == {"id": 1, "n": 2}
    assert [e.data["id"] for e in Event.objects.filter(type="alert.raised")] == [alerts[0].pk, alerts[1].pk]
    # Kinds are reasons of their own; an alert about no order is one per kind.
    assert raise_alert(kind="order.received", data={"id": 1}).pk != alerts[0].pk
    assert alert_reason("subscription.not_ordered", {"failed": 3}) == "subscription.not_ordered"
    assert raise_alert(kind="x.summary", data={}).pk == raise_alert(kind="x.summary", data={"n": 2}).pk


def test_racing_repeats_on_postgresql_make_one_open_alert():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (DATABASE_URL)")
    ids = race([lambda: raise_alert(kind="incident", data={"id": 7}).pk] * 8)
    assert len(set(ids)) == 1
    assert Alert.objects.get().count == 8


async def test_a_board_replaces_the_pop_up_it_shows(board, order_in, users):
    order = await database_sync_to_async(order_in)("in_service")
    client = await board("dispatcher", resume=None)
    for _ in range(3):
        await database_sync_to_async(_report)(users, order)
    shown: dict[int, dict] = {}
    for message in await client.events(6):  # an incident event and an alert each
        if message["event"] == "alert.raised":
            shown[message["data"]["id"]] = message["data"]  # as board.js applies it
    assert len(shown) == 1 and next(iter(shown.values()))["count"] == 3
    await client.close()
