"""The staff home, branches with their closed days, and the printable day schedule."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bookings.services import staff_places
from bookings.services.errors import Invalid
from bookings.services.rosters import event_places
from bookings.services.staff_events import day_schedule, upcoming_events
from bookings.services.staff_scope import branches_in
from bookings.services.timezones import DEFAULT_ZONE, local_date, utcnow
from bookings.staff import bp, guarded
from bookings.staff.forms import ActionForm, BranchForm, ClosureForm, DayForm
from bookings.staff.texts import add_field_errors


@bp.get("/")
@guarded()
def home(scope):
    now = utcnow()
    return render_template("staff/home.html", branches=branches_in(scope),
                           events=upcoming_events(scope, now=now)[:10], scope=scope,
                           today=local_date(now, DEFAULT_ZONE))


@bp.get("/branches")
@guarded()
def branches(scope):
    return render_template("staff/branches.html", branches=branches_in(scope), scope=scope)


@bp.route("/branches/new", methods=["GET", "POST"])
@guarded(admin=True)
def new_branch(scope):
    form = BranchForm()
    if form.validate_on_submit():
        try:
            branch = staff_places.create_branch(data=_branch_input(form, slug=form.slug.data or ""),
                                                actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The library is added."), "success")
            return redirect(url_for(".branch", branch_slug=branch.slug))
    return render_template("staff/branch_form.html", form=form, branch=None)


@bp.route("/branches/<branch_slug>", methods=["GET", "POST"])
@guarded()
def branch(scope, branch):
    form = BranchForm(data=None if request.method == "POST" else dict(
        name=branch.name, address=branch.address, phone=branch.phone or "",
        opening_hours=branch.opening_hours or ""))
    del form.slug
    if form.validate_on_submit():
        try:
            staff_places.update_branch(branch=branch, data=_branch_input(form), actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The library is saved."), "success")
            return redirect(url_for(".branch", branch_slug=branch.slug))
    return render_template("staff/branch_form.html", form=form, branch=branch, closure_form=ClosureForm(),
                           delete_form=ActionForm(), today=local_date(utcnow(), branch.timezone))


def _branch_input(form, slug: str = "") -> staff_places.BranchInput:
    return staff_places.BranchInput(name=form.name.data or "", address=form.address.data or "",
                                    phone=form.phone.data or "", opening_hours=form.opening_hours.data or "",
                                    slug=slug.strip())


@bp.route("/branches/<branch_slug>/closures/new", methods=["GET", "POST"])
@guarded()
def new_closure(scope, branch):
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            staff_places.add_closure(branch=branch, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                     reason=form.reason.data or "", actor_id=scope.user_id,
                                     today=local_date(utcnow(), branch.timezone))
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The closed days are saved. No appointments are offered then."), "success")
            return redirect(url_for(".branch", branch_slug=branch.slug))
    return render_template("staff/closure_form.html", form=form, branch=branch)


@bp.post("/branches/<branch_slug>/closures/<int:closure_id>/delete")
@guarded()
def delete_closure(scope, branch, closure):
    if closure.branch_id != branch.id:
        abort(404)
    if ActionForm().validate_on_submit():
        staff_places.delete_closure(closure=closure, actor_id=scope.user_id)
        flash(_("The closed days are removed."), "success")
    return redirect(url_for(".branch", branch_slug=branch.slug))


@bp.get("/branches/<branch_slug>/schedule")
@guarded()
def schedule(scope, branch):
    form = DayForm(request.args)
    day = local_date(utcnow(), branch.timezone)
    if request.args.get("day"):
        if form.validate() and form.day.data:
            day = form.day.data
    bookings, events = day_schedule(branch, day)
    return render_template("staff/schedule.html", branch=branch, day=day, form=form, bookings=bookings,
                           events=[(event, event_places(event)) for event in events])
