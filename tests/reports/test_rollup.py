"""The statistics roll-up gives the figures the base tables give: on a
generated quarter, for every single filter, after changes to old orders (a
late follow-up call, a fee paid months later) both before and after the next
refresh; and its percentiles stay within one histogram bucket of the exact
ones."""

import datetime
import random

import pytest
from freezegun import freeze_time

from core import scheduler as reports
from dispatch.models import IntakeRecord
from followup import services as followup
from followup.models import FollowUpCall
from reports import rollup, stats
from reports.models import DailyFigure, RollupState
from tests.service_levels import local
from workorders import services as orders
from workorders.models import FeeStatus, OrderHistory, State, WorkOrder

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 8, 1)
NOW = local(2026, 10, 30, 12, 0)
TODAY = datetime.date(2026, 10, 30)
REFERRALS = ["City hospital", "Red Cross", "Street office"]


@pytest.fixture
def quarter(users, people, catalog):
    """Three months of invented orders (every state, four channels, two areas,
    four services, two workers and a partner), their history, intakes of
    every outcome, follow-up calls and fees; deadlines computed; and the
    roll-up refreshed at NOW."""
    rng = random.Random(7)
    desk = users["front_desk"]
    residents = [people["with_card"], people["no_card"], people["outside"]]
    services = [catalog["clean"], catalog["visit"], catalog["wound"], catalog["assist"]]
    states = [State.RECEIVED, State.ASSIGNED, State.IN_SERVICE, State.RETURNED, State.CLOSED, State.CLOSED, State.CANCELLED]
    channels = ["phone", "visit", "web", "api"]
    start = local(2026, 8, 1, 0, 0)
    made, intakes, history, calls = [], [], [], []
    with freeze_time(start):
        for i in range(420):
            created = start + datetime.timedelta(minutes=300 * i + rng.randint(0, 240))
            intakes.append(IntakeRecord(
                outcome="served", channel=rng.choice(channels), resident=rng.choice(residents),
                service=rng.choice(services), created_by=desk, created_at=created,
            ))
            if i % 6 == 0:
                intakes.append(IntakeRecord(
                    outcome="cannot_serve", channel="phone", referred_to=rng.choice(REFERRALS),
                    service=rng.choice(services), created_by=desk, created_at=created,
                ))
            if i % 9 == 0:
                intakes.append(IntakeRecord(
                    outcome="no_card", channel="visit", resident=people["no_card"],
                    no_card_action=rng.choice(["", "invited", "home_visit"]), created_by=desk, created_at=created,
                ))
            if i % 11 == 0:
                intakes.append(IntakeRecord(
                    outcome="out_of_area", channel="phone", area=catalog["other_area"], created_by=desk, created_at=created,
                ))
        IntakeRecord.objects.bulk_create(intakes)
        served = [r for r in intakes if r.outcome == "served"]
        for i, intake in enumerate(served):
            state = rng.choice(states)
            service = intake.service
            on_partner = service == catalog["assist"]
            order = WorkOrder(
                number=f"T-{i}", resident=intake.resident, service=service, channel=intake.channel, intake=intake,
                state=state, created_by=desk, created_at=intake.created_at,
                worker=None if on_partner or state in (State.RECEIVED, State.CANCELLED) else rng.choice(
                    [people["cleaner"], people["nurse"]]),
                partner=people["partner"] if on_partner and state not in (State.RECEIVED, State.CANCELLED) else None,
            )
            at = intake.created_at
            if state not in (State.RECEIVED, State.CANCELLED):
                order.assigned_at = at = at + datetime.timedelta(seconds=rng.randint(30, 20000))
            if state in (State.IN_SERVICE, State.RETURNED, State.CLOSED):
                order.collected_at = at = at + datetime.timedelta(seconds=rng.randint(60, 90000))
            if state in (State.RETURNED, State.CLOSED):
                order.returned_at = at = at + datetime.timedelta(seconds=rng.randint(600, 30000))
                if i % 2 == 0:
                    order.fee = 30
                    order.fee_status = FeeStatus.DUE if i % 3 == 0 else FeeStatus.PAID
                    if order.fee_status == FeeStatus.PAID:
                        order.fee_paid_at = at + datetime.timedelta(days=rng.randint(0, 20))
            made.append(order)
        WorkOrder.objects.bulk_create(made)
        for order in made:
            history.append(OrderHistory(order=order, at=order.created_at, actor=desk, transition="create",
                                        from_state="", to_state="received", channel=order.channel))
            for name, at in (("assign", order.assigned_at), ("collect", order.collected_at),
                             ("return_order", order.returned_at)):
                if at is not None:
                    history.append(OrderHistory(order=order, at=at, actor=desk, transition=name,
                                                from_state="", to_state="", channel="api"))
            if order.state == State.CLOSED:
                called = order.returned_at + datetime.timedelta(hours=rng.randint(1, 40))
                reached = rng.random() < 0.85
                calls.append(FollowUpCall(
                    order=order, attempt=1, caller=desk, called_at=called,
                    result="reached" if reached else "refused",
                    quality=rng.choice([None, 1, 2, 3, 4, 5]) if reached else None,
                    satisfied=rng.random() < 0.8 if reached else None,
                ))
                history.append(OrderHistory(order=order, at=called, actor=desk, transition="log_followup",
                                            from_state="returned", to_state="closed", channel="phone"))
        OrderHistory.objects.bulk_create(history)
        FollowUpCall.objects.bulk_create(calls)
    with freeze_time(NOW):
        reports.scheduler_pass()
        rollup.refresh()  # the rest of the quarter (a pass rolls up DAYS_PER_PASS days)
    # The next pass: changes within CHANGE_MARGIN of a refresh are looked at
    # again (here every deadline, computed at NOW: the pass leaves some days stale).
    with freeze_time(_later(NOW)):
        reports.scheduler_pass()
        rollup.refresh()
    return made


