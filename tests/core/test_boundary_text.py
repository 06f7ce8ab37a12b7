"""Text people type has a bound everywhere and carries no unpaired
bidirectional control; names and addresses carry no control character."""

import pytest
from django.apps import apps
from django.db import models

from core.errors import InvalidInput
from core.text import has_control_characters, without_unpaired_bidi
from dispatch.models import Resident
from dispatch.services import resident_create
from workorders import services

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def test_every_text_field_of_the_project_has_a_bound():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() if model._meta.app_label in {
            "core", "dispatch", "workorders", "sla", "subscriptions", "followup", "printing", "reports", "realtime"}
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert unbounded == []


@pytest.mark.django_db
def test_every_text_a_request_body_takes_has_a_bound(api):
    schema = api("supervisor").get("/api/schema/", {"format": "json"}).json()
    unbounded = []
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        for field, spec in component.get("properties", {}).items():
            if spec.get("type") == "string" and "format" not in spec and "enum" not in spec and "maxLength" not in spec:
                unbounded.append(f"{name}.{field}")
    assert unbounded == []


@pytest.mark.parametrize(("typed", "stored"), [
    (f"Anna {RLO}Berg", "Anna Berg"),                      # an override never closed
    (f"Anna {RLO}Berg{PDF} Lund", f"Anna {RLO}Berg{PDF} Lund"),  # closed: kept
    (f"{PDF}Anna", "Anna"),                                 # closes nothing
    (f"{RLI}x{PDI}{PDI}", f"{RLI}x{PDI}"),
    (f"a{RLO}\nb{PDF}", "a\nb"),                            # a line's controls close on that line
])
def test_unpaired_bidirectional_controls_are_dropped(typed, stored):
    assert without_unpaired_bidi(typed) == stored


@pytest.mark.django_db
def test_typed_text_is_stored_without_unpaired_controls_whatever_the_door(order_in, users):
    order = order_in("assigned")
    cancelled = services.order_cancel(actor=users["dispatcher"], order_id=order.pk, reason=f"Moved {RLO}away")
    assert cancelled.closing_reason == "Moved away"
    order.refresh_from_db()
    assert order.closing_reason == "Moved away"
    assert order.history.last().note == "Moved away"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [f"Anna {RLO}Berg{PDF}", "Anna\nBerg", "Anna\x07Berg", "Anna\u200dBerg"])
def test_names_and_addresses_refuse_control_characters(bad, users, catalog, api):
    assert has_control_characters(bad)
    for field in ("name", "address"):
        values = {"name": "Test Resident Four", "address": "4 Invented Road", field: bad}
        with pytest.raises(InvalidInput) as refused:
            resident_create(actor=users["front_desk"], area=catalog["area"], phones=[{"number": "13800000004"}],
                            **values)
        assert field in refused.value.fields
    response = api("front_desk").post("/api/v1/residents/", {
        "name": bad, "address": "4 Invented Road", "area": catalog["area"].pk,
        "phones": [{"number": "13800000004"}]}, format="json")
    assert response.status_code == 400 and "name" in response.json()["fields"]
    assert not Resident.objects.filter(address="4 Invented Road").exists()


@pytest.mark.django_db
def test_a_megabyte_of_notes_is_refused_at_every_door(api, people, catalog, client_as):
    notes = "x" * (1024 * 1024 - 200)
    response = api("front_desk").post("/api/v1/orders/", {
        "resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone", "notes": notes,
    }, format="json")
    assert response.status_code == 400 and "notes" in response.json()["fields"]
    response = api("front_desk").post("/api/v1/residents/", {
        "name": "Test Resident Five", "address": "5 Invented Road", "area": catalog["area"].pk,
        "phones": [{"number": "13800000005"}], "access_notes": "y" * 5000}, format="json")
    assert response.status_code == 400 and "access_notes" in response.json()["fields"]
