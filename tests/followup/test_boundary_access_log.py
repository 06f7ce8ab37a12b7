"""The quality loop's doors to residents' data write the access log as the
orders' doors do: the callback queue and one call, the calls, complaints,
spot checks and visits, by the API, the screens and the admin; and the
payments list. A list counts each resident shown as found in a search, one
object's page as a view."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from dispatch.models import ResidentAccess
from followup import services as followup

pytestmark = pytest.mark.django_db


def _since(mark: int, resident) -> list[tuple[str, str]]:
    rows = ResidentAccess.objects.filter(resident=resident, id__gt=mark).order_by("id")
    return list(rows.values_list("user__username", "action"))


def _mark() -> int:
    return ResidentAccess.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _read(client, url, resident, user: str, action: str) -> None:
    mark = _mark()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert (user, action) in _since(mark, resident), url


@pytest.fixture
def world(returned, log_call, complaint, users, people):
    waiting = returned()
    called = log_call(returned(), result="reached", quality=5, satisfied=True, comments="Very kind")
    escalation = complaint()
    visit = followup.visits_schedule(
        actor=users["dispatch_lead"], scheduled_for=timezone.localdate(), resident_ids=[people["with_card"].pk],
        served_by_worker_id=None, served_in_month=None, visitor_user_id=users["dispatch_lead"].pk,
        visitor_worker_id=None, reason="",
    )[0]
    check = followup.spot_check_draw(actor=users["supervisor"], period_start=timezone.localdate(),
                                     period_end=timezone.localdate(), percentage=100)
    return {"waiting": waiting, "call": called, "escalation": escalation, "visit": visit, "check": check,
            "resident": people["with_card"]}


def test_the_api_doors_record_each_read(api, world):
    resident = world["resident"]
    desk, lead, supervisor = api("front_desk"), api("dispatch_lead"), api("supervisor")
    _read(desk, "/api/v1/followups/", resident, "front_desk", "search")
    _read(desk, f"/api/v1/followups/{world['waiting'].pk}/", resident, "front_desk", "view")
    _read(desk, "/api/v1/followups/calls/", resident, "front_desk", "search")
    _read(desk, f"/api/v1/followups/calls/{world['call'].pk}/", resident, "front_desk", "view")
    _read(lead, "/api/v1/escalations/", resident, "dispatch_lead", "search")
    _read(lead, f"/api/v1/escalations/{world['escalation'].pk}/", resident, "dispatch_lead", "view")
    _read(lead, "/api/v1/visits/", resident, "dispatch_lead", "search")
    _read(lead, f"/api/v1/visits/{world['visit'].pk}/", resident, "dispatch_lead", "view")
    _read(supervisor, "/api/v1/spot-checks/", resident, "supervisor", "search")
    _read(supervisor, f"/api/v1/spot-checks/{world['check'].pk}/", resident, "supervisor", "view")


def test_the_screens_record_each_read(client_as, world, users):
    resident = world["resident"]
    desk, lead, supervisor = client_as("front_desk"), client_as("dispatch_lead"), client_as("supervisor")
    _read(desk, reverse("followup-queue"), resident, "front_desk", "search")
    _read(desk, reverse("followup-call", args=[world["waiting"].pk]), resident, "front_desk", "view")
    _read(desk, reverse("followup-call-result", args=[world["call"].pk]), resident, "front_desk", "view")
    _read(lead, reverse("escalation-list"), resident, "dispatch_lead", "search")
    _read(lead, reverse("escalation-detail", args=[world["escalation"].pk]), resident, "dispatch_lead", "view")
    _read(lead, reverse("visit-list"), resident, "dispatch_lead", "search")
    _read(supervisor, reverse("spot-check-detail", args=[world["check"].pk]), resident, "supervisor", "view")


def test_the_payments_list_records_the_residents_it_names(client_as, order_in):
    order = order_in("returned")
    _read(client_as("finance"), reverse("payments"), order.resident, "finance", "search")


def test_the_admin_pages_of_what_residents_said_record_the_read(client, world):
    client.force_login(User.objects.create_superuser("root", password="pw-root"))
    resident = world["resident"]
    _read(client, reverse("admin:followup_followupcall_change", args=[world["call"].pk]), resident, "root", "view")
    _read(client, reverse("admin:followup_escalation_change", args=[world["escalation"].pk]), resident, "root", "view")
    _read(client, reverse("admin:followup_periodicvisit_changelist"), resident, "root", "search")
