"""The print endpoint's contract (DESIGN.md section 7): a PDF inline, roles,
visibility, states, language."""

from printing.models import PrintJob
from tests.printing.pdf import page_texts, squeezed
from workorders.models import State


def test_it_answers_the_pdf_inline_named_after_the_order(assigned_order, print_order):
    order = assigned_order()
    response = print_order(order)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{order.number}.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_a_role_without_the_print_permission_gets_403_and_nothing_changes(assigned_order, print_order):
    order = assigned_order()
    response = print_order(order, role="dispatcher")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    order.refresh_from_db()
    assert order.state == State.ASSIGNED
    assert not PrintJob.objects.exists()


def test_an_order_not_yet_assigned_gets_409_in_json(new_order, print_order):
    order = new_order()
    response = print_order(order)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["state"] == "received"


def test_errors_stay_json_when_the_client_accepts_only_pdf(new_order, print_order):
    response = print_order(new_order(), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "conflict"


def test_unknown_and_invisible_orders_get_404(assigned_order, print_order, api):
    nurses = assigned_order(worker="nurse", service="visit")
    # A field worker sees only their own orders (and may not print anyway).
    assert print_order(nurses, role="field_worker").status_code == 404
    assert api("field_worker").get(f"/api/v1/orders/{nurses.pk}/prints/").status_code == 404
    assert api("front_desk").post("/api/v1/orders/999999/print/", {}, format="json").status_code == 404
    assert api("front_desk").get("/api/v1/orders/999999/prints/").status_code == 404


def test_a_role_that_reads_no_orders_gets_403(assigned_order, print_order, api):
    order = assigned_order()
    for role in ("nobody", "coordinator"):
        assert print_order(order, role=role).status_code == 403
        assert api(role).get(f"/api/v1/orders/{order.pk}/prints/").status_code == 403
    assert not PrintJob.objects.exists()


def test_anonymous_callers_are_refused(assigned_order, api):
    response = api(None).post(f"/api/v1/orders/{assigned_order().pk}/print/", {}, format="json")
    assert response.status_code in (401, 403)
    assert not PrintJob.objects.exists()


def test_the_default_language_is_the_requests_and_the_body_overrides_it(assigned_order, print_order):
    order = assigned_order()
    swedish = print_order(order, language=None, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Exemplar1:utsändningsgruppen" in squeezed(page_texts(swedish.content)[0])
    english = print_order(order, language="en", HTTP_ACCEPT_LANGUAGE="sv")
    assert "Copy1:dispatchgroup" in squeezed(page_texts(english.content)[0])
    assert list(PrintJob.objects.values_list("language", flat=True)) == ["sv", "en"]


def test_an_unknown_language_is_400_with_the_field(assigned_order, print_order):
    order = assigned_order()
    response = print_order(order, language="fr")
    assert response.status_code == 400
    assert "language" in response.json()["fields"]
    order.refresh_from_db()
    assert order.state == State.ASSIGNED


def test_the_schema_documents_the_pdf_endpoints(api):
    response = api("front_desk").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    post = paths["/api/v1/orders/{id}/print/"]["post"]
    assert "application/pdf" in post["responses"]["200"]["content"]
    assert {"403", "404", "409"} <= set(post["responses"])
    assert "get" in paths["/api/v1/orders/{id}/prints/"]
    assert "post" in paths["/api/v1/print/batch/"]
    assert "get" in paths["/api/v1/print/daily-list/"]
