"""Booking a slot: an appointment with a volunteer, or a place in an event."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import (
    Actor,
    Booking,
    BookingChange,
    BookingStatus,
    Branch,
    Event,
    ManageToken,
    Referral,
    Service,
    ServiceKind,
    Volunteer,
    WaitlistEntry,
)
from bookings.services import availability
from bookings.services.errors import EventFull, Invalid, SlotNotFound, SlotTaken
from bookings.services.invitations import prepare_booking_messages
from bookings.services.locking import lock_event, lock_volunteer
from bookings.services.outbox import PreparedMessage, queue_prepared
from bookings.services.privacy import resident_hash
from bookings.services.slot_ids import AppointmentKey, EventKey, parse_slot_id
from bookings.services.timezones import utcnow
from bookings.services.tokens import hash_token, new_reference, new_token
from bookings.services.transactions import command


@dataclass(frozen=True)
class ResidentDetails:
    """What a resident tells us: a first name and at most one way to reach them is enough."""

    first_name: str
    email: str | None = None
    phone: str | None = None
    topic: str | None = None
    notes: str | None = None
    language: str = "nl"
    referral_code: str | None = None


@dataclass(frozen=True)
class BookingResult:
    booking: Booking
    token: str  # shown once; only its hash is stored
    waitlist_position: int | None = None


@command(on_conflict=SlotTaken)
def book_slot(*, slot_id: str, details: ResidentDetails, now: datetime | None = None,
              actor: Actor = Actor.RESIDENT, actor_id: int | None = None) -> BookingResult:
    """Book the time or place behind a slot id, or join the event's waiting list."""
    now = now or utcnow()
    key = parse_slot_id(slot_id)
    if isinstance(key, AppointmentKey):
        return _book_appointment(key, details, now, actor, actor_id)
    if isinstance(key, EventKey):
        return _book_event_place(key, details, now, actor, actor_id)
    raise SlotNotFound(f"malformed slot id {slot_id!r}")


def _book_appointment(key: AppointmentKey, details: ResidentDetails, now: datetime,
                      actor: Actor, actor_id: int | None) -> BookingResult:
    service = db.session.get(Service, key.service_id)
    branch = db.session.get(Branch, key.branch_id)
    volunteer = db.session.get(Volunteer, key.volunteer_id)
    if not (service and branch and volunteer and service.active
            and service.kind == ServiceKind.APPOINTMENT):
        raise SlotNotFound("no such service, branch or volunteer")
    _check_details(service, details)
    _check_not_too_late(service, key.start, now)
    if not _appointment_offered(service, branch, volunteer.id, key.start, now, with_bookings=False):
        raise SlotNotFound("this time is not offered")
    draft = _Draft.make(service=service, branch=branch, volunteer=volunteer, event=None, place=None,
                        start=key.start, end=key.start + timedelta(minutes=service.duration_minutes),
                        status=BookingStatus.CONFIRMED, details=details, actor=actor, actor_id=actor_id, now=now)

    lock_volunteer(volunteer.id)
    if not _appointment_offered(service, branch, volunteer.id, key.start, now, with_bookings=True):
        raise SlotTaken("this time was just taken")
    return BookingResult(booking=draft.store(), token=draft.token)


def _appointment_offered(service: Service, branch: Branch, volunteer_id: int, start: datetime,
                         now: datetime, *, with_bookings: bool) -> bool:
    slots = availability.appointment_slots(
        service, start=start, end=start + timedelta(minutes=1), now=now, branch=branch,
        volunteer_id=volunteer_id, include_bookings=with_bookings,
    )
    return any(slot.start == start for slot in slots)


def _book_event_place(key: EventKey, details: ResidentDetails, now: datetime,
                      actor: Actor, actor_id: int | None) -> BookingResult:
    event = db.session.get(Event, key.event_id)
    if event is None or event.cancelled or (key.place is not None and key.place > event.capacity):
        raise SlotNotFound("no such event or place")
    _check_details(event.service, details)
    _check_not_too_late(event.service, event.starts_at, now)

    # Expect the first free place (untimed places all look the same in a message) and prepare
    # everything before the lock; only a different outcome is prepared again under it.
    expected = _choose_place(event, key.place)
    draft = _event_draft(event, expected, details, actor, actor_id, now)

    lock_event(event.id)
    place = _choose_place(event, key.place)
    if place is None and not event.waitlist_enabled:
        raise EventFull("no free place and no waiting list")
    if (place is None) != (expected is None) or (event.place_minutes and place != expected):
        draft = _event_draft(event, place, details, actor, actor_id, now)
    draft.booking.place_number = place
    booking = draft.store()
    if place is None:
        db.session.add(WaitlistEntry(event_id=event.id, booking=booking, joined_at=now))
        db.session.flush()
        return BookingResult(booking=booking, token=draft.token, waitlist_position=waitlist_position(booking))
    return BookingResult(booking=booking, token=draft.token)


