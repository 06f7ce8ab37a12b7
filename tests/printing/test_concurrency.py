"""Two desks print the same order at the same moment: both get a PDF, the
copy numbers differ, and the order is printed (transitioned) once. Needs
PostgreSQL's row locks."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from printing.models import PrintJob
from workorders.models import OrderHistory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are checked on PostgreSQL (DATABASE_URL)")


@pytest.mark.parametrize("attempt", range(3))
def test_two_prints_at_once_get_different_copy_numbers(attempt, postgres_only, users, assigned_order):
    order = assigned_order()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def print_it():
        client = APIClient()
        client.force_authenticate(users["front_desk"])
        try:
            barrier.wait()
            statuses.append(client.post(f"/api/v1/orders/{order.pk}/print/", {"language": "en"}, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=print_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200, 200]
    assert sorted(PrintJob.objects.filter(order=order).values_list("copy_number", "kind")) == [
        (1, "print"), (2, "reprint"),
    ]
    assert OrderHistory.objects.filter(order=order, transition="print").count() == 1
