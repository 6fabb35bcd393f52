"""Every page of the service × every kind of visitor: who gets in, who is sent to sign in, who gets 404.

Visitors: anonymous; a resident holding a secret link (manage link, bearer token, or the secret in
a feed, partner or password URL); a volunteer (not the owner of what is asked); a coordinator of
another branch; an admin. The "things" asked for belong to Henk at branch "meer"; the volunteer is
Sanne and the coordinator runs "amstel" only. A test fails when a page is added without a row here.
"""
from datetime import time

import pytest

from bookings.extensions import db
from bookings.models import AvailabilityRule, BookingStatus, TimeOff, TokenPurpose, WaitlistEntry
from bookings.services.accounts import issue_account_token
from bookings.services.feeds import new_feed_token
from bookings.services.slot_ids import appointment_slot_id
from bookings.services.tokens import hash_token, new_token
from tests.factories import create_booking, create_event
from tests.staff_support import in_days, local_instant, make_world, sign_in_as

ACTORS = ["anonymous", "link", "volunteer", "coordinator", "admin"]
OK, SIGN_IN, NO = 200, "sign-in", 404
PUBLIC = (OK,) * 5
PRIVATE_LINK = (NO, OK, NO, NO, NO)  # only the holder of the secret
PORTAL = (SIGN_IN, SIGN_IN, OK, OK, OK)  # anyone signed in sees their own portal
SOMEONE_ELSES = (SIGN_IN, SIGN_IN, NO, NO, NO)  # Henk's things in the portal
STAFF_OPEN = (SIGN_IN, SIGN_IN, NO, OK, OK)
STAFF_OTHER_BRANCH = (SIGN_IN, SIGN_IN, NO, NO, OK)
ADMIN_ONLY = STAFF_OTHER_BRANCH

# endpoint: (path template, expected status per actor)
MATRIX = {
    "public.index": ("/", PUBLIC),
    "public.privacy": ("/privacy", PUBLIC),
    "public.find_booking": ("/find", PUBLIC),
    "public.erased": ("/erased", PUBLIC),
    "public.choose_branch": ("/book/coach", PUBLIC),
    "public.choose_day": ("/book/coach/meer", PUBLIC),
    "public.choose_time": ("/book/coach/meer/{day}", PUBLIC),
    "public.details": ("/book/details?slot={slot}", PUBLIC),
    "public.check": ("/book/check", (302,) * 5),  # nothing chosen yet: back to the start
    "public.switch_language": ("/language/en?next=/", (302,) * 5),
    "public.manage": ("/manage/{reference}/{token}", PRIVATE_LINK),
    "public.confirmed": ("/manage/{reference}/{token}/done", PRIVATE_LINK),
    "public.cancel": ("/manage/{reference}/{token}/cancel", PRIVATE_LINK),
    "public.erase": ("/manage/{reference}/{token}/erase", PRIVATE_LINK),
    "public.move_day": ("/manage/{reference}/{token}/move", PRIVATE_LINK),
    "public.move_time": ("/manage/{reference}/{token}/move/{day}", PRIVATE_LINK),
    "public.move_check": ("/manage/{reference}/{token}/move/check?slot={slot}", PRIVATE_LINK),
    "feeds.booking_calendar_file": ("/feeds/bookings/{reference}/{token}.ics", PRIVATE_LINK),
    "feeds.volunteer_feed": ("/feeds/volunteers/{feed_token}.ics", PRIVATE_LINK),
    "feeds.branch_feed": ("/feeds/branches/meer.ics", PUBLIC),
    "partners.counts": ("/partners/{partner_token}", PRIVATE_LINK),
    "api.branches": ("/api/v1/branches", PUBLIC),
    "api.services": ("/api/v1/services", PUBLIC),
    "api.slots": ("/api/v1/slots?service=coach&branch=meer", PUBLIC),
    "api.openapi": ("/api/v1/openapi.json", PUBLIC),
    "api.get_booking": ("/api/v1/bookings/{reference}", PRIVATE_LINK),
    "auth.sign_in": ("/auth/sign-in", (OK, OK, 302, 302, 302)),  # signed in: on to their pages
    "auth.forgot_password": ("/auth/forgot-password", PUBLIC),
    "auth.reset_sent": ("/auth/forgot-password/sent", PUBLIC),
    "auth.set_password": ("/auth/password/{account_token}", PRIVATE_LINK),
    "volunteer.home": ("/volunteer/", PORTAL),
    "volunteer.availability": ("/volunteer/availability", PORTAL),
    "volunteer.calendar": ("/volunteer/calendar", PORTAL),
    "volunteer.profile": ("/volunteer/profile", PORTAL),
    "volunteer.new_weekly_rule": ("/volunteer/availability/weekly/new", PORTAL),
    "volunteer.new_once_rule": ("/volunteer/availability/once/new", PORTAL),
    "volunteer.new_time_off": ("/volunteer/availability/time-off/new", PORTAL),
    "volunteer.cancel_day": ("/volunteer/day/{day}/cancel", PORTAL),
    "volunteer.appointment": ("/volunteer/appointments/{appointment}", SOMEONE_ELSES),
    "volunteer.cancel_appointment": ("/volunteer/appointments/{appointment}/cancel", SOMEONE_ELSES),
    "volunteer.event": ("/volunteer/events/{event}", SOMEONE_ELSES),
    "volunteer.edit_rule": ("/volunteer/availability/rules/{rule}", SOMEONE_ELSES),
    "volunteer.delete_rule": ("/volunteer/availability/rules/{rule}/delete", SOMEONE_ELSES),
    "volunteer.delete_time_off": ("/volunteer/availability/time-off/{time_off}/delete", SOMEONE_ELSES),
    "staff.home": ("/staff/", STAFF_OPEN),
    "staff.audit": ("/staff/audit", STAFF_OPEN),
    "staff.branches": ("/staff/branches", STAFF_OPEN),
    "staff.events": ("/staff/events", STAFF_OPEN),
    "staff.plan": ("/staff/events/plan", STAFF_OPEN),
    "staff.desk": ("/staff/desk", STAFF_OPEN),
    "staff.desk_branch": ("/staff/desk/coach", STAFF_OPEN),
    "staff.desk_check": ("/staff/desk/check", (SIGN_IN, SIGN_IN, NO, 302, 302)),
    "staff.reports": ("/staff/reports", STAFF_OPEN),
    "staff.reports_csv": ("/staff/reports.csv", STAFF_OPEN),
    "staff.branch": ("/staff/branches/meer", STAFF_OTHER_BRANCH),
    "staff.schedule": ("/staff/branches/meer/schedule", STAFF_OTHER_BRANCH),
    "staff.new_closure": ("/staff/branches/meer/closures/new", STAFF_OTHER_BRANCH),
    "staff.event": ("/staff/events/{event}", STAFF_OTHER_BRANCH),
    "staff.cancel": ("/staff/bookings/{appointment}/cancel", STAFF_OTHER_BRANCH),
    "staff.slip": ("/staff/bookings/{appointment}/slip", STAFF_OTHER_BRANCH),
    "staff.desk_day": ("/staff/desk/coach/meer", STAFF_OTHER_BRANCH),
    "staff.desk_time": ("/staff/desk/coach/meer/{day}", STAFF_OTHER_BRANCH),
    "staff.desk_details": ("/staff/desk/details?slot={slot}", STAFF_OTHER_BRANCH),
    "staff.new_branch": ("/staff/branches/new", ADMIN_ONLY),
    "staff.services": ("/staff/services", ADMIN_ONLY),
    "staff.new_service": ("/staff/services/new", ADMIN_ONLY),
    "staff.service": ("/staff/services/{service}", ADMIN_ONLY),
    "staff.volunteers": ("/staff/volunteers", ADMIN_ONLY),
    "staff.invite": ("/staff/volunteers/invite", ADMIN_ONLY),
    "staff.deactivate": ("/staff/volunteers/{henk}/deactivate", ADMIN_ONLY),
    "staff.referrals": ("/staff/referrals", ADMIN_ONLY),
    "staff.new_referral": ("/staff/referrals/new", ADMIN_ONLY),
}


