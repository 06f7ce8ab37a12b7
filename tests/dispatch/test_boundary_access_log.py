"""The admin is one more door to residents' records: its resident pages (the
list, its search, a record, its history), an intake's page and an order's or
an incident's page write the access log as the API and the screens do."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dispatch.models import ResidentAccess
from workorders import services


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("root", password="pw-root"))
    return client


def _log(resident, after: int = 0) -> list[tuple[str, str]]:
    rows = ResidentAccess.objects.filter(resident=resident, id__gt=after).order_by("id")
    return list(rows.values_list("user__username", "action"))


def _last() -> int:
    return ResidentAccess.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_the_resident_list_and_its_search_count_each_resident_shown_as_found(admin_client, people):
    assert admin_client.get(reverse("admin:dispatch_resident_changelist")).status_code == 200
    for resident in (people["with_card"], people["no_card"], people["outside"]):
        assert _log(resident) == [("root", "search")]
    found = admin_client.get(reverse("admin:dispatch_resident_changelist"), {"q": "Resident Two"})
    assert found.status_code == 200
    assert _log(people["no_card"]) == [("root", "search"), ("root", "search")]
    assert _log(people["with_card"]) == [("root", "search")]


def test_a_residents_page_and_its_history_are_reads_of_the_record(admin_client, people):
    resident = people["with_card"]
    assert admin_client.get(reverse("admin:dispatch_resident_change", args=[resident.pk])).status_code == 200
    assert admin_client.get(reverse("admin:dispatch_resident_history", args=[resident.pk])).status_code == 200
    assert _log(resident) == [("root", "view"), ("root", "view")]


def test_a_refused_or_missing_page_is_no_read(client, users, people):
    coordinator = users["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    assert client.get(reverse("admin:dispatch_resident_change", args=[people["with_card"].pk])).status_code == 403
    assert client.get(reverse("admin:dispatch_resident_changelist")).status_code == 403
    assert not ResidentAccess.objects.exists()


def test_an_intakes_an_orders_and_an_incidents_pages_are_reads_of_their_resident(admin_client, people, users, order_in):
    order = order_in("in_service")
    incident = services.incident_report(actor=users["field_worker"], order_id=order.pk, kind="problem",
                                        note="Dog in the hall")
    start = _last()  # after the setup's own reads
    resident = people["with_card"]
    assert admin_client.get(reverse("admin:dispatch_intakerecord_change", args=[order.intake_id])).status_code == 200
    assert admin_client.get(reverse("admin:workorders_workorder_change", args=[order.pk])).status_code == 200
    assert admin_client.get(reverse("admin:workorders_incident_change", args=[incident.pk])).status_code == 200
    assert _log(resident, after=start) == [("root", "view")] * 3


def test_the_order_and_intake_apis_are_doors_too(api, people, order_in):
    order = order_in("in_service")
    resident, start = people["with_card"], _last()
    assert api("dispatcher").get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert api("dispatcher").get("/api/v1/orders/").status_code == 200
    assert api("front_desk").get(f"/api/v1/intakes/{order.intake_id}/").status_code == 200
    assert api("front_desk").get("/api/v1/intakes/").status_code == 200
    assert _log(resident, after=start) == [
        ("dispatcher", "view"), ("dispatcher", "search"), ("front_desk", "view"), ("front_desk", "search"),
    ]
    # A role that may not read orders leaves no trace.
    assert api("coordinator").get(f"/api/v1/orders/{order.pk}/").status_code == 403
    assert len(_log(resident, after=start)) == 4
