"""Report figures against bookings made through the real flows; CSV; partners' counts; audit."""
import csv
import io
import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Actor, Booking
from bookings.services.lifecycle import mark_attendance
from bookings.services.staff_reports import safe_cell
from tests.conftest import csrf_token
from tests.factories import create_event
from tests.staff_support import in_days, local_instant, make_world, sign_in_as


@pytest.fixture
def world(app):
    return make_world()


def free_slots(client, branch: str, day) -> list[str]:
    slots = client.get(f"/api/v1/slots?service=coach&branch={branch}&from={day}&to={day}").get_json()
    return [slot["id"] for slot in slots]


def book(client, slot: str, **body) -> dict:
    response = client.post("/api/v1/bookings", json={"slot": slot, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def book_on_the_page(client, slot: str, name: str, email: str) -> None:
    """The public pages: details, check, confirm."""
    url = f"/book/details?slot={slot}"
    client.post(url, data={"csrf_token": csrf_token(client, url), "first_name": name, "email": email})
    response = client.post("/book/check", data={"csrf_token": csrf_token(client, "/book/check")})
    assert response.status_code == 302 and "/manage/" in response.headers["Location"]


@pytest.fixture
def booked(app, world):
    """At amstel: 4 appointments by 3 people (one e-mail twice, in two spellings), 1 cancelled,
    1 attended, 1 no-show; a session with 1 place, 1 taken and 1 on the waiting list.
    At meer: 1 appointment (must not show up for amstel's coordinator)."""
    day = in_days(3)
    resident = app.test_client()
    slots = free_slots(resident, "amstel", day)
    book_on_the_page(resident, slots[0], "Amira", "amira@example.org")
    book(resident, slots[1], name="Amira", email="AMIRA@example.org")  # the same person again
    book(resident, slots[2], name="Bram", phone="06 12345678")
    chris = book(resident, slots[3], name="Chris", email="chris@example.org")
    resident.post(f"/api/v1/bookings/{chris['reference']}/cancel", headers={"Authorization": f"Bearer {chris['token']}"})
    event = create_event(service=world["week"], branch=world["amstel"], starts_at=local_instant(day, time(18)),
                         capacity=1, hours=2)
    book(resident, f"e{event.id}", name="Dewi", email="dewi@example.org")
    waiting = book(resident, f"e{event.id}", name="Eva", email="eva@example.org")
    assert waiting["status"] == "waitlisted"
    book(resident, free_slots(resident, "meer", day)[0], name="Henk", email="henk.r@example.org", referral="WERKPLEIN")
    # After the day: the volunteer marks who came.
    rows = {b.first_name: b for b in db.session.scalars(select(Booking))}
    later = rows["Amira"].starts_at + timedelta(days=1)
    mark_attendance(booking=db.session.get(Booking, rows["Amira"].id), attended=True, actor=Actor.VOLUNTEER,
                    actor_id=world["sanne"].id, now=later)
    mark_attendance(booking=db.session.get(Booking, rows["Bram"].id), attended=False, actor=Actor.VOLUNTEER,
                    actor_id=world["sanne"].id, now=later)
    return day


def query(day) -> str:
    return f"first_day={day.replace(day=1)}&last_day={day + timedelta(days=1)}"


def test_figures_for_a_coordinator_count_their_branch_only(client, world, booked):
    sign_in_as(client, world["cora"])
    page = client.get(f"/staff/reports?{query(booked)}").get_data(as_text=True)
    totals = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page.split('id="totals"')[1].split("</dl>")[0]))
    assert totals == {"Bookings": "6", "Unique residents": "5", "Attended": "1", "Did not come": "1",
                      "Cancelled": "1", "Waiting list": "1"}
    assert "<svg" in page and "<rect" in page and " style=" not in page
    assert "meer" not in page.split('id="report"')[1]


