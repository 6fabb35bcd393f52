"""The demo data of api.md: fixed names so that docs and tests can rely on them. Idempotent."""
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import (
    AvailabilityRule,
    Branch,
    Closure,
    Event,
    Referral,
    Role,
    Service,
    ServiceKind,
    Volunteer,
)
from bookings.services.passwords import hash_password
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow, zone

BRANCHES = [
    ("amstelveen", "Bibliotheek Amstelveen", "Stadsplein 1, 1181 ZM Amstelveen"),
    ("aalsmeer", "Bibliotheek Aalsmeer", "Marktstraat 20, 1431 BD Aalsmeer"),
    ("uithoorn", "Bibliotheek Uithoorn", "Dorpsstraat 17, 1421 AJ Uithoorn"),
]

SERVICES = [
    dict(slug="loopbaancoach", kind=ServiceKind.APPOINTMENT, icon="coach",
         name_nl="Gesprek met een loopbaancoach", name_en="Talk with a career coach",
         description_nl="Hulp bij werk zoeken: uw cv, een sollicitatie of wat u goed kunt.",
         description_en="Help with finding work: your CV, a job interview or what you are good at.",
         bring_nl="Neem uw cv mee als u dat heeft.", bring_en="Bring your CV if you have one.",
         duration_minutes=45, buffer_after_minutes=15, min_notice_minutes=12 * 60, horizon_days=42,
         max_per_volunteer_per_day=6,
         topics=[{"key": "cv", "nl": "Een cv maken", "en": "Write a CV"},
                 {"key": "interview", "nl": "Een sollicitatiegesprek oefenen", "en": "Practise a job interview"},
                 {"key": "talents", "nl": "Ontdekken wat ik goed kan", "en": "Find out what I am good at"},
                 {"key": "other", "nl": "Iets anders", "en": "Something else"}]),
    dict(slug="taalvrijwilliger", kind=ServiceKind.APPOINTMENT, icon="language",
         name_nl="Hulp van een taalvrijwilliger", name_en="Help from a language volunteer",
         description_nl="Hulp bij lezen, schrijven, een brief of een formulier.",
         description_en="Help with reading, writing, a letter or a form.",
         bring_nl="Neem de brief of het formulier mee.", bring_en="Bring the letter or the form.",
         duration_minutes=60, min_notice_minutes=2 * 60, horizon_days=42,
         topics=[{"key": "reading", "nl": "Beter lezen", "en": "Read better"},
                 {"key": "writing", "nl": "Beter schrijven", "en": "Write better"},
                 {"key": "letter", "nl": "Een sollicitatiebrief", "en": "A job application letter"},
                 {"key": "form", "nl": "Een formulier invullen", "en": "Fill in a form"},
                 {"key": "other", "nl": "Iets anders", "en": "Something else"}]),
    dict(slug="week-van-de-loopbaan", kind=ServiceKind.EVENT, icon="week",
         name_nl="Week van de Loopbaan: gesprek met de coach",
         name_en="Career Week: talk with the coach",
         description_nl="De loopbaancoach is één middag in elke bibliotheek. Er zijn weinig plaatsen.",
         description_en="The career coach visits each library for one afternoon. Places are limited.",
         duration_minutes=30, min_notice_minutes=60, horizon_days=60,
         topics=[{"key": "work", "nl": "Werk zoeken", "en": "Finding work"},
                 {"key": "study", "nl": "Een opleiding kiezen", "en": "Choosing a course"},
                 {"key": "other", "nl": "Iets anders", "en": "Something else"}]),
]


@dataclass
class Person:
    email: str
    first_name: str
    role: Role = Role.VOLUNTEER
    languages: str = "nl"
    # (weekday, start, end, branch slug, service slug)
    rules: list[tuple[int, time, time, str, str]] = field(default_factory=list)


PEOPLE = [
    Person("coach@example.org", "Sanne", languages="nl, en", rules=[
        (0, time(13), time(17), "amstelveen", "loopbaancoach"),
        (2, time(9, 30), time(12, 30), "aalsmeer", "loopbaancoach"),
        (3, time(13), time(16), "uithoorn", "loopbaancoach"),
        (4, time(9, 30), time(12, 30), "uithoorn", "loopbaancoach"),
    ]),
    Person("henk@example.org", "Henk", rules=[
        (0, time(19), time(21), "amstelveen", "taalvrijwilliger"),
        (1, time(10), time(12), "aalsmeer", "taalvrijwilliger"),
    ]),
    Person("fatima@example.org", "Fatima", languages="nl, ar, en", rules=[
        (2, time(14), time(16), "uithoorn", "taalvrijwilliger"),
        (4, time(10), time(12), "amstelveen", "taalvrijwilliger"),
    ]),
    Person("joost@example.org", "Joost", languages="nl, tr", rules=[
        (1, time(19), time(21), "uithoorn", "taalvrijwilliger"),
        (3, time(10), time(12), "aalsmeer", "taalvrijwilliger"),
    ]),
    Person("coordinator@example.org", "Mirjam", role=Role.COORDINATOR),
]

