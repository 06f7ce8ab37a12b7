"""Hostile text in every text field the API writes: very long strings,
control characters, right-to-left marks and other Unicode, SQL and HTML.

A value over the field's limit is a 400 naming the field, and nothing is
written; a value within it is stored and answered exactly as given, except
that a name or an address refuses control characters (core.text); markup is
shown escaped on the screens and as plain text in the printed order."""

import datetime

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core.text import has_control_characters
from workorders.models import WorkOrder

LONG = 10_001  # characters


def _snapshot() -> dict:
    """Every row count of the domain apps plus each order's state and last
    change: equal before and after means nothing was written."""
    counts = {
        model._meta.label: model.objects.count()
        for app in ("dispatch", "workorders", "followup", "realtime", "printing")
        for model in apps.get_app_config(app).get_models()
    }
    orders = list(WorkOrder.objects.order_by("pk").values_list("pk", "state", "updated_at"))
    return {"counts": counts, "orders": orders}


def _times() -> dict:
    now = timezone.now()
    return {"actual_start": (now - datetime.timedelta(minutes=1)).isoformat(), "actual_end": now.isoformat()}


@pytest.fixture
def endpoints(users, people, catalog, order_in, tokens):
    """name -> (role, path, body builder(value), field in the answer's `fields`,
    the limit (None: a text field without one), reader of the stored value)."""
    from followup import services as followup

    def returned_call(satisfied):
        order = order_in("returned", urgency="normal")
        return order, followup.followup_log_call(
            actor=users["front_desk"], order_id=order.pk, result="reached", quality=1 if not satisfied else 5,
            satisfied=satisfied,
        )

    resident = people["with_card"]
    base_resident = {"address": "9 Invented Road", "area": catalog["area"].pk, "phones": [{"number": "13600136000"}]}

    def order_body(**values):
        return {"resident": resident.pk, "service": catalog["clean"].pk, "channel": "phone", **values}

    intake = {"outcome": "cannot_serve", "channel": "phone", "resident": resident.pk}

    def latest_order():
        return WorkOrder.objects.latest("pk")

    def latest(model):
        return apps.get_model(model).objects.latest("pk")

    made = {}

    def lazy(name, factory):
        # Built only for the case that uses it: each object costs service calls.
        def get():
            if name not in made:
                made[name] = factory()
            return made[name]
        return get

    received = lazy("received", lambda: order_in("received"))
    awaiting = lazy("awaiting", lambda: order_in("awaiting_approval"))
    printed = lazy("printed", lambda: order_in("printed"))
    in_service = lazy("in_service", lambda: order_in("in_service"))
    returned = lazy("returned", lambda: order_in("returned", urgency="normal"))
    complaint = lazy("complaint", lambda: returned_call(False)[1].escalation)
    visit = lazy("visit", lambda: followup.visits_schedule(
        actor=users["dispatch_lead"], scheduled_for=timezone.localdate(), resident_ids=[resident.pk],
        served_by_worker_id=None, served_in_month=None, visitor_user_id=users["dispatch_lead"].pk,
        visitor_worker_id=None, reason="",
    )[0])

    def history_note(order_factory):
        return lambda: order_factory().history.order_by("-pk").first().note

    return {
        "order notes": ("front_desk", lambda: "/api/v1/orders/", lambda v: order_body(notes=v), "notes", 2000,
                        lambda: latest_order().notes),
        # Only an order for a resident without a valid card keeps the reason.
        "order card_override_reason": ("dispatcher", lambda: "/api/v1/orders/",
                                       lambda v: order_body(resident=people["no_card"].pk, card_override_reason=v),
                                       "card_override_reason", 255,
                                       lambda: latest_order().card_override_reason),
        "cancel reason": ("front_desk", lambda: f"/api/v1/orders/{received().pk}/cancel/", lambda v: {"reason": v},
                          "reason", 255, lambda: WorkOrder.objects.get(pk=received().pk).closing_reason),
        "reject reason": ("dispatch_lead", lambda: f"/api/v1/orders/{awaiting().pk}/reject/",
                          lambda v: {"reason": v}, "reason", 255,
                          lambda: WorkOrder.objects.get(pk=awaiting().pk).closing_reason),
        "redispatch reason": ("dispatcher", lambda: f"/api/v1/orders/{printed().pk}/redispatch/",
                              lambda v: {"reason": v}, "reason", 255, history_note(printed)),
        "assign note": ("dispatcher", lambda: f"/api/v1/orders/{received().pk}/assign/",
                        lambda v: {"worker": people["cleaner"].pk, "note": v}, "note", 2000, history_note(received)),
        "return materials": ("front_desk", lambda: f"/api/v1/orders/{in_service().pk}/return_order/",
                             lambda v: {**_times(), "materials": v}, "materials", 2000,
                             lambda: WorkOrder.objects.get(pk=in_service().pk).materials),
        "return remarks": ("front_desk", lambda: f"/api/v1/orders/{in_service().pk}/return_order/",
                           lambda v: {**_times(), "remarks": v}, "remarks", 2000,
                           lambda: WorkOrder.objects.get(pk=in_service().pk).remarks),
        "resident name": ("front_desk", lambda: "/api/v1/residents/", lambda v: {**base_resident, "name": v},
                          "name", 100, lambda: latest("dispatch.Resident").name),
        "resident address": ("front_desk", lambda: "/api/v1/residents/",
                             lambda v: {**base_resident, "name": "Test Resident Four", "address": v}, "address", 255,
                             lambda: latest("dispatch.Resident").address),
        "resident access_notes": ("front_desk", lambda: "/api/v1/residents/",
                                  lambda v: {**base_resident, "name": "Test Resident Four", "access_notes": v},
                                  "access_notes", 2000, lambda: latest("dispatch.Resident").access_notes),
        "resident health_notes": ("front_desk", lambda: "/api/v1/residents/",
                                  lambda v: {**base_resident, "name": "Test Resident Four", "health_notes": v},
                                  "health_notes", 2000, lambda: latest("dispatch.Resident").health_notes),
        "resident phone label": ("front_desk", lambda: "/api/v1/residents/",
                                 lambda v: {**base_resident, "name": "Test Resident Four",
                                            "phones": [{"number": "13600136000", "label": v}]},
                                 "phones", 40, lambda: latest("dispatch.ResidentPhone").label),
        "emergency contact name": ("front_desk", lambda: "/api/v1/residents/",
                                   lambda v: {**base_resident, "name": "Test Resident Four", "emergency_contacts": [
                                       {"name": v, "relation": "son", "phone": "13900139111"}]},
                                   "emergency_contacts", 100, lambda: latest("dispatch.EmergencyContact").name),
        "intake referred_to": ("front_desk", lambda: "/api/v1/intakes/",
                               lambda v: {**intake, "referred_to": v},
                               "referred_to", 255, lambda: latest("dispatch.IntakeRecord").referred_to),
        "intake notes": ("front_desk", lambda: "/api/v1/intakes/",
                         lambda v: {**intake, "referred_to": "Other centre", "notes": v}, "notes", 2000,
                         lambda: latest("dispatch.IntakeRecord").notes),
        "follow-up comments": ("front_desk", lambda: "/api/v1/followups/",
                               lambda v: {"order": returned().pk, "result": "reached", "quality": 5,
                                          "satisfied": True, "comments": v}, "comments", 4000,
                               lambda: latest("followup.FollowUpCall").comments),
        "follow-up needs_more_what": ("front_desk", lambda: "/api/v1/followups/",
                                      lambda v: {"order": returned().pk, "result": "reached", "quality": 5,
                                                 "satisfied": True, "needs_more": True, "needs_more_what": v},
                                      "needs_more_what", 2000, lambda: latest("followup.FollowUpCall").needs_more_what),
        "escalation note": ("dispatch_lead", lambda: f"/api/v1/escalations/{complaint().pk}/note/",
                            lambda v: {"note": v}, "note", 4000, lambda: latest("followup.EscalationAction").note),
        "escalation outcome": ("dispatch_lead", lambda: f"/api/v1/escalations/{complaint().pk}/resolve/",
                               lambda v: {"outcome": v}, "outcome", 4000,
                               lambda: apps.get_model("followup.Escalation").objects.get(pk=complaint().pk).outcome),
        "visit findings": ("dispatch_lead", lambda: f"/api/v1/visits/{visit().pk}/record/",
                           lambda v: {"findings": v}, "findings", 4000,
                           lambda: apps.get_model("followup.PeriodicVisit").objects.get(pk=visit().pk).findings),
        "visit cancel reason": ("dispatch_lead", lambda: f"/api/v1/visits/{visit().pk}/cancel/",
                                lambda v: {"reason": v}, "reason", 255,
                                # The reason is kept in the visit's findings.
                                lambda: apps.get_model("followup.PeriodicVisit").objects.get(pk=visit().pk).findings),
    }


