"""The service installs and starts as the README says: config, secret key, migrations, demo data."""
import os
import uuid
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from bookings import create_app
from bookings.extensions import db
from bookings.models import AvailabilityRule, Branch, Event, Service, Volunteer
from bookings.services import availability
from bookings.services.timezones import local_date, utcnow


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("BOOKINGS_SECRET_KEY", raising=False)
    from flask import Flask

    from bookings.config import load_config

    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    load_config(first, None)
    load_config(second, None)
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'bookings.sqlite3'}"


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('BASE_URL = "https://from-file.example"\nRETENTION_DAYS = 10\n')
    monkeypatch.setenv("BOOKINGS_BASE_URL", "https://from-env.example")
    monkeypatch.setenv("BOOKINGS_SECRET_KEY", "from-env")
    monkeypatch.setenv("BOOKINGS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    from flask import Flask

    from bookings.config import load_config

    app = Flask("c", instance_path=str(tmp_path))
    load_config(app, None)
    assert app.config["BASE_URL"] == "https://from-env.example"
    assert app.config["RETENTION_DAYS"] == 10
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.sqlite3")
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.fixture
def empty_database(tmp_path):
    """An empty database and its engine options: a new SQLite file, or a fresh PostgreSQL schema."""
    server_url = os.environ.get("BOOKINGS_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}", {}
        return
    schema = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # Everything the migrations create lands in the new schema, alembic_version included.
        yield server_url, {"connect_args": {"options": f"-c search_path={schema}"}}
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_migrations_build_exactly_the_schema_of_the_models(empty_database):
    url, engine_options = empty_database
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x",
                      "SQLALCHEMY_ENGINE_OPTIONS": engine_options})
    with app.app_context():
        upgrade()
        engine = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert diff == []


def test_seed_demo_is_idempotent_and_prints_passwords_once(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "coach@example.org" in first.output and "coordinator@example.org" in first.output
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Branch, Service, Volunteer, AvailabilityRule, Event)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "coach@example.org" not in second.output
    assert counts == [db.session.scalar(select(func.count()).select_from(model))
                      for model in (Branch, Service, Volunteer, AvailabilityRule, Event)]
    assert counts[0] == 3 and counts[1] == 3 and counts[4] == 3


@pytest.mark.parametrize("service_slug", ["loopbaancoach", "taalvrijwilliger"])
def test_demo_gives_free_times_in_each_of_the_next_six_weeks_at_every_branch(runner, app, service_slug):
    runner.invoke(args=["seed-demo"])
    service = db.session.scalar(select(Service).where(Service.slug == service_slug))
    today = local_date(utcnow(), "Europe/Amsterdam")
    for branch in db.session.scalars(select(Branch)):
        for week in range(6):
            first = today + timedelta(days=1 + 7 * week)
            found = availability.list_slots(service, branch=branch, first_day=first,
                                            last_day=first + timedelta(days=6))
            # Christmas week may lose a day, never a whole week.
            assert found, f"{service_slug} at {branch.slug} in week {week + 1}"


def test_demo_career_week_has_eight_timed_places_per_branch(runner, app):
    runner.invoke(args=["seed-demo"])
    events = list(db.session.scalars(select(Event)))
    assert {event.branch.slug for event in events} == {"amstelveen", "aalsmeer", "uithoorn"}
    for event in events:
        assert event.capacity == 8 and event.place_minutes == 30
        assert event.ends_at - event.starts_at == timedelta(hours=4)
        assert event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Amsterdam")).hour == 13
