"""Property tests of compute_slots against its definition and a brute-force reference."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.scheduling import Away, Busy, Closure, Rule, ServiceSettings, Slot, compute_slots

UTC = timezone.utc
MIN = timedelta(minutes=1)
VOLUNTEERS = (1, 2, 3)
BRANCHES = (1, 2)
SERVICES = (1, 2)
# DST changes in 2026-2027 for the zones used, so that `now` often lands near one.
DST_DAYS = [
    datetime(2026, 3, 8, tzinfo=UTC),  # America/New_York
    datetime(2026, 3, 29, tzinfo=UTC),  # Europe
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2027, 3, 28, tzinfo=UTC),
    datetime(2027, 10, 31, tzinfo=UTC),
]
PROFILE = settings(max_examples=200, deadline=None)
QUICK = settings(max_examples=100, deadline=None)


def fields(slots: list[Slot]) -> list[tuple]:
    """Every field: Slot equality leaves out end and service_id."""
    return [(s.start, s.end, s.volunteer_id, s.branch_id, s.service_id) for s in slots]


def overlaps(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


# --- strategies -----------------------------------------------------------------------------

# Half the rules start at night, where the clocks change.
quarters = st.one_of(st.integers(min_value=0, max_value=16), st.integers(min_value=0, max_value=95))
# Sunday (6) twice as likely: European clocks change on a Sunday.
weekdays = st.one_of(st.just(6), st.integers(min_value=0, max_value=6))
minutes5 = st.integers(min_value=0, max_value=6).map(lambda n: n * 5 * MIN)

nows = st.one_of(
    st.integers(min_value=0, max_value=2 * 365 * 24 * 4).map(
        lambda q: datetime(2026, 1, 1, tzinfo=UTC) + q * 15 * MIN
    ),
    st.tuples(st.sampled_from(DST_DAYS), st.integers(min_value=-10 * 24 * 4, max_value=2 * 24 * 4)).map(
        lambda t: t[0] + t[1] * 15 * MIN
    ),
)

services = st.builds(
    ServiceSettings,
    service_id=st.sampled_from(SERVICES),
    duration=st.sampled_from([15, 30, 45, 60, 90]).map(lambda m: m * MIN),
    buffer_before=minutes5,
    buffer_after=minutes5,
    step=st.one_of(st.none(), st.sampled_from([15, 30, 45, 60]).map(lambda m: m * MIN)),
    min_notice=st.sampled_from([0, 30, 120, 24 * 60]).map(lambda m: m * MIN),
    horizon=st.integers(min_value=4, max_value=21).map(lambda d: timedelta(days=d)),
    max_per_volunteer_per_day=st.one_of(st.none(), st.integers(min_value=1, max_value=3)),
)


@st.composite
def rules_for(draw, now: datetime) -> Rule:
    base = now.date()
    start_q = draw(quarters)
    end_q = min(96, start_q + draw(st.integers(min_value=2, max_value=16)))
    start = time(start_q // 4, start_q % 4 * 15)
    end = time(23, 59, 59) if end_q == 96 else time(end_q // 4, end_q % 4 * 15)
    one_off = draw(st.booleans())
    offset = st.integers
    valid_from = draw(st.one_of(st.none(), offset(-30, 10).map(lambda n: base + timedelta(days=n))))
    valid_until = draw(
        st.one_of(st.none(), offset(0, 40).map(lambda n: (valid_from or base) + timedelta(days=n)))
    )
    on_date = base + timedelta(days=draw(offset(-2, 21))) if one_off else None
    return Rule(
        volunteer_id=draw(st.sampled_from(VOLUNTEERS)),
        branch_id=draw(st.sampled_from(BRANCHES)),
        service_ids=frozenset(draw(st.sets(st.sampled_from(SERVICES), min_size=1))),
        start=start,
        end=end,
        weekday=None if one_off else draw(weekdays),
        on_date=on_date,
        valid_from=valid_from,
        valid_until=valid_until,
        every_n_weeks=draw(st.integers(min_value=1, max_value=3)),
    )


@st.composite
def spans(draw, now: datetime, days: int = 22) -> tuple[datetime, datetime]:
    start = now + draw(st.integers(min_value=-24 * 4, max_value=days * 24 * 4)) * 15 * MIN
    return start, start + draw(st.integers(min_value=0, max_value=16)) * 15 * MIN


@st.composite
def scenarios(draw) -> dict:
    now = draw(nows)
    kw: dict = dict(
        service=draw(services),
        zones={1: "Europe/Amsterdam", 2: draw(st.sampled_from(["Europe/Amsterdam", "Europe/London", "America/New_York"]))},
        now=now,
        rules=draw(st.lists(rules_for(now), min_size=1, max_size=8)),
    )
    busy = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        s, e = draw(spans(now))
        busy.append(
            Busy(
                volunteer_id=draw(st.sampled_from(VOLUNTEERS)),
                start=s,
                end=e,
                buffer_before=draw(minutes5),
                buffer_after=draw(minutes5),
                counts_toward_daily_max=draw(st.booleans()),
            )
        )
    kw["busy"] = busy
    kw["away"] = [
        Away(volunteer_id=draw(st.sampled_from(VOLUNTEERS)), start=s, end=e)
        for s, e in draw(st.lists(spans(now), max_size=3))
    ]
    kw["closures"] = [
        Closure(branch_id=draw(st.sampled_from(BRANCHES)), start=s, end=e)
        for s, e in draw(st.lists(spans(now), max_size=3))
    ]
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        ws, _ = draw(spans(now, days=10))
        kw["window_start"] = ws
        kw["window_end"] = ws + draw(st.integers(min_value=0, max_value=7 * 24 * 4)) * 15 * MIN
    kw["volunteer_id"] = draw(st.sampled_from((None, None, *VOLUNTEERS)))
    kw["branch_id"] = draw(st.sampled_from((None, None, *BRANCHES)))
    return kw


# --- the definition, written out plainly ------------------------------------------------------


def rule_applies(r: Rule, d: date) -> bool:
    if r.valid_from is not None and d < r.valid_from:
        return False
    if r.valid_until is not None and d > r.valid_until:
        return False
    if r.weekday is None:
        return r.on_date == d
    if d.weekday() != r.weekday:
        return False
    anchor = r.valid_from or date(2024, 1, 1)
    weeks = ((d - timedelta(days=d.weekday())) - (anchor - timedelta(days=anchor.weekday()))).days // 7
    return weeks % max(r.every_n_weeks, 1) == 0


def bounds(kw) -> tuple[datetime, datetime]:
    service = kw["service"]
    lo = kw["now"] + service.min_notice
    hi = kw["now"] + service.horizon
    if kw.get("window_start") is not None:
        lo = max(lo, kw["window_start"])
    if kw.get("window_end") is not None:
        hi = min(hi, kw["window_end"])
    return lo, hi


def conflicts(kw, s: datetime, v: int, b: int) -> bool:
    service = kw["service"]
    e = s + service.duration
    s0, e0 = s - service.buffer_before, e + service.buffer_after
    for x in kw.get("busy", ()):
        if x.volunteer_id == v and (
            overlaps(s0, e0, x.start, x.end)
            or overlaps(s, e, x.start - x.buffer_before, x.end + x.buffer_after)
        ):
            return True
    if any(a.volunteer_id == v and overlaps(s0, e0, a.start, a.end) for a in kw.get("away", ())):
        return True
    return any(c.branch_id == b and overlaps(s0, e0, c.start, c.end) for c in kw.get("closures", ()))


def wanted(kw, r: Rule) -> bool:
    return (
        kw["service"].service_id in r.service_ids
        and kw.get("volunteer_id") in (None, r.volunteer_id)
        and kw.get("branch_id") in (None, r.branch_id)
    )


def reference(kw) -> list[Slot]:
    """Day by day, candidate by candidate, one zoneinfo conversion each, linear conflict scans."""
    service = kw["service"]
    step = service.step or service.duration
    lo, hi = bounds(kw)
    found = set()
    for r in kw["rules"]:
        if not wanted(kw, r):
            continue
        z = ZoneInfo(kw["zones"][r.branch_id])
        d = (lo - timedelta(days=2)).astimezone(z).date()
        last = (hi + timedelta(days=2)).astimezone(z).date()
        while d <= last:
            if rule_applies(r, d) and not full_day(kw, r.volunteer_id, d, z):
                wall, wall_end = datetime.combine(d, r.start), datetime.combine(d, r.end)
                while wall + service.duration <= wall_end:
                    s = wall.replace(tzinfo=z).astimezone(UTC)
                    exists = s.astimezone(z).replace(tzinfo=None) == wall
                    if exists and lo <= s < hi and not conflicts(kw, s, r.volunteer_id, r.branch_id):
                        found.add((s, r.volunteer_id, r.branch_id))
                    wall += step
            d += timedelta(days=1)
    return [Slot(s, s + service.duration, v, b, service.service_id) for s, v, b in sorted(found)]


def full_day(kw, v: int, d: date, z: ZoneInfo) -> bool:
    limit = kw["service"].max_per_volunteer_per_day
    if limit is None:
        return False
    n = sum(
        1
        for x in kw.get("busy", ())
        if x.volunteer_id == v and x.counts_toward_daily_max and x.start.astimezone(z).date() == d
    )
    return n >= limit


# --- properties -----------------------------------------------------------------------------


@PROFILE
@given(scenarios())
def test_equals_brute_force_reference(kw):
    assert fields(compute_slots(**kw)) == fields(reference(kw))


@QUICK
@given(scenarios())
def test_slots_respect_busy_away_closures_and_bounds(kw):
    lo, hi = bounds(kw)
    service = kw["service"]
    for slot in compute_slots(**kw):
        assert not conflicts(kw, slot.start, slot.volunteer_id, slot.branch_id)
        assert kw["now"] + service.min_notice <= slot.start < kw["now"] + service.horizon
        assert lo <= slot.start < hi
        assert slot.end - slot.start == service.duration
        assert slot.service_id == service.service_id
        assert kw.get("volunteer_id") in (None, slot.volunteer_id)
        assert kw.get("branch_id") in (None, slot.branch_id)


@QUICK
@given(scenarios())
def test_slots_lie_inside_an_applicable_rule_at_an_existing_wall_time(kw):
    service = kw["service"]
    step = service.step or service.duration
    for slot in compute_slots(**kw):
        z = ZoneInfo(kw["zones"][slot.branch_id])
        local = slot.start.astimezone(z)
        wall = local.replace(tzinfo=None)
        # The wall time exists and is the first of two when ambiguous: it round-trips via fold=0.
        assert wall.replace(tzinfo=z).astimezone(UTC) == slot.start
        d = wall.date()
        assert any(
            r.volunteer_id == slot.volunteer_id
            and r.branch_id == slot.branch_id
            and wanted(kw, r)
            and rule_applies(r, d)
            and datetime.combine(d, r.start) <= wall
            and wall + service.duration <= datetime.combine(d, r.end)
            and (wall - datetime.combine(d, r.start)) % step == timedelta(0)
            for r in kw["rules"]
        )


@QUICK
@given(scenarios(), st.randoms(use_true_random=False))
def test_sorted_unique_and_deterministic_under_shuffling(kw, rng: random.Random):
    slots = compute_slots(**kw)
    keys = [(s.start, s.volunteer_id, s.branch_id) for s in slots]
    assert all(a < b for a, b in zip(keys, keys[1:]))
    assert fields(compute_slots(**kw)) == fields(slots)
    shuffled = dict(kw)
    for name in ("rules", "busy", "away", "closures"):
        items = list(kw[name])
        rng.shuffle(items)
        shuffled[name] = items
    assert fields(compute_slots(**shuffled)) == fields(slots)


@st.composite
def dst_scenarios(draw) -> dict:
    """Fewer knobs, all near a change of the clocks: the part a fast path can get wrong."""
    change = draw(st.sampled_from(DST_DAYS))
    now = change - draw(st.integers(min_value=0, max_value=3 * 24 * 4)) * 15 * MIN
    zones = {1: "Europe/Amsterdam", 2: draw(st.sampled_from(["Europe/London", "America/New_York"]))}
    rules = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start_q = draw(st.integers(min_value=0, max_value=20))
        end_q = start_q + draw(st.integers(min_value=2, max_value=20))
        one_off = draw(st.booleans())
        rules.append(
            Rule(
                volunteer_id=draw(st.sampled_from(VOLUNTEERS)),
                branch_id=draw(st.sampled_from(BRANCHES)),
                service_ids=frozenset({1}),
                start=time(start_q // 4, start_q % 4 * 15),
                end=time(end_q // 4, end_q % 4 * 15),
                weekday=None if one_off else draw(weekdays),
                on_date=change.date() if one_off else None,
            )
        )
    busy = [
        Busy(volunteer_id=draw(st.sampled_from(VOLUNTEERS)), start=s, end=e)
        for s, e in draw(st.lists(spans(now, days=4), max_size=4))
    ]
    service = ServiceSettings(
        service_id=1,
        duration=draw(st.sampled_from([15, 30, 45, 60])) * MIN,
        step=draw(st.one_of(st.none(), st.sampled_from([15, 30]).map(lambda m: m * MIN))),
        buffer_before=draw(minutes5),
        buffer_after=draw(minutes5),
        horizon=timedelta(days=5),
    )
    return dict(service=service, zones=zones, rules=rules, busy=busy, now=now)


@QUICK
@given(dst_scenarios())
def test_equals_brute_force_reference_around_clock_changes(kw):
    assert fields(compute_slots(**kw)) == fields(reference(kw))


@PROFILE
@given(scenarios(), st.data())
def test_busy_next_to_free_slots_equals_reference(kw, data):
    """Put bookings right around slots that were free, where buffers and edges decide."""
    free = compute_slots(**{**kw, "busy": []})
    busy = []
    for slot in data.draw(st.lists(st.sampled_from(free), max_size=4)) if free else ():
        start = slot.start + data.draw(st.integers(min_value=-6, max_value=6)) * 15 * MIN
        busy.append(
            Busy(
                volunteer_id=slot.volunteer_id,
                start=start,
                end=start + data.draw(st.integers(min_value=0, max_value=6)) * 15 * MIN,
                buffer_before=data.draw(minutes5),
                buffer_after=data.draw(minutes5),
                counts_toward_daily_max=data.draw(st.booleans()),
            )
        )
    kw = {**kw, "busy": busy}
    assert fields(compute_slots(**kw)) == fields(reference(kw))
