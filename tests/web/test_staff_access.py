"""Who may reach which staff page: a coordinator only their branches, admins everything.

Every staff route is listed here; a test fails when a new route is not (so it gets checked too).
"""
from datetime import time

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import AuditEntry, Booking, BookingStatus, Closure, Event, WaitlistEntry
from bookings.services.slot_ids import appointment_slot_id
from tests.conftest import csrf_token
from tests.factories import create_booking, create_event, create_volunteer
from tests.staff_support import in_days, local_instant, make_world, sign_in_as


@pytest.fixture
def world(app):
    w = make_world()
    day = in_days(5)
    event = create_event(service=w["week"], branch=w["meer"], starts_at=local_instant(day, time(13)), capacity=1,
                         host=w["henk"])
    place = create_booking(token="p", service=w["week"], branch=w["meer"], volunteer=w["henk"], event=event,
                           place_number=1, starts_at=event.starts_at)
    waiting = create_booking(token="w", service=w["week"], branch=w["meer"], volunteer=w["henk"], event=event,
                             place_number=None, starts_at=event.starts_at, status=BookingStatus.WAITLISTED)
    db.session.add(WaitlistEntry(event_id=event.id, booking_id=waiting.id))
    appointment = create_booking(token="a", service=w["coach"], branch=w["meer"], volunteer=w["henk"],
                                 starts_at=local_instant(day, time(10)))
    db.session.commit()
    closure = db.session.scalar(select(Closure).where(Closure.branch_id == w["meer"].id))
    w.update(event=event, place=place, waiting=waiting, appointment=appointment, closure=closure, day=day,
             vera=create_volunteer(first_name="Vera", email="vera@example.org"),
             slot=appointment_slot_id(w["coach"].id, w["meer"].id, w["henk"].id,
                                      local_instant(day, time(11))))
    return w


# Routes that name a thing of branch "meer" (the coordinator runs "amstel" only).
BRANCH_ROUTES = [
    ("GET", "/staff/branches/meer"),
    ("POST", "/staff/branches/meer"),
    ("GET", "/staff/branches/meer/closures/new"),
    ("POST", "/staff/branches/meer/closures/new"),
    ("POST", "/staff/branches/meer/closures/{closure}/delete"),
    ("POST", "/staff/branches/amstel/closures/{closure}/delete"),  # amstel's URL, meer's closure
    ("GET", "/staff/branches/meer/schedule"),
    ("GET", "/staff/events/{event}"),
    ("POST", "/staff/events/{event}/capacity"),
    ("POST", "/staff/bookings/{waiting}/promote"),
    ("GET", "/staff/bookings/{place}/cancel"),
    ("POST", "/staff/bookings/{place}/cancel"),
    ("GET", "/staff/bookings/{appointment}/cancel"),
    ("GET", "/staff/bookings/{appointment}/slip"),
    ("POST", "/staff/bookings/{appointment}/slip"),
    ("GET", "/staff/desk/coach/meer"),
    ("GET", "/staff/desk/coach/meer/{day}"),
    ("GET", "/staff/desk/details?slot={slot}"),
    ("POST", "/staff/desk/details?slot={slot}"),
]
# Library-wide settings: admins only.
ADMIN_ROUTES = [
    ("GET", "/staff/branches/new"),
    ("POST", "/staff/branches/new"),
    ("GET", "/staff/services"),
    ("GET", "/staff/services/new"),
    ("POST", "/staff/services/new"),
    ("GET", "/staff/services/{service}"),
    ("POST", "/staff/services/{service}"),
    ("GET", "/staff/volunteers"),
    ("GET", "/staff/volunteers/invite"),
    ("POST", "/staff/volunteers/invite"),
    ("GET", "/staff/volunteers/{henk}/deactivate"),
    ("POST", "/staff/volunteers/{henk}/deactivate"),
    ("POST", "/staff/volunteers/{henk}/reactivate"),
    ("GET", "/staff/referrals"),
    ("GET", "/staff/referrals/new"),
    ("POST", "/staff/referrals/new"),
    ("POST", "/staff/referrals/{referral}/link"),
    ("POST", "/staff/referrals/{referral}/active"),
]
# Pages without an id: every coordinator may open them (their content is filtered).
OPEN_ROUTES = [
    ("GET", "/staff/"), ("GET", "/staff/branches"), ("GET", "/staff/events"), ("GET", "/staff/events/plan"),
    ("POST", "/staff/events/plan"), ("GET", "/staff/desk"), ("GET", "/staff/desk/coach"),
    ("GET", "/staff/desk/check"), ("POST", "/staff/desk/check"), ("GET", "/staff/reports"),
    ("GET", "/staff/reports.csv"), ("GET", "/staff/audit"),
]
ALL_ROUTES = BRANCH_ROUTES + ADMIN_ROUTES + OPEN_ROUTES


def url(template: str, w) -> str:
    return template.format(closure=w["closure"].id, event=w["event"].id, waiting=w["waiting"].id,
                           place=w["place"].id, appointment=w["appointment"].id, day=w["day"].isoformat(),
                           slot=w["slot"], service=w["coach"].id, henk=w["henk"].id, referral=w["referral"].id)


