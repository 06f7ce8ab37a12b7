"""Two "no answer" calls logged on one order at the same moment are one
attempt to reach the resident: exactly one is recorded and counts towards
the unreachable limit, the other gets a conflict (DESIGN.md section 3: two
people acting on one order at once, exactly one wins). Calls logged one after
the other each count. The race needs PostgreSQL's row locks."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict
from followup.models import FollowUpCall
from followup.services import followup_log_call
from tests.conftest import race
from workorders import services as orders
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def returned(order_in, users):
    """returned() -> an order taken back a moment after its collection, waiting for its call."""

    def make():
        order = order_in("in_service", urgency="normal")
        return orders.order_return(actor=users["front_desk"], order_id=order.pk, actual_start=order.collected_at,
                                   actual_end=timezone.now() + datetime.timedelta(minutes=1))

    return make


def _call(users, order, result: str = "no_answer"):
    def log():
        try:
            followup_log_call(actor=users["front_desk"], order_id=order.pk, result=result)
            return "logged"
        except Conflict:
            return "conflict"

    return log


@pytest.mark.parametrize("attempt", range(5))
@pytest.mark.parametrize("second", ["no_answer", "wrong_number"])
def test_two_failed_calls_at_once_count_once(attempt, second, postgres_only, users, returned, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    order = returned()
    assert race([_call(users, order), _call(users, order, second)]) == ["conflict", "logged"]
    assert FollowUpCall.objects.filter(order=order).count() == 1
    # One attempt of two: the order still waits for its call.
    assert WorkOrder.objects.get(pk=order.pk).state == "returned"


def test_failed_calls_one_after_the_other_each_count(users, returned, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    order = returned()
    assert _call(users, order)() == "logged"
    assert _call(users, order)() == "logged"
    assert [c.attempt for c in FollowUpCall.objects.filter(order=order)] == [1, 2]
    assert WorkOrder.objects.get(pk=order.pk).state == "closed"
