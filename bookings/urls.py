"""Absolute links for e-mails, calendars and the API: always from BASE_URL, never the Host header."""
from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
