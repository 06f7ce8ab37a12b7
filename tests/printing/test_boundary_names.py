"""A resident's whole name is on every paper the worker or the caller holds:
the order's two copies (alone or in a worker's batch), the daily list and
the follow-up sheet break a long name into lines, between its words or after
a hyphen, and never cut it ("Anna-Karin…" left the worker at the door
without a surname). Read back with pypdf, in Chinese, Swedish and English."""

import datetime
import re

import pytest
from django.utils import timezone

from dispatch.services import resident_create
from tests.printing.pdf import page_texts, squeezed
from workorders import services as orders

LONG_NAME = "Anna-Karin Margareta Johansson-Lindqvist"
LONG_CHINESE_NAME = "爱新觉罗·玄烨之女欧阳秀英"
LANGUAGES = ["zh-hans", "sv", "en"]


def _as_read(text: str) -> str:
    """The page's text with its line breaks read as a person reads them: a
    line that ends in a hyphen goes on, any other break is a space."""
    return re.sub(r"\s+", " ", re.sub(r"-\s*\n\s*", "-", text))


def _whole_name_on(page: str, name: str) -> bool:
    if re.search(r"[\u2e80-\u9fff]", name):
        return squeezed(name) in squeezed(page)  # Chinese has no spaces to keep
    return name in _as_read(page)


@pytest.fixture
def long_named(users, catalog):
    return {
        name: resident_create(
            actor=users["front_desk"], name=name, address="Storgatan 12, 3 tr", area=catalog["area"],
            phones=[{"number": number}], card_number=f"CARD-{number[-4:]}",
            card_valid_until=timezone.localdate() + datetime.timedelta(days=60),
        )
        for name, number in ((LONG_NAME, "138 0013 8101"), (LONG_CHINESE_NAME, "138 0013 8102"))
    }


@pytest.fixture
def order_for(users, catalog, people, long_named):
    """order_for(name, **fields) -> an order of that resident assigned to the cleaner."""

    def make(name: str, **fields):
        order = orders.order_create(actor=users["front_desk"], resident=long_named[name], service=catalog["clean"],
                                    channel="phone", **fields)
        return orders.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people["cleaner"].pk)

    return make


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [LONG_NAME, LONG_CHINESE_NAME])
def test_both_copies_carry_the_whole_name(order_for, print_order, language, name):
    response = print_order(order_for(name), language=language)
    assert response.status_code == 200
    pages = page_texts(response.content)
    assert len(pages) == 2
    for page in pages:
        assert _whole_name_on(page, name), page[:400]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_workers_batch_carries_every_whole_name(order_for, api, people, language):
    soon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10, 0))
    )
    order_for(LONG_NAME, requested_for=soon)
    order_for(LONG_CHINESE_NAME, requested_for=soon + datetime.timedelta(minutes=30))
    response = api("front_desk").post("/api/v1/print/batch/", {
        "worker": people["cleaner"].pk, "date": timezone.localdate(soon).isoformat(), "language": language,
    }, format="json")
    assert response.status_code == 200, response.content
    pages = page_texts(response.content)
    assert len(pages) == 4
    for page in pages[:2]:
        assert _whole_name_on(page, LONG_NAME)
    for page in pages[2:]:
        assert _whole_name_on(page, LONG_CHINESE_NAME)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_daily_list_carries_the_whole_name_in_words(order_for, api, people, language):
    order = order_for(LONG_NAME)
    day = timezone.localdate(order.assigned_at)
    response = api("dispatcher").get("/api/v1/print/daily-list/", {
        "worker": people["cleaner"].pk, "date": day.isoformat(), "language": language,
    })
    assert response.status_code == 200
    assert _whole_name_on("\n".join(page_texts(response.content)), LONG_NAME)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_followup_sheet_carries_the_whole_name_in_words(order_for, api, users, language):
    order = order_for(LONG_NAME)
    desk = users["front_desk"]
    orders.order_print(actor=desk, order_id=order.pk)
    order = orders.order_collect(actor=desk, order_id=order.pk)
    orders.order_return(actor=desk, order_id=order.pk, actual_start=order.collected_at,
                        actual_end=timezone.now() + datetime.timedelta(minutes=1))
    response = api("front_desk").get("/api/v1/print/followup-sheet/", {"language": language})
    assert response.status_code == 200
    assert _whole_name_on("\n".join(page_texts(response.content)), LONG_NAME)
