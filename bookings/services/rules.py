"""A volunteer's own availability: weekly and one-off rules, time off, and what they give.

Two rules hold for every change:

- A volunteer is in one place at a time: a rule that overlaps another of their rules (same date,
  overlapping hours, at any branch) is refused with ``RuleOverlap``, which names that rule.
- A change never silently strands a booking. A confirmed future appointment that was covered before
  the change and is not after it is "stranded"; without ``confirm`` the change is refused with
  ``StrandsBookings`` (and rolled back), with ``confirm`` those bookings are cancelled in the same
  transaction and each resident gets a CANCEL message with a link to choose a new time.

"Covered" is decided by the availability engine itself (``is_covered``), so this module never has
its own idea of when a rule applies for bookings; only the overlap check reads rules directly.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import or_, select

from bookings.extensions import db
from bookings.models import (
    Actor,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Branch,
    Service,
    ServiceKind,
    TimeOff,
    Volunteer,
    rule_services,
)
from bookings.services import availability
from bookings.services.errors import DomainError, Invalid
from bookings.services.lifecycle import cancel_by_library
from bookings.services.locking import lock_volunteer
from bookings.services.timezones import DEFAULT_ZONE, day_window_utc, local_date, to_local, utcnow, zone
from bookings.services.transactions import command

MAX_EVERY_N_WEEKS = 8
_DEFAULT_ANCHOR = date(2024, 1, 1)  # the engine's anchor for "every N weeks" without valid_from


class RuleOverlap(Invalid):
    """The new or changed rule overlaps ``rule``, another rule of the same volunteer."""

    def __init__(self, rule: AvailabilityRule):
        super().__init__(f"overlaps rule {rule.id}", fields={"start_time": "overlap"})
        self.rule = rule


class StrandsBookings(DomainError):
    """The change would leave these confirmed bookings outside the volunteer's availability."""

    code = "strands_bookings"
    http_status = 409

    def __init__(self, bookings: list[Booking]):
        super().__init__(f"{len(bookings)} bookings would lose their time")
        self.booking_ids = [booking.id for booking in bookings]


@dataclass(frozen=True)
class RuleInput:
    """What the form gives: a weekly rule (``weekday``) or a one-off time (``on_date``)."""

    weekly: bool
    branch_id: int | None
    service_ids: list[int]
    start_time: time | None
    end_time: time | None
    weekday: int | None = None
    on_date: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    every_n_weeks: int = 1


# --- commands ---------------------------------------------------------------------------------


@command()
def add_rule(*, volunteer: Volunteer, data: RuleInput, now: datetime | None = None) -> AvailabilityRule:
    """A new weekly or one-off time. More availability never strands a booking."""
    now = now or utcnow()
    data = _normalised(data)
    lock_volunteer(volunteer.id)  # two rules added at once still see each other
    branch, services = _check(volunteer, data, exclude_rule_id=None, now=now)
    rule = AvailabilityRule(volunteer_id=volunteer.id)
    _fill(rule, data, branch, services)
    db.session.add(rule)
    db.session.flush()
    return rule


@command()
def change_rule(*, volunteer: Volunteer, rule: AvailabilityRule, data: RuleInput, confirm: bool = False,
                now: datetime | None = None) -> list[Booking]:
    """Change a rule; returns the bookings cancelled (only with ``confirm``)."""
    now = now or utcnow()
    _own(volunteer, rule)
    data = _normalised(data)
    lock_volunteer(volunteer.id)
    branch, services = _check(volunteer, data, exclude_rule_id=rule.id, now=now)
    return _checked_change(volunteer, lambda: _fill(rule, data, branch, services), confirm=confirm, now=now,
                           reason="availability changed")


@command()
def delete_rule(*, volunteer: Volunteer, rule: AvailabilityRule, confirm: bool = False,
                now: datetime | None = None) -> list[Booking]:
    """Remove a rule; returns the bookings cancelled (only with ``confirm``)."""
    now = now or utcnow()
    _own(volunteer, rule)
    lock_volunteer(volunteer.id)
    return _checked_change(volunteer, lambda: db.session.delete(rule), confirm=confirm, now=now,
                           reason="availability removed")


