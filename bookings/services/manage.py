"""Finding a booking by its secret link or by what the resident remembers."""
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking
from bookings.services.tokens import normalise_reference, token_matches


def find_booking_by_token(reference: str, token: str) -> Booking | None:
    """The booking, or None: a wrong reference and a wrong token look the same from outside."""
    booking = db.session.scalar(select(Booking).where(Booking.reference == normalise_reference(reference)))
    # Compare even when there is no booking, so the answer takes the same time either way.
    stored = booking.token_hash if booking else "0" * 64
    if not token_matches(token, stored) or booking is None:
        return None
    return booking
