"""A resident books an appointment through the pages, without JavaScript or an account."""
import re
from datetime import time

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Booking, BookingChange, BookingStatus
from bookings.services import availability
from bookings.services.tokens import REFERENCE_ALPHABET
from tests.conftest import csrf_token
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer


@pytest.fixture
def setting(app):
    branch = create_branch(slug="amstelveen", name="Bibliotheek Amstelveen",
                           address="Stadsplein 1, 1181 ZM Amstelveen")
    service = create_service(slug="loopbaancoach", name_nl="Gesprek met een loopbaancoach",
                             name_en="Talk with a career coach", duration_minutes=45)
    volunteer = create_volunteer(first_name="Sanne")
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service],
                           start=time(13), end=time(17))
    return branch, service, volunteer


def first_slot(service, branch):
    from bookings.services.timezones import local_date, utcnow

    today = local_date(utcnow(), branch.timezone)
    from datetime import timedelta
    slots = availability.list_slots(service, branch=branch, first_day=today + timedelta(days=2),
                                    last_day=today + timedelta(days=9))
    return slots[0]


def booking_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def fill_details(client, slot_id, **fields):
    url = f"/book/details?slot={slot_id}"
    data = {"csrf_token": csrf_token(client, url), "first_name": "Amira",
            "email": "amira@example.org", "phone": "", "topic": "cv"}
    data.update(fields)
    return client.post(url, data=data)


def test_whole_flow_from_home_page_to_confirmation(client, setting):
    branch, service, _volunteer = setting
    home = client.get("/").get_data(as_text=True)
    assert 'lang="nl"' in home
    assert "Gesprek met een loopbaancoach" in home
    assert "/book/loopbaancoach" in home

    branches = client.get("/book/loopbaancoach").get_data(as_text=True)
    assert "Bibliotheek Amstelveen" in branches and "/book/loopbaancoach/amstelveen" in branches

    days = client.get("/book/loopbaancoach/amstelveen").get_data(as_text=True)
    day_links = re.findall(r'href="(/book/loopbaancoach/amstelveen/\d{4}-\d{2}-\d{2})"', days)
    assert len(day_links) >= 5, "free days of the next weeks are offered"
    assert "Eerste vrije tijd" in days

    times = client.get(day_links[2]).get_data(as_text=True)
    slot_ids = re.findall(r'href="/book/details\?slot=([^"]+)"', times)
    assert slot_ids and ">13:00<" in times

    response = fill_details(client, slot_ids[0])
    assert response.status_code == 302 and response.location.endswith("/book/check")
    check = client.get("/book/check").get_data(as_text=True)
    assert "Controleer uw antwoorden" in check and "Amira" in check and "amira@example.org" in check
    assert "Een cv maken" in check

    confirm = client.post("/book/check", data={"csrf_token": csrf_token(client, "/book/check")})
    assert confirm.status_code == 302
    page = client.get(confirm.location).get_data(as_text=True)
    booking = db.session.scalar(select(Booking))
    assert booking.status == BookingStatus.CONFIRMED and booking.first_name == "Amira"
    assert booking.changes[0].to_status == BookingStatus.CONFIRMED
    assert "Uw afspraak is gemaakt" in page
    assert f"{booking.reference[:4]}-{booking.reference[4:]}" in page
    assert "Stadsplein 1, 1181 ZM Amstelveen" in page
    assert "13:00" in page  # local time of the branch, not UTC
    assert f"/feeds/bookings/{booking.reference}/" in page
    assert f"http://bibliotheek.test/manage/{booking.reference}/" in page


def test_reference_has_no_look_alike_characters_and_token_is_stored_hashed(client, setting):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    fill_details(client, slot.id)
    confirm = client.post("/book/check", data={"csrf_token": csrf_token(client, "/book/check")})
    booking = db.session.scalar(select(Booking))
    token = confirm.location.rsplit("/", 2)[-2]
    assert set(booking.reference) <= set(REFERENCE_ALPHABET)
    assert not set(booking.reference) & set("0O1IL")
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    stored = [t.token_hash for t in booking.manage_tokens]
    assert len(stored) == 1 and len(stored[0]) == 64 and token not in stored[0]


