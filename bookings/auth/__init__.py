"""Sign-in for volunteers and staff (Flask-Login): sign in and out, choose a password by link."""
import hmac

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from bookings.extensions import db, login_manager

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_app(app: Flask) -> None:
    from bookings.auth import views  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from bookings.models import Volunteer
        from bookings.models.people import password_stamp

        number, _dot, stamp = user_id.partition(".")
        volunteer = db.session.get(Volunteer, int(number)) if number.isdigit() else None
        if volunteer is None or not volunteer.active:
            return None
        # A session from before the last password change is not valid any more.
        if not hmac.compare_digest(stamp, password_stamp(volunteer.password_hash)):
            return None
        return volunteer
