"""Two "no answer" calls logged on one order at the same moment are one
attempt to reach the resident: exactly one is recorded and counts towards
the unreachable limit, the other gets a conflict (DESIGN.md section 3: two
people acting on one order at once, exactly one wins). Each caller says
which attempt they were making (the screen sends what its page showed), so
the outcome does not depend on which thread the database served first.
Calls logged one after the other each count. The race needs PostgreSQL's
row locks."""

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


def _call(users, order, result: str = "no_answer", attempt: int | None = None):
    def log():
        try:
            followup_log_call(actor=users["front_desk"], order_id=order.pk, result=result, attempt=attempt)
            return "logged"
        except Conflict:
            return "conflict"

    return log


@pytest.mark.parametrize("attempt", range(5))
@pytest.mark.parametrize("second", ["no_answer", "wrong_number"])
def test_two_failed_calls_at_once_count_once(attempt, second, postgres_only, users, returned, settings):
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    order = returned()
    # Both callers saw the order's queue entry with no call yet: attempt 1.
    assert race([_call(users, order, attempt=1), _call(users, order, second, attempt=1)]) == ["conflict", "logged"]
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


def test_a_call_sent_from_a_page_someone_else_overtook_is_a_conflict(users, returned, client_as, api):
    order = returned()
    page = client_as("front_desk").get(f"/followups/{order.pk}/call/").content.decode()
    assert 'name="attempt" value="1"' in page
    # Another caller logs the first attempt while this page is open.
    assert _call(users, order)() == "logged"
    response = client_as("front_desk").post(f"/followups/{order.pk}/call/", {"attempt": "1", "result": "no_answer"})
    assert response.status_code == 409
    response = api("front_desk").post("/api/v1/followups/", {"order": order.pk, "result": "no_answer", "attempt": 1},
                                      format="json")
    assert response.status_code == 409
    assert FollowUpCall.objects.filter(order=order).count() == 1
    # The page as it is now makes the second attempt.
    response = api("front_desk").post("/api/v1/followups/", {"order": order.pk, "result": "no_answer", "attempt": 2},
                                      format="json")
    assert response.status_code == 201 and response.json()["attempt"] == 2
