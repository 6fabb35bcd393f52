"""Branches, closed days and services through the staff pages."""
import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Branch, Closure, Service
from bookings.services import availability
from tests.conftest import csrf_token
from tests.staff_support import in_days, make_world, sign_in_as


@pytest.fixture
def world(app):
    return make_world()


def test_coordinator_edits_their_branch_and_adds_a_closed_day(client, world):
    sign_in_as(client, world["cora"])
    token = csrf_token(client, "/staff/branches/amstel")
    bad = client.post("/staff/branches/amstel", data={"csrf_token": token, "name": "", "address": "x",
                                                      "phone": "12"})
    assert 'class="error-summary"' in bad.get_data(as_text=True)
    client.post("/staff/branches/amstel", data={"csrf_token": token, "name": "Amstel", "address": "Plein 2",
                                                "phone": "020 7654321", "opening_hours": "ma 10-17"})
    db.session.expire_all()
    branch = db.session.get(Branch, world["amstel"].id)
    assert (branch.name, branch.address, branch.phone, branch.opening_hours) == (
        "Amstel", "Plein 2", "+31207654321", "ma 10-17")
    day = in_days(3)
    assert availability.list_slots(world["coach"], branch=branch, first_day=day, last_day=day)
    client.post("/staff/branches/amstel/closures/new", data={"csrf_token": token, "starts_on": day.isoformat(),
                                                             "reason": "Verbouwing"})
    db.session.expire_all()
    assert not availability.list_slots(world["coach"], branch=branch, first_day=day, last_day=day)
    closure_id = db.session.scalar(select(Closure.id).where(Closure.reason == "Verbouwing"))
    client.post(f"/staff/branches/amstel/closures/{closure_id}/delete", data={"csrf_token": token})
    assert db.session.scalar(select(Closure.id).where(Closure.id == closure_id)) is None
    past = client.post("/staff/branches/amstel/closures/new",
                       data={"csrf_token": token, "starts_on": in_days(-1).isoformat()})
    assert "This date has passed." in past.get_data(as_text=True)


def test_admin_creates_a_branch_and_a_service(client, world):
    sign_in_as(client, world["ada"])
    token = csrf_token(client, "/staff/branches/new")
    taken = client.post("/staff/branches/new", data={"csrf_token": token, "slug": "amstel", "name": "X",
                                                     "address": "Y"})
    assert "This short name is taken." in taken.get_data(as_text=True)
    client.post("/staff/branches/new", data={"csrf_token": token, "slug": "uithoorn", "name": "Uithoorn",
                                             "address": "Dorpsstraat 1"})
    assert db.session.scalar(select(Branch).where(Branch.slug == "uithoorn")) is not None

    form = {"csrf_token": token, "slug": "taal", "kind": "appointment", "name_nl": "Taalhulp",
            "name_en": "Language help", "icon": "language", "duration_minutes": "60", "buffer_before_minutes": "0",
            "buffer_after_minutes": "15", "min_notice_minutes": "120", "horizon_days": "42",
            "topics": "lezen | Beter lezen | Read better\nbrief | Een brief | A letter", "active": "y"}
    bad = client.post("/staff/services/new", data={**form, "duration_minutes": "abc"})
    assert "Fill in a whole number, like 30." in bad.get_data(as_text=True)
    bad = client.post("/staff/services/new", data={**form, "topics": "no pipes"})
    assert "Write one topic per line" in bad.get_data(as_text=True)
    assert client.post("/staff/services/new", data=form).status_code == 302
    service = db.session.scalar(select(Service).where(Service.slug == "taal"))
    assert service.topic_keys() == ["lezen", "brief"] and service.buffer_after_minutes == 15
    assert service.icon == "language" and service.step_minutes is None
    edit = {k: v for k, v in form.items() if k not in ("slug", "kind")}
    client.post(f"/staff/services/{service.id}", data={**edit, "name_en": "Help with language", "active": ""})
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert service.name_en == "Help with language" and not service.active and service.slug == "taal"
