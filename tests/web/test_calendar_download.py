"""The "add to my calendar" file parses everywhere and shows the branch's local time."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from tests.factories import create_booking, create_branch, create_service, create_volunteer

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def branch(app):
    return create_branch(slug="amstelveen", address="Stadsplein 1, 1181 ZM Amstelveen")


@pytest.mark.parametrize("start", [
    datetime(2026, 10, 19, 17, 0, tzinfo=timezone.utc),  # Monday 19:00 summer time
    datetime(2026, 10, 26, 18, 0, tzinfo=timezone.utc),  # Monday 19:00 winter time, after the change
    datetime(2027, 3, 22, 18, 0, tzinfo=timezone.utc),   # Monday 19:00 before spring forward
    datetime(2027, 3, 29, 17, 0, tzinfo=timezone.utc),   # Monday 19:00 after spring forward
])
def test_download_parses_with_two_parsers_at_the_right_local_time(client, branch, start):
    service = create_service(duration_minutes=60)
    booking = create_booking(service=service, branch=branch, volunteer=create_volunteer(),
                             starts_at=start, token="secret-token")
    response = client.get(f"/feeds/bookings/{booking.reference}/secret-token.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    raw = response.data
    assert b"\r\n" in raw and b"BEGIN:VTIMEZONE" in raw and b"TZID:Europe/Amsterdam" in raw

    calendar = icalendar.Calendar.from_ical(raw)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["LOCATION"]).endswith("Stadsplein 1, 1181 ZM Amstelveen")
    assert event.decoded("DTSTART").astimezone(timezone.utc) == start
    assert event.decoded("DTSTART").astimezone(AMSTERDAM).hour == 19
    assert str(calendar["METHOD"]) == "PUBLISH"

    parsed = vobject.readOne(raw.decode())
    vevent = parsed.vevent
    assert vevent.dtstart.value.astimezone(timezone.utc) == start
    assert vevent.location.value.endswith("Stadsplein 1, 1181 ZM Amstelveen")
    assert vevent.uid.value == f"booking-{booking.reference}@spreekuur"


def test_no_contact_details_of_the_resident_in_the_file(client, branch):
    booking = create_booking(service=create_service(), branch=branch, volunteer=create_volunteer(),
                             starts_at=datetime(2026, 12, 7, 18, tzinfo=timezone.utc), token="t0ken",
                             email="amira@example.org", phone="+31612345678")
    raw = client.get(f"/feeds/bookings/{booking.reference}/t0ken.ics").data
    assert b"amira@example.org" not in raw and b"31612345678" not in raw


def test_wrong_token_gives_the_friendly_page(client, branch):
    booking = create_booking(service=create_service(), branch=branch, volunteer=create_volunteer(),
                             starts_at=datetime(2026, 12, 7, 18, tzinfo=timezone.utc), token="right")
    response = client.get(f"/feeds/bookings/{booking.reference}/wrong.ics")
    assert response.status_code == 404 and b"BEGIN:VCALENDAR" not in response.data
