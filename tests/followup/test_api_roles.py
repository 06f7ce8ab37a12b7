"""Who may read what in the quality loop: a matrix of role x endpoint written
out from DESIGN.md section 2 and the follow-up procedure. Field workers see no satisfaction
answers, not even about themselves."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import ROLES

READ_ROLES = {
    "/api/v1/followups/": {"front_desk", "dispatch_lead", "supervisor"},
    "/api/v1/followups/calls/": {"front_desk", "dispatch_lead", "supervisor"},
    "/api/v1/escalations/": {"dispatch_lead", "supervisor"},
    "/api/v1/escalations/owners/": {"dispatch_lead", "supervisor"},
    "/api/v1/spot-checks/": {"dispatch_lead", "supervisor"},
    "/api/v1/spot-checks/mismatches/": {"dispatch_lead", "supervisor"},
    "/api/v1/visits/": {"dispatch_lead", "supervisor"},
}
WRITE_ROLES = {
    "log a call": {"front_desk"},
    "escalation note": {"dispatch_lead", "supervisor"},
    "draw a spot check": {"supervisor"},
    "schedule a visit": {"dispatch_lead"},
}


@pytest.mark.parametrize("role", ROLES + ["nobody"])
@pytest.mark.parametrize("url", list(READ_ROLES))
def test_role_matrix_for_reads(url, role, api):
    response = api(role).get(url)
    assert response.status_code == (200 if role in READ_ROLES[url] else 403), response.content


def test_anonymous_gets_nothing(api):
    for url in READ_ROLES:
        assert api(None).get(url).status_code == 401, url


@pytest.mark.parametrize("role", ROLES + ["nobody"])
@pytest.mark.parametrize("what", list(WRITE_ROLES))
def test_role_matrix_for_writes(what, role, api, returned, complaint, log_call, people):
    if what == "log a call":
        url, body, ok = "/api/v1/followups/", {"order": returned().pk, "result": "no_answer"}, 201
    elif what == "escalation note":
        url, body, ok = f"/api/v1/escalations/{complaint().pk}/note/", {"note": "Called back"}, 200
    elif what == "draw a spot check":
        log_call(returned())
        today = str(timezone.localdate())
        url, body, ok = "/api/v1/spot-checks/", {"period_start": today, "period_end": today, "count": 1}, 201
    else:
        tomorrow = str(timezone.localdate() + datetime.timedelta(days=1))
        url, body, ok = "/api/v1/visits/", {"scheduled_for": tomorrow, "residents": [people["with_card"].pk]}, 201
    response = api(role).post(url, body, format="json")
    assert response.status_code == (ok if role in WRITE_ROLES[what] else 403), response.content
