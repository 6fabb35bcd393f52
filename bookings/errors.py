"""Error answers: a friendly page in the reader's language, or JSON under /api."""
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from bookings.extensions import db

API_PREFIX = "/api/"


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return jsonify(body), status


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return json_error(400, "csrf", "CSRF token missing or invalid.")
        return _page(400, _("The page has expired"),
                     _("Go back, reload the page and try again. Nothing was saved."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                415: "unsupported_media_type", 429: "rate_limited"}.get(error.code, "error")
        if wants_json():
            return json_error(error.code or 500, code, error.description or code)
        if error.code == 404:
            return _page(404, _("Page not found"),
                         _("This page does not exist. Check the address, or start again."))
        if error.code == 429:
            return _page(429, _("Too many tries"),
                         _("You tried many times in a short time. Wait a minute and try again."))
        return _page(error.code or 500, _("Something went wrong"),
                     _("This did not work. Go back and try again."))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Logged with its traceback; the visitor sees no internals, and no half-written data stays.
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "server_error", "Something went wrong on our side.")
        return _page(500, _("Something went wrong"),
                     _("This is our fault. Try again later, or call the library."))
