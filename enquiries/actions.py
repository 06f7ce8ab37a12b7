"""What the desk can do to a written request, each declared once
(core.actions): the API's `POST /api/v1/enquiries/{id}/<name>/` and the case
page's forms are built from it; its service is marked `@implements` in
enquiries.services.

Writing in the case is two actions, never one with a toggle: a public reply
(`reply`, which the requester gets) and an internal note (`note`, which they
never see).
"""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers

from core.actions import Action, text_input
from core.errors import Conflict
from core.rest import MAX_ID
from core.roles import Role
from enquiries.models import ACTIVE, MESSAGE_LENGTH, State


class ReplyInput(serializers.Serializer):
    body = text_input(gettext_lazy("Reply to the requester"), MESSAGE_LENGTH)
    awaiting = serializers.BooleanField(
        label=gettext_lazy("We need an answer from the requester"), required=False, default=False,
    )


class NoteInput(serializers.Serializer):
    body = text_input(gettext_lazy("Internal note (the requester never sees it)"), MESSAGE_LENGTH)


class ReasonInput(serializers.Serializer):
    note = text_input(gettext_lazy("Note (optional)"), 2000, required=False)


class ReassignInput(serializers.Serializer):
    function = serializers.ChoiceField(label=gettext_lazy("Function"), choices=Role.choices)
    handler = serializers.IntegerField(label=gettext_lazy("Handler (optional)"), source="handler_id", required=False,
                                       allow_null=True, default=None, min_value=1, max_value=MAX_ID,
                                       style={"options": "handlers"})
    note = serializers.CharField(label=gettext_lazy("Why (optional)"), required=False, allow_blank=True, default="",
                                 max_length=2000)


class MergeInput(serializers.Serializer):
    into = serializers.CharField(label=gettext_lazy("Merge into case (reference)"), max_length=20)


def _active(enquiry) -> None:
    if enquiry.state not in ACTIVE:
        raise Conflict(gettext("This case has ended; nothing more can be done to it."), state=enquiry.state)


def _spam_possible(enquiry) -> None:
    if enquiry.state not in (State.NEW, State.OPEN):
        raise Conflict(gettext("Only a new or open case can be marked as spam."), state=enquiry.state)


def _new(enquiry) -> None:
    if enquiry.state != State.NEW:
        raise Conflict(gettext("Someone has taken this case already."), state=enquiry.state)


@dataclass(eq=False)
class EnquiryAction(Action):
    target: str = "enquiry_id"
    # The history row's transition name; "" for an action that changes no state.
    event: str = "enquiry.changed"


TAKE = EnquiryAction(
    name="take", label=gettext_lazy("Take this case"), permission="enquiries.change_enquiry",
    input=ReasonInput, summary="Take a new case: it is yours and open", check=_new,
)
REPLY = EnquiryAction(
    name="reply", label=gettext_lazy("Send public reply"), permission="enquiries.change_enquiry",
    input=ReplyInput, summary="Answer the requester in the case (sent to them)", check=_active,
    event="enquiry.replied",
)
NOTE = EnquiryAction(
    name="note", label=gettext_lazy("Add internal note"), permission="enquiries.change_enquiry",
    input=NoteInput, summary="Add an internal note (never shown to the requester)", check=_active,
)
REASSIGN = EnquiryAction(
    name="reassign", label=gettext_lazy("Reassign"), permission="enquiries.change_enquiry",
    input=ReassignInput, summary="Route the case to another function or handler", check=_active,
)
CLOSE = EnquiryAction(
    name="close", label=gettext_lazy("Close"), permission="enquiries.change_enquiry",
    input=ReasonInput, summary="Close the case", check=_active,
)
REFER = EnquiryAction(
    name="refer", label=gettext_lazy("Refer to the care provider"), permission="enquiries.change_enquiry",
    input=ReasonInput, summary="Send the illness referral and close the case as referred", check=_active,
)
SPAM = EnquiryAction(
    name="spam", label=gettext_lazy("Mark as spam"), permission="enquiries.change_enquiry",
    input=ReasonInput, summary="Mark a new or open case as spam (nothing is sent)", check=_spam_possible,
)
MERGE = EnquiryAction(
    name="merge", label=gettext_lazy("Merge into another case"), permission="enquiries.change_enquiry",
    input=MergeInput, summary="Merge this case into another of the same requester", check=_active,
)

ACTIONS = {a.name: a for a in (TAKE, REPLY, NOTE, REASSIGN, CLOSE, REFER, SPAM, MERGE)}

# The events a case publishes, with the fields their data holds (realtime.events).
ENQUIRY_EVENT_FIELDS = ("id", "reference", "state", "channel", "topic", "function", "handler",
                        "reply_due_at", "overdue", "illness_flag")
EVENT_TYPES = {
    name: ENQUIRY_EVENT_FIELDS
    for name in ("enquiry.received", "enquiry.message_in", "enquiry.replied", "enquiry.overdue", "enquiry.changed")
}
