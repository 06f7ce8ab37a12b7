"""Statistics API and scheduler pass on a city district's year (issue 7).

Generates, in a PostgreSQL database of its own (created and dropped here), a
year of invented data: 100,000 residents in 12 areas, 1,000,000 work orders
(20 services, 5 of them done by 10 partners, 4 channels) with their history,
intakes, follow-up calls and stored deadlines, 100,000 of the orders still
open. Rows are made by `INSERT ... SELECT generate_series` in the
database (minutes, not hours, for a million rows). Then it times:

- the statistics roll-up's refresh (the first run over the whole year, a
  refresh with nothing changed, one day and 31 days computed again);
- GET /api/v1/stats/ as a supervisor (every section, fees too) for 30 days
  and the whole year, unfiltered, with each filter, with pairs of filters (read
  from the roll-up's pairs), with a worker and an area and with three filters
  (the base tables), the first call (cold) and the median of --repeat calls
  after it (warm);
- the CSV and XLSX exports of the year and GET /api/v1/stats/overdue/;
- scheduler passes over the open orders, and the pass after a calendar
  change (the deadlines of all 100,000 computed again).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_stats.py
    ... --orders 200000 --residents 20000      # a smaller run
    ... --keep                                 # keep the database for another run (--reuse)
    ... --keep --generate-only                 # generate now, measure later with --reuse NAME
    ... --reuse NAME --keep --requests-only    # the requests alone (no scheduler passes)
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=100_000, help="open orders among them")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", default="", help="name of a database kept by --keep")
    parser.add_argument("--finish", action="store_true", help="with --reuse: finish an interrupted generation")
    parser.add_argument("--generate-only", action="store_true", help="generate (with --keep), measure later")
    parser.add_argument("--requests-only", action="store_true",
                        help="time the requests alone (after the roll-up's refresh): no recomputed days, no scheduler")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (any database; a new one is created).")
    import psycopg

    admin_url = base
    name = args.reuse or f"bench_stats_{uuid.uuid4().hex[:8]}"
    if not args.reuse:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.monotonic()
            generate(args)
            print(f"generated in {time.monotonic() - started:.0f} s")
        elif args.finish:
            finish()
        if not args.generate_only:
            measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                # FORCE: the connection pool keeps its connections open past close_all().
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept database {name} (--reuse {name})")


def generate(args) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from dispatch.models import PartnerUnit, ServiceArea, ServiceItem, Skill, Worker

    supervisor = User.objects.create_user("bench_supervisor", password="x")
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    desk = User.objects.create_user("bench_desk", password="x")
    desk.groups.add(Group.objects.get(name="front_desk"))
    skill = Skill.objects.create(code="general", name="General")
    areas = [ServiceArea.objects.create(name=f"Area {i}", office_phone="+861065213301") for i in range(12)]
    services = [
        ServiceItem.objects.create(code=f"svc-{i}", name=f"Service {i}", price=10 + i, chargeable=i % 2 == 0,
                                   response_target_minutes=[3, 60, 240, 1440][i % 4], required_skill=skill)
        for i in range(20)
    ]
    for i in range(300):
        worker = Worker.objects.create(name=f"Worker {i}", phone=f"+86135{i:08d}")
        worker.skills.add(skill)
    # The last 5 services are done by partners (10 of them), the others by workers.
    partners = [PartnerUnit.objects.create(name=f"Partner {i}", contact_person=f"Contact {i}", phone="+861065213302")
                for i in range(10)]
    for partner in partners:
        partner.services.set(services[15:])
    n, residents, open_n = args.orders, args.residents, args.open
    area_min, service_min, partner_min = areas[0].pk, services[0].pk, partners[0].pk
    worker_min = Worker.objects.order_by("pk").first().pk
    with connection.cursor() as c:
        c.execute("SET synchronous_commit TO off")
        c.execute(
            """INSERT INTO dispatch_resident (name, address, area_id, card_number, card_valid_until,
                   access_notes, health_notes, active, created_at)
               SELECT 'Resident ' || g, 'Road ' || g, %s + g %% 12, 'C' || g, NULL, '', '', true, now()
               FROM generate_series(1, %s) g""",
            [area_min, residents],
        )
        c.execute("SELECT min(id) FROM dispatch_resident")
        resident_min = c.fetchone()[0]
        # Orders spread over the year before now; the newest `open_n` stay open.
        c.execute(
            """CREATE TEMP TABLE gen AS
               SELECT g AS i,
                      now() - (interval '365 days') * (g::float / %(n)s) AS t,
                      %(rmin)s + (g::bigint * 7919) %% %(res)s AS resident,
                      %(smin)s + (g / 7) %% 20 AS service,
                      CASE WHEN (g / 7) %% 20 < 15 THEN %(wmin)s + g %% 300 END AS worker,
                      CASE WHEN (g / 7) %% 20 >= 15 THEN %(pmin)s + (g / 11) %% 10 END AS partner,
                      (ARRAY['phone','visit','web','api'])[1 + (g / 3) %% 4] AS channel,
                      CASE WHEN g <= %(open)s THEN (ARRAY['received','assigned','printed','in_service','returned'])[1 + g %% 5]
                           WHEN g %% 50 = 0 THEN 'cancelled'
                           ELSE 'closed' END AS state,
                      (g %% 97) * interval '1 minute' AS d1,
                      (g %% 181) * interval '1 minute' AS d2,
                      (30 + g %% 121) * interval '1 minute' AS d3
               FROM generate_series(1, %(n)s) g""",
            {"n": n, "rmin": resident_min, "res": residents, "smin": service_min, "wmin": worker_min, "pmin": partner_min,
             "open": open_n},
        )
        c.execute(
            """INSERT INTO dispatch_intakerecord (outcome, channel, resident_id, caller_phone, service_id, referred_to,
                   area_id, no_card_action, home_visit_at, notes, created_by_id, created_at)
               SELECT 'served', channel, resident, '', service, '', NULL, '', NULL, '', %s, t FROM gen ORDER BY i""",
            [desk.pk],
        )
        c.execute(
            """INSERT INTO workorders_workorder (number, resident_id, service_id, channel, urgency, requested_for, notes,
                   card_override_reason, state, worker_id, partner_id, assigned_at, approved_at, approved_by_id,
                   closing_reason, paperwork_owed, collected_at, actual_start, actual_end, materials, remarks,
                   returned_at, fee, fee_status, fee_paid_at, fee_paid_by_id, created_by_id, created_at, updated_at)
               SELECT 'WO-B-' || i, resident, service, channel, 'normal', NULL, '', '', state,
                      CASE WHEN state = 'received' OR state = 'cancelled' THEN NULL ELSE worker END,
                      CASE WHEN state = 'received' OR state = 'cancelled' THEN NULL ELSE partner END,
                      CASE WHEN state IN ('received', 'cancelled') THEN NULL ELSE t + d1 END, NULL, NULL, '', false,
                      CASE WHEN state IN ('in_service', 'returned', 'closed') THEN t + d1 + d2 END,
                      CASE WHEN state IN ('returned', 'closed') THEN t + d1 + d2 END,
                      CASE WHEN state IN ('returned', 'closed') THEN t + d1 + d2 + d3 END, '', '',
                      CASE WHEN state IN ('returned', 'closed') THEN t + d1 + d2 + d3 END,
                      CASE WHEN state IN ('returned', 'closed') AND i %% 2 = 0 THEN 20 ELSE 0 END,
                      CASE WHEN state IN ('returned', 'closed') AND i %% 2 = 0 THEN (CASE WHEN i %% 3 = 0 THEN 'due' ELSE 'paid' END) ELSE 'none' END,
                      CASE WHEN state IN ('returned', 'closed') AND i %% 2 = 0 AND i %% 3 <> 0 THEN t + interval '1 day' END,
                      NULL, %s, t, t
               FROM gen ORDER BY i""",
            [desk.pk],
        )
        c.execute("UPDATE workorders_workorder o SET intake_id = r.id FROM dispatch_intakerecord r "
                  "WHERE r.created_at = o.created_at AND r.resident_id = o.resident_id")
        # History: create, and assign / collect / return / log_followup as far as each order got.
        c.execute(
            """INSERT INTO workorders_orderhistory (order_id, at, actor_id, transition, from_state, to_state, note, channel)
               SELECT id, created_at, %s, 'create', '', 'received', '', channel FROM workorders_workorder
               UNION ALL SELECT id, assigned_at, %s, 'assign', 'received', 'assigned', '', 'api'
                 FROM workorders_workorder WHERE assigned_at IS NOT NULL
               UNION ALL SELECT id, collected_at, %s, 'collect', 'printed', 'in_service', '', 'api'
                 FROM workorders_workorder WHERE collected_at IS NOT NULL
               UNION ALL SELECT id, returned_at, %s, 'return_order', 'in_service', 'returned', '', 'api'
                 FROM workorders_workorder WHERE returned_at IS NOT NULL""",
            [desk.pk] * 4,
        )
        c.execute(
            """INSERT INTO followup_followupcall (order_id, attempt, caller_id, called_at, result, quality, satisfied,
                   comments, needs_more, needs_more_what)
               SELECT id, 1, %s, returned_at + interval '3 hours', 'reached', 1 + id %% 5, id %% 5 <> 0, '', false, ''
               FROM workorders_workorder WHERE state = 'closed'""",
            [desk.pk],
        )
        c.execute("ANALYZE")
    finish()


def finish() -> None:
    """The stored deadlines of every order, and the marks earlier passes would
    have made. Also resumes an interrupted generation (`--reuse NAME --finish`).

    The deadlines are written by one INSERT ... SELECT, not by the scheduler
    (which took 25 minutes for a million orders): the bench's services have
    no ServiceLevel (dispatch within `response_target_minutes`, no start
    promise), and the follow-up deadline is the return plus
    FOLLOWUP_DUE_WORKING_DAYS days moved off weekends (public holidays are
    ignored here: timing, not correctness). The calendar key is the current
    one, so the scheduler takes them as up to date."""
    from django.conf import settings
    from django.db import connection

    from sla.calendar import WorkingCalendar

    started = time.monotonic()
    with connection.cursor() as c:
        c.execute("DELETE FROM reports_orderdeadline")
        c.execute(
            """INSERT INTO reports_orderdeadline (order_id, dispatch_by, start_by, followup_by, dispatched_at,
                   started_at, followed_up_at, stage, due_at, calendar_key, computed_at)
               SELECT id, dispatch_by, NULL, followup_by, assigned_at, collected_at, followed_up_at,
                      CASE state WHEN 'received' THEN 'dispatch' WHEN 'returned' THEN 'followup' ELSE '' END,
                      CASE state WHEN 'received' THEN dispatch_by WHEN 'returned' THEN followup_by END,
                      %(key)s, now() - interval '1 hour'
               FROM (SELECT o.id, o.state, o.assigned_at, o.collected_at,
                            o.created_at + s.response_target_minutes * interval '1 minute' AS dispatch_by,
                            o.returned_at + (%(days)s + CASE extract(isodow FROM o.returned_at + %(days)s * interval '1 day')
                                WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END) * interval '1 day' AS followup_by,
                            CASE WHEN o.state = 'closed' THEN o.returned_at + interval '3 hours' END AS followed_up_at
                     FROM workorders_workorder o JOIN dispatch_serviceitem s ON s.id = o.service_id) d""",
            {"key": WorkingCalendar.load().key, "days": settings.FOLLOWUP_DUE_WORKING_DAYS},
        )
        # As if earlier passes had run: every order overdue for more than the
        # supervisor's lag already has its three marks (its alerts went out).
        c.execute("DELETE FROM reports_overduemark")
        c.execute(
            """INSERT INTO reports_overduemark (order_id, stage, level, due_at, marked_at, alert_id)
               SELECT d.order_id, d.stage, l.level, d.due_at, now(), NULL
               FROM reports_orderdeadline d CROSS JOIN (VALUES ('dispatcher'), ('dispatch_lead'), ('supervisor')) l(level)
               WHERE d.stage <> '' AND d.due_at < now() - interval '1 day'"""
        )
        # VACUUM too: index-only scans need the visibility map of freshly written tables.
        c.execute("VACUUM ANALYZE")
    print(f"deadlines and marks stored in {time.monotonic() - started:.0f} s")


def _time(label: str, call, repeat: int) -> None:
    """The first call (cold: Django's and PostgreSQL's caches not yet holding
    this query) and the median and maximum of `repeat` calls after it (warm)."""
    started = time.perf_counter()
    call()
    cold = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    print(f"| {label} | {cold:.0f} | {statistics.median(times):.0f} | {max(times):.0f} |", flush=True)


def measure(args) -> None:
    import datetime

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from core.scheduler import scheduler_pass
    from dispatch.models import PartnerUnit, ServiceArea, ServiceItem, Worker
    from reports import rollup
    from reports.models import DailyFigure
    from sla.calendar import WorkingCalendar
    from sla.models import Closure, OrderDeadline

    settings.ALLOWED_HOSTS = ["*"]
    # One pass takes every open order (the case: 100,000 of them).
    settings.SCHEDULER_BATCH_SIZE = max(args.open, 100)
    print(f"\norders: {args.orders}, open: {args.open}, residents: {args.residents}\n", flush=True)
    from django.db import connection, transaction

    from reports.models import RollupState

    print("| roll-up | s |\n| --- | --- |")
    labels = [("refresh, nothing changed", None)]
    if RollupState.objects.filter(rolled_through__isnull=False).first() is None:
        labels[:0] = [
            (f"a scheduler pass's refresh, first run (the oldest {rollup.DAYS_PER_PASS} days)", rollup.DAYS_PER_PASS),
            ("refresh (the rest of the first run: every past day)", None),
        ]
    for label, max_days in labels:
        started = time.perf_counter()
        days = rollup.refresh(max_days=max_days)
        print(f"| {label}: {days} days | {time.perf_counter() - started:.1f} |", flush=True)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a large insert (PostgreSQL 13 and
        # later vacuum on inserts too): the visibility map lets the roll-up's
        # covering index answer without visiting the table, and the planner
        # learns the new row counts. Measured before it, a year unfiltered
        # took 410 ms instead of 160.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) reports_dailyfigure")
        print(f"| VACUUM (ANALYZE) of the roll-up | {time.perf_counter() - started:.1f} |", flush=True)
    tz = timezone.get_current_timezone()
    for days in () if args.requests_only else (1, 31):
        last = timezone.localdate() - datetime.timedelta(days=2)
        started = time.perf_counter()
        with transaction.atomic():
            rollup._recompute([(last - datetime.timedelta(days=days - 1), last)], tz)
        print(f"| {days} day(s) computed again | {time.perf_counter() - started:.1f} |", flush=True)
    size = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_dailyfigure'))")
            size = f" ({cursor.fetchone()[0]} with its indexes)"
    print(f"\n{DailyFigure.objects.count()} roll-up rows{size}\n")
    # Queries come a little after the refresh, as they would after a scheduler
    # pass: changes within rollup.CHANGE_MARGIN of it are still read live.
    RollupState.objects.filter(pk=1).update(seen_at=timezone.now() - rollup.CHANGE_MARGIN - datetime.timedelta(seconds=1))

    client = APIClient()
    client.force_authenticate(User.objects.get(username="bench_supervisor"))
    today = timezone.localdate()

    def get(path: str, expect: int = 200):
        def call():
            response = client.get(path)
            assert response.status_code == expect, (path, response.status_code)

        return call

    browser = Client()
    browser.force_login(User.objects.get(username="bench_supervisor"))

    def page(path: str):
        def call():
            response = browser.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return call

    month = f"from={today - datetime.timedelta(days=30)}&to={today}"
    year = f"from={today - datetime.timedelta(days=365)}&to={today}"
    area = f"&area={ServiceArea.objects.order_by('pk').first().pk}"
    service = f"&service={ServiceItem.objects.order_by('pk').first().pk}"
    partner = f"&partner={PartnerUnit.objects.order_by('pk').first().pk}"
    worker = f"&worker={Worker.objects.order_by('pk').first().pk}"
    filters = {
        "": "",
        "area": area,
        "service": service,
        "channel": "&channel=web",
        "partner": partner,
        "worker (base tables)": worker,
        "area and channel (pair)": area + "&channel=web",
        "area and service (pair)": area + service,
        "service and channel (pair)": service + "&channel=web",
        "area and partner (pair)": area + partner,
        "area and worker (base tables)": area + worker,
        "area, service and channel (base tables)": area + service + "&channel=web",
    }
    print("| request | cold ms | warm median ms | warm max ms |")
    print("| --- | --- | --- | --- |")
    for period_label, period in (("30 days", month), ("365 days", year)):
        for label, extra in filters.items():
            name = f"GET /api/v1/stats/ ({period_label}{', ' + label if label else ''})"
            _time(name, get(f"/api/v1/stats/?{period}{extra}"), args.repeat)
    _time("GET /api/v1/stats/export/csv/ (365 days)", get(f"/api/v1/stats/export/csv/?{year}"), args.repeat)
    _time("GET /api/v1/stats/export/xlsx/ (365 days)", get(f"/api/v1/stats/export/xlsx/?{year}"), args.repeat)
    _time("GET /api/v1/stats/overdue/ (first 1000)", get("/api/v1/stats/overdue/"), args.repeat)
    _time("GET /stats/ (the page with its charts, 365 days)", page(f"/stats/?period=custom&{year}"), args.repeat)
    if args.requests_only:
        return

    print("\n| scheduler pass | ms |\n| --- | --- |")
    for label in ("catching up", "nothing changed", "nothing changed"):
        started = time.perf_counter()
        done = scheduler_pass()
        elapsed = (time.perf_counter() - started) * 1000
        marks = sum(done["overdue"].values())
        print(f"| {label} ({done['deadlines']} deadlines computed, {marks} overdue marks and alerts, "
              f"{done['rolled_up_days']} days rolled up) | {elapsed:.0f} |", flush=True)
    # A calendar change: every open order's deadlines are computed again.
    Closure.objects.create(first_day=today + datetime.timedelta(days=400), last_day=today + datetime.timedelta(days=400),
                           reason="bench")
    key = WorkingCalendar.load().key
    for label in ("after a calendar change", "the pass after it"):
        started = time.perf_counter()
        done = scheduler_pass()
        elapsed = time.perf_counter() - started
        recomputed = OrderDeadline.objects.filter(calendar_key=key).count()
        print(f"| {label} ({done['deadlines']} computed, {recomputed} on the new calendar, "
              f"{done['rolled_up_days']} days rolled up) | {elapsed * 1000:.0f} |", flush=True)

if __name__ == "__main__":
    main()
