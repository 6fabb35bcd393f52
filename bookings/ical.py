"""iCalendar (RFC 5545 / RFC 5546) builder: plain data in, bytes out.

Pure: no Flask, no database, no clock and no random values, so the same entries always give the
same bytes (feeds answer ETag from them). Times are stored in UTC and written in the branch's wall
time with a TZID and a VTIMEZONE, so clients show 19:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vRecur,
)

__all__ = ["Attendee", "CalendarEntry", "build_calendar"]

METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})
PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"})
ROLES = frozenset({"CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"})
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FOLD_LIMIT = 75  # octets per physical line, excluding CRLF (RFC 5545 section 3.1)
# An escape pair ("\\,", "\\n") stays on one physical line: some clients unescape before unfolding.
_FOLD_TOKEN = re.compile(r"\\.|.", re.DOTALL)


@dataclass(frozen=True)
class Attendee:
    email: str | None  # None: a resident without e-mail; never written (no invented address)
    name: str
    partstat: str = "ACCEPTED"
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    sequence: int
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    stamp: datetime  # DTSTAMP, aware
    location: str | None = None
    description: str | None = None
    url: str | None = None
    status: str = "CONFIRMED"
    organizer_email: str | None = None
    organizer_name: str | None = None
    attendees: tuple[Attendee, ...] = ()
    alarm_before: timedelta | None = None
    last_modified: datetime | None = None
    transparent: bool = False


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    method: str | None = None,
    tz: str = "Europe/Amsterdam",
    name: str | None = None,
    refresh: timedelta | None = None,
    prodid: str = "-//Spreekuur//Bibliotheek//NL",
) -> bytes:
    """Return a VCALENDAR (CRLF, folded at 75 octets) with one VEVENT per entry."""
    entries = tuple(entries)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc
    if method is not None and method not in METHODS:
        raise ValueError(f"unsupported METHOD {method!r}")

    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", _text(prodid))
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name is not None:
        cal.add("x-wr-calname", _text(name))
        cal.add("x-wr-timezone", tz)
    if refresh is not None:
        if refresh <= timedelta(0):
            raise ValueError("refresh must be positive")
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))

    # RFC 5545 requires at least one component, so an empty feed still carries the VTIMEZONE.
    # Its window then is fixed (not today's date) to keep the output deterministic.
    years = [e.start.astimezone(zone).year for e in entries if _aware(e.start)]
    years += [e.end.astimezone(zone).year for e in entries if _aware(e.end)]
    first_year, last_year = (min(years) - 1, max(years) + 1) if years else (2025, 2027)
    for entry in entries:
        cal.add_component(_event(entry, zone, method))
    body = _refold(cal.to_ical())
    # The VTIMEZONE goes before the events, serialised once per (zone, years): it is a third of
    # an invitation's lines, and writing lines is what icalendar spends its time on.
    at = body.index(b"BEGIN:VEVENT\r\n" if entries else b"END:VCALENDAR\r\n")
    return body[:at] + _vtimezone_lines(tz, zone, first_year, last_year) + body[at:]


@lru_cache(maxsize=64)
def _vtimezone_lines(tzid: str, zone: ZoneInfo, first_year: int, last_year: int) -> bytes:
    return _refold(_vtimezone(tzid, zone, first_year, last_year).to_ical())


def _event(entry: CalendarEntry, zone: ZoneInfo, method: str | None) -> Event:
    for label in ("start", "end", "stamp", "last_modified"):
        value = getattr(entry, label)
        if value is not None and not _aware(value):
            raise ValueError(f"{entry.uid}: {label} must be timezone-aware")
    if entry.end <= entry.start:
        raise ValueError(f"{entry.uid}: end must be after start")
    if entry.status not in STATUSES:
        raise ValueError(f"{entry.uid}: unsupported STATUS {entry.status!r}")
    if method == "CANCEL" and entry.status != "CANCELLED":
        raise ValueError(f"{entry.uid}: METHOD:CANCEL needs STATUS:CANCELLED (RFC 5546)")
    if method in ("REQUEST", "CANCEL") and not entry.organizer_email:
        raise ValueError(f"{entry.uid}: METHOD:{method} needs an ORGANIZER (RFC 5546)")
    if entry.sequence < 0:
        raise ValueError(f"{entry.uid}: SEQUENCE must not be negative")

    event = Event()
    event.add("uid", _single_line(entry.uid))
    event.add("sequence", int(entry.sequence))
    event.add("dtstamp", entry.stamp.astimezone(timezone.utc))
    event.add("dtstart", _wall_time(entry.start, zone))
    event.add("dtend", _wall_time(entry.end, zone))
    event.add("summary", _text(entry.summary))
    if entry.location:
        event.add("location", _text(entry.location))
    if entry.description:
        event.add("description", _text(entry.description))
    if entry.url:
        event.add("url", _single_line(entry.url))
    event.add("status", entry.status)
    event.add("transp", "TRANSPARENT" if entry.transparent else "OPAQUE")
    if entry.last_modified is not None:
        event.add("last-modified", entry.last_modified.astimezone(timezone.utc))
    if entry.organizer_email:
        organizer = vCalAddress("mailto:" + _address(entry.organizer_email))
        if entry.organizer_name:
            organizer.params["CN"] = _param(entry.organizer_name)
        event.add("organizer", organizer)
    for person in entry.attendees:
        if not person.email:
            continue
        if person.partstat not in PARTSTATS or person.role not in ROLES:
            raise ValueError(f"{entry.uid}: bad PARTSTAT/ROLE for an attendee")
        attendee = vCalAddress("mailto:" + _address(person.email))
        attendee.params["CN"] = _param(person.name)
        attendee.params["PARTSTAT"] = person.partstat
        attendee.params["ROLE"] = person.role
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    if entry.alarm_before is not None:
        if entry.alarm_before <= timedelta(0):
            raise ValueError(f"{entry.uid}: alarm_before must be positive")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text(entry.summary))
        alarm.add("trigger", -entry.alarm_before)
        event.add_component(alarm)
    return event


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, zone: ZoneInfo, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE valid for [first_year, last_year], with yearly RRULEs when the zone allows.

    Outlook ignores RDATE-based observances (what icalendar's Timezone.from_tzid writes) and then
    shifts summer-time events by an hour, so the common "last Sunday of March/October" shape that
    Outlook, Google and Apple themselves write is derived from zoneinfo; irregular zones fall back.
    """
    transitions = _transitions(zone, first_year, last_year)
    if not transitions:
        start = datetime(first_year, 1, 1, tzinfo=zone)
        component = TimezoneStandard()
        component.add("dtstart", start.replace(tzinfo=None))
        component.add("tzoffsetfrom", start.utcoffset())
        component.add("tzoffsetto", start.utcoffset())
        component.add("tzname", start.tzname() or tzid)
        vtimezone = Timezone()
        vtimezone.add("tzid", tzid)
        vtimezone.add_component(component)
        return vtimezone
    observances = _yearly_rules(transitions, first_year, last_year)
    if observances is None:
        return Timezone.from_tzid(
            tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
        )
    vtimezone = Timezone()
    vtimezone.add("tzid", tzid)
    for is_dst, offset_from, offset_to, tzname, start, rule in observances:
        component = TimezoneDaylight() if is_dst else TimezoneStandard()
        component.add("dtstart", start)
        component.add("rrule", rule)
        component.add("tzoffsetfrom", offset_from)
        component.add("tzoffsetto", offset_to)
        component.add("tzname", tzname)
        vtimezone.add_component(component)
    return vtimezone


