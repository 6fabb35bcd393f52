"""A booking that waits too long for a lock answers "busy, try again" (503), never a 500.

The lock is held by another connection in an open transaction: a row lock on PostgreSQL
(lock_timeout), the database's write lock on SQLite (the busy timeout).
"""
from datetime import time, timedelta

from sqlalchemy import create_engine, update

from bookings import create_app
from bookings.extensions import db
from bookings.models import Volunteer
from bookings.services.timezones import local_date, utcnow
from tests.factories import create_branch, create_every_day_rules, create_service, create_volunteer


def test_a_lock_held_too_long_is_busy_then_the_booking_goes_through(app, database_url):
    branch, service, volunteer = create_branch(), create_service(), create_volunteer()
    create_every_day_rules(volunteer=volunteer, branch=branch, services=[service], start=time(10), end=time(12))
    volunteer_id = volunteer.id
    day = local_date(utcnow(), branch.timezone) + timedelta(days=3)
    slot = app.test_client().get("/api/v1/slots", query_string={
        "service": service.slug, "from": day.isoformat(), "to": day.isoformat()}).json[0]
    impatient = create_app({**app.config, "DATABASE_LOCK_TIMEOUT": 0.3, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    booking = {"slot": slot["id"], "name": "Amira", "email": "amira@example.org"}

    holder = create_engine(database_url)
    try:
        with holder.connect() as connection:
            connection.execute(update(Volunteer).where(Volunteer.id == volunteer_id)
                               .values(lock_version=Volunteer.lock_version + 1))  # held until rollback
            response = impatient.test_client().post("/api/v1/bookings", json=booking)
            assert response.status_code == 503, response.get_data(as_text=True)
            assert response.json["error"] == "busy" and response.json["message"]
            connection.rollback()
        response = impatient.test_client().post("/api/v1/bookings", json=booking)
        assert response.status_code == 201, response.get_data(as_text=True)
    finally:
        holder.dispose()
        with impatient.app_context():
            db.engine.dispose()
