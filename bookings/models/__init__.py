"""All models, importable from one place (Alembic autogenerate needs every table imported)."""
from bookings.models.bookings import (
    HOLDING_STATUSES,
    Actor,
    Booking,
    BookingChange,
    BookingStatus,
    Event,
    Referral,
    WaitlistEntry,
)
from bookings.models.catalog import Service, ServiceKind
from bookings.models.people import AvailabilityRule, Role, TimeOff, Volunteer, rule_services
from bookings.models.places import Branch, Closure

__all__ = [
    "HOLDING_STATUSES", "Actor", "AvailabilityRule", "Booking", "BookingChange", "BookingStatus",
    "Branch", "Closure", "Event", "Referral", "Role", "Service", "ServiceKind", "TimeOff",
    "Volunteer", "WaitlistEntry", "rule_services",
]