def test_admin_sees_all_branches_and_can_choose_one(client, world, booked):
    sign_in_as(client, world["ada"])
    page = client.get(f"/staff/reports?{query(booked)}").get_data(as_text=True)
    assert re.search(r"<dt>Bookings</dt><dd>7</dd>", page)
    page = client.get(f"/staff/reports?{query(booked)}&branch=meer").get_data(as_text=True)
    assert re.search(r"<dt>Bookings</dt><dd>1</dd>", page)


def test_csv_export_matches_the_page(client, world, booked):
    sign_in_as(client, world["cora"])
    response = client.get(f"/staff/reports.csv?{query(booked)}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_service = {row["service"]: row for row in rows}
    assert set(by_service) == {"coach", "week"} and {row["branch"] for row in rows} == {"amstel"}
    coach = by_service["coach"]
    assert (coach["bookings"], coach["unique_residents"], coach["attended"], coach["no_shows"],
            coach["cancellations"]) == ("4", "3", "1", "1", "1")
    assert (by_service["week"]["bookings"], by_service["week"]["waiting_list"]) == ("2", "1")


def test_csv_cells_cannot_start_a_formula():
    assert [safe_cell(v) for v in ("=1+1", "+31", "-2", "@SUM(A1)", "amstel", 3, None)] == [
        "'=1+1", "'+31", "'-2", "'@SUM(A1)", "amstel", "3", ""]


def test_partner_sees_counts_behind_a_secret_link_never_names(app, client, world, booked):
    sign_in_as(client, world["ada"])
    token = csrf_token(client, "/staff/referrals")
    client.post(f"/staff/referrals/{world['referral'].id}/link", data={"csrf_token": token})
    page = client.get("/staff/referrals").get_data(as_text=True)
    link = re.search(r"http://bibliotheek\.test(/partners/[^<\s]+)", page).group(1)
    assert link not in client.get("/staff/referrals").get_data(as_text=True)  # shown once
    partner = app.test_client().get(link)
    text = partner.get_data(as_text=True)
    assert partner.status_code == 200 and "Henk" not in text and "henk.r@example.org" not in text
    assert re.search(rf"<td>{booked:%Y-%m}</td><td>1</td><td>0</td>", text)
    assert app.test_client().get("/partners/not-the-token").status_code == 404
    # A new link: the old one stops working.
    client.post(f"/staff/referrals/{world['referral'].id}/link", data={"csrf_token": token})
    assert app.test_client().get(link).status_code == 404


def test_new_referral_code_then_a_link_with_it_records_the_referral(app, client, world):
    sign_in_as(client, world["ada"])
    token = csrf_token(client, "/staff/referrals/new")
    bad = client.post("/staff/referrals/new", data={"csrf_token": token, "code": "no spaces", "partner_name": ""})
    assert 'class="error-summary"' in bad.get_data(as_text=True)
    client.post("/staff/referrals/new", data={"csrf_token": token, "code": "relim", "partner_name": "Relim"})
    resident = app.test_client()
    resident.get("/?ref=RELIM")
    slot = free_slots(resident, "amstel", in_days(3))[0]
    book_on_the_page(resident, slot, "Sara", "sara@example.org")
    booking = db.session.scalar(select(Booking).where(Booking.first_name == "Sara"))
    assert booking.referral.code == "RELIM"


def test_audit_log_shows_staff_actions_to_their_branches_only(client, world):
    sign_in_as(client, world["ada"])
    token = csrf_token(client, "/staff/branches/meer")
    client.post("/staff/branches/meer", data={"csrf_token": token, "name": "Bibliotheek Meer", "address": "Weg 2"})
    client.post("/staff/branches/amstel", data={"csrf_token": token, "name": "Bibliotheek Amstel",
                                                "address": "Plein 1"})
    assert client.get("/staff/audit").get_data(as_text=True).count("branch.update") == 2
    sign_in_as(client, world["cora"])
    page = client.get("/staff/audit").get_data(as_text=True)
    assert page.count("branch.update") == 1 and ">amstel<" in page and ">meer<" not in page
