"""The e-mails that tell a resident and a volunteer about a booking, with iMIP invitations.

Called by the booking lifecycle inside its transaction, after it changed the booking and raised
``booking.sequence``: the messages are queued in the outbox and commit (or roll back) with it.

- booked, moved, promoted: METHOD:REQUEST (a waiting-list booking gets a plain e-mail instead);
- cancelled: METHOD:CANCEL with STATUS:CANCELLED (plain, if the booking never had a place);
- reminder: a plain e-mail without a calendar (see ``_resident_parts``).
One UID per booking (``booking_uid``) and the stored SEQUENCE, so every client updates one entry.
"""
from __future__ import annotations

from dataclasses import replace

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from bookings.email_message import build_message
from bookings.i18n import format_clock, format_day, localized, topic_label
from bookings.ical import build_calendar
from bookings.models import Booking, BookingStatus, OutboxKind, OutboxMessage, Volunteer
from bookings.services.calendar import link_context, resident_entry, volunteer_entry
from bookings.services.outbox import PreparedMessage, prepare_message, queue_prepared
from bookings.services.tokens import format_reference
from bookings.urls import absolute_url

KINDS = {
    "booked": OutboxKind.INVITATION,
    "moved": OutboxKind.UPDATE,
    "cancelled": OutboxKind.CANCELLATION,
    "promoted": OutboxKind.PROMOTION,
    "reminder": OutboxKind.REMINDER,
}
# The host of an event hears about its places being taken and freed, not about moves or reminders.
HOST_CHANGES = ("booked", "cancelled", "promoted")
VOLUNTEER_CHANGES = ("booked", "moved", "cancelled", "promoted")


def queue_booking_messages(booking: Booking, *, token: str | None, change: str,
                           previous_volunteer: Volunteer | None = None) -> list[OutboxMessage]:
    """Queue the resident's and the volunteer's e-mails about one change; flushes, never commits.

    ``token`` (the manage link's secret) only ever goes into the resident's copy. When a move gave
    the appointment to another volunteer, pass ``previous_volunteer``: they get a cancellation.
    """
    prepared = prepare_booking_messages(booking, token=token, change=change,
                                        previous_volunteer=previous_volunteer)
    queued = [queue_prepared(message, booking=booking) for message in prepared]
    if change == "moved":
        # A new time deserves its own reminder (services.reminders sends one per NULL here).
        booking.reminder_queued_at = None
    return queued


def prepare_booking_messages(booking: Booking, *, token: str | None, change: str,
                             previous_volunteer: Volunteer | None = None) -> list[PreparedMessage]:
    """The e-mails about one change, ready for the outbox but not in it (no database writes).

    Booking prepares them before it takes its lock, so that the lock is held for milliseconds.
    """
    if change not in KINDS:
        raise ValueError(f"unknown change {change!r}")
    prepared: list[PreparedMessage] = []
    with link_context():
        if booking.email:
            with force_locale(booking.language or _default_language()):
                message = _resident_message(booking, token, change)
            prepared.append(prepare_message(message, kind=KINDS[change]))
        for volunteer, volunteer_change in _volunteer_recipients(booking, change, previous_volunteer):
            with force_locale(_default_language()):  # volunteers read Dutch
                message = _volunteer_message(booking, volunteer, volunteer_change)
            prepared.append(prepare_message(message, kind=KINDS[volunteer_change]))
    return prepared


def _volunteer_recipients(booking: Booking, change: str, previous: Volunteer | None):
    if _waiting(booking):
        return []  # no place, nothing in the volunteer's calendar
    if booking.event_id is not None:
        host = booking.event.host if booking.event else None
        return [(host, change)] if host is not None and change in HOST_CHANGES else []
    recipients = []
    current = booking.volunteer
    if change == "moved" and previous is not None and (current is None or previous.id != current.id):
        recipients.append((previous, "cancelled"))
        change = "booked"  # new to this volunteer
    if current is not None and change in VOLUNTEER_CHANGES:
        recipients.append((current, change))
    return recipients


def _waiting(booking: Booking) -> bool:
    """On the waiting list, or cancelled while still on it: never had a place or a calendar entry."""
    if booking.status == BookingStatus.WAITLISTED:
        return True
    return booking.event_id is not None and booking.place_number is None


