"""Plan a coaching week, change places, the waiting list by hand, cancel a registration."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, Event, OutboxKind, OutboxMessage, WaitlistEntry
from bookings.services.staff_scope import set_coordinator_branches
from tests.conftest import csrf_token
from tests.staff_support import in_days, local_instant, make_world, sign_in_as


@pytest.fixture
def world(app):
    w = make_world()
    set_coordinator_branches(w["cora"], [w["amstel"].id, w["meer"].id])
    db.session.commit()
    return w


def plan(client, w, **overrides):
    data = {"csrf_token": csrf_token(client, "/staff/events/plan"), "service": w["week"].id,
            f"day_{w['amstel'].id}": in_days(8).isoformat(), f"day_{w['meer'].id}": in_days(9).isoformat(),
            "start_time": "13:00", "end_time": "17:00", "capacity": "2", "place_minutes": "45",
            "host": w["sanne"].id}
    data.update(overrides)
    return client.post("/staff/events/plan", data=data)


def book_place(client, event: Event, name: str, email: str) -> dict:
    response = client.post("/api/v1/bookings", json={"slot": f"e{event.id}", "name": name, "email": email})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_one_form_plans_a_session_at_each_branch_with_timed_places(client, world):
    sign_in_as(client, world["cora"])
    response = plan(client, world)
    assert response.status_code == 302
    events = list(db.session.scalars(select(Event).order_by(Event.starts_at)))
    assert [(e.branch_id, e.capacity, e.place_minutes, e.host_id) for e in events] == [
        (world["amstel"].id, 2, 45, world["sanne"].id), (world["meer"].id, 2, 45, world["sanne"].id)]
    assert events[0].starts_at == local_instant(in_days(8), time(13))
    assert events[1].ends_at == local_instant(in_days(9), time(17))
    # Residents see timed places: 13:00 and 13:45.
    slots = client.get(f"/api/v1/slots?service=week&branch=amstel&from={in_days(8)}&to={in_days(8)}").get_json()
    assert [s["start"][11:16] for s in slots] == ["13:00", "13:45"]


def test_planning_errors_are_clear_and_nothing_is_created(client, world):
    sign_in_as(client, world["cora"])
    page = plan(client, world, capacity="10", place_minutes="45")  # 450 minutes in a 4-hour session
    assert page.status_code == 200 and "The timed places do not fit in the session." in page.get_data(as_text=True)
    page = plan(client, world, **{f"day_{world['amstel'].id}": in_days(60).isoformat()})  # a closed day
    assert "The library is closed on this date." in page.get_data(as_text=True)
    page = plan(client, world, **{f"day_{world['amstel'].id}": "", f"day_{world['meer'].id}": ""})
    assert "Fill in a date for at least one library." in page.get_data(as_text=True)
    assert db.session.scalar(select(Event.id)) is None


def test_capacity_never_below_what_is_booked_and_the_waiting_list_by_hand(app, client, world):
    sign_in_as(client, world["cora"])
    plan(client, world, **{f"day_{world['meer'].id}": ""})
    event = db.session.scalar(select(Event))
    resident = app.test_client()
    book_place(resident, event, "Amira", "amira@example.org")
    book_place(resident, event, "Bram", "bram@example.org")
    waiting = book_place(resident, event, "Chris", "chris@example.org")
    assert waiting["status"] == "waitlisted"

    page = client.get(f"/staff/events/{event.id}").get_data(as_text=True)
    assert "Amira" in page and "amira@example.org" in page and "Chris" in page

    token = csrf_token(client, f"/staff/events/{event.id}")
    refused = client.post(f"/staff/events/{event.id}/capacity", data={"csrf_token": token, "capacity": "1"})
    assert refused.status_code == 422
    assert "There are more booked places than this." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 2

    # No free place: moving up by hand is refused with a clear message.
    chris = db.session.scalar(select(Booking).where(Booking.first_name == "Chris"))
    response = client.post(f"/staff/bookings/{chris.id}/promote", data={"csrf_token": token}, follow_redirects=True)
    assert "There is no free place. Add a place first." in response.get_data(as_text=True)

    # Cancel Bram's registration: the place goes to Chris, first in line.
    bram = db.session.scalar(select(Booking).where(Booking.first_name == "Bram"))
    client.post(f"/staff/bookings/{bram.id}/cancel", data={"csrf_token": token, "reason": "asked by phone"})
    db.session.expire_all()
    assert db.session.get(Booking, bram.id).status == BookingStatus.CANCELLED
    assert db.session.get(Booking, chris.id).status == BookingStatus.CONFIRMED

    # A new waiting resident is moved up by hand once there is room.
    dewi = book_place(resident, event, "Dewi", "dewi@example.org")
    assert dewi["status"] == "waitlisted"
    client.post(f"/staff/events/{event.id}/capacity", data={"csrf_token": token, "capacity": "3"})
    db.session.expire_all()
    dewi_row = db.session.scalar(select(Booking).where(Booking.first_name == "Dewi"))
    assert dewi_row.status == BookingStatus.CONFIRMED  # more places go to the waiting list first
    assert dewi_row.starts_at == event.starts_at + timedelta(minutes=90)
    eva = book_place(resident, event, "Eva", "eva@example.org")
    fien = book_place(resident, event, "Fien", "fien@example.org")
    assert eva["status"] == fien["status"] == "waitlisted"
    amira = db.session.scalar(select(Booking).where(Booking.first_name == "Amira"))
    client.post(f"/staff/bookings/{amira.id}/cancel", data={"csrf_token": token, "reason": ""})
    db.session.expire_all()
    # Eva was first in line and got Amira's place; one more place goes to Fien.
    assert db.session.scalar(select(Booking.status).where(Booking.first_name == "Eva")) == BookingStatus.CONFIRMED
    fien_row = db.session.scalar(select(Booking).where(Booking.first_name == "Fien"))
    event_row = db.session.get(Event, event.id)
    assert event_row.capacity == 3
    client.post(f"/staff/events/{event.id}/capacity", data={"csrf_token": token, "capacity": "4"})
    db.session.expire_all()
    assert db.session.get(Booking, fien_row.id).status == BookingStatus.CONFIRMED
    promotions = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.PROMOTION,
                                                                OutboxMessage.recipient == "fien@example.org")).all()
    assert promotions


def test_promote_by_hand_goes_ahead_of_the_line(app, client, world):
    sign_in_as(client, world["cora"])
    plan(client, world, **{f"day_{world['meer'].id}": ""}, capacity="1", place_minutes="")
    event = db.session.scalar(select(Event))
    resident = app.test_client()
    for name in ("Amira", "Bram", "Chris"):
        book_place(resident, event, name, f"{name.lower()}@example.org")
    bram, chris = (db.session.scalar(select(Booking).where(Booking.first_name == n)) for n in ("Bram", "Chris"))
    # A place that no one was handed yet (as after a change outside the capacity form).
    db.session.get(Event, event.id).capacity = 2
    db.session.commit()
    token = csrf_token(client, f"/staff/events/{event.id}")
    assert client.post(f"/staff/bookings/{chris.id}/promote", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, chris.id).status == BookingStatus.CONFIRMED
    assert db.session.get(Booking, bram.id).status == BookingStatus.WAITLISTED
    assert db.session.scalar(select(WaitlistEntry.left_at).where(WaitlistEntry.booking_id == chris.id))
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.PROMOTION,
                                                          OutboxMessage.recipient == "chris@example.org")).all()
