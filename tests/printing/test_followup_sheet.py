"""The follow-up call sheet (DESIGN.md section 5): the returned orders waiting
for their call, on paper, with cells to tick and fill."""

import pytest

from tests.printing.pdf import page_texts, squeezed


@pytest.fixture
def returned(order_in):
    first = order_in("returned")
    second = order_in("returned", urgency="normal")
    closed = order_in("closed")
    return {"first": first, "second": second, "closed": closed}


def _sheet(api, role="front_desk", **query):
    return api(role).get("/api/v1/print/followup-sheet/", {"language": "en", **query})


@pytest.mark.django_db
def test_the_sheet_lists_the_returned_orders_oldest_first_with_cells_to_fill(api, returned):
    response = _sheet(api)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="followup-sheet-')
    text = squeezed("".join(page_texts(response.content)))
    first, second = returned["first"].number, returned["second"].number
    assert first in text and second in text
    assert text.index(first) < text.index(second)
    assert returned["closed"].number not in text
    for heading in ("Follow-upcallsheet", "Reached", "Noanswer", "Wrongnumber", "Refused", "Quality(1-5)"):
        assert heading in text
    assert returned["first"].resident.name.replace(" ", "") in text


@pytest.mark.django_db
def test_the_sheet_prints_in_chinese(api, returned):
    text = squeezed("".join(page_texts(_sheet(api, language="zh-hans").content)))
    assert "回访" in text and returned["first"].number in text


@pytest.mark.django_db
def test_an_empty_queue_prints_a_sheet_that_says_so(api):
    text = squeezed("".join(page_texts(_sheet(api).content)))
    assert "Nofollow-upcallsarewaiting." in text


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [
    ("front_desk", 200), ("dispatch_lead", 200), ("supervisor", 200),
    ("dispatcher", 403), ("field_worker", 403), ("finance", 403), ("coordinator", 403),
])
def test_the_sheet_is_for_the_callers_and_those_who_oversee_them(api, role, status):
    assert _sheet(api, role).status_code == status


@pytest.mark.django_db
def test_anonymous_and_bad_language_are_refused(client, api):
    assert client.get("/api/v1/print/followup-sheet/").status_code in (401, 403)
    response = _sheet(api, language="xx")
    assert response.status_code == 400 and "language" in response.json()["fields"]
