"""Reach figures for municipalities: counted from booking rows, never from personal data.

Unique residents are counted on the keyed contact hash, which survives erasure, so the figures
of a period do not change when its personal data is purged.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, Branch, Service
from bookings.services.timezones import DEFAULT_ZONE, day_window_utc, to_local


@dataclass
class Figures:
    bookings: int = 0  # every booking made, whatever happened to it later
    attended: int = 0
    no_shows: int = 0
    cancellations: int = 0
    waiting_list: int = 0  # ever joined a waiting list
    residents: set = field(default_factory=set, repr=False)

    @property
    def unique_residents(self) -> int:
        return len(self.residents)

    def as_dict(self) -> dict:
        return {"bookings": self.bookings, "unique_residents": self.unique_residents,
                "attended": self.attended, "no_shows": self.no_shows,
                "cancellations": self.cancellations, "waiting_list": self.waiting_list}


@dataclass(frozen=True)
class ReportRow:
    branch: str
    service: str
    month: str  # YYYY-MM, local time
    figures: dict


def reach_report(*, first_day: date, last_day: date, branch_ids: list[int] | None = None) -> list[ReportRow]:
    """Figures per branch, service and month of the appointment, for the local dates given."""
    start, end = day_window_utc(first_day, last_day, DEFAULT_ZONE)
    query = (
        select(Booking.starts_at, Booking.status, Booking.resident_hash, Booking.id,
               Branch.slug, Branch.timezone, Service.slug, Booking.changes.any(to_status=BookingStatus.WAITLISTED))
        .join(Branch, Branch.id == Booking.branch_id).join(Service, Service.id == Booking.service_id)
        .where(Booking.starts_at >= start, Booking.starts_at < end)
    )
    if branch_ids is not None:
        query = query.where(Booking.branch_id.in_(branch_ids))
    groups: dict[tuple[str, str, str], Figures] = defaultdict(Figures)
    for starts_at, status, resident, booking_id, branch, zone, service, waited in db.session.execute(query):
        figures = groups[(branch, service, f"{to_local(starts_at, zone):%Y-%m}")]
        figures.bookings += 1
        figures.residents.add(resident or f"booking-{booking_id}")
        figures.attended += status == BookingStatus.ATTENDED
        figures.no_shows += status == BookingStatus.NO_SHOW
        figures.cancellations += status == BookingStatus.CANCELLED
        figures.waiting_list += bool(waited)
    return [ReportRow(branch=b, service=s, month=m, figures=f.as_dict()) for (b, s, m), f in sorted(groups.items())]


def totals(rows: list[ReportRow]) -> dict:
    """Sums over rows; unique residents cannot be summed, so the total is left out."""
    keys = ("bookings", "attended", "no_shows", "cancellations", "waiting_list")
    return {key: sum(row.figures[key] for row in rows) for key in keys}
