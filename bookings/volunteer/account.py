"""My calendar (the subscription link) and my profile."""
import hmac

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bookings.services.accounts import ProfileInput, spoken_languages, update_profile
from bookings.services.errors import Invalid
from bookings.services.feeds import feed_url, new_feed_token, webcal_url
from bookings.services.tokens import hash_token
from bookings.volunteer import bp
from bookings.volunteer.forms import ActionForm, ProfileForm
from bookings.volunteer.texts import add_field_errors

# Only the hash of a feed token is stored, so its URL can be shown once: right after it is made.
# The new token rides in the (signed, HttpOnly) session cookie from the POST to the next GET only.
_NEW_FEED_TOKEN = "new_feed_token"


@bp.get("/calendar")
def calendar():
    token = session.pop(_NEW_FEED_TOKEN, None)
    volunteer = current_user._get_current_object()
    url = None
    if token and volunteer.feed_token_hash and hmac.compare_digest(hash_token(token), volunteer.feed_token_hash):
        url = feed_url(volunteer, token)
    return render_template("volunteer/calendar.html", url=url, webcal=webcal_url(url) if url else None,
                           has_link=volunteer.feed_token_hash is not None, form=ActionForm())


@bp.post("/calendar/new-link")
def new_calendar_link():
    form = ActionForm()
    if form.validate_on_submit():
        session[_NEW_FEED_TOKEN] = new_feed_token(current_user._get_current_object())
        flash(_("Your new calendar link is ready. The old link no longer works."), "success")
    return redirect(url_for(".calendar"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    volunteer = current_user._get_current_object()
    form = ProfileForm(data=None if request.method == "POST" else dict(
        first_name=volunteer.first_name, last_name=volunteer.last_name, email=volunteer.email,
        phone=volunteer.phone or "", languages=spoken_languages(volunteer)))
    if form.validate_on_submit():
        data = ProfileInput(first_name=form.first_name.data or "", last_name=form.last_name.data or "",
                            email=form.email.data or "", phone=form.phone.data or "",
                            languages=list(form.languages.data or []))
        try:
            update_profile(volunteer=volunteer, data=data)
        except Invalid as error:
            add_field_errors(form, error.fields)
        else:
            flash(_("Your details are saved."), "success")
            return redirect(url_for(".profile"))
    return render_template("volunteer/profile.html", form=form)