# Cached: deriving the rules from zoneinfo costs milliseconds, and every invitation and feed needs
# the same few (zone, years). Callers add the component to a calendar and never change it.


def _transitions(zone: ZoneInfo, first_year: int, last_year: int):
    """Yield (instant, state before, state after); a state is (utcoffset, dst, tzname)."""

    def state(instant: datetime):
        local = instant.astimezone(zone)
        return local.utcoffset(), local.dst(), local.tzname()

    day = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    stop = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
    before = state(day)
    found = []
    while day < stop:
        after = state(day + timedelta(days=1))
        if after != before:
            low, high = 0, 86400  # seconds; the first second in the new state is wanted
            while high - low > 1:
                middle = (low + high) // 2
                if state(day + timedelta(seconds=middle)) == before:
                    low = middle
                else:
                    high = middle
            found.append((day + timedelta(seconds=high), before, after))
            before = after
        day += timedelta(days=1)
    return found


def _yearly_rules(transitions, first_year: int, last_year: int):
    """Express each kind of transition as one RRULE, or None if the zone is irregular."""
    groups: dict[tuple, list[datetime]] = {}
    for instant, before, after in transitions:
        key = (bool(after[1]), before[0], after[0], after[2] or "")
        # DTSTART of an observance is the wall time before the change (RFC 5545 3.6.5).
        groups.setdefault(key, []).append((instant + before[0]).replace(tzinfo=None))
    if sorted(is_dst for is_dst, *_ in groups) != [False, True]:
        return None
    observances = []
    for (is_dst, offset_from, offset_to, tzname), starts in groups.items():
        if [s.year for s in starts] != list(range(first_year, last_year + 1)):
            return None
        first = starts[0]
        if any((s.month, s.weekday(), s.time()) != (first.month, first.weekday(), first.time())
               for s in starts):
            return None
        if all(_days_in_month(s) - s.day < 7 for s in starts):
            ordinal = -1
        elif len({(s.day - 1) // 7 + 1 for s in starts}) == 1:
            ordinal = (first.day - 1) // 7 + 1
        else:
            return None
        rule = vRecur(freq="YEARLY", bymonth=first.month,
                      byday=f"{ordinal}{_WEEKDAYS[first.weekday()]}")
        observances.append((is_dst, offset_from, offset_to, tzname, first, rule))
    return sorted(observances, key=lambda o: o[4])


def _wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """Local time for TZID, except inside the repeated autumn hour, which is written in UTC.

    RFC 5545 (3.3.5) reads a repeated wall time such as 02:30 on the last Sunday of October as
    its first occurrence, but ical.js (Thunderbird) reads the second; UTC is unambiguous to all.
    """
    local = instant.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return instant.astimezone(timezone.utc)
    return local


def _days_in_month(day: datetime) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


def _text(value: str) -> str:
    """TEXT value: newlines kept (escaped later as \\n), other control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")


def _single_line(value: str) -> str:
    return " ".join(_text(value).split("\n")).strip()


def _param(value: str) -> str:
    # A DQUOTE cannot appear in a quoted parameter; RFC 6868 (^') is not understood everywhere.
    return _single_line(value).replace('"', "'")


def _address(email: str) -> str:
    email = email.strip()
    if not email or any(c.isspace() or unicodedata.category(c) == "Cc" for c in email):
        raise ValueError(f"invalid e-mail address {email!r}")
    return email


def _refold(ical: bytes) -> bytes:
    """Unfold and fold again by octets, never inside a UTF-8 character or an escape pair.

    icalendar 7 already folds by octets; doing it here keeps the output identical on icalendar 6
    (which the project also allows) and guarantees the 75-octet limit callers rely on.
    """
    text = re.sub(r"\r\n[ \t]", "", ical.decode("utf-8"))
    lines = [line for line in text.split("\r\n") if line]
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def _fold(line: str) -> str:
    if len(line.encode("utf-8")) <= _FOLD_LIMIT:
        return line  # most lines: nothing to fold, and the token walk below is slow
    pieces: list[str] = []
    current, size, limit = "", 0, _FOLD_LIMIT
    for token in _FOLD_TOKEN.findall(line):
        token_size = len(token.encode("utf-8"))
        if current and size + token_size > limit:
            pieces.append(current)
            current, size, limit = "", 0, _FOLD_LIMIT - 1  # continuation lines start with a space
        current += token
        size += token_size
    pieces.append(current)
    return "\r\n ".join(pieces)
