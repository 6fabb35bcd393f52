from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from bookings.feeds import views  # noqa: E402,F401  (routes register on import)
