"""Residents' data: health notes only for the roles that plan care, every read
of a record in the access log, export of one resident, and anonymisation that
keeps the statistics."""

import pytest

from dispatch.models import IntakeRecord, Resident, ResidentAccess
from realtime.models import Alert, Event
from workorders.models import OrderHistory, WorkOrder


@pytest.fixture
def noted(people):
    resident = people["with_card"]
    Resident.objects.filter(pk=resident.pk).update(health_notes="Diabetic; insulin at 8")
    return resident


@pytest.mark.parametrize(
    ("role", "sees"),
    [("front_desk", False), ("dispatcher", True), ("dispatch_lead", True), ("supervisor", True)],
)
def test_health_notes_only_for_the_roles_that_need_them(role, sees, api, noted):
    detail = api(role).get(f"/api/v1/residents/{noted.pk}/").json()
    listed = api(role).get("/api/v1/residents/", {"q": "Test Resident One"}).json()["results"][0]
    assert ("health_notes" in detail) == sees
    assert ("health_notes" in listed) == sees
    if sees:
        assert detail["health_notes"] == "Diabetic; insulin at 8"


def test_every_read_is_in_the_access_log_which_only_the_supervisor_reads(api, users, noted):
    api("front_desk").get(f"/api/v1/residents/{noted.pk}/")
    api("dispatcher").get("/api/v1/residents/", {"phone": "13800138000"})
    log = list(ResidentAccess.objects.filter(resident=noted).order_by("id").values_list("user__username", "action"))
    assert log == [("front_desk", "view"), ("dispatcher", "search")]
    response = api("supervisor").get(f"/api/v1/residents/{noted.pk}/access-log/")
    assert response.status_code == 200
    assert [(a["user"], a["action"]) for a in response.json()["results"]] == [("dispatcher", "search"), ("front_desk", "view")]
    for role in ("front_desk", "dispatcher", "dispatch_lead", "field_worker", "finance"):
        assert api(role).get(f"/api/v1/residents/{noted.pk}/access-log/").status_code == 403, role


def test_export_of_one_resident(api, noted, order_in):
    order = order_in("returned")
    response = api("supervisor").get(f"/api/v1/residents/{noted.pk}/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["resident"]["name"] == "Test Resident One"
    assert data["phones"] == [{"number": "+8613800138000", "label": "", "is_primary": True}]
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert [h["transition"] for h in data["orders"][0]["history"]][-1] == "return_order"
    assert ResidentAccess.objects.filter(resident=noted, action="export").count() == 1
    assert api("dispatcher").get(f"/api/v1/residents/{noted.pk}/export/").status_code == 403
    assert api("supervisor").get("/api/v1/residents/999999/export/").status_code == 404


def test_anonymising_keeps_orders_and_history_but_no_personal_data(api, noted, order_in):
    order = order_in("returned")
    history_before = OrderHistory.objects.filter(order=order).count()
    assert api("dispatcher").post(f"/api/v1/residents/{noted.pk}/anonymise/").status_code == 403
    response = api("supervisor").post(f"/api/v1/residents/{noted.pk}/anonymise/")
    assert response.status_code == 200
    resident = Resident.objects.get(pk=noted.pk)
    assert "Test Resident" not in resident.name and not resident.address and not resident.health_notes
    assert not resident.phones.exists() and not resident.emergency_contacts.exists() and not resident.active
    assert WorkOrder.objects.get(pk=order.pk).state == "returned"
    assert OrderHistory.objects.filter(order=order).count() == history_before
    assert IntakeRecord.objects.filter(resident=resident).count() == 1
    assert Event.objects.filter(type="alert.raised").exists()
    assert not any("Test Resident One" in str(e.data) for e in Event.objects.all())
    assert not any("Test Resident One" in str(a.data) for a in Alert.objects.all())
    assert api("front_desk").get("/api/v1/residents/", {"phone": "13800138000"}).json()["results"] == []


def test_anonymising_clears_what_was_written_on_the_residents_orders(api, noted, users, people, catalog):
    from workorders import services

    order = services.order_create(
        actor=users["front_desk"], resident=noted, service=catalog["visit"], channel="phone",
        notes="Test Resident One's daughter has the key",
    )
    other = services.order_create(
        actor=users["front_desk"], resident=people["no_card"], service=catalog["visit"], channel="phone",
        notes="Ring twice",
    )
    assert api("supervisor").post(f"/api/v1/residents/{noted.pk}/anonymise/").status_code == 200
    order.refresh_from_db()
    other.refresh_from_db()
    assert (order.notes, order.remarks, order.materials) == ("", "", "")
    assert other.notes == "Ring twice"
