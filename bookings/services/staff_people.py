"""Volunteers as admins manage them: invite by e-mail, deactivate without dropping bookings."""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from bookings.email_message import build_message
from bookings.extensions import db
from bookings.models import Actor, Booking, BookingStatus, Event, OutboxKind, Role, Volunteer
from bookings.services.accounts import create_login
from bookings.services.errors import Invalid
from bookings.services.lifecycle import cancel_by_library
from bookings.services.locking import lock_events, lock_volunteer
from bookings.services.outbox import queue_message
from bookings.services.staff_scope import audit, set_coordinator_branches
from bookings.services.timezones import utcnow
from bookings.services.transactions import command


@dataclass(frozen=True)
class Invitation:
    volunteer: Volunteer
    created: bool


@command()
def invite_volunteer(*, email: str, first_name: str, role: Role, branch_ids: list[int], actor_id: int,
                     now: datetime | None = None) -> Invitation:
    """Create the login (or find it) and e-mail a one-week link to choose a password.

    The portal's own invitation (accounts.create_login) runs inside this transaction, so the
    login, the link and the e-mail are written together or not at all.
    """
    if not first_name.strip() or len(first_name.strip()) > 80:
        raise Invalid("name required", fields={"first_name": "name_required"})
    if role == Role.COORDINATOR and not branch_ids:
        raise Invalid("a coordinator needs a branch", fields={"branches": "branch_required"})
    login = create_login.__wrapped__(email=email, role=role, first_name=first_name.strip(), now=now)
    volunteer = login.volunteer
    if login.created or volunteer.role != Role.ADMIN:
        volunteer.role = role
    if role == Role.COORDINATOR:
        set_coordinator_branches(volunteer, branch_ids)
    config = current_app.config
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):  # volunteers read Dutch
        text = "\n\n".join([
            _("Hello %(name)s,", name=volunteer.first_name),
            _("The library invites you to its appointment system. Open this link to choose a password:"),
            login.link,
            _("The link works once, for 7 days."),
        ])
        message = build_message(sender=config["MAIL_FROM"], sender_name=config["MAIL_FROM_NAME"],
                                to=volunteer.email, subject=_("Your login for the library"), text=text)
    queue_message(message, kind=OutboxKind.OTHER)
    audit(actor_id=actor_id, action="volunteer.invite", object_type="volunteer", object_id=volunteer.id,
          summary=f"role {role.value}")
    return Invitation(volunteer=volunteer, created=login.created)


@dataclass(frozen=True)
class Deactivation:
    cancelled: list[Booking]
    unhosted: list[Event]


def future_work(volunteer: Volunteer, now: datetime) -> tuple[list[Booking], list[Event]]:
    """What deactivating would touch: confirmed appointments ahead, and sessions they host."""
    appointments = list(db.session.scalars(
        select(Booking).where(Booking.volunteer_id == volunteer.id, Booking.event_id.is_(None),
                              Booking.status == BookingStatus.CONFIRMED, Booking.starts_at > now)
        .order_by(Booking.starts_at)))
    events = list(db.session.scalars(
        select(Event).where(Event.host_id == volunteer.id, Event.cancelled.is_(False), Event.starts_at > now)
        .order_by(Event.starts_at)))
    return appointments, events


@command()
def deactivate_volunteer(*, volunteer: Volunteer, reason: str, actor_id: int,
                         now: datetime | None = None) -> Deactivation:
    """They can no longer sign in or be booked.

    Each confirmed appointment ahead is cancelled by the library with a message to the resident;
    its manage link then offers new times (with another volunteer, or the same service later).
    We do not reassign silently: residents choose their own time and, often, their own person.
    Sessions they host stay on, without a host; the places in them are kept.
    """
    now = now or utcnow()
    if volunteer.id == actor_id:
        raise Invalid("not yourself", fields={"volunteer": "not_yourself"})
    lock_volunteer(volunteer.id)
    appointments, events = future_work(volunteer, now)
    for booking in appointments:
        cancel_by_library(booking=booking, actor=Actor.STAFF, actor_id=actor_id,
                          reason=reason.strip()[:255], now=now)
    lock_events([event.id for event in events])
    for event in events:
        event.host_id = None
        for booking in db.session.scalars(select(Booking).where(Booking.event_id == event.id,
                                                                Booking.volunteer_id == volunteer.id)):
            booking.volunteer_id = None
    volunteer.active = False
    volunteer.feed_token_hash = None  # the private feed shows residents' first names: close it
    audit(actor_id=actor_id, action="volunteer.deactivate", object_type="volunteer", object_id=volunteer.id,
          summary=f"{len(appointments)} appointments cancelled, {len(events)} sessions without host")
    return Deactivation(cancelled=appointments, unhosted=events)


@command()
def reactivate_volunteer(*, volunteer: Volunteer, actor_id: int) -> None:
    volunteer.active = True
    audit(actor_id=actor_id, action="volunteer.reactivate", object_type="volunteer", object_id=volunteer.id)
