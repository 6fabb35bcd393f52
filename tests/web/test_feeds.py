"""Calendar feeds: private per volunteer, public per branch; cheap conditional GETs."""
import random
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import icalendar
import pytest

from bookings.extensions import db
from bookings.ical import CalendarEntry, build_calendar
from bookings.models import BookingStatus, ServiceKind
from bookings.services import feeds
from bookings.services.calendar import booking_uid
from bookings.services.feed_writer import write_feed
from bookings.services.feeds import FeedLinkUnknown, feed_url, new_feed_token, webcal_url
from bookings.services.timezones import utcnow
from tests.factories import create_booking, create_branch, create_event, create_service, create_volunteer, soon
from tests.services.test_ical_js import DST_STARTS, FANCY, TRICKY, ical_js

UTC = timezone.utc
SECRETS = ("amira@example.org", "612345678", "Private note", "manage")


@pytest.fixture
def world(app):
    branch = create_branch(slug="amstelveen", name="Bibliotheek Amstelveen", address="Stadsplein 1")
    service = create_service(name_nl="Loopbaancoach", name_en="Career coach", duration_minutes=45)
    week = create_service(kind=ServiceKind.EVENT, name_nl="Week van de loopbaan", duration_minutes=30)
    coach = create_volunteer(email="coach@example.org", first_name="Jan")
    other = create_volunteer(email="els@example.org", first_name="Els")
    earlier = utcnow() - timedelta(hours=3)
    common = dict(service=service, branch=branch, email="amira@example.org", phone="+31612345678",
                  notes="Private note", updated_at=earlier)
    mine = create_booking(token="t1", volunteer=coach, starts_at=soon(2, 9), topic="cv", **common)
    second = create_booking(token="t2", volunteer=coach, starts_at=soon(3, 9), first_name="Bram", topic="other", **common)
    theirs = create_booking(token="t3", volunteer=other, starts_at=soon(2, 12), first_name="Chris", **common)
    event = create_event(service=week, branch=branch, starts_at=soon(4, 12), host=coach)
    place = create_booking(token="t4", service=week, branch=branch, volunteer=coach, event=event, place_number=1,
                           starts_at=event.starts_at, first_name="Dewi", email="dewi@example.org",
                           updated_at=earlier)
    waiting = create_booking(token="t5", service=week, branch=branch, volunteer=coach, event=event, place_number=None,
                             starts_at=event.starts_at, first_name="Eva", status=BookingStatus.WAITLISTED,
                             updated_at=earlier)
    token = new_feed_token(coach)
    return dict(branch=branch, coach=coach, mine=mine, second=second, theirs=theirs, event=event,
                place=place, waiting=waiting, token=token, url=f"/feeds/volunteers/{token}.ics")


def vevents(raw: bytes) -> list:
    return list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))


def unfolded(raw: bytes) -> str:
    return raw.decode("utf-8").replace("\r\n ", "")


def test_volunteer_feed_shows_their_work_with_first_names_and_topics_only(client, world):
    response = client.get(world["url"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert parsedate_to_datetime(response.headers["Last-Modified"]) <= utcnow()
    assert "private" in response.headers["Cache-Control"]
    raw = response.data
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]).endswith("Jan")
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Amsterdam"
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(by_uid) == {booking_uid(world["mine"]), booking_uid(world["second"]),
                           booking_uid(world["place"]), f"event-{world['event'].id}@spreekuur"}
    mine = by_uid[booking_uid(world["mine"])]
    assert "Amira" in str(mine["SUMMARY"]) and "Een cv maken" in str(mine["DESCRIPTION"])
    assert mine.decoded("DTSTART").astimezone(UTC) == world["mine"].starts_at
    assert int(mine["SEQUENCE"]) == world["mine"].sequence
    assert "ORGANIZER" not in mine and "ATTENDEE" not in mine
    assert "Dewi" in str(by_uid[booking_uid(world["place"])]["SUMMARY"])
    text = unfolded(raw)
    assert not [s for s in SECRETS + ("dewi@example.org", "Chris", "Eva") if s in text]

    parsed = ical_js(raw)
    assert parsed["method"] == "PUBLISH"
    starts = {e["uid"]: e["start_utc"] for e in parsed["events"]}
    assert starts[booking_uid(world["mine"])] == world["mine"].starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_conditional_gets_answer_304_without_rendering(client, world, monkeypatch):
    first = client.get(world["url"])
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(world["url"]).headers["ETag"] == etag  # stable

    def no_render(*args, **kwargs):
        raise AssertionError("a 304 must not render the feed")

    monkeypatch.setattr(feeds, "render_volunteer_feed", no_render)
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", {etag}'},
                    {"If-Modified-Since": modified}):
        response = client.get(world["url"], headers=headers)
        assert response.status_code == 304, headers
        assert response.data == b"" and response.headers["ETag"] == etag
    # If-None-Match wins over If-Modified-Since (RFC 9110): a stale tag means a full answer.
    monkeypatch.undo()
    response = client.get(world["url"], headers={"If-None-Match": '"stale"', "If-Modified-Since": modified})
    assert response.status_code == 200


