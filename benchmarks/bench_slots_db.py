"""Slot listing with the database query included: `.venv/bin/python benchmarks/bench_slots_db.py`.

The same synthetic network as bench_slots.py (volunteers over 3 branches, 5 weekly rules each,
10 bookings per volunteer, an 8-week horizon across the spring clock change), stored in a SQLite
file and read back through ``bookings.services.availability.list_slots``, the function behind the
pages and the API. Prints the median for (a) all slots of one service over the horizon and (b)
one branch on one day, at three sizes.
"""
from __future__ import annotations

import gc
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_slots import NOW, build  # noqa: E402
from timing import median_ms  # noqa: E402

from bookings import create_app  # noqa: E402
from bookings.extensions import db  # noqa: E402
from bookings.models import (  # noqa: E402
    AvailabilityRule,
    Booking,
    BookingStatus,
    Branch,
    Service,
    ServiceKind,
    Volunteer,
)
from bookings.services.availability import list_slots  # noqa: E402
from bookings.services.timezones import local_date  # noqa: E402


def load(volunteers: int, one_service_per_rule: bool) -> None:
    data = build(volunteers)
    branches = [Branch(id=b, slug=f"b{b}", name=f"Branch {b}", address="Straat 1") for b in (1, 2, 3)]
    services = [Service(id=s, slug=f"s{s}", kind=ServiceKind.APPOINTMENT, name_nl=f"S{s}", name_en=f"S{s}",
                        duration_minutes=45, step_minutes=15, buffer_before_minutes=5,
                        buffer_after_minutes=10, min_notice_minutes=720, horizon_days=56,
                        max_per_volunteer_per_day=4) for s in (1, 2, 3)]
    db.session.add_all(branches + services)
    db.session.add_all(Volunteer(id=v, email=f"v{v}@example.org", first_name=f"V{v}")
                       for v in range(1, volunteers + 1))
    db.session.flush()
    by_id = {s.id: s for s in services}
    for n, rule in enumerate(data["rules"]):
        # A coach's hours are for coaching and a language volunteer's for language help: in the
        # realistic variant each rule offers one of the three services; in the dense one, 1 to 3.
        service_ids = {n % 3 + 1} if one_service_per_rule else rule.service_ids
        db.session.add(AvailabilityRule(
            volunteer_id=rule.volunteer_id, branch_id=rule.branch_id, weekday=rule.weekday,
            start_time=rule.start, end_time=rule.end, valid_from=rule.valid_from,
            every_n_weeks=rule.every_n_weeks, services=[by_id[s] for s in sorted(service_ids)]))
    seen = set()
    for n, busy in enumerate(data["busy"]):
        if (busy.volunteer_id, busy.start) in seen:
            continue
        seen.add((busy.volunteer_id, busy.start))
        db.session.add(Booking(reference=f"R{n:07d}", service_id=2, branch_id=1, volunteer_id=busy.volunteer_id,
                               starts_at=busy.start, ends_at=busy.end, status=BookingStatus.CONFIRMED,
                               first_name="X", language="nl"))
    db.session.commit()



def main() -> None:
    for one_service_per_rule in (True, False):
        print("each rule offers one service" if one_service_per_rule else "dense: each rule offers 1-3 services")
        run(one_service_per_rule)


def run(one_service_per_rule: bool) -> None:
    print(f"{'volunteers':>10} {'(a) service, 8 weeks':>22} {'slots':>7} {'(b) branch, 1 day':>19} {'slots':>6}")
    for volunteers in (50, 100, 200):
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench"})
            with app.app_context():
                db.create_all()
                load(volunteers, one_service_per_rule)
                db.session.expunge_all()
                # As create_app does at start-up: what lives for the whole process (here also the
                # test data's leftovers) leaves the collector's generations.
                gc.collect()
                gc.freeze()
                service = db.session.get(Service, 1)
                branch = db.session.get(Branch, 1)
                today = local_date(NOW, "Europe/Amsterdam")
                day = today + timedelta(days=9)
                every = lambda: list_slots(service, first_day=today, last_day=today + timedelta(days=56), now=NOW)  # noqa: E731
                one_day = lambda: list_slots(service, branch=branch, first_day=day, last_day=day, now=NOW)  # noqa: E731
                a, b = median_ms(every, 21), median_ms(one_day, 101)
                print(f"{volunteers:>10} {a:>19.1f} ms {len(every()):>7} {b:>16.2f} ms {len(one_day()):>6}")
                db.session.remove()


if __name__ == "__main__":
    main()