def test_same_slot_twice_gives_one_booking_and_a_clear_message_with_other_times(app, setting):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        fill_details(client, slot.id)
    tokens = [csrf_token(client, "/book/check") for client in (first, second)]
    assert first.post("/book/check", data={"csrf_token": tokens[0]}).status_code == 302
    refused = second.post("/book/check", data={"csrf_token": tokens[1]}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Iemand anders heeft deze tijd net gekozen" in text
    assert "/book/details?slot=" in text  # other free times of the same day
    assert booking_count() == 1
    assert db.session.scalar(select(func.count()).select_from(BookingChange)) == 1


@pytest.mark.parametrize("fields, field, message", [
    ({"first_name": ""}, "first_name", "Vul uw voornaam in."),
    ({"first_name": "A" * 500}, "first_name", "Uw voornaam mag hoogstens 80 letters hebben."),
    ({"email": "amira@"}, "email", "Vul een e-mailadres in zoals naam@voorbeeld.nl."),
    ({"email": "", "phone": ""}, "email", "Vul uw e-mailadres of uw telefoonnummer in."),
    ({"email": "", "phone": "12"}, "phone", "Vul een telefoonnummer in zoals 06 12345678."),
    ({"topic": "hacking"}, "topic", "Kies een van de onderwerpen."),
])
def test_bad_details_are_explained_in_dutch_next_to_the_field_and_nothing_is_kept(
        client, setting, fields, field, message):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    response = fill_details(client, slot.id, **fields)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Er is een probleem" in text
    # The summary links to the field (for a group of radios: to its first radio, which takes focus).
    assert f'href="#{field}"' in text or f'href="#{field}-0"' in text
    assert f'id="{field}-error"' in text and message in text
    with client.session_transaction() as session:
        assert "booking_flow" not in session
    assert booking_count() == 0


def test_details_are_kept_when_going_back_to_change_them(client, setting):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    fill_details(client, slot.id, first_name="Zoë", email="", phone="06 12345678")
    page = client.get(f"/book/details?slot={slot.id}").get_data(as_text=True)
    assert 'value="Zoë"' in page and 'value="+31612345678"' in page


def test_phone_is_normalised_and_names_in_any_script_are_welcome(client, setting):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    fill_details(client, slot.id, first_name="Łukasz Öztürk-محمد", email="", phone="06-1234 5678")
    client.post("/book/check", data={"csrf_token": csrf_token(client, "/book/check")})
    booking = db.session.scalar(select(Booking))
    assert booking.first_name == "Łukasz Öztürk-محمد" and booking.phone == "+31612345678"
    assert booking.email is None


def test_form_without_csrf_token_is_refused_and_writes_nothing(client, setting):
    branch, service, _ = setting
    slot = first_slot(service, branch)
    response = client.post(f"/book/details?slot={slot.id}",
                           data={"first_name": "Amira", "email": "amira@example.org"})
    assert response.status_code == 400
    assert "Er is niets opgeslagen" in response.get_data(as_text=True)
    fill_details(client, slot.id)
    response = client.post("/book/check", data={})
    assert response.status_code == 400
    assert booking_count() == 0


@pytest.mark.parametrize("slot_id", ["", "nonsense", "a1-1-1-209912311900", "a9-9-9-202601010900",
                                     "e999", "e1-99999", "a1-1-1-202613451900", "<script>"])
def test_unknown_or_malformed_slot_goes_back_to_the_start_with_a_message(client, setting, slot_id):
    response = client.get(f"/book/details?slot={slot_id}", follow_redirects=True)
    assert response.status_code == 200
    assert "Wij konden deze tijd niet vinden" in response.get_data(as_text=True)
    assert booking_count() == 0


def test_a_slot_in_the_past_cannot_be_booked(client, setting):
    branch, service, volunteer = setting
    past_id = f"a{service.id}-{branch.id}-{volunteer.id}-202001061200"
    response = client.get(f"/book/details?slot={past_id}", follow_redirects=True)
    assert "Wij konden deze tijd niet vinden" in response.get_data(as_text=True)
    assert booking_count() == 0


def test_english_is_one_click_away_and_stays(client, setting):
    response = client.get("/language/en?next=/book/loopbaancoach", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert 'lang="en"' in text and "Which library do you want to go to?" in text
    assert "Talk with a career coach" in text
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_to_another_site(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.status_code == 302 and response.location == "/"


def test_unknown_pages_are_friendly(client, setting):
    for url in ["/book/nothing", "/book/loopbaancoach/nowhere", "/book/loopbaancoach/amstelveen/2026-13-45",
                "/manage/ABCD2345/wrong-token"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "<h1>" in response.get_data(as_text=True)


def test_a_partner_link_records_the_referral_on_the_booking(client, setting):
    from bookings.models import Referral

    db.session.add(Referral(code="WERKPLEIN", partner_name="WerkpleinAA"))
    db.session.commit()
    branch, service, _ = setting
    client.get("/?ref=werkplein")
    slot = first_slot(service, branch)
    fill_details(client, slot.id)
    client.post("/book/check", data={"csrf_token": csrf_token(client, "/book/check")})
    booking = db.session.scalar(select(Booking))
    assert booking.referral is not None and booking.referral.code == "WERKPLEIN"
