"""The booking pages for anonymous visitors come from the read cache, and only what may be shared."""
from datetime import time, timedelta

import pytest
from flask import render_template_string

from bookings.page_cache import cached_page
from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer
from tests.services.test_read_cache import counted_statements
from tests.staff_support import sign_in_as


@pytest.fixture
def setting(app):
    branch = create_branch(slug="aalsmeer")
    service = create_service(slug="taalvrijwilliger", duration_minutes=60)
    volunteer = create_volunteer(first_name="Henk")
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(10), end=time(12))
    return branch, service, volunteer


def day_url() -> str:
    day = local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=2)
    return f"/book/taalvrijwilliger/aalsmeer/{day.isoformat()}"


@pytest.mark.parametrize("url", ["/", "/book/taalvrijwilliger", "/book/taalvrijwilliger/aalsmeer", "day"])
def test_a_repeat_visit_costs_one_query(app, setting, url):
    url = day_url() if url == "day" else url
    first = app.test_client().get(url)
    assert first.status_code == 200
    with counted_statements() as statements:
        second = app.test_client().get(url)
    assert second.get_data() == first.get_data()
    assert len(statements) == 1


def test_languages_are_kept_apart(app, setting):
    dutch = app.test_client().get(day_url()).get_data(as_text=True)
    english = app.test_client().get(day_url(), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="nl"' in dutch and 'lang="en"' in english
    assert app.test_client().get(day_url()).get_data(as_text=True) == dutch


def test_a_flashed_message_is_shown_once_and_never_to_someone_else(app, setting):
    app.test_client().get(day_url())  # the plain page is cached
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("error", "Deze tijd is net door iemand anders gekozen.")]
    assert "net door iemand anders" in visitor.get(day_url()).get_data(as_text=True)
    assert "net door iemand anders" not in visitor.get(day_url()).get_data(as_text=True)
    assert "net door iemand anders" not in app.test_client().get(day_url()).get_data(as_text=True)


def test_someone_signed_in_gets_their_own_page(app, setting):
    anonymous = app.test_client().get(day_url()).get_data(as_text=True)
    assert "Sign out" not in anonymous and "Afmelden" not in anonymous
    signed_in = sign_in_as(app.test_client(), setting[2]).get(day_url()).get_data(as_text=True)
    assert "Sign out" in signed_in
    assert app.test_client().get(day_url()).get_data(as_text=True) == anonymous


def test_a_page_with_a_csrf_token_is_never_kept(app):
    # Registered before the app's first request, as a view with a form would be.
    app.add_url_rule("/form-for-test", "form_for_test",
                     cached_page(lambda: render_template_string("<input value='{{ csrf_token() }}'>")))
    first = app.test_client().get("/form-for-test").get_data()
    second = app.test_client().get("/form-for-test").get_data()
    assert first != second  # each visitor has their own token


def test_a_booking_takes_its_time_off_the_cached_page(app, setting):
    client = app.test_client()
    before = client.get(day_url()).get_data(as_text=True)
    assert "10:00" in before and "11:00" in before
    slot_id = client.get("/api/v1/slots", query_string={"service": "taalvrijwilliger", "branch": "aalsmeer",
                                                        "from": day_url()[-10:], "to": day_url()[-10:]}).json[0]["id"]
    booked = client.post("/api/v1/bookings", json={"slot": slot_id, "name": "Amira", "email": "amira@example.org"})
    assert booked.status_code == 201
    after = app.test_client().get(day_url()).get_data(as_text=True)
    assert "10:00" not in after and "11:00" in after
