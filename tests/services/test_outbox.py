"""The outbox: queued with the change, sent once, retried with backoff, safe with several workers."""
import email
import email.policy
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import func, select

from bookings.email_message import build_message
from bookings.extensions import db
from bookings.models import OutboxKind, OutboxMessage, OutboxStatus
from bookings.services.outbox import BACKOFF, MAX_ATTEMPTS, deliver_pending, queue_message
from tests.smtp import free_port, use_smtp

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def message(n: int, to: str | None = None):
    return build_message(sender="bibliotheek@example.org", sender_name="Bibliotheek", to=to or f"r{n}@example.org",
                         subject=f"Bericht {n}", text=f"Hallo {n}", message_id=f"<msg-{n}@test>")


def queue(n: int, **kwargs) -> int:
    row = queue_message(message(n, **kwargs), kind=OutboxKind.OTHER)
    db.session.commit()
    return row.id


def statuses() -> list[tuple[OutboxStatus, int]]:
    db.session.expire_all()
    return [(m.status, m.attempts) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_message_commits_and_rolls_back_with_its_transaction(app):
    queue_message(message(1), kind=OutboxKind.OTHER)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    queue_message(message(2), kind="invitation")
    db.session.commit()
    (row,) = db.session.scalars(select(OutboxMessage)).all()
    assert (row.recipient, row.subject, row.kind, row.status) == (
        "r2@example.org", "Bericht 2", OutboxKind.INVITATION, OutboxStatus.PENDING)
    assert email.message_from_bytes(row.raw, policy=email.policy.default)["Message-ID"] == "<msg-2@test>"


def test_each_message_is_sent_exactly_once_through_smtp(smtp_app, smtp_server):
    for n in range(3):
        queue(n)
    report = deliver_pending(now=T0)
    assert (report.claimed, report.sent, report.retrying, report.failed) == (3, 3, 0, 0)
    assert deliver_pending(now=T0 + timedelta(hours=1)).claimed == 0
    received = smtp_server.inbox.received
    assert sorted(rcpts[0] for _, rcpts, _ in received) == ["r0@example.org", "r1@example.org", "r2@example.org"]
    assert all(sender == "bibliotheek@example.org" for sender, _, _ in received)
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == ["<msg-0@test>", "<msg-1@test>", "<msg-2@test>"]
    assert statuses() == [(OutboxStatus.SENT, 1)] * 3


def test_server_down_keeps_messages_pending_then_delivers_each_once(app, smtp_servers):
    port = free_port()  # nothing listens here yet
    use_smtp(app, port)
    ids = [queue(n) for n in range(2)]
    report = deliver_pending(now=T0)
    assert (report.claimed, report.sent, report.retrying) == (2, 0, 2)
    db.session.expire_all()
    rows = [db.session.get(OutboxMessage, i) for i in ids]
    assert all(r.status == OutboxStatus.PENDING and r.attempts == 1 for r in rows)
    assert all(r.next_attempt_at == T0 + BACKOFF[0] and r.claimed_until is None and r.last_error for r in rows)

    assert deliver_pending(now=T0 + BACKOFF[0] / 2).claimed == 0  # not due yet
    server = smtp_servers(port)
    report = deliver_pending(now=T0 + BACKOFF[0])
    assert (report.claimed, report.sent) == (2, 2)
    assert deliver_pending(now=T0 + timedelta(days=1)).claimed == 0
    assert sorted(m["Message-ID"] for m in server.messages) == ["<msg-0@test>", "<msg-1@test>"]
    assert statuses() == [(OutboxStatus.SENT, 2)] * 2


def test_backoff_grows_and_gives_up(app):
    use_smtp(app, free_port())
    (message_id,) = [queue(1)]
    now = T0
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_pending(now=now)
        assert report.claimed == 1
        row = db.session.get(OutboxMessage, message_id)
        db.session.refresh(row)
        assert row.attempts == attempt
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert row.status == OutboxStatus.FAILED and report.failed == 1
    assert waits[:5] == list(BACKOFF) and waits == sorted(waits)
    assert deliver_pending(now=now + timedelta(days=30)).claimed == 0


def test_parallel_workers_never_send_a_message_twice(app, smtp_server):
    use_smtp(app, smtp_server.port)
    total = 40
    for n in range(total):
        queue_message(message(n), kind=OutboxKind.OTHER)
    db.session.commit()
    start = threading.Barrier(4)
    reports, errors = [], []

    def worker(name: str, flask_app: Flask):
        try:
            with flask_app.app_context():
                start.wait()
                while True:
                    report = deliver_pending(limit=3, worker_id=name)
                    reports.append((name, report))
                    if report.claimed == 0:
                        break
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"w{i}", app)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == total and len(set(ids)) == total
    assert sum(report.sent for _, report in reports) == total
    assert statuses() == [(OutboxStatus.SENT, 1)] * total