FILTERS = ["none", "area", "other_area", "service", "partner_service", "channel", "partner",
           "area+channel", "area+service", "other_area+channel", "service+channel", "partner+area", "channel+partner",
           "partner_service+partner", "service+partner"]


def _filters(name, people, catalog, first=FIRST, last=TODAY) -> stats.Filters:
    single = {
        "none": {}, "area": {"area": catalog["area"].pk}, "other_area": {"area": catalog["other_area"].pk},
        "service": {"service": catalog["clean"].pk}, "partner_service": {"service": catalog["assist"].pk},
        "channel": {"channel": "web"}, "partner": {"partner": people["partner"].pk},
    }
    value = {}
    for part in name.split("+"):
        value.update(single[part])
    return stats.Filters(first_day=first, last_day=last, **value)


def _both_ways(f: stats.Filters, monkeypatch, at=NOW) -> tuple[dict, dict]:
    """(figures through the roll-up, figures from the base tables alone)."""
    with freeze_time(at):
        assert stats._rolled_figures(f) is not None, "the roll-up must answer this"
        rolled = stats.statistics(f, with_fees=True)
        with monkeypatch.context() as patch:
            patch.setattr(stats, "_rolled_figures", lambda f, now=None: None)
            live = stats.statistics(f, with_fees=True)
    return rolled, live


def _later(at: datetime.datetime) -> datetime.datetime:
    return at + rollup.CHANGE_MARGIN + datetime.timedelta(minutes=1)


@pytest.mark.parametrize("name", FILTERS)
def test_the_rollup_gives_the_live_figures_for_every_filter(quarter, name, people, catalog, monkeypatch):
    # A moment after the refresh: every past day comes from the roll-up.
    f = _filters(name, people, catalog)
    with freeze_time(_later(NOW)):
        figures = stats._rolled_figures(f)
    assert figures.rolled and figures.rolled[0][0] == FIRST
    rolled, live = _both_ways(f, monkeypatch, at=_later(NOW))
    assert rolled == live
    assert sum(rolled["orders_by_state"].values()) > 0 or "partner" in name.split("+")


@pytest.mark.parametrize(("first", "last"), [(FIRST, datetime.date(2026, 8, 31)), (datetime.date(2026, 9, 14), datetime.date(2026, 9, 20)),
                                             (datetime.date(2026, 10, 26), datetime.date(2026, 11, 8))])
def test_any_period_is_the_same_both_ways(quarter, first, last, people, catalog, monkeypatch):
    rolled, live = _both_ways(_filters("none", people, catalog, first, last), monkeypatch, at=_later(NOW))
    assert rolled == live


