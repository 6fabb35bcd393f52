"""The volunteer portal: my appointments, my availability, my calendar, my profile.

Every page needs a signed-in person (checked once, for the whole blueprint), and every row behind
an id is looked up with that person in the WHERE clause (services.portal): another volunteer's id
is a 404, never a 403 that would confirm it exists.
"""
from flask import Blueprint
from flask_login import current_user

from bookings.extensions import login_manager

bp = Blueprint("volunteer", __name__, url_prefix="/volunteer")


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def private_pages(response):
    # Names of residents: never kept in a shared cache or the browser's back-forward cache.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@bp.app_template_filter("rule_text")
def rule_text(rule) -> str:
    from bookings.volunteer.labels import describe_rule

    return describe_rule(rule)


from bookings.volunteer import account, appointments, availability  # noqa: E402,F401
