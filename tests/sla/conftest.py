"""The service-level scenario of tests/service_levels.py: the calendar pinned,
service levels on the shared catalog, the scheduler run at a given moment."""

from tests.service_levels import _service_level_settings, levels, new_order, scheduler  # noqa: F401
