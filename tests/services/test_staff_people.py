"""Deactivating a volunteer: future appointments cancelled with a message, sessions lose their host."""
from datetime import time

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import (
    Actor,
    AuditEntry,
    Booking,
    BookingStatus,
    Event,
    OutboxKind,
    OutboxMessage,
    Role,
    Volunteer,
)
from bookings.services.errors import Invalid
from bookings.services.staff_people import deactivate_volunteer, invite_volunteer
from bookings.services.staff_scope import coordinated_branch_ids
from tests.conftest import csrf_token
from tests.factories import create_booking, create_event
from tests.staff_support import in_days, local_instant, make_world, sign_in_as


@pytest.fixture
def world(app):
    w = make_world()
    day = in_days(4)
    w["with_email"] = create_booking(token="e", service=w["coach"], branch=w["amstel"], volunteer=w["sanne"],
                                     starts_at=local_instant(day, time(9)), email="amira@example.org")
    w["phone_only"] = create_booking(token="p", service=w["coach"], branch=w["amstel"], volunteer=w["sanne"],
                                     starts_at=local_instant(day, time(10)), email=None, phone="+31612345678",
                                     first_name="Bram")
    w["past"] = create_booking(token="x", service=w["coach"], branch=w["amstel"], volunteer=w["sanne"],
                               starts_at=local_instant(in_days(-2), time(10)), first_name="Old")
    w["event"] = create_event(service=w["week"], branch=w["amstel"], starts_at=local_instant(day, time(13)),
                              host=w["sanne"])
    w["place"] = create_booking(token="q", service=w["week"], branch=w["amstel"], volunteer=w["sanne"],
                                event=w["event"], place_number=1, starts_at=w["event"].starts_at,
                                email="dewi@example.org")
    return w


def test_deactivating_cancels_future_appointments_with_messages(app, world):
    result = deactivate_volunteer(volunteer=world["sanne"], reason="Sanne has stopped.", actor_id=world["ada"].id)
    db.session.expire_all()
    assert {b.id for b in result.cancelled} == {world["with_email"].id, world["phone_only"].id}
    for booking in (world["with_email"], world["phone_only"]):
        row = db.session.get(Booking, booking.id)
        assert row.status == BookingStatus.CANCELLED and row.cancelled_by == Actor.STAFF
        assert row.changes[-1].reason == "Sanne has stopped."
    assert db.session.get(Booking, world["past"].id).status == BookingStatus.CONFIRMED  # the past stays
    cancellations = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.CANCELLATION,
                                                                   OutboxMessage.recipient == "amira@example.org")).all()
    assert len(cancellations) == 1
    # The session stays on without a host; its place is kept.
    event, place = db.session.get(Event, world["event"].id), db.session.get(Booking, world["place"].id)
    assert event.host_id is None and not event.cancelled
    assert place.status == BookingStatus.CONFIRMED and place.volunteer_id is None
    sanne = db.session.get(Volunteer, world["sanne"].id)
    assert not sanne.active and sanne.feed_token_hash is None
    assert db.session.scalar(select(AuditEntry.action)) == "volunteer.deactivate"


def test_cancelled_resident_can_choose_a_new_time_on_the_manage_page(app, client, world):
    deactivate_volunteer(volunteer=world["sanne"], reason="", actor_id=world["ada"].id)
    page = client.get(f"/manage/{world['with_email'].reference}/e").get_data(as_text=True)
    assert "/move" in page  # "Choose a new time"


def test_deactivating_through_the_page_lists_who_to_call(client, world):
    sign_in_as(client, world["ada"])
    url = f"/staff/volunteers/{world['sanne'].id}/deactivate"
    token = csrf_token(client, url)
    unconfirmed = client.post(url, data={"csrf_token": token})
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "confirm": "y", "reason": "Stopped"})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and 'id="call-list"' in text and "Bram" in text and "06 12345678" in text
    assert "Amira" not in text.split('id="call-list"')[1].split("</ul>")[0]


def test_cannot_deactivate_yourself(world):
    with pytest.raises(Invalid):
        deactivate_volunteer(volunteer=world["ada"], reason="", actor_id=world["ada"].id)


def test_invite_sends_a_password_link_and_sets_a_coordinators_branches(app, world):
    result = invite_volunteer(email="New@Example.org", first_name="Nina", role=Role.COORDINATOR,
                              branch_ids=[world["meer"].id], actor_id=world["ada"].id)
    assert result.created and result.volunteer.role == Role.COORDINATOR
    assert coordinated_branch_ids(result.volunteer.id) == [world["meer"].id]
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "New@example.org"))
    assert message is not None and b"/auth/password/" in message.raw.replace(b"=\r\n", b"")
    with pytest.raises(Invalid):
        invite_volunteer(email="x@example.org", first_name="X", role=Role.COORDINATOR, branch_ids=[],
                         actor_id=world["ada"].id)


def test_cli_create_user_with_branches(runner, world):
    result = runner.invoke(args=["create-user", "co@example.org", "--role", "coordinator",
                                 "--branch", "amstel", "--branch", "meer"])
    assert result.exit_code == 0, result.output
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.email == "co@example.org"))
    assert sorted(coordinated_branch_ids(volunteer.id)) == sorted([world["amstel"].id, world["meer"].id])
    bad = runner.invoke(args=["create-user", "co2@example.org", "--role", "coordinator", "--branch", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output
    assert db.session.scalar(select(Volunteer).where(Volunteer.email == "co2@example.org")) is None
