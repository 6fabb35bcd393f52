"""The volunteer portal: own data only, CSRF everywhere, rules, time off, calendar, profile."""
import email
import email.policy
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import (
    AvailabilityRule,
    Booking,
    BookingStatus,
    OutboxKind,
    OutboxMessage,
    ServiceKind,
    TimeOff,
    Volunteer,
    WaitlistEntry,
)
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow, zone
from tests.conftest import csrf_token
from tests.factories import (
    create_booking,
    create_branch,
    create_event,
    create_rule,
    create_service,
    create_volunteer,
)


def next_monday() -> date:
    day = local_date(utcnow(), DEFAULT_ZONE) + timedelta(days=3)
    return day + timedelta(days=(0 - day.weekday()) % 7)


def local_instant(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, zone(DEFAULT_ZONE)).astimezone(timezone.utc)


@pytest.fixture
def world(app):
    branch = create_branch(name="Bibliotheek Amstelveen")
    service = create_service(duration_minutes=60)
    week = create_service(kind=ServiceKind.EVENT, duration_minutes=30)
    sanne = create_volunteer(first_name="Sanne", email="sanne@example.org")
    henk = create_volunteer(first_name="Henk", email="henk@example.org")
    rule = create_rule(volunteer=sanne, branch=branch, services=[service], weekday=0, start=time(19), end=time(21))
    monday = next_monday()
    booking = create_booking(token="t1", service=service, branch=branch, volunteer=sanne, starts_at=local_instant(monday, time(19)),
                             first_name="Amira", email="amira@example.org", phone="+31612345678", topic="cv",
                             notes="Brings her old CV")
    past = create_booking(token="t2", service=service, branch=branch, volunteer=sanne,
                          starts_at=(utcnow() - timedelta(hours=2)).replace(microsecond=0), first_name="Bram")
    event = create_event(service=week, branch=branch, starts_at=local_instant(monday + timedelta(days=2), time(13)),
                         capacity=1, host=sanne)
    place = create_booking(token="t3", service=week, branch=branch, volunteer=sanne, event=event, place_number=1,
                           starts_at=event.starts_at, first_name="Dewi")
    waiting = create_booking(token="t4", service=week, branch=branch, volunteer=sanne, event=event, place_number=None,
                             starts_at=event.starts_at, first_name="Eva", status=BookingStatus.WAITLISTED)
    db.session.add(WaitlistEntry(event_id=event.id, booking_id=waiting.id))
    # (tests.factories.create_time_off passes volunteer=, which TimeOff has no relationship for)
    away = TimeOff(volunteer_id=sanne.id, starts_at=local_instant(monday + timedelta(days=30), time(0)),
                   ends_at=local_instant(monday + timedelta(days=31), time(0)))
    db.session.add(away)
    db.session.commit()
    return dict(branch=branch, service=service, sanne=sanne, henk=henk, rule=rule, booking=booking, past=past,
                event=event, place=place, waiting=waiting, time_off=away, monday=monday)


def sign_in_as(client, volunteer: Volunteer, language: str = "en"):
    with client.session_transaction() as session:
        session["_user_id"] = volunteer.get_id()
        session["_fresh"] = True
        session["language"] = language
    return client


def token(client) -> str:
    return csrf_token(client, "/volunteer/profile")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    return response.get_data(as_text=True)


def cancel_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.CANCELLATION,
                                                               OutboxMessage.recipient == "amira@example.org")))


def calendar_method(message: OutboxMessage) -> str | None:
    parsed = email.message_from_bytes(message.raw, policy=email.policy.default)
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    return parts[0].get_param("method") if parts else None


# --- access --------------------------------------------------------------------------------------