@pytest.fixture
def world(app):
    w = make_world()
    day = in_days(5)
    event = create_event(service=w["week"], branch=w["meer"], starts_at=local_instant(day, time(13)),
                         capacity=1, host=w["henk"])
    waiting = create_booking(token="w", service=w["week"], branch=w["meer"], volunteer=w["henk"], event=event,
                             starts_at=event.starts_at, status=BookingStatus.WAITLISTED)
    db.session.add(WaitlistEntry(event_id=event.id, booking_id=waiting.id))
    token = new_token()
    appointment = create_booking(token=token, service=w["coach"], branch=w["meer"], volunteer=w["henk"],
                                 starts_at=local_instant(day, time(10)))
    rule = db.session.query(AvailabilityRule).filter_by(volunteer_id=w["henk"].id).first()
    time_off = TimeOff(volunteer_id=w["henk"].id, starts_at=local_instant(in_days(40), time(0)),
                       ends_at=local_instant(in_days(41), time(0)))
    db.session.add(time_off)
    partner_token = new_token()
    w["referral"].partner_token_hash = hash_token(partner_token)
    feed_token = new_feed_token(w["henk"])
    account_token = issue_account_token(w["henk"], TokenPurpose.RESET)
    db.session.commit()
    values = dict(day=day.isoformat(), reference=appointment.reference, event=event.id, rule=rule.id,
                  appointment=appointment.id, time_off=time_off.id, service=w["coach"].id, henk=w["henk"].id,
                  slot=appointment_slot_id(w["coach"].id, w["meer"].id, w["henk"].id, local_instant(day, time(11))))
    secrets = dict(token=token, feed_token=feed_token, partner_token=partner_token, account_token=account_token)
    return w, values, secrets


def test_every_page_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert endpoints - {"static"} == set(MATRIX)


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_who_gets_what(app, world, endpoint):
    w, values, secrets = world
    template, expected = MATRIX[endpoint]
    wrong = {name: "x" * len(value) for name, value in secrets.items()}
    people = {"volunteer": w["sanne"], "coordinator": w["cora"], "admin": w["ada"]}
    for actor, want in zip(ACTORS, expected, strict=True):
        client = app.test_client()
        if actor in people:
            sign_in_as(client, people[actor], language="nl")
        path = template.format(**values, **(secrets if actor == "link" else wrong))
        headers = {"Authorization": f"Bearer {secrets['token']}"} if actor == "link" else {}
        response = client.get(path, headers=headers)
        if want == SIGN_IN:
            assert response.status_code == 302 and "/auth/sign-in" in response.location, (actor, path)
        else:
            assert response.status_code == want, (actor, path, response.status_code)
