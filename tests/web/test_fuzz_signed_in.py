"""Hostile input on every form behind a sign-in (volunteer portal, staff pages, password pages):
never a 500, never a stack trace, and a refused form writes nothing."""
import re
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bookings.extensions import db
from tests.staff_support import sign_in_as
from tests.web.test_authorization_matrix import MATRIX
from tests.web.test_authorization_matrix import world as matrix_world  # noqa: F401  (fixture)
from tests.web.test_fuzz import HOSTILE

FORM = re.compile(r'<form([^>]*)>(.*?)</form>', re.S | re.I)
ACTION = re.compile(r'\baction="([^"]*)"', re.I)
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# Every page behind a sign-in (and the password pages): its main form gets hostile values in every
# field but the CSRF token. The pages and their data come from the authorization matrix.
PAGES = sorted(endpoint for endpoint in MATRIX if endpoint.split(".")[0] in ("volunteer", "staff", "auth"))


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables)


@pytest.fixture
def people(app, matrix_world):  # noqa: F811
    w, values, secrets = matrix_world
    return w, values, secrets


@pytest.mark.parametrize("endpoint", PAGES)
@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(junk=st.lists(HOSTILE, min_size=30, max_size=30))
def test_every_signed_in_form_survives_hostile_input(app, people, endpoint, junk):
    w, values, secrets = people
    template, expected = MATRIX[endpoint]
    actor = "admin" if endpoint.startswith("staff") else ("link" if "{account_token}" in template else "volunteer")
    client = app.test_client()
    if actor == "admin":
        sign_in_as(client, w["ada"], language="nl")
    elif actor == "volunteer":
        sign_in_as(client, w["sanne"], language="nl")
    path = template.format(**values, **secrets)
    page = client.get(path)
    if page.status_code != 200:
        return  # not a page this visitor can open (the matrix checks who may)
    main = page.get_data(as_text=True).split("<main", 1)[-1].split("</main>", 1)[0]  # not the sign-out form
    forms = [(attrs, inner) for attrs, inner in FORM.findall(main) if 'method="post"' in attrs.lower()]
    if not forms:
        return  # a page without a form
    attrs, inner = max(forms, key=lambda form: len(FIELD.findall(form[1])))  # the page's main form
    action_match = ACTION.search(attrs)
    action = unescape(action_match.group(1)) if action_match else ""
    token = CSRF.search(inner)
    fields = sorted(set(FIELD.findall(inner)) - {"csrf_token"})
    # Drawn up front, the same amount every time: a successful post may change the next form.
    body = dict(zip(fields, junk))
    if token:
        body["csrf_token"] = token.group(1)
    before = counts()
    response = client.post(action or path, data=body)
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (endpoint, body, text[:300])
    assert "Traceback" not in text
    refused = response.status_code >= 400 or 'class="error-summary"' in text
    if refused:
        assert counts() == before, f"{endpoint}: a refused form wrote something"