def test_without_smtp_host_messages_become_eml_files(app, tmp_path):
    ids = [queue(n) for n in range(2)]
    assert deliver_pending().sent == 2
    for message_id in ids:
        raw = (tmp_path / "outbox" / f"{message_id}.eml").read_bytes()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert parsed["To"] == f"r{message_id - 1}@example.org"
        assert parsed.get_content_type() == "text/plain"
    assert [p.name for p in (tmp_path / "outbox").iterdir() if p.name.startswith(".")] == []


def test_a_file_that_cannot_be_written_is_retried_later_and_nothing_stays_claimed(app, tmp_path):
    first = queue(1)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the outbox folder should be")
    app.config["OUTBOX_DIR"] = str(blocked)
    report = deliver_pending(now=T0 + timedelta(minutes=1))
    assert (report.claimed, report.sent, report.retrying) == (1, 0, 1)
    db.session.expire_all()
    row = db.session.get(OutboxMessage, first)
    assert row.status == OutboxStatus.PENDING and row.claimed_until is None and "Error" in row.last_error
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    assert deliver_pending(now=T0 + timedelta(hours=1)).sent == 1
    assert (tmp_path / "outbox" / f"{first}.eml").exists()


def _route_that_queues(app, *, fail: bool = False):
    @app.get("/_test/queue")
    def queue_view():
        queue_message(message(7), kind=OutboxKind.OTHER)
        if fail:
            db.session.rollback()
        else:
            db.session.commit()
        return "ok"


def get(client, url: str):
    """As a WSGI server does: send the body, then close the response (which runs call_on_close)."""
    response = client.get(url)
    response.close()
    return response


def test_a_request_delivers_its_own_messages_after_the_response(app, client, smtp_server):
    use_smtp(app, smtp_server.port)
    queue(1)  # an older message: left to cron, not to this request
    _route_that_queues(app)
    assert get(client, "/_test/queue").status_code == 200
    assert [m["To"] for m in smtp_server.messages] == ["r7@example.org"]
    assert sorted(s for s, _ in statuses()) == [OutboxStatus.PENDING, OutboxStatus.SENT]


def test_after_request_delivery_never_breaks_the_response(app, client):
    use_smtp(app, free_port())  # server down
    _route_that_queues(app)
    assert get(client, "/_test/queue").status_code == 200
    assert statuses() == [(OutboxStatus.PENDING, 1)]


def test_after_request_delivery_can_be_switched_off(app, client, smtp_server):
    use_smtp(app, smtp_server.port)
    app.config["OUTBOX_SEND_AFTER_REQUEST"] = False
    _route_that_queues(app)
    assert get(client, "/_test/queue").status_code == 200
    assert smtp_server.messages == [] and statuses() == [(OutboxStatus.PENDING, 0)]


def test_a_rolled_back_request_sends_nothing(app, client, smtp_server):
    use_smtp(app, smtp_server.port)
    _route_that_queues(app, fail=True)
    assert get(client, "/_test/queue").status_code == 200
    assert smtp_server.messages == [] and statuses() == []


def test_cli_outbox_send(app, runner, smtp_server):
    use_smtp(app, smtp_server.port)
    queue(1)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    use_smtp(app, free_port())
    queue(2)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "retrying 1" in result.output
