"""Language choice and the formatting of dates and times in the branch's own zone."""
from datetime import date, datetime

from babel.dates import format_date, format_time
from flask import Flask, current_app, request, session
from flask_babel import get_locale

from bookings.messages import status_label
from bookings.services.residents import format_phone
from bookings.services.timezones import DEFAULT_ZONE, to_local
from bookings.services.tokens import format_reference
from bookings.urls import absolute_url


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    # Dutch first: English only when the browser prefers it over Dutch.
    return request.accept_languages.best_match(languages, default=languages[0]) or languages[0]


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_day(instant: datetime, zone_name: str = DEFAULT_ZONE, with_year: bool = False) -> str:
    """"maandag 7 december" (or with the year) in the reader's language."""
    pattern = "EEEE d MMMM y" if with_year else "EEEE d MMMM"
    return format_date(to_local(instant, zone_name).date(), pattern, locale=current_language())


def format_long_date(day: date) -> str:
    return format_date(day, "EEEE d MMMM", locale=current_language())


def format_clock(instant: datetime, zone_name: str = DEFAULT_ZONE) -> str:
    return format_time(to_local(instant, zone_name), "HH:mm", locale=current_language())


def localized(obj, field: str) -> str:
    """obj.<field>_<language>, falling back to Dutch."""
    return getattr(obj, f"{field}_{current_language()}", None) or getattr(obj, f"{field}_nl")


def topic_label(service, key: str | None) -> str:
    for topic in service.topics:
        if topic["key"] == key:
            return topic.get(current_language()) or topic["nl"]
    return key or ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        day=format_day, date_long=format_long_date, clock=format_clock, localized=localized, reference=format_reference,
        phone=format_phone,
    )
    app.jinja_env.globals.update(current_language=current_language, topic_label=topic_label, status_label=status_label,
                           absolute_url=absolute_url)
