"""Cancel and reschedule through the API, with the bearer token."""
from datetime import time, timedelta

import pytest

from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer


@pytest.fixture
def slots(app, client):
    branch, service = create_branch(slug="aalsmeer"), create_service(slug="taal", duration_minutes=60)
    create_every_day_rules(volunteer=create_volunteer(), branch=branch, services=[service],
                           start=time(10), end=time(12))
    day = local_date(utcnow(), "Europe/Amsterdam") + timedelta(days=3)
    return client.get("/api/v1/slots", query_string={"service": "taal", "from": day.isoformat(),
                                                     "to": (day + timedelta(days=2)).isoformat()}).json


def book(client, slot_id, name="Amira"):
    return client.post("/api/v1/bookings", json={"slot": slot_id, "name": name, "email": "a@example.org"}).json


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_cancel_twice_answers_200_both_times(client, slots):
    booking = book(client, slots[0]["id"])
    url = f"/api/v1/bookings/{booking['reference']}/cancel"
    first = client.post(url, headers=auth(booking["token"]))
    second = client.post(url, headers=auth(booking["token"]))
    assert first.status_code == second.status_code == 200
    assert first.json == second.json == {"reference": booking["reference"], "status": "cancelled"}


def test_cancel_with_a_wrong_token_is_404(client, slots):
    booking = book(client, slots[0]["id"])
    response = client.post(f"/api/v1/bookings/{booking['reference']}/cancel", headers=auth("wrong"))
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_reschedule_keeps_the_reference_with_new_times(client, slots):
    booking = book(client, slots[0]["id"])
    response = client.post(f"/api/v1/bookings/{booking['reference']}/reschedule",
                           json={"slot": slots[3]["id"]}, headers=auth(booking["token"]))
    assert response.status_code == 200
    assert response.json["reference"] == booking["reference"]
    assert response.json["start"] == slots[3]["start"]


def test_reschedule_to_a_taken_slot_is_409_and_keeps_the_old_booking(client, slots):
    mine = book(client, slots[0]["id"])
    book(client, slots[1]["id"], name="Bram")
    response = client.post(f"/api/v1/bookings/{mine['reference']}/reschedule",
                           json={"slot": slots[1]["id"]}, headers=auth(mine["token"]))
    assert response.status_code == 409 and response.json["error"] == "slot_taken"
    kept = client.get(f"/api/v1/bookings/{mine['reference']}", headers=auth(mine["token"])).json
    assert kept["start"] == slots[0]["start"] and kept["status"] == "confirmed"


@pytest.mark.parametrize("body, status", [({}, 422), ({"slot": 5}, 422), ({"slot": "nonsense"}, 404)])
def test_reschedule_bad_input(client, slots, body, status):
    booking = book(client, slots[0]["id"])
    response = client.post(f"/api/v1/bookings/{booking['reference']}/reschedule", json=body,
                           headers=auth(booking["token"]))
    assert response.status_code == status and response.is_json
    kept = client.get(f"/api/v1/bookings/{booking['reference']}", headers=auth(booking["token"])).json
    assert kept["start"] == slots[0]["start"] and kept["status"] == "confirmed"
