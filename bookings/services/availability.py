"""Free times from the database: load plain data, let the pure engine compute, map back.

Appointments come from ``bookings.scheduling.compute_slots``; event places are counted from
booking rows (never a stored counter).
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select, text

from bookings.extensions import db
from bookings.models import (
    HOLDING_SQL,
    HOLDING_STATUSES,
    AvailabilityRule,
    Booking,
    Branch,
    Closure,
    Event,
    Service,
    ServiceKind,
    TimeOff,
    Volunteer,
    rule_services,
)
from bookings.scheduling import Away, Busy, Rule, ServiceSettings, compute_slots
from bookings.scheduling import Closure as ClosedTime
from bookings.services import read_cache
from bookings.services.slot_ids import (
    AppointmentKey,
    EventKey,
    appointment_slot_id,
    event_slot_id,
    parse_slot_id,
)
from bookings.services.timezones import (
    DEFAULT_ZONE,
    day_window_utc,
    local_midnight_utc,
    to_local,
    utcnow,
)

# A place that is held; worded as the partial unique index on places, so SQLite uses it.
_HOLDING_PLACE = and_(Booking.place_number.is_not(None), text(HOLDING_SQL))
# Busy time is loaded this far around the window so that buffers at its edges are seen.
_MARGIN = timedelta(days=1)


class OpenSlot(NamedTuple):
    """A time a resident can book, as shown by the pages and the API.

    A named tuple and a lazily built id: a listing can hold tens of thousands of these, and
    most are counted or grouped, never shown.
    """

    start: datetime
    end: datetime
    service: Service
    branch: Branch
    volunteer: Volunteer | None
    places_left: int
    event: Event | None = None
    place: int | None = None

    @property
    def id(self) -> str:
        if self.event is not None:
            return event_slot_id(self.event.id, self.place)
        return appointment_slot_id(self.service.id, self.branch.id, self.volunteer.id, self.start)


def settings_for(service: Service) -> ServiceSettings:
    return ServiceSettings(
        service_id=service.id,
        duration=timedelta(minutes=service.duration_minutes),
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
        step=timedelta(minutes=service.step_minutes) if service.step_minutes else None,
        min_notice=timedelta(minutes=service.min_notice_minutes),
        horizon=timedelta(days=service.horizon_days),
        max_per_volunteer_per_day=service.max_per_volunteer_per_day,
    )


def listing_instant(now: datetime | None = None) -> datetime:
    """Now, rounded up to the whole minute: the "now" of the listings shown to residents.

    A listing is then the same for a whole minute (so it can be cached, see read_cache), and the
    rounding only ever hides a time whose notice period ends within that minute: it never offers
    a time that booking would refuse.
    """
    now = now or utcnow()
    whole = now.replace(second=0, microsecond=0)
    return whole if whole == now else whole + timedelta(minutes=1)


def list_slots(service: Service, *, first_day: date, last_day: date, branch: Branch | None = None,
               volunteer_id: int | None = None, now: datetime | None = None) -> list[OpenSlot]:
    """Every free time of a service between two local dates (inclusive), sorted by start.

    Without ``now`` the listing is as of ``listing_instant()`` and is cached per data version and
    minute (read_cache): residents and library websites ask the same questions over and over.
    Booking never trusts a listing: it counts again under its lock.
    """
    if now is not None:
        return _compute_listing(service, first_day, last_day, branch, volunteer_id, now)
    now = listing_instant()
    key = ("availability.list_slots", service.id, branch.id if branch else None, first_day, last_day,
           volunteer_id, now)
    listing = read_cache.cached(key, lambda: tuple(
        _ListedSlot(slot.start, slot.end, slot.branch.id, slot.volunteer.id if slot.volunteer else None,
                    slot.places_left, slot.event.id if slot.event else None, slot.place)
        for slot in _compute_listing(service, first_day, last_day, branch, volunteer_id, now)))
    return _open_slots(listing, service, branch)


def _compute_listing(service: Service, first_day: date, last_day: date, branch: Branch | None,
                     volunteer_id: int | None, now: datetime) -> list[OpenSlot]:
    zone_name = branch.timezone if branch else DEFAULT_ZONE
    start, end = day_window_utc(first_day, last_day, zone_name)
    if service.kind == ServiceKind.EVENT:
        return event_slots(service, start=start, end=end, branch=branch, now=now)
    return appointment_slots(service, start=start, end=end, branch=branch,
                             volunteer_id=volunteer_id, now=now)


class _ListedSlot(NamedTuple):
    """An OpenSlot with ids instead of rows: what the cache keeps between requests."""

    start: datetime
    end: datetime
    branch_id: int
    volunteer_id: int | None
    places_left: int
    event_id: int | None
    place: int | None


def _open_slots(listing: tuple[_ListedSlot, ...], service: Service, branch: Branch | None) -> list[OpenSlot]:
    """The cached ids as rows of this request's session: one query per kind of row."""
    def rows(model, ids):
        ids = {i for i in ids if i is not None}
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}

    branches = {branch.id: branch} if branch else rows(Branch, (s.branch_id for s in listing))
    volunteers = rows(Volunteer, (s.volunteer_id for s in listing))
    events = rows(Event, (s.event_id for s in listing))
    return [OpenSlot(s.start, s.end, service, branches[s.branch_id], volunteers.get(s.volunteer_id),
                     s.places_left, events.get(s.event_id), s.place) for s in listing]


