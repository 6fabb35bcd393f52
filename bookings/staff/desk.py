"""Book on behalf of a resident: service, library, day, time, details, check, then a printed slip.

The same booking as online (book_slot as STAFF): a reference and a manage link. The link's
secret is shown once, on the slip; it rides in the session from the booking to the slip page only
(reloading the slip keeps it), and "print a new slip" makes a fresh link for a booking.
"""
from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from bookings.extensions import db
from bookings.i18n import current_language, topic_label
from bookings.messages import error_message
from bookings.models import Referral, Service
from bookings.public.choices import day_links, time_links
from bookings.services import availability
from bookings.services.booking import ResidentDetails
from bookings.services.errors import DomainError, Invalid
from bookings.services.manage import find_booking_by_token
from bookings.services.residents import check_resident, format_phone
from bookings.services.staff_desk import book_at_desk, new_slip_link
from bookings.services.staff_scope import branches_in
from bookings.services.timezones import local_date, utcnow
from bookings.staff import bp, guarded
from bookings.staff.forms import ActionForm, DeskDetailsForm
from bookings.staff.texts import staff_message

FLOW = "desk_flow"
SLIP = "desk_slip"  # {"booking": id, "token": secret} of the last desk booking


@bp.get("/desk")
@guarded()
def desk(scope):
    services = db.session.scalars(select(Service).where(Service.active.is_(True)).order_by(Service.id))
    return render_template("staff/desk_service.html", services=list(services))


@bp.get("/desk/<service_slug>")
@guarded()
def desk_branch(scope, service_slug: str):
    service = _service_or_404(service_slug)
    return render_template("staff/desk_branch.html", service=service, branches=branches_in(scope))


@bp.get("/desk/<service_slug>/<branch_slug>")
@guarded()
def desk_day(scope, service_slug: str, branch):
    service = _service_or_404(service_slug)
    today = local_date(utcnow(), branch.timezone)
    slots = availability.list_slots(service, branch=branch, first_day=today,
                                    last_day=today + timedelta(days=service.horizon_days))
    days = day_links(slots, lambda day: url_for(".desk_time", service_slug=service.slug,
                                                branch_slug=branch.slug, day=day.isoformat()))
    return render_template("staff/desk_day.html", service=service, branch=branch, days=days)


@bp.get("/desk/<service_slug>/<branch_slug>/<day>")
@guarded()
def desk_time(scope, service_slug: str, branch, day: str):
    service = _service_or_404(service_slug)
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    slots = availability.list_slots(service, branch=branch, first_day=chosen, last_day=chosen)
    return render_template("staff/desk_time.html", service=service, branch=branch, day=chosen,
                           times=time_links(slots, lambda slot: url_for(".desk_details", slot=slot.id)))


@bp.route("/desk/details", methods=["GET", "POST"])
@guarded()
def desk_details(scope):
    slot = _slot_in_scope(scope, request.args.get("slot", ""))
    if slot is None:
        flash(error_message("not_found"), "error")
        return redirect(url_for(".desk"))
    saved = session.get(FLOW, {})
    form = DeskDetailsForm(data=saved if saved.get("slot") == slot.id else {})
    form.topic.choices = [(t["key"], topic_label(slot.service, t["key"])) for t in slot.service.topics]
    if form.validate_on_submit():
        clean, errors = check_resident(
            first_name=form.first_name.data, email=form.email.data, phone=form.phone.data, topic=form.topic.data,
            notes=form.notes.data, topics=slot.service.topic_keys(), require_contact=False)
        code = (form.referral.data or "").strip().upper()
        if code and not db.session.scalar(select(Referral.id).where(Referral.code == code,
                                                                    Referral.active.is_(True))):
            errors["referral"] = "referral_unknown"
        for name, problem in errors.items():
            getattr(form, name).errors.append(staff_message(problem))
        if not errors:
            session[FLOW] = {"slot": slot.id, "first_name": clean.first_name, "email": clean.email,
                             "phone": clean.phone, "topic": clean.topic, "notes": clean.notes, "referral": code}
            return redirect(url_for(".desk_check"))
    return render_template("staff/desk_details.html", form=form, slot=slot)


@bp.route("/desk/check", methods=["GET", "POST"])
@guarded()
def desk_check(scope):
    answers = session.get(FLOW)
    if not answers:
        return redirect(url_for(".desk"))
    slot = _slot_in_scope(scope, answers["slot"])
    if slot is None:
        flash(error_message("slot_taken"), "error")
        return redirect(url_for(".desk"))
    form = ActionForm()
    if form.validate_on_submit():
        details = ResidentDetails(first_name=answers["first_name"], email=answers["email"], phone=answers["phone"],
                                  topic=answers["topic"], notes=answers["notes"], language=current_language(),
                                  referral_code=answers["referral"] or None)
        try:
            result = book_at_desk(slot_id=slot.id, details=details, actor_id=scope.user_id)
        except Invalid as error:
            flash(staff_message(next(iter(error.fields.values()), "required")), "error")
            return redirect(url_for(".desk"))
        except DomainError as error:
            flash(error_message(error.code), "error")
            return redirect(url_for(".desk"))
        session.pop(FLOW, None)
        session[SLIP] = {"booking": result.booking.id, "token": result.token}
        return redirect(url_for(".slip", booking_id=result.booking.id))
    return render_template("staff/desk_check.html", form=form, slot=slot, answers=answers)


@bp.get("/bookings/<int:booking_id>/slip")
@guarded()
def slip(scope, booking):
    saved = session.get(SLIP) or {}
    token = saved.get("token") if saved.get("booking") == booking.id else None
    if token and find_booking_by_token(booking.reference, token) is None:
        token = None
    return render_template("staff/slip.html", booking=booking, token=token, form=ActionForm(),
                           phone=format_phone(booking.branch.phone) if booking.branch.phone
                           else current_app.config["HELP_PHONE"])


@bp.post("/bookings/<int:booking_id>/slip")
@guarded()
def new_slip(scope, booking):
    """A new manage link for a new slip (the first one's secret cannot be read back from its hash)."""
    if ActionForm().validate_on_submit() and booking.erased_at is None:
        token = new_slip_link(booking=booking, actor_id=scope.user_id)
        session[SLIP] = {"booking": booking.id, "token": token}
    return redirect(url_for(".slip", booking_id=booking.id))


def _slot_in_scope(scope, slot_id: str):
    slot = availability.find_slot(slot_id) if slot_id else None
    if slot is None:
        return None
    if not scope.allows(slot.branch.id):
        abort(404)
    return slot


def _service_or_404(slug: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug, Service.active.is_(True)))
    if service is None:
        abort(404)
    return service