def _event_draft(event: Event, place: int | None, details: ResidentDetails, actor: Actor,
                 actor_id: int | None, now: datetime) -> "_Draft":
    start, end = availability.place_times(event, place) if place else (event.starts_at, event.ends_at)
    return _Draft.make(service=event.service, branch=event.branch, volunteer=event.host, event=event, place=place,
                       start=start, end=end, details=details, actor=actor, actor_id=actor_id, now=now,
                       status=BookingStatus.CONFIRMED if place else BookingStatus.WAITLISTED)


def _choose_place(event: Event, wanted: int | None) -> int | None:
    if wanted is not None and availability.place_is_free(event, wanted):
        return wanted
    if wanted is not None and event.place_minutes:
        # A timed place is a time the resident chose: do not silently give them another.
        raise SlotTaken("this place was just taken")
    return availability.first_free_place(event)


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first in line; None when the booking is not waiting."""
    entry = db.session.scalar(select(WaitlistEntry).where(WaitlistEntry.booking_id == booking.id,
                                                          WaitlistEntry.left_at.is_(None)))
    if entry is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(WaitlistEntry)
        .where(WaitlistEntry.event_id == entry.event_id, WaitlistEntry.left_at.is_(None),
               WaitlistEntry.id < entry.id)
    )
    return ahead + 1


def _check_details(service: Service, details: ResidentDetails) -> None:
    """The rules every way in must obey (the forms say it more kindly first)."""
    fields = {}
    if not details.first_name or not details.first_name.strip() or len(details.first_name) > 80:
        fields["name"] = "required"
    if details.topic and details.topic not in service.topic_keys():
        fields["topic"] = "unknown_topic"
    if fields:
        raise Invalid("invalid details", fields=fields)


def _check_not_too_late(service: Service, start: datetime, now: datetime) -> None:
    if start <= now:
        raise Invalid("this time has passed", fields={"slot": "past"})
    if start < now + timedelta(minutes=service.min_notice_minutes):
        raise Invalid("too close to book", fields={"slot": "too_soon"})


@dataclass
class _Draft:
    """A booking with its manage link and e-mails, made before the lock and stored after the check."""

    booking: Booking
    token: str
    messages: list[PreparedMessage]

    @classmethod
    def make(cls, *, service: Service, branch: Branch, volunteer: Volunteer | None, event: Event | None,
             place: int | None, start: datetime, end: datetime, status: BookingStatus, details: ResidentDetails,
             actor: Actor, actor_id: int | None, now: datetime) -> "_Draft":
        # Ids as well as objects: the e-mails read booking.event_id before anything is flushed.
        booking = Booking(
            reference=_unused_reference(), service=service, service_id=service.id, branch=branch,
            branch_id=branch.id, volunteer=volunteer, volunteer_id=volunteer.id if volunteer else None,
            event=event, event_id=event.id if event else None, place_number=place, starts_at=start, ends_at=end,
            status=status, sequence=0, first_name=details.first_name.strip(), email=details.email or None,
            phone=details.phone or None, topic=details.topic or None, notes=details.notes or None,
            language=details.language, referral=_referral(details.referral_code), created_at=now,
            updated_at=now, resident_hash=resident_hash(details.email, details.phone),
        )
        booking.changes.append(BookingChange(at=now, from_status=None, to_status=status, actor=actor,
                                             actor_id=actor_id))
        token = new_token()
        booking.manage_tokens.append(ManageToken(token_hash=hash_token(token), created_at=now))
        return cls(booking=booking, token=token,
                   messages=prepare_booking_messages(booking, token=token, change="booked"))

    def store(self) -> Booking:
        """Add the booking and its e-mails to the transaction (under the lock); flushes."""
        db.session.add(self.booking)
        db.session.flush()
        for message in self.messages:
            queue_prepared(message, booking=self.booking)
        return self.booking


def _unused_reference() -> str:
    # 31^8 codes: a clash is rare, but a reference must never point at two bookings.
    while True:
        reference = new_reference()
        if not db.session.scalar(select(Booking.id).where(Booking.reference == reference)):
            return reference


def _referral(code: str | None) -> Referral | None:
    if not code:
        return None
    return db.session.scalar(select(Referral).where(Referral.code == code.strip().upper(),
                                                    Referral.active.is_(True)))
