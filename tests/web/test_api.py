"""JSON API v1 as published in shared/design/api.md."""
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Booking
from bookings.services.timezones import local_date, utcnow
from tests.factories import (
    create_branch,
    create_event,
    create_every_day_rules,
    create_service,
    create_volunteer,
    soon,
)


@pytest.fixture
def setting(app):
    branch = create_branch(slug="aalsmeer")
    service = create_service(slug="taalvrijwilliger", duration_minutes=60)
    volunteer = create_volunteer(first_name="Henk")
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service],
                           start=time(10), end=time(12))
    return branch, service, volunteer


def slots(client, **query):
    today = local_date(utcnow(), "Europe/Amsterdam")
    params = {"service": "taalvrijwilliger", "from": (today + timedelta(days=2)).isoformat(),
              "to": (today + timedelta(days=8)).isoformat()}
    params.update(query)
    response = client.get("/api/v1/slots", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def book(client, slot_id, **fields):
    body = {"slot": slot_id, "name": "Amira", "email": "amira@example.org"}
    body.update(fields)
    return client.post("/api/v1/bookings", json=body)


def booking_count():
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_branches_and_services(client, setting):
    assert client.get("/api/v1/branches").json == [
        {"slug": "aalsmeer", "name": setting[0].name, "address": setting[0].address,
         "timezone": "Europe/Amsterdam"}]
    assert client.get("/api/v1/services").json == [
        {"slug": "taalvrijwilliger", "name": setting[1].name_nl, "kind": "appointment",
         "duration_minutes": 60}]


def test_slots_carry_local_time_with_offset_and_are_sorted(client, setting):
    found = slots(client, branch="aalsmeer")
    assert len(found) == 2 * 7  # 10:00 and 11:00 on seven days
    assert [s["start"] for s in found] == sorted(s["start"] for s in found)
    first = found[0]
    assert first["start"][11:] in ("10:00:00+01:00", "10:00:00+02:00")
    assert first["volunteer"] == {"id": setting[2].id, "first_name": "Henk"}
    assert first["places_left"] == 1 and first["branch"] == "aalsmeer"


@pytest.mark.parametrize("query, status", [
    ({"from": "2026-02-30"}, 400), ({"to": "yesterday"}, 400),
    ({"from": "2026-12-10", "to": "2026-12-01"}, 400),
    ({"from": "2026-01-01", "to": "2026-12-31"}, 400),
    ({"service": "nothing"}, 404), ({"branch": "nowhere"}, 404), ({"volunteer": "x"}, 400),
    ({"volunteer": "²"}, 400), ({"volunteer": "9" * 5000}, 400),
])
def test_bad_slot_queries_get_json_errors(client, setting, query, status):
    params = {"service": "taalvrijwilliger", "from": "2026-12-01", "to": "2026-12-07"}
    params.update(query)
    response = client.get("/api/v1/slots", query_string=params)
    assert response.status_code == status
    assert response.is_json and set(response.json) >= {"error", "message"}


def test_book_then_read_with_bearer_token(client, setting):
    slot = slots(client)[0]
    response = book(client, slot["id"], topic="cv", language="en")
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "confirmed" and body["start"] == slot["start"] and body["end"] == slot["end"]
    assert body["manage_url"].startswith(f"http://bibliotheek.test/manage/{body['reference']}/")
    assert body["calendar_url"].endswith(".ics")
    read = client.get(f"/api/v1/bookings/{body['reference']}",
                      headers={"Authorization": f"Bearer {body['token']}"})
    assert read.status_code == 200 and read.json["reference"] == body["reference"]
    assert read.json["language"] == "en"
    # The slot is gone from the list.
    assert slot["id"] not in [s["id"] for s in slots(client)]


def test_wrong_reference_or_token_get_the_same_404(client, setting):
    body = book(client, slots(client)[0]["id"]).json
    wrong_token = client.get(f"/api/v1/bookings/{body['reference']}", headers={"Authorization": "Bearer nope"})
    wrong_reference = client.get("/api/v1/bookings/ZZZZ2222", headers={"Authorization": f"Bearer {body['token']}"})
    no_header = client.get(f"/api/v1/bookings/{body['reference']}")
    assert wrong_token.status_code == wrong_reference.status_code == no_header.status_code == 404
    assert wrong_token.json == wrong_reference.json == no_header.json


def test_same_slot_twice_is_409_slot_taken_and_writes_nothing_more(client, setting):
    slot_id = slots(client)[0]["id"]
    assert book(client, slot_id).status_code == 201
    again = book(client, slot_id, name="Bram", email="bram@example.org")
    assert again.status_code == 409 and again.json["error"] == "slot_taken"
    assert booking_count() == 1


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"), ({"name": "A" * 500}, "name"), ({"name": 42}, "name"),
    ({"email": "not-an-address"}, "email"), ({"email": None, "phone": None}, "email"),
    ({"phone": "123"}, "phone"), ({"topic": "unknown"}, "topic"), ({"language": "fr"}, "language"),
])
def test_invalid_details_are_422_with_fields(client, setting, fields, field):
    response = book(client, slots(client)[0]["id"], **fields)
    assert response.status_code == 422
    assert response.json["error"] == "invalid" and field in response.json["fields"]
    assert booking_count() == 0


