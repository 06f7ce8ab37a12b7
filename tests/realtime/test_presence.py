"""Who is on the board: a socket's row goes when it closes, and so do the
rows a process that died left behind (they stop being refreshed)."""

import datetime

import pytest
from django.utils import timezone

from realtime import selectors, services
from realtime.models import BoardPresence

pytestmark = pytest.mark.django_db


def test_a_closed_socket_leaves_and_takes_the_stale_rows_of_dead_processes_with_it(users, settings):
    settings.BOARD_HEARTBEAT_SECONDS = 20
    services.presence_join(user=users["dispatcher"], channel_name="alive")
    services.presence_join(user=users["dispatch_lead"], channel_name="dead-process")
    services.presence_join(user=users["supervisor"], channel_name="closing")
    # The dead process stopped refreshing its sockets a few heartbeats ago.
    BoardPresence.objects.filter(channel_name="dead-process").update(
        seen_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    services.presence_leave(channel_name="closing")
    assert set(BoardPresence.objects.values_list("channel_name", flat=True)) == {"alive"}
    assert [p["username"] for p in selectors.board_presence()] == ["dispatcher"]


def test_a_socket_seen_within_three_heartbeats_stays(users, settings):
    settings.BOARD_HEARTBEAT_SECONDS = 20
    services.presence_join(user=users["dispatcher"], channel_name="slow")
    BoardPresence.objects.update(seen_at=timezone.now() - datetime.timedelta(seconds=50))
    services.presence_leave(channel_name="another")
    assert BoardPresence.objects.filter(channel_name="slow").exists()
