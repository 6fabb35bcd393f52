"""Bookings as calendar entries: one stable UID per booking, the stored SEQUENCE."""
import contextlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from bookings.i18n import localized, topic_label
from bookings.ical import Attendee, CalendarEntry, build_calendar
from bookings.models import Booking, BookingStatus, Volunteer
from bookings.urls import absolute_url


def link_context():
    """url_for (behind absolute_url) needs a request; cron jobs and commands have none.

    The host of this stand-in request is never used: absolute_url takes BASE_URL.
    """
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url="http://localhost/")


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.reference}@spreekuur"


def resident_entry(booking: Booking, token: str | None) -> CalendarEntry:
    """The resident's view of their booking, in their own language."""
    with force_locale(booking.language):
        summary = _("%(service)s at %(branch)s", service=localized(booking.service, "name"),
                    branch=booking.branch.name)
        lines = [_("Reference: %(reference)s", reference=booking.reference)]
        if booking.topic:
            lines.append(topic_label(booking.service, booking.topic))
        manage_url = None
        if token:
            manage_url = absolute_url("public.manage", reference=booking.reference, token=token)
            lines.append(_("Change or cancel: %(url)s", url=manage_url))
        return CalendarEntry(
            uid=booking_uid(booking),
            sequence=booking.sequence,
            start=booking.starts_at,
            end=booking.ends_at,
            summary=summary,
            stamp=booking.updated_at,
            location=f"{booking.branch.name}, {booking.branch.address}",
            description="\n".join(lines),
            url=manage_url,
            status="CANCELLED" if booking.status == BookingStatus.CANCELLED else "CONFIRMED",
            organizer_email=current_app.config["MAIL_FROM"],
            organizer_name=current_app.config["MAIL_FROM_NAME"],
            # Never the resident's e-mail address or phone number in a calendar: the first name only.
            attendees=(Attendee(email=None, name=booking.first_name or "", partstat="ACCEPTED"),),
            alarm_before=timedelta(hours=2),
            last_modified=booking.updated_at,
        )


def booking_calendar(booking: Booking, token: str) -> bytes:
    """The download behind "add to my calendar" (METHOD:PUBLISH)."""
    return build_calendar([resident_entry(booking, token)], method="PUBLISH",
                          tz=booking.branch.timezone)


@dataclass(frozen=True)
class VolunteerTexts:
    """The volunteer view's wording in the current locale, looked up once for a whole feed."""

    summary: str
    topic: str
    reference: str
    someone: str


def volunteer_texts() -> VolunteerTexts:
    # gettext without values returns the translated pattern; it is filled in per entry.
    return VolunteerTexts(summary=_("%(service)s with %(name)s"), topic=_("Topic: %(topic)s"),
                          reference=_("Reference: %(reference)s"), someone=_("a resident"))


def volunteer_entry(booking: Booking, *, invitee: Volunteer | None = None) -> CalendarEntry:
    """The volunteer's (or host's) view, in the current locale: the resident by first name and topic.

    Never the resident's e-mail address, phone number, notes or manage link. With ``invitee``
    (an invitation) the entry carries ORGANIZER, the volunteer as ATTENDEE and an alarm; without
    (a feed) it carries neither, so calendar apps do not treat a subscription as meetings to answer.
    """
    entry = volunteer_view(
        reference=booking.reference, sequence=booking.sequence, start=booking.starts_at,
        end=booking.ends_at, updated_at=booking.updated_at, status=booking.status,
        first_name=booking.first_name, service_name=localized(booking.service, "name"),
        topic=topic_label(booking.service, booking.topic) if booking.topic else None,
        location=f"{booking.branch.name}, {booking.branch.address}", texts=volunteer_texts(),
    )
    if invitee is None:
        return entry
    return replace(
        entry,
        organizer_email=current_app.config["MAIL_FROM"],
        organizer_name=current_app.config["MAIL_FROM_NAME"],
        attendees=(Attendee(email=invitee.email, name=invitee.first_name, partstat="ACCEPTED"),),
        alarm_before=timedelta(minutes=30),
    )


def volunteer_view(*, reference: str, sequence: int, start: datetime, end: datetime,
                   updated_at: datetime, status: str, first_name: str | None, service_name: str,
                   topic: str | None, location: str, texts: VolunteerTexts) -> CalendarEntry:
    """volunteer_entry from plain values: feeds build thousands from rows, not ORM objects."""
    lines = [texts.topic % {"topic": topic}] if topic else []
    lines.append(texts.reference % {"reference": reference})
    return CalendarEntry(
        uid=f"booking-{reference}@spreekuur",  # booking_uid
        sequence=sequence,
        start=start,
        end=end,
        summary=texts.summary % {"service": service_name, "name": first_name or texts.someone},
        stamp=updated_at,
        location=location,
        description="\n".join(lines),
        status="CANCELLED" if status == BookingStatus.CANCELLED else "CONFIRMED",
        last_modified=updated_at,
    )
