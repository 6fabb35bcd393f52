"""bookings.ical read back by two independent parsers: icalendar and vobject (no mocks)."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from bookings.ical import Attendee, CalendarEntry, build_calendar

UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
FANCY = "Zoë Çelik-Øster 😀 " * 6
TRICKY = "Koffie, thee; en\nmeer \\ dingen"

# Instants around the 2026-10-25 and 2027-03-28 changes, as UTC; expectations come from zoneinfo.
DST_STARTS = [
    datetime(2026, 10, 19, 17, 0, tzinfo=UTC),  # Monday 19:00 CEST
    datetime(2026, 10, 26, 18, 0, tzinfo=UTC),  # Monday 19:00 CET
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # change day, first 02:30 (CEST)
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # change day, second 02:30 (CET)
    datetime(2026, 10, 25, 11, 0, tzinfo=UTC),  # change day 12:00 CET
    datetime(2027, 3, 22, 18, 0, tzinfo=UTC),  # Monday 19:00 CET
    datetime(2027, 3, 29, 17, 0, tzinfo=UTC),  # Monday 19:00 CEST
    datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # change day 01:30 CET
    datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # change day 03:30 CEST
    datetime(2027, 3, 28, 10, 0, tzinfo=UTC),  # change day 12:00 CEST
]


def entry(n=0, *, start=None, minutes=45, **overrides):
    start = start or datetime(2026, 12, 7, 18, 0, tzinfo=UTC) + timedelta(days=7 * n)
    values = dict(
        uid=f"booking-ABCD234{n}@spreekuur",
        sequence=n,
        start=start,
        end=start + timedelta(minutes=minutes),
        summary=f"Loopbaancoach {n}",
        stamp=STAMP,
        location="Bibliotheek Amstelveen, Stadsplein 1; 1181 ZM",
        description=TRICKY,
        url=f"https://bieb.example.org/b/ABCD234{n}",
        organizer_email="bibliotheek@example.org",
        organizer_name="Bibliotheek Amstelland",
        attendees=(
            Attendee("zoe@example.nl", FANCY),
            Attendee("coach@example.org", "Coach, Jan", partstat="NEEDS-ACTION"),
            Attendee(None, "Zonder E-mail"),
        ),
        alarm_before=timedelta(hours=1),
        last_modified=STAMP + timedelta(hours=1),
    )
    values.update(overrides)
    return CalendarEntry(**values)


def parse_both(raw):
    return icalendar.Calendar.from_ical(raw), vobject.readOne(raw.decode("utf-8"))


def ical_attendees(event):
    found = event.get("ATTENDEE", [])
    return found if isinstance(found, list) else [found]


def assert_wire_format(raw):
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold cut a multi-byte character
    return lines


def test_request_round_trips_in_both_parsers():
    raw = build_calendar([entry(1)], method="REQUEST")
    assert_wire_format(raw)
    cal, vcal = parse_both(raw)

    assert cal["VERSION"] == "2.0" and cal["PRODID"] == "-//Spreekuur//Bibliotheek//NL"
    assert cal["METHOD"] == "REQUEST" and vcal.method.value == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert event["UID"] == "booking-ABCD2341@spreekuur"
    assert event.decoded("SEQUENCE") == 1
    assert event["STATUS"] == "CONFIRMED" and event["TRANSP"] == "OPAQUE"
    assert event["LOCATION"] == "Bibliotheek Amstelveen, Stadsplein 1; 1181 ZM"
    assert event["DESCRIPTION"] == TRICKY
    assert event["URL"] == "https://bieb.example.org/b/ABCD2341"
    assert event["ORGANIZER"] == "mailto:bibliotheek@example.org"
    assert event["ORGANIZER"].params["CN"] == "Bibliotheek Amstelland"
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("LAST-MODIFIED") == STAMP + timedelta(hours=1)
    attendees = ical_attendees(event)
    seen = [(str(a), a.params["CN"], a.params["PARTSTAT"], a.params["RSVP"]) for a in attendees]
    assert seen == [
        ("mailto:zoe@example.nl", FANCY.strip(), "ACCEPTED", "FALSE"),
        ("mailto:coach@example.org", "Coach, Jan", "NEEDS-ACTION", "FALSE"),
    ]
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm["DESCRIPTION"] == "Loopbaancoach 1"
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1)

    (vevent,) = vcal.vevent_list
    assert vevent.uid.value == "booking-ABCD2341@spreekuur"
    assert int(vevent.sequence.value) == 1
    assert vevent.status.value == "CONFIRMED"
    assert vevent.location.value == "Bibliotheek Amstelveen, Stadsplein 1; 1181 ZM"
    assert vevent.description.value == TRICKY
    assert vevent.organizer.value == "mailto:bibliotheek@example.org"
    seen = [(a.value, a.params["CN"][0], a.params["PARTSTAT"][0]) for a in vevent.attendee_list]
    assert seen == [
        ("mailto:zoe@example.nl", FANCY.strip(), "ACCEPTED"),
        ("mailto:coach@example.org", "Coach, Jan", "NEEDS-ACTION"),
    ]
    assert vevent.valarm.action.value == "DISPLAY"
    assert vevent.valarm.trigger.value == -timedelta(hours=1)
    # An attendee without e-mail is left out, not given an invented address.
    assert b"Zonder E-mail" not in raw and b"mailto:None" not in raw


def test_cancel():
    raw = build_calendar([entry(2, status="CANCELLED", sequence=3)], method="CANCEL")
    cal, vcal = parse_both(raw)
    assert cal["METHOD"] == "CANCEL" and vcal.method.value == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and event.decoded("SEQUENCE") == 3
    assert vcal.vevent.status.value == "CANCELLED" and vcal.vevent.sequence.value == "3"
    assert b"\r\nSTATUS:CANCELLED\r\n" in raw


@pytest.mark.parametrize(
    "method, overrides",
    [("CANCEL", {"status": "CONFIRMED"}), ("REQUEST", {"organizer_email": None}),
     ("BOGUS", {}), (None, {"alarm_before": timedelta(0)}),
     (None, {"start": datetime(2026, 12, 7, 19, 0)})],
)
def test_inconsistent_input_is_refused(method, overrides):
    with pytest.raises(ValueError):
        build_calendar([entry(**overrides)], method=method)


def test_publish_feed_with_three_entries():
    entries = [entry(n, transparent=n == 2) for n in range(3)]
    raw = build_calendar(entries, method="PUBLISH", name="Spreekuur; Amstelveen, Zoë",
                         refresh=timedelta(hours=1))
    lines = assert_wire_format(raw)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert b"X-PUBLISHED-TTL:PT1H" in lines
    assert b"X-WR-TIMEZONE:Europe/Amsterdam" in lines
    cal, vcal = parse_both(raw)
    assert cal["X-WR-CALNAME"] == "Spreekuur; Amstelveen, Zoë"
    assert cal["METHOD"] == "PUBLISH"
    assert [e["UID"] for e in cal.walk("VEVENT")] == [e.uid for e in entries]
    assert [e["TRANSP"] for e in cal.walk("VEVENT")] == ["OPAQUE", "OPAQUE", "TRANSPARENT"]
    assert [e.uid.value for e in vcal.vevent_list] == [e.uid for e in entries]
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Amsterdam"
    assert vtimezone.walk("STANDARD") and vtimezone.walk("DAYLIGHT")
    # Same input, same bytes: feeds derive their ETag from them.
    assert build_calendar(entries, method="PUBLISH", name="Spreekuur; Amstelveen, Zoë",
                          refresh=timedelta(hours=1)) == raw


@pytest.mark.parametrize("start", DST_STARTS, ids=lambda d: d.isoformat())
def test_wall_time_matches_zoneinfo_across_dst(start):
    raw = build_calendar([entry(start=start, minutes=60)], method="PUBLISH")
    expected_start = start.astimezone(AMS)
    expected_end = (start + timedelta(hours=1)).astimezone(AMS)
    cal, vcal = parse_both(raw)
    (event,) = cal.walk("VEVENT")
    # icalendar resolves TZID by name; lookup_tzid=False rebuilds the zone from our VTIMEZONE.
    own_zone = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    for value, expected in [
        (event.decoded("DTSTART"), expected_start),
        (event.decoded("DTEND"), expected_end),
        (vcal.vevent.dtstart.value, expected_start),  # vobject builds the zone from the VTIMEZONE
        (vcal.vevent.dtend.value, expected_end),
    ]:
        # Via UTC: Python never finds an ambiguous (fold=1) time equal to another zone's time.
        assert value.astimezone(UTC) == expected.astimezone(UTC)
        assert value.astimezone(AMS).replace(tzinfo=None) == expected.replace(tzinfo=None)
        if value.utcoffset() != timedelta(0):  # written as wall time with TZID
            assert value.replace(tzinfo=None) == expected.replace(tzinfo=None)
            naive = value.replace(tzinfo=None)
            assert naive.replace(tzinfo=own_zone).utcoffset() == expected.utcoffset()
    if expected_start.replace(fold=1).utcoffset() == expected_start.replace(fold=0).utcoffset():
        wall = expected_start.strftime("%Y%m%dT%H%M%S").encode()
        assert b"DTSTART;TZID=Europe/Amsterdam:" + wall + b"\r\n" in raw


@pytest.mark.parametrize("start", [datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                                   datetime(2026, 10, 25, 1, 30, tzinfo=UTC)])
def test_both_passes_of_the_repeated_hour_are_written_in_utc(start):
    # 02:30 occurs twice; ical.js reads a repeated wall time as the second, RFC 5545 as the first.
    raw = build_calendar([entry(start=start, minutes=30)])
    assert b"\r\nDTSTART:" + start.strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\n" in raw


def test_vtimezone_covers_both_sides_and_uses_yearly_rules():
    raw = build_calendar([entry(start=DST_STARTS[0]), entry(1, start=DST_STARTS[-1])])
    (vtimezone,) = icalendar.Calendar.from_ical(raw).walk("VTIMEZONE")
    (standard,), (daylight,) = vtimezone.walk("STANDARD"), vtimezone.walk("DAYLIGHT")
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=1)
    assert daylight.decoded("TZOFFSETTO") == timedelta(hours=2)
    # RRULE rather than RDATE lists: Outlook ignores RDATE observances.
    assert standard["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert daylight["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert standard.decoded("DTSTART") <= datetime(2026, 1, 1)
    assert daylight.decoded("DTSTART") <= datetime(2026, 1, 1)


@pytest.mark.parametrize(
    "tz", ["America/New_York", "Australia/Lord_Howe", "Africa/Casablanca", "Asia/Tokyo"]
)
def test_other_zones_round_trip(tz):
    starts = [datetime(2026, month, 10, 12, 0, tzinfo=UTC) for month in (1, 3, 4, 7, 10, 11)]
    raw = build_calendar([entry(n, start=s) for n, s in enumerate(starts)], tz=tz)
    cal, vcal = parse_both(raw)
    own_zone = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    for start, event, vevent in zip(starts, cal.walk("VEVENT"), vcal.vevent_list):
        wall = event.decoded("DTSTART").replace(tzinfo=None)
        assert wall == start.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
        assert wall.replace(tzinfo=own_zone) == start
        assert vevent.dtstart.value.astimezone(UTC) == start


@pytest.mark.parametrize("shift", range(4))
def test_folding_never_splits_utf8_or_escapes(shift):
    name = "x" * shift + FANCY * 2
    raw = build_calendar([entry(
        summary=name + TRICKY, description=(TRICKY + name) * 2, location=name,
        organizer_name=name, attendees=(Attendee("zoe@example.nl", name),),
    )], method="REQUEST", name=name)
    lines = assert_wire_format(raw)
    assert any(line.startswith(b" ") for line in lines)
    for previous in lines:  # an escape pair is never split over two physical lines
        trailing = len(previous) - len(previous.rstrip(b"\\"))
        assert trailing % 2 == 0
    cal, vcal = parse_both(raw)
    (event,) = cal.walk("VEVENT")
    assert event["SUMMARY"] == name + TRICKY
    assert event["DESCRIPTION"] == (TRICKY + name) * 2
    assert event["LOCATION"] == name
    assert ical_attendees(event)[0].params["CN"] == name.strip()
    assert vcal.vevent.summary.value == name + TRICKY
    assert vcal.vevent.description.value == (TRICKY + name) * 2


def test_text_escaping_on_the_wire():
    raw = build_calendar([entry(summary=TRICKY)])
    unfolded = raw.replace(b"\r\n ", b"")
    assert b"SUMMARY:Koffie\\, thee\\; en\\nmeer \\\\ dingen\r\n" in unfolded
    carriage = build_calendar([entry(summary="a\r\nb\rc\x00d")])
    assert b"SUMMARY:a\\nb\\ncd\r\n" in carriage


def test_empty_calendar_is_valid():
    raw = build_calendar([], name="Leeg")
    assert_wire_format(raw)
    cal, vcal = parse_both(raw)
    assert cal.walk("VEVENT") == [] and len(cal.walk("VTIMEZONE")) == 1
    assert vcal.name == "VCALENDAR"
    assert build_calendar([], name="Leeg") == raw
