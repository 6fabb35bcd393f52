"""bookings.email_message parsed back with the standard library's own parser."""

import email
import email.policy
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from bookings.email_message import build_message
from bookings.ical import Attendee, CalendarEntry, build_calendar

UTC = timezone.utc
SENDER_NAME = "Bibliotheek Amstelland – Zoë Çelik-Øster 😀"
SUBJECT = "Bevestiging: afspraak met Zoë Çelik-Øster 😀 op maandag 7 december, 19:00 " * 2
TEXT = "Hallo Zoë,\n\nUw afspraak staat vast.\r\nTot maandag! " + "é" * 200
HTML = "<p>Hallo Zoë,</p><p>Uw afspraak staat vast.</p>"
DATE = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def calendar(method="REQUEST", status="CONFIRMED"):
    start = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    return build_calendar([CalendarEntry(
        uid="booking-ABCD2345@spreekuur", sequence=1, start=start,
        end=start + timedelta(minutes=45), summary="Loopbaancoach, Zoë", stamp=DATE,
        description="Zoë Çelik-Øster 😀 " * 10, status=status,
        organizer_email="bibliotheek@example.org", organizer_name="Bibliotheek",
        attendees=(Attendee("zoe@example.nl", "Zoë Çelik-Øster"),),
    )], method=method)


def build(**overrides):
    values = dict(sender="bibliotheek@example.org", sender_name=SENDER_NAME,
                  to="zoe@example.nl", subject=SUBJECT, text=TEXT, html=HTML,
                  calendar=calendar(), method="REQUEST",
                  message_id="<booking-ABCD2345.1@example.org>", date=DATE)
    values.update(overrides)
    return build_message(**values)


def reparse(msg):
    raw = msg.as_bytes()
    assert all(line.endswith(b"\r") for line in raw.split(b"\n")[:-1])  # CRLF on the wire
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 line limit
    raw.decode("ascii")  # 7-bit clean: no reliance on 8BITMIME or SMTPUTF8
    return email.message_from_bytes(raw, policy=email.policy.default)


def body(part):
    return part.get_content().replace("\r\n", "\n")  # CRLF on the wire stays in the QP text


def test_invitation_structure_and_round_trip():
    ics = calendar()
    parsed = reparse(build(calendar=ics))

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, invite = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert body(plain) == TEXT.replace("\r\n", "\n") + "\n"
    assert html.get_content_type() == "text/html" and "Zoë" in html.get_content()
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_param("charset").upper() == "UTF-8"
    assert invite.get_payload(decode=True) == ics  # byte-exact, CRLF kept
    assert icalendar.Calendar.from_ical(invite.get_payload(decode=True))["METHOD"] == "REQUEST"

    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() in ("application/ics", "text/calendar")
    assert attachment.get_payload(decode=True) == ics
    assert parsed.get_all("MIME-Version") == ["1.0"]
    assert all("MIME-Version" not in part for part in parsed.walk() if part is not parsed)


def test_headers_round_trip_non_ascii():
    parsed = reparse(build())
    assert parsed["Subject"] == SUBJECT
    assert parsed["From"].addresses[0].display_name == SENDER_NAME
    assert parsed["From"].addresses[0].addr_spec == "bibliotheek@example.org"
    assert parsed["To"].addresses[0].addr_spec == "zoe@example.nl"
    assert parsed["Message-ID"] == "<booking-ABCD2345.1@example.org>"
    assert parsed["Date"].datetime == DATE


def test_generated_message_id_uses_sender_domain():
    parsed = reparse(build(message_id=None, date=None))
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@example.org>")
    assert parsed["Date"].datetime.tzinfo is not None


def test_cancel_method_from_calendar_and_mismatch_refused():
    ics = calendar(method="CANCEL", status="CANCELLED")
    parsed = reparse(build(calendar=ics, method=None))
    invite = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert invite.get_param("method") == "CANCEL"
    with pytest.raises(ValueError):
        build(calendar=ics, method="REQUEST")


def test_text_only_calendar_still_nests_alternative():
    parsed = reparse(build(html=None))
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/calendar",
        "application/ics"]


def test_without_calendar():
    with_html = reparse(build(calendar=None, method=None))
    assert [p.get_content_type() for p in with_html.walk()] == [
        "multipart/alternative", "text/plain", "text/html"]
    plain = reparse(build(calendar=None, method=None, html=None))
    assert plain.get_content_type() == "text/plain"
    assert body(plain) == TEXT.replace("\r\n", "\n") + "\n"


@pytest.mark.parametrize("field, value", [
    ("subject", "Hallo\r\nBcc: victim@example.com"),
    ("subject", "Hallo\nBcc: victim@example.com"),
    ("sender_name", "Bieb\rBcc: victim@example.com"),
    ("to", "zoe@example.nl\r\nBcc: victim@example.com"),
    ("sender", "bibliotheek@example.org\nBcc: victim@example.com"),
    ("message_id", "<a@b>\r\nBcc: victim@example.com"),
    ("to", "not an address"),
    ("date", datetime(2026, 11, 30, 9, 15)),
])
def test_header_injection_and_bad_values_refused(field, value):
    with pytest.raises(ValueError):
        build(**{field: value})
