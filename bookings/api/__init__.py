from flask import Blueprint

from bookings.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates with bearer tokens, never with cookies, so CSRF does not apply.
csrf.exempt(bp)

from bookings.api import views  # noqa: E402,F401  (routes register on import)
