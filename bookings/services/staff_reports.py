"""Reports for staff: the reach figures of services.reports, totals, CSV, chart bars, partners."""
import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus, Referral
from bookings.services.reports import ReportRow, reach_report, totals
from bookings.services.timezones import DEFAULT_ZONE, day_window_utc, to_local

FIGURES = ("bookings", "unique_residents", "attended", "no_shows", "cancellations", "waiting_list")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Report:
    first_day: date
    last_day: date
    rows: list[ReportRow]
    totals: dict
    months: list["MonthBar"]


@dataclass(frozen=True)
class MonthBar:
    month: str
    bookings: int
    attended: int


def unique_residents(*, first_day: date, last_day: date, branch_ids: list[int] | None) -> int:
    """People, not bookings, over the whole period: one hash is one resident.

    A booking without any contact (a first name at the desk) has no hash and counts as one person.
    """
    start, end = day_window_utc(first_day, last_day, DEFAULT_ZONE)
    where = [Booking.starts_at >= start, Booking.starts_at < end]
    if branch_ids is not None:
        where.append(Booking.branch_id.in_(branch_ids))
    hashed = db.session.scalar(select(func.count(distinct(Booking.resident_hash))).where(*where))
    unhashed = db.session.scalar(select(func.count()).select_from(Booking)
                                 .where(*where, Booking.resident_hash.is_(None)))
    return hashed + unhashed


def build_report(*, first_day: date, last_day: date, branch_ids: list[int] | None) -> Report:
    rows = reach_report(first_day=first_day, last_day=last_day, branch_ids=branch_ids)
    total = totals(rows)
    total["unique_residents"] = unique_residents(first_day=first_day, last_day=last_day, branch_ids=branch_ids)
    by_month: dict[str, list[int]] = {}
    for row in rows:
        bar = by_month.setdefault(row.month, [0, 0])
        bar[0] += row.figures["bookings"]
        bar[1] += row.figures["attended"]
    months = [MonthBar(month=m, bookings=b, attended=a) for m, (b, a) in sorted(by_month.items())]
    return Report(first_day=first_day, last_day=last_day, rows=rows, totals=total, months=months)


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_csv(report: Report, headers: list[str]) -> str:
    """One line per branch, service and month; the csv module quotes commas, quotes and newlines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in report.rows:
        writer.writerow([safe_cell(v) for v in (row.branch, row.service, row.month,
                                                *(row.figures[f] for f in FIGURES))])
    return out.getvalue()


@dataclass(frozen=True)
class PartnerMonth:
    month: str
    bookings: int
    attended: int


def referral_months(referral: Referral, *, branch_ids: list[int] | None = None) -> list[PartnerMonth]:
    """Counts per month of the appointment for one code: never names, never contact details."""
    query = select(Booking.starts_at, Booking.status).where(Booking.referral_id == referral.id)
    if branch_ids is not None:
        query = query.where(Booking.branch_id.in_(branch_ids))
    months: dict[str, list[int]] = {}
    for starts_at, status in db.session.execute(query):
        month = months.setdefault(f"{to_local(starts_at, DEFAULT_ZONE):%Y-%m}", [0, 0])
        month[0] += 1
        month[1] += status == BookingStatus.ATTENDED
    return [PartnerMonth(month=m, bookings=b, attended=a) for m, (b, a) in sorted(months.items())]
