"""Hostile and random input on every public form and API endpoint: never a 500, never a stack
trace, and nothing written when the input is refused."""
from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Booking, BookingChange, ManageToken, OutboxMessage
from bookings.services import availability
from bookings.services.booking import ResidentDetails, book_slot
from bookings.services.timezones import local_date, utcnow
from tests.conftest import csrf_token
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from([
        "<script>alert(1)</script>", "' OR 1=1 --", "Robert'); DROP TABLE bookings;--", "\x00\x01\x02",
        "\u202eevil", "😀" * 100, "a" * 100_00, "../../etc/passwd", "%00", "{{7*7}}", "${jndi:ldap://x}",
        "\r\nBcc: victim@example.org", "name@example.org\r\nSubject: hi", "+31 6 1234 5678" * 10,
    ]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def slot_and_booking(app):
    branch, service = create_branch(), create_service(duration_minutes=60)
    create_every_day_rules(volunteer=create_volunteer(), branch=branch, services=[service],
                           start=time(9), end=time(17))
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slots = availability.list_slots(service, branch=branch, first_day=day, last_day=day)
    result = book_slot(slot_id=slots[0].id, details=ResidentDetails(first_name="Amira", email="a@example.org"))
    return slots[1].id, result.booking, result.token


def header_safe(text: str) -> str:
    """What an HTTP client can send in a header at all (printable ASCII)."""
    return "".join(ch for ch in text if 32 <= ord(ch) < 127)


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Booking, BookingChange, ManageToken, OutboxMessage))


def assert_safe(response, before):
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    assert "Traceback" not in text and "sqlalchemy" not in text.lower()
    if response.status_code >= 400:
        assert rows() == before, "a refused request wrote something"


@FUZZ
@given(name=HOSTILE, email=HOSTILE, phone=HOSTILE, topic=HOSTILE, notes=HOSTILE)
def test_details_form(client, slot_and_booking, name, email, phone, topic, notes):
    slot_id, _booking, _token = slot_and_booking
    url = f"/book/details?slot={slot_id}"
    before = rows()
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "first_name": name,
                                      "email": email, "phone": phone, "topic": topic, "notes": notes})
    assert_safe(response, before)
    assert rows() == before  # the details page never writes to the database


@FUZZ
@given(reference=HOSTILE, contact=HOSTILE)
def test_find_my_booking_form(client, slot_and_booking, reference, contact):
    before = rows()
    response = client.post("/find", data={"csrf_token": csrf_token(client, "/find"), "reference": reference,
                                          "contact": contact})
    assert_safe(response, before)


@FUZZ
@given(path=st.sampled_from(["/book/details?slot=", "/manage/", "/book/x/", "/feeds/bookings/", "/language/",
                             "/api/v1/bookings/", "/find?ref=", "/?ref="]), junk=HOSTILE)
def test_paths_and_query_strings(client, slot_and_booking, path, junk):
    before = rows()
    response = client.get(path + junk.replace("\x00", ""))
    assert_safe(response, before)


@FUZZ
@given(body=JSON_VALUES)
def test_api_create_booking_with_any_json(client, slot_and_booking, body):
    slot_id, _booking, _token = slot_and_booking
    if isinstance(body, dict) and body.get("slot") is None:
        body["slot"] = slot_id
    before = rows()
    response = client.post("/api/v1/bookings", json=body)
    assert_safe(response, before)
    assert response.is_json


@FUZZ
@given(content_type=st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                     "application/json", "application/json; charset=latin-1", "", "text/xml"]),
       payload=st.binary(max_size=500))
def test_api_with_wrong_content_types_and_bytes(client, slot_and_booking, content_type, payload):
    before = rows()
    response = client.post("/api/v1/bookings", data=payload, content_type=content_type)
    assert_safe(response, before)
    assert response.is_json and response.status_code in (400, 415, 422)


@FUZZ
@given(body=JSON_VALUES, token=HOSTILE)
def test_api_reschedule_and_cancel(client, slot_and_booking, body, token):
    _slot_id, booking, real_token = slot_and_booking
    before = rows()
    for path in ("reschedule", "cancel"):
        response = client.post(f"/api/v1/bookings/{booking.reference}/{path}", json=body,
                               headers={"Authorization": f"Bearer {header_safe(token)}"})
        assert_safe(response, before)
    response = client.post(f"/api/v1/bookings/{booking.reference}/reschedule", json=body,
                           headers={"Authorization": f"Bearer {real_token}"})
    assert_safe(response, before)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["service", "branch", "from", "to", "volunteer"]), HOSTILE))
def test_api_slot_queries(client, slot_and_booking, query):
    response = client.get("/api/v1/slots", query_string=query)
    assert response.status_code < 500 and response.is_json