ID_ROUTES = [
    ("GET", "/volunteer/appointments/{booking}"),
    ("GET", "/volunteer/appointments/{place}"),
    ("GET", "/volunteer/appointments/{booking}/cancel"),
    ("POST", "/volunteer/appointments/{booking}/cancel"),
    ("POST", "/volunteer/appointments/{past}/attendance"),
    ("GET", "/volunteer/events/{event}"),
    ("GET", "/volunteer/availability/rules/{rule}"),
    ("POST", "/volunteer/availability/rules/{rule}"),
    ("GET", "/volunteer/availability/rules/{rule}/delete"),
    ("POST", "/volunteer/availability/rules/{rule}/delete"),
    ("GET", "/volunteer/availability/time-off/{time_off}/delete"),
    ("POST", "/volunteer/availability/time-off/{time_off}/delete"),
]
OTHER_ROUTES = [
    ("GET", "/volunteer/"), ("GET", "/volunteer/availability"), ("GET", "/volunteer/availability/weekly/new"),
    ("GET", "/volunteer/availability/once/new"), ("GET", "/volunteer/availability/time-off/new"),
    ("GET", "/volunteer/calendar"), ("GET", "/volunteer/profile"), ("GET", "/volunteer/day/{day}/cancel"),
]
POST_ROUTES = [
    "/volunteer/appointments/{booking}/cancel", "/volunteer/appointments/{past}/attendance",
    "/volunteer/day/{day}/cancel", "/volunteer/availability/weekly/new", "/volunteer/availability/once/new",
    "/volunteer/availability/rules/{rule}", "/volunteer/availability/rules/{rule}/delete",
    "/volunteer/availability/time-off/new", "/volunteer/availability/time-off/{time_off}/delete",
    "/volunteer/calendar/new-link", "/volunteer/profile", "/auth/sign-out",
]


def url(world, pattern: str) -> str:
    ids = {key: world[key].id for key in ("booking", "place", "past", "event", "rule", "time_off")}
    return pattern.format(day=world["monday"].isoformat(), **ids)


def state(world) -> tuple:
    db.session.expire_all()
    sanne = db.session.get(Volunteer, world["sanne"].id)
    return (tuple(b.status for b in db.session.scalars(select(Booking).order_by(Booking.id))),
            tuple((r.id, r.start_time, r.end_time) for r in db.session.scalars(select(AvailabilityRule))),
            count(TimeOff), count(OutboxMessage), sanne.feed_token_hash, sanne.first_name, sanne.email)


@pytest.mark.parametrize("method,pattern", ID_ROUTES)
def test_another_volunteer_gets_404_for_every_route_with_an_id(client, world, method, pattern):
    sign_in_as(client, world["henk"])
    before = state(world)
    data = {"csrf_token": token(client), "reason": "x", "attended": "yes", "confirm": "y"}
    response = client.get(url(world, pattern)) if method == "GET" else client.post(url(world, pattern), data=data)
    assert response.status_code == 404
    assert state(world) == before


@pytest.mark.parametrize("method,pattern", ID_ROUTES + OTHER_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, method, pattern):
    data = {"csrf_token": csrf_token(client, "/auth/sign-in")}
    response = client.get(url(world, pattern)) if method == "GET" else client.post(url(world, pattern), data=data)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in?next=")


@pytest.mark.parametrize("pattern", POST_ROUTES)
def test_every_portal_post_needs_a_csrf_token(client, world, pattern):
    sign_in_as(client, world["sanne"])
    before = state(world)
    data = {"reason": "x", "attended": "yes", "confirm": "y", "first_name": "Changed", "email": "x@example.org",
            "languages": "nl", "weekday": "1", "start_time": "10:00", "end_time": "11:00",
            "branch": str(world["branch"].id), "services": str(world["service"].id),
            "first_day": world["monday"].isoformat(), "on_date": world["monday"].isoformat()}
    assert client.post(url(world, pattern), data=data).status_code == 400
    assert state(world) == before
    assert client.get("/volunteer/").status_code == 200  # still signed in


# --- appointments -------------------------------------------------------------------------------

def test_my_appointments_show_first_name_topic_and_notes_but_no_contact_details(client, world):
    sign_in_as(client, world["sanne"])
    home = text(client.get("/volunteer/"))
    assert f'id="booking-{world["booking"].id}"' in home and "Amira" in home and "Write a CV" in home
    assert f'id="event-{world["event"].id}"' in home and "1 of 1 places taken" in home
    assert "Henk" not in home
    page = text(client.get(f"/volunteer/appointments/{world['booking'].id}"))
    assert "Amira" in page and "Write a CV" in page and "Brings her old CV" in page
    assert "amira@example.org" not in page and "612345678" not in page
    assert f"/volunteer/day/{world['monday'].isoformat()}/cancel" in page


