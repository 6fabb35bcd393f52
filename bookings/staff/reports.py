"""Reach reports (page, CSV, SVG bars), partners' referral codes, and the audit log."""
from datetime import date, timedelta

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Referral, Volunteer
from bookings.services import staff_referrals
from bookings.services.errors import Invalid
from bookings.services.staff_reports import FIGURES, build_report, referral_months, report_csv
from bookings.services.staff_scope import audit_log, branches_in
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow
from bookings.staff import bp, guarded
from bookings.staff.forms import ActionForm, ReferralForm, ReportForm
from bookings.staff.texts import add_field_errors
from bookings.urls import absolute_url

MAX_REPORT_DAYS = 3 * 366
NEW_PARTNER_LINK = "new_partner_link"  # shown once, like the volunteers' feed link


def _report_request(scope):
    """(form, first day, last day, branch ids) from the query string; defaults: this year so far."""
    branches = branches_in(scope)
    form = ReportForm(request.args)
    form.branch.choices = [("", _("All my libraries"))] + [(b.slug, b.name) for b in branches]
    today = local_date(utcnow(), DEFAULT_ZONE)
    first, last = date(today.year, 1, 1), today
    if request.args:
        form.validate()
        first = form.first_day.data or first
        last = form.last_day.data or last
        if last < first:
            form.last_day.errors = list(form.last_day.errors) + [_("The last date must be on or after the first date.")]
            last = first
        if (last - first).days > MAX_REPORT_DAYS:
            form.last_day.errors = list(form.last_day.errors) + [_("Choose at most three years.")]
            last = first + timedelta(days=MAX_REPORT_DAYS)
    chosen = [b for b in branches if b.slug == form.branch.data]
    branch_ids = [chosen[0].id] if chosen else scope.report_branch_ids()
    form.first_day.data, form.last_day.data = first, last
    return form, first, last, branch_ids


@bp.get("/reports")
@guarded()
def reports(scope):
    form, first, last, branch_ids = _report_request(scope)
    report = build_report(first_day=first, last_day=last, branch_ids=branch_ids)
    peak = max([bar.bookings for bar in report.months] + [1])
    return render_template("staff/reports.html", form=form, report=report, peak=peak,
                           csv_url=url_for(".reports_csv", **request.args))


@bp.get("/reports.csv")
@guarded()
def reports_csv(scope):
    _form, first, last, branch_ids = _report_request(scope)
    report = build_report(first_day=first, last_day=last, branch_ids=branch_ids)
    body = report_csv(report, ["branch", "service", "month", *FIGURES])
    name = f"reach-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/referrals")
@guarded(admin=True)
def referrals(scope):
    rows = [(r, referral_months(r)) for r in db.session.scalars(select(Referral).order_by(Referral.code))]
    new_link = session.pop(NEW_PARTNER_LINK, None)
    return render_template("staff/referrals.html", rows=rows, form=ActionForm(), new_link=new_link)


@bp.route("/referrals/new", methods=["GET", "POST"])
@guarded(admin=True)
def new_referral(scope):
    form = ReferralForm()
    if form.validate_on_submit():
        try:
            staff_referrals.create_referral(code=form.code.data or "", partner_name=form.partner_name.data or "",
                                            actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The code is saved."), "success")
            return redirect(url_for(".referrals"))
    return render_template("staff/referral_form.html", form=form)


@bp.post("/referrals/<int:referral_id>/link")
@guarded(admin=True)
def partner_link(scope, referral):
    if ActionForm().validate_on_submit():
        token = staff_referrals.new_partner_link(referral=referral, actor_id=scope.user_id)
        session[NEW_PARTNER_LINK] = {"code": referral.code, "url": absolute_url("partners.counts", token=token)}
        flash(_("The partner's new link is ready. An older link no longer works."), "success")
    return redirect(url_for(".referrals"))


@bp.post("/referrals/<int:referral_id>/active")
@guarded(admin=True)
def referral_active(scope, referral):
    if ActionForm().validate_on_submit():
        staff_referrals.set_referral_active(referral=referral, active=not referral.active, actor_id=scope.user_id)
        flash(_("The code is saved."), "success")
    return redirect(url_for(".referrals"))


@bp.get("/audit")
@guarded()
def audit(scope):
    entries = audit_log(scope)
    ids = {e.actor_id for e in entries if e.actor_id}
    names = {v.id: v.first_name for v in db.session.scalars(select(Volunteer).where(Volunteer.id.in_(ids)))} if ids else {}
    return render_template("staff/audit.html", entries=entries, names=names)
