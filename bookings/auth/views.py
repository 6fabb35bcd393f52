"""Sign in, sign out, forgot password, choose a password by a single-use link."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from bookings.auth import bp
from bookings.auth.forms import ForgotPasswordForm, SetPasswordForm, SignInForm, SignOutForm
from bookings.extensions import limiter
from bookings.models import TokenPurpose
from bookings.services.accounts import (
    authenticate,
    find_account_token,
    request_password_reset,
    set_password_with_token,
)
from bookings.services.errors import Invalid
from bookings.volunteer.texts import add_field_errors


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = SignInForm()
    if form.validate_on_submit():
        volunteer = authenticate(email=form.email.data, password=form.password.data)
        if volunteer is not None:
            login_user(volunteer, remember=bool(form.remember.data))
            return redirect(_next_url())
        # The same answer for an unknown address and a wrong password.
        form.email.errors.append(_("The e-mail address or the password is not right. Check both and try again."))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for(".sign_in"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(email=form.email.data)
        return redirect(url_for(".reset_sent"))
    return render_template("auth/forgot_password.html", form=form)


@bp.get("/forgot-password/sent")
def reset_sent():
    return render_template("auth/reset_sent.html")


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def set_password(token: str):
    row = find_account_token(token)
    if row is None:
        return render_template("auth/link_not_valid.html"), 404
    invitation = row.purpose == TokenPurpose.INVITE
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            volunteer = set_password_with_token(token=token, password=form.password.data)
        except Invalid as error:
            if "token" in error.fields:
                return render_template("auth/link_not_valid.html"), 404
            add_field_errors(form, error.fields)
        else:
            login_user(volunteer)
            flash(_("Your password is saved. You are signed in."), "success")
            return redirect(url_for("volunteer.home"))
    return render_template("auth/set_password.html", form=form, invitation=invitation,
                           name=row.volunteer.first_name)


def _next_url() -> str:
    target = request.args.get("next", "")
    # Only paths on this site: never an open redirect.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("volunteer.home")
    return target
