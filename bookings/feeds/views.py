"""Calendar files: the per-booking download and the subscription feeds."""
from dataclasses import dataclass

from flask import Response, render_template, request
from sqlalchemy import select

from bookings.extensions import db
from bookings.feeds import bp
from bookings.models import Branch
from bookings.services import feeds, read_cache
from bookings.services.calendar import booking_calendar
from bookings.services.manage import find_booking_by_token
from bookings.services.tokens import hash_token

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
# Calendar apps poll these all day. An answer (validators and body) is cached per data version
# (services.read_cache) under the URL's token or slug, so a hit reads one row and renders nothing.


@dataclass(frozen=True)
class FeedAnswer:
    validators: feeds.Validators
    body: bytes
    filename: str


@bp.get("/volunteers/<token>.ics")
def volunteer_feed(token: str):
    key = ("feeds.volunteer", hash_token(token), feeds.feed_window()[0])
    return _feed(key, lambda: feeds.volunteer_by_feed_token(token), feeds.volunteer_validators,
                 feeds.render_volunteer_feed, cache="private, no-cache", filename=lambda _: "spreekuur.ics")


@bp.get("/branches/<slug>.ics")
def branch_feed(slug: str):
    key = ("feeds.branch", slug, feeds.feed_window()[0])
    return _feed(key, lambda: db.session.scalar(select(Branch).where(Branch.slug == slug)),
                 feeds.branch_validators, feeds.render_branch_feed, cache="public, max-age=300",
                 filename=lambda branch: f"{branch.slug}.ics")


def _feed(key, find, validate, render, *, cache: str, filename):
    """Answer from the cache, or with 304 from the validators alone, or render the body."""
    snapshot = read_cache.snapshot()
    answer = snapshot.get(key)
    if answer is None:
        subject = find()
        if subject is None:
            # Plain text: a calendar app shows it as an error; a page would say more than needed.
            return Response("Not found\n", status=404, mimetype="text/plain")
        validators = validate(subject)
        if _not_modified(validators):
            return _feed_response(validators, None, cache=cache, filename=filename(subject))
        answer, settled = _render(subject, validate, render, validators, filename(subject))
        if settled:
            snapshot.put(key, answer)
    body = None if _not_modified(answer.validators) else answer.body
    return _feed_response(answer.validators, body, cache=cache, filename=answer.filename)


def _render(subject, validate, render, validators, filename: str) -> tuple[FeedAnswer, bool]:
    """The body with the validators it belongs to, and whether the data held still meanwhile."""
    # Each SELECT sees its own snapshot: if the data changed while rendering, render again,
    # so the body always belongs to the ETag sent with it.
    for _ in range(3):
        answer = FeedAnswer(validators, render(subject, validators=validators), filename)
        validators = validate(subject)
        if validators == answer.validators:
            return answer, True
    return answer, False  # still changing: a body with its own (already old) validators


def _feed_response(validators: feeds.Validators, body: bytes | None, *, cache: str, filename: str) -> Response:
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
