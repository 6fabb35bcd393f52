"""All models, importable from one place (Alembic autogenerate needs every table imported)."""
from bookings.models.accounts import AccountToken, TokenPurpose
from bookings.models.bookings import (
    HOLDING_SQL,
    HOLDING_STATUSES,
    Actor,
    Booking,
    BookingChange,
    BookingStatus,
    Event,
    ManageToken,
    Referral,
    WaitlistEntry,
)
from bookings.models.catalog import Service, ServiceKind
from bookings.models.outbox import OutboxKind, OutboxMessage, OutboxStatus
from bookings.models.people import AvailabilityRule, Role, TimeOff, Volunteer, rule_services
from bookings.models.places import Branch, Closure
from bookings.models.staff import AuditEntry, coordinator_branches
from bookings.models.versions import DataVersion

__all__ = [
    "AccountToken", "AuditEntry", "HOLDING_SQL", "HOLDING_STATUSES",
    "Actor", "AvailabilityRule", "Booking", "BookingChange", "BookingStatus",
    "Branch", "Closure", "DataVersion", "Event", "ManageToken", "OutboxKind", "OutboxMessage", "OutboxStatus",
    "Referral", "Role", "Service", "ServiceKind", "TimeOff", "TokenPurpose",
    "Volunteer", "WaitlistEntry", "coordinator_branches", "rule_services",
]