def appointment_slots(service: Service, *, start: datetime, end: datetime, now: datetime,
                      branch: Branch | None = None, volunteer_id: int | None = None,
                      include_bookings: bool = True,
                      exclude_booking_id: int | None = None) -> list[OpenSlot]:
    """Free appointment times starting in [start, end). Without bookings: what is offered at all."""
    rules = _load_rules(service, start=start, end=end, branch=branch, volunteer_id=volunteer_id)
    if not rules:
        return []
    volunteer_ids = sorted({rule.volunteer_id for rule in rules})
    branches = {branch.id: branch} if branch is not None else {b.id: b for b in db.session.scalars(
        select(Branch).where(Branch.id.in_({rule.branch_id for rule in rules})))}
    slots = compute_slots(
        service=settings_for(service),
        rules=rules,
        zones={branch_id: b.timezone for branch_id, b in branches.items()},
        busy=(_load_busy(volunteer_ids, start - _MARGIN, end + _MARGIN, exclude_booking_id)
              if include_bookings else ()),
        away=_load_away(volunteer_ids, start - _MARGIN, end + _MARGIN),
        closures=_load_closures(branches.values(), start - _MARGIN, end + _MARGIN),
        now=now,
        window_start=start,
        window_end=end,
        volunteer_id=volunteer_id,
        branch_id=branch.id if branch else None,
    )
    # Only the people who have a free time are loaded (identity map: one object per person).
    volunteers = {v.id: v for v in db.session.scalars(
        select(Volunteer).where(Volunteer.id.in_({slot.volunteer_id for slot in slots})))} if slots else {}
    # tuple.__new__ with all eight fields skips the named tuple's argument handling: a listing
    # builds tens of thousands of these, and this was a tenth of its time.
    new = tuple.__new__
    return [new(OpenSlot, (slot.start, slot.end, service, branches[slot.branch_id], volunteers[slot.volunteer_id],
                           1, None, None))
            for slot in slots]


def _load_rules(service: Service, *, start: datetime, end: datetime, branch: Branch | None,
                volunteer_id: int | None) -> list[Rule]:
    # Dates with a day of margin: the window is in UTC, rules are in local dates.
    first, last = (start - _MARGIN).date(), (end + _MARGIN).date()
    r = AvailabilityRule
    query = (
        select(r.volunteer_id, r.branch_id, r.start_time, r.end_time, r.weekday, r.on_date, r.valid_from,
               r.valid_until, r.every_n_weeks)
        .join(rule_services, rule_services.c.rule_id == AvailabilityRule.id)
        .join(Volunteer, Volunteer.id == AvailabilityRule.volunteer_id)
        .where(
            rule_services.c.service_id == service.id,
            Volunteer.active.is_(True),
            or_(AvailabilityRule.valid_until.is_(None), AvailabilityRule.valid_until >= first),
            or_(AvailabilityRule.valid_from.is_(None), AvailabilityRule.valid_from <= last),
            or_(AvailabilityRule.on_date.is_(None), AvailabilityRule.on_date.between(first, last)),
        )
    )
    if branch is not None:
        query = query.where(AvailabilityRule.branch_id == branch.id)
    if volunteer_id is not None:
        query = query.where(AvailabilityRule.volunteer_id == volunteer_id)
    weekdays = {(first + timedelta(days=n)).weekday() for n in range(min((last - first).days + 1, 7))}
    if len(weekdays) < 7:  # a short window (one day, say) needs only the rules of its weekdays
        query = query.where(or_(AvailabilityRule.weekday.in_(weekdays), AvailabilityRule.on_date.is_not(None)))
    services = frozenset({service.id})
    return [
        Rule(volunteer_id=v, branch_id=b, service_ids=services, start=s, end=e, weekday=w, on_date=d,
             valid_from=f, valid_until=u, every_n_weeks=n)
        for v, b, s, e, w, d, f, u, n in db.session.execute(query)
    ]


