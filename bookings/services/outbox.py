"""The transactional outbox: e-mail is queued with the change it tells about, and sent after commit.

``queue_message`` only adds a row to the caller's transaction, so a rolled-back booking never sends
an e-mail and a committed one always has its message. ``deliver_pending`` is run by cron (``flask
outbox send``) and, for a request's own messages, right after the response (``deliver_after_request``).

Several workers may run at once. Each claims messages with a lease (``claimed_until``) in a short
transaction of its own, commits the claim, sends, then marks the message sent. On PostgreSQL the
claim is ``SELECT ... FOR UPDATE SKIP LOCKED``; SQLite has no row locks, so each claim is a
conditional UPDATE whose rowcount says whether this worker won (the first UPDATE takes the database's
write lock, and the other workers' UPDATEs then see the lease). Delivery is at least once: a worker
that dies between "sent" and "mark sent" leaves the lease to expire and the message is sent again.
"""
from __future__ import annotations

import logging
import os
import smtplib
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Row

from bookings.extensions import db
from bookings.models import Booking, OutboxKind, OutboxMessage, OutboxStatus
from bookings.services.timezones import utcnow

log = logging.getLogger(__name__)

# After the n-th failed attempt, wait BACKOFF[n - 1]; the last step repeats until MAX_ATTEMPTS.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)  # longer than sending one batch can take
AFTER_REQUEST_TIMEOUT = 5.0  # seconds
_QUEUED = "_outbox_queued_ids"


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again later
    failed: int = 0  # given up


@dataclass(frozen=True)
class PreparedMessage:
    """A message ready for the outbox: serialising one costs milliseconds, so it can be done early."""

    recipient: str
    subject: str
    kind: OutboxKind
    raw: bytes


def prepare_message(message: Message, *, kind: OutboxKind | str) -> PreparedMessage:
    recipients = getaddresses([str(message["To"] or "")])
    if len(recipients) != 1 or not recipients[0][1]:
        raise ValueError("an outbox message has exactly one recipient")
    return PreparedMessage(recipient=recipients[0][1], subject=str(message["Subject"] or "")[:255],
                           kind=OutboxKind(kind), raw=message.as_bytes())


def queue_message(message: Message, *, kind: OutboxKind | str,
                  booking: Booking | None = None) -> OutboxMessage:
    """Add the message to the current transaction; flushes, never commits."""
    return queue_prepared(prepare_message(message, kind=kind), booking=booking)


def queue_prepared(prepared: PreparedMessage, *, booking: Booking | None = None) -> OutboxMessage:
    """Add a prepared message to the current transaction; flushes, never commits."""
    row = OutboxMessage(recipient=prepared.recipient, subject=prepared.subject, kind=prepared.kind,
                        raw=prepared.raw, status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())
    if booking is not None:
        row.booking_id = booking.id
    db.session.add(row)
    db.session.flush()
    # Remembered for deliver_after_request; if the transaction rolls back, the row is gone and
    # delivering "these ids" finds nothing.
    g.setdefault(_QUEUED, []).append(row.id)
    return row


def deliver_pending(*, now: datetime | None = None, limit: int = 100, worker_id: str | None = None,
                    ids: Collection[int] | None = None, timeout: float | None = None) -> DeliveryReport:
    """Claim and send due messages (only ``ids`` when given). Never raises.

    ``timeout`` (seconds) overrides SMTP_TIMEOUT, e.g. for the short try after a request.
    """
    report = DeliveryReport()
    now = now or utcnow()
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    transport = _transport(timeout)
    try:
        # A local transport cannot hang: its messages are claimed, written and marked in one
        # transaction (one turn at SQLite's write lock instead of two). A network transport
        # never holds a transaction open while it talks to the mail server.
        claimed = _claim(now, limit, worker_id, ids, commit=not transport.local)
    except Exception:  # a locked or unreachable database: the next run tries again
        db.session.rollback()
        log.exception("outbox: could not claim messages")
        return report
    report.claimed = len(claimed)
    sent: list[int] = []
    try:
        for message_id, recipient, raw in claimed:
            if _deliver_one(message_id, recipient, raw, transport, now, worker_id, report):
                sent.append(message_id)
    finally:
        transport.close()
        _mark_sent(sent, now, worker_id, report)
    return report


def _claim(now: datetime, limit: int, worker_id: str, ids: Collection[int] | None, *, commit: bool) -> list[Row]:
    """Lease due messages to this worker in one statement; returns (id, recipient, raw) of each."""
    due = [OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
           or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)]
    if ids is not None:
        if not ids:
            return []
        due.append(OutboxMessage.id.in_(list(ids)))
    candidates = select(OutboxMessage.id).where(*due).order_by(
        OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Parallel senders skip each other's rows instead of waiting for them.
        candidates = candidates.with_for_update(skip_locked=True)
    # SQLite runs the statement under its one write lock, PostgreSQL under the row locks taken by
    # the subquery; the repeated conditions make a row leased a moment ago by another sender drop out.
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(candidates.scalar_subquery()), *due)
        .values(claimed_until=now + LEASE, claimed_by=worker_id)
        .returning(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.raw)
        .execution_options(synchronize_session=False)
    ).all()
    if commit:
        db.session.commit()
    return sorted(claimed, key=lambda row: row.id)


