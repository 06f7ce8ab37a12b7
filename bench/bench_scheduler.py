"""The scheduler's pass (`manage.py run_scheduler`, one pass) over 100,000
open orders (issue 7: under 10 s).

Generates, in a PostgreSQL database of its own (created and dropped here),
100,000 open orders with `bulk_create` (and their `create`/`assign` history),
taken over the last 30 days in every open state, on services promising
dispatch in wall-clock minutes, working hours and working days (some with a
start promise), 1,000 of them past their deadline, and 200 weekly
subscriptions. Then it times one pass at a time:

- the first pass (every order's deadlines computed, the overdue ones marked
  and alerted, the subscriptions' next orders made, the roll-up's first run);
- passes with nothing new;
- the pass after a calendar change (every open order's deadlines computed
  again), and the one after it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_scheduler.py
    ... --orders 20000        # a smaller run
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database; a new one is created).")
    import psycopg

    name = f"bench_scheduler_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        generate(args.orders)
        print(f"generated {args.orders} open orders in {time.monotonic() - started:.0f} s", flush=True)
        measure(args.orders)
    finally:
        from django.db import connections

        connections.close_all()
        # The pool's idle connections would keep the database from being dropped.
        connections["default"].close_pool()
        if not args.keep:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        else:
            print(f"kept database {name}")


def generate(n: int) -> None:
    import datetime

    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.utils import timezone

    from dispatch.models import Resident, ServiceArea, ServiceItem, Skill, Worker
    from sla.models import ServiceLevel, TargetUnit
    from subscriptions.models import Subscription
    from workorders.models import OrderHistory, State, WorkOrder

    desk = User.objects.create_user("bench_desk", password="x")
    desk.groups.add(Group.objects.get(name="front_desk"))
    skill = Skill.objects.create(code="general", name="General")
    area = ServiceArea.objects.create(name="Area", office_phone="+861065213301")
    services = [
        ServiceItem.objects.create(code=f"svc-{i}", name=f"Service {i}", price=10, response_target_minutes=60,
                                   required_skill=skill)
        for i in range(12)
    ]
    # Dispatch within minutes, working hours or working days; a start promise on some.
    units = [(30, TargetUnit.MINUTES), (4, TargetUnit.WORKING_HOURS), (5, TargetUnit.WORKING_DAYS)]
    for i, service in enumerate(services):
        amount, unit = units[i % 3]
        # Each service has its level from its creation (sla.signals): set it.
        ServiceLevel.objects.filter(service=service).update(
            response_amount=amount * (10 if i % 3 == 1 else 1), response_unit=unit, start_amount=10 if i % 2 else None
        )
    workers = [Worker.objects.create(name=f"Worker {i}", phone=f"+86135{i:08d}") for i in range(100)]
    for worker in workers:
        worker.skills.add(skill)
    residents = Resident.objects.bulk_create(
        Resident(name=f"Resident {i}", address=f"Road {i}", area=area, card_number=f"C{i}") for i in range(10_000)
    )
    now = timezone.now()
    states = [State.RECEIVED, State.ASSIGNED, State.PRINTED, State.IN_SERVICE, State.RETURNED]
    with connection.cursor() as c:
        c.execute("SET synchronous_commit TO off")
    for start in range(0, n, 10_000):
        batch = []
        for i in range(start, min(n, start + 10_000)):
            state = states[i % 5]
            # 1,000 orders a month old and still waiting: overdue; the others taken in the last days.
            taken = now - (datetime.timedelta(days=30) if i < 1000 and state == State.RECEIVED or i < 200
                           else datetime.timedelta(minutes=(i * 7) % 2880))
            worker = None if state == State.RECEIVED else workers[i % 100]
            batch.append(WorkOrder(
                number=f"WO-S-{i}", resident=residents[i % len(residents)], service=services[i % 12], channel="phone",
                state=state, worker=worker, assigned_at=taken + datetime.timedelta(minutes=5) if worker else None,
                collected_at=taken + datetime.timedelta(minutes=30) if state in (State.IN_SERVICE, State.RETURNED) else None,
                returned_at=taken + datetime.timedelta(minutes=90) if state == State.RETURNED else None,
                created_by=desk, created_at=taken,
            ))
        WorkOrder.objects.bulk_create(batch, batch_size=2000)
        history = []
        for order in batch:
            history.append(OrderHistory(order=order, at=order.created_at, actor=desk, transition="create",
                                        from_state="", to_state="received", channel="phone"))
            if order.assigned_at:
                history.append(OrderHistory(order=order, at=order.assigned_at, actor=desk, transition="assign",
                                            from_state="received", to_state="assigned", channel="api"))
            if order.collected_at:
                history.append(OrderHistory(order=order, at=order.collected_at, actor=desk, transition="collect",
                                            from_state="printed", to_state="in_service", channel="api"))
            if order.returned_at:
                history.append(OrderHistory(order=order, at=order.returned_at, actor=desk, transition="return_order",
                                            from_state="in_service", to_state="returned", channel="api"))
        OrderHistory.objects.bulk_create(history, batch_size=5000)
    Subscription.objects.bulk_create(
        Subscription(resident=residents[i], service=services[i % 12], rule="FREQ=WEEKLY",
                     starts_at=now + datetime.timedelta(hours=1 + i % 40), created_by=desk)
        for i in range(200)
    )
    with connection.cursor() as c:
        c.execute("ANALYZE")


def measure(n: int) -> None:
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from core.scheduler import scheduler_pass
    from realtime.models import Alert
    from sla.models import Closure

    # The deployed batch: a pass takes SCHEDULER_BATCH_SIZE orders at most; one
    # pass over every open order is the case.
    settings.SCHEDULER_BATCH_SIZE = max(n, 100)

    def one(label: str) -> None:
        alerts = Alert.objects.filter(kind="order.overdue").count()
        started, cpu = time.perf_counter(), time.process_time()
        done = scheduler_pass()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        # The scheduler's own CPU time beside the wall clock: on a shared
        # machine the wall clock also counts the time others had the CPUs.
        print(f"| {label} | {done['deadlines']} | {sum(done['overdue'].values())} | "
              f"{Alert.objects.filter(kind='order.overdue').count() - alerts} | "
              f"{sum(done['subscriptions'].values())} | {done['rolled_up_days']} | {elapsed * 1000:.0f} | "
              f"{cpu * 1000:.0f} |", flush=True)

    print("| pass | deadlines computed | overdue marks | overdue alerts | subscription orders | days rolled up "
          "| ms | scheduler CPU ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    one("first pass")
    one("nothing new")
    one("nothing new")
    today = timezone.localdate()
    Closure.objects.create(first_day=today + datetime.timedelta(days=3), last_day=today + datetime.timedelta(days=3),
                           reason="bench")
    one("after a calendar change")
    one("the pass after it")


if __name__ == "__main__":
    main()
