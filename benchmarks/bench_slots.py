"""Time compute_slots on synthetic data: run with `.venv/bin/python benchmarks/bench_slots.py`.

Volunteers spread over 3 branches with 5 weekly rules each (2-3 hours, services mixed), 10 existing
bookings per volunteer, an 8-week horizon that crosses the spring clock change, a 45-minute service
with a 15-minute step. Prints the median of repeated runs for (a) all slots of one service over the
horizon and (b) one branch on one day, at three sizes. Only the pure part: no database.
"""
from __future__ import annotations

import random
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_ms  # noqa: E402

from bookings.scheduling import Away, Busy, Closure, Rule, ServiceSettings, compute_slots  # noqa: E402

UTC = timezone.utc
BRANCHES = (1, 2, 3)
ZONES = {b: "Europe/Amsterdam" for b in BRANCHES}
NOW = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # a Monday; the horizon crosses 2026-03-29
SERVICE = ServiceSettings(
    service_id=1,
    duration=timedelta(minutes=45),
    step=timedelta(minutes=15),
    buffer_before=timedelta(minutes=5),
    buffer_after=timedelta(minutes=10),
    min_notice=timedelta(hours=12),
    horizon=timedelta(weeks=8),
    max_per_volunteer_per_day=4,
)


def build(volunteers: int, bookings_per_volunteer: int = 10, seed: int = 1) -> dict:
    rng = random.Random(seed)
    rules: list[Rule] = []
    for v in range(1, volunteers + 1):
        home = BRANCHES[v % 3]
        for _ in range(5):
            start_q = rng.randrange(9 * 4, 18 * 4)  # 09:00-18:00 on a 15-minute grid
            length_q = rng.randrange(8, 13)  # 2-3 hours
            end_q = start_q + length_q
            rules.append(
                Rule(
                    volunteer_id=v,
                    branch_id=home if rng.random() < 0.8 else rng.choice(BRANCHES),
                    service_ids=frozenset(rng.sample((1, 2, 3), rng.randint(1, 3))),
                    start=time(start_q // 4, start_q % 4 * 15),
                    end=time(end_q // 4, end_q % 4 * 15),
                    weekday=rng.randrange(6),
                    valid_from=date(2026, 1, 1),
                    every_n_weeks=rng.choice((1, 1, 1, 2)),
                )
            )
    busy: list[Busy] = []
    for _ in range(volunteers * bookings_per_volunteer):
        v = rng.randint(1, volunteers)
        start = NOW + timedelta(minutes=15 * rng.randrange(8 * 7 * 24 * 4))
        start = start.replace(hour=rng.randrange(8, 18))  # mostly during opening hours
        busy.append(
            Busy(
                volunteer_id=v,
                start=start,
                end=start + timedelta(minutes=rng.choice((30, 45, 60))),
                buffer_before=timedelta(minutes=rng.choice((0, 5, 10))),
                buffer_after=timedelta(minutes=rng.choice((0, 10, 15))),
                counts_toward_daily_max=rng.random() < 0.9,
            )
        )
    away = []
    for _ in range(volunteers // 10):
        start = NOW + timedelta(days=rng.randrange(56))
        away.append(Away(volunteer_id=rng.randint(1, volunteers), start=start, end=start + timedelta(days=rng.randint(1, 14))))
    closures = [
        Closure(branch_id=b, start=datetime(2026, 4, 5, 22, tzinfo=UTC), end=datetime(2026, 4, 6, 22, tzinfo=UTC))
        for b in BRANCHES
    ]  # Easter Monday
    return dict(service=SERVICE, rules=rules, zones=ZONES, busy=busy, away=away, closures=closures, now=NOW)



def main() -> None:
    day = datetime(2026, 3, 30, 22, tzinfo=UTC)  # Tuesday 2026-03-31, local midnight to midnight
    print(f"{'volunteers':>10} {'bookings':>8} | {'(a) horizon ms':>14} {'slots':>6} | {'(b) branch-day ms':>17} {'slots':>5}")
    for volunteers in (50, 100, 200):
        data = build(volunteers)
        every = lambda: compute_slots(**data)  # noqa: E731
        one_day = lambda: compute_slots(**data, branch_id=1, window_start=day, window_end=day + timedelta(days=1))  # noqa: E731
        a_ms, a_n = median_ms(every, repeat=31), len(every())
        b_ms, b_n = median_ms(one_day, repeat=201), len(one_day())
        print(f"{volunteers:>10} {len(data['busy']):>8} | {a_ms:>14.2f} {a_n:>6} | {b_ms:>17.3f} {b_n:>5}")
    print("targets at 200 volunteers: (a) well under 40 ms, (b) under 2 ms (median)")


if __name__ == "__main__":
    main()
