"""Reads of work orders, filtered to what the user may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from workorders.models import WorkOrder


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
