"""JSON API v1 (shared/design/api.md): thin views over the services."""
from datetime import date, timedelta

from flask import abort, current_app, jsonify, request
from sqlalchemy import select

from bookings.api import bp
from bookings.api.openapi import openapi_document
from bookings.api.serializers import booking_json, branch_json, service_json, slot_json
from bookings.errors import json_error
from bookings.extensions import db, limiter
from bookings.messages import error_message, field_message
from bookings.models import Actor, Branch, Service
from bookings.services import availability, read_cache
from bookings.services.booking import ResidentDetails, book_slot, waitlist_position
from bookings.services.errors import DomainError
from bookings.services.lifecycle import cancel_booking, reschedule_booking
from bookings.services.manage import find_booking_by_token
from bookings.services.residents import check_resident
from bookings.services.timezones import DEFAULT_ZONE, local_date

MAX_RANGE_DAYS = 92


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/branches")
def branches():
    rows = db.session.scalars(select(Branch).order_by(Branch.slug))
    return jsonify([branch_json(branch) for branch in rows])


@bp.get("/services")
def services():
    rows = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.id))
    return jsonify([service_json(service) for service in rows])


SLOT_QUESTION = ("service", "branch", "from", "to", "volunteer")


@bp.get("/slots")
def slots():
    # Library websites ask this on every page view: the answer is cached per data version and
    # minute (services.read_cache), keyed by the question as asked, so a hit reads one row.
    now = availability.listing_instant()
    question = tuple(request.args.get(name) for name in SLOT_QUESTION)
    def answer() -> tuple[bytes, int]:
        response, status = _slots_response(*question, now=now)
        return response.get_data(), status

    body, status = read_cache.cached(("api.slots", now, question), answer)
    return current_app.response_class(body, status=status, mimetype="application/json")


def _slots_response(service_slug, branch_slug, first_day, last_day, volunteer_id, *, now):
    service = db.session.scalar(select(Service).where(Service.slug == (service_slug or ""),
                                                      Service.active.is_(True)))
    if service is None:
        return json_error(404, "not_found", "Unknown service.")
    branch = None
    if branch_slug:
        branch = db.session.scalar(select(Branch).where(Branch.slug == branch_slug))
        if branch is None:
            return json_error(404, "not_found", "Unknown branch.")
    if volunteer_id is not None and not (volunteer_id.isascii() and volunteer_id.isdigit() and len(volunteer_id) < 19):
        return json_error(400, "bad_request", "volunteer must be a number.")
    today = local_date(now, branch.timezone if branch else DEFAULT_ZONE)
    try:
        first = date.fromisoformat(first_day) if first_day is not None else today
        last = (date.fromisoformat(last_day) if last_day is not None
                else first + timedelta(days=min(service.horizon_days, MAX_RANGE_DAYS - 1)))
    except ValueError:
        return json_error(400, "bad_request", "from and to must be dates like 2026-12-07.")
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        return json_error(400, "bad_request", f"to must be on or after from, at most {MAX_RANGE_DAYS} days.")
    found = availability.list_slots(service, branch=branch, first_day=first, last_day=last,
                                    volunteer_id=int(volunteer_id) if volunteer_id else None, now=now)
    return jsonify([slot_json(slot) for slot in found]), 200


@bp.post("/bookings")
@limiter.limit("30 per minute")
def create_booking():
    body = _json_body()
    slot_id = body.get("slot")
    if not isinstance(slot_id, str) or not slot_id:
        return _invalid({"slot": "required"})
    described = availability.describe_slot_id(slot_id)
    if described is None:
        return json_error(404, "not_found", error_message("not_found"))
    service = described[0]
    clean, errors = check_resident(first_name=body.get("name"), email=body.get("email"),
                                   phone=body.get("phone"), topic=body.get("topic"),
                                   topics=service.topic_keys())
    if "first_name" in errors:
        errors["name"] = errors.pop("first_name")
    language = body.get("language", "nl")
    if language not in ("nl", "en"):
        errors["language"] = "not_text"
    referral = body.get("referral")
    if referral is not None and not isinstance(referral, str):
        errors["referral"] = "not_text"
    if errors:
        return _invalid(errors)
    details = ResidentDetails(first_name=clean.first_name, email=clean.email, phone=clean.phone,
                              topic=clean.topic, language=language, referral_code=referral)
    try:
        result = book_slot(slot_id=slot_id, details=details)
    except DomainError as error:
        return _domain_error(error)
    return jsonify(booking_json(result.booking, result.token, result.waitlist_position,
                                include_token=True)), 201


@bp.get("/bookings/<reference>")
def get_booking(reference: str):
    token = _bearer_token()
    booking = find_booking_by_token(reference, token) if token else None
    if booking is None:
        return json_error(404, "not_found", "No booking with this reference and token.")
    return jsonify(booking_json(booking, token, waitlist_position(booking)))


@bp.post("/bookings/<reference>/cancel")
def cancel(reference: str):
    token = _bearer_token()
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return json_error(404, "not_found", "No booking with this reference and token.")
    try:
        cancel_booking(booking=booking, actor=Actor.RESIDENT)
    except DomainError as error:
        return _domain_error(error)
    # Repeating a cancellation is harmless: the same answer again.
    return jsonify({"reference": booking.reference, "status": booking.status.value})


@bp.post("/bookings/<reference>/reschedule")
@limiter.limit("30 per minute")
def reschedule(reference: str):
    token = _bearer_token()
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return json_error(404, "not_found", "No booking with this reference and token.")
    slot_id = _json_body().get("slot")
    if not isinstance(slot_id, str) or not slot_id:
        return _invalid({"slot": "required"})
    try:
        reschedule_booking(booking=booking, slot_id=slot_id, actor=Actor.RESIDENT)
    except DomainError as error:
        return _domain_error(error)
    return jsonify(booking_json(booking, token, waitlist_position(booking)))


def _json_body() -> dict:
    if not request.is_json:
        abort(415, description="Send JSON with Content-Type: application/json.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The body must be a JSON object.")
    return body


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _invalid(codes: dict[str, str]):
    return json_error(422, "invalid", error_message("invalid"),
                      fields={name: field_message(code) for name, code in codes.items()})


def _domain_error(error: DomainError):
    if error.fields:
        return _invalid(error.fields)
    return json_error(error.http_status, error.code, error_message(error.code))
