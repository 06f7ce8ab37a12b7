"""The service-level scenario, for the tests of sla, subscriptions and reports
(their conftests import these fixtures): the department's calendar pinned
(China, default opening hours), service levels on the shared catalog, and
helpers to run the scheduler at a given moment."""

import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.scheduler import scheduler_pass
from sla.models import ServiceLevel, TargetUnit
from workorders import services as orders


@pytest.fixture(autouse=True)
def _service_level_settings(settings):
    # The defaults, pinned: the tests count days and hours on them.
    settings.HOLIDAY_COUNTRY = "CN"
    settings.SLA_DEFAULT_OPENING_HOURS = "08:30-17:30"
    settings.SLA_START_GRACE_MINUTES = 30
    settings.SLA_LEAD_LAG_MINUTES = 60
    settings.SLA_SUPERVISOR_LAG_MINUTES = 240
    settings.SUBSCRIPTION_LEAD_HOURS = 48
    settings.FOLLOWUP_DUE_WORKING_DAYS = 1


def local(*args) -> datetime.datetime:
    """An aware datetime in the project's time zone."""
    return timezone.make_aware(datetime.datetime(*args), timezone.get_current_timezone())


@pytest.fixture
def levels(catalog) -> dict:
    """Home cleaning is dispatched within 2 working hours and started within
    2 working days; the companionship visit within 30 minutes. (Every service
    has its level from its creation: these are edited, as the coordinator
    does on the service's page.)"""

    def edit(code: str, **targets) -> ServiceLevel:
        ServiceLevel.objects.filter(service=catalog[code]).update(**targets)
        return ServiceLevel.objects.get(service=catalog[code])

    return {
        "clean": edit("clean", response_amount=2, response_unit=TargetUnit.WORKING_HOURS,
                      start_amount=2, start_unit=TargetUnit.WORKING_DAYS),
        "visit": edit("visit", response_amount=30, response_unit=TargetUnit.MINUTES),
    }


@pytest.fixture
def new_order(users, people, catalog):
    """new_order(code="clean", at=None, **kw) -> an order taken by the desk, at `at` (frozen) if given."""
    def make(code: str = "clean", at: datetime.datetime | None = None, **kw):
        def create():
            return orders.order_create(
                actor=users["front_desk"], resident=people["with_card"], service=catalog[code], channel="phone", **kw
            )

        if at is None:
            return create()
        with freeze_time(at):
            return create()

    return make


@pytest.fixture
def scheduler():
    """scheduler(at) -> the result of one scheduler pass at that moment (time frozen)."""

    def run(at: datetime.datetime):
        with freeze_time(at):
            return scheduler_pass()

    return run
