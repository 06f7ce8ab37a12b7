"""The catalog's price list (issue #16, the coordinator): a price change is
decided ahead from a day on, takes effect on its day, never rewrites an
order taken before it, and a price that has been in effect is history."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core import scheduler
from dispatch.models import ServiceItem, ServicePrice
from dispatch.services import prices_apply
from workorders import services as orders

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_a_new_service_starts_its_price_list_with_its_price(db):
    service = ServiceItem.objects.create(code="x", name="X", price=Decimal("12.50"), chargeable=True)
    assert list(service.prices.values_list("price", "effective_from")) == [(Decimal("12.50"), TODAY)]


def test_a_price_decided_ahead_reaches_orders_from_its_day_and_leaves_earlier_ones(users, people, catalog):
    clean = catalog["clean"]  # 30.00
    ServicePrice.objects.create(service=clean, price=Decimal("40.00"), effective_from=TOMORROW)

    def take():
        return orders.order_create(actor=users["front_desk"], resident=people["with_card"], service=clean, channel="phone")

    with freeze_time(_noon(TODAY)):
        before = take()
    with freeze_time(_noon(TOMORROW)):
        after = take()
        # The scheduler's pass makes the list's price today's for the screens.
        assert ServiceItem.objects.get(pk=clean.pk).price == Decimal("30.00")
        assert prices_apply(now=timezone.now()) == {"prices_changed": 1}
        assert ServiceItem.objects.get(pk=clean.pk).price == Decimal("40.00")
        assert prices_apply(now=timezone.now()) == {"prices_changed": 0}
    before.refresh_from_db()
    assert (before.expected_fee, after.expected_fee) == (Decimal("30.00"), Decimal("40.00"))


def test_the_price_step_runs_before_the_subscriptions_order(db):
    names = [step.name for step in scheduler.steps()]
    assert names.index("prices") < names.index("subscriptions")


@pytest.fixture
def coordinator_client(client, coordinator):
    return client


def _form(service: ServiceItem, rows: list[dict]) -> dict:
    """The service's admin form as posted, with its price-list rows."""
    data = {
        "code": service.code, "name": service.name, "name_en": service.name_en or "", "category": service.category,
        "unit": service.unit, "chargeable": "on" if service.chargeable else "", "needs_card": "on",
        "approval": service.approval, "expected_minutes": service.expected_minutes,
        "active": "on",
        "required_skill": service.required_skill_id or "",
        "prices-TOTAL_FORMS": len(rows), "prices-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "prices-MIN_NUM_FORMS": 0, "prices-MAX_NUM_FORMS": 1000,
    }
    # The service's one service level, as the page shows it (sla's inline).
    level = service.service_level
    data.update({
        "service_level-TOTAL_FORMS": 1, "service_level-INITIAL_FORMS": 1,
        "service_level-MIN_NUM_FORMS": 1, "service_level-MAX_NUM_FORMS": 1,
        "service_level-0-id": level.pk, "service_level-0-service": service.pk,
        "service_level-0-response_amount": level.response_amount, "service_level-0-response_unit": level.response_unit,
        "service_level-0-start_amount": level.start_amount or "", "service_level-0-start_unit": level.start_unit,
    })
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"prices-{i}-{key}"] = value
        data[f"prices-{i}-service"] = service.pk
    return data


def _change(client, service, rows):
    return client.post(reverse("admin:dispatch_serviceitem_change", args=[service.pk]), _form(service, rows))


def test_the_coordinator_decides_a_price_from_tomorrow(coordinator_client, catalog):
    clean = catalog["clean"]
    first = clean.prices.get()
    kept = {"id": first.pk, "price": "30.00", "effective_from": first.effective_from.isoformat()}
    response = _change(coordinator_client, clean, [kept, {"price": "40.00", "effective_from": TOMORROW.isoformat()}])
    assert response.status_code == 302, __import__("re").findall(r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), __import__("re").S)[:5]
    assert list(clean.prices.order_by("effective_from").values_list("price", flat=True)) == [Decimal("30.00"), Decimal("40.00")]


def test_a_price_from_today_or_before_is_refused(coordinator_client, catalog):
    clean = catalog["clean"]
    first = clean.prices.get()
    kept = {"id": first.pk, "price": "30.00", "effective_from": first.effective_from.isoformat()}
    response = _change(coordinator_client, clean, [kept, {"price": "10.00", "effective_from": TODAY.isoformat()}])
    assert response.status_code == 200
    assert "from tomorrow at the earliest" in response.content.decode()
    assert clean.prices.count() == 1


def test_a_price_in_effect_is_neither_changed_nor_deleted(coordinator_client, catalog):
    clean = catalog["clean"]
    first = clean.prices.get()
    changed = {"id": first.pk, "price": "99.00", "effective_from": first.effective_from.isoformat()}
    assert _change(coordinator_client, clean, [changed]).status_code == 302
    assert clean.prices.get().price == Decimal("30.00")  # the field is disabled: the post cannot change it
    deleted = {**changed, "price": "30.00", "DELETE": "on"}
    response = _change(coordinator_client, clean, [deleted])
    assert response.status_code == 200 and "never deleted" in response.content.decode()
    assert clean.prices.count() == 1


def test_the_services_price_is_read_only_once_it_exists(coordinator_client, catalog):
    page = coordinator_client.get(reverse("admin:dispatch_serviceitem_change", args=[catalog["clean"].pk]))
    assert b'name="price"' not in page.content
    assert b'name="prices-0-effective_from"' in page.content


def test_the_desk_says_the_price_of_the_day_before_the_schedulers_pass(users, people, catalog):
    from dispatch.services import service_price_text

    clean = catalog["clean"]
    ServicePrice.objects.create(service=clean, price=Decimal("40.00"), effective_from=TOMORROW)
    with freeze_time(_noon(TOMORROW)):
        # The scheduler has not run yet: `price` still says 30.00.
        assert ServiceItem.objects.get(pk=clean.pk).price == Decimal("30.00")
        assert service_price_text(ServiceItem.objects.get(pk=clean.pk)).startswith("40.00")


def test_an_appointment_is_charged_the_price_of_its_day(users, people, catalog):
    clean = catalog["clean"]
    in_a_week = TODAY + datetime.timedelta(days=7)
    ServicePrice.objects.create(service=clean, price=Decimal("40.00"), effective_from=in_a_week)
    with freeze_time(_noon(TODAY)):
        before = orders.order_create(actor=users["front_desk"], resident=people["with_card"], service=clean,
                                     channel="phone", requested_for=_noon(in_a_week - datetime.timedelta(days=1)))
        after = orders.order_create(actor=users["front_desk"], resident=people["with_card"], service=clean,
                                    channel="phone", requested_for=_noon(in_a_week))
    assert (before.expected_fee, after.expected_fee) == (Decimal("30.00"), Decimal("40.00"))
