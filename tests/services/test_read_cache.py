"""Cached public answers (services.read_cache): reused while nothing changed, never stale after a write."""
from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, select, update

from bookings import create_app
from bookings.extensions import db
from bookings.models import DataVersion, OutboxMessage, Service, ServiceKind, TimeOff, Volunteer
from bookings.services import availability, read_cache
from bookings.services.outbox import deliver_pending
from bookings.services.timezones import local_date, utcnow
from tests.conftest import IsolatedClient
from tests.factories import (
    create_branch,
    create_closure,
    create_event,
    create_every_day_rules,
    create_service,
    create_time_off,
    create_volunteer,
    soon,
)


@pytest.fixture
def setting(app):
    branch = create_branch(slug="aalsmeer")
    service = create_service(slug="taalvrijwilliger", duration_minutes=60)
    volunteer = create_volunteer(first_name="Henk")
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(10), end=time(12))
    return branch, service, volunteer


def day_query(days: int = 2) -> dict:
    day = (local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=days)).isoformat()
    return {"service": "taalvrijwilliger", "branch": "aalsmeer", "from": day, "to": day}


def starts(client, **query) -> list[str]:
    response = client.get("/api/v1/slots", query_string=query or day_query())
    assert response.status_code == 200, response.json
    return [slot["start"] for slot in response.json]


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def version() -> int:
    db.session.expire_all()
    return db.session.scalar(select(DataVersion.token))


# --- reuse -------------------------------------------------------------------------------------


def test_a_repeated_question_is_answered_with_one_query(client, setting):
    first = starts(client)
    assert len(first) == 2
    with counted_statements() as statements:
        assert starts(client) == first
    assert len(statements) == 1 and "data_version" in statements[0]


def test_a_listing_is_reused_by_every_page_that_shows_it(app, setting):
    branch, service, _ = setting

    def listed(statements):
        db.session.expire_all()  # as in a new request: rows are loaded again
        db.session.refresh(service), db.session.refresh(branch)  # (the view's own lookups)
        with counted_statements() as counted:
            slots = availability.list_slots(service, branch=branch, first_day=_day(), last_day=_day())
            statements.extend(counted)
        return [(slot.start, slot.volunteer.first_name) for slot in slots]

    cold, warm = [], []
    first = listed(cold)
    assert listed(warm) == first
    # Warm: the version and the volunteers named in it; cold also loads rules and busy time.
    assert len(warm) == 2 < len(cold)
    assert first[0][1] == "Henk"


def test_a_listing_is_reused_within_its_minute_only(client, setting, monkeypatch):
    moment = utcnow().replace(second=10, microsecond=0)
    monkeypatch.setattr(availability, "utcnow", lambda: moment)
    starts(client)
    monkeypatch.setattr(availability, "utcnow", lambda: moment + timedelta(seconds=45))
    with counted_statements() as same_minute:
        starts(client)
    monkeypatch.setattr(availability, "utcnow", lambda: moment + timedelta(seconds=55))
    with counted_statements() as next_minute:
        starts(client)
    assert len(same_minute) == 1
    assert len(next_minute) > 1


def test_without_a_cache_every_question_is_computed(app, setting):
    app.extensions.pop("read_cache")  # as with READ_CACHE_SIZE = 0
    client = app.test_client()
    first = starts(client)
    with counted_statements() as statements:
        assert starts(client) == first
    assert len(statements) > 3


def test_size_zero_turns_the_cache_off(database_url, tmp_path):
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                        "READ_CACHE_SIZE": 0, "OUTBOX_DIR": str(tmp_path / "outbox")})
    assert "read_cache" not in other.extensions


# --- every kind of write shows at once ---------------------------------------------------------


def add_time_off(branch, service, volunteer):
    start = datetime.fromisoformat(day_query()["from"] + "T00:00:00+01:00").astimezone(timezone.utc)
    create_time_off(volunteer=volunteer, starts_at=start, ends_at=start + timedelta(days=1))


def add_closure(branch, service, volunteer):
    create_closure(branch=branch, starts_on=datetime.fromisoformat(day_query()["from"]).date())


def deactivate_volunteer_in_bulk(branch, service, volunteer):
    # An UPDATE statement, not a flushed object: seen through the session's execute hook.
    db.session.execute(update(Volunteer).where(Volunteer.id == volunteer.id).values(active=False))
    db.session.commit()


def deactivate_service(branch, service, volunteer):
    db.session.get(Service, service.id).active = False
    db.session.commit()


def add_a_second_volunteer(branch, service, volunteer):
    other = create_volunteer(first_name="Petra")
    create_every_day_rules(volunteer=other, branch=branch, services=[service], start=time(14), end=time(15))


@pytest.mark.parametrize("write", [add_time_off, add_closure, deactivate_volunteer_in_bulk,
                                   deactivate_service, add_a_second_volunteer])
def test_a_write_shows_in_the_next_answer(client, setting, write):
    before = version()
    cached = client.get("/api/v1/slots", query_string=day_query())
    write(*setting)
    assert version() != before
    fresh = client.get("/api/v1/slots", query_string=day_query())
    assert fresh.get_data() != cached.get_data()


def test_a_booking_takes_its_time_out_of_the_listing_and_the_pages(client, setting):
    listed = starts(client)
    slot_id = client.get("/api/v1/slots", query_string=day_query()).json[0]["id"]
    assert client.post("/api/v1/bookings", json={"slot": slot_id, "name": "Amira", "email": "amira@example.org"}).status_code == 201
    assert starts(client) == listed[1:]
    day = day_query()["from"]
    page = client.get(f"/book/taalvrijwilliger/aalsmeer/{day}").get_data(as_text=True)
    assert slot_id not in page


