"""Partners' referral codes and the secret link to their page of counts."""
import re

from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Referral
from bookings.services.errors import Invalid
from bookings.services.staff_scope import audit
from bookings.services.tokens import hash_token, new_token
from bookings.services.transactions import command

# The same characters public.views.remember_referral accepts in ?ref=
CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")


@command()
def create_referral(*, code: str, partner_name: str, actor_id: int) -> Referral:
    code = (code or "").strip().upper()
    errors = {}
    if not CODE.match(code) or len(code) > 32:
        errors["code"] = "code_invalid"
    elif db.session.scalar(select(Referral.id).where(Referral.code == code)):
        errors["code"] = "code_taken"
    if not (partner_name or "").strip() or len(partner_name.strip()) > 120:
        errors["partner_name"] = "partner_required"
    if errors:
        raise Invalid("referral not accepted", fields=errors)
    referral = Referral(code=code, partner_name=partner_name.strip(), active=True)
    db.session.add(referral)
    db.session.flush()
    audit(actor_id=actor_id, action="referral.create", object_type="referral", object_id=referral.id,
          summary=code)
    return referral


@command()
def new_partner_link(*, referral: Referral, actor_id: int) -> str:
    """A new secret for the partner's page; the old link stops working. Shown once."""
    token = new_token()
    referral.partner_token_hash = hash_token(token)
    audit(actor_id=actor_id, action="referral.link", object_type="referral", object_id=referral.id,
          summary=referral.code)
    return token


@command()
def set_referral_active(*, referral: Referral, active: bool, actor_id: int) -> None:
    referral.active = active
    audit(actor_id=actor_id, action="referral.activate" if active else "referral.deactivate",
          object_type="referral", object_id=referral.id, summary=referral.code)


def find_by_partner_token(token: str | None) -> Referral | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Referral).where(Referral.partner_token_hash == hash_token(token)))
