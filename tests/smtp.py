"""A real SMTP server for tests (aiosmtpd), and the app configured to send through it."""
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the server received: (envelope sender, recipients, parsed message), in order."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self._lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [message for _, _, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [message for _, rcpts, message in self.received if address in rcpts]


class SMTPServer:
    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.inbox = Inbox()
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port)

    def start(self) -> "SMTPServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def to(self, address: str) -> list[EmailMessage]:
        return self.inbox.to(address)


def use_smtp(app, port: int, host: str = "127.0.0.1") -> None:
    """The outbox reads its settings at send time, so a running app can be pointed elsewhere."""
    app.config.update(SMTP_HOST=host, SMTP_PORT=port, SMTP_TLS=False, SMTP_USER=None, SMTP_TIMEOUT=5)


@pytest.fixture
def smtp_servers():
    """Start servers on demand (e.g. on a port that was down a moment ago); all stop at the end."""
    started: list[SMTPServer] = []

    def start(port: int | None = None) -> SMTPServer:
        server = SMTPServer(port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_servers) -> SMTPServer:
    return smtp_servers()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The app sending through ``smtp_server``."""
    use_smtp(app, smtp_server.port)
    return app
