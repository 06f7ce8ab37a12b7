"""Anonymising a leaving resident empties every word written about them in
the apps above dispatch too: incident notes, follow-up call comments and
"what else is needed", a complaint's outcome and the notes of what was done,
the orders' history notes and reasons, home visits' findings. The records
themselves stay (states, times, counts), and other residents' words stay."""

import datetime

import pytest
from django.utils import timezone

from followup import services as followup
from followup.models import Escalation, EscalationAction, FollowUpCall, PeriodicVisit
from workorders import services as orders
from workorders.models import Incident, OrderHistory

SECRET = "Diabetic, her son Test Son has the key"


@pytest.fixture
def written(users, people, catalog):
    """Two orders of each resident, served and followed up with words about them everywhere."""
    desk, lead = users["front_desk"], users["dispatch_lead"]

    def serve(resident, comments: str):
        order = orders.order_create(actor=desk, resident=resident, service=catalog["visit"], channel="phone",
                                    notes=comments)
        orders.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)
        orders.order_print(actor=desk, order_id=order.pk)
        order = orders.order_collect(actor=desk, order_id=order.pk)
        orders.incident_report(actor=users["field_worker"], order_id=order.pk, kind="problem", note=comments)
        orders.order_return(actor=desk, order_id=order.pk, actual_start=order.collected_at,
                            actual_end=timezone.now() + datetime.timedelta(minutes=1), remarks=comments)
        call = followup.followup_log_call(actor=desk, order_id=order.pk, result="reached", quality=1, satisfied=False,
                                          comments=comments, needs_more=True, needs_more_what=comments)
        escalation = call.escalation
        followup.escalation_add_note(actor=lead, escalation_id=escalation.pk, note=comments)
        followup.escalation_resolve(actor=lead, escalation_id=escalation.pk, outcome=comments)
        followup.visits_schedule(actor=lead, scheduled_for=timezone.localdate(), resident_ids=[resident.pk],
                                 reason=comments)
        visit = PeriodicVisit.objects.get(resident=resident)
        followup.visit_record(actor=lead, visit_id=visit.pk, findings=comments)
        return order

    return {"leaving": serve(people["with_card"], SECRET), "staying": serve(people["no_card"], "Ring twice")}


def _words(order) -> list[str]:
    texts = [order.notes, order.remarks, order.materials, order.closing_reason, order.card_override_reason]
    texts += list(OrderHistory.objects.filter(order=order).values_list("note", flat=True))
    texts += list(Incident.objects.filter(order=order).values_list("note", flat=True))
    for call in FollowUpCall.objects.filter(order=order):
        texts += [call.comments, call.needs_more_what]
    for escalation in Escalation.objects.filter(order=order):
        texts.append(escalation.outcome)
        texts += list(EscalationAction.objects.filter(escalation=escalation).values_list("note", flat=True))
    texts += list(PeriodicVisit.objects.filter(resident=order.resident).values_list("findings", flat=True))
    texts += list(PeriodicVisit.objects.filter(resident=order.resident).values_list("reason", flat=True))
    return texts


def test_anonymising_empties_what_the_apps_above_wrote_about_the_resident(api, written):
    leaving, staying = written["leaving"], written["staying"]
    assert sum(SECRET in text for text in _words(leaving)) >= 9
    counts = (OrderHistory.objects.count(), Incident.objects.count(), FollowUpCall.objects.count(),
              Escalation.objects.count(), EscalationAction.objects.count(), PeriodicVisit.objects.count())
    response = api("supervisor").post(f"/api/v1/residents/{leaving.resident_id}/anonymise/")
    assert response.status_code == 200
    leaving.refresh_from_db()
    assert [text for text in _words(leaving) if SECRET in text or "Test Son" in text] == []
    # The records stay, for the statistics and the complaint's trail.
    assert counts == (OrderHistory.objects.count(), Incident.objects.count(), FollowUpCall.objects.count(),
                      Escalation.objects.count(), EscalationAction.objects.count(), PeriodicVisit.objects.count())
    call = FollowUpCall.objects.get(order=leaving)
    assert (call.result, call.quality, call.satisfied) == ("reached", 1, False)
    assert leaving.state == "closed" and leaving.actual_start is not None
    # Nobody else's words go.
    staying.refresh_from_db()
    assert sum("Ring twice" in text for text in _words(staying)) >= 9
