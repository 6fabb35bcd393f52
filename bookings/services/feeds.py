"""Subscription feeds: a volunteer's private calendar and a branch's public one.

Conditional GETs must be cheap, so the validators come from small aggregate queries and never
from the body:

- ETag (strong): a hash of everything the body is made of: the bookings' count, max(updated_at),
  sum(sequence) and sum(id) in the window (cancelled ones included), the covered events' rows, the
  branch and service rows (small tables), the window's first day, and a fingerprint of the code and
  translations. The body is a pure function of those, so equal ETags mean equal bytes.
- Last-Modified: the latest updated_at of what the feed covers, cancelled bookings included (a
  cancellation moves it forward), but never earlier than the start of today: the window moves at
  local midnight, which changes the feed too. Capped at now; whole seconds (HTTP dates).

Bookings are never deleted (cancel and purge are UPDATEs that bump updated_at). If a row were ever
hard-deleted, the ETag still changes (count and sum(id)), but Last-Modified could stay put or go
back within the day: a client that only sends If-Modified-Since would then miss that change until
the next change or the next day. Clients that send If-None-Match (all common ones) never miss it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from bookings.extensions import db
from bookings.i18n import localized, topic_label
from bookings.ical import CalendarEntry
from bookings.models import Booking, BookingStatus, Branch, Event, Service, Volunteer
from bookings.services.calendar import link_context, volunteer_texts, volunteer_view
from bookings.services.feed_writer import write_feed
from bookings.services.timezones import DEFAULT_ZONE, local_midnight_utc, utcnow, zone
from bookings.services.tokens import hash_token, new_token
from bookings.services.transactions import command
from bookings.urls import absolute_url

FEED_FORMAT = "1"  # bump when the output changes for the same data
WINDOW_PAST = timedelta(days=30)
WINDOW_AHEAD = timedelta(days=366)
REFRESH = timedelta(hours=1)
# Nothing lasts longer than this: it bounds the index range from below, so years of past
# bookings are never scanned.
LONGEST = timedelta(days=1)
SHOWN = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class FeedLinkUnknown(LookupError):
    """Only the token's hash is stored: the URL of an existing link cannot be shown again."""


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, strong
    last_modified: datetime  # aware UTC, whole seconds


# --- tokens ----------------------------------------------------------------------------------


@command()
def new_feed_token(volunteer: Volunteer) -> str:
    """A new private feed token; the previous link stops working at once (revocation)."""
    token = new_token()
    volunteer.feed_token_hash = hash_token(token)
    volunteer._issued_feed_token = token  # for feed_url() on this object; never stored
    return token


def feed_url(volunteer: Volunteer, token: str | None = None) -> str:
    """The private feed URL for ``token``, or for the token just issued on this object.

    A volunteer without a link gets one now. For an existing link the URL cannot be rebuilt from
    its hash: FeedLinkUnknown, and the caller decides to call new_feed_token (which revokes it).
    """
    token = token or getattr(volunteer, "_issued_feed_token", None)
    if token is None:
        if volunteer.feed_token_hash:
            raise FeedLinkUnknown(volunteer.email)
        token = new_feed_token(volunteer)
    with link_context():
        return absolute_url("feeds.volunteer_feed", token=token)


def webcal_url(https_url: str) -> str:
    """The same address as webcal://, which makes calendar apps offer to subscribe."""
    for scheme in ("https://", "http://"):
        if https_url.startswith(scheme):
            return "webcal://" + https_url[len(scheme):]
    raise ValueError(f"not an http(s) URL: {https_url!r}")


def volunteer_by_feed_token(token: str) -> Volunteer | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Volunteer).where(
        Volunteer.feed_token_hash == hash_token(token), Volunteer.active.is_(True)))


# --- window and validators ------------------------------------------------------------------


def feed_window(now: datetime | None = None) -> tuple[date, datetime, datetime]:
    """(today, start, end): from local midnight 30 days ago to 366 days ahead; moves once a day."""
    today = (now or utcnow()).astimezone(zone(DEFAULT_ZONE)).date()
    return (today, local_midnight_utc(today - WINDOW_PAST, DEFAULT_ZONE),
            local_midnight_utc(today + WINDOW_AHEAD, DEFAULT_ZONE))


