"""Shared fixtures: an app with a fresh database per test, a client, a CLI runner."""
import contextvars
import os
import re

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from bookings import create_app
from bookings.extensions import db

pytest_plugins = ["tests.smtp"]


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context and database session, as in production.

    Otherwise requests would share the test's context: one ``g`` (so one CSRF token for two
    "browsers") and one session whose identity map hides what another request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # (not inside a redirect that werkzeug follows)
            db.session.expire_all()  # the test's own session reads fresh rows after each request
        return response


TEST_DATABASE_URL = os.environ.get("BOOKINGS_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def server_schema() -> bool:
    """On a database server (PostgreSQL): build the schema once per run.

    Each test then empties the tables with one TRUNCATE, which is many times faster there than
    dropping and creating thirteen tables with their indexes for every test.
    """
    if not TEST_DATABASE_URL:
        return False
    app = create_app({"TESTING": True, "DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": "x"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return True


@pytest.fixture
def database_url(tmp_path) -> str:
    # A file database, not sqlite:// in memory: one shared connection would hide races.
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app(database_url, server_schema, tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://bibliotheek.test",
        "RATELIMIT_ENABLED": False,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        if server_schema and database_url == TEST_DATABASE_URL:
            # data_version keeps its one row (services.read_cache): it holds no data of a test.
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables
                               if table.name != "data_version")
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.drop_all()
            db.create_all()
        yield app
        db.session.remove()
        if not server_schema:
            db.drop_all()
        # Close the pooled connections now, not when the garbage collector finds them
        # (an unclosed psycopg connection is a ResourceWarning, and warnings are errors here).
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on a page, as a browser would send it back."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)
