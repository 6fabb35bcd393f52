"""Finding a booking by its secret link or by what the resident remembers."""
import hmac

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, ManageToken
from bookings.services.residents import normalise_email, normalise_phone
from bookings.services.tokens import hash_token, new_token, normalise_reference
from bookings.services.transactions import command


def issue_manage_token(booking: Booking) -> str:
    """A new secret link for this booking; only its hash is kept. Flushes, never commits."""
    token = new_token()
    booking.manage_tokens.append(ManageToken(token_hash=hash_token(token)))
    db.session.flush()
    return token


@command()
def new_manage_link(booking: Booking) -> str:
    """A fresh secret link ("find my booking"); the older links keep working."""
    return issue_manage_token(booking)


def find_booking_by_token(reference: str, token: str | None) -> Booking | None:
    """The booking, or None: a wrong reference and a wrong token look the same from outside.

    The lookup is by the token's hash (an index seek, no timing to learn from); the reference
    must match too, so a token never opens another booking.
    """
    if not token or len(token) > 100:
        return None
    booking = db.session.scalar(
        select(Booking).join(ManageToken).where(ManageToken.token_hash == hash_token(token))
    )
    if booking is None or not hmac.compare_digest(booking.reference, normalise_reference(reference)):
        return None
    return booking


def find_booking_by_contact(reference: str, contact: str) -> Booking | None:
    """"Find my booking": the reference plus the e-mail address or phone number used."""
    booking = db.session.scalar(select(Booking).where(Booking.reference == normalise_reference(reference)))
    # E-mail addresses are matched without regard to case: people type them either way.
    candidates = [form.lower() for form in _contact_forms(contact)]
    known = [value.lower() for value in ((booking.email, booking.phone) if booking else ()) if value]
    # Compare every pair in constant time, so a near miss is not faster than a far one.
    matched = any(hmac.compare_digest(given.encode(), stored.encode())
                  for given in candidates for stored in known)
    return booking if matched else None


def _contact_forms(contact: str) -> list[str]:
    contact = (contact or "").strip()
    forms = []
    for normalise in (normalise_email, normalise_phone):
        try:
            forms.append(normalise(contact))
        except ValueError:
            pass
    return forms
