"""Everything a user can do to a work order, each declared once: its name
(the FSM transition's, for a transition), label, the permission that
decides which roles may run it, its input, the event it publishes and where
the screens offer it. Its service is the function marked
`@implements(...)` in workorders.services.

Built from this list: the API's `POST orders/{id}/<name>/` endpoints and
their schema, `available_transitions`, the order page's forms and links,
the board's buttons, the history's labels, and the event types workorders
publishes (declared to realtime when the app is ready).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_fsm import can_proceed
from rest_framework import serializers

from core.actions import Action
from core.errors import Conflict
from core.rest import MAX_ID, DateTimeInput
from workorders.models import RECEIPT_LENGTH, FeeStatus, WorkOrder

# --- Inputs -----------------------------------------------------------------------------
# A field naming a worker or a partner says, in `style["options"]`, which of
# them a screen offers (front.views.orders); the service checks again.


def _note() -> serializers.CharField:
    return serializers.CharField(label=gettext_lazy("Note"), required=False, allow_blank=True, default="",
                                 max_length=2000)


def _id(label, source: str, options: str, *, required: bool = False) -> serializers.IntegerField:
    optional = {} if required else {"required": False, "allow_null": True, "default": None}
    return serializers.IntegerField(label=label, source=source, min_value=1, max_value=MAX_ID,
                                    style={"options": options}, **optional)


class NoteInput(serializers.Serializer):
    note = _note()


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(label=gettext_lazy("Reason"), max_length=255)


class AssignInput(serializers.Serializer):
    worker = _id(gettext_lazy("Worker"), "worker_id", "skilled_workers")
    partner = _id(gettext_lazy("or partner unit"), "partner_id", "service_partners")
    note = _note()


class CollectInput(serializers.Serializer):
    worker = _id(gettext_lazy("Collected by"), "collected_by_id", "active_workers")
    note = _note()


class EmergencyStartInput(serializers.Serializer):
    # Serving first skips the paper, not the skill: offered as assign offers them.
    worker = _id(gettext_lazy("Worker"), "worker_id", "skilled_workers", required=True)
    note = _note()


class ReturnInput(serializers.Serializer):
    # Between the collection and now: the service checks, knowing the order.
    actual_start = DateTimeInput(label=gettext_lazy("Service started"))
    actual_end = DateTimeInput(label=gettext_lazy("Service ended"))
    fee = serializers.DecimalField(label=gettext_lazy("Fee due"), max_digits=10, decimal_places=2, required=False,
                                   allow_null=True, default=None, min_value=Decimal("0"))
    materials = serializers.CharField(label=gettext_lazy("Materials used"), required=False, allow_blank=True,
                                      default="", max_length=2000, style={"base_template": "textarea.html"})
    remarks = serializers.CharField(label=gettext_lazy("Remarks"), required=False, allow_blank=True, default="",
                                    max_length=2000, style={"base_template": "textarea.html"})


class SettleInput(serializers.Serializer):
    receipt = serializers.CharField(label=gettext_lazy("Receipt number"), max_length=RECEIPT_LENGTH,
                                    help_text=gettext_lazy("The number on the receipt given for the payment"))
    note = _note()


class NoInput(serializers.Serializer):
    """An action that takes nothing from the user."""


# --- Whether the order's state allows an action now -----------------------------------


def transition_possible(order: WorkOrder, name: str) -> None:
    """Raise Conflict (naming the order's state) unless transition `name` may
    run from the order's state and its conditions hold."""
    bound = getattr(order, name)
    if not can_proceed(bound, check_conditions=False):
        raise Conflict(
            _("Order %(number)s is %(state)s; “%(action)s” is not possible now.")
            % {"number": order.number, "state": order.get_state_display(), "action": ACTIONS[name].label},
            state=order.state,
        )
    if not can_proceed(bound):
        raise Conflict(_condition_message(order, name), state=order.state)


def _condition_message(order: WorkOrder, name: str) -> str:
    if name == "assign":
        return _("%(service)s needs approval before it can be assigned.") % {"service": order.service.name}
    if name == "request_approval":
        return _("%(service)s needs no approval: assign it.") % {"service": order.service.name}
    if name == "emergency_start":
        return _("Only urgent orders can be started at once.")
    return _("The conditions for this action are not met.")


def fee_due(order: WorkOrder) -> None:
    """Raise Conflict unless the order has a fee due."""
    if order.fee_status != FeeStatus.DUE:
        raise Conflict(_("No fee is due on order %(number)s.") % {"number": order.number}, state=order.state)


def fee_undo_until(order: WorkOrder) -> datetime.datetime | None:
    """Until when the order's confirmed payment may be undone (None: not paid)."""
    if order.fee_status != FeeStatus.PAID or order.fee_paid_at is None:
        return None
    return order.fee_paid_at + datetime.timedelta(minutes=settings.FEE_UNDO_MINUTES)


def fee_undoable(order: WorkOrder) -> None:
    """Raise Conflict unless the order's fee was confirmed paid less than
    settings.FEE_UNDO_MINUTES ago."""
    until = fee_undo_until(order)
    if until is None:
        raise Conflict(_("The fee on order %(number)s is not confirmed paid; there is nothing to undo.")
                       % {"number": order.number}, state=order.state)
    if timezone.now() > until:
        minutes = settings.FEE_UNDO_MINUTES
        raise Conflict(
            ngettext("The payment on order %(number)s was confirmed at %(time)s; it can be undone only within "
                     "a minute of that.",
                     "The payment on order %(number)s was confirmed at %(time)s; it can be undone only within "
                     "%(minutes)d minutes of that.", minutes)
            % {"number": order.number, "time": timezone.localtime(order.fee_paid_at).strftime("%Y-%m-%d %H:%M"),
               "minutes": minutes},
            state=order.state,
        )


def approval_owed(order: WorkOrder) -> None:
    """Raise Conflict unless the order owes its approval (an emergency start
    served a service that needs approval before anyone approved it)."""
    if not order.approval_owed:
        raise Conflict(_("Order %(number)s owes no approval.") % {"number": order.number}, state=order.state)


# --- The list -----------------------------------------------------------------------------

# Where the order page offers an action: a form of its input; the print
# button (printing's endpoint); the desk's return form; the follow-up
# screens (their own services record the call or the escalation first).
FORM, PRINT, DESK, FOLLOWUP = "form", "print", "desk", "followup"


@dataclass(eq=False)
class OrderAction(Action):
    target: str = "order_id"
    # An FSM transition of WorkOrder (else recorded in the history without a state change).
    transition: bool = True
    event: str = ""
    screen: str = FORM
    # Offered on the live board's cards.
    board: bool = False

    def __post_init__(self) -> None:
        if self.check is None:
            name = self.name
            self.check = (lambda order: transition_possible(order, name)) if self.transition else None

    @property
    def has_endpoint(self) -> bool:
        """Whether the order API has `POST orders/{id}/<name>/` for it."""
        return self.screen in (FORM, DESK)


# Every action, by name, in the order they are declared below (the order the
# board shows its buttons in).
ACTIONS: dict[str, OrderAction] = {}


def _action(name: str, label, permission: str, input, event: str, summary: str, **extra) -> OrderAction:
    action = OrderAction(name=name, label=label, permission=f"workorders.{permission}", input=input, event=event,
                         summary=summary, **extra)
    ACTIONS[name] = action
    return action


REQUEST_APPROVAL = _action(
    "request_approval", gettext_lazy("Ask for approval"), "request_approval_workorder", NoteInput,
    "order.approval_requested", "Ask the lead to approve an external or special service", board=True,
)
APPROVE = _action(
    "approve", gettext_lazy("Approve"), "approve_workorder", NoteInput, "order.approved", "Approve", board=True,
)
REJECT = _action(
    "reject", gettext_lazy("Reject"), "approve_workorder", ReasonInput, "order.rejected",
    "Refuse approval, with a reason", board=True,
)
ASSIGN = _action(
    "assign", gettext_lazy("Assign"), "assign_workorder", AssignInput, "order.assigned",
    "Assign a worker or a partner unit", board=True,
)
REASSIGN = _action(
    "reassign", gettext_lazy("Reassign"), "assign_workorder", AssignInput, "order.reassigned",
    "Give the order to another worker or partner unit", board=True,
)
PRINT_ORDER = _action(
    "print", gettext_lazy("Print"), "print_workorder", NoInput, "order.printed",
    "Print the order in duplicate", screen=PRINT,
)
COLLECT = _action(
    "collect", gettext_lazy("Hand out"), "collect_workorder", CollectInput, "order.collected",
    "The worker collects the printed order",
)
REDISPATCH = _action(
    "redispatch", gettext_lazy("Send back to dispatch"), "assign_workorder", ReasonInput, "order.redispatched",
    "Back to the queue: the worker could not serve",
)
EMERGENCY_START = _action(
    "emergency_start", gettext_lazy("Emergency start"), "emergency_start_workorder", EmergencyStartInput,
    "order.emergency_started", "Serve an urgent request at once, paperwork afterwards",
)
# Not a transition: the order may have moved on (returned, closed) by the time
# the lead gives the consent the emergency start could not wait for.
RECORD_APPROVAL = _action(
    "record_approval", gettext_lazy("Record approval"), "approve_workorder", ReasonInput, "order.approval_recorded",
    "Record the consent to an emergency start that skipped approval, with a reason", transition=False,
    check=approval_owed,
)
RETURN_ORDER = _action(
    "return_order", gettext_lazy("Take back"), "return_workorder", ReturnInput, "order.returned",
    "Take back the filled-in order", screen=DESK,
)
CANCEL = _action(
    "cancel", gettext_lazy("Cancel"), "cancel_workorder", ReasonInput, "order.cancelled", "Cancel, with a reason",
    board=True,
)
LOG_FOLLOWUP = _action(
    "log_followup", gettext_lazy("Log follow-up call"), "log_followup_workorder", NoInput, "order.followed_up",
    "Log a follow-up call that reached the resident", screen=FOLLOWUP,
)
RESOLVE = _action(
    "resolve", gettext_lazy("Resolve escalation"), "resolve_workorder", NoInput, "order.resolved",
    "Close an escalated order once its escalation is handled", screen=FOLLOWUP,
)
CLOSE_UNREACHABLE = _action(
    "close_unreachable", gettext_lazy("Close as unreachable"), "log_followup_workorder", NoInput,
    "order.closed_unreachable", "Close a returned order whose resident could not be reached", screen=FOLLOWUP,
)
SETTLE_FEE = _action(
    "settle_fee", gettext_lazy("Confirm paid"), "settle_fee_workorder", SettleInput, "order.fee_settled",
    "Finance confirms the fee paid, with the receipt's number", transition=False, check=fee_due,
)
# Who may confirm may take it back, within settings.FEE_UNDO_MINUTES: a wrong
# row clicked is undone at once; later, a correction is the accounts' business.
UNSETTLE_FEE = _action(
    "unsettle_fee", gettext_lazy("Undo payment"), "settle_fee_workorder", NoteInput, "order.fee_unsettled",
    "Undo a payment confirmed by mistake, within minutes of the confirmation: the fee is due again",
    transition=False, check=fee_undoable,
)

# What the history shows for its rows that are no action of this list.
RECORD_LABELS = {
    "create": gettext_lazy("Take request"),
    "backfill_print": gettext_lazy("Print owed copies"),
    # Migration 0008: impossible times stored before they were checked, kept in the note.
    "clear_times": gettext_lazy("Impossible times cleared"),
}

# The fields every order event's data holds (the board's card), and the
# events workorders publishes besides its actions'.
ORDER_FIELDS = ("id", "number", "state")
OTHER_EVENTS: dict[str, tuple[str, ...]] = {
    "order.received": ORDER_FIELDS,
    "order.paperwork_backfilled": ORDER_FIELDS,
    # An unsatisfied follow-up call escalates the order (log_followup).
    "order.escalated": ORDER_FIELDS,
    # A worker met a problem on site: no note, no health data.
    "order.incident_reported": (*ORDER_FIELDS, "incident"),
}


def event_types() -> dict[str, tuple[str, ...]]:
    """Every event type workorders publishes, with the fields its data holds."""
    return {**{action.event: ORDER_FIELDS for action in ACTIONS.values()}, **OTHER_EVENTS}


def label(name: str) -> str:
    """What an action or a history row is called on screens."""
    found = ACTIONS.get(name)
    return str(found.label if found is not None else RECORD_LABELS.get(name, name))


def offered(order: WorkOrder, user) -> list[str]:
    """What this user may do to the order now, by name: the transitions of
    `available`, then the other actions whose condition holds (a fee due, an
    approval owed) and whose permission the user's role holds."""
    names = available(order, user)
    for name, action in ACTIONS.items():
        if action.transition or action.check is None or not user.has_perm(action.permission):
            continue
        try:
            action.check(order)
        except Conflict:
            continue
        names.append(name)
    return names


def available(order: WorkOrder, user) -> list[str]:
    """The transitions this user may run on the order now (its state and the
    transitions' conditions allow them, the user's role holds their
    permission), by name."""
    possible = {t.name for t in order.get_available_state_transitions()}
    return sorted(name for name, a in ACTIONS.items()
                  if a.transition and name in possible and user.has_perm(a.permission))