def _volunteer_bookings(volunteer: Volunteer, start: datetime, end: datetime):
    hosted = select(Event.id).where(Event.host_id == volunteer.id)
    return (Booking.starts_at < end, Booking.starts_at > start - LONGEST, Booking.ends_at > start,
            or_((Booking.event_id.is_(None)) & (Booking.volunteer_id == volunteer.id),
                Booking.event_id.in_(hosted)))


def _volunteer_events(volunteer: Volunteer, start: datetime, end: datetime):
    return (Event.host_id == volunteer.id, Event.starts_at < end, Event.starts_at > start - LONGEST,
            Event.ends_at > start)


def _branch_bookings(branch: Branch, start: datetime, end: datetime):
    # Busy time: appointments only; an event's places show as the event itself.
    return (Booking.branch_id == branch.id, Booking.event_id.is_(None), Booking.starts_at < end,
            Booking.starts_at > start - LONGEST, Booking.ends_at > start)


def _branch_events(branch: Branch, start: datetime, end: datetime):
    return (Event.branch_id == branch.id, Event.starts_at < end, Event.starts_at > start - LONGEST,
            Event.ends_at > start)


def volunteer_validators(volunteer: Volunteer, *, now: datetime | None = None) -> Validators:
    now = now or utcnow()
    today, start, end = feed_window(now)
    return _validators(("volunteer", volunteer.id, volunteer.first_name), now, today,
                       _volunteer_bookings(volunteer, start, end), _volunteer_events(volunteer, start, end))


def branch_validators(branch: Branch, *, now: datetime | None = None) -> Validators:
    now = now or utcnow()
    today, start, end = feed_window(now)
    return _validators(("branch", branch.id), now, today, _branch_bookings(branch, start, end),
                       _branch_events(branch, start, end))


def _validators(scope: tuple, now: datetime, today: date, booking_filter, event_filter) -> Validators:
    count, latest, sequences, ids = db.session.execute(
        select(func.count(Booking.id), func.max(Booking.updated_at),
               func.coalesce(func.sum(Booking.sequence), 0), func.coalesce(func.sum(Booking.id), 0))
        .where(*booking_filter)
    ).one()
    events = db.session.execute(
        select(Event.id, Event.starts_at, Event.ends_at, Event.cancelled, Event.capacity,
               Event.service_id, Event.branch_id, Event.host_id).where(*event_filter).order_by(Event.id)
    ).all()
    latest = _as_utc(latest)
    digest = json.dumps([FEED_FORMAT, _code_fingerprint(), scope, today.isoformat(), count,
                         latest.isoformat() if latest else None, int(sequences), int(ids),
                         [[str(value) for value in row] for row in events], _catalogue_digest()],
                        separators=(",", ":"))
    etag = '"' + hashlib.sha256(digest.encode()).hexdigest()[:40] + '"'
    floor = local_midnight_utc(today, DEFAULT_ZONE)
    modified = min(max(latest or floor, floor), now).replace(microsecond=0)
    return Validators(etag=etag, last_modified=modified)


