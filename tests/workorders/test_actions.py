"""The order's actions, declared once in workorders.actions: a transition
the order's state does not allow is refused with 409 before the input is
read, whatever the input; the events they publish are declared to realtime;
the history and the screens name them by their label."""

import pytest

from realtime.events import EVENT_TYPES
from workorders import actions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("state", "name", "body"), [
    ("received", "return_order", {}),
    ("received", "collect", {"worker": "not a number"}),
    ("assigned", "emergency_start", {}),
    ("closed", "cancel", {}),
    ("received", "reject", {"reason": ""}),
])
def test_a_transition_the_state_does_not_allow_is_409_before_the_input_is_validated(state, name, body, api, order_in):
    order = order_in(state)
    response = api("dispatch_lead" if name == "reject" else "front_desk" if name in ("return_order", "collect")
                   else "dispatcher").post(f"/api/v1/orders/{order.pk}/{name}/", body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["state"] == state and "fields" not in response.json()


def test_a_condition_that_does_not_hold_is_409_before_the_input_too(api, order_in):
    order = order_in("received", urgency="normal")
    response = api("dispatcher").post(f"/api/v1/orders/{order.pk}/emergency_start/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == "Only urgent orders can be started at once."


def test_with_the_state_right_the_input_is_validated(api, order_in):
    order = order_in("in_service")
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/return_order/", {}, format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"actual_start", "actual_end"}


def test_settling_a_fee_that_is_not_due_is_409_before_the_input(api, order_in):
    order = order_in("received")
    response = api("finance").post(f"/api/v1/orders/{order.pk}/settle_fee/", {"note": "x" * 3000}, format="json")
    assert response.status_code == 409


def test_every_action_publishes_a_declared_event():
    for action in actions.ACTIONS.values():
        assert EVENT_TYPES[action.event] == actions.ORDER_FIELDS, action.name
    assert set(actions.OTHER_EVENTS) <= set(EVENT_TYPES)


def test_labels_come_from_the_list_and_the_records():
    assert actions.label("assign") == "Assign"
    assert actions.label("create") == "Take request"
    assert actions.label("backfill_print") == "Print owed copies"
