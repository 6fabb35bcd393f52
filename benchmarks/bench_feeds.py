"""Time a volunteer's private feed with 5,000 entries: `.venv/bin/python benchmarks/bench_feeds.py`.

One volunteer, 5,000 confirmed appointments spread over the feed's year (plus some cancelled ones,
which the validators count but the body leaves out), a file SQLite database, through Flask's test
client. Prints the median of repeated runs for (a) a full 200 answer and (b) a conditional GET
answered 304, both computed afresh (read cache off, as after every change to the data). Targets:
(a) < 300 ms, (b) < 5 ms. Then the same two answered from the read cache (services.read_cache).
"""
from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_ms  # noqa: E402

from bookings import create_app  # noqa: E402
from bookings.extensions import db  # noqa: E402
from bookings.models import (  # noqa: E402
    Booking,
    BookingStatus,
    Branch,
    Service,
    ServiceKind,
    Volunteer,
)
from bookings.services.feeds import new_feed_token  # noqa: E402
from bookings.services.timezones import utcnow  # noqa: E402
from bookings.services.tokens import new_reference  # noqa: E402

ENTRIES = 5_000
CANCELLED = 500



def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench",
                    "OUTBOX_DIR": f"{tmp}/outbox", "RATELIMIT_ENABLED": False}
        app = create_app({**settings, "READ_CACHE_SIZE": 0})
        with app.app_context():
            db.create_all()
            branch = Branch(slug="amstelveen", name="Bibliotheek Amstelveen", address="Stadsplein 1, 1181 ZM Amstelveen")
            service = Service(slug="loopbaancoach", kind=ServiceKind.APPOINTMENT, name_nl="Loopbaancoach",
                              name_en="Career coach", duration_minutes=45,
                              topics=[{"key": "cv", "nl": "Een cv maken", "en": "Write a CV"}])
            volunteer = Volunteer(email="coach@example.org", first_name="Jan")
            db.session.add_all([branch, service, volunteer])
            db.session.flush()
            first = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=20)
            step = timedelta(days=380) / (ENTRIES + CANCELLED)
            references = set()
            while len(references) < ENTRIES + CANCELLED:
                references.add(new_reference())
            now = utcnow()
            rows = [dict(reference=reference, service_id=service.id, branch_id=branch.id,
                         volunteer_id=volunteer.id, starts_at=first + n * step,
                         ends_at=first + n * step + timedelta(minutes=45),
                         status=BookingStatus.CANCELLED if n % 11 == 0 else BookingStatus.CONFIRMED,
                         first_name=f"Bewoner{n}", email=f"r{n}@example.org", topic="cv", language="nl",
                         sequence=n % 3, created_at=now, updated_at=now)
                     for n, reference in enumerate(sorted(references))]
            db.session.execute(Booking.__table__.insert(), rows)
            db.session.commit()
            token = new_feed_token(volunteer)
        url = f"/feeds/volunteers/{token}.ics"
        client = app.test_client()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        shown = response.data.count(b"BEGIN:VEVENT")
        etag = response.headers["ETag"]
        full = median_ms(lambda: client.get(url), 15)
        not_modified = median_ms(lambda: client.get(url, headers={"If-None-Match": etag}), 200)
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        print(f"volunteer feed: {shown} entries, {len(response.data) / 1e6:.1f} MB")
        print(f"  full 200 render: median {full:7.1f} ms  (target < 300 ms)")
        print(f"  304 (If-None-Match): median {not_modified:7.2f} ms  (target < 5 ms)")
        cached = create_app({**settings, "READ_CACHE_SIZE": 16}).test_client()
        assert cached.get(url).data == response.data
        print(f"  from the read cache: 200 median {median_ms(lambda: cached.get(url), 50):.2f} ms, "
              f"304 median {median_ms(lambda: cached.get(url, headers={'If-None-Match': etag}), 200):.2f} ms")


if __name__ == "__main__":
    main()
