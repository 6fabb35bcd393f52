"""Sign in and out, remember me, password reset and invitation links, through the pages."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bookings.extensions import db
from bookings.models import AccountToken, OutboxMessage
from bookings.services.passwords import hash_password
from bookings.services.timezones import utcnow
from tests.conftest import csrf_token
from tests.factories import create_volunteer

PASSWORD = "correct horse battery"


@pytest.fixture
def sanne(app):
    return create_volunteer(email="sanne@example.org", first_name="Sanne", password_hash=hash_password(PASSWORD))


def sign_in(client, email, password, **extra):
    data = dict(csrf_token=csrf_token(client, "/auth/sign-in"), email=email, password=password, **extra)
    return client.post("/auth/sign-in", data=data)


def main(response) -> str:
    return response.get_data(as_text=True).split("<main")[1].split("</main>")[0]


def test_sign_in_and_out(client, sanne):
    assert client.get("/volunteer/").status_code == 302
    response = sign_in(client, "Sanne@example.org", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/volunteer/"
    page = client.get("/volunteer/")
    assert page.status_code == 200 and 'action="/auth/sign-out"' in page.get_data(as_text=True)
    token = csrf_token(client, "/volunteer/")
    assert client.post("/auth/sign-out").status_code == 400  # no CSRF token: nothing happens
    assert client.get("/volunteer/").status_code == 200
    assert client.post("/auth/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/volunteer/").status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_answer(client, sanne):
    wrong = sign_in(client, "sanne@example.org", "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    clean = lambda response: re.sub(r'value="[^"]*"', "", main(response))  # noqa: E731
    assert clean(wrong) == clean(unknown)
    assert 'class="error-summary"' in main(wrong)
    assert client.get("/volunteer/").status_code == 302


def test_remember_me_sets_a_lasting_cookie_only_when_asked(app, sanne):
    plain, remembered = app.test_client(), app.test_client()
    sign_in(plain, "sanne@example.org", PASSWORD)
    sign_in(remembered, "sanne@example.org", PASSWORD, remember="y")
    assert plain.get_cookie("remember_token") is None
    assert remembered.get_cookie("remember_token") is not None
    # The remember cookie alone signs in again (a new browser session).
    cookie = remembered.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/volunteer/").status_code == 200


def test_next_only_goes_to_this_site(client, sanne):
    data = dict(csrf_token=csrf_token(client, "/auth/sign-in"), email="sanne@example.org", password=PASSWORD)
    response = client.post("/auth/sign-in?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/volunteer/"
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/volunteer/")})
    data["csrf_token"] = csrf_token(client, "/auth/sign-in")
    assert client.post("/auth/sign-in?next=/volunteer/profile", data=data).headers["Location"] == "/volunteer/profile"


def test_anonymous_portal_visit_goes_to_sign_in_and_back(client, sanne):
    response = client.get("/volunteer/availability")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in?next=")


def reset_link(client, email) -> tuple:
    before = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    response = client.post("/auth/forgot-password", data={
        "csrf_token": csrf_token(client, "/auth/forgot-password"), "email": email})
    after = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))[before:]
    return response, after


def test_reset_answers_the_same_and_mails_only_a_known_address(client, sanne):
    known, known_mail = reset_link(client, "sanne@example.org")
    unknown, unknown_mail = reset_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/auth/forgot-password/sent"
    assert len(known_mail) == 1 and unknown_mail == []


def link_in(message: OutboxMessage) -> str:
    raw = message.raw.replace(b"=\r\n", b"").replace(b"=3D", b"=").decode()
    return re.search(r"http://bibliotheek\.test(/auth/password/[A-Za-z0-9_-]+)", raw).group(1)


def test_reset_link_works_once_and_old_sessions_end(app, client, sanne):
    other_browser = app.test_client()
    sign_in(other_browser, "sanne@example.org", PASSWORD)
    _response, (message,) = reset_link(client, "sanne@example.org")
    path = link_in(message)
    short = client.post(path, data={"csrf_token": csrf_token(client, path), "password": "short",
                                    "password_again": "short"})
    assert short.status_code == 200 and 'class="error-summary"' in main(short)
    done = client.post(path, data={"csrf_token": csrf_token(client, path), "password": "a brand new password",
                                   "password_again": "a brand new password"})
    assert done.status_code == 302 and done.headers["Location"] == "/volunteer/"
    assert client.get("/volunteer/").status_code == 200  # signed in by the link
    assert client.get(path).status_code == 404  # used once
    assert other_browser.get("/volunteer/").status_code == 302  # the old password's session ended
    client.post("/auth/sign-out", data={"csrf_token": csrf_token(client, "/volunteer/")})
    assert sign_in(client, "sanne@example.org", "a brand new password").status_code == 302


def test_expired_reset_link_does_not_work(client, sanne):
    _response, (message,) = reset_link(client, "sanne@example.org")
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link_in(message)).status_code == 404


def test_create_user_prints_an_invitation_link_that_works_once(app, client, runner):
    result = runner.invoke(args=["create-user", "nina@example.org", "--role", "coordinator", "--name", "Nina"])
    assert result.exit_code == 0, result.output
    path = re.search(r"http://bibliotheek\.test(/auth/password/\S+)", result.output).group(1)
    page = client.get(path)
    assert page.status_code == 200 and "Nina" in page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, path), "password": "my first password", "password_again": "my first password"}
    assert client.post(path, data=data).status_code == 302
    assert client.get(path).status_code == 404
    again = runner.invoke(args=["create-user", "nina@example.org", "--role", "volunteer"])
    assert again.exit_code == 0 and "already has a login" in again.output
    assert runner.invoke(args=["create-user", "not-an-address", "--role", "volunteer"]).exit_code != 0
