"""Logins: sign in without telling who exists, single-use expiring links, invitations, profile."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import AccountToken, OutboxKind, OutboxMessage, Role, TokenPurpose
from bookings.services import accounts
from bookings.services.accounts import (
    ProfileInput,
    authenticate,
    create_login,
    find_account_token,
    request_password_reset,
    set_password_with_token,
    update_profile,
)
from bookings.services.errors import Invalid
from bookings.services.passwords import hash_password
from bookings.services.timezones import utcnow
from tests.factories import create_volunteer

PASSWORD = "correct horse battery"
LINK = re.compile(rb"/auth/password/([A-Za-z0-9_=-]+)")


@pytest.fixture
def sanne(app):
    return create_volunteer(email="sanne@example.org", first_name="Sanne", password_hash=hash_password(PASSWORD))


def reset_token_from_outbox() -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    raw = message.raw.replace(b"=\r\n", b"").replace(b"=3D", b"=")  # undo quoted-printable soft breaks
    return LINK.search(raw).group(1).decode()


def test_authenticate_needs_the_right_password_and_an_active_login(sanne):
    assert authenticate(email=" SANNE@example.org ", password=PASSWORD) == sanne
    assert authenticate(email="sanne@example.org", password="wrong password") is None
    assert authenticate(email="nobody@example.org", password=PASSWORD) is None
    sanne.active = False
    db.session.commit()
    assert authenticate(email="sanne@example.org", password=PASSWORD) is None


def test_unknown_address_costs_an_argon2_verification_too(sanne, monkeypatch):
    calls = []
    real = accounts.password_matches
    monkeypatch.setattr(accounts, "password_matches", lambda *args: calls.append(args) or real(*args))
    authenticate(email="nobody@example.org", password=PASSWORD)
    assert len(calls) == 1 and calls[0][1].startswith("$argon2")


def test_reset_link_is_mailed_works_once_and_signs_out_old_links(sanne):
    request_password_reset(email="sanne@example.org")
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind == OutboxKind.PASSWORD_RESET and message.recipient == "sanne@example.org"
    token = reset_token_from_outbox()
    row = db.session.scalar(select(AccountToken))
    assert row.token_hash != token and len(token) >= 22  # stored hashed; 128+ random bits
    assert row.expires_at - row.created_at == timedelta(hours=1)
    set_password_with_token(token=token, password="a brand new password")
    assert authenticate(email="sanne@example.org", password="a brand new password") == sanne
    with pytest.raises(Invalid) as refused:
        set_password_with_token(token=token, password="another new password")
    assert refused.value.fields == {"token": "link_not_valid"}


def test_unknown_address_gets_no_mail_and_no_error(app):
    request_password_reset(email="nobody@example.org")
    assert db.session.scalar(select(OutboxMessage)) is None


def test_reset_link_expires_after_an_hour(sanne):
    long_ago = utcnow() - timedelta(hours=1, minutes=1)
    request_password_reset(email="sanne@example.org", now=long_ago)
    token = reset_token_from_outbox()
    assert find_account_token(token, now=long_ago + timedelta(minutes=59)) is not None
    assert find_account_token(token) is None
    with pytest.raises(Invalid):
        set_password_with_token(token=token, password="a brand new password")


def test_short_password_is_refused_and_the_link_stays_usable(sanne):
    request_password_reset(email="sanne@example.org")
    token = reset_token_from_outbox()
    with pytest.raises(Invalid) as refused:
        set_password_with_token(token=token, password="short")
    assert refused.value.fields == {"password": "password_too_short"}
    assert find_account_token(token) is not None


def test_create_login_invites_for_a_week_and_again_for_an_existing_login(app):
    first = create_login(email="New@Example.org", role=Role.COORDINATOR, first_name="Nina")
    assert first.created and first.volunteer.role == Role.COORDINATOR and first.volunteer.password_hash is None
    token = first.link.rsplit("/", 1)[1]
    assert first.link.startswith("http://bibliotheek.test/auth/password/")
    row = find_account_token(token)
    assert row.purpose == TokenPurpose.INVITE and row.expires_at - row.created_at == timedelta(days=7)
    assert find_account_token(token, now=utcnow() + timedelta(days=8)) is None
    again = create_login(email="new@example.org", role=Role.VOLUNTEER)
    assert not again.created and again.volunteer.id == first.volunteer.id and again.link != first.link
    assert again.volunteer.role == Role.COORDINATOR  # an existing login keeps its role


def test_profile_update_checks_every_field(sanne):
    other = create_volunteer(email="els@example.org")
    with pytest.raises(Invalid) as refused:
        update_profile(volunteer=sanne, data=ProfileInput(first_name="", last_name="x" * 81, email=other.email,
                                                          phone="12", languages=["xx"]))
    assert refused.value.fields == {"first_name": "name_required", "last_name": "last_name_too_long",
                                    "email": "email_taken", "phone": "phone_invalid",
                                    "languages": "languages_required"}
    update_profile(volunteer=sanne, data=ProfileInput(first_name="Sanne", last_name="de Vries",
                                                      email="sanne.devries@example.org", phone="06 12345678",
                                                      languages=["ar", "nl"]))
    assert (sanne.email, sanne.phone, sanne.languages) == ("sanne.devries@example.org", "+31612345678", "nl, ar")
