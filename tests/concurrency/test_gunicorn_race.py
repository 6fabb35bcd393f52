"""Races through gunicorn with 4 worker processes, as in production: no in-process lock can help.

The database is the only arbiter. Runs on the test database: a SQLite file, or PostgreSQL when
BOOKINGS_TEST_DATABASE_URL is set. Delivery after the request is off, so the outbox shows exactly
what each booking queued.
"""
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
import time as clock
import urllib.error
import urllib.request
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, OutboxKind, OutboxMessage
from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_event, create_every_day_rules, create_service, create_volunteer, soon

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
WORKERS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """gunicorn -w 4 'bookings:create_app()' on the test database; always stopped afterwards."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = {**os.environ,
           "BOOKINGS_DATABASE_URL": database_url,
           "BOOKINGS_SECRET_KEY": "race-secret-key",
           "BOOKINGS_BASE_URL": "http://bibliotheek.test",
           "BOOKINGS_OUTBOX_SEND_AFTER_REQUEST": "false",
           "BOOKINGS_OUTBOX_DIR": str(tmp_path / "outbox"),
           "BOOKINGS_RATELIMIT_ENABLED": "false"}  # 50 clients on one address are not an attack here
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "--graceful-timeout", "5", "bookings:create_app()"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(server, url, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "[ERROR]" in line]
    assert not errors, log.read_text()[-4000:]


def _wait_until_serving(server: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    """Until every worker has booted and the app answers (each worker builds its own app)."""
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        if log.read_text().count("Booting worker") >= WORKERS:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/branches", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        clock.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-4000:]}")


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:
            return error.code, {"raw": raw[:200].decode(errors="replace")}


def all_at_once(count: int, work) -> list:
    """Start `count` threads together behind a barrier; return their results in thread order."""
    barrier, results = threading.Barrier(count, timeout=30), [None] * count

    def run(index):
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # a timeout or a reset connection: report it, do not hang
            results[index] = (None, {"exception": repr(error)})

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client did not finish within 120 s"
    return results


def calendar_method(message: OutboxMessage) -> str | None:
    """The iMIP method of the message's calendar part (REQUEST for an invitation), or None."""
    for part in email.message_from_bytes(message.raw, policy=email.policy.default).walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method")
    return None


def resident_messages(booking: Booking) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.booking_id == booking.id, OutboxMessage.recipient.contains(booking.email))))


def test_fifty_clients_one_appointment_slot_through_four_workers(app, gunicorn):
    branch, service = create_branch(), create_service(duration_minutes=60)
    volunteer = create_volunteer()
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(10), end=time(12))
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slot = app.test_client().get("/api/v1/slots", query_string={
        "service": service.slug, "from": day.isoformat(), "to": day.isoformat()}).json[0]

    results = all_at_once(CLIENTS, lambda i: post_json(f"{gunicorn}/api/v1/bookings", {
        "slot": slot["id"], "name": f"Resident{i}", "email": f"r{i}@example.org"}))

    statuses = sorted(status or 0 for status, _ in results)
    assert statuses == [201] + [409] * (CLIENTS - 1), results
    for status, body in results:
        if status == 409:
            assert body["error"] == "slot_taken" and body["message"], body
        else:
            assert body["status"] == "confirmed", body
    db.session.expire_all()
    bookings = list(db.session.scalars(select(Booking)))
    assert [b.status for b in bookings] == [BookingStatus.CONFIRMED]
    booking = bookings[0]
    # Exactly one invitation each for the resident and the volunteer, and nothing for the refused.
    invitations = resident_messages(booking)
    assert [m.kind for m in invitations] == [OutboxKind.INVITATION]
    assert calendar_method(invitations[0]) == "REQUEST"
    to_volunteer = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.contains(volunteer.email)))
    assert [m.kind for m in to_volunteer] == [OutboxKind.INVITATION]
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_fifty_clients_the_last_five_places_of_a_session_through_four_workers(app, gunicorn):
    service = create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=create_branch(), starts_at=soon(days=5, hour=11),
                         capacity=8, place_minutes=None)
    slot_id = f"e{event.id}"
    for i in range(3):  # three places gone before the rush
        assert post_json(f"{gunicorn}/api/v1/bookings", {"slot": slot_id, "name": f"Early{i}",
                                                         "email": f"early{i}@example.org"})[0] == 201

    results = all_at_once(CLIENTS, lambda i: post_json(f"{gunicorn}/api/v1/bookings", {
        "slot": slot_id, "name": f"Resident{i}", "email": f"r{i}@example.org"}))

    assert [status for status, _ in results] == [201] * CLIENTS, results
    confirmed = [body for _, body in results if body["status"] == "confirmed"]
    waiting = [body for _, body in results if body["status"] == "waitlisted"]
    assert len(confirmed) == 5 and len(waiting) == CLIENTS - 5
    assert sorted(body["waitlist_position"] for body in waiting) == list(range(1, CLIENTS - 5 + 1))
    db.session.expire_all()
    holding = list(db.session.scalars(select(Booking).where(Booking.status == BookingStatus.CONFIRMED)))
    assert sorted(b.place_number for b in holding) == [1, 2, 3, 4, 5, 6, 7, 8]
    # Every confirmed booking: exactly one invitation with a calendar. Every waiting one: exactly one
    # plain e-mail (no calendar entry for a place not held). Nothing else.
    for booking in db.session.scalars(select(Booking)):
        messages = resident_messages(booking)
        assert len(messages) == 1, (booking.reference, booking.status, messages)
        assert messages[0].kind == OutboxKind.INVITATION
        expected = "REQUEST" if booking.status == BookingStatus.CONFIRMED else None
        assert calendar_method(messages[0]) == expected, (booking.reference, booking.status)
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 3 + CLIENTS
