"""Booking on behalf of a resident at the desk or on the phone: the same booking as any other."""
from datetime import datetime

from bookings.models import Actor, Booking
from bookings.services.booking import BookingResult, ResidentDetails, book_slot
from bookings.services.errors import SlotTaken
from bookings.services.manage import issue_manage_token
from bookings.services.staff_scope import audit
from bookings.services.transactions import command


@command(on_conflict=SlotTaken)
def book_at_desk(*, slot_id: str, details: ResidentDetails, actor_id: int,
                 now: datetime | None = None) -> BookingResult:
    """book_slot as staff (same reference, manage link and messages), with its audit line."""
    result = book_slot.__wrapped__(slot_id=slot_id, details=details, now=now, actor=Actor.STAFF,
                                   actor_id=actor_id)
    booking = result.booking
    audit(actor_id=actor_id, action="booking.desk", object_type="booking", object_id=booking.id,
          branch_id=booking.branch_id, summary=booking.reference)
    return result


@command()
def new_slip_link(*, booking: Booking, actor_id: int) -> str:
    """A fresh manage link for a reprinted slip; older links keep working."""
    token = issue_manage_token(booking)
    audit(actor_id=actor_id, action="booking.slip", object_type="booking", object_id=booking.id,
          branch_id=booking.branch_id, summary=booking.reference)
    return token