REFERRALS = [("WERKPLEIN", "WerkpleinAA (gemeente Amstelveen)")]


def seed_demo(today: date | None = None) -> dict[str, str]:
    """Load the demo data; returns the passwords of the logins created now (none on a re-run)."""
    today = today or local_date(utcnow(), DEFAULT_ZONE)
    branches = {slug: _branch(slug, name, address) for slug, name, address in BRANCHES}
    services = {spec["slug"]: _service(spec) for spec in SERVICES}
    passwords: dict[str, str] = {}
    for person in PEOPLE:
        volunteer, password = _person(person)
        if password:
            passwords[person.email] = password
        if not volunteer.rules:
            for weekday, start, end, branch_slug, service_slug in person.rules:
                volunteer.rules.append(AvailabilityRule(
                    branch=branches[branch_slug], weekday=weekday, start_time=start, end_time=end,
                    services=[services[service_slug]], valid_from=today))
    for code, partner in REFERRALS:
        if not db.session.scalar(select(Referral).where(Referral.code == code)):
            db.session.add(Referral(code=code, partner_name=partner))
    _closures(branches.values(), today)
    _career_week(services["week-van-de-loopbaan"], branches, today)
    _coordinator_runs_every_branch(branches.values())
    db.session.commit()
    return passwords


def _branch(slug: str, name: str, address: str) -> Branch:
    branch = db.session.scalar(select(Branch).where(Branch.slug == slug))
    if branch is None:
        branch = Branch(slug=slug, name=name, address=address, timezone=DEFAULT_ZONE,
                        opening_hours="ma-vr 10:00-20:00, za 10:00-17:00")
        db.session.add(branch)
    return branch


def _service(spec: dict) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == spec["slug"]))
    if service is None:
        service = Service(**spec)
        db.session.add(service)
    return service


def _person(person: Person) -> tuple[Volunteer, str | None]:
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.email == person.email))
    if volunteer is not None:
        return volunteer, None
    # Only the two logins of api.md get a password; the others are invited later.
    password = secrets.token_urlsafe(12) if person.email in (
        "coach@example.org", "coordinator@example.org") else None
    volunteer = Volunteer(email=person.email, first_name=person.first_name, role=person.role,
                          languages=person.languages,
                          password_hash=hash_password(password) if password else None)
    db.session.add(volunteer)
    return volunteer, password


def _closures(branches, today: date) -> None:
    """Public holidays on which every branch is closed."""
    for year in (today.year, today.year + 1):
        holidays = [(date(year, 1, 1), "Nieuwjaarsdag"), (date(year, 4, 27), "Koningsdag"),
                    (date(year, 12, 25), "Kerstmis"), (date(year, 12, 26), "Tweede Kerstdag")]
        for branch in branches:
            for day, reason in holidays:
                exists = db.session.scalar(select(Closure.id).where(
                    Closure.branch_id == branch.id, Closure.starts_on == day)) if branch.id else None
                if not exists:
                    branch.closures.append(Closure(starts_on=day, ends_on=day, reason=reason))


def _career_week(service: Service, branches: dict[str, Branch], today: date) -> None:
    """One afternoon per branch, 13:00-17:00, 8 timed places of 30 minutes, in two weeks' time."""
    if service.id and db.session.scalar(select(Event.id).where(Event.service_id == service.id)):
        return
    coach = db.session.scalar(select(Volunteer).where(Volunteer.email == "coach@example.org"))
    monday = today + timedelta(days=14 - today.weekday())
    for offset, slug in enumerate(["amstelveen", "aalsmeer", "uithoorn"]):
        day = monday + timedelta(days=offset + 1)  # Tuesday, Wednesday, Thursday
        start = datetime.combine(day, time(13), tzinfo=zone(DEFAULT_ZONE))
        db.session.add(Event(service=service, branch=branches[slug], host=coach,
                             starts_at=start, ends_at=start + timedelta(hours=4),
                             capacity=8, place_minutes=30))


def _coordinator_runs_every_branch(branches) -> None:
    """The demo coordinator runs the three demo branches (staff pages, issue 9)."""
    from bookings.services.staff_scope import coordinated_branch_ids, set_coordinator_branches

    db.session.flush()
    coordinator = db.session.scalar(select(Volunteer).where(Volunteer.email == "coordinator@example.org"))
    if coordinator is not None and not coordinated_branch_ids(coordinator.id):
        set_coordinator_branches(coordinator, [branch.id for branch in branches])
