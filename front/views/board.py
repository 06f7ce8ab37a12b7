"""The dispatch group's live board. One page: the data comes
from GET /api/v1/board/ and the /ws/board/ socket, and its buttons call the
order API, so every change still goes through the work order services."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from core.roles import roles_required
from front.navigation import BOARD_ROLES
from realtime.selectors import may_acknowledge
from workorders import actions
from workorders.selectors import transition_sources


def _board_strings() -> dict[str, str]:
    # The script has no translation catalog of its own: it gets its words here.
    return {
        "connected": _("Live"),
        "connecting": _("Connecting…"),
        "disconnected": _("Disconnected, retrying…"),
        "new_request": _("New request"),
        # Each kind of alert has its own title: a dispatcher must see at once
        # whether a pop-up is a new request, a problem on site or a complaint.
        "incident_problem": _("Problem reported on site"),
        "incident_emergency": _("EMERGENCY on site"),
        "could_not_serve": _("could not serve"),
        "to_supervisor": _("the supervisor is alerted too"),
        "complaint_opened": _("Complaint after a follow-up call"),
        "complaint_raised": _("Complaint overdue: raised to %(level)s"),
        "subscription_not_ordered": _("Recurring service: an order could not be created"),
        "escalated": _("Escalated to the dispatch lead"),
        "acknowledge": _("Acknowledge"),
        "acknowledged_by": _("Taken by %(name)s"),
        "assign": _("Assign"),
        "reassign": _("Reassign"),
        "approve": _("Approve"),
        "request_approval": _("Ask for approval"),
        "cancel": _("Cancel order"),
        "approval_requested_alert": _("Approval asked for: the dispatch lead decides"),
        "visit_booked": _("Home visit to register booked for %(when)s"),
        "open_visits": _("Open the home-visit list"),
        "alerts_collapsed": _("Alerts: %(n)s"),
        "emergencies": _("Emergencies: %(n)s"),
        "emergency_mark": _("EMERGENCY reported %(at)s"),
        "agreed": _("Agreed: %(when)s"),
        "asap": _("As soon as possible"),
        "today": _("today %(time)s"),
        "tomorrow": _("tomorrow %(time)s"),
        "hidden_by_filter": _("%(n)s cards hidden by the filter"),
        "reading_incident": _("Reading the report…"),
        "login_ended": _("Your login has ended. Log in again to see the board."),
        "role_ended": _("Your role no longer lets you see the board."),
        "log_in_again": _("Log in again"),
        "required": _("This field is required."),
        "urgent": _("Urgent"),
        "normal": _("Normal"),
        "unassigned": _("Not assigned"),
        "minutes": _("%(n)s min"),
        "hours": _("%(n)s h"),
        "workers": _("Workers"),
        "partners": _("Partner units"),
        "open_orders": _("%(n)s open"),
        "served_before": _("served this resident before"),
        "none_found": _("Nobody suitable found."),
        "close": _("Close"),
        "failed": _("That did not work: %(detail)s"),
        "paperwork_owed": _("Paperwork owed"),
        "approval_owed": _("Approval owed"),
        "approval_owed_alert": _("Emergency started without approval: the dispatch lead records it"),
        "nobody_else": _("Only you"),
        "open_order": _("Open order %(number)s"),
        # Red cards: the deadline passed and who has been alerted, in words.
        "overdue": _("Overdue: %(stage)s, %(late)s late"),
        "overdue_alert": _("Overdue: %(stage)s"),
        "level": _("Escalation level: %(level)s"),
        "days": _("%(n)s days"),
        "stage_dispatch": _("dispatch"),
        "stage_start": _("start of service"),
        "stage_followup": _("follow-up call"),
        "level_dispatcher": _("Dispatcher"),
        "level_dispatch_lead": _("Dispatch lead"),
        "level_lead": _("Dispatch lead"),
        "level_supervisor": _("Supervisor"),
    }


# The red marks follow the scheduler's pass (each new mark's alert refreshes
# them at once); this re-reads them in between, for deadlines passed since.
OVERDUE_REFRESH_SECONDS = 60


def _board_actions(user) -> list[dict]:
    """The buttons a card may show, from workorders.actions: those offered on
    the board that the user's role may run, with the states they run from
    and the input they take (a worker or partner opens the assign dialog, a
    reason is asked for)."""
    boards = []
    for action in actions.ACTIONS.values():
        if not (action.board and user.has_perm(action.permission)):
            continue
        fields = action.input().fields
        boards.append({
            "name": action.name,
            "label": str(action.label),
            "states": [str(state) for state in transition_sources(action.name)],
            "fields": list(fields),
            # What the action's dialog asks in words (a note, a reason).
            "inputs": [
                {"name": name, "label": str(field.label), "required": field.required,
                 "max_length": getattr(field, "max_length", None)}
                for name, field in fields.items() if name not in ("worker", "partner")
            ],
        })
    return boards


@roles_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    config = {
        "ws_path": "/ws/board/",
        "snapshot_url": reverse("board-snapshot"),
        "orders_url": "/api/v1/orders/",
        "suggestions_url": reverse("board-suggestions", kwargs={"pk": 0}),
        "sound_url": static("front/alert.wav"),
        "heartbeat_seconds": settings.BOARD_HEARTBEAT_SECONDS,
        "username": request.user.get_username(),
        "may_ack": may_acknowledge(request.user),
        "actions": _board_actions(request.user),
        "overdue_url": reverse("stats-overdue"),
        "overdue_refresh_seconds": OVERDUE_REFRESH_SECONDS,
        # The order page's address with 0 for the id, for the script to fill in.
        "order_url": reverse("order-page", args=[0]),
        "login_url": reverse("login") + "?next=" + reverse("board"),
    }
    return render(request, "front/board.html", {"board_config": config, "board_strings": _board_strings()})
