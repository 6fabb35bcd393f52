"""Calendar files: the per-booking download (and, later, subscription feeds)."""
from flask import Response, render_template

from bookings.feeds import bp
from bookings.services.calendar import booking_calendar
from bookings.services.manage import find_booking_by_token

ICS_TYPE = "text/calendar; charset=utf-8"


@bp.get("/bookings/<reference>/<token>.ics")
def booking_calendar_file(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return render_template("public/link_not_valid.html"), 404
    response = Response(booking_calendar(booking, token), mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="afspraak-{booking.reference}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
