"""Build one e-mail, optionally an iMIP invitation (RFC 6047), as a MIME message.

Pure: nothing is sent here (the outbox does that after the commit). With a calendar, the tree is
the one Outlook, Gmail and Apple Mail all recognise as an invitation:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html                                   (when given)
        text/calendar; method=REQUEST; charset=UTF-8
      application/ics; name=invite.ics              (attachment, for clients without iMIP)
"""

from __future__ import annotations

import email.policy
import email.utils
import re
import secrets
from datetime import datetime, timezone
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

__all__ = ["build_message"]

# The classic MIME classes with CRLF line endings, so .eml files in instance/outbox/ are
# wire-ready. Not EmailMessage: that parses every header it is given, which made building one
# invitation cost as much as the rest of a booking.
POLICY = email.policy.compat32.clone(linesep="\r\n")
_CALENDAR_METHOD = re.compile(rb"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)
# Quoted-printable keeps long or non-ASCII lines 7-bit safe even without 8BITMIME.
_TEXT_CHARSET = Charset("utf-8")
_TEXT_CHARSET.body_encoding = QP


def build_message(
    *,
    sender: str,
    sender_name: str | None,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    calendar: bytes | None = None,
    method: str | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
) -> Message:
    """Return a UTF-8 message; CR or LF in any header value raises ValueError (no injection)."""
    for label, value in (("sender", sender), ("sender_name", sender_name), ("to", to),
                         ("subject", subject), ("message_id", message_id), ("method", method)):
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError(f"{label} must not contain a line break")
    if date is not None and (date.tzinfo is None or date.utcoffset() is None):
        raise ValueError("date must be timezone-aware")
    sender = _address(sender)
    to = _address(to)

    parts = [_text(text, "plain")] + ([_text(html, "html")] if html is not None else [])
    if calendar is not None:
        method = _method(calendar, method)
        params = {"method": method, "charset": "UTF-8"} if method else {"charset": "UTF-8"}
        # base64 keeps the CRLF line endings and 75-octet folding of the calendar byte-exact.
        # A single text part still gets the alternative wrapper around it and the calendar.
        attachment = _base64("application", "ics", calendar, {"name": "invite.ics"})
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        alternative = _multipart("alternative", parts + [_base64("text", "calendar", calendar, params)])
        msg = _multipart("mixed", [alternative, attachment])
    elif html is not None:
        msg = _multipart("alternative", parts)
    else:
        msg = parts[0]
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # only the top level carries it (RFC 2045 section 4)

    msg["From"] = email.utils.formataddr((sender_name or "", sender), charset="utf-8")
    msg["To"] = to
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    msg["Date"] = email.utils.format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = _message_id(message_id, sender.rpartition("@")[2])
    return msg


def _text(body: str, subtype: str) -> MIMEText:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return MIMEText(body if body.endswith("\n") else body + "\n", subtype, _TEXT_CHARSET, policy=POLICY)


def _base64(maintype: str, subtype: str, payload: bytes, params: dict) -> MIMEBase:
    part = MIMEBase(maintype, subtype, policy=POLICY, **params)
    part.set_payload(payload)
    encoders.encode_base64(part)
    return part


def _multipart(subtype: str, parts: list[Message]) -> MIMEMultipart:
    # Our own boundary: the generator would otherwise compile a regular expression per part to
    # pick one. "=_" never occurs in quoted-printable or base64 bodies, so it cannot collide.
    return MIMEMultipart(subtype, boundary=f"=_{secrets.token_hex(16)}", _subparts=parts, policy=POLICY)


def _address(addr_spec: str) -> str:
    addr_spec = addr_spec.strip()
    local, at, domain = addr_spec.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in '<>,;"' for c in addr_spec):
        raise ValueError(f"invalid e-mail address {addr_spec!r}")
    return addr_spec


def _message_id(message_id: str | None, domain: str) -> str:
    if message_id is None:
        return email.utils.make_msgid(domain=domain)
    message_id = message_id.strip()
    if not message_id or any(c.isspace() for c in message_id):
        raise ValueError(f"invalid Message-ID {message_id!r}")
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _method(calendar: bytes, method: str | None) -> str | None:
    """RFC 6047: the Content-Type method must equal the calendar's METHOD (Outlook checks)."""
    found = _CALENDAR_METHOD.search(calendar)
    in_calendar = found.group(1).decode("ascii").upper() if found else None
    if method is None:
        return in_calendar
    method = method.upper()
    if in_calendar is not None and in_calendar != method:
        raise ValueError(f"method {method} differs from the calendar's METHOD:{in_calendar}")
    return method
