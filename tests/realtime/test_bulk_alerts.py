"""Many alerts at once (a scheduler pass finding thousands of overdue orders):
one alert and one `alert.raised` event each, in the order given, with
consecutive event ids, all or nothing, and on every board in that order."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from realtime.models import Alert, Event
from realtime.services import publish_many, raise_alerts

pytestmark = pytest.mark.django_db(transaction=True)


def _overdue(order_id: int) -> dict:
    return {"order": order_id, "id": order_id, "number": f"WO-2026-{order_id:06d}", "state": "assigned",
            "stage": "start", "level": "dispatcher", "to_role": "dispatcher", "due_at": "2026-11-23T09:00:00+08:00"}


def test_each_reason_gets_its_alert_and_event_in_order():
    before = Event.objects.count()
    alerts = raise_alerts(kind="order.overdue", datas=[_overdue(i) for i in (7, 3, 9)])
    assert [a.data["id"] for a in alerts] == [7, 3, 9]
    assert [a.pk for a in alerts] == sorted(a.pk for a in alerts)
    events = list(Event.objects.order_by("id")[before:])
    assert [e.type for e in events] == ["alert.raised"] * 3
    assert [e.data for e in events] == [Alert.objects.get(pk=a.pk).as_data() for a in alerts]
    assert [e.id for e in events] == list(range(events[0].id, events[0].id + 3))


def test_a_rolled_back_transaction_leaves_no_alert_and_no_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        raise_alerts(kind="order.overdue", datas=[_overdue(1), _overdue(2)])
        raise RuntimeError("the pass failed after raising")
    assert not Alert.objects.exists() and not Event.objects.exists()


def test_nothing_to_raise_writes_nothing_and_bad_input_is_refused_before_writing():
    assert raise_alerts(kind="order.overdue", datas=[]) == []
    with pytest.raises(ValueError):
        publish_many("alert.raised", [{"id": 1}])  # lacks the declared fields
    with pytest.raises(TypeError):
        raise_alerts(kind="order.overdue", datas=[_overdue(1), {"id": object()}])
    assert not Alert.objects.exists() and not Event.objects.exists()


async def test_every_board_gets_them_live_in_order(board):
    first, second = await board("dispatcher"), await board("dispatch_lead")
    alerts = await database_sync_to_async(raise_alerts)(
        kind="order.overdue", datas=[_overdue(i) for i in range(1, 6)]
    )
    for client in (first, second):
        got = await client.events(5)
        assert [m["event"] for m in got] == ["alert.raised"] * 5
        assert [m["data"]["id"] for m in got] == [a.pk for a in alerts]
        assert [m["id"] for m in got] == list(range(got[0]["id"], got[0]["id"] + 5))
