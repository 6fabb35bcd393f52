"""Thunderbird's parser (ical.js, from npm) reads our calendars at the instants zoneinfo gives.

ical.js computes offsets only from the VTIMEZONE in the file, so this checks our VTIMEZONE the way
a calendar client does. CI runs `npm ci`; a missing node or ical.js fails the test, never skips.
"""

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bookings.ical import Attendee, CalendarEntry, build_calendar

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "js" / "parse_ics.mjs"
UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
FANCY = "Zoë Çelik-Øster 😀 " * 6
TRICKY = "Koffie, thee; en\nmeer \\ dingen"
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


def ical_js(raw: bytes) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 20+ (CI does) to run the ical.js check")
    if not (ROOT / "node_modules" / "ical.js" / "package.json").is_file():
        pytest.fail(f"node_modules/ical.js is missing: run `npm ci` in {ROOT}")
    done = subprocess.run([node, str(SCRIPT)], input=raw, capture_output=True, cwd=ROOT,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout)


def z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry(n, start, **overrides):
    values = dict(
        uid=f"booking-ABCD234{n}@spreekuur", sequence=n, start=start,
        end=start + timedelta(minutes=60), summary=f"{TRICKY} {n}", stamp=STAMP,
        location="Bibliotheek Amstelveen, Stadsplein 1", description=FANCY + TRICKY,
        organizer_email="bibliotheek@example.org", organizer_name="Bibliotheek Amstelland",
        attendees=(Attendee("zoe@example.nl", FANCY), Attendee(None, "Zonder E-mail"),
                   Attendee("coach@example.org", "Coach, Jan", partstat="NEEDS-ACTION")),
        alarm_before=timedelta(minutes=30),
    )
    values.update(overrides)
    return CalendarEntry(**values)


def test_dst_instants_match_zoneinfo():
    entries = [entry(n, start) for n, start in enumerate(DST_STARTS)]
    parsed = ical_js(build_calendar(entries, method="PUBLISH", name="Spreekuur"))
    assert parsed["method"] == "PUBLISH"
    assert parsed["timezones"] == ["Europe/Amsterdam"]
    assert len(parsed["events"]) == len(entries)
    for source, event in zip(entries, parsed["events"]):
        assert event["uid"] == source.uid
        assert (event["start_utc"], event["end_utc"]) == (z(source.start), z(source.end))
        assert (event["start_unix_utc"], event["end_unix_utc"]) == (z(source.start), z(source.end))
        local = source.start.astimezone(AMS)
        if event["start_zone"] == "Europe/Amsterdam":  # wall time as zoneinfo sees it
            assert event["start_local"] == local.replace(tzinfo=None).isoformat()
        else:  # only the repeated autumn hour (02:00-03:00 twice) is written in UTC
            assert local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()
            assert event["start_zone"] == "UTC"


def test_request_fields():
    start = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    parsed = ical_js(build_calendar([entry(4, start)], method="REQUEST"))
    assert parsed["method"] == "REQUEST"
    (event,) = parsed["events"]
    assert event["start_zone"] == "Europe/Amsterdam"
    assert event["start_local"] == "2026-12-07T19:00:00"
    assert event["sequence"] == 4 and event["status"] == "CONFIRMED"
    assert event["summary"] == f"{TRICKY} 4"
    assert event["description"] == FANCY + TRICKY
    assert event["location"] == "Bibliotheek Amstelveen, Stadsplein 1"
    assert event["organizer"] == {"cn": "Bibliotheek Amstelland",
                                  "value": "mailto:bibliotheek@example.org"}
    assert event["attendees"] == [
        {"cn": FANCY.strip(), "partstat": "ACCEPTED", "value": "mailto:zoe@example.nl"},
        {"cn": "Coach, Jan", "partstat": "NEEDS-ACTION", "value": "mailto:coach@example.org"},
    ]
    assert event["alarms"] == [{"action": "DISPLAY", "trigger": "-PT30M"}]


def test_cancel_and_empty():
    start = datetime(2027, 3, 29, 17, 0, tzinfo=UTC)
    parsed = ical_js(build_calendar([entry(2, start, status="CANCELLED")], method="CANCEL"))
    assert parsed["method"] == "CANCEL"
    assert [(e["status"], e["start_utc"]) for e in parsed["events"]] == [("CANCELLED", z(start))]
    assert ical_js(build_calendar([]))["events"] == []
