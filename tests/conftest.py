"""Shared scenario: one login per role, a small catalog, residents with and
without a card, workers with and without the needed skill, a partner unit.
Every person is invented."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from rest_framework.test import APIClient

from dispatch.models import PartnerUnit, ServiceArea, ServiceItem, Skill, Worker
from dispatch.roles import Role
from dispatch.services import resident_create

ROLES = [r.value for r in Role]


@pytest.fixture
def users(db) -> dict[str, User]:
    made = {}
    for role in ROLES:
        user = User.objects.create_user(username=role, password="pw-" + role)
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    made["nobody"] = User.objects.create_user(username="nobody", password="pw-nobody")
    return made


@pytest.fixture
def api(users):
    """api(role) -> an APIClient logged in with that role."""

    def client(role: str | None) -> APIClient:
        c = APIClient()
        if role is not None:
            c.force_authenticate(users[role])
        return c

    return client


@pytest.fixture
def catalog(db) -> dict:
    nursing = Skill.objects.create(code="nursing", name="Nursing")
    cleaning = Skill.objects.create(code="cleaning", name="Cleaning")
    area = ServiceArea.objects.create(name="Sunny Lane", office_phone="+861065213301", served=True)
    other = ServiceArea.objects.create(name="North Hill", office_phone="+861065884401", served=False)
    clean = ServiceItem.objects.create(
        code="clean", name="Home cleaning", price=Decimal("30"), chargeable=True, required_skill=cleaning
    )
    wound = ServiceItem.objects.create(code="wound", name="Wound care", approval="special", required_skill=nursing)
    visit = ServiceItem.objects.create(code="visit", name="Companionship visit", needs_card=False)
    partner_service = ServiceItem.objects.create(code="assist", name="Home assistant", approval="external")
    return {
        "nursing": nursing, "cleaning": cleaning, "area": area, "other_area": other,
        "clean": clean, "wound": wound, "visit": visit, "assist": partner_service,
    }


@pytest.fixture
def people(users, catalog) -> dict:
    desk = users["front_desk"]
    today = timezone.localdate()
    with_card = resident_create(
        actor=desk, name="Test Resident One", address="1 Invented Road", area=catalog["area"],
        phones=[{"number": "138 0013 8000"}], card_number="CARD-1",
        card_valid_until=today + datetime.timedelta(days=30),
    )
    no_card = resident_create(
        actor=desk, name="Test Resident Two", address="2 Invented Road", area=catalog["area"],
        phones=[{"number": "139 0013 9000"}],
    )
    outside = resident_create(
        actor=desk, name="Test Resident Three", address="3 Far Road", area=catalog["other_area"],
        phones=[{"number": "137 0013 7000"}], card_number="CARD-3",
    )
    cleaner = Worker.objects.create(name="Cleaner Worker", phone="+8613500000001", user=users["field_worker"])
    cleaner.skills.add(catalog["cleaning"])
    nurse = Worker.objects.create(name="Nurse Worker", phone="+8613500000002")
    nurse.skills.add(catalog["nursing"])
    inactive = Worker.objects.create(name="Retired Worker", phone="+8613500000003", active=False)
    inactive.skills.add(catalog["cleaning"])
    partner = PartnerUnit.objects.create(name="Helping Hands", contact_person="Contact", phone="+861066001234")
    partner.services.add(catalog["assist"], catalog["clean"])
    return {
        "with_card": with_card, "no_card": no_card, "outside": outside,
        "cleaner": cleaner, "nurse": nurse, "inactive": inactive, "partner": partner,
    }