ENDPOINTS = [
    "order notes", "order card_override_reason", "cancel reason", "reject reason", "redispatch reason",
    "assign note", "return materials", "return remarks", "resident name", "resident address",
    "resident access_notes", "resident health_notes", "resident phone label", "emergency contact name",
    "intake referred_to", "intake notes", "follow-up comments", "follow-up needs_more_what", "escalation note",
    "escalation outcome", "visit findings", "visit cancel reason",
]


def _answers(data, value: str) -> bool:
    """`value` is one of the strings anywhere in the JSON answer."""
    if isinstance(data, dict):
        return any(_answers(v, value) for v in data.values())
    if isinstance(data, list):
        return any(_answers(v, value) for v in data)
    return data == value


def _names(answer: dict, field: str) -> bool:
    """The answer has a message for `field`, or for a part of it ("phones.0.label")."""
    return any(name == field or name.startswith(field + ".") for name in answer.get("fields", {}))


def _post(api, role, path, body):
    return api(role).post(path, body, format="json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_very_long_string_is_refused_with_a_field_message_or_stored_whole(name, endpoints, api):
    role, path, body, field, limit, stored = endpoints[name]
    path, value = path(), "长" * LONG
    payload = body(value)  # builds the objects it needs first
    before = _snapshot()
    response = _post(api, role, path, payload)
    if limit is None:
        assert response.status_code in (200, 201), response.content[:300]
        assert stored() == value
    else:
        assert response.status_code == 400, response.content[:300]
        answer = response.json()
        assert answer["code"] == "invalid" and _names(answer, field), answer
        assert _snapshot() == before, "a refused request wrote something"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_nul_character_is_a_clean_400_naming_the_field(name, endpoints, api):
    role, path, body, field, _limit, _stored = endpoints[name]
    path, payload = path(), body("Test\x00value")
    before = _snapshot()
    response = _post(api, role, path, payload)
    assert response.status_code == 400, response.content[:300]
    assert _names(response.json(), field)
    assert _snapshot() == before


UNICODE = [
    "\u202eTest Resident Reversed\u202c",  # right-to-left override
    "\u200fسلام Test\u200e",  # right-to-left and left-to-right marks, Arabic
    "王秀英 👵🏽 ｆｕｌｌ ﬁ é\u0301",  # CJK, emoji with skin tone, full width, ligature, combining accent
    "Tab\there\nnew line\r\nand \x07 bell \x1b[31m escape \x7f del",  # control characters other than NUL
    # Inside the text: leading and trailing whitespace is trimmed, as for any value.
    "line\u2028separator\u2029paragraph\ufeffbom",
]


@pytest.mark.parametrize("name", ["order notes", "resident access_notes", "intake notes",
                                  "follow-up comments", "escalation note", "cancel reason"])
def test_unicode_and_control_characters_are_stored_and_answered_as_given(name, endpoints, api):
    _each_stored_and_answered_as_given(endpoints[name], api, UNICODE)


@pytest.mark.parametrize("name", ["resident name", "resident address", "emergency contact name"])
def test_names_take_any_script_but_no_control_character(name, endpoints, api):
    # A name or an address is printed, read aloud and searched for (core.text).
    any_script = [value for value in UNICODE if not has_control_characters(value)]
    assert any_script
    _each_stored_and_answered_as_given(endpoints[name], api, any_script)
    role, path, body, field, _limit, _stored = endpoints[name]
    for value in UNICODE:
        if has_control_characters(value):
            before = _snapshot()
            response = _post(api, role, path(), body(value))
            assert response.status_code == 400 and _names(response.json(), field), (value, response.content[:300])
            assert _snapshot() == before


def _each_stored_and_answered_as_given(endpoint, api, values) -> None:
    role, path, body, field, limit, stored = endpoint
    path, _ = path(), body("")  # the objects, made once
    for value in values:
        value = value[:limit] if limit else value
        # Each value meets the same objects: a savepoint undone after it.
        with transaction.atomic():
            response = _post(api, role, path, body(value))
            assert response.status_code in (200, 201), (value, response.content[:300])
            assert stored() == value
            # The desk writes health notes but does not read them back.
            assert field == "health_notes" or _answers(response.json(), value), "not answered as given"
            transaction.set_rollback(True)


HOSTILE = [
    "Robert'); DROP TABLE workorders_workorder;--",
    "' OR '1'='1' --",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>bold</b> & <i>unclosed",
    "{{ 7*7 }} {% csrf_token %} %(name)s %s",
]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_sql_and_html_are_stored_and_answered_literally(name, endpoints, api):
    _each_stored_and_answered_as_given(endpoints[name], api, HOSTILE)
    WorkOrder.objects.count()  # the table is still there


# --- Screens and paper ------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def hostile_order(users, people, catalog):
    """An assigned order whose resident and notes carry markup."""
    from dispatch.services import resident_create
    from workorders import services

    resident = resident_create(
        actor=users["front_desk"], name=f"Test Resident {SCRIPT}", address='1 "Quote" Road <b>&amp;</b>',
        area=catalog["area"], phones=[{"number": "135 0013 5000"}], card_number="CARD-X",
        card_valid_until=timezone.localdate() + datetime.timedelta(days=30), access_notes=SCRIPT,
    )
    order = services.order_create(
        actor=users["front_desk"], resident=resident, service=catalog["clean"], channel="phone", urgency="normal",
        notes=f"Ring twice {SCRIPT} <b>not bold</b> & <i>",
    )
    return services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)