def test_a_worker_or_three_filters_are_answered_from_the_base_tables(quarter, people, catalog):
    with freeze_time(_later(NOW)):
        assert stats._rolled_figures(stats.Filters(first_day=FIRST, last_day=NOW.date(), worker=people["cleaner"].pk)) is None
        with_worker = stats.Filters(first_day=FIRST, last_day=NOW.date(), area=catalog["area"].pk, worker=people["nurse"].pk)
        assert stats._rolled_figures(with_worker) is None
        three = stats.Filters(first_day=FIRST, last_day=NOW.date(), area=catalog["area"].pk, channel="web",
                              service=catalog["clean"].pk)
        assert stats._rolled_figures(three) is None


def test_pairs_are_rolled_up_without_histograms_and_in_one_order(quarter, people, catalog):
    pairs = DailyFigure.objects.filter(dimension__contains="+")
    assert set(pairs.values_list("dimension", flat=True).distinct()) == {
        "area+service", "area+channel", "area+partner", "service+channel", "service+partner", "channel+partner",
    }
    assert not pairs.filter(figure__startswith="hist:").exists()
    assert DailyFigure.objects.filter(dimension="area", figure__startswith="hist:").exists()
    # Named in either order, two filters are the same pair of the roll-up.
    assert rollup.dimension_and_key({"channel": "web", "area": 3}) == ("area+channel", "3|web")
    # A pair's days sum to the orders the base tables hold for both values.
    area, service = catalog["area"].pk, catalog["clean"].pk
    rolled = sum(pairs.filter(dimension="area+service", key=f"{area}|{service}", figure="orders")
                 .values_list("count", flat=True))
    taken = WorkOrder.objects.filter(resident__area=area, service=service, created_at__lt=local(2026, 10, 30, 0, 0))
    assert rolled == taken.count() > 0


def test_late_followup_and_fee_paid_months_later(quarter, users, people, catalog, monkeypatch):
    august = [o for o in quarter if o.created_at.month == 8]
    returned = next(o for o in august if o.state == State.RETURNED)
    unpaid = next(o for o in august if o.fee_status == FeeStatus.DUE)
    later = NOW + datetime.timedelta(days=3)
    with freeze_time(later):
        followup.followup_log_call(actor=users["front_desk"], order_id=returned.pk, result="reached", quality=4,
                                   satisfied=True)
        orders.order_settle_fee(actor=users["finance"], order_id=unpaid.pk, receipt="R-0002")
    f = _filters("none", people, catalog, last=later.date())
    # Before any refresh: the changed August days are computed live.
    with freeze_time(later):
        figures = stats._rolled_figures(f)
    assert returned.created_at.date() not in rollup.days_of(figures.rolled)
    rolled, live = _both_ways(f, monkeypatch, at=later)
    assert rolled == live
    assert live["fees"]["paid_count"] > 0
    # After the scheduler's passes the roll-up holds them, and still agrees.
    with freeze_time(later + datetime.timedelta(minutes=1)):
        reports.scheduler_pass()
    at = _later(later + datetime.timedelta(minutes=1))
    with freeze_time(at):
        reports.scheduler_pass()
        figures = stats._rolled_figures(f)
    assert returned.created_at.date() in rollup.days_of(figures.rolled)
    for name in FILTERS:
        rolled, live = _both_ways(_filters(name, people, catalog, last=later.date()), monkeypatch, at=at)
        assert rolled == live, name


def test_a_second_refresh_changes_nothing(quarter):
    before = sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount"))
    with freeze_time(_later(NOW)):
        assert rollup.refresh() == 0
    assert sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount")) == before


def test_histogram_percentiles_are_within_one_bucket(quarter, people, catalog, monkeypatch):
    for name in ("none", "service", "channel"):
        f = _filters(name, people, catalog)
        with freeze_time(_later(NOW)):
            exact = stats._exact_response_times(f)
            monkeypatch.setattr(rollup, "EXACT_LIMIT", 0)
            estimated = stats.response_times(f)
            monkeypatch.undo()
        width = 2 ** (1 / rollup.BUCKETS_PER_DOUBLING) - 1
        for step, figures in exact.items():
            assert estimated[step]["count"] == figures["count"] > 0
            for measure in ("median", "p90"):
                assert estimated[step][measure] == pytest.approx(figures[measure], rel=width, abs=1.0), (name, step)