def _catalogue_digest() -> str:
    """Names and addresses that appear in feeds (small tables: one cheap query each)."""
    branches = db.session.execute(
        select(Branch.id, Branch.slug, Branch.name, Branch.address, Branch.timezone).order_by(Branch.id)).all()
    services = db.session.execute(
        select(Service.id, Service.name_nl, Service.name_en, Service.topics).order_by(Service.id)).all()
    text = json.dumps([[list(row) for row in branches], [list(row) for row in services]],
                      default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Translations change the words in a feed: a new catalogue is a new ETag."""
    digest = hashlib.sha256(FEED_FORMAT.encode())
    for path in sorted(Path(__file__).resolve().parents[1].glob("translations/*/LC_MESSAGES/*.mo")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns max() of a column as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# --- bodies ----------------------------------------------------------------------------------


def render_volunteer_feed(volunteer: Volunteer, *, now: datetime | None = None,
                       validators: Validators | None = None) -> bytes:
    """Their appointments and event places (first name and topic only) and the events they host."""
    now = now or utcnow()
    today, start, end = feed_window(now)
    stamp = (validators or volunteer_validators(volunteer, now=now)).last_modified
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        # Plain rows, not ORM objects: a busy year is thousands of bookings.
        rows = db.session.execute(
            select(Booking.reference, Booking.sequence, Booking.starts_at, Booking.ends_at,
                   Booking.updated_at, Booking.status, Booking.first_name, Booking.topic,
                   Booking.service_id, Booking.branch_id)
            .where(*_volunteer_bookings(volunteer, start, end), Booking.status.in_(SHOWN))
            .order_by(Booking.starts_at, Booking.id)
        ).all()
        services = {service.id: service for service in db.session.scalars(select(Service))}
        locations = {branch.id: f"{branch.name}, {branch.address}" for branch in db.session.scalars(select(Branch))}
        names = {service_id: localized(service, "name") for service_id, service in services.items()}
        topics: dict[tuple[int, str], str] = {}
        texts = volunteer_texts()
        entries = []
        for row in rows:
            topic = None
            if row.topic:
                key = (row.service_id, row.topic)
                if key not in topics:
                    topics[key] = topic_label(services[row.service_id], row.topic)
                topic = topics[key]
            entries.append(volunteer_view(
                reference=row.reference, sequence=row.sequence, start=row.starts_at, end=row.ends_at,
                updated_at=row.updated_at, status=row.status, first_name=row.first_name,
                service_name=names[row.service_id], topic=topic, location=locations[row.branch_id],
                texts=texts))
        entries += [_event_entry(event, stamp) for event in _events(_volunteer_events(volunteer, start, end))]
        name = _("Spreekuur: %(name)s", name=volunteer.first_name)
    return write_feed(entries, name=name, refresh=REFRESH)


def render_branch_feed(branch: Branch, *, now: datetime | None = None,
                       validators: Validators | None = None) -> bytes:
    """Events and busy time at a branch, with no personal data: no names, topics or references."""
    now = now or utcnow()
    today, start, end = feed_window(now)
    stamp = (validators or branch_validators(branch, now=now)).last_modified
    secret = current_app.config["SECRET_KEY"].encode()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        rows = db.session.execute(
            select(Booking.id, Booking.reference, Booking.starts_at, Booking.ends_at, Booking.sequence,
                   Booking.updated_at, Booking.service_id)
            .where(*_branch_bookings(branch, start, end), Booking.status.in_(SHOWN))
            .order_by(Booking.starts_at, Booking.id)
        ).all()
        services = {s.id: s for s in db.session.scalars(select(Service))}
        location = f"{branch.name}, {branch.address}"
        entries = [
            CalendarEntry(
                # Not the booking's UID: that carries the reference, which "find my booking" accepts.
                uid="busy-" + hmac.new(secret, row.reference.encode(), "sha256").hexdigest()[:24] + "@spreekuur",
                sequence=row.sequence, start=row.starts_at, end=row.ends_at,
                summary=_("Busy: %(service)s", service=localized(services[row.service_id], "name")),
                stamp=_as_utc(row.updated_at), location=location, last_modified=_as_utc(row.updated_at),
            )
            for row in rows
        ]
        entries += [_event_entry(event, stamp) for event in _events(_branch_events(branch, start, end))]
        name = _("Spreekuur: %(name)s", name=branch.name)
    return write_feed(entries, name=name, tz=branch.timezone, refresh=REFRESH)


def _events(event_filter) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(*event_filter, Event.cancelled.is_(False))
        .options(selectinload(Event.service), selectinload(Event.branch)).order_by(Event.starts_at, Event.id)))


def _event_entry(event: Event, stamp: datetime) -> CalendarEntry:
    # Events have no updated_at: DTSTAMP is the feed's Last-Modified (RFC 5545: with a METHOD,
    # DTSTAMP is when the iCalendar object was created), which keeps the body a function of the ETag.
    return CalendarEntry(
        uid=f"event-{event.id}@spreekuur", sequence=0, start=event.starts_at, end=event.ends_at,
        summary=localized(event.service, "name"), stamp=stamp,
        location=f"{event.branch.name}, {event.branch.address}",
    )
