from flask import Blueprint

bp = Blueprint("public", __name__)

from bookings.public import manage, views  # noqa: E402,F401  (routes register on import)
