"""The manage pages behind the secret link: see, move, cancel; and "find my booking"."""
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bookings.extensions import limiter
from bookings.messages import error_message, field_message
from bookings.models import Actor, BookingStatus
from bookings.public import bp
from bookings.public.choices import day_links, time_links
from bookings.public.forms import ConfirmForm, FindBookingForm
from bookings.services import availability
from bookings.services.booking import waitlist_position
from bookings.services.errors import DomainError, Invalid
from bookings.services.lifecycle import can_cancel, can_move, cancel_booking, reschedule_booking
from bookings.services.manage import find_booking_by_contact, find_booking_by_token, new_manage_link
from bookings.services.privacy import erase_now
from bookings.services.timezones import local_date, utcnow

# How many times with the same volunteer are offered first ("fixed faces").
SAME_VOLUNTEER_CHOICES = 6


@bp.get("/manage/<reference>/<token>")
def manage(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    now = utcnow()
    return render_template(
        "public/manage.html", booking=booking, token=token, position=waitlist_position(booking),
        can_move=can_move(booking, now), can_cancel=can_cancel(booking, now),
    )


@bp.route("/manage/<reference>/<token>/cancel", methods=["GET", "POST"])
def cancel(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    form = ConfirmForm()
    if form.validate_on_submit():
        was_waiting = booking.status == BookingStatus.WAITLISTED
        try:
            changed = cancel_booking(booking=booking, actor=Actor.RESIDENT)
        except Invalid as error:
            flash(field_message(next(iter(error.fields.values()))), "error")
            return redirect(url_for(".manage", reference=reference, token=token))
        except DomainError as error:
            flash(error_message(error.code), "error")
            return redirect(url_for(".manage", reference=reference, token=token))
        if changed:
            flash(_("You are off the waiting list.") if was_waiting else _("Your appointment is cancelled."),
                  "success")
        else:
            flash(_("This appointment was already cancelled. Nothing has changed."), "success")
        return redirect(url_for(".manage", reference=reference, token=token))
    return render_template("public/cancel.html", booking=booking, token=token, form=form)


@bp.route("/manage/<reference>/<token>/erase", methods=["GET", "POST"])
def erase(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    form = ConfirmForm()
    if form.validate_on_submit():
        erase_now(booking=booking)
        return redirect(url_for(".erased"))
    return render_template("public/erase.html", booking=booking, token=token, form=form)


@bp.get("/erased")
def erased():
    return render_template("public/erased.html")


@bp.get("/manage/<reference>/<token>/move")
def move_day(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    if not can_move(booking, utcnow()):
        return redirect(url_for(".manage", reference=reference, token=token))
    slots = _other_slots(booking)
    same_volunteer = [s for s in slots if booking.volunteer_id and s.volunteer
                      and s.volunteer.id == booking.volunteer_id and booking.event_id is None]
    href = lambda slot: url_for(".move_check", reference=reference, token=token, slot=slot.id)  # noqa: E731
    return render_template(
        "public/choose_day.html", service=booking.service, branch=booking.branch,
        days=day_links(slots, lambda day: url_for(".move_time", reference=reference, token=token,
                                                  day=day.isoformat())),
        first=None, same_volunteer=time_links(same_volunteer, href)[:SAME_VOLUNTEER_CHOICES],
        volunteer=booking.volunteer, moving=True,
        back_url=url_for(".manage", reference=reference, token=token))


@bp.get("/manage/<reference>/<token>/move/<day>")
def move_time(reference: str, token: str, day: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    slots = _other_slots(booking, first_day=chosen, last_day=chosen)
    return render_template(
        "public/choose_time.html", service=booking.service, branch=booking.branch, day=chosen,
        times=time_links(slots, lambda slot: url_for(".move_check", reference=reference, token=token,
                                                     slot=slot.id)),
        back_url=url_for(".move_day", reference=reference, token=token))


@bp.route("/manage/<reference>/<token>/move/check", methods=["GET", "POST"])
def move_check(reference: str, token: str):
    booking = find_booking_by_token(reference, token)
    if booking is None:
        return _link_not_valid()
    slot_id = request.args.get("slot", "")
    slot = availability.find_slot(slot_id)
    if slot is None or slot.service.id != booking.service_id or slot.places_left == 0:
        flash(error_message("not_found"), "error")
        return redirect(url_for(".move_day", reference=reference, token=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            reschedule_booking(booking=booking, slot_id=slot_id, actor=Actor.RESIDENT)
        except DomainError as error:
            # The booking is kept as it was; say why and offer the other times again.
            flash(error_message(error.code) if not error.fields
                  else field_message(next(iter(error.fields.values()))), "error")
            return redirect(url_for(".move_day", reference=reference, token=token))
        flash(_("Your appointment is moved to the new time."), "success")
        return redirect(url_for(".manage", reference=reference, token=token))
    return render_template("public/move_check.html", booking=booking, token=token, slot=slot, form=form)


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def find_booking():
    form = FindBookingForm()
    if form.validate_on_submit():
        booking = find_booking_by_contact(form.reference.data, form.contact.data)
        if booking is not None:
            token = new_manage_link(booking)
            return redirect(url_for(".manage", reference=booking.reference, token=token))
        # The same answer whether the reference exists or not.
        form.reference.errors.append(_("We could not find an appointment with this reference and "
                                       "this e-mail address or phone number. Check both and try again."))
    return render_template("public/find.html", form=form)


def _other_slots(booking, first_day: date | None = None, last_day: date | None = None):
    today = local_date(utcnow(), booking.branch.timezone)
    first_day = first_day or today
    last_day = last_day or today + timedelta(days=booking.service.horizon_days)
    slots = availability.list_slots(booking.service, branch=booking.branch, first_day=first_day,
                                    last_day=last_day)
    # A move never joins a waiting list, and the current time is not "another" time.
    return [s for s in slots if s.places_left > 0 and s.start != booking.starts_at]


def _link_not_valid():
    return render_template("public/link_not_valid.html"), 404