def test_a_cancellation_leaves_the_feed_and_moves_last_modified_forward(client, world):
    before = client.get(world["url"])
    booking = db.session.get(type(world["mine"]), world["mine"].id)
    booking.status = BookingStatus.CANCELLED
    booking.sequence += 1
    db.session.commit()
    after = client.get(world["url"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    old, new = (parsedate_to_datetime(r.headers["Last-Modified"]) for r in (before, after))
    assert new > old
    assert booking_uid(booking) not in {str(e["UID"]) for e in vevents(after.data)}
    assert client.get(world["url"], headers={"If-Modified-Since": before.headers["Last-Modified"]}).status_code == 200
    assert client.get(world["url"], headers={"If-Modified-Since": after.headers["Last-Modified"]}).status_code == 304


def test_last_modified_never_goes_back_and_starts_at_today(app, world):
    validators = feeds.volunteer_validators(world["coach"])
    floor = feeds.feed_window()[0]
    assert validators.last_modified.astimezone(feeds.zone("Europe/Amsterdam")).date() == floor
    tomorrow = utcnow() + timedelta(days=1)
    later = feeds.volunteer_validators(world["coach"], now=tomorrow)
    assert later.last_modified > validators.last_modified and later.etag != validators.etag


def test_branch_feed_has_no_personal_data(client, world):
    response = client.get("/feeds/branches/amstelveen.ics")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    raw = response.data
    text = unfolded(raw)
    for secret in SECRETS + ("Amira", "Bram", "Chris", "Dewi", "Eva", "Jan", "Els", "cv maken",
                             "coach@example.org", world["mine"].reference, "booking-"):
        assert secret not in text, secret
    events = vevents(raw)
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    # Three appointments as busy time, the event itself; places and the waiting list are not shown.
    assert len(events) == 4 and summaries.count("Week van de loopbaan") == 1
    assert all("Loopbaancoach" in s for s in summaries if s != "Week van de loopbaan")
    assert len(ical_js(raw)["events"]) == 4
    etag = response.headers["ETag"]
    assert client.get("/feeds/branches/amstelveen.ics", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/branches/nowhere.ics").status_code == 404


def test_wrong_token_is_a_plain_404_and_rotation_revokes(client, world):
    wrong = client.get("/feeds/volunteers/not-a-token.ics")
    assert wrong.status_code == 404 and wrong.mimetype == "text/plain"
    assert b"<" not in wrong.data
    new_token = new_feed_token(world["coach"])
    assert client.get(world["url"]).status_code == 404
    assert client.get(f"/feeds/volunteers/{new_token}.ics").status_code == 200


def test_feed_url_and_webcal(app, world):
    coach = world["coach"]
    assert feed_url(coach).endswith(f"/feeds/volunteers/{world['token']}.ics")  # just issued here
    fresh = create_volunteer(first_name="Fenna")
    url = feed_url(fresh)  # no link yet: one is made
    assert url.startswith("http://bibliotheek.test/feeds/volunteers/") and fresh.feed_token_hash
    db.session.expunge(fresh)  # as in a later request: the plain token is gone
    with pytest.raises(FeedLinkUnknown):
        feed_url(db.session.get(type(fresh), fresh.id))  # only a hash is kept
    assert webcal_url("https://bieb.example/feeds/volunteers/x.ics") == "webcal://bieb.example/feeds/volunteers/x.ics"
    with pytest.raises(ValueError):
        webcal_url("ftp://x")


def test_cli_feed_url_prints_a_working_url_and_revokes_the_old_one(app, client, runner, world):
    result = runner.invoke(args=["feed-url", "COACH@example.org"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("http://bibliotheek.test/feeds/volunteers/")
    assert "no longer works" in result.stderr and "webcal://" in result.stderr
    assert client.get(url.removeprefix("http://bibliotheek.test")).status_code == 200
    assert client.get(world["url"]).status_code == 404
    assert runner.invoke(args=["feed-url", "nobody@example.org"]).exit_code != 0


@pytest.mark.parametrize("seed", range(3))
def test_the_fast_writer_gives_the_bytes_of_build_calendar(seed):
    rng = random.Random(seed)
    texts = [TRICKY, FANCY, "a" * 200, "kort", "x\\Ny; z,", "line\r\nbreak\rcr", "tab\there", " spaces ", "bel\x07l\x85x", "regel\nregel"]
    entries = []
    for n, start in enumerate(DST_STARTS + [datetime(2026, 12, 7, 18, 0, 1, 5, tzinfo=UTC)]):
        stamp = datetime(2026, 9, 1, 8, 0, 0, rng.randrange(10**6), tzinfo=UTC)
        entries.append(CalendarEntry(
            uid=f"booking-{rng.choice(texts)[:20]}{n}@spreekuur", sequence=rng.randrange(5), start=start,
            end=start + timedelta(minutes=rng.choice((30, 45, 60, 90))), summary=rng.choice(texts), stamp=stamp,
            location=rng.choice(texts + [None]), description=rng.choice(texts + [None]),
            status=rng.choice(("CONFIRMED", "CANCELLED")), last_modified=rng.choice((stamp, None)),
            transparent=rng.random() < 0.2))
    rng.shuffle(entries)
    expected = build_calendar(entries, method="PUBLISH", name="Spreekuur: Zoë", refresh=feeds.REFRESH)
    assert write_feed(entries, name="Spreekuur: Zoë", refresh=feeds.REFRESH) == expected
    assert write_feed([], name="leeg", refresh=feeds.REFRESH) == build_calendar([], method="PUBLISH", name="leeg",
                                                             refresh=feeds.REFRESH)
