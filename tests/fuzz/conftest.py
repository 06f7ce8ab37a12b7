"""The fuzzing scenario: one API token per role, orders in every state, a
follow-up call with its escalation, a spot check and a visit, so generated
requests reach real objects and not only 404s. Every person is invented."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from followup import services as followup

# The board clients of the socket tests (real ASGI application, token auth,
# origin) and their fresh channel layer per test.
from tests.realtime.conftest import _fresh_channel_layer, board, token_for  # noqa: F401


@pytest.fixture
def tokens(users) -> dict[str, str]:
    """role -> that user's API token key (the "nobody" login included)."""
    return {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}


@pytest.fixture
def world(users, people, catalog, order_in) -> dict[str, list[int]]:
    """Objects in every state the API acts on; their ids by kind."""
    orders = {state: order_in(state, urgency="normal") for state in (
        "received", "awaiting_approval", "approved", "assigned", "printed", "in_service", "returned",
        "cancelled",
    )}
    returned = order_in("returned", urgency="normal")
    call = followup.followup_log_call(
        actor=users["front_desk"], order_id=returned.pk, result="reached", quality=1, satisfied=False,
        comments="Late",
    )
    return {
        "order": [o.pk for o in orders.values()] + [returned.pk],
        "resident": [people["with_card"].pk, people["no_card"].pk],
        "worker": [people["cleaner"].pk, people["nurse"].pk],
        "escalation": [call.escalation.pk],
        "call": [call.pk],
    }


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests through the real WSGI handler share the test's connection and
    transaction, as Django's test client does: the handler's end-of-request
    cleanup would otherwise close the connection inside the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
