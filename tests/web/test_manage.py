"""The manage link: see, move and cancel without calling anyone; find a booking again."""
import re
from datetime import time, timedelta

import pytest

from bookings.extensions import db
from bookings.models import Booking, BookingStatus
from bookings.services import availability
from bookings.services.booking import ResidentDetails, book_slot
from bookings.services.timezones import local_date, utcnow
from tests.conftest import csrf_token
from tests.factories import create_branch, create_event, create_every_day_rules, create_service, create_volunteer, soon


@pytest.fixture
def setting(app):
    branch = create_branch()
    service = create_service(duration_minutes=60)
    sanne, henk = create_volunteer(first_name="Sanne"), create_volunteer(first_name="Henk")
    for volunteer in (sanne, henk):
        create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(9), end=time(12))
    return branch, service, sanne


@pytest.fixture
def booked(setting):
    branch, service, sanne = setting
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slot = next(s for s in availability.list_slots(service, branch=branch, first_day=day, last_day=day)
                if s.volunteer.id == sanne.id)
    result = book_slot(slot_id=slot.id, details=ResidentDetails(first_name="Amira", email="amira@example.org",
                                                                phone="+31612345678"))
    return result.booking, result.token


def manage_url(booking, token, tail=""):
    return f"/manage/{booking.reference}/{token}{tail}"


def test_manage_page_shows_the_booking_and_what_can_be_done(client, booked):
    booking, token = booked
    page = client.get(manage_url(booking, token)).get_data(as_text=True)
    assert "Uw afspraak" in page and "Amira" in page
    assert manage_url(booking, token, "/move") in page and manage_url(booking, token, "/cancel") in page


def test_wrong_link_and_unknown_reference_get_the_same_friendly_page(client, booked):
    booking, token = booked
    wrong_token = client.get(manage_url(booking, "x" * 32))
    unknown = client.get(f"/manage/ZZZZ2222/{token}")
    assert wrong_token.status_code == unknown.status_code == 404
    main = lambda response: response.get_data(as_text=True).split('<main')[1].split("</main>")[0]  # noqa: E731
    assert main(wrong_token) == main(unknown)
    assert "Deze link werkt niet" in unknown.get_data(as_text=True)


def test_cancel_asks_first_then_cancels_and_twice_is_harmless(client, booked):
    booking, token = booked
    confirm = client.get(manage_url(booking, token, "/cancel")).get_data(as_text=True)
    assert "Wilt u deze afspraak afzeggen?" in confirm
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    url = manage_url(booking, token, "/cancel")
    token_value = csrf_token(client, url)
    done = client.post(url, data={"csrf_token": token_value}, follow_redirects=True).get_data(as_text=True)
    assert "Uw afspraak is afgezegd." in done
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    again = client.post(url, data={"csrf_token": token_value}, follow_redirects=True).get_data(as_text=True)
    assert "Deze afspraak was al afgezegd." in again


def test_move_offers_the_same_volunteer_first_and_moves(client, booked):
    booking, token = booked
    page = client.get(manage_url(booking, token, "/move")).get_data(as_text=True)
    assert "Weer bij Sanne" in page
    links = re.findall(r'href="(/manage/[^"]+/move/check\?slot=[^"]+)"', page)
    assert links
    new_slot = links[1].split("slot=")[1]
    check = client.get(links[1]).get_data(as_text=True)
    assert "Controleer de nieuwe tijd" in check
    response = client.post(links[1], data={"csrf_token": csrf_token(client, links[1])}, follow_redirects=True)
    assert "Uw afspraak is verplaatst" in response.get_data(as_text=True)
    moved = db.session.get(Booking, booking.id)
    assert moved.reference == booking.reference and moved.sequence == 1
    assert availability.find_slot(new_slot) is None


def test_moving_to_a_time_just_taken_keeps_the_booking_and_says_so(client, booked):
    booking, token = booked
    page = client.get(manage_url(booking, token, "/move")).get_data(as_text=True)
    link = re.findall(r'href="(/manage/[^"]+/move/check\?slot=[^"]+)"', page)[0]
    form_token = csrf_token(client, link)
    book_slot(slot_id=link.split("slot=")[1], details=ResidentDetails(first_name="Bram", phone="+31612345678"))
    response = client.post(link, data={"csrf_token": form_token}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wij konden deze tijd niet vinden" in text or "Iemand anders heeft deze tijd net gekozen" in text
    kept = db.session.get(Booking, booking.id)
    assert kept.starts_at == booking.starts_at and kept.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("contact", ["amira@example.org", "AMIRA@example.org", "06 12345678", "+31 6 1234 5678"])
def test_find_my_booking_by_reference_and_contact(client, booked, contact):
    booking, _ = booked
    reference = f"{booking.reference[:4].lower()}-{booking.reference[4:]}"
    response = client.post("/find", data={"csrf_token": csrf_token(client, "/find"), "reference": reference,
                                          "contact": contact})
    assert response.status_code == 302 and f"/manage/{booking.reference}/" in response.location
    assert "Uw afspraak" in client.get(response.location).get_data(as_text=True)


def test_find_my_booking_does_not_tell_whether_a_reference_exists(client, booked):
    booking, _ = booked
    token = csrf_token(client, "/find")
    wrong_contact = client.post("/find", data={"csrf_token": token, "reference": booking.reference,
                                               "contact": "someone@example.org"})
    unknown = client.post("/find", data={"csrf_token": token, "reference": "ZZZZ2222",
                                         "contact": "amira@example.org"})
    assert wrong_contact.status_code == unknown.status_code == 200
    message = "Wij konden geen afspraak vinden"
    assert message in wrong_contact.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_waiting_list_position_is_shown_and_leaving_works(client, app):
    branch, service = create_branch(), create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=branch, starts_at=soon(days=6), capacity=1)
    book_slot(slot_id=f"e{event.id}", details=ResidentDetails(first_name="A", email="a@example.org"))
    waiting = book_slot(slot_id=f"e{event.id}", details=ResidentDetails(first_name="B", email="b@example.org"))
    page = client.get(manage_url(waiting.booking, waiting.token)).get_data(as_text=True)
    assert "U staat op de wachtlijst." in page and "U bent nummer 1" in page
    url = manage_url(waiting.booking, waiting.token, "/cancel")
    done = client.post(url, data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "U staat niet meer op de wachtlijst." in done.get_data(as_text=True)
