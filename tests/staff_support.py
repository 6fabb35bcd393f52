"""Shared set-up of the staff tests: two branches, a coordinator of one, an admin, a volunteer."""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Referral, Role, ServiceKind, Volunteer
from bookings.services.staff_scope import set_coordinator_branches
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow, zone
from tests.factories import create_branch, create_closure, create_every_day_rules, create_service, create_volunteer


def local_instant(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, zone(DEFAULT_ZONE)).astimezone(timezone.utc)


def in_days(days: int) -> date:
    return local_date(utcnow(), DEFAULT_ZONE) + timedelta(days=days)


def sign_in_as(client, volunteer: Volunteer, language: str = "en"):
    with client.session_transaction() as session:
        session["_user_id"] = volunteer.get_id()
        session["_fresh"] = True
        session["language"] = language
    return client


def make_world():
    amstel = create_branch(slug="amstel", name="Bibliotheek Amstel", phone="+31201234567")
    meer = create_branch(slug="meer", name="Bibliotheek Meer")
    coach = create_service(slug="coach", duration_minutes=60, min_notice_minutes=0)
    week = create_service(slug="week", kind=ServiceKind.EVENT, duration_minutes=30, min_notice_minutes=0,
                          topics=[])
    sanne = create_volunteer(first_name="Sanne", email="sanne@example.org")
    henk = create_volunteer(first_name="Henk", email="henk@example.org")
    create_every_day_rules(volunteer=sanne, branch=amstel, services=[coach])
    create_every_day_rules(volunteer=henk, branch=meer, services=[coach])
    cora = create_volunteer(first_name="Cora", email="cora@example.org", role=Role.COORDINATOR)
    ada = create_volunteer(first_name="Ada", email="ada@example.org", role=Role.ADMIN)
    set_coordinator_branches(cora, [amstel.id])
    create_closure(branch=amstel, starts_on=in_days(60))
    create_closure(branch=meer, starts_on=in_days(60))
    db.session.add(Referral(code="WERKPLEIN", partner_name="Werkplein"))
    db.session.commit()
    return dict(amstel=amstel, meer=meer, coach=coach, week=week, sanne=sanne, henk=henk, cora=cora, ada=ada,
                referral=db.session.scalar(select(Referral)))
