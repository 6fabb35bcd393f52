"""One service command is one transaction: commit on success, roll back on any error."""
import functools

from sqlalchemy.exc import IntegrityError, OperationalError

from bookings.extensions import db
from bookings.services.errors import DomainError, ServiceBusy


def command(on_conflict: type[DomainError] | None = None):
    """Run a service function as one transaction.

    ``on_conflict`` is raised when a unique index refuses the write: the constraint behind
    the lock saw a race that the lock did not (or a second database server did).
    """

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                result = function(*args, **kwargs)
                db.session.commit()
                return result
            except DomainError:
                db.session.rollback()
                raise
            except IntegrityError as error:
                db.session.rollback()
                if on_conflict is None:
                    raise
                raise on_conflict(str(error.orig)) from error
            except OperationalError as error:
                db.session.rollback()
                raise ServiceBusy(str(error.orig)) from error
            except BaseException:
                db.session.rollback()
                raise

        return run

    return decorate
