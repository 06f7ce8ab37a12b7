"""The screens' scenario: the shared users, catalog and people of
tests/conftest.py, browsers logged in per role, and a couple on one phone."""

import pytest
from django.test import Client

from dispatch.services import resident_create


@pytest.fixture
def client_as(users):
    """client_as(role) -> a Django test client logged in with that role (None: anonymous)."""

    def make(role: str | None, *, enforce_csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf)
        if role is not None:
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def desk(client_as) -> Client:
    return client_as("front_desk")


@pytest.fixture
def couple(users, catalog) -> list:
    """Two residents who answer the same landline."""
    return [
        resident_create(
            actor=users["front_desk"], name=name, address="8 Shared Court", area=catalog["area"],
            phones=[{"number": "010 6521 9999"}], card_number=card,
        )
        for name, card in [("Test Resident Husband", "CARD-H"), ("Test Resident Wife", "CARD-W")]
    ]