def test_mark_attendance_only_after_the_start(client, world):
    sign_in_as(client, world["sanne"])
    assert 'name="attended"' not in text(client.get(f"/volunteer/appointments/{world['booking'].id}"))
    client.post(f"/volunteer/appointments/{world['booking'].id}/attendance",
                data={"csrf_token": token(client), "attended": "yes"})
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CONFIRMED
    assert 'name="attended"' in text(client.get(f"/volunteer/appointments/{world['past'].id}"))
    response = client.post(f"/volunteer/appointments/{world['past'].id}/attendance",
                           data={"csrf_token": token(client), "attended": "no"})
    assert response.status_code == 302
    assert db.session.get(Booking, world["past"].id).status == BookingStatus.NO_SHOW


def test_cancel_an_appointment_with_a_reason_tells_the_resident(client, world):
    sign_in_as(client, world["sanne"])
    path = f"/volunteer/appointments/{world['booking'].id}/cancel"
    empty = client.post(path, data={"csrf_token": token(client), "reason": " "})
    assert empty.status_code == 200 and 'class="error-summary"' in text(empty)
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CONFIRMED
    assert client.post(path, data={"csrf_token": token(client), "reason": "I am ill"}).status_code == 302
    booking = db.session.get(Booking, world["booking"].id)
    assert booking.status == BookingStatus.CANCELLED and booking.changes[-1].reason == "I am ill"
    (message,) = cancel_messages()
    assert calendar_method(message) == "CANCEL"


def test_cancel_my_whole_day_asks_first(client, world):
    sign_in_as(client, world["sanne"])
    path = f"/volunteer/day/{world['monday'].isoformat()}/cancel"
    confirm = text(client.get(path))
    assert "Amira" in confirm and db.session.get(Booking, world["booking"].id).status == BookingStatus.CONFIRMED
    assert client.post(path, data={"csrf_token": token(client), "reason": "ill"}).status_code == 302
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CANCELLED
    assert len(cancel_messages()) == 1
    assert client.get("/volunteer/day/2020-01-06/cancel").status_code == 404


def test_the_sessions_i_host_show_places_and_waiting_list_by_first_name(client, world):
    sign_in_as(client, world["sanne"])
    page = text(client.get(f"/volunteer/events/{world['event'].id}"))
    places, waiting = page.split('id="places"')[1].split("</ul>")[0], page.split('id="waiting"')[1].split("</ol>")[0]
    assert "Dewi" in places and "Eva" in waiting and "amira@example.org" not in page


# --- availability -------------------------------------------------------------------------------

def rule_form(world, **values) -> dict:
    data = {"weekday": "1", "start_time": "10:00", "end_time": "12:00", "branch": str(world["branch"].id),
            "services": str(world["service"].id), "every_n_weeks": "1"}
    data.update(values)
    return data


def test_add_change_and_remove_weekly_and_one_off_times(client, world):
    sign_in_as(client, world["sanne"])
    response = client.post("/volunteer/availability/weekly/new", data={"csrf_token": token(client), **rule_form(world)})
    assert response.status_code == 302
    tuesday = db.session.scalar(select(AvailabilityRule).where(AvailabilityRule.weekday == 1))
    assert (tuesday.start_time, tuesday.end_time, [s.id for s in tuesday.services]) == (
        time(10), time(12), [world["service"].id])
    once_day = (world["monday"] + timedelta(days=3)).isoformat()
    response = client.post("/volunteer/availability/once/new", data={
        "csrf_token": token(client), "on_date": once_day, "start_time": "14.00", "end_time": "16:00",
        "branch": str(world["branch"].id), "services": str(world["service"].id)})
    assert response.status_code == 302
    page = text(client.get("/volunteer/availability"))
    assert f'id="rule-{tuesday.id}"' in page and "Tuesday 10:00–12:00 in Bibliotheek Amstelveen" in page
    path = f"/volunteer/availability/rules/{tuesday.id}"
    assert 'value="10:00"' in text(client.get(path))
    client.post(path, data={"csrf_token": token(client), **rule_form(world, start_time="09:00")})
    db.session.refresh(tuesday)
    assert tuesday.start_time == time(9)
    assert client.post(path + "/delete", data={"csrf_token": token(client)}).status_code == 302
    assert count(AvailabilityRule) == 2  # the Monday rule and the one-off time are left


