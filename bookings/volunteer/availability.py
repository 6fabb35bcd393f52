"""My availability: weekly rules, one-off times, time off, and the times they give."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from bookings.extensions import db
from bookings.i18n import localized
from bookings.messages import error_message
from bookings.models import Booking, Branch, Service, ServiceKind
from bookings.services import portal, rules
from bookings.services.errors import DomainError, Invalid
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow
from bookings.volunteer import bp
from bookings.volunteer.forms import ConfirmDeleteForm, OnceRuleForm, TimeOffForm, WeeklyRuleForm
from bookings.volunteer.labels import describe_rule
from bookings.volunteer.texts import add_field_errors

PREVIEW_DAYS = 14


@bp.get("/availability")
def availability():
    now = utcnow()
    today = local_date(now, DEFAULT_ZONE)
    weekly, once = portal.rules_of(current_user, today=today)
    return render_template("volunteer/availability.html", weekly=weekly, once=once,
                           time_off=portal.time_off_of(current_user, now=now),
                           preview=rules.preview(current_user, first_day=today, days=PREVIEW_DAYS, now=now))


@bp.route("/availability/weekly/new", methods=["GET", "POST"])
def new_weekly_rule():
    form = WeeklyRuleForm(**_choices())
    return _rule_page(form, weekly=True, rule=None)


@bp.route("/availability/once/new", methods=["GET", "POST"])
def new_once_rule():
    form = OnceRuleForm(**_choices())
    return _rule_page(form, weekly=False, rule=None)


@bp.route("/availability/rules/<int:rule_id>", methods=["GET", "POST"])
def edit_rule(rule_id: int):
    rule = db.first_or_404(portal.rule_query(current_user.id, rule_id))
    weekly = rule.weekday is not None
    data = dict(branch=rule.branch_id, services=[s.id for s in rule.services], start_time=rule.start_time,
                end_time=rule.end_time)
    if weekly:
        data.update(weekday=rule.weekday, every_n_weeks=rule.every_n_weeks, valid_from=rule.valid_from,
                    valid_until=rule.valid_until)
    else:
        data.update(on_date=rule.on_date)
    form_class = WeeklyRuleForm if weekly else OnceRuleForm
    form = form_class(data=None if request.method == "POST" else data, **_choices())
    return _rule_page(form, weekly=weekly, rule=rule)


@bp.route("/availability/rules/<int:rule_id>/delete", methods=["GET", "POST"])
def delete_rule(rule_id: int):
    rule = db.first_or_404(portal.rule_query(current_user.id, rule_id))
    form = ConfirmDeleteForm()
    stranded = []
    if form.validate_on_submit():
        try:
            cancelled = rules.delete_rule(volunteer=current_user, rule=rule, confirm=form.confirm.data)
        except rules.StrandsBookings as error:
            stranded = _bookings(error.booking_ids)
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("The time is removed."), "success")
            _say_cancelled(cancelled)
            return redirect(url_for(".availability"))
    return render_template("volunteer/rule_delete.html", rule=rule, form=form, stranded=stranded)


@bp.route("/availability/time-off/new", methods=["GET", "POST"])
def new_time_off():
    form = TimeOffForm()
    stranded = []
    if form.validate_on_submit():
        try:
            cancelled = rules.add_time_off(
                volunteer=current_user, first_day=form.first_day.data, last_day=form.last_day.data,
                start_time=form.start_time.data, end_time=form.end_time.data, reason=form.reason.data or "",
                confirm=form.confirm.data)
        except rules.StrandsBookings as error:
            stranded = _bookings(error.booking_ids)
        except Invalid as error:
            add_field_errors(form, error.fields)
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("Your time off is saved."), "success")
            _say_cancelled(cancelled)
            return redirect(url_for(".availability"))
    return render_template("volunteer/time_off_form.html", form=form, stranded=stranded)


@bp.route("/availability/time-off/<int:time_off_id>/delete", methods=["GET", "POST"])
def delete_time_off(time_off_id: int):
    time_off = db.first_or_404(portal.time_off_query(current_user.id, time_off_id))
    form = ConfirmDeleteForm()
    if form.validate_on_submit():
        try:
            rules.delete_time_off(volunteer=current_user, time_off=time_off)
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("The time off is removed."), "success")
        return redirect(url_for(".availability"))
    return render_template("volunteer/time_off_delete.html", time_off=time_off, form=form)


def _rule_page(form, *, weekly: bool, rule):
    stranded = []
    if form.is_submitted() and not form.validate():
        # Some fields did not parse: say what is wrong with the others too, all in one go.
        problems = rules.rule_problems(_rule_input(form, weekly))
        add_field_errors(form, {name: code for name, code in problems.items()
                                if getattr(form, name, None) is not None and not getattr(form, name).errors})
    elif form.is_submitted():
        data = _rule_input(form, weekly)
        try:
            if rule is None:
                rules.add_rule(volunteer=current_user, data=data)
                cancelled = []
            else:
                cancelled = rules.change_rule(volunteer=current_user, rule=rule, data=data, confirm=form.confirm.data)
        except rules.RuleOverlap as error:
            form.start_time.errors.append(_("This overlaps with: %(rule)s", rule=describe_rule(error.rule)))
        except rules.StrandsBookings as error:
            stranded = _bookings(error.booking_ids)
        except Invalid as error:
            add_field_errors(form, error.fields)
        except DomainError as error:
            flash(error_message(error.code), "error")
        else:
            flash(_("Your availability is saved."), "success")
            _say_cancelled(cancelled)
            return redirect(url_for(".availability"))
    return render_template("volunteer/rule_form.html", form=form, weekly=weekly, rule=rule, stranded=stranded)


def _rule_input(form, weekly: bool) -> rules.RuleInput:
    return rules.RuleInput(
        weekly=weekly, branch_id=form.branch.data, service_ids=list(form.services.data or []),
        start_time=form.start_time.data, end_time=form.end_time.data,
        weekday=form.weekday.data if weekly else None, on_date=None if weekly else form.on_date.data,
        valid_from=form.valid_from.data if weekly else None, valid_until=form.valid_until.data if weekly else None,
        every_n_weeks=(form.every_n_weeks.data or 1) if weekly else 1)


def _choices() -> dict:
    branches = [(b.id, b.name) for b in db.session.scalars(select(Branch).order_by(Branch.name))]
    services = [(s.id, localized(s, "name")) for s in db.session.scalars(
        select(Service).where(Service.active.is_(True), Service.kind == ServiceKind.APPOINTMENT).order_by(Service.id))]
    return {"branches": branches, "services": services}


def _bookings(ids: list[int]) -> list[Booking]:
    """The stranded bookings again, after the refused change was rolled back (still only our own)."""
    return list(db.session.scalars(select(Booking).where(Booking.id.in_(ids), Booking.volunteer_id == current_user.id)
                                   .order_by(Booking.starts_at)))


def _say_cancelled(cancelled: list[Booking]) -> None:
    if cancelled:
        flash(ngettext("%(num)d appointment is cancelled. The resident gets a message.",
                       "%(num)d appointments are cancelled. The residents get a message.", len(cancelled)),
              "success")
