"""Branches and their closed days, as staff change them. Each command writes an audit line."""
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import available_timezones

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Branch, Closure
from bookings.services.errors import Invalid
from bookings.services.residents import normalise_phone
from bookings.services.staff_scope import audit
from bookings.services.transactions import command

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class BranchInput:
    name: str
    address: str
    phone: str = ""
    opening_hours: str = ""
    slug: str = ""  # only when creating: part of public links, so it never changes
    timezone: str = "Europe/Amsterdam"


def _check(data: BranchInput, *, creating: bool) -> tuple[dict[str, str], str | None]:
    errors: dict[str, str] = {}
    if not data.name.strip() or len(data.name.strip()) > 120:
        errors["name"] = "name_required"
    if not data.address.strip() or len(data.address.strip()) > 255:
        errors["address"] = "address_required"
    if len(data.opening_hours) > 1000:
        errors["opening_hours"] = "text_too_long"
    phone = None
    if data.phone.strip():
        try:
            phone = normalise_phone(data.phone.strip())
        except ValueError:
            errors["phone"] = "phone_invalid"
    if creating:
        if not SLUG.match(data.slug) or len(data.slug) > 60 or data.slug == "new":
            errors["slug"] = "slug_invalid"
        elif db.session.scalar(select(Branch.id).where(Branch.slug == data.slug)):
            errors["slug"] = "slug_taken"
        if data.timezone not in available_timezones():
            errors["timezone"] = "timezone_invalid"
    return errors, phone


@command()
def create_branch(*, data: BranchInput, actor_id: int) -> Branch:
    """A new branch (admins)."""
    errors, phone = _check(data, creating=True)
    if errors:
        raise Invalid("branch not accepted", fields=errors)
    branch = Branch(slug=data.slug, name=data.name.strip(), address=data.address.strip(), phone=phone,
                    opening_hours=data.opening_hours.strip() or None, timezone=data.timezone)
    db.session.add(branch)
    db.session.flush()
    audit(actor_id=actor_id, action="branch.create", object_type="branch", object_id=branch.id,
          branch_id=branch.id, summary=branch.slug)
    return branch


@command()
def update_branch(*, branch: Branch, data: BranchInput, actor_id: int) -> Branch:
    """Name, address, phone and opening hours; the slug and time zone stay."""
    errors, phone = _check(data, creating=False)
    if errors:
        raise Invalid("branch not accepted", fields=errors)
    branch.name, branch.address = data.name.strip(), data.address.strip()
    branch.phone, branch.opening_hours = phone, data.opening_hours.strip() or None
    audit(actor_id=actor_id, action="branch.update", object_type="branch", object_id=branch.id,
          branch_id=branch.id, summary=branch.slug)
    return branch


@command()
def add_closure(*, branch: Branch, starts_on: date | None, ends_on: date | None, reason: str,
                actor_id: int, today: date) -> Closure:
    """The branch is closed on these dates: no appointments are offered then.

    Bookings already made on those days are not touched here; the day schedule shows them.
    """
    errors = {}
    ends_on = ends_on or starts_on
    if starts_on is None:
        errors["starts_on"] = "date_required"
    elif starts_on < today:
        errors["starts_on"] = "date_past"
    elif ends_on < starts_on:
        errors["ends_on"] = "date_order"
    if len(reason.strip()) > 120:
        errors["reason"] = "reason_too_long"
    if errors:
        raise Invalid("closure not accepted", fields=errors)
    closure = Closure(branch_id=branch.id, starts_on=starts_on, ends_on=ends_on, reason=reason.strip())
    db.session.add(closure)
    db.session.flush()
    audit(actor_id=actor_id, action="closure.create", object_type="closure", object_id=closure.id,
          branch_id=branch.id, summary=f"{starts_on.isoformat()}..{ends_on.isoformat()}")
    return closure


@command()
def delete_closure(*, closure: Closure, actor_id: int) -> None:
    audit(actor_id=actor_id, action="closure.delete", object_type="closure", object_id=closure.id,
          branch_id=closure.branch_id, summary=f"{closure.starts_on.isoformat()}..{closure.ends_on.isoformat()}")
    db.session.delete(closure)