def test_form_errors_are_shown_in_a_summary(client, world):
    sign_in_as(client, world["sanne"])
    response = client.post("/volunteer/availability/weekly/new", data={
        "csrf_token": token(client), **rule_form(world, start_time="late", end_time="09:00", services="")})
    page = text(response)
    assert response.status_code == 200 and 'class="error-summary"' in page
    assert 'href="#start_time"' in page and 'href="#services-0"' in page  # the first checkbox
    assert "Choose at least one kind of appointment." in page
    assert count(AvailabilityRule) == 1


def test_an_overlapping_rule_is_refused_with_the_rule_it_overlaps(client, world):
    sign_in_as(client, world["sanne"])
    response = client.post("/volunteer/availability/weekly/new", data={
        "csrf_token": token(client), **rule_form(world, weekday="0", start_time="20:00", end_time="22:00")})
    assert response.status_code == 200
    assert "This overlaps with: Monday 19:00–21:00 in Bibliotheek Amstelveen" in text(response)
    assert count(AvailabilityRule) == 1


def test_overlap_message_in_dutch_names_the_rule_in_dutch(client, world):
    sign_in_as(client, world["sanne"], language="nl")
    response = client.post("/volunteer/availability/weekly/new", data={
        "csrf_token": token(client), **rule_form(world, weekday="0", start_time="20:00", end_time="22:00")})
    assert "maandag 19:00–21:00 in Bibliotheek Amstelveen" in text(response)


def test_a_change_that_strands_bookings_is_refused_then_cancels_them_after_confirmation(client, world):
    sign_in_as(client, world["sanne"])
    path = f"/volunteer/availability/rules/{world['rule'].id}"
    later = rule_form(world, weekday="0", start_time="20:00", end_time="21:00")
    refused = client.post(path, data={"csrf_token": token(client), **later})
    page = text(refused)
    assert refused.status_code == 200 and 'id="stranded"' in page and "Amira" in page and 'name="confirm"' in page
    assert db.session.get(AvailabilityRule, world["rule"].id).start_time == time(19)
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CONFIRMED and not cancel_messages()
    done = client.post(path, data={"csrf_token": token(client), "confirm": "y", **later})
    assert done.status_code == 302
    assert db.session.get(AvailabilityRule, world["rule"].id).start_time == time(20)
    assert db.session.get(Booking, world["booking"].id).status == BookingStatus.CANCELLED
    (message,) = cancel_messages()
    assert calendar_method(message) == "CANCEL"


def test_removing_a_rule_with_bookings_asks_for_confirmation(client, world):
    sign_in_as(client, world["sanne"])
    path = f"/volunteer/availability/rules/{world['rule'].id}/delete"
    refused = client.post(path, data={"csrf_token": token(client)})
    assert refused.status_code == 200 and 'id="stranded"' in text(refused) and count(AvailabilityRule) == 1
    assert client.post(path, data={"csrf_token": token(client), "confirm": "y"}).status_code == 302
    assert count(AvailabilityRule) == 0 and len(cancel_messages()) == 1


