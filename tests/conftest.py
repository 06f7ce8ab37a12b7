"""Shared scenario: one login per role, a small catalog, residents with and
without a card, workers with and without the needed skill, a partner unit.
Every person is invented."""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.roles import Role, sync_role_groups
from dispatch.models import PartnerUnit, ServiceArea, ServiceItem, Skill, Worker
from dispatch.services import resident_create

ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher costs a quarter second per login made.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked(settings):
    # Assertions read English messages; tests of the other languages ask for
    # theirs explicitly (Accept-Language, translation.override).
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def users(db) -> dict[str, User]:
    # A transactional test flushes the groups the migration made; make them again.
    sync_role_groups(Group, Permission)
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


def _return_times() -> dict:
    # The service lies between the order's collection (a moment ago) and now.
    now = timezone.now()
    return {"actual_start": now - datetime.timedelta(minutes=1), "actual_end": now}


# How to bring a new order into each state, with the service that path needs.
PATHS: dict[str, tuple[str, list[str]]] = {
    "received": ("clean", []),
    "awaiting_approval": ("wound", ["request_approval"]),
    "approved": ("wound", ["request_approval", "approve"]),
    "rejected": ("wound", ["request_approval", "reject"]),
    "assigned": ("clean", ["assign"]),
    "printed": ("clean", ["assign", "print"]),
    "in_service": ("clean", ["assign", "print", "collect"]),
    "returned": ("clean", ["assign", "print", "collect", "return_order"]),
    "cancelled": ("clean", ["cancel"]),
    "closed": ("clean", ["assign", "print", "collect", "return_order", "log_followup"]),
    "escalated": ("clean", ["assign", "print", "collect", "return_order", "log_followup_unsatisfied"]),
}


@pytest.fixture
def run_transition(users, people):
    """run_transition(order, name) runs one transition through its service as a
    role allowed to, with valid arguments."""
    from workorders import services

    def run(order, name: str):
        worker = people["cleaner"] if order.service.code == "clean" else people["nurse"]
        desk, dispatcher, lead = users["front_desk"], users["dispatcher"], users["dispatch_lead"]
        calls = {
            "request_approval": lambda: services.order_request_approval(actor=dispatcher, order_id=order.pk),
            "approve": lambda: services.order_approve(actor=lead, order_id=order.pk),
            "reject": lambda: services.order_reject(actor=lead, order_id=order.pk, reason="Not this month"),
            "assign": lambda: services.order_assign(actor=dispatcher, order_id=order.pk, worker_id=worker.pk),
            "reassign": lambda: services.order_reassign(
                actor=dispatcher, order_id=order.pk, partner_id=people["partner"].pk, note="Worker ill"
            ),
            "print": lambda: services.order_print(actor=desk, order_id=order.pk)[0],
            "collect": lambda: services.order_collect(actor=desk, order_id=order.pk),
            "redispatch": lambda: services.order_redispatch(actor=dispatcher, order_id=order.pk, reason="Ill"),
            "emergency_start": lambda: services.order_emergency_start(
                actor=dispatcher, order_id=order.pk, worker_id=worker.pk
            ),
            "return_order": lambda: services.order_return(actor=desk, order_id=order.pk, **_return_times()),
            "cancel": lambda: services.order_cancel(actor=desk, order_id=order.pk, reason="No longer needed"),
            # The order's side of a follow-up call; followup.services records the call.
            "log_followup": lambda: services.order_log_followup(actor=desk, order_id=order.pk, satisfied=True),
            "log_followup_unsatisfied": lambda: services.order_log_followup(
                actor=desk, order_id=order.pk, satisfied=False
            ),
            "resolve": lambda: services.order_resolve(actor=lead, order_id=order.pk, note="Apologised"),
            "close_unreachable": lambda: services.order_close_unreachable(
                actor=desk, order_id=order.pk, reason="Not reached"
            ),
        }
        return calls[name]()

    return run


