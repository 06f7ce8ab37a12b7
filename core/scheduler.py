"""The scheduler's pass: the periodic work of the apps, one step after the
other (`manage.py run_scheduler`).

Each app registers its steps when it is ready (its AppConfig), with a number
that orders the pass: subscriptions create their orders first, so that the
same pass computes their deadlines, marks what is overdue and rolls the day
up. core knows the steps only by what they registered. Every step must be
safe to run in two scheduler processes at once.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., Any]
    order: int


_steps: dict[str, Step] = {}


def register(name: str, run: Callable[..., Any], *, order: int) -> None:
    """Add a step: `run(now=...)` is called once a pass and returns counts
    (what the pass reports by `name`: never personal data)."""
    _steps[name] = Step(name, run, order)


def steps() -> list[Step]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def scheduler_pass(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """One round of every registered step, in order, at the same moment.
    Raises what a step raises."""
    now = now or timezone.now()
    return {step.name: step.run(now=now) for step in steps()}