def test_the_admin_shows_markup_escaped(hostile_order, client, users):
    users["supervisor"].is_staff = users["supervisor"].is_superuser = True
    users["supervisor"].save()
    client.force_login(users["supervisor"])
    for url in (f"/admin/workorders/workorder/{hostile_order.pk}/change/",
                f"/admin/dispatch/resident/{hostile_order.resident_id}/change/", "/admin/workorders/workorder/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;" in html or url.endswith("workorder/"), url


def test_the_intake_screen_shows_markup_escaped(hostile_order, client, users):
    client.force_login(users["front_desk"])
    page = client.get("/intake/lookup/", {"phone": "135 0013 5000"})
    assert page.status_code == 200
    html = page.content.decode()
    assert SCRIPT not in html
    assert "Test Resident &lt;script&gt;" in html


def test_the_board_snapshot_answers_markup_as_plain_json_strings(hostile_order, api):
    # The board page draws these with textContent (checked in the browser tests).
    snapshot = api("dispatcher").get("/api/v1/board/")
    assert snapshot.status_code == 200
    assert snapshot["Content-Type"].startswith("application/json")
    card = next(o for o in snapshot.json()["orders"] if o["id"] == hostile_order.pk)
    assert card["resident"] == f"Test Resident {SCRIPT}"


def test_the_printed_order_shows_markup_as_plain_text(hostile_order, api):
    from tests.printing.pdf import page_texts, squeezed

    response = api("front_desk").post(f"/api/v1/orders/{hostile_order.pk}/print/", {"language": "en"}, format="json")
    assert response.status_code == 200, response.content[:300]
    text = squeezed("".join(page_texts(response.content)))
    # The name's cell may shorten it ("…"); the address and notes are whole.
    assert squeezed('1 "Quote" Road <b>&amp;</b>') in text, text
    assert squeezed(f"Ring twice {SCRIPT} <b>not bold</b> & <i>") in text, text
    assert squeezed(SCRIPT) in text  # the access notes


def test_an_order_with_very_long_notes_prints(users, people, catalog, api):
    from workorders import services

    order = services.order_create(
        actor=users["front_desk"], resident=people["with_card"], service=catalog["clean"], channel="phone",
        urgency="normal", notes="长" * LONG,
    )
    services.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)
    response = api("front_desk").post(f"/api/v1/orders/{order.pk}/print/", {"language": "en"}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
