"""Supervisors draw a random sample of reached follow-up calls per period,
reproducible from the recorded seed, call again and record whether the
answers match; mismatches are listed."""

import datetime

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, InvalidInput
from followup.models import SpotCheck
from followup.selectors import spot_check_draw_ids, spot_check_redraw
from followup.services import spot_check_draw, spot_check_record


@pytest.fixture
def reached_calls(returned, log_call):
    calls = [log_call(returned(), quality=4, satisfied=True) for _ in range(8)]
    log_call(returned(), "no_answer")  # not reached: never sampled
    return calls


def _period() -> dict:
    today = timezone.localdate()
    return {"period_start": today, "period_end": today}


def _sample(check: SpotCheck) -> list[int]:
    return list(check.items.order_by("position").values_list("call_id", flat=True))


def test_the_same_seed_and_period_draw_the_same_sample(reached_calls, users):
    supervisor = users["supervisor"]
    first = spot_check_draw(actor=supervisor, count=3, seed=20261122, **_period())
    second = spot_check_draw(actor=supervisor, count=3, seed=20261122, **_period())
    assert _sample(first) == _sample(second)
    assert len(_sample(first)) == 3 and first.population == 8
    assert set(_sample(first)) <= {c.pk for c in reached_calls}
    assert spot_check_redraw(first) == _sample(first)
    others = {tuple(spot_check_draw_ids(seed=seed, count=3, percentage=None, **_period())) for seed in range(20)}
    assert len(others) > 1  # the seed matters


def test_a_drawn_seed_is_recorded_and_draws_the_sample_again(reached_calls, users):
    check = spot_check_draw(actor=users["supervisor"], percentage=25, **_period())
    assert check.seed is not None and len(_sample(check)) == 2
    assert spot_check_draw_ids(seed=check.seed, percentage=25, count=None, **_period()) == _sample(check)


def test_a_percentage_rounds_up(reached_calls, users):
    assert len(_sample(spot_check_draw(actor=users["supervisor"], percentage=10, **_period()))) == 1
    assert len(_sample(spot_check_draw(actor=users["supervisor"], count=50, **_period()))) == 8


@pytest.mark.parametrize(
    "bad",
    [{"count": 2, "percentage": 10}, {}, {"percentage": 0}, {"count": 0}],
)
def test_either_a_percentage_or_a_count(bad, reached_calls, users):
    with pytest.raises(InvalidInput):
        spot_check_draw(actor=users["supervisor"], **_period(), **bad)


def test_an_empty_period_has_nothing_to_draw(reached_calls, users):
    last_year = timezone.localdate() - datetime.timedelta(days=365)
    with pytest.raises(InvalidInput):
        spot_check_draw(actor=users["supervisor"], period_start=last_year, period_end=last_year, count=2)


def test_recording_re_checks_and_listing_mismatches_through_the_api(reached_calls, api):
    client = api("supervisor")
    drawn = client.post("/api/v1/spot-checks/", {**{k: str(v) for k, v in _period().items()}, "count": 2, "seed": 7},
                        format="json")
    assert drawn.status_code == 201, drawn.json()
    check = drawn.json()
    assert check["seed"] == 7 and len(check["items"]) == 2
    first, second = check["items"]
    assert first["call"]["quality"] == 4 and first["phones"]
    ok = client.post(f"/api/v1/spot-checks/{check['id']}/record/", {"item": first["id"], "answers_match": True},
                     format="json")
    assert ok.status_code == 200 and ok.json()["answers_match"] is True
    no_note = client.post(f"/api/v1/spot-checks/{check['id']}/record/",
                          {"item": second["id"], "answers_match": False}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()["fields"]
    bad = client.post(f"/api/v1/spot-checks/{check['id']}/record/",
                      {"item": second["id"], "answers_match": False, "note": "Says quality was 2"}, format="json")
    assert bad.status_code == 200
    twice = client.post(f"/api/v1/spot-checks/{check['id']}/record/",
                        {"item": second["id"], "answers_match": True}, format="json")
    assert twice.status_code == 409
    mismatches = client.get("/api/v1/spot-checks/mismatches/").json()["results"]
    assert [m["id"] for m in mismatches] == [second["id"]]
    assert mismatches[0]["note"] == "Says quality was 2"
    assert client.get(f"/api/v1/spot-checks/{check['id']}/").json()["mismatches"] == 1
    assert api("dispatch_lead").get("/api/v1/spot-checks/mismatches/").status_code == 200


def test_an_item_of_another_spot_check_is_refused(reached_calls, api, users):
    one = spot_check_draw(actor=users["supervisor"], count=1, seed=1, **_period())
    other = spot_check_draw(actor=users["supervisor"], count=1, seed=2, **_period())
    response = api("supervisor").post(f"/api/v1/spot-checks/{one.pk}/record/",
                                      {"item": other.items.get().pk, "answers_match": True}, format="json")
    assert response.status_code == 400


def test_only_supervisors_draw_and_record(reached_calls, users, api):
    for role in ["front_desk", "dispatcher", "dispatch_lead", "field_worker"]:
        with pytest.raises(Forbidden):
            spot_check_draw(actor=users[role], count=1, **_period())
        response = api(role).post("/api/v1/spot-checks/", {**{k: str(v) for k, v in _period().items()}, "count": 1},
                                  format="json")
        assert response.status_code == 403
    check = spot_check_draw(actor=users["supervisor"], count=1, **_period())
    with pytest.raises(Forbidden):
        spot_check_record(actor=users["dispatch_lead"], item_id=check.items.get().pk, answers_match=True)
    spot_check_record(actor=users["supervisor"], item_id=check.items.get().pk, answers_match=True)
    with pytest.raises(Conflict):
        spot_check_record(actor=users["supervisor"], item_id=check.items.get().pk, answers_match=True)
