"""Security headers, cookies and the rule that no page loads anything from another host."""
import re

import pytest

from bookings import create_app
from tests.factories import create_branch, create_service


@pytest.fixture
def pages(app):
    create_branch(slug="aalsmeer")
    create_service(slug="taal")
    return ["/", "/book/taal", "/book/taal/aalsmeer", "/find", "/privacy", "/nothing-here",
            "/api/v1/branches", "/api/v1/nothing", "/manage/ABCD2345/x"]


def test_every_answer_carries_the_security_headers(client, pages):
    for url in pages:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, url
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers  # plain http in tests


def test_https_adds_hsts_and_secure_cookies(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "SECRET_KEY": "x", "BASE_URL": "https://bibliotheek.example"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/language/en", base_url="https://bibliotheek.example")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = client.get("/language/en").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_page_loads_anything_from_another_host(client, pages):
    loads = re.compile(r'<(?:script|img|link|iframe|source|video|audio)\b[^>]*?(?:src|href)="([^"]+)"', re.I)
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        for target in loads.findall(body):
            assert not re.match(r"^(https?:)?//", target), f"{url} loads {target}"
        assert " style=" not in body and "<style" not in body, f"inline style on {url}"
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), f"inline script on {url}"


def test_behind_one_proxy_the_forwarded_address_and_scheme_count(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "x",
                      "PROXY_HOPS": 1})
    seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request

        seen.update(addr=request.remote_addr, scheme=request.scheme)
        return "ok"

    app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert seen == {"addr": "203.0.113.7", "scheme": "https"}
