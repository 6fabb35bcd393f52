"""Sign-in for volunteers and staff (Flask-Login)."""
from flask import Flask

from bookings.extensions import db, login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in" if "auth" in app.blueprints else None

    @login_manager.user_loader
    def load_user(user_id: str):
        from bookings.models import Volunteer

        volunteer = db.session.get(Volunteer, int(user_id)) if user_id.isdigit() else None
        return volunteer if volunteer is not None and volunteer.active else None
