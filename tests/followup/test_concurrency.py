"""Two callers log a call on one order at the same moment: exactly one wins,
the other gets 409, and one call is recorded. Two copies of the escalation
check raise an overdue escalation once. Needs PostgreSQL's row locks."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from followup.models import Escalation, EscalationAction, FollowUpCall
from followup.services import escalations_escalate_overdue
from realtime.models import Alert
from tests.conftest import race
from workorders.models import OrderHistory, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(3))
def test_two_calls_on_one_order_at_once(attempt, postgres_only, users, returned):
    order = returned()

    def call(body):
        client = APIClient()
        client.force_authenticate(users["front_desk"])
        return lambda: client.post("/api/v1/followups/", {"order": order.pk, **body}, format="json").status_code

    statuses = race([
        call({"result": "reached", "quality": 5, "satisfied": True}),
        call({"result": "reached", "quality": 1, "satisfied": False}),
    ])
    assert statuses == [201, 409]
    assert FollowUpCall.objects.filter(order=order).count() == 1
    assert OrderHistory.objects.filter(order=order, transition="log_followup").count() == 1
    state = WorkOrder.objects.get(pk=order.pk).state
    assert Escalation.objects.filter(order=order).count() == (1 if state == "escalated" else 0)


def test_two_checks_at_once_raise_an_escalation_once(postgres_only, complaint):
    escalation = complaint()
    later = timezone.now() + datetime.timedelta(hours=25)
    raised = race([lambda: escalations_escalate_overdue(now=later), lambda: escalations_escalate_overdue(now=later)])
    assert raised == [0, 1]
    assert Escalation.objects.get(pk=escalation.pk).level == "supervisor"
    assert EscalationAction.objects.filter(escalation=escalation, kind="raised").count() == 1
    assert Alert.objects.filter(kind="escalation.raised").count() == 1