def _load_busy(volunteer_ids: list[int], start: datetime, end: datetime,
               exclude_booking_id: int | None = None) -> list[Busy]:
    query = (
        select(Booking.volunteer_id, Booking.starts_at, Booking.ends_at,
               Service.buffer_before_minutes, Service.buffer_after_minutes)
        .join(Service, Service.id == Booking.service_id)
        .where(Booking.volunteer_id.in_(volunteer_ids), Booking.event_id.is_(None),
               Booking.status.in_(HOLDING_STATUSES),
               Booking.starts_at < end, Booking.ends_at > start)
    )
    if exclude_booking_id is not None:
        query = query.where(Booking.id != exclude_booking_id)
    appointments = db.session.execute(query)
    minutes = _Minutes()
    busy = [Busy(v, s, e, minutes[before], minutes[after]) for v, s, e, before, after in appointments]
    hosted = db.session.execute(
        select(Event.host_id, Event.starts_at, Event.ends_at)
        .where(Event.host_id.in_(volunteer_ids), Event.cancelled.is_(False),
               Event.starts_at < end, Event.ends_at > start)
    )
    busy += [Busy(volunteer_id=v, start=s, end=e, counts_toward_daily_max=False)
             for v, s, e in hosted]
    return busy


class _Minutes(dict):
    """timedelta(minutes=n), built once per value: thousands of busy rows share a few buffers."""

    def __missing__(self, key: int) -> timedelta:
        self[key] = value = timedelta(minutes=key)
        return value


def _load_away(volunteer_ids: list[int], start: datetime, end: datetime) -> list[Away]:
    rows = db.session.execute(
        select(TimeOff.volunteer_id, TimeOff.starts_at, TimeOff.ends_at)
        .where(TimeOff.volunteer_id.in_(volunteer_ids), TimeOff.starts_at < end, TimeOff.ends_at > start)
    )
    return [Away(volunteer_id=v, start=s, end=e) for v, s, e in rows]


def _load_closures(branches, start: datetime, end: datetime) -> list[ClosedTime]:
    zones = {b.id: b.timezone for b in branches}
    rows = db.session.scalars(
        select(Closure).where(Closure.branch_id.in_(zones), Closure.starts_on <= end.date(),
                              Closure.ends_on >= start.date())
    )
    return [
        ClosedTime(branch_id=c.branch_id,
                   start=local_midnight_utc(c.starts_on, zones[c.branch_id]),
                   end=local_midnight_utc(c.ends_on + timedelta(days=1), zones[c.branch_id]))
        for c in rows
    ]


def event_slots(service: Service, *, start: datetime, end: datetime, now: datetime,
                branch: Branch | None = None) -> list[OpenSlot]:
    """Each free place of each event is a slot; a full event is listed once with no place left."""
    query = select(Event).where(Event.service_id == service.id, Event.cancelled.is_(False),
                                Event.starts_at >= start, Event.starts_at < end)
    if branch is not None:
        query = query.where(Event.branch_id == branch.id)
    events = list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))
    taken = taken_places([event.id for event in events])
    earliest = now + timedelta(minutes=service.min_notice_minutes)
    slots = []
    for event in events:
        free = free_places(event, taken[event.id])
        bookable = [place for place in free if place_times(event, place)[0] >= earliest]
        if event.starts_at < earliest and not bookable:
            continue  # the event has begun or is too close: nothing to offer, not even a list
        for place in bookable:
            place_start, place_end = place_times(event, place)
            slots.append(OpenSlot(place_start, place_end, service, event.branch, event.host, len(free),
                                  event, place))
        if not free and event.starts_at >= earliest:
            slots.append(OpenSlot(event.starts_at, event.ends_at, service, event.branch, event.host, 0, event))
    slots.sort(key=lambda slot: (slot.start, slot.branch.id, slot.id))
    return slots


