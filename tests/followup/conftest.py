"""The follow-up scenario: returned orders waiting for their call, a second
lead and supervisor to share escalations, and helpers to log calls as the
front desk does."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from followup import services


@pytest.fixture(autouse=True)
def _followup_settings(settings):
    # The defaults, pinned: the tests count attempts and hours.
    settings.FOLLOWUP_DUE_WORKING_DAYS = 1
    settings.FOLLOWUP_RETRY_MINUTES = 120
    settings.FOLLOWUP_MAX_ATTEMPTS = 3
    settings.ESCALATION_DUE_HOURS = 24


@pytest.fixture
def returned(order_in):
    """returned() -> a fresh order in `returned`, served by the cleaner (the
    field worker's login)."""
    return lambda: order_in("returned", urgency="normal")


@pytest.fixture
def log_call(users):
    """log_call(order, result="reached", **answers) -> the FollowUpCall, logged by the front desk."""

    def log(order, result: str = "reached", **answers):
        if result == "reached":
            answers.setdefault("quality", 5)
            answers.setdefault("satisfied", True)
        return services.followup_log_call(actor=users["front_desk"], order_id=order.pk, result=result, **answers)

    return log


@pytest.fixture
def complaint(returned, log_call):
    """complaint() -> the escalation opened by an unsatisfied call."""

    def make(**answers):
        answers = {"quality": 2, "satisfied": False, "comments": "The floor was left wet", **answers}
        return log_call(returned(), **answers).escalation

    return make


@pytest.fixture
def second_lead(users) -> User:
    user = User.objects.create_user(username="lead_two", password="pw-lead-two")
    user.groups.add(Group.objects.get(name="dispatch_lead"))
    return user


def local(*args) -> datetime.datetime:
    """An aware datetime in the project's time zone."""
    return timezone.make_aware(datetime.datetime(*args), timezone.get_current_timezone())
