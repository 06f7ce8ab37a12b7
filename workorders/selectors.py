"""Reads of work orders, filtered to what the user may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, F, Q, QuerySet, Value, When

from dispatch.models import Worker
from workorders.models import Incident, State, Urgency, WorkOrder

# A field worker's work in hand: given to him, on paper, or being served.
MY_ORDER_STATES = [State.ASSIGNED, State.PRINTED, State.IN_SERVICE]


def orders_visible_to(user: AbstractBaseUser) -> QuerySet[WorkOrder]:
    """Every order for roles that see all; a field worker's own orders only;
    nothing for anyone else."""
    orders = WorkOrder.objects.select_related(
        "resident", "resident__area", "service", "worker", "partner"
    )
    if user.has_perm("workorders.view_all_workorders"):
        return orders
    if user.has_perm("workorders.view_workorder"):
        return orders.filter(worker__user=user)
    return orders.none()


def desk_queues(user: AbstractBaseUser) -> dict[str, list[WorkOrder]]:
    """The print-collect-return desk's three piles: assigned orders (and
    emergency orders owing their copies) to print, printed orders waiting for
    their worker, and orders out with a worker, oldest first."""
    orders = orders_visible_to(user).order_by("assigned_at", "id")
    return {
        "to_print": list(orders.filter(Q(state=State.ASSIGNED) | Q(paperwork_owed=True))),
        "to_collect": list(orders.filter(state=State.PRINTED)),
        "out": list(orders.filter(state=State.IN_SERVICE).order_by("collected_at", "id")),
    }


def approval_owed_orders() -> QuerySet[WorkOrder]:
    """Orders an emergency start served before their approval, in any state,
    until the lead (or the supervisor) records it; oldest first."""
    return (
        WorkOrder.objects.filter(approval_owed=True)
        .select_related("resident__area", "service", "worker", "partner")
        .order_by("id")
    )


def order_by_number(user: AbstractBaseUser, number: str) -> WorkOrder | None:
    """The order with this number as printed or scanned (any case, spaces
    around), if the user may see it."""
    return orders_visible_to(user).filter(number__iexact=number.strip()).first()


def worker_of(user: AbstractBaseUser) -> Worker | None:
    """The worker record linked to this login, if any."""
    return Worker.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def my_orders(user: AbstractBaseUser) -> list[WorkOrder]:
    """The open work of the worker linked to this login (assigned, printed, in
    service), with the residents' phones and emergency contacts, the most
    pressing first: urgent orders first, then by the agreed time (orders
    without one, "as soon as possible", after those with a time), then the
    oldest. Nobody else's orders, ever."""
    urgent_first = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1))
    return list(
        orders_visible_to(user)
        .filter(worker__user=user, state__in=MY_ORDER_STATES)
        .prefetch_related("resident__phones", "resident__emergency_contacts")
        .order_by(urgent_first, F("requested_for").asc(nulls_last=True), "created_at", "id")
    )


def order_incidents(order_id: int) -> QuerySet[Incident]:
    """The order's incidents, oldest first. Callers check the order is visible."""
    return Incident.objects.filter(order_id=order_id).select_related("reporter").order_by("created_at", "id")


def transition_sources(name: str) -> list[str]:
    """The states transition `name` runs from, as the state machine declares them."""
    transitions = WorkOrder._meta.get_field("state").get_all_transitions(WorkOrder)
    return sorted({transition.source for transition in transitions if transition.name == name})
