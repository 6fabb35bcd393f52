"""JSON shapes of api.md. Times carry the branch's UTC offset."""
from datetime import datetime

from bookings.i18n import localized
from bookings.models import Booking, Branch, Service, Volunteer
from bookings.services.availability import OpenSlot
from bookings.services.timezones import to_local
from bookings.urls import absolute_url


def iso_local(instant: datetime, zone_name: str) -> str:
    return to_local(instant, zone_name).isoformat(timespec="seconds")


def branch_json(branch: Branch) -> dict:
    return {"slug": branch.slug, "name": branch.name, "address": branch.address,
            "timezone": branch.timezone}


def service_json(service: Service) -> dict:
    return {"slug": service.slug, "name": localized(service, "name"), "kind": service.kind.value,
            "duration_minutes": service.duration_minutes}


def volunteer_json(volunteer: Volunteer | None) -> dict | None:
    return {"id": volunteer.id, "first_name": volunteer.first_name} if volunteer else None


def slot_json(slot: OpenSlot) -> dict:
    zone_name = slot.branch.timezone
    return {"id": slot.id, "start": iso_local(slot.start, zone_name), "end": iso_local(slot.end, zone_name),
            "service": slot.service.slug, "branch": slot.branch.slug,
            "volunteer": volunteer_json(slot.volunteer), "places_left": slot.places_left}


def booking_json(booking: Booking, token: str, waitlist_position: int | None,
                 *, include_token: bool = False) -> dict:
    zone_name = booking.branch.timezone
    body = {
        "reference": booking.reference,
        "status": booking.status.value,
        "start": iso_local(booking.starts_at, zone_name),
        "end": iso_local(booking.ends_at, zone_name),
        "service": booking.service.slug,
        "branch": booking.branch.slug,
        "volunteer": volunteer_json(booking.volunteer) if booking.event_id is None else None,
        "name": booking.first_name,
        "topic": booking.topic,
        "language": booking.language,
        "manage_url": absolute_url("public.manage", reference=booking.reference, token=token),
        "calendar_url": absolute_url("feeds.booking_calendar_file", reference=booking.reference,
                                     token=token),
    }
    if include_token:  # only in the answer that creates the booking: the secret is shown once
        body["token"] = token
    if waitlist_position is not None:
        body["waitlist_position"] = waitlist_position
    return body
