"""Settings. Load order: defaults, instance/config.py, BOOKINGS_* environment, test config."""
import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite file in instance/
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_FROM": "bibliotheek@example.org",
    "MAIL_FROM_NAME": "Bibliotheek Spreekuur",
    "SMTP_HOST": None,  # None: write .eml files to instance/outbox/
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_TLS": False,
    "SMTP_TIMEOUT": 30,  # seconds per connection attempt and command
    "OUTBOX_DIR": None,  # None: instance/outbox/ (used when SMTP_HOST is unset)
    "OUTBOX_SEND_AFTER_REQUEST": True,  # deliver a request's own messages right after it commits
    "REMINDER_HOURS": 24,
    "RETENTION_DAYS": 30,
    "PROXY_HOPS": 0,  # reverse proxies in front that set X-Forwarded-For/-Proto (trust exactly these)
    "RATELIMIT_STORAGE_URL": "memory://",
    "DATABASE_LOCK_TIMEOUT": 15,  # seconds a writer waits for a lock before "busy, try again"
    "DATABASE_STATEMENT_TIMEOUT": 30,  # seconds; PostgreSQL only: ends a runaway query
    "READ_CACHE_SIZE": 1024,  # public answers (free times, feeds) kept per worker; 0: none (read_cache)
    "HELP_PHONE": "0800 - 1234 567",
    "SEED_DEMO_ON_FIRST_START": False,
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ("nl", "en"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a resident may take their time; the token is tied to the session
    "MAX_CONTENT_LENGTH": 64 * 1024,
}


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(str(Path(app.instance_path) / "config.py"), silent=True)
    # Values are parsed as JSON when they can be (BOOKINGS_SMTP_PORT=2525 is an int).
    app.config.from_prefixed_env("BOOKINGS")
    if test_config:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'bookings.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    _engine_options(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance / "secret_key")
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _engine_options(app: Flask) -> None:
    """Bound every wait for a lock; a wait that runs out becomes ServiceBusy ("try again")."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    lock_timeout = app.config["DATABASE_LOCK_TIMEOUT"]
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        # Writers queue instead of failing at once with "database is locked".
        connect_args.setdefault("timeout", lock_timeout)
    elif url.startswith("postgresql"):
        # Set at connection start (no extra round trip): lock_timeout ends a wait for a row lock
        # (services.locking), statement_timeout a runaway query. Both raise an OperationalError,
        # which services.transactions turns into ServiceBusy (HTTP 503 "busy"), never a 500.
        timeouts = (f"-c lock_timeout={int(lock_timeout * 1000)} "
                    f"-c statement_timeout={int(app.config['DATABASE_STATEMENT_TIMEOUT'] * 1000)}")
        connect_args["options"] = f"{timeouts} {connect_args.get('options', '')}".strip()
        # A server restart or a load balancer's idle cut leaves dead pooled connections.
        options.setdefault("pool_pre_ping", True)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret_key(path: Path) -> str:
    """Read the key generated at first start, or generate it (never a key in the repository)."""
    if path.exists():
        return path.read_text().strip()
    # Write to a private temporary file, then link it into place: when several workers start
    # at once, exactly one key wins and every worker reads that one.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
