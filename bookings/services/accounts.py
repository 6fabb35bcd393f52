"""Logins: sign in, single-use links to choose a password (reset, invitation), the profile.

Nothing here tells an outsider whether an address has a login: an unknown address costs the same
argon2 work as a known one, and a reset request has the same answer either way.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from bookings.email_message import build_message
from bookings.extensions import db
from bookings.models import AccountToken, OutboxKind, Role, TokenPurpose, Volunteer
from bookings.services.calendar import link_context
from bookings.services.errors import Invalid
from bookings.services.outbox import queue_message
from bookings.services.passwords import hash_password, password_matches
from bookings.services.residents import normalise_email, normalise_phone
from bookings.services.timezones import utcnow
from bookings.services.tokens import hash_token, new_token
from bookings.services.transactions import command
from bookings.urls import absolute_url

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # argon2 takes any length; this only bounds the work per request
LIFETIMES = {TokenPurpose.RESET: timedelta(hours=1), TokenPurpose.INVITE: timedelta(days=7)}
LANGUAGE_CODES = ("nl", "en", "ar", "tr", "pl", "uk", "fr", "de", "es", "so", "ti", "fa")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not a password of anyone")


def find_login(email: str) -> Volunteer | None:
    email = (email or "").strip().lower()
    if not email or len(email) > 254:
        return None
    return db.session.scalar(select(Volunteer).where(func.lower(Volunteer.email) == email))


def authenticate(*, email: str, password: str) -> Volunteer | None:
    """The person with this e-mail address and password, if they may sign in."""
    volunteer = find_login(email)
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    if volunteer is None or not volunteer.password_hash:
        password_matches(password, _dummy_hash())  # the same work as for a known address
        return None
    if not password_matches(password, volunteer.password_hash) or not volunteer.active:
        return None
    return volunteer


def password_problem(password: str | None) -> str | None:
    """A code for what is wrong with a new password, or None."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "password_too_long"
    return None


# --- single-use links -------------------------------------------------------------------------


def issue_account_token(volunteer: Volunteer, purpose: TokenPurpose, *, now: datetime | None = None) -> str:
    """A new secret link (192 random bits, stored hashed). Flushes, never commits."""
    now = now or utcnow()
    token = new_token()
    db.session.add(AccountToken(volunteer_id=volunteer.id, purpose=purpose, token_hash=hash_token(token),
                                created_at=now, expires_at=now + LIFETIMES[purpose]))
    db.session.flush()
    return token


def password_link(token: str) -> str:
    with link_context():
        return absolute_url("auth.set_password", token=token)


def find_account_token(token: str | None, *, now: datetime | None = None) -> AccountToken | None:
    """The unused, unexpired token behind a link; None for anything else (one answer for all)."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.volunteer.active:
        return None
    return row


@command()
def request_password_reset(*, email: str, now: datetime | None = None) -> None:
    """E-mail a reset link if the address has an active login; say nothing either way."""
    volunteer = find_login(email)
    if volunteer is None or not volunteer.active:
        return
    token = issue_account_token(volunteer, TokenPurpose.RESET, now=now)
    config = current_app.config
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):  # volunteers read Dutch
        text = "\n\n".join([
            _("Hello %(name)s,", name=volunteer.first_name),
            _("You asked for a new password. Open this link to choose one:"),
            password_link(token),
            _("The link works once, for 1 hour."),
            _("Did you not ask for this? Then you can ignore this e-mail. Your password stays the same."),
        ])
        message = build_message(sender=config["MAIL_FROM"], sender_name=config["MAIL_FROM_NAME"],
                                to=volunteer.email, subject=_("Choose a new password"), text=text)
    queue_message(message, kind=OutboxKind.PASSWORD_RESET)


@command()
def set_password_with_token(*, token: str, password: str, now: datetime | None = None) -> Volunteer:
    """Use a link once: set the password; every other open link of this person stops working."""
    now = now or utcnow()
    row = find_account_token(token, now=now)
    if row is None:
        raise Invalid("link not valid", fields={"token": "link_not_valid"})
    problem = password_problem(password)
    if problem:
        raise Invalid("password not accepted", fields={"password": problem})
    # A conditional UPDATE: of two requests with the same link, only one sets a password.
    used = db.session.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                              .values(used_at=now))
    if used.rowcount != 1:
        raise Invalid("link already used", fields={"token": "link_not_valid"})
    db.session.execute(update(AccountToken).where(AccountToken.volunteer_id == row.volunteer_id,
                                                  AccountToken.used_at.is_(None)).values(used_at=now))
    volunteer = row.volunteer
    volunteer.password_hash = hash_password(password)
    return volunteer


@dataclass(frozen=True)
class NewLogin:
    volunteer: Volunteer
    link: str
    created: bool


@command()
def create_login(*, email: str, role: Role, first_name: str | None = None,
                 now: datetime | None = None) -> NewLogin:
    """Create a login (or find it) and issue a one-week link to choose a password."""
    try:
        email = normalise_email(email)
    except ValueError:
        raise Invalid("not an e-mail address", fields={"email": "email_invalid"}) from None
    volunteer = find_login(email)
    created = volunteer is None
    if created:
        volunteer = Volunteer(email=email, first_name=(first_name or email.split("@")[0])[:80],
                              role=Role(role), active=True)
        db.session.add(volunteer)
        db.session.flush()
    token = issue_account_token(volunteer, TokenPurpose.INVITE, now=now)
    return NewLogin(volunteer=volunteer, link=password_link(token), created=created)


# --- profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    first_name: str
    last_name: str
    email: str
    phone: str
    languages: list[str]


@command()
def update_profile(*, volunteer: Volunteer, data: ProfileInput) -> Volunteer:
    """Name, contact details and languages; problems are field codes (Invalid)."""
    errors: dict[str, str] = {}
    first_name, last_name = data.first_name.strip(), data.last_name.strip()
    if not first_name:
        errors["first_name"] = "name_required"
    elif len(first_name) > 80:
        errors["first_name"] = "name_too_long"
    if len(last_name) > 80:
        errors["last_name"] = "last_name_too_long"
    email = phone = None
    try:
        email = normalise_email(data.email.strip())
    except ValueError:
        errors["email"] = "email_invalid"
    if email and email.lower() != volunteer.email.lower() and find_login(email) is not None:
        errors["email"] = "email_taken"
    if data.phone.strip():
        try:
            phone = normalise_phone(data.phone.strip())
        except ValueError:
            errors["phone"] = "phone_invalid"
    languages = [code for code in LANGUAGE_CODES if code in data.languages]
    if not languages:
        errors["languages"] = "languages_required"
    if errors:
        raise Invalid("profile not accepted", fields=errors)
    volunteer.first_name, volunteer.last_name = first_name, last_name
    volunteer.email, volunteer.phone = email, phone
    volunteer.languages = ", ".join(languages)
    return volunteer


def spoken_languages(volunteer: Volunteer) -> list[str]:
    return [code.strip() for code in (volunteer.languages or "").split(",") if code.strip()]