def _deliver_one(message_id: int, recipient: str, raw: bytes, transport: _Transport, now: datetime,
                 worker_id: str, report: DeliveryReport) -> bool:
    """Send one claimed message; True when it went out (it is marked sent with the others)."""
    try:
        transport.send(message_id, recipient, raw)
        return True
    except Exception as error:  # noqa: BLE001  every failure is recorded, none escapes
        _record_failure(message_id, error, now, worker_id, report)
        return False


def _mark_sent(message_ids: list[int], now: datetime, worker_id: str, report: DeliveryReport) -> None:
    """One write for the whole run: on SQLite every write transaction queues for the one lock.

    Always commits: with a local transport the claim is still open in this transaction.
    """
    try:
        marked = 0
        if message_ids:
            marked = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == worker_id)
                .values(status=OutboxStatus.SENT, sent_at=now, claimed_until=None, last_error=None,
                        attempts=OutboxMessage.attempts + 1)
            ).rowcount
        db.session.commit()
        report.sent += marked
    except Exception:  # sent, but not marked: they go out once more (a file is simply rewritten)
        db.session.rollback()
        log.exception("outbox: messages %s were sent but could not be marked sent", message_ids)


def _record_failure(message_id: int, error: Exception, now: datetime, worker_id: str,
                    report: DeliveryReport) -> None:
    log.warning("outbox: message %s not delivered: %s", message_id, error)
    try:
        attempts = db.session.scalar(
            select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)) or 0
        attempts += 1
        permanent = isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500 \
            or isinstance(error, smtplib.SMTPRecipientsRefused) \
            and all(code >= 500 for code, _ in error.recipients.values())
        give_up = permanent or attempts >= MAX_ATTEMPTS
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker_id)
            .values(attempts=attempts, claimed_until=None, last_error=f"{type(error).__name__}: {error}"[:2000],
                    status=OutboxStatus.FAILED if give_up else OutboxStatus.PENDING,
                    next_attempt_at=now + BACKOFF[min(attempts, len(BACKOFF)) - 1])
        )
        db.session.commit()
        if give_up:
            report.failed += 1
        else:
            report.retrying += 1
    except Exception:
        db.session.rollback()
        log.exception("outbox: could not record the failure of message %s", message_id)


class _Transport(ABC):
    local = False  # True: send() only writes on this machine and cannot hang

    @abstractmethod
    def send(self, message_id: int, recipient: str, raw: bytes) -> None:
        """Deliver one message or raise."""

    def close(self) -> None:  # noqa: B027  (most transports hold nothing open)
        return None


class _SMTPTransport(_Transport):
    """One connection per run; after a connection failure the rest of the run fails fast."""

    def __init__(self, config, timeout: float | None) -> None:
        self.config = config
        self.timeout = float(timeout or config["SMTP_TIMEOUT"] or 30)
        self.connection: smtplib.SMTP | None = None
        self.broken: Exception | None = None

    def send(self, message_id: int, recipient: str, raw: bytes) -> None:
        if self.broken is not None:  # do not wait for the timeout once per message
            raise self.broken
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.sendmail(self.config["MAIL_FROM"], [recipient], raw)
        except (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
            self.broken = error
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"] or 25),
                                  timeout=self.timeout)
        try:
            if config["SMTP_TLS"]:
                connection.starttls()
            if config["SMTP_USER"]:
                connection.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class _FileTransport(_Transport):
    """No SMTP server configured: <id>.eml files, written whole or not at all."""

    local = True

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message_id: int, recipient: str, raw: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{message_id}.eml"
        temporary = self.directory / f".{message_id}.eml.{os.getpid()}.{threading.get_ident()}"
        temporary.write_bytes(raw)
        os.replace(temporary, final)


def outbox_dir() -> Path:
    configured = current_app.config.get("OUTBOX_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


def _transport(timeout: float | None) -> _Transport:
    # Read at send time, not at start: tests (and operators) may change it on a running app.
    if current_app.config.get("SMTP_HOST"):
        return _SMTPTransport(current_app.config, timeout)
    return _FileTransport(outbox_dir())


def deliver_after_request(app: Flask) -> None:
    """Send a request's own messages once its response has gone out; cron sends what is left."""

    @app.after_request
    def schedule_delivery(response):
        ids = list(g.pop(_QUEUED, ()))
        if ids and app.config.get("OUTBOX_SEND_AFTER_REQUEST", True):
            # call_on_close runs after the server wrote the body and after the request's session
            # was removed: by then the transaction has committed, or rolled back and the rows
            # are gone. The visitor never waits for the mail server.
            response.call_on_close(lambda: _deliver_quietly(app, ids))
        return response


def _deliver_quietly(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            try:
                # A hung mail server must not hold this worker for long: cron retries anyway.
                deliver_pending(ids=ids, timeout=min(AFTER_REQUEST_TIMEOUT,
                                                     float(app.config["SMTP_TIMEOUT"] or 30)))
            finally:
                db.session.remove()
    except Exception:  # never break the response; the messages stay queued for cron
        app.logger.exception("outbox: delivery after the request failed")