def call(client, method, path, **data):
    if method == "GET":
        return client.get(path)
    token = csrf_token(client, "/staff/") if client.get("/staff/").status_code == 200 else ""
    return client.post(path, data={"csrf_token": token, **data})


def snapshot():
    """Everything of branch meer that a request could change."""
    return (
        [(b.id, b.status, b.place_number, b.volunteer_id) for b in db.session.scalars(select(Booking).order_by(Booking.id))],
        [(e.id, e.capacity, e.host_id) for e in db.session.scalars(select(Event))],
        db.session.scalar(select(func.count()).select_from(Closure)),
        db.session.scalar(select(func.count()).select_from(AuditEntry)),
    )


def test_every_staff_route_is_listed_and_guarded(app):
    listed = {(m, p.split("?")[0]) for m, p in ALL_ROUTES}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff."):
            continue
        assert getattr(app.view_functions[rule.endpoint], "guarded", False), rule.endpoint
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pattern = rule.rule
            assert any(m == method and _matches(pattern, p) for m, p in listed), (method, pattern)


def _matches(pattern: str, path: str) -> bool:
    import re

    regex = re.sub(r"<(?:int:)?[a-z_]+>", r"[^/]+", pattern)
    return re.fullmatch(regex, path) is not None


@pytest.mark.parametrize("method,template", BRANCH_ROUTES + ADMIN_ROUTES)
def test_coordinator_of_another_branch_gets_404_and_nothing_changes(client, world, method, template):
    sign_in_as(client, world["cora"])
    before = snapshot()
    response = call(client, method, url(template, world), capacity="5", first_name="X", reason="x",
                    starts_on=world["day"].isoformat(), name="Meer", address="Weg 1", email="new@example.org")
    assert response.status_code == 404, (method, template, response.status_code)
    db.session.expire_all()
    assert snapshot() == before


@pytest.mark.parametrize("method,template", ALL_ROUTES)
def test_volunteers_get_404_and_anonymous_visitors_are_sent_to_sign_in(app, world, method, template):
    volunteer = sign_in_as(app.test_client(), world["vera"])
    path = url(template, world)
    if method == "GET":
        assert volunteer.get(path).status_code == 404
        anonymous = app.test_client().get(path)
        assert anonymous.status_code == 302 and "/auth/sign-in" in anonymous.headers["Location"]
    else:
        # No staff page gives a volunteer a CSRF token; a token from their own portal is valid.
        token = csrf_token(volunteer, "/volunteer/profile")
        assert volunteer.post(path, data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("method,template", [r for r in ALL_ROUTES if r[0] == "GET"])
def test_admins_reach_every_page(client, world, method, template):
    sign_in_as(client, world["ada"])
    response = client.get(url(template, world))
    assert response.status_code in (200, 302), (template, response.status_code)


def test_deactivated_coordinator_is_signed_out(client, world):
    sign_in_as(client, world["cora"])
    world["cora"].active = False
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_coordinator_sees_only_their_branches_in_lists(client, world):
    sign_in_as(client, world["cora"])
    for path in ("/staff/branches", "/staff/events", "/staff/desk/coach", "/staff/"):
        page = client.get(path).get_data(as_text=True)
        assert "Bibliotheek Meer" not in page, path
    assert "Bibliotheek Amstel" in client.get("/staff/branches").get_data(as_text=True)
    plan = client.get("/staff/events/plan").get_data(as_text=True)
    assert f'name="day_{world["amstel"].id}"' in plan and f'name="day_{world["meer"].id}"' not in plan
    # A date for meer slipped into the form is refused, not planned.
    token = csrf_token(client, "/staff/events/plan")
    client.post("/staff/events/plan", data={"csrf_token": token, "service": world["week"].id,
                                            f"day_{world['meer'].id}": in_days(9).isoformat(),
                                            "start_time": "13:00", "end_time": "17:00", "capacity": "4"})
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.branch_id == world["meer"].id)) == 1


def test_staff_link_in_the_menu_only_for_staff(client, world):
    sign_in_as(client, world["vera"])
    assert 'href="/staff/"' not in client.get("/volunteer/").get_data(as_text=True)
    sign_in_as(client, world["cora"])
    assert 'href="/staff/"' in client.get("/volunteer/").get_data(as_text=True)


def test_day_schedule_lists_appointments_and_places_in_local_time(client, world):
    sign_in_as(client, world["ada"])
    page = client.get(f"/staff/branches/meer/schedule?day={world['day'].isoformat()}").get_data(as_text=True)
    appointment, place = world["appointment"], world["place"]
    assert f"{appointment.reference[:4]}-{appointment.reference[4:]}" in page
    assert f"{place.reference[:4]}-{place.reference[4:]}" in page
    assert "10:00–11:00" in page and ">13:00<" in page
    assert f"{world['waiting'].reference[:4]}-" not in page  # the waiting list has no place in the day
    bad = client.get("/staff/branches/meer/schedule?day=not-a-date")
    assert bad.status_code == 200
