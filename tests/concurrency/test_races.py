"""Races against a served app (a real threaded HTTP server on a file database), not the test client."""
import json
import threading
import urllib.error
import urllib.request
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, WaitlistEntry
from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_event, create_every_day_rules, create_service, create_volunteer, soon


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def all_at_once(count: int, work) -> list:
    """Start `count` threads together behind a barrier; return their results in thread order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(index):
        barrier.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_last_places_of_a_session_go_to_exactly_capacity_people_the_rest_wait_in_order(app, server):
    service = create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=create_branch(), starts_at=soon(days=5, hour=11),
                         capacity=5, place_minutes=None)
    slot_id = f"e{event.id}"  # read here: the threads have no app context of their own
    results = all_at_once(24, lambda i: post_json(f"{server}/api/v1/bookings", {
        "slot": slot_id, "name": f"Resident{i}", "email": f"r{i}@example.org"}))
    statuses = [status for status, _ in results]
    assert all(status == 201 for status in statuses), statuses
    confirmed = [body for _, body in results if body["status"] == "confirmed"]
    waiting = [body for _, body in results if body["status"] == "waitlisted"]
    assert len(confirmed) == 5 and len(waiting) == 19
    # Positions follow the order in which the database took them: 1..19, no gaps, no doubles.
    assert sorted(body["waitlist_position"] for body in waiting) == list(range(1, 20))
    db.session.expire_all()
    held = db.session.scalars(select(Booking.place_number).where(Booking.status == BookingStatus.CONFIRMED)).all()
    assert sorted(held) == [1, 2, 3, 4, 5]
    entries = db.session.scalars(select(WaitlistEntry).order_by(WaitlistEntry.id)).all()
    by_reference = {body["reference"]: body["waitlist_position"] for body in waiting}
    assert [by_reference[e.booking.reference] for e in entries] == list(range(1, 20))


def test_one_appointment_slot_many_clients_exactly_one_booking(app, server):
    branch, service = create_branch(), create_service(duration_minutes=60)
    create_every_day_rules(volunteer=create_volunteer(), branch=branch, services=[service],
                           start=time(10), end=time(12))
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slot = app.test_client().get("/api/v1/slots", query_string={
        "service": service.slug, "from": day.isoformat(), "to": day.isoformat()}).json[0]
    results = all_at_once(20, lambda i: post_json(f"{server}/api/v1/bookings", {
        "slot": slot["id"], "name": f"Resident{i}", "phone": "+31612345678"}))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 19, statuses
    assert all(body["error"] == "slot_taken" for status, body in results if status == 409)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_two_cancellations_at_once_promote_the_first_two_in_line_exactly_once(app, server):
    service = create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=create_branch(), starts_at=soon(days=5, hour=11),
                         capacity=2, place_minutes=30)
    slot_id = f"e{event.id}"
    made = [post_json(f"{server}/api/v1/bookings", {"slot": slot_id, "name": f"P{i}",
                                                   "email": f"p{i}@example.org"})[1] for i in range(5)]
    holders, waiters = made[:2], made[2:]
    results = all_at_once(2, lambda i: post_json(
        f"{server}/api/v1/bookings/{holders[i]['reference']}/cancel", {},
        {"Authorization": f"Bearer {holders[i]['token']}"}))
    assert [status for status, _ in results] == [200, 200]
    db.session.expire_all()
    status_of = {b.reference: b.status for b in db.session.scalars(select(Booking))}
    assert [status_of[w["reference"]] for w in waiters] == [
        BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]
    places = db.session.scalars(select(Booking.place_number).where(Booking.status == BookingStatus.CONFIRMED)).all()
    assert sorted(places) == [1, 2]