@pytest.fixture
def order_in(users, people, catalog, run_transition):
    """order_in(state, urgency="urgent") -> a fresh order brought to `state`
    through the services, as the desk would."""
    from workorders import services

    def make(state: str, urgency: str = "urgent"):
        code, steps = PATHS[state]
        order = services.order_create(
            actor=users["front_desk"], resident=people["with_card"], service=catalog[code],
            channel="phone", urgency=urgency,
        )
        for step in steps:
            order = run_transition(order, step)
        order.refresh_from_db()
        assert order.state == state
        return order

    return make


# --- Personal data never reaches a log -----------------------------------------------
# Every log record of the run is written to test-output/logs/; at the end the
# files (and those of the servers the end-to-end tests start, which write
# there too) are scanned for residents' names and phone numbers. A hit fails
# the run, naming the file and line.
LOG_DIR = Path(__file__).resolve().parents[1] / "test-output" / "logs"
PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)|(?<!\d)\+?46\d{8,10}(?!\d)|(?<!\d)\+86\d{9,11}(?!\d)")
# Random hexadecimal ids (request ids, uuid4 hex) hold digit runs that may
# look like a phone ("...c461760889437a..." reads as +46 and ten digits):
# removed from a line before it is scanned.
RANDOM_HEX_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def personal_data_in(line: str, names: list[str]) -> bool:
    """Whether a log line holds a phone number or a resident's name."""
    line = RANDOM_HEX_ID.sub("", line)
    return bool(PHONE_LIKE.search(line)) or any(name in line for name in names)


def _personal_names() -> list[str]:
    from front import demo

    names = [s + g for s in demo.SURNAMES for g in demo.GIVEN]
    # The invented people of this suite's own fixtures.
    return names + ["Test Resident", "Test Son"]


@pytest.fixture(scope="session", autouse=True)
def _log_everything_to_a_file(django_db_blocker):
    # Part of the LOGGING setting, not only a handler on the root logger:
    # importing the ASGI application (config.asgi) runs django.setup(), whose
    # dictConfig replaces every handler with those the setting names.
    import copy
    import logging.config

    from django.conf import settings

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    original = settings.LOGGING
    config = copy.deepcopy(original)
    config["handlers"]["scanned_file"] = {
        "class": "logging.FileHandler", "filename": str(LOG_DIR / f"pytest-{os.getpid()}.log"),
        "encoding": "utf-8", "formatter": "json", "filters": ["request_id"], "level": "DEBUG",
    }
    config["root"]["handlers"] = [*config["root"]["handlers"], "scanned_file"]
    settings.LOGGING = config
    logging.config.dictConfig(config)
    yield
    settings.LOGGING = original
    logging.config.dictConfig(original)


def pytest_sessionstart(session):
    if LOG_DIR.exists():
        for old in LOG_DIR.glob("*.log"):
            old.unlink()


def pytest_sessionfinish(session, exitstatus):
    if not LOG_DIR.exists() or getattr(session.config, "workerinput", None) is not None:
        return
    names = _personal_names()
    hits = []
    for path in sorted(LOG_DIR.glob("*.log")):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if personal_data_in(line, names):
                hits.append(f"{path.name}:{number}: {line[:200]}")
    if hits:
        session.config.pluginmanager.get_plugin("terminalreporter").write_line(
            "PERSONAL DATA IN LOGS:\n" + "\n".join(hits[:20]), red=True
        )
        session.exitstatus = 1


# --- Races ----------------------------------------------------------------------------
@pytest.fixture
def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row-lock races are checked on PostgreSQL (DATABASE_URL)")


def race(calls) -> list:
    """Run the callables in threads released at the same moment; their results, sorted."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list = []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(results)


@pytest.fixture
def client_as(users):
    """client_as(role) -> a Django test client logged in with that role (None: anonymous)."""
    from django.test import Client

    def make(role: str | None, *, enforce_csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf)
        if role is not None:
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def desk(client_as):
    """A client logged in as the front desk."""
    return client_as("front_desk")


@pytest.fixture
def coordinator(client, users):
    """The catalog coordinator, staff, logged in on `client` (the admin is their screen)."""
    user = users["coordinator"]
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user
