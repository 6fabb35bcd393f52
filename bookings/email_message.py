"""Build one e-mail, optionally an iMIP invitation (RFC 6047), as an EmailMessage.

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
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage

__all__ = ["build_message"]

# SMTP policy: CRLF line endings in as_bytes(), so .eml files in instance/outbox/ are wire-ready.
POLICY = email.policy.SMTP
_CALENDAR_METHOD = re.compile(rb"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


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
) -> EmailMessage:
    """Return a UTF-8 message; CR or LF in any header value raises ValueError (no injection)."""
    for label, value in (("sender", sender), ("sender_name", sender_name), ("to", to),
                         ("subject", subject), ("message_id", message_id), ("method", method)):
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError(f"{label} must not contain a line break")
    if date is not None and (date.tzinfo is None or date.utcoffset() is None):
        raise ValueError("date must be timezone-aware")

    sender_address = _address(sender, sender_name)
    msg = EmailMessage(policy=POLICY)
    msg["From"] = sender_address
    msg["To"] = _address(to, None)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = _message_id(message_id, sender_address.domain)

    # Quoted-printable keeps long or non-ASCII lines 7-bit safe even without 8BITMIME.
    msg.set_content(_lines(text), subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        msg.add_alternative(_lines(html), subtype="html", charset="utf-8", cte="quoted-printable")
    if calendar is not None:
        method = _method(calendar, method)
        params = {"method": method, "charset": "UTF-8"} if method else {"charset": "UTF-8"}
        if html is None:
            msg.make_alternative()  # a single text part still needs the alternative wrapper
        # base64 keeps the CRLF line endings and 75-octet folding of the calendar byte-exact.
        msg.add_alternative(calendar, maintype="text", subtype="calendar", cte="base64",
                            params=params)
        msg.add_attachment(calendar, maintype="application", subtype="ics", cte="base64",
                           filename="invite.ics", params={"name": "invite.ics"})
    for part in msg.walk():
        if part is not msg:
            del part["MIME-Version"]  # only the top level carries it (RFC 2045 section 4)
    return msg


def _address(addr_spec: str, display_name: str | None) -> Address:
    addr_spec = addr_spec.strip()
    if not addr_spec or any(c.isspace() for c in addr_spec):
        raise ValueError(f"invalid e-mail address {addr_spec!r}")
    address = Address(display_name=display_name or "", addr_spec=addr_spec)
    if not address.username or not address.domain:
        raise ValueError(f"invalid e-mail address {addr_spec!r}")
    return address


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


def _lines(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")
