"""Staff pages: run the programme, book at the desk, plan the coaching week, report reach.

Every route is wrapped in ``guarded``: it checks the role (coordinator or admin; ``admin=True``
for the library-wide settings) AND loads each object named in the URL through the staff
member's branches. A coordinator of branch A asking for anything of branch B gets a 404, the
same answer as for an id that does not exist.
"""
import functools

from flask import Blueprint, abort, g
from flask_login import current_user
from sqlalchemy import select

from bookings.extensions import db, login_manager
from bookings.models import Booking, Branch, Closure, Event, Referral, Role, Service, Volunteer
from bookings.services.staff_scope import Scope, is_staff, scope_for, scoped

bp = Blueprint("staff", __name__, url_prefix="/staff")
# The partner's page: no login, a secret link instead (bookings.staff.partners).
partner_bp = Blueprint("partners", __name__, url_prefix="/partners")

# URL parameter -> (view argument, model, branch column; None: library-wide, admins only)
_OBJECTS = {
    "branch_slug": ("branch", Branch, Branch.slug, Branch.id),
    "event_id": ("event", Event, Event.id, Event.branch_id),
    "booking_id": ("booking", Booking, Booking.id, Booking.branch_id),
    "closure_id": ("closure", Closure, Closure.id, Closure.branch_id),
    "service_id": ("service", Service, Service.id, None),
    "volunteer_id": ("volunteer", Volunteer, Volunteer.id, None),
    "referral_id": ("referral", Referral, Referral.id, None),
}


def guarded(*, admin: bool = False):
    """Check the role and the branch for one route, and load the objects its URL names."""

    def decorate(view):
        @functools.wraps(view)
        def run(**kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not is_staff(current_user) or (admin and current_user.role != Role.ADMIN):
                abort(404)
            scope = g.staff_scope = scope_for(current_user)
            for param, (name, model, key, branch_column) in _OBJECTS.items():
                if param not in kwargs:
                    continue
                if branch_column is None and not scope.is_admin:
                    abort(404)
                query = select(model).where(key == kwargs.pop(param))
                kwargs[name] = db.first_or_404(query if branch_column is None
                                               else scoped(scope, query, branch_column))
            return view(scope=scope, **kwargs)

        run.guarded = True
        return run

    return decorate


@bp.before_request
def staff_only():
    # A second line behind ``guarded``: nothing under /staff answers anyone but staff.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_staff(current_user):
        abort(404)
    return None


@bp.after_request
def private_pages(response):
    # Names and phone numbers of residents: never kept in a shared cache or the back-forward cache.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@bp.app_context_processor
def staff_navigation():
    user = current_user
    return {"is_staff_user": bool(user and user.is_authenticated and is_staff(user)),
            "is_admin_user": bool(user and user.is_authenticated and user.role == Role.ADMIN and user.active)}


__all__ = ["Scope", "bp", "guarded", "partner_bp"]

from bookings.staff import catalog, desk, events, partners, places, reports  # noqa: E402,F401
