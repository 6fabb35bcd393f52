"""Invitation e-mails: REQUEST, update and CANCEL for one UID, read by real parsers, no contact leaks."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bookings.extensions import db
from bookings.models import BookingStatus, ServiceKind
from bookings.services.calendar import booking_uid
from bookings.services.invitations import queue_booking_messages
from bookings.services.outbox import deliver_pending
from tests.factories import create_booking, create_branch, create_event, create_service, create_volunteer
from tests.services.test_ical_js import ical_js

UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
RESIDENT = "amira@example.org"
PHONE = "+31612345678"
COACH = "coach@example.org"
DST_PAIRS = [
    (datetime(2026, 10, 19, 17, 0, tzinfo=UTC), datetime(2026, 10, 26, 18, 0, tzinfo=UTC)),  # CEST -> CET
    (datetime(2027, 3, 22, 18, 0, tzinfo=UTC), datetime(2027, 3, 29, 17, 0, tzinfo=UTC)),  # CET -> CEST
]


@pytest.fixture
def world(smtp_app):
    branch = create_branch(slug="amstelveen", name="Bibliotheek Amstelveen",
                           address="Stadsplein 1, 1181 ZM Amstelveen")
    service = create_service(name_nl="Loopbaancoach", name_en="Career coach", duration_minutes=45,
                             bring_nl="Neem je cv mee.", bring_en="Bring your CV.")
    coach = create_volunteer(email=COACH, first_name="Jan", phone="+31699999999")
    return branch, service, coach


def new_booking(world, start, **overrides):
    branch, service, coach = world
    values = dict(service=service, branch=branch, volunteer=coach, starts_at=start, email=RESIDENT,
                  phone=PHONE, topic="cv", first_name="Amira", token="first-token")
    values.update(overrides)
    return create_booking(**values)


def send(booking, change, token=None, **kwargs):
    queued = queue_booking_messages(booking, token=token, change=change, **kwargs)
    db.session.commit()
    return queued


def calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return parts[0] if parts else None


def calendar_bytes(message) -> bytes:
    return calendar_part(message).get_payload(decode=True)


def vevent(message):
    calendar = icalendar.Calendar.from_ical(calendar_bytes(message))
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def all_text(message) -> str:
    """Every header and every decoded part, as a reader (or a leak) would see them."""
    chunks = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        chunks += [f"{k}: {v}" for k, v in part.items()]
        if not part.is_multipart():
            chunks.append(part.get_payload(decode=True).decode("utf-8"))
    return "\n".join(chunks)


def structure(message) -> list[str]:
    return [p.get_content_type() for p in message.walk()]


def z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("first, second", DST_PAIRS, ids=["autumn", "spring"])
def test_booked_moved_cancelled_reach_resident_and_volunteer_in_order(world, smtp_server, first, second):
    booking = new_booking(world, first)
    send(booking, "booked", token="first-token")
    booking.sequence = 1
    booking.starts_at, booking.ends_at = second, second + timedelta(minutes=45)
    db.session.commit()
    send(booking, "moved")
    booking.sequence = 2
    booking.status = BookingStatus.CANCELLED
    db.session.commit()
    send(booking, "cancelled")
    report = deliver_pending()
    assert report.sent == 6 and report.retrying == 0

    uid = booking_uid(booking)
    expected = [("REQUEST", 0, first, "CONFIRMED"), ("REQUEST", 1, second, "CONFIRMED"),
                ("CANCEL", 2, second, "CANCELLED")]
    for address in (RESIDENT, COACH):
        inbox = smtp_server.to(address)
        assert len(inbox) == 3
        for message, (method, sequence, start, status) in zip(inbox, expected):
            assert message["To"].addresses[0].addr_spec == address
            assert structure(message) == ["multipart/mixed", "multipart/alternative", "text/plain",
                                          "text/html", "text/calendar", "application/ics"]
            assert calendar_part(message).get_param("method") == method
            calendar, event = vevent(message)
            assert str(calendar["METHOD"]) == method
            assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (uid, sequence, status)
            assert event.decoded("DTSTART").astimezone(UTC) == start
            assert event.decoded("DTSTART").astimezone(AMS).hour == 19
            assert event["DTSTAMP"].to_ical().endswith(b"Z")
            assert str(event["ORGANIZER"]) == "mailto:bibliotheek@example.org"
            assert event["ORGANIZER"].params["CN"] == "Bibliotheek Spreekuur"
            assert str(event["LOCATION"]) == "Bibliotheek Amstelveen, Stadsplein 1, 1181 ZM Amstelveen"
            assert event.walk("VALARM")

            parsed = ical_js(calendar_bytes(message))  # Thunderbird's parser
            assert parsed["method"] == method
            (js,) = parsed["events"]
            assert (js["uid"], js["sequence"], js["status"]) == (uid, sequence, status)
            assert (js["start_utc"], js["start_unix_utc"]) == (z(start), z(start))
            assert js["start_zone"] == "Europe/Amsterdam"
            assert js["start_local"] == start.astimezone(AMS).replace(tzinfo=None).isoformat()
            assert js["end_utc"] == z(start + timedelta(minutes=45))
            assert js["alarms"]

            calendar_text = calendar_bytes(message).decode("utf-8").replace("\r\n ", "")
            assert RESIDENT not in calendar_text and "612345678" not in calendar_text

    # The volunteer: the resident by first name and topic, their own address as ATTENDEE, no link.
    for message in smtp_server.to(COACH):
        text = all_text(message)
        assert RESIDENT not in text and "612345678" not in text and "first-token" not in text
        assert "/manage/" not in text
        _, event = vevent(message)
        assert "Amira" in str(event["SUMMARY"]) and "Een cv maken" in str(event["DESCRIPTION"])
        (attendee,) = [event["ATTENDEE"]] if not isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
        assert str(attendee) == f"mailto:{COACH}"
        assert attendee.params["CN"] == "Jan" and attendee.params["PARTSTAT"] == "ACCEPTED"
    # The resident: the manage link only where it was given, in the body and the calendar.
    booked, moved, cancelled = smtp_server.to(RESIDENT)
    _, event = vevent(booked)
    assert "/manage/" in str(event["DESCRIPTION"]) and "first-token" in str(event["URL"])
    assert "first-token" in booked.get_body(("plain",)).get_content()
    assert "first-token" in booked.get_body(("html",)).get_content()
    assert "first-token" not in all_text(moved) + all_text(cancelled)
    assert "Neem je cv mee." in booked.get_body(("plain",)).get_content()


def test_english_resident_gets_english_and_the_volunteer_dutch(world, smtp_server):
    booking = new_booking(world, DST_PAIRS[0][0], language="en")
    send(booking, "booked", token="tok")
    deliver_pending()
    (message,) = smtp_server.to(RESIDENT)
    assert message["Subject"].startswith("Your appointment: Career coach on Monday 19 October")
    body = message.get_body(("plain",)).get_content()
    assert "Bring your CV." in body and "Reference" in body
    _, event = vevent(message)
    assert str(event["SUMMARY"]) == "Career coach at Bibliotheek Amstelveen"
    (volunteer_copy,) = smtp_server.to(COACH)
    assert "maandag 19 oktober" in volunteer_copy["Subject"]  # dates in Dutch, whatever the wording
    assert "Loopbaancoach" in str(vevent(volunteer_copy)[1]["SUMMARY"])


def test_resident_without_email_gets_nothing_the_volunteer_still_does(world, smtp_server):
    booking = new_booking(world, DST_PAIRS[0][0], email=None)
    queued = send(booking, "booked", token="tok")
    assert [m.recipient for m in queued] == [COACH]
    deliver_pending()
    assert smtp_server.to(COACH) and len(smtp_server.messages) == 1


def test_waiting_list_gets_plain_mail_and_the_host_nothing(world, smtp_server):
    branch, _, coach = world
    service = create_service(kind=ServiceKind.EVENT, duration_minutes=30)
    event = create_event(service=service, branch=branch, starts_at=DST_PAIRS[0][0], host=coach)
    booking = new_booking(world, event.starts_at, service=service, event=event, place_number=None,
                          status=BookingStatus.WAITLISTED)
    booking.ends_at = event.ends_at
    db.session.commit()
    send(booking, "booked", token="tok")
    booking.status = BookingStatus.CANCELLED
    booking.sequence = 1
    send(booking, "cancelled")
    deliver_pending()
    inbox = smtp_server.to(RESIDENT)
    assert len(inbox) == 2 and smtp_server.to(COACH) == []
    for message in inbox:
        assert calendar_part(message) is None
        assert structure(message) == ["multipart/alternative", "text/plain", "text/html"]


def test_promotion_and_the_event_host(world, smtp_server):
    branch, _, coach = world
    service = create_service(kind=ServiceKind.EVENT, duration_minutes=30)
    event = create_event(service=service, branch=branch, starts_at=DST_PAIRS[1][1], host=coach)
    booking = new_booking(world, event.starts_at, service=service, event=event, place_number=3,
                          sequence=2)
    send(booking, "promoted", token="new-token")
    send(booking, "moved")  # the host hears of places taken and freed, not of moves
    deliver_pending()
    promoted, moved = smtp_server.to(RESIDENT)
    _, event_vevent = vevent(promoted)
    assert calendar_part(promoted).get_param("method") == "REQUEST"
    assert int(event_vevent["SEQUENCE"]) == 2 and "new-token" in all_text(promoted)
    (host_copy,) = smtp_server.to(COACH)
    assert calendar_part(host_copy).get_param("method") == "REQUEST"
    assert RESIDENT not in all_text(host_copy)


def test_reminder_is_plain_and_a_move_to_another_volunteer_tells_both(world, smtp_server):
    booking = new_booking(world, DST_PAIRS[0][0])
    send(booking, "reminder", token="tok")
    other = create_volunteer(email="taal@example.org", first_name="Els")
    booking.volunteer = other
    booking.sequence = 1
    booking.reminder_queued_at = booking.created_at
    db.session.commit()
    send(booking, "moved", previous_volunteer=world[2])
    assert booking.reminder_queued_at is None  # the new time gets its own reminder
    deliver_pending()
    reminder, moved = smtp_server.to(RESIDENT)
    assert calendar_part(reminder) is None and "tok" in reminder.get_body(("plain",)).get_content()
    (old,) = smtp_server.to(COACH)
    (new,) = smtp_server.to("taal@example.org")
    assert calendar_part(old).get_param("method") == "CANCEL"
    assert calendar_part(new).get_param("method") == "REQUEST"


def test_unknown_change_is_refused(world):
    with pytest.raises(ValueError):
        queue_booking_messages(new_booking(world, DST_PAIRS[0][0]), token=None, change="deleted")
