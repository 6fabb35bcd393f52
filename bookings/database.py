"""Engine settings that the URL alone cannot carry, and what every database refuses."""
from flask import Flask, abort, request
from sqlalchemy import event

from bookings.extensions import db


def configure_engine(app: Flask) -> None:
    """Per-connection settings (timeouts are connect arguments, see config._engine_options)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    # PostgreSQL's text cannot hold U+0000: a NUL in a query or a form would fail inside the
    # database as a 500. SQLite would store it silently. Refuse it at the edge on both, as 400.
    app.before_request(_refuse_nul_characters)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never wait for the writer; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _refuse_nul_characters() -> None:
    if "\x00" in request.path:
        abort(404)  # no page, reference or slug has one
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400, "NUL characters are not allowed.")
    if request.content_length:
        # Bodies are small (MAX_CONTENT_LENGTH); cached, so forms and JSON still parse from it.
        body = request.get_data(cache=True)
        encoded = b"%00" if request.mimetype == "application/x-www-form-urlencoded" else b"\\u0000"
        if b"\x00" in body or encoded in body:
            abort(400, "NUL characters are not allowed.")
