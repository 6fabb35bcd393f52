"""Test data with sensible defaults: create_x(**overrides)."""
import itertools
from datetime import date, datetime, time, timedelta

from bookings.extensions import db
from bookings.models import (
    Actor,
    AvailabilityRule,
    Booking,
    BookingChange,
    BookingStatus,
    Branch,
    Closure,
    Event,
    ManageToken,
    Service,
    ServiceKind,
    TimeOff,
    Volunteer,
)
from bookings.services.timezones import utcnow
from bookings.services.tokens import hash_token, new_reference

_counter = itertools.count(1)


def create_branch(**overrides) -> Branch:
    n = next(_counter)
    values = dict(slug=f"branch-{n}", name=f"Bibliotheek {n}", address=f"Dorpsstraat {n}, 1000 AA Ergens",
                  timezone="Europe/Amsterdam")
    values.update(overrides)
    return _save(Branch(**values))


def create_service(**overrides) -> Service:
    n = next(_counter)
    values = dict(slug=f"service-{n}", kind=ServiceKind.APPOINTMENT, name_nl=f"Dienst {n}",
                  name_en=f"Service {n}", duration_minutes=60, horizon_days=42,
                  topics=[{"key": "cv", "nl": "Een cv maken", "en": "Write a CV"},
                          {"key": "other", "nl": "Iets anders", "en": "Something else"}])
    values.update(overrides)
    return _save(Service(**values))


def create_volunteer(**overrides) -> Volunteer:
    n = next(_counter)
    values = dict(email=f"volunteer{n}@example.org", first_name=f"Vrijwilliger{n}")
    values.update(overrides)
    return _save(Volunteer(**values))


def create_rule(*, volunteer: Volunteer, branch: Branch, services: list[Service], weekday: int | None = None,
                start: time = time(9), end: time = time(17), **overrides) -> AvailabilityRule:
    values = dict(volunteer=volunteer, branch=branch, services=services, weekday=weekday,
                  start_time=start, end_time=end)
    values.update(overrides)
    return _save(AvailabilityRule(**values))


def create_every_day_rules(*, volunteer, branch, services, start=time(9), end=time(17)) -> None:
    """Availability on every weekday, so that tests find free times whatever today is."""
    for weekday in range(7):
        create_rule(volunteer=volunteer, branch=branch, services=services, weekday=weekday,
                    start=start, end=end)


def create_booking(*, service: Service, branch: Branch, starts_at: datetime, token: str = "token",
                   volunteer: Volunteer | None = None, event: Event | None = None,
                   status: BookingStatus = BookingStatus.CONFIRMED, **overrides) -> Booking:
    values = dict(reference=new_reference(), service=service, branch=branch,
                  volunteer=volunteer, event=event, starts_at=starts_at,
                  ends_at=starts_at + timedelta(minutes=service.duration_minutes), status=status,
                  first_name="Amira", email="amira@example.org", language="nl")
    values.update(overrides)
    booking = Booking(**values)
    booking.changes.append(BookingChange(to_status=status, actor=Actor.RESIDENT))
    booking.manage_tokens.append(ManageToken(token_hash=hash_token(token)))
    return _save(booking)


def create_event(*, service: Service, branch: Branch, starts_at: datetime, capacity: int = 8,
                 place_minutes: int | None = 30, hours: int = 4, **overrides) -> Event:
    values = dict(service=service, branch=branch, starts_at=starts_at,
                  ends_at=starts_at + timedelta(hours=hours), capacity=capacity,
                  place_minutes=place_minutes)
    values.update(overrides)
    return _save(Event(**values))


def create_time_off(*, volunteer: Volunteer, starts_at: datetime, ends_at: datetime) -> TimeOff:
    return _save(TimeOff(volunteer_id=volunteer.id, starts_at=starts_at, ends_at=ends_at))


def create_closure(*, branch: Branch, starts_on: date, ends_on: date | None = None) -> Closure:
    return _save(Closure(branch=branch, starts_on=starts_on, ends_on=ends_on or starts_on, reason="test"))


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def soon(days: int = 2, hour: int = 10) -> datetime:
    """A whole hour a few days from now, in UTC."""
    moment = utcnow() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)
