"""Bookings as calendar entries: one stable UID per booking, the stored SEQUENCE."""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from bookings.i18n import localized, topic_label
from bookings.ical import Attendee, CalendarEntry, build_calendar
from bookings.models import Booking, BookingStatus
from bookings.urls import absolute_url


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