def taken_places(event_ids: list[int]) -> dict[int, set[int]]:
    taken: dict[int, set[int]] = defaultdict(set)
    if event_ids:
        rows = db.session.execute(
            select(Booking.event_id, Booking.place_number).where(Booking.event_id.in_(event_ids), _HOLDING_PLACE)
        )
        for event_id, place in rows:
            taken[event_id].add(place)
    return taken


def free_places(event: Event, taken: set[int]) -> list[int]:
    return [place for place in range(1, event.capacity + 1) if place not in taken]


def first_free_place(event: Event) -> int | None:
    """The lowest free place of an event, or None when it is full."""
    taken, highest = db.session.execute(
        select(func.count(), func.max(Booking.place_number)).where(Booking.event_id == event.id, _HOLDING_PLACE)
    ).one()
    highest = highest or 0
    if taken == highest:
        # Places 1..highest are all taken (the usual case): answered from the index alone, not
        # by loading every place, which for a large event costs more than the rest of a booking.
        return highest + 1 if highest < event.capacity else None
    free = free_places(event, taken_places([event.id])[event.id])  # a cancellation left a gap
    return free[0] if free else None


def place_is_free(event: Event, place: int) -> bool:
    if not 1 <= place <= event.capacity:
        return False
    return not db.session.scalar(select(Booking.id).where(
        Booking.event_id == event.id, Booking.place_number == place, _HOLDING_PLACE).limit(1))


def place_times(event: Event, place: int) -> tuple[datetime, datetime]:
    """A timed place has its own start and end; an untimed place lasts the whole event."""
    if not event.place_minutes:
        return event.starts_at, event.ends_at
    start = event.starts_at + timedelta(minutes=event.place_minutes * (place - 1))
    return start, min(start + timedelta(minutes=event.place_minutes), event.ends_at)


def find_slot(slot_id: str, *, now: datetime | None = None) -> OpenSlot | None:
    """The open slot behind an id, if it is still free right now."""
    now = now or utcnow()
    key = parse_slot_id(slot_id)
    if isinstance(key, AppointmentKey):
        service = db.session.get(Service, key.service_id)
        branch = db.session.get(Branch, key.branch_id)
        if not (service and branch and service.kind == ServiceKind.APPOINTMENT and service.active):
            return None
        candidates = appointment_slots(service, start=key.start, end=key.start + timedelta(minutes=1),
                                       now=now, branch=branch, volunteer_id=key.volunteer_id)
    elif isinstance(key, EventKey):
        event = db.session.get(Event, key.event_id)
        if event is None:
            return None
        candidates = event_slots(event.service, start=event.starts_at,
                                 end=event.starts_at + timedelta(seconds=1), now=now, branch=event.branch)
    else:
        return None
    return next((slot for slot in candidates if slot.id == slot_id), None)


@dataclass(frozen=True)
class DayChoice:
    day: date
    first: OpenSlot
    count: int


def days_with_slots(slots: list[OpenSlot]) -> list[DayChoice]:
    """The local days that have free times, in order, with their first time and how many."""
    by_day: dict[date, list[OpenSlot]] = {}
    for slot in slots:
        by_day.setdefault(to_local(slot.start, slot.branch.timezone).date(), []).append(slot)
    return [DayChoice(day=day, first=day_slots[0], count=len(distinct_times(day_slots)))
            for day, day_slots in sorted(by_day.items())]


def distinct_times(slots: list[OpenSlot]) -> list[OpenSlot]:
    """One choice per start time: the resident picks a time, not a volunteer."""
    seen: set[datetime] = set()
    chosen = []
    for slot in slots:
        if slot.start not in seen:
            seen.add(slot.start)
            chosen.append(slot)
    return chosen


def describe_slot_id(slot_id: str) -> tuple[Service, Branch, datetime] | None:
    """Service, branch and start named by a slot id, whether or not it is still free."""
    key = parse_slot_id(slot_id)
    if isinstance(key, AppointmentKey):
        service, branch = db.session.get(Service, key.service_id), db.session.get(Branch, key.branch_id)
        return (service, branch, key.start) if service and branch else None
    if isinstance(key, EventKey) and (event := db.session.get(Event, key.event_id)):
        return event.service, event.branch, event.starts_at
    return None