def _resident_message(booking: Booking, token: str | None, change: str):
    waiting = _waiting(booking)
    name = booking.first_name
    when = _when(booking)
    facts = [(_("Reference"), format_reference(booking.reference)), (_("What"), _what(booking)), (_("When"), when),
             (_("Where"), _where(booking))]
    paragraphs: list[str] = []
    sections: list[tuple[str, str]] = []
    after: list[str] = []
    link_label = _("Change or cancel")
    subject_values = dict(service=localized(booking.service, "name"), day=_day(booking),
                          time=format_clock(booking.starts_at, booking.branch.timezone))
    calendar = None
    if waiting and change == "cancelled":
        subject = _("Waiting list: %(service)s on %(day)s", **subject_values)
        heading = _("You are no longer on the waiting list")
        paragraphs.append(_("You do not need to do anything."))
    elif waiting:
        subject = _("Waiting list: %(service)s on %(day)s", **subject_values)
        heading = _("You are on the waiting list")
        paragraphs.append(_("We let you know when a place becomes free."))
        link_label = _("Leave the waiting list")
    elif change == "cancelled":
        subject = _("Cancelled: %(service)s on %(day)s at %(time)s", **subject_values)
        heading = _("Your appointment is cancelled")
        paragraphs.append(_("You do not need to come."))
        if token:
            paragraphs.append(_("Do you want a new appointment? Choose a new time with the link below."))
            link_label = _("Choose a new time")
        entry = replace(resident_entry(booking, token), status="CANCELLED")
        calendar = build_calendar([entry], method="CANCEL", tz=booking.branch.timezone)
    elif change == "reminder":
        # No calendar: the invitation already put the appointment in the resident's calendar;
        # another REQUEST or PUBLISH with the same UID shows some clients a second invitation
        # card (or, in Outlook, a separate copy). A reminder only reminds.
        subject = _("Reminder: %(service)s on %(day)s at %(time)s", **subject_values)
        heading = _("See you soon")
        paragraphs.append(_("This is a reminder of your appointment."))
    else:
        templates = {
            "booked": (_("Your appointment: %(service)s on %(day)s at %(time)s", **subject_values),
                       _("Your appointment is booked")),
            "moved": (_("New time: %(service)s on %(day)s at %(time)s", **subject_values),
                      _("Your appointment has a new time")),
            "promoted": (_("You have a place: %(service)s on %(day)s at %(time)s", **subject_values),
                         _("You have a place")),
        }
        subject, heading = templates[change]
        if change == "moved":
            paragraphs.append(_("The old time is no longer valid."))
        if change == "promoted":
            paragraphs.append(_("A place became free. It is now yours."))
        paragraphs.append(_("The appointment is in this e-mail. Your calendar can add it."))
        calendar = build_calendar([resident_entry(booking, token)], method="REQUEST",
                                  tz=booking.branch.timezone)
    bring = localized(booking.service, "bring")
    if bring and not waiting and change != "cancelled":
        sections.append((_("What to bring"), bring))
    link = None
    if token:
        link = {"label": link_label, "url": absolute_url("public.manage", reference=booking.reference,
                                                         token=token)}
        if change != "cancelled" and not waiting:
            after.append(_("Can you not come? Use this link to change or cancel your appointment. "
                           "Keep the link safe."))
    after.append(_("You can also call the library and give your reference."))
    after.append(_("Call %(phone)s or visit the library.", phone=current_app.config["HELP_PHONE"]))
    content = dict(
        lang=booking.language, greeting=_("Hello %(name)s,", name=name) if name else _("Hello,"),
        heading=heading, paragraphs=paragraphs, facts=facts, sections=sections, link=link, after=after,
        footer=_("You get this e-mail because you made an appointment at the library."),
    )
    return _message(booking.email, subject, content, calendar)


def _volunteer_message(booking: Booking, volunteer: Volunteer, change: str):
    """Dutch; the resident by first name and topic only, and no manage link."""
    who = booking.first_name or _("a resident")
    values = dict(name=who, day=_day(booking), time=format_clock(booking.starts_at, booking.branch.timezone))
    facts = [(_("What"), _what(booking)), (_("When"), _when(booking)), (_("Where"), _where(booking)),
             (_("Name"), who)]
    if booking.topic:
        facts.append((_("Topic"), topic_label(booking.service, booking.topic)))
    facts.append((_("Reference"), format_reference(booking.reference)))
    paragraphs: list[str] = []
    entry = volunteer_entry(booking, invitee=volunteer)
    if change == "cancelled":
        subject = _("Cancelled: %(name)s on %(day)s at %(time)s", **values)
        heading = _("Appointment cancelled")
        paragraphs.append(_("This appointment does not take place. It is removed from your calendar."))
        calendar = build_calendar([replace(entry, status="CANCELLED")], method="CANCEL",
                                  tz=booking.branch.timezone)
    else:
        if change == "moved":
            subject = _("Moved: %(name)s, now on %(day)s at %(time)s", **values)
            heading = _("Appointment moved")
            paragraphs.append(_("The appointment has a new time. Your calendar is updated."))
        else:
            subject = _("New appointment: %(name)s on %(day)s at %(time)s", **values)
            heading = _("New appointment")
            if change == "promoted":
                paragraphs.append(_("Someone from the waiting list now has this place."))
        calendar = build_calendar([entry], method="REQUEST", tz=booking.branch.timezone)
    content = dict(
        lang=_default_language(), greeting=_("Hello %(name)s,", name=volunteer.first_name),
        heading=heading, paragraphs=paragraphs, facts=facts, sections=[], link=None, after=[],
        footer=_("The resident's contact details are not in this e-mail. "
                 "Questions? Contact the library."),
    )
    return _message(volunteer.email, subject, content, calendar)


def _message(to: str, subject: str, content: dict, calendar: bytes | None):
    config = current_app.config
    return build_message(
        sender=config["MAIL_FROM"], sender_name=config["MAIL_FROM_NAME"], to=to,
        subject=" ".join(subject.split()), text=render_template("email/message.txt", **content),
        html=render_template("email/message.html", **content), calendar=calendar,
    )


def _what(booking: Booking) -> str:
    return localized(booking.service, "name")


def _day(booking: Booking) -> str:
    return format_day(booking.starts_at, booking.branch.timezone)


def _when(booking: Booking) -> str:
    zone = booking.branch.timezone
    return (f"{format_day(booking.starts_at, zone, with_year=True)}, "
            f"{format_clock(booking.starts_at, zone)} – {format_clock(booking.ends_at, zone)}")


def _where(booking: Booking) -> str:
    return f"{booking.branch.name}, {booking.branch.address}"


def _default_language() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]
