"""The screens' scenario: the shared users, catalog and people of
tests/conftest.py (with its clients logged in per role), and a couple on one phone."""

import pytest

from dispatch.services import resident_create


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
