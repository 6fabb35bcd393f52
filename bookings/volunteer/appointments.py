"""My appointments: today and later, one appointment, cancel it or my whole day, my sessions."""
from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from bookings.extensions import db
from bookings.messages import error_message, field_message
from bookings.models import HOLDING_STATUSES, Actor, BookingStatus
from bookings.services import portal, rosters
from bookings.services.errors import DomainError, Invalid
from bookings.services.lifecycle import cancel_booking, cancel_volunteer_day, mark_attendance
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow
from bookings.volunteer import bp
from bookings.volunteer.forms import AttendanceForm, CancelAppointmentForm, CancelDayForm


@bp.get("/")
def home():
    now = utcnow()
    return render_template("volunteer/home.html", days=portal.agenda(current_user, now=now),
                           events=portal.hosted_events(current_user, now=now),
                           today=local_date(now, DEFAULT_ZONE))


@bp.get("/appointments/<int:booking_id>")
def appointment(booking_id: int):
    booking = db.first_or_404(portal.booking_query(current_user.id, booking_id))
    now = utcnow()
    return render_template(
        "volunteer/appointment.html", booking=booking, attendance_form=AttendanceForm(),
        can_mark=booking.status in HOLDING_STATUSES and booking.starts_at <= now,
        can_cancel=booking.status == BookingStatus.CONFIRMED and booking.starts_at > now,
        day=local_date(booking.starts_at, booking.branch.timezone),
        can_cancel_day=booking.event_id is None and booking.starts_at > now)


@bp.post("/appointments/<int:booking_id>/attendance")
def attendance(booking_id: int):
    booking = db.first_or_404(portal.booking_query(current_user.id, booking_id))
    form = AttendanceForm()
    if form.validate_on_submit():
        try:
            mark_attendance(booking=booking, attended=form.attended.data == "yes", actor=Actor.VOLUNTEER,
                            actor_id=current_user.id)
        except Invalid as error:
            flash(field_message(next(iter(error.fields.values()))), "error")
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("Saved."), "success")
    return redirect(url_for(".appointment", booking_id=booking.id))


@bp.route("/appointments/<int:booking_id>/cancel", methods=["GET", "POST"])
def cancel_appointment(booking_id: int):
    booking = db.first_or_404(portal.booking_query(current_user.id, booking_id))
    form = CancelAppointmentForm()
    if form.validate_on_submit():
        try:
            changed = cancel_booking(booking=booking, actor=Actor.VOLUNTEER, actor_id=current_user.id,
                                     reason=form.reason.data.strip())
        except Invalid as error:
            flash(field_message(next(iter(error.fields.values()))), "error")
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("The appointment is cancelled. The resident gets a message.") if changed
                  else _("This appointment was already cancelled. Nothing has changed."), "success")
        return redirect(url_for(".appointment", booking_id=booking.id))
    return render_template("volunteer/cancel_appointment.html", booking=booking, form=form)


@bp.route("/day/<day>/cancel", methods=["GET", "POST"])
def cancel_day(day: str):
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if chosen < local_date(utcnow(), DEFAULT_ZONE):
        abort(404)
    appointments, events = portal.day_overview(current_user, chosen)
    form = CancelDayForm()
    if form.validate_on_submit():
        try:
            cancelled = cancel_volunteer_day(volunteer_id=current_user.id, day=chosen,
                                             reason=(form.reason.data or "").strip())
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(ngettext("Your day is cancelled. %(num)d resident gets a message.",
                           "Your day is cancelled. %(num)d residents get a message.", len(cancelled)),
                  "success")
            return redirect(url_for(".home"))
    return render_template("volunteer/cancel_day.html", day=chosen, appointments=appointments, events=events,
                           form=form)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    hosted = db.first_or_404(portal.event_query(current_user.id, event_id))
    return render_template("volunteer/event.html", event=hosted, places=rosters.event_places(hosted),
                           waiting=rosters.event_waiting_list(hosted))