@command()
def add_time_off(*, volunteer: Volunteer, first_day: date | None, last_day: date | None = None,
                 start_time: time | None = None, end_time: time | None = None, reason: str = "",
                 confirm: bool = False, now: datetime | None = None) -> list[Booking]:
    """Away for whole days (first to last, inclusive) or for some hours of one day (local time)."""
    now = now or utcnow()
    starts_at, ends_at = _time_off_window(first_day, last_day, start_time, end_time, reason, now)
    time_off = TimeOff(volunteer_id=volunteer.id, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
    lock_volunteer(volunteer.id)
    return _checked_change(volunteer, lambda: db.session.add(time_off), confirm=confirm, now=now,
                           reason=reason.strip() or "time off")


@command()
def delete_time_off(*, volunteer: Volunteer, time_off: TimeOff) -> None:
    """Back after all: more availability never strands a booking."""
    if time_off.volunteer_id != volunteer.id:
        raise Invalid("not this volunteer's time off", fields={"time_off": "not_yours"})
    db.session.delete(time_off)


# --- coverage ---------------------------------------------------------------------------------


def is_covered(booking: Booking) -> bool:
    """Does the volunteer's availability (rules minus time off and closures) still offer this start?"""
    service = booking.service
    # "now" just early enough that the notice period and the horizon do not hide the start.
    early = booking.starts_at - timedelta(minutes=service.min_notice_minutes)
    slots = availability.appointment_slots(
        service, start=booking.starts_at, end=booking.starts_at + timedelta(minutes=1), now=early,
        branch=booking.branch, volunteer_id=booking.volunteer_id, include_bookings=False)
    return any(slot.start == booking.starts_at for slot in slots)


def upcoming_appointments(volunteer_id: int, now: datetime) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).where(Booking.volunteer_id == volunteer_id, Booking.event_id.is_(None),
                              Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now)
        .order_by(Booking.starts_at, Booking.id)))


def _checked_change(volunteer: Volunteer, apply: Callable[[], object], *, confirm: bool, now: datetime,
                    reason: str) -> list[Booking]:
    """Apply a change; cancel (with ``confirm``) or refuse what it strands. Call with the volunteer locked,
    so that no booking slips in between the check and the change."""
    covered_before = [b for b in upcoming_appointments(volunteer.id, now) if is_covered(b)]
    apply()
    db.session.flush()
    stranded = [b for b in covered_before if not is_covered(b)]
    if stranded and not confirm:
        raise StrandsBookings(stranded)
    for booking in stranded:
        cancel_by_library(booking=booking, actor=Actor.VOLUNTEER, actor_id=volunteer.id, reason=reason, now=now)
    return stranded


# --- checks -----------------------------------------------------------------------------------


def _own(volunteer: Volunteer, rule: AvailabilityRule) -> None:
    if rule.volunteer_id != volunteer.id:
        raise Invalid("not this volunteer's rule", fields={"rule": "not_yours"})


def rule_problems(data: RuleInput, *, now: datetime | None = None) -> dict[str, str]:
    """Field codes for what is wrong with the input (not the overlap check, which needs the rest right)."""
    errors: dict[str, str] = {}
    today = local_date(now or utcnow(), DEFAULT_ZONE)
    if not data.branch_id or db.session.get(Branch, data.branch_id) is None:
        errors["branch"] = "branch_required"
    if not _services(data.service_ids) or len(_services(data.service_ids)) != len(set(data.service_ids)):
        errors["services"] = "services_required"
    if data.start_time is None:
        errors["start_time"] = "time_required"
    if data.end_time is None:
        errors["end_time"] = "time_required"
    elif data.start_time is not None and data.end_time <= data.start_time:
        errors["end_time"] = "time_order"
    if data.weekly and (data.weekday is None or not 0 <= data.weekday <= 6):
        errors["weekday"] = "weekday_required"
    if not data.weekly and data.on_date is None:
        errors["on_date"] = "date_required"
    elif not data.weekly and data.on_date < today:
        errors["on_date"] = "date_past"
    if data.weekly and data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        errors["valid_until"] = "date_order"
    if data.weekly and not 1 <= data.every_n_weeks <= MAX_EVERY_N_WEEKS:
        errors["every_n_weeks"] = "every_n_weeks"
    return errors


