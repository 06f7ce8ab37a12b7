"""What a lead or a supervisor can do to a complaint (an escalation) and a
home visit, each declared once (core.actions): the API endpoints and the
screens' forms are built from it; its service is marked `@implements` in
followup.services."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.actions import Action, text_input
from core.rest import MAX_ID, DateTimeInput


class EscalationNoteInput(serializers.Serializer):
    note = text_input(gettext_lazy("What was done"), 4000)


class EscalationReassignInput(serializers.Serializer):
    owner = serializers.IntegerField(label=gettext_lazy("New owner"), source="owner_id", min_value=1,
                                     max_value=MAX_ID, style={"options": "owners"})
    note = serializers.CharField(label=gettext_lazy("Why (optional)"), required=False, allow_blank=True, default="",
                                 max_length=2000)


class EscalationResolveInput(serializers.Serializer):
    outcome = text_input(gettext_lazy("Outcome"), 4000,
                    error_messages={"required": gettext_lazy("Describe the outcome."),
                                    "blank": gettext_lazy("Describe the outcome.")})


class VisitRecordInput(serializers.Serializer):
    findings = text_input(gettext_lazy("Findings"), 4000)
    visited_at = DateTimeInput(label=gettext_lazy("Visited at"), required=False, allow_null=True,
                                           default=None)


class VisitCancelInput(serializers.Serializer):
    reason = serializers.CharField(label=gettext_lazy("Why cancelled"), max_length=255)


@dataclass(eq=False)
class EscalationAction(Action):
    target: str = "escalation_id"


@dataclass(eq=False)
class VisitAction(Action):
    target: str = "visit_id"


ESCALATION_NOTE = EscalationAction(
    name="note", label=gettext_lazy("Record what was done"), permission="followup.change_escalation",
    input=EscalationNoteInput, summary="Record an action taken",
)
ESCALATION_REASSIGN = EscalationAction(
    name="reassign", label=gettext_lazy("Give it to another owner"), permission="followup.change_escalation",
    input=EscalationReassignInput, summary="Give it to another lead",
)
ESCALATION_RESOLVE = EscalationAction(
    name="resolve", label=gettext_lazy("Resolve"), permission="followup.change_escalation",
    input=EscalationResolveInput, summary="Resolve and close the order",
)
VISIT_RECORD = VisitAction(
    name="record", label=gettext_lazy("Record the visit"), permission="followup.change_periodicvisit",
    input=VisitRecordInput, summary="Record the visit and findings",
)
VISIT_CANCEL = VisitAction(
    name="cancel", label=gettext_lazy("Cancel the visit"), permission="followup.change_periodicvisit",
    input=VisitCancelInput, summary="Cancel, with a reason",
)

ESCALATION_ACTIONS = [ESCALATION_NOTE, ESCALATION_REASSIGN, ESCALATION_RESOLVE]
VISIT_ACTIONS = [VISIT_RECORD, VISIT_CANCEL]
