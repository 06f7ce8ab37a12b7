"""bench/board_floor's settings with the product's connection policy (one
connection per request, see config/settings.py), so that the ceiling compares
like with like."""

from board_floor.settings import *  # noqa: F403

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
