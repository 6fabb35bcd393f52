"""Library-wide settings (admins): services, and the volunteers' logins."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Role, Service, Volunteer
from bookings.services import staff_catalog, staff_people
from bookings.services.errors import Invalid
from bookings.services.staff_scope import branches_in, coordinated_branch_ids
from bookings.services.timezones import utcnow
from bookings.staff import bp, guarded
from bookings.staff.forms import ActionForm, DeactivateForm, InviteForm, ServiceForm
from bookings.staff.texts import add_field_errors, staff_message


@bp.get("/services")
@guarded(admin=True)
def services(scope):
    return render_template("staff/services.html",
                           services=list(db.session.scalars(select(Service).order_by(Service.id))))


@bp.route("/services/new", methods=["GET", "POST"])
@guarded(admin=True)
def new_service(scope):
    form = ServiceForm(icons=staff_catalog.icon_names())
    if form.validate_on_submit():
        try:
            staff_catalog.create_service(data=_service_input(form, slug=form.slug.data or ""), actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The service is saved."), "success")
            return redirect(url_for(".services"))
    return render_template("staff/service_form.html", form=form, service=None)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@guarded(admin=True)
def service(scope, service):
    data = {name: getattr(service, name) for name in (
        "name_nl", "name_en", "description_nl", "description_en", "bring_nl", "bring_en", "icon", "active",
        *staff_catalog.NUMBERS)}
    data["topics"] = staff_catalog.topics_text(service)
    form = ServiceForm(data=None if request.method == "POST" else data, icons=staff_catalog.icon_names())
    del form.slug, form.kind
    if form.validate_on_submit():
        try:
            staff_catalog.update_service(service=service, data=_service_input(form), actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The service is saved."), "success")
            return redirect(url_for(".services"))
    return render_template("staff/service_form.html", form=form, service=service)


def _service_input(form, slug: str = "") -> staff_catalog.ServiceInput:
    return staff_catalog.ServiceInput(
        kind=form.kind.data if form.kind else "", slug=slug.strip(),
        name_nl=form.name_nl.data or "", name_en=form.name_en.data or "",
        description_nl=form.description_nl.data or "", description_en=form.description_en.data or "",
        bring_nl=form.bring_nl.data or "", bring_en=form.bring_en.data or "", icon=form.icon.data or "",
        numbers={name: getattr(form, name).data for name in staff_catalog.NUMBERS},
        topics_text=form.topics.data or "", active=bool(form.active.data))


@bp.get("/volunteers")
@guarded(admin=True)
def volunteers(scope):
    people = list(db.session.scalars(select(Volunteer).order_by(Volunteer.active.desc(), Volunteer.first_name)))
    return render_template("staff/volunteers.html", people=people)


@bp.route("/volunteers/invite", methods=["GET", "POST"])
@guarded(admin=True)
def invite(scope):
    form = InviteForm()
    form.branches.choices = [(b.id, b.name) for b in branches_in(scope)]
    if form.validate_on_submit():
        role = form.role.data if form.role.data in {r.value for r in Role} else Role.VOLUNTEER.value
        try:
            result = staff_people.invite_volunteer(
                email=form.email.data or "", first_name=form.first_name.data or "", role=Role(role),
                branch_ids=[b for b in (form.branches.data or []) if b in dict(form.branches.choices)],
                actor_id=scope.user_id)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("The invitation is sent to %(email)s.", email=result.volunteer.email) if result.created
                  else _("This person already has a login. A new link is sent."), "success")
            return redirect(url_for(".volunteers"))
    return render_template("staff/invite.html", form=form)


@bp.route("/volunteers/<int:volunteer_id>/deactivate", methods=["GET", "POST"])
@guarded(admin=True)
def deactivate(scope, volunteer):
    now = utcnow()
    appointments, events = staff_people.future_work(volunteer, now)
    form = DeactivateForm()
    if form.validate_on_submit():
        if (appointments or events) and not form.confirm.data:
            form.confirm.errors.append(staff_message("confirm_required"))
        else:
            try:
                result = staff_people.deactivate_volunteer(volunteer=volunteer, reason=form.reason.data or "",
                                                           actor_id=scope.user_id)
            except Invalid as error:
                add_field_errors(form, error.fields)
            else:
                flash(ngettext("%(name)s is deactivated. %(num)d appointment is cancelled.",
                               "%(name)s is deactivated. %(num)d appointments are cancelled.",
                               len(result.cancelled), name=volunteer.first_name), "success")
                return render_template("staff/deactivated.html", volunteer=volunteer, result=result)
    return render_template("staff/deactivate.html", volunteer=volunteer, form=form, appointments=appointments,
                           events=events, branches=coordinated_branch_ids(volunteer.id))


@bp.post("/volunteers/<int:volunteer_id>/reactivate")
@guarded(admin=True)
def reactivate(scope, volunteer):
    if ActionForm().validate_on_submit():
        staff_people.reactivate_volunteer(volunteer=volunteer, actor_id=scope.user_id)
        flash(_("%(name)s can sign in and be booked again.", name=volunteer.first_name), "success")
    return redirect(url_for(".volunteers"))