def _services(service_ids: list[int]) -> list[Service]:
    if not service_ids:
        return []
    return list(db.session.scalars(select(Service).where(
        Service.id.in_(service_ids), Service.active.is_(True), Service.kind == ServiceKind.APPOINTMENT)
        .order_by(Service.id)))


def _check(volunteer: Volunteer, data: RuleInput, *, exclude_rule_id: int | None,
           now: datetime) -> tuple[Branch, list[Service]]:
    errors = rule_problems(data, now=now)
    if errors:
        raise Invalid("rule not accepted", fields=errors)
    other = find_overlap(volunteer.id, data, exclude_rule_id=exclude_rule_id, today=local_date(now, DEFAULT_ZONE))
    if other is not None:
        raise RuleOverlap(other)
    return db.session.get(Branch, data.branch_id), _services(data.service_ids)


def _normalised(data: RuleInput) -> RuleInput:
    if data.weekly:
        return replace(data, on_date=None)
    return replace(data, weekday=None, valid_from=None, valid_until=None, every_n_weeks=1)


def _fill(rule: AvailabilityRule, data: RuleInput, branch: Branch, services: list[Service]) -> None:
    weekly = data.weekly
    rule.branch = branch
    rule.services = services
    rule.weekday = data.weekday if weekly else None
    rule.on_date = None if weekly else data.on_date
    rule.start_time, rule.end_time = data.start_time, data.end_time
    rule.valid_from = data.valid_from if weekly else None
    rule.valid_until = data.valid_until if weekly else None
    rule.every_n_weeks = data.every_n_weeks if weekly else 1


def _time_off_window(first_day, last_day, start_time, end_time, reason: str,
                     now: datetime) -> tuple[datetime, datetime]:
    errors: dict[str, str] = {}
    if first_day is None:
        errors["first_day"] = "date_required"
    if len(reason.strip()) > 120:
        errors["reason"] = "reason_too_long"
    hours = start_time is not None or end_time is not None
    if hours and (start_time is None or end_time is None):
        errors["start_time" if start_time is None else "end_time"] = "time_required"
    elif hours and end_time <= start_time:
        errors["end_time"] = "time_order"
    if first_day and last_day and last_day < first_day:
        errors["last_day"] = "date_order"
    if hours and first_day and last_day and last_day != first_day:
        errors["last_day"] = "hours_one_day"
    if errors:
        raise Invalid("time off not accepted", fields=errors)
    if hours:
        local = zone(DEFAULT_ZONE)
        starts_at = datetime.combine(first_day, start_time, local).astimezone(timezone.utc)
        ends_at = datetime.combine(first_day, end_time, local).astimezone(timezone.utc)
    else:
        starts_at, ends_at = day_window_utc(first_day, last_day or first_day, DEFAULT_ZONE)
    if ends_at <= now:
        raise Invalid("time off in the past", fields={"first_day": "date_past"})
    return starts_at, ends_at


# --- overlap between rules --------------------------------------------------------------------


def find_overlap(volunteer_id: int, data, *, exclude_rule_id: int | None, today: date) -> AvailabilityRule | None:
    """Another rule of the volunteer with overlapping hours on a date (today or later) both apply."""
    query = select(AvailabilityRule).where(
        AvailabilityRule.volunteer_id == volunteer_id,
        or_(AvailabilityRule.valid_until.is_(None), AvailabilityRule.valid_until >= today),
        or_(AvailabilityRule.on_date.is_(None), AvailabilityRule.on_date >= today),
    ).order_by(AvailabilityRule.id)
    if exclude_rule_id is not None:
        query = query.where(AvailabilityRule.id != exclude_rule_id)
    for other in db.session.scalars(query):
        if data.start_time < other.end_time and other.start_time < data.end_time \
                and _share_a_date(data, other, today):
            return other
    return None


