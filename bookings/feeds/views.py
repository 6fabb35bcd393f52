"""Calendar files: the per-booking download and the subscription feeds."""
from flask import Response, render_template, request
from sqlalchemy import select

from bookings.extensions import db
from bookings.feeds import bp
from bookings.models import Branch
from bookings.services import feeds
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


# --- subscription feeds (see services.feeds for the validators) -------------------------------

@bp.get("/volunteers/<token>.ics")
def volunteer_feed(token: str):
    volunteer = feeds.volunteer_by_feed_token(token)
    if volunteer is None:
        # Plain text: a calendar app shows it as an error; a page would say more than needed.
        return Response("Not found\n", status=404, mimetype="text/plain")
    return _feed(lambda: feeds.volunteer_validators(volunteer),
                 lambda validators: feeds.render_volunteer_feed(volunteer, validators=validators),
                 cache="private, no-cache", filename="spreekuur.ics")


@bp.get("/branches/<slug>.ics")
def branch_feed(slug: str):
    branch = db.session.scalar(select(Branch).where(Branch.slug == slug))
    if branch is None:
        return Response("Not found\n", status=404, mimetype="text/plain")
    return _feed(lambda: feeds.branch_validators(branch),
                 lambda validators: feeds.render_branch_feed(branch, validators=validators),
                 cache="public, max-age=300", filename=f"{branch.slug}.ics")


def _feed(validate, render, *, cache: str, filename: str):
    """Answer 304 from the validators alone; render the body only when it is needed."""
    validators = validate()
    body = None
    if not _not_modified(validators):
        # Each SELECT sees its own snapshot: if the data changed while rendering, render again,
        # so the body always belongs to the ETag sent with it.
        for _ in range(3):
            body = render(validators)
            again = validate()
            if again == validators:
                break
            validators = again
    response = Response(mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["ETag"] = validators.etag
    response.last_modified = validators.last_modified
    response.headers["Cache-Control"] = cache
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if body is None:
        response.status_code = 304
    else:
        response.set_data(body)
    return response


def _not_modified(validators: feeds.Validators) -> bool:
    # RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
    if request.if_none_match:
        return request.if_none_match.contains_weak(validators.etag.strip('"'))
    since = request.if_modified_since
    return since is not None and validators.last_modified <= since