def test_event_places_are_counted_afresh_after_a_booking(client, app):
    branch = create_branch(slug="aalsmeer")
    service = create_service(slug="week", kind=ServiceKind.EVENT)
    create_event(service=service, branch=branch, starts_at=soon(days=5), capacity=2, place_minutes=None)
    query = {"service": "week", "branch": "aalsmeer"}
    first = client.get("/api/v1/slots", query_string=query).json
    assert [slot["places_left"] for slot in first] == [2, 2]
    assert client.post("/api/v1/bookings", json={"slot": first[0]["id"], "name": "Amira", "email": "amira@example.org"}).status_code == 201
    assert [slot["places_left"] for slot in client.get("/api/v1/slots", query_string=query).json] == [1]


def test_sending_mail_keeps_the_cache(app, client, setting):
    slot_id = client.get("/api/v1/slots", query_string=day_query()).json[0]["id"]
    assert client.post("/api/v1/bookings", json={"slot": slot_id, "name": "Amira",
                                                 "email": "amira@example.org"}).status_code == 201
    before = version()
    assert deliver_pending().sent >= 1  # claims, sends and marks messages: outbox rows only
    assert all(message.sent_at for message in db.session.scalars(select(OutboxMessage)))
    assert version() == before


def test_a_rolled_back_write_keeps_the_version(app, setting):
    before = version()
    setting[2].first_name = "Henkie"
    db.session.flush()
    db.session.rollback()
    assert version() == before
    db.session.commit()  # nothing left to write: no new version either
    assert version() == before


def test_a_transaction_that_wrote_reads_its_own_writes(app, setting):
    branch, service, volunteer = setting

    def listed():
        return [slot.start for slot in availability.list_slots(service, branch=branch, first_day=_day(),
                                                                last_day=_day())]

    first = listed()  # now cached
    db.session.add(TimeOff(volunteer_id=volunteer.id, starts_at=first[0], ends_at=first[0] + timedelta(hours=1)))
    db.session.flush()  # written, not committed: the cached listing would still offer first[0]
    assert listed() == first[1:]
    db.session.rollback()
    assert listed() == first


def _day():
    return datetime.fromisoformat(day_query()["from"]).date()


def test_another_worker_sees_a_write_at_once(app, client, database_url, setting, tmp_path):
    """Two apps on one database stand for two gunicorn workers (or two servers)."""
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                        "RATELIMIT_ENABLED": False, "OUTBOX_DIR": str(tmp_path / "outbox")})
    other.test_client_class = IsolatedClient
    try:
        listed = starts(client)
        assert starts(other.test_client()) == listed
        slot_id = client.get("/api/v1/slots", query_string=day_query()).json[0]["id"]
        booked = other.test_client().post("/api/v1/bookings", json={"slot": slot_id, "name": "Amira",
                                                                     "email": "amira@example.org"})
        assert booked.status_code == 201
        assert starts(client) == listed[1:]
    finally:
        with other.app_context():
            db.engine.dispose()


# --- feeds -------------------------------------------------------------------------------------


def test_a_cached_feed_is_the_same_answer_and_answers_304(client, setting):
    first = client.get("/feeds/branches/aalsmeer.ics")
    with counted_statements() as statements:
        second = client.get("/feeds/branches/aalsmeer.ics")
    assert len(statements) == 1
    assert second.get_data() == first.get_data()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    with counted_statements() as statements:
        again = client.get("/feeds/branches/aalsmeer.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and len(statements) == 1


def test_a_feed_changes_with_a_booking_and_unknown_feeds_stay_404(client, setting):
    first = client.get("/feeds/branches/aalsmeer.ics")
    slot_id = client.get("/api/v1/slots", query_string=day_query()).json[0]["id"]
    assert client.post("/api/v1/bookings", json={"slot": slot_id, "name": "Amira", "email": "amira@example.org"}).status_code == 201
    second = client.get("/feeds/branches/aalsmeer.ics")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert b"BEGIN:VEVENT" in second.get_data() and b"BEGIN:VEVENT" not in first.get_data()
    assert client.get("/feeds/branches/nergens.ics").status_code == 404
    assert client.get("/feeds/branches/nergens.ics").status_code == 404


# --- the listing's "now" ------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-07T09:00:00+00:00", "2026-12-07T09:00:00+00:00"),  # a whole minute stays
    ("2026-12-07T09:00:00.000001+00:00", "2026-12-07T09:01:00+00:00"),
    ("2026-12-07T09:59:59+00:00", "2026-12-07T10:00:00+00:00"),
    # The autumn change (Amsterdam 03:00 CEST -> 02:00 CET is 01:00 UTC) and the spring one.
    ("2026-10-25T00:59:30+00:00", "2026-10-25T01:00:00+00:00"),
    ("2027-03-28T00:59:30+00:00", "2027-03-28T01:00:00+00:00"),
])
def test_listing_instant_rounds_up_to_the_minute_in_utc(now, expected):
    assert availability.listing_instant(datetime.fromisoformat(now)) == datetime.fromisoformat(expected)


def test_a_time_inside_the_notice_period_is_never_offered(app, setting):
    """Rounding up only hides: a cached listing never offers a time booking would refuse."""
    service, branch = setting[1], setting[0]
    service.min_notice_minutes = 60
    db.session.commit()
    day = local_date(utcnow(), "Europe/Amsterdam")
    for slot in availability.list_slots(service, branch=branch, first_day=day, last_day=day + timedelta(days=1)):
        assert slot.start >= utcnow() + timedelta(minutes=60)


def test_untracked_tables_are_real_tables():
    assert read_cache.UNTRACKED_TABLES <= set(db.metadata.tables)
