"""Sessions: plan a coaching week, change places, see registrations and the waiting list."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from bookings.extensions import db
from bookings.i18n import localized
from bookings.messages import error_message
from bookings.models import BookingStatus, Service, ServiceKind, Volunteer
from bookings.services import rosters, staff_events
from bookings.services.errors import DomainError, Invalid
from bookings.services.staff_scope import branches_in
from bookings.services.timezones import utcnow
from bookings.staff import bp, guarded
from bookings.staff.forms import ActionForm, CancelForm, CapacityForm, plan_form
from bookings.staff.texts import add_field_errors, staff_message


@bp.get("/events")
@guarded()
def events(scope):
    return render_template("staff/events.html", rows=staff_events.upcoming_events(scope, now=utcnow()))


@bp.route("/events/plan", methods=["GET", "POST"])
@guarded()
def plan(scope):
    branches = branches_in(scope)
    services = list(db.session.scalars(select(Service).where(Service.kind == ServiceKind.EVENT,
                                                             Service.active.is_(True)).order_by(Service.id)))
    hosts = list(db.session.scalars(select(Volunteer).where(Volunteer.active.is_(True))
                                    .order_by(Volunteer.first_name, Volunteer.id)))
    form = plan_form(branches)
    form.service.choices = [(s.id, localized(s, "name")) for s in services]
    form.host.choices = [(0, _("No host yet"))] + [(v.id, f"{v.first_name} {v.last_name}".strip()) for v in hosts]
    if len(services) == 1 and form.service.data is None:
        form.service.data = services[0].id
    if form.validate_on_submit():
        days = {b.id: getattr(form, f"day_{b.id}").data for b in branches if getattr(form, f"day_{b.id}").data}
        data = staff_events.PlanInput(
            service=next((s for s in services if s.id == form.service.data), None), days=days,
            start=form.start_time.data, end=form.end_time.data, capacity=form.capacity.data,
            place_minutes=form.place_minutes.data, host_id=form.host.data or None)
        try:
            created = staff_events.plan_events(data=data, branches={b.id: b for b in branches},
                                               actor_id=scope.user_id)
        except Invalid as error:
            fields = dict(error.fields)
            if "days" in fields and branches:  # shown at the first date field
                fields.setdefault(f"day_{branches[0].id}", fields.pop("days"))
            add_field_errors(form, fields)
        else:
            flash(ngettext("%(num)d session is planned.", "%(num)d sessions are planned.", len(created)), "success")
            return redirect(url_for(".events"))
    return render_template("staff/plan.html", form=form, branches=branches)


@bp.route("/events/<int:event_id>", methods=["GET"])
@guarded()
def event(scope, event):
    return _event_page(event, CapacityForm(data={"capacity": event.capacity}))


def _event_page(event, capacity_form, status=200):
    return render_template("staff/event.html", event=event, places=rosters.event_places(event),
                           waiting=rosters.event_waiting_list(event), capacity_form=capacity_form,
                           form=ActionForm()), status


@bp.post("/events/<int:event_id>/capacity")
@guarded()
def capacity(scope, event):
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            promoted = staff_events.change_capacity(event=event, capacity=form.capacity.data, actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        except DomainError as error:
            flash(error_message(error.code), "error")
            return redirect(url_for(".event", event_id=event.id))
        else:
            flash(_("The number of places is saved."), "success")
            if promoted:
                flash(ngettext("%(num)d person moved up from the waiting list.",
                               "%(num)d people moved up from the waiting list.", len(promoted)), "success")
            return redirect(url_for(".event", event_id=event.id))
    if not form.errors:
        form.capacity.errors = [staff_message("capacity_range")]
    db.session.refresh(event)
    return _event_page(event, form, 422)


@bp.post("/bookings/<int:booking_id>/promote")
@guarded()
def promote(scope, booking):
    if ActionForm().validate_on_submit():
        try:
            staff_events.promote_by_staff(booking=booking, actor_id=scope.user_id)
        except Invalid:
            flash(staff_message("not_waiting"), "error")
        except DomainError as error:
            flash(_("There is no free place. Add a place first.") if error.code == "slot_taken"
                  else error_message(error.code), "error")
        else:
            flash(_("%(name)s has a place now and gets a message.", name=booking.first_name or _("The resident")),
                  "success")
    return redirect(url_for(".event", event_id=booking.event_id) if booking.event_id else url_for(".home"))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@guarded()
def cancel(scope, booking):
    form = CancelForm()
    back = url_for(".event", event_id=booking.event_id) if booking.event_id else url_for(
        ".schedule", branch_slug=booking.branch.slug)
    if form.validate_on_submit():
        try:
            changed = staff_events.cancel_by_staff(booking=booking, actor_id=scope.user_id,
                                                   reason=form.reason.data or "")
        except Invalid as error:
            flash(staff_message(next(iter(error.fields.values()))), "error")
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("The registration is cancelled. The resident gets a message.") if changed
                  else _("This appointment was already cancelled. Nothing has changed."), "success")
        return redirect(back)
    return render_template("staff/cancel.html", booking=booking, form=form, back=back,
                           can_cancel=booking.status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED))
