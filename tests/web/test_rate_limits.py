"""Rate limits on the doors that can be hammered: booking, find-my-booking, the API."""
import pytest

from bookings import create_app
from bookings.extensions import db
from tests.conftest import IsolatedClient, csrf_token


@pytest.fixture
def limited_app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.sqlite3'}",
                      "SECRET_KEY": "x", "RATELIMIT_ENABLED": True})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app


def test_find_my_booking_is_limited_with_a_friendly_page(limited_app):
    client = limited_app.test_client()
    token = csrf_token(client, "/find")
    statuses = [client.post("/find", data={"csrf_token": token, "reference": "ABCD2345",
                                           "contact": "a@example.org"}).status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
    page = client.post("/find", data={"csrf_token": token, "reference": "x", "contact": "y"})
    assert page.status_code == 429 and "Te vaak geprobeerd" in page.get_data(as_text=True)


def test_the_booking_api_is_limited_with_json(limited_app):
    client = limited_app.test_client()
    statuses = [client.post("/api/v1/bookings", json={"slot": "nonsense", "name": "A", "email": "a@example.org"})
                for _ in range(31)]
    assert [r.status_code for r in statuses[:30]] == [404] * 30
    assert statuses[30].status_code == 429 and statuses[30].json["error"] == "rate_limited"
