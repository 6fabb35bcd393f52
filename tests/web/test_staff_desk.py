"""Booking at the desk: no e-mail needed, the same reference and manage link, a printable slip."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Actor, AuditEntry, Booking, BookingStatus, OutboxMessage
from tests.conftest import csrf_token
from tests.staff_support import make_world, sign_in_as


@pytest.fixture
def world(app):
    return make_world()


def first_time_link(client, service="coach", branch="amstel") -> str:
    day_page = client.get(f"/staff/desk/{service}/{branch}").get_data(as_text=True)
    day_link = re.search(rf'href="(/staff/desk/{service}/{branch}/[0-9-]+)"', day_page).group(1)
    time_page = client.get(day_link).get_data(as_text=True)
    return re.search(r'href="(/staff/desk/details\?slot=[^"]+)"', time_page).group(1).replace("&amp;", "&")


def book_at_desk(client, **details) -> tuple[Booking, str]:
    details_url = first_time_link(client)
    token = csrf_token(client, details_url)
    response = client.post(details_url, data={"csrf_token": token, **details})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/desk/check"), \
        response.get_data(as_text=True)
    check = client.post("/staff/desk/check", data={"csrf_token": csrf_token(client, "/staff/desk/check")})
    assert check.status_code == 302
    booking = db.session.scalar(select(Booking).order_by(Booking.id.desc()))
    assert check.headers["Location"] == f"/staff/bookings/{booking.id}/slip"
    slip = client.get(check.headers["Location"]).get_data(as_text=True)
    return booking, slip


def test_first_name_only_gets_a_reference_and_a_working_manage_link(client, world):
    sign_in_as(client, world["cora"])
    booking, slip = book_at_desk(client, first_name="Fatma")
    assert booking.status == BookingStatus.CONFIRMED and booking.email is None and booking.phone is None
    assert booking.changes[0].actor == Actor.STAFF and booking.changes[0].actor_id == world["cora"].id
    assert re.fullmatch(r"[A-Z2-9]{8}", booking.reference)
    assert f"{booking.reference[:4]}-{booking.reference[4:]}" in slip
    link = re.search(r'id="manage-link">([^<]+)<', slip).group(1)
    assert link.startswith(f"http://bibliotheek.test/manage/{booking.reference}/")
    assert "+31 20 123 4567" in slip or "020 123 4567" in slip  # the library's own phone number
    # The resident (any browser, no login) opens the link from the slip.
    manage = client.application.test_client().get(link.removeprefix("http://bibliotheek.test"))
    assert manage.status_code == 200 and booking.reference[:4] in manage.get_data(as_text=True)
    # Reloading the slip shows the same link; no e-mail is queued for a resident without one.
    assert link in client.get(f"/staff/bookings/{booking.id}/slip").get_data(as_text=True)
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient != "sanne@example.org")).all()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "booking.desk")).summary == booking.reference


def test_phone_and_typed_referral_code_are_recorded(client, world):
    sign_in_as(client, world["cora"])
    booking, _slip = book_at_desk(client, first_name="Joost", phone="06 12345678", referral="werkplein",
                                  topic="cv")
    assert booking.phone == "+31612345678" and booking.topic == "cv"
    assert booking.referral_id == world["referral"].id and booking.resident_hash


def test_errors_are_shown_and_nothing_is_booked(client, world):
    sign_in_as(client, world["cora"])
    details_url = first_time_link(client)
    token = csrf_token(client, details_url)
    page = client.post(details_url, data={"csrf_token": token, "first_name": " ", "phone": "123",
                                          "referral": "NOPE"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="error-summary"' in text
    assert "Fill in a name." in text and "Fill in a phone number like 06 12345678." in text
    assert "We do not know this referral code." in text
    assert db.session.scalar(select(Booking.id)) is None
    assert client.post(details_url, data={"first_name": "X"}).status_code == 400  # CSRF


def test_a_new_slip_makes_a_new_link_and_the_old_one_keeps_working(app, client, world):
    sign_in_as(client, world["cora"])
    booking, slip = book_at_desk(client, first_name="Fatma")
    first = re.search(r'id="manage-link">([^<]+)<', slip).group(1)
    other = sign_in_as(app.test_client(), world["cora"])  # another desk: no link in its session
    page = other.get(f"/staff/bookings/{booking.id}/slip").get_data(as_text=True)
    assert 'id="manage-link"' not in page
    other.post(f"/staff/bookings/{booking.id}/slip",
               data={"csrf_token": csrf_token(other, f"/staff/bookings/{booking.id}/slip")})
    second = re.search(r'id="manage-link">([^<]+)<', other.get(f"/staff/bookings/{booking.id}/slip")
                       .get_data(as_text=True)).group(1)
    assert second != first
    for link in (first, second):
        assert app.test_client().get(link.removeprefix("http://bibliotheek.test")).status_code == 200


def test_slip_has_a_print_stylesheet_and_no_inline_styles_or_scripts(client, world):
    sign_in_as(client, world["cora"])
    _booking, slip = book_at_desk(client, first_name="Fatma")
    assert " style=" not in slip
    assert not re.search(r"<script(?![^>]*\bsrc=)", slip)  # only scripts from this site, never inline
    css = (Path(client.application.static_folder) / "css" / "site.css").read_text()
    assert "@media print" in css and ".slip" in css
