"""Reads of work orders, filtered to what the user may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from workorders.models import State, WorkOrder


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


def order_available_transitions(order: WorkOrder, user: AbstractBaseUser) -> list[str]:
    return sorted(t.name for t in order.get_available_user_state_transitions(user))


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


def order_by_number(user: AbstractBaseUser, number: str) -> WorkOrder | None:
    """The order with this number as printed or scanned (any case, spaces
    around), if the user may see it."""
    return orders_visible_to(user).filter(number__iexact=number.strip()).first()