def test_percentile_from_a_histogram():
    # Ten values in the bucket of 1 to 2^(1/16) s and one in bucket 0.
    assert rollup.percentile({}, 0.5) is None
    assert rollup.percentile({0: 1}, 0.5) == 0.5
    value = rollup.percentile({0: 1, 1: 10}, 0.9)
    assert 1.0 <= value <= 2 ** (1 / 16)


def test_a_pairs_percentiles_are_exact_above_the_limit(quarter, people, catalog, monkeypatch):
    # Where a single filter would read its histograms, a pair has none: its
    # percentiles are the exact ones, its counts the roll-up's.
    f = _filters("area+channel", people, catalog)
    with freeze_time(_later(NOW)):
        exact = stats._exact_response_times(f)
        monkeypatch.setattr(rollup, "EXACT_LIMIT", 0)
        assert stats._rolled_figures(f) is not None
        assert stats.response_times(f) == exact
    assert exact["intake_to_assign"]["count"] > 0


def test_scheduler_passes_roll_up_a_backlog_a_few_days_at_a_time(quarter, monkeypatch):
    # As after migration 0005: nothing rolled up, a quarter to do.
    rolled = sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount"))
    RollupState.objects.update(rolled_through=None)
    DailyFigure.objects.all().delete()
    monkeypatch.setattr(rollup, "DAYS_PER_PASS", 40)
    at = _later(NOW)
    with freeze_time(at):
        done = [reports.scheduler_pass()["rolled_up_days"] for _ in range(4)]
        state = rollup.current_state()
    # Aug 1 to Oct 29 is 90 days: 40, 40, then the last 10.
    assert done == [40, 40, 10, 0]
    assert state.rolled_through == TODAY - datetime.timedelta(days=1)
    assert sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount")) == rolled


def test_halfway_through_a_backlog_the_figures_are_the_base_tables(quarter, people, catalog, monkeypatch):
    RollupState.objects.update(rolled_through=None)
    DailyFigure.objects.all().delete()
    with freeze_time(_later(NOW)):
        assert rollup.refresh(max_days=20) == 20
        assert rollup.current_state().rolled_through == FIRST + datetime.timedelta(days=19)
    for first, last in ((FIRST, datetime.date(2026, 8, 15)), (FIRST, TODAY)):
        f = _filters("area+channel", people, catalog, first, last)
        with freeze_time(_later(NOW)):
            expected = stats._rolled_figures(f) is not None
        assert expected == (last < FIRST + datetime.timedelta(days=20))
        with freeze_time(_later(NOW)):
            figures = stats.statistics(f, with_fees=True)
            with monkeypatch.context() as patch:
                patch.setattr(stats, "_rolled_figures", lambda f, now=None: None)
                assert figures == stats.statistics(f, with_fees=True)


def test_days_changed_beyond_a_pass_are_left_to_the_next_passes(quarter, people, catalog, monkeypatch):
    # Many old days change at once, as every open order's taking day does
    # after a calendar change: a pass recomputes some, keeps the rest stale.
    at = _later(NOW)
    with freeze_time(at):
        WorkOrder.objects.filter(created_at__lt=local(2026, 9, 1, 0, 0)).update(state=State.CANCELLED, updated_at=at)
    at = _later(at)
    with freeze_time(at):
        assert rollup.refresh(max_days=10) == 10
        stale = rollup.stale_days(rollup.current_state())
    assert min(stale) == FIRST + datetime.timedelta(days=10) and len(stale) >= 21
    # Meanwhile every figure is the base tables': stale days are computed live.
    for first, last in ((FIRST, datetime.date(2026, 8, 7)), (datetime.date(2026, 8, 20), datetime.date(2026, 8, 26))):
        for name in ("none", "area+channel"):
            rolled, live = _both_ways(_filters(name, people, catalog, first, last), monkeypatch, at=at)
            assert rolled == live, (first, name)
    with freeze_time(at):
        while rollup.refresh(max_days=10):
            pass
        assert rollup.current_state().stale_days == []
        after_passes = sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount"))
        RollupState.objects.update(rolled_through=None)
        DailyFigure.objects.all().delete()
        rollup.refresh()
    assert sorted(DailyFigure.objects.values_list("day", "dimension", "key", "figure", "count", "amount")) == after_passes