def test_time_off_for_days_or_hours_and_removing_it(client, world):
    sign_in_as(client, world["sanne"])
    later = world["monday"] + timedelta(days=8)
    response = client.post("/volunteer/availability/time-off/new", data={
        "csrf_token": token(client), "first_day": later.isoformat(), "last_day": (later + timedelta(days=6)).isoformat(),
        "reason": "Holiday"})
    assert response.status_code == 302 and count(TimeOff) == 2
    hours = client.post("/volunteer/availability/time-off/new", data={
        "csrf_token": token(client), "first_day": world["monday"].isoformat(), "start_time": "19:00",
        "end_time": "19:30"})
    assert hours.status_code == 200 and 'id="stranded"' in text(hours) and count(TimeOff) == 2
    bad = client.post("/volunteer/availability/time-off/new", data={"csrf_token": token(client), "first_day": "soon"})
    assert bad.status_code == 200 and 'href="#first_day"' in text(bad)
    page = text(client.get("/volunteer/availability"))
    assert f'id="time-off-{world["time_off"].id}"' in page and "Holiday" in page
    path = f"/volunteer/availability/time-off/{world['time_off'].id}/delete"
    assert client.post(path, data={"csrf_token": token(client)}).status_code == 302 and count(TimeOff) == 1


def test_the_preview_shows_the_times_my_rules_give(client, world):
    sign_in_as(client, world["sanne"])
    page = text(client.get("/volunteer/availability"))
    monday = world["monday"]
    if monday - local_date(utcnow(), DEFAULT_ZONE) < timedelta(days=14):
        day = page.split(f'id="preview-{monday.isoformat()}"')[1].split("</section>")[0]
        assert "19:00" in day and "20:00" in day and "booked" in day


# --- calendar and profile -----------------------------------------------------------------------

def test_calendar_link_is_shown_once_and_a_new_link_revokes_the_old_one(client, world):
    sign_in_as(client, world["sanne"])
    first = text(client.get("/volunteer/calendar"))
    assert "/feeds/volunteers/" not in first and 'src="/static/js/copy.js" defer' in first
    client.post("/volunteer/calendar/new-link", data={"csrf_token": token(client)})
    page = text(client.get("/volunteer/calendar"))
    https = re.search(r'value="(http://bibliotheek\.test/feeds/volunteers/[^"]+\.ics)"', page).group(1)
    assert 'href="' + https.replace("http://", "webcal://") + '"' in page
    feed_path = https.removeprefix("http://bibliotheek.test")
    assert client.get(feed_path).status_code == 200
    assert https not in text(client.get("/volunteer/calendar"))  # shown once
    client.post("/volunteer/calendar/new-link", data={"csrf_token": token(client)})
    assert client.get(feed_path).status_code == 404


def test_profile_update(client, world):
    sign_in_as(client, world["sanne"])
    page = text(client.get("/volunteer/profile"))
    assert 'value="sanne@example.org"' in page and 'value="ar"' in page
    bad = client.post("/volunteer/profile", data={"csrf_token": token(client), "first_name": "", "email": "henk@example.org"})
    assert bad.status_code == 200 and 'href="#first_name"' in text(bad) and 'href="#email"' in text(bad)
    response = client.post("/volunteer/profile", data={
        "csrf_token": token(client), "first_name": "Sanne", "last_name": "de Vries", "email": "sanne@example.org",
        "phone": "06 12345678", "languages": ["nl", "ar"]})
    assert response.status_code == 302
    sanne = db.session.get(Volunteer, world["sanne"].id)
    assert (sanne.last_name, sanne.phone, sanne.languages) == ("de Vries", "+31612345678", "nl, ar")


def test_the_portal_pages_have_the_navigation_and_work_without_errors(client, world):
    sign_in_as(client, world["sanne"], language="nl")
    for nav_path in ("/volunteer/", "/volunteer/availability", "/volunteer/calendar", "/volunteer/profile"):
        assert f'href="{nav_path}" aria-current="page"' in text(client.get(nav_path))
    for path in ("/volunteer/", "/volunteer/availability", "/volunteer/availability/weekly/new",
                 "/volunteer/availability/once/new", "/volunteer/availability/time-off/new", "/volunteer/calendar",
                 "/volunteer/profile", f"/volunteer/availability/rules/{world['rule'].id}",
                 f"/volunteer/events/{world['event'].id}", f"/volunteer/appointments/{world['past'].id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = text(response)
        assert 'class="account-nav"' in page and 'action="/auth/sign-out"' in page, path
        assert response.headers["Cache-Control"] == "private, no-store"
