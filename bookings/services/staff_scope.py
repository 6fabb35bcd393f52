"""What a staff member may see: an admin everything, a coordinator the rows of their branches.

Every staff page that reads a row behind an id or a slug goes through ``scoped``: the branch is
in the WHERE clause, so a row of another branch is simply not found (404, never a 403 that
would confirm it exists).
"""
from dataclasses import dataclass

from sqlalchemy import Select, select

from bookings.extensions import db
from bookings.models import AuditEntry, Branch, Role, Volunteer, coordinator_branches
from bookings.services.transactions import command

STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)


@dataclass(frozen=True)
class Scope:
    user_id: int
    is_admin: bool
    branch_ids: frozenset[int]  # empty for admins: they are not limited

    def allows(self, branch_id: int | None) -> bool:
        return self.is_admin or (branch_id is not None and branch_id in self.branch_ids)

    def report_branch_ids(self) -> list[int] | None:
        """None means every branch (reach_report's convention)."""
        return None if self.is_admin else sorted(self.branch_ids)


def is_staff(volunteer) -> bool:
    return getattr(volunteer, "role", None) in STAFF_ROLES and volunteer.active


def scope_for(volunteer: Volunteer) -> Scope:
    if volunteer.role == Role.ADMIN:
        return Scope(user_id=volunteer.id, is_admin=True, branch_ids=frozenset())
    ids = db.session.scalars(select(coordinator_branches.c.branch_id)
                             .where(coordinator_branches.c.volunteer_id == volunteer.id))
    return Scope(user_id=volunteer.id, is_admin=False, branch_ids=frozenset(ids))


def scoped(scope: Scope, query: Select, branch_column) -> Select:
    """The query limited to the scope's branches (admins: unchanged)."""
    if scope.is_admin:
        return query
    return query.where(branch_column.in_(sorted(scope.branch_ids)))


def branches_in(scope: Scope) -> list[Branch]:
    return list(db.session.scalars(scoped(scope, select(Branch), Branch.id).order_by(Branch.name)))


def coordinated_branch_ids(volunteer_id: int) -> list[int]:
    return list(db.session.scalars(select(coordinator_branches.c.branch_id)
                                   .where(coordinator_branches.c.volunteer_id == volunteer_id)))


def set_coordinator_branches(volunteer: Volunteer, branch_ids: list[int]) -> None:
    """Replace the branches a coordinator runs. Flushes, never commits."""
    db.session.execute(coordinator_branches.delete().where(coordinator_branches.c.volunteer_id == volunteer.id))
    for branch_id in sorted(set(branch_ids)):
        db.session.execute(coordinator_branches.insert().values(volunteer_id=volunteer.id, branch_id=branch_id))
    db.session.flush()


def audit(*, actor_id: int | None, action: str, object_type: str, object_id: int | None = None,
          branch_id: int | None = None, summary: str = "") -> AuditEntry:
    """Write one line of the audit log in the caller's transaction. Never put names or contact
    details in ``summary``: the log is kept longer than personal data."""
    entry = AuditEntry(actor_id=actor_id, action=action, object_type=object_type, object_id=object_id,
                       branch_id=branch_id, summary=summary[:255])
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_log(scope: Scope, *, limit: int = 200) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    return list(db.session.scalars(scoped(scope, query, AuditEntry.branch_id)))


def unknown_branch_slugs(slugs: list[str]) -> list[str]:
    known = set(db.session.scalars(select(Branch.slug).where(Branch.slug.in_(slugs))))
    return sorted(set(slugs) - known)


@command()
def assign_branches(*, volunteer: Volunteer, slugs: list[str]) -> list[Branch]:
    """The CLI's ``--branch``: add these branches to the ones a coordinator runs."""
    from bookings.services.errors import Invalid

    branches = list(db.session.scalars(select(Branch).where(Branch.slug.in_(slugs))))
    unknown = sorted(set(slugs) - {b.slug for b in branches})
    if unknown:
        raise Invalid(", ".join(unknown), fields={"branch": "branch_required"})
    set_coordinator_branches(volunteer, coordinated_branch_ids(volunteer.id) + [b.id for b in branches])
    return branches
