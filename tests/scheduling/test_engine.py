"""Unit tests of compute_slots with concrete dates in Europe/Amsterdam."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bookings.scheduling import Away, Busy, Closure, Rule, ServiceSettings, Slot, compute_slots

AMS = ZoneInfo("Europe/Amsterdam")
UTC = timezone.utc
ZONES = {1: "Europe/Amsterdam", 2: "Europe/Amsterdam"}
MIN = timedelta(minutes=1)

# 2026-06-01 is a Monday (summer time, UTC+2).
MONDAY = date(2026, 6, 1)


def local(d: date, hh: int, mm: int = 0) -> datetime:
    """An aware instant for a local Amsterdam wall time (fold=0)."""
    return datetime.combine(d, time(hh, mm), AMS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rule(**kw) -> Rule:
    base = dict(
        volunteer_id=10,
        branch_id=1,
        service_ids=frozenset({7}),
        start=time(9),
        end=time(12),
        weekday=0,
    )
    base.update(kw)
    return Rule(**base)


def svc(**kw) -> ServiceSettings:
    base = dict(service_id=7, duration=30 * MIN, step=30 * MIN, horizon=timedelta(weeks=200))
    base.update(kw)
    return ServiceSettings(**base)


def run(rules, *, service=None, now=None, **kw) -> list[Slot]:
    return compute_slots(
        service=service or svc(),
        rules=rules,
        zones=ZONES,
        now=now or utc(2026, 1, 1),
        **kw,
    )


def day_walls(slots, d: date) -> list[str]:
    """Local wall start times (HH:MM) of the slots on local date d."""
    out = []
    for s in slots:
        loc = s.start.astimezone(AMS)
        if loc.date() == d:
            out.append(loc.strftime("%H:%M"))
    return out


def one_day(d: date) -> dict:
    return dict(window_start=local(d, 0), window_end=local(d + timedelta(days=1), 0))


# --- daylight saving time -------------------------------------------------------------------


def test_monday_evening_keeps_local_time_across_spring_forward():
    r = rule(start=time(19), end=time(21))
    service = svc(duration=2 * 60 * MIN, step=None)
    slots = run([r], service=service, window_start=utc(2027, 3, 20), window_end=utc(2027, 4, 2))
    assert [s.start for s in slots] == [utc(2027, 3, 22, 18), utc(2027, 3, 29, 17)]
    assert all(s.start.astimezone(AMS).time() == time(19) for s in slots)
    assert slots[1].start - slots[0].start == timedelta(days=7) - timedelta(hours=1)


def test_monday_evening_keeps_local_time_across_fall_back():
    r = rule(start=time(19), end=time(21))
    service = svc(duration=2 * 60 * MIN, step=None)
    slots = run([r], service=service, window_start=utc(2026, 10, 17), window_end=utc(2026, 10, 30))
    assert [s.start for s in slots] == [utc(2026, 10, 19, 17), utc(2026, 10, 26, 18)]
    assert all(s.start.astimezone(AMS).time() == time(19) for s in slots)


def test_spring_forward_skips_nonexistent_wall_times():
    d = date(2027, 3, 28)
    r = rule(weekday=6, start=time(1), end=time(4))
    slots = run([r], **one_day(d))
    assert day_walls(slots, d) == ["01:00", "01:30", "03:00", "03:30"]
    assert [s.start for s in slots] == [
        utc(2027, 3, 28, 0, 0),
        utc(2027, 3, 28, 0, 30),
        utc(2027, 3, 28, 1, 0),
        utc(2027, 3, 28, 1, 30),
    ]
    for s in slots:
        loc = s.start.astimezone(AMS)
        assert not time(2) <= loc.time() < time(3)
        # The wall time exists: it round-trips through UTC.
        assert loc.replace(tzinfo=None).replace(tzinfo=AMS).astimezone(UTC) == s.start


def test_slot_end_is_elapsed_time_across_the_gap():
    d = date(2027, 3, 28)
    r = rule(weekday=6, start=time(1, 30), end=time(4))
    slots = run([r], service=svc(duration=60 * MIN, step=None), **one_day(d))
    # 01:30 + 1 hour of elapsed time is 03:30 on the wall; 03:30 + 60 > 04:00 so no second slot.
    assert [(s.start, s.end) for s in slots] == [(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 30))]
    assert slots[0].end.astimezone(AMS).time() == time(3, 30)


def test_fall_back_uses_ambiguous_wall_times_once():
    d = date(2026, 10, 25)
    r = rule(weekday=6, start=time(1), end=time(4))
    slots = run([r], **one_day(d))
    walls = day_walls(slots, d)
    assert walls == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    assert len(set(walls)) == len(walls)
    starts = [s.start for s in slots]
    assert len(set(starts)) == len(starts)
    assert starts == [
        utc(2026, 10, 24, 23, 0),
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0, 0),  # 02:00 first time (CEST, fold=0)
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 2, 0),  # 03:00 CET
        utc(2026, 10, 25, 2, 30),
    ]
    assert all(s.end - s.start == 30 * MIN for s in slots)


def test_other_sundays_of_the_spring_and_autumn_are_ordinary():
    r = rule(weekday=6, start=time(1), end=time(4))
    for d in (date(2027, 3, 21), date(2027, 4, 4), date(2026, 10, 18), date(2026, 11, 1)):
        assert day_walls(run([r], **one_day(d)), d) == [
            "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"
        ]


# --- buffers, time off, closures ------------------------------------------------------------


def busy_at(hh, mm, minutes=30, **kw) -> Busy:
    start = local(MONDAY, hh, mm)
    return Busy(volunteer_id=10, start=start, end=start + minutes * MIN, **kw)


def test_busy_blocks_only_overlapping_candidates():
    slots = run([rule()], busy=[busy_at(10, 0)], **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "10:30", "11:00", "11:30"]


def test_service_buffer_after_keeps_distance_before_a_booking():
    slots = run([rule()], service=svc(buffer_after=15 * MIN), busy=[busy_at(10, 0)], **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "10:30", "11:00", "11:30"]


def test_service_buffer_before_keeps_distance_after_a_booking():
    slots = run([rule()], service=svc(buffer_before=15 * MIN), busy=[busy_at(10, 0)], **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "11:00", "11:30"]


def test_busy_buffer_after_blocks_the_next_slot():
    busy = [busy_at(10, 0, buffer_after=15 * MIN)]
    slots = run([rule()], busy=busy, **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "11:00", "11:30"]


def test_busy_buffer_before_blocks_the_previous_slot():
    busy = [busy_at(10, 0, buffer_before=15 * MIN)]
    slots = run([rule()], busy=busy, **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "10:30", "11:00", "11:30"]


def test_buffers_of_both_sides_do_not_add_up():
    # A 15-minute gap satisfies a 15-minute service buffer and a 15-minute booking buffer at once.
    service = svc(step=15 * MIN, buffer_after=15 * MIN)
    busy = [busy_at(10, 0, buffer_before=15 * MIN)]
    slots = run([rule()], service=service, busy=busy, **one_day(MONDAY))
    walls = day_walls(slots, MONDAY)
    assert "09:15" in walls
    assert "09:30" not in walls


def test_touching_intervals_do_not_conflict():
    slots = run([rule()], busy=[busy_at(10, 0, minutes=60)], **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "11:00", "11:30"]


def test_away_blocks_the_volunteer_with_service_buffers():
    start = local(MONDAY, 10, 0)
    away = [Away(volunteer_id=10, start=start, end=start + 60 * MIN)]
    other = rule(volunteer_id=11)
    slots = run([rule(), other], service=svc(buffer_before=10 * MIN), away=away, **one_day(MONDAY))
    mine = [s for s in slots if s.volunteer_id == 10]
    theirs = [s for s in slots if s.volunteer_id == 11]
    assert day_walls(mine, MONDAY) == ["09:00", "09:30", "11:30"]
    assert len(theirs) == 6


def test_closure_blocks_only_that_branch():
    closure = [Closure(branch_id=1, start=local(MONDAY, 0), end=local(MONDAY, 10, 30))]
    rules = [rule(branch_id=1), rule(volunteer_id=11, branch_id=2)]
    slots = run(rules, closures=closure, **one_day(MONDAY))
    assert day_walls([s for s in slots if s.branch_id == 1], MONDAY) == ["10:30", "11:00", "11:30"]
    assert len([s for s in slots if s.branch_id == 2]) == 6


def test_busy_at_one_branch_blocks_the_volunteer_at_another():
    rules = [rule(branch_id=1, start=time(9), end=time(10)), rule(branch_id=2, start=time(10), end=time(12))]
    slots = run(rules, busy=[busy_at(9, 0, minutes=90)], **one_day(MONDAY))
    assert [(s.branch_id, s.start.astimezone(AMS).strftime("%H:%M")) for s in slots] == [
        (2, "10:30"),
        (2, "11:00"),
        (2, "11:30"),
    ]


def test_busy_of_another_volunteer_does_not_block():
    busy = [Busy(volunteer_id=99, start=local(MONDAY, 9), end=local(MONDAY, 12))]
    assert len(run([rule()], busy=busy, **one_day(MONDAY))) == 6


# --- notice, horizon, window ----------------------------------------------------------------


def test_min_notice_is_inclusive_at_the_boundary():
    now = local(MONDAY, 8).astimezone(UTC)
    slots = run([rule()], service=svc(min_notice=2 * 60 * MIN), now=now, **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["10:00", "10:30", "11:00", "11:30"]


def test_horizon_is_exclusive_at_the_boundary():
    now = local(MONDAY, 8).astimezone(UTC)
    service = svc(horizon=7 * 24 * 60 * MIN + 2 * 60 * MIN)  # ends next Monday 10:00 local
    slots = run([rule()], service=service, now=now)
    nxt = MONDAY + timedelta(days=7)
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    assert day_walls(slots, nxt) == ["09:00", "09:30"]
    assert len(slots) == 8


def test_now_in_the_past_of_the_rule_and_horizon_before_it_gives_nothing():
    now = local(MONDAY, 12).astimezone(UTC)
    assert run([rule()], service=svc(horizon=timedelta(days=6)), now=now) == []


def test_window_start_inclusive_and_end_exclusive():
    slots = run([rule()], window_start=local(MONDAY, 9, 30), window_end=local(MONDAY, 11))
    assert day_walls(slots, MONDAY) == ["09:30", "10:00", "10:30"]


def test_window_in_another_zone_is_an_instant():
    ws = local(MONDAY, 10).astimezone(ZoneInfo("America/New_York"))
    slots = run([rule()], window_start=ws, window_end=local(MONDAY, 11))
    assert day_walls(slots, MONDAY) == ["10:00", "10:30"]


def test_empty_window_gives_nothing():
    assert run([rule()], window_start=local(MONDAY, 11), window_end=local(MONDAY, 11)) == []


# --- rule shapes ----------------------------------------------------------------------------


def dates_of(slots) -> list[date]:
    return sorted({s.start.astimezone(AMS).date() for s in slots})


def test_every_two_weeks_counts_from_the_week_of_valid_from():
    # valid_from is a Wednesday: its week's Monday (Jan 5) is week 0 but lies before valid_from.
    r = rule(every_n_weeks=2, valid_from=date(2026, 1, 7), start=time(9), end=time(9, 30))
    slots = run([r], window_start=utc(2026, 1, 1), window_end=utc(2026, 3, 1))
    assert dates_of(slots) == [date(2026, 1, 19), date(2026, 2, 2), date(2026, 2, 16)]


def test_every_three_weeks_without_valid_from_counts_from_2024_01_01():
    r = rule(every_n_weeks=3, start=time(9), end=time(9, 30))
    slots = run([r], window_start=utc(2026, 1, 1), window_end=utc(2026, 2, 15))
    # 2026-01-05 is 105 weeks after 2024-01-01 (a multiple of 3).
    assert (date(2026, 1, 5) - date(2024, 1, 1)).days // 7 == 105
    assert dates_of(slots) == [date(2026, 1, 5), date(2026, 1, 26)]


def test_validity_dates_are_inclusive():
    r = rule(valid_from=date(2026, 6, 1), valid_until=date(2026, 6, 15), start=time(9), end=time(9, 30))
    slots = run([r], window_start=utc(2026, 5, 1), window_end=utc(2026, 7, 1))
    assert dates_of(slots) == [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)]


def test_one_off_rule_applies_on_its_date_only():
    r = rule(weekday=None, on_date=date(2026, 6, 3), start=time(14), end=time(15))
    slots = run([r], window_start=utc(2026, 5, 1), window_end=utc(2026, 7, 1))
    assert dates_of(slots) == [date(2026, 6, 3)]
    assert day_walls(slots, date(2026, 6, 3)) == ["14:00", "14:30"]


def test_one_off_rule_outside_validity_gives_nothing():
    r = rule(weekday=None, on_date=date(2026, 6, 3), valid_until=date(2026, 6, 2))
    assert run([r]) == []


def test_rules_for_other_services_do_not_count():
    r = rule(service_ids=frozenset({8, 9}))
    assert run([r], **one_day(MONDAY)) == []
    both = rule(service_ids=frozenset({7, 8}))
    assert len(run([both], **one_day(MONDAY))) == 6
    assert all(s.service_id == 7 for s in run([both], **one_day(MONDAY)))


def test_back_to_back_when_step_is_none():
    slots = run([rule()], service=svc(duration=45 * MIN, step=None), **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:45", "10:30", "11:15"]
    assert all(s.end - s.start == 45 * MIN for s in slots)


def test_rule_shorter_than_the_service_gives_nothing():
    assert run([rule(end=time(9, 20))], **one_day(MONDAY)) == []


# --- daily maximum --------------------------------------------------------------------------


def test_max_per_day_closes_the_date_when_reached():
    service = svc(max_per_volunteer_per_day=2)
    busy = [busy_at(9, 0), busy_at(11, 30)]
    assert day_walls(run([rule()], service=service, busy=busy, **one_day(MONDAY)), MONDAY) == []
    # Another date is unaffected.
    nxt = MONDAY + timedelta(days=7)
    assert len(run([rule()], service=service, busy=busy, **one_day(nxt))) == 6


def test_max_per_day_ignores_busy_that_does_not_count():
    service = svc(max_per_volunteer_per_day=2)
    busy = [busy_at(9, 0), busy_at(11, 30, counts_toward_daily_max=False)]
    slots = run([rule()], service=service, busy=busy, **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:30", "10:00", "10:30", "11:00"]


def test_max_per_day_counts_by_local_date():
    # 22:30Z on Sunday is 00:30 on Monday in Amsterdam (summer time): it counts for Monday.
    early = Busy(volunteer_id=10, start=utc(2026, 5, 31, 22, 30), end=utc(2026, 5, 31, 23))
    service = svc(max_per_volunteer_per_day=1)
    assert run([rule()], service=service, busy=[early], **one_day(MONDAY)) == []


# --- filters, dedupe, order -----------------------------------------------------------------


def test_volunteer_and_branch_filters():
    rules = [rule(volunteer_id=10, branch_id=1), rule(volunteer_id=11, branch_id=2), rule(volunteer_id=10, branch_id=2)]
    by_vol = run(rules, volunteer_id=10, **one_day(MONDAY))
    assert {(s.volunteer_id, s.branch_id) for s in by_vol} == {(10, 1), (10, 2)}
    by_branch = run(rules, branch_id=2, **one_day(MONDAY))
    assert {(s.volunteer_id, s.branch_id) for s in by_branch} == {(11, 2), (10, 2)}
    both = run(rules, volunteer_id=10, branch_id=1, **one_day(MONDAY))
    assert {(s.volunteer_id, s.branch_id) for s in both} == {(10, 1)}


def test_overlapping_rules_of_one_volunteer_are_deduplicated():
    rules = [rule(start=time(9), end=time(11)), rule(start=time(10), end=time(12))]
    slots = run(rules, **one_day(MONDAY))
    assert day_walls(slots, MONDAY) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]


def test_same_volunteer_same_start_at_two_branches_keeps_both():
    rules = [rule(branch_id=1), rule(branch_id=2)]
    slots = run(rules, **one_day(MONDAY))
    assert len(slots) == 12
    assert [(s.branch_id) for s in slots[:2]] == [1, 2]
    assert slots[0].start == slots[1].start


def test_result_is_sorted_and_independent_of_input_order():
    rules = [
        rule(volunteer_id=v, branch_id=b, start=time(h), end=time(h + 2))
        for v in (12, 10, 11)
        for b in (2, 1)
        for h in (9, 14)
    ]
    busy = [busy_at(9, 30), Busy(volunteer_id=12, start=local(MONDAY, 14), end=local(MONDAY, 15))]
    expected = run(rules, busy=busy, **one_day(MONDAY))
    assert expected == sorted(expected)
    keys = [(s.start, s.volunteer_id, s.branch_id) for s in expected]
    assert keys == sorted(set(keys))
    rng = random.Random(4)
    for _ in range(5):
        rng.shuffle(rules)
        rng.shuffle(busy)
        assert run(rules, busy=busy, **one_day(MONDAY)) == expected


def test_slots_are_in_utc():
    slots = run([rule()], **one_day(MONDAY))
    assert slots[0].start == utc(2026, 6, 1, 7)
    assert slots[0].start.utcoffset() == timedelta(0)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        compute_slots(service=svc(), rules=[rule()], zones=ZONES, now=datetime(2026, 1, 1))


def test_missing_zone_is_refused():
    with pytest.raises(ValueError):
        compute_slots(service=svc(), rules=[rule(branch_id=3)], zones=ZONES, now=utc(2026, 1, 1))


def test_plain_constructor_path_gives_the_same_slots(monkeypatch):
    from bookings.scheduling import engine

    rules = [rule(volunteer_id=v, branch_id=b) for v in (10, 11) for b in (1, 2)]
    fast = run(rules, **one_day(MONDAY))
    monkeypatch.setattr(engine, "_SLOT_SETTERS", None)
    plain = run(rules, **one_day(MONDAY))
    as_tuples = lambda slots: [(s.start, s.end, s.volunteer_id, s.branch_id, s.service_id) for s in slots]  # noqa: E731
    assert as_tuples(fast) == as_tuples(plain)
    assert fast == plain and {hash(s) for s in fast} == {hash(s) for s in plain}
    assert repr(fast[0]) == repr(plain[0])