def _bounds(rule) -> tuple[date, date]:
    if rule.weekday is None:
        return rule.on_date, rule.on_date
    return rule.valid_from or date.min, rule.valid_until or date.max


def applies_on(rule, day: date) -> bool:
    """The engine's meaning of a rule (see scheduling.engine), for one date."""
    first, last = _bounds(rule)
    if rule.weekday is None:
        return rule.on_date == day
    if not (first <= day <= last) or day.weekday() != rule.weekday:
        return False
    if rule.every_n_weeks <= 1:
        return True
    anchor = rule.valid_from or _DEFAULT_ANCHOR
    weeks = ((day - timedelta(days=day.weekday())) - (anchor - timedelta(days=anchor.weekday()))).days // 7
    return weeks % rule.every_n_weeks == 0


def _share_a_date(a, b, today: date) -> bool:
    a_first, a_last = _bounds(a)
    b_first, b_last = _bounds(b)
    first, last = max(a_first, b_first, today), min(a_last, b_last)
    if first > last:
        return False
    if a.weekday is None or b.weekday is None:
        one_off = a if a.weekday is None else b
        return applies_on(a, one_off.on_date) and applies_on(b, one_off.on_date)
    if a.weekday != b.weekday:
        return False
    # Both weekly on the same weekday: the pattern repeats every lcm(N, M) weeks.
    day = first + timedelta(days=(a.weekday - first.weekday()) % 7)
    for _week in range(math.lcm(max(a.every_n_weeks, 1), max(b.every_n_weeks, 1))):
        if day > last:
            return False
        if applies_on(a, day) and applies_on(b, day):
            return True
        day += timedelta(days=7)
    return False


# --- preview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewTime:
    start: datetime
    booked: bool


@dataclass(frozen=True)
class PreviewLine:
    service: Service
    branch: Branch
    times: list[PreviewTime] = field(default_factory=list)


@dataclass(frozen=True)
class PreviewDay:
    day: date
    lines: list[PreviewLine]


def preview(volunteer: Volunteer, *, first_day: date, days: int = 14,
            now: datetime | None = None) -> list[PreviewDay]:
    """The times the volunteer's rules give from ``first_day``, per local day, service and branch."""
    now = now or utcnow()
    start, end = day_window_utc(first_day, first_day + timedelta(days=days - 1), DEFAULT_ZONE)
    # A subquery, not DISTINCT: PostgreSQL cannot compare the JSON topics column.
    offered = (select(rule_services.c.service_id)
               .join(AvailabilityRule, AvailabilityRule.id == rule_services.c.rule_id)
               .where(AvailabilityRule.volunteer_id == volunteer.id))
    services = list(db.session.scalars(
        select(Service).where(Service.id.in_(offered), Service.kind == ServiceKind.APPOINTMENT)
        .order_by(Service.id)))
    booked = set(db.session.scalars(select(Booking.starts_at).where(
        Booking.volunteer_id == volunteer.id, Booking.event_id.is_(None),
        Booking.status == BookingStatus.CONFIRMED, Booking.starts_at >= start, Booking.starts_at < end)))
    grouped: dict[date, dict[tuple[int, int], PreviewLine]] = {}
    for service in services:
        for slot in availability.appointment_slots(service, start=start, end=end, now=now,
                                                   volunteer_id=volunteer.id, include_bookings=False):
            day = to_local(slot.start, slot.branch.timezone).date()
            line = grouped.setdefault(day, {}).setdefault(
                (service.id, slot.branch.id), PreviewLine(service=service, branch=slot.branch))
            line.times.append(PreviewTime(start=slot.start, booked=slot.start in booked))
    return [PreviewDay(day=day, lines=list(lines.values())) for day, lines in sorted(grouped.items())]