@pytest.mark.parametrize("slot_id", ["nonsense", "a1-1-1-209912311900", "e77", "a1-1-1-202699999999"])
def test_unknown_or_malformed_slot_is_404(client, setting, slot_id):
    response = book(client, slot_id)
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert booking_count() == 0


def test_missing_slot_is_422(client, setting):
    response = client.post("/api/v1/bookings", json={"name": "Amira", "email": "a@example.org"})
    assert response.status_code == 422 and "slot" in response.json["fields"]


def test_slot_in_the_past_is_refused(client, setting):
    branch, service, volunteer = setting
    yesterday = local_date(utcnow(), "Europe/Amsterdam") - timedelta(days=1)
    past_id = f"a{service.id}-{branch.id}-{volunteer.id}-{yesterday:%Y%m%d}0900"
    response = book(client, past_id)
    assert response.status_code == 422 and "slot" in response.json["fields"]
    assert booking_count() == 0


def test_a_time_that_was_never_offered_is_404(client, setting):
    branch, service, volunteer = setting
    day = local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=3)
    night_id = f"a{service.id}-{branch.id}-{volunteer.id}-{day:%Y%m%d}0100"  # 02:00 local: no rule
    assert book(client, night_id).status_code == 404


def test_json_is_required(client, setting):
    response = client.post("/api/v1/bookings", data="slot=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"
    broken = client.post("/api/v1/bookings", data="{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.is_json
    not_object = client.post("/api/v1/bookings", json=["slot"])
    assert not_object.status_code == 400 and not_object.is_json


def test_unknown_fields_are_ignored(client, setting):
    response = book(client, slots(client)[0]["id"], shoe_size=44)
    assert response.status_code == 201


def test_event_places_are_slots_and_a_full_event_has_a_waiting_list(client, app):
    branch = create_branch(slug="uithoorn")
    service = create_service(slug="week", kind="event", duration_minutes=30)
    start = soon(days=5, hour=12)
    event = create_event(service=service, branch=branch, starts_at=start, capacity=2, place_minutes=30)
    day = local_date(start, "Europe/Amsterdam")
    found = client.get("/api/v1/slots", query_string={"service": "week", "from": day.isoformat(),
                                                      "to": day.isoformat()}).json
    assert [s["id"] for s in found] == [f"e{event.id}-1", f"e{event.id}-2"]
    assert found[1]["start"] != found[0]["start"] and found[0]["places_left"] == 2
    assert book(client, found[0]["id"]).json["status"] == "confirmed"
    taken = book(client, found[0]["id"], name="Bram")
    assert taken.status_code == 409 and taken.json["error"] == "slot_taken"
    assert book(client, found[1]["id"]).status_code == 201
    full = client.get("/api/v1/slots", query_string={"service": "week", "from": day.isoformat(),
                                                     "to": day.isoformat()}).json
    assert full == [dict(full[0], id=f"e{event.id}", places_left=0)]
    waiting = book(client, f"e{event.id}", name="Chris")
    assert waiting.status_code == 201
    assert waiting.json["status"] == "waitlisted" and waiting.json["waitlist_position"] == 1
    assert book(client, f"e{event.id}", name="Dana").json["waitlist_position"] == 2


def test_full_event_without_waiting_list_is_409_full(client, app):
    branch = create_branch()
    service = create_service(kind="event", duration_minutes=30)
    event = create_event(service=service, branch=branch, starts_at=soon(days=5), capacity=1,
                         place_minutes=None, waitlist_enabled=False)
    assert book(client, f"e{event.id}").status_code == 201
    response = book(client, f"e{event.id}", name="Bram")
    assert response.status_code == 409 and response.json["error"] == "full"


def test_errors_under_api_are_json_never_html(client, setting):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.is_json
    response = client.delete("/api/v1/bookings")
    assert response.status_code == 405 and response.is_json


def test_dates_are_interpreted_in_the_branch_zone(client, setting):
    # A day's slots are those whose local date is that day, whatever their UTC date.
    day = local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=4)
    found = slots(client, **{"from": day.isoformat(), "to": day.isoformat()})
    assert {date.fromisoformat(s["start"][:10]) for s in found} == {day}
