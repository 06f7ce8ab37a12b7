"""Printing scenario: residents with Chinese names (the embedded font must draw
them), orders in the states printing cares about, and helpers to print through
the API. Every person is invented."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from dispatch.services import resident_create
from workorders import services as orders


@pytest.fixture(scope="session", autouse=True)
def printing_messages():
    """Printing's catalogs compiled (`make migrate` does it too) and any catalog
    loaded before they existed dropped, so pages come out in zh-hans and sv."""
    for po in Path(settings.BASE_DIR, "printing", "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
    # Changing LOCALE_PATHS resets Django's translation caches (setting_changed).
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        pass


@pytest.fixture
def residents(users, catalog) -> dict:
    desk = users["front_desk"]
    valid = timezone.localdate() + datetime.timedelta(days=60)
    wang = resident_create(
        actor=desk, name="王秀英", address="幸福路12号3单元1203室", area=catalog["area"],
        phones=[{"number": "138 0013 8001"}], card_number="CARD-ZH-1", card_valid_until=valid,
        emergency_contacts=[{"name": "李建国", "relation": "儿子", "phone": "139 0013 9001"}],
        access_notes="门禁密码请致电确认",
    )
    li = resident_create(
        actor=desk, name="李建国", address="和平街8号2单元502室", area=catalog["area"],
        phones=[{"number": "138 0013 8002"}], card_number="CARD-ZH-2", card_valid_until=valid,
    )
    return {"wang": wang, "li": li}


@pytest.fixture
def new_order(users, catalog, residents):
    """new_order(resident="wang", service="clean", **fields) -> an order in `received`."""

    def make(resident: str = "wang", service: str = "clean", **fields):
        return orders.order_create(
            actor=users["front_desk"], resident=residents[resident], service=catalog[service], channel="phone",
            **fields,
        )

    return make


@pytest.fixture
def assigned_order(new_order, users, people):
    """assigned_order(worker="cleaner", **fields) -> an order assigned to that worker."""

    def make(worker: str = "cleaner", **fields):
        order = new_order(**fields)
        return orders.order_assign(actor=users["dispatcher"], order_id=order.pk, worker_id=people[worker].pk)

    return make


@pytest.fixture
def print_order(api):
    """print_order(order, language="en", role="front_desk") -> the API's response."""

    def post(order, language: str | None = "en", role: str = "front_desk", **extra):
        body = {"language": language} if language else {}
        return api(role).post(f"/api/v1/orders/{order.pk}/print/", body, format="json", **extra)

    return post
