"""Spreekuur: booking service for public libraries."""
import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, pages, API, feeds and commands."""
    from bookings import auth, cli, cli_calendar, cli_privacy, errors, i18n, security
    from bookings.api import bp as api_bp
    from bookings.config import load_config
    from bookings.database import configure_engine
    from bookings.extensions import babel, csrf, db, limiter, login_manager, migrate
    from bookings.feeds import bp as feeds_bp
    from bookings.public import bp as public_bp
    from bookings.services import read_cache
    from bookings.services.outbox import deliver_after_request
    from bookings.staff import bp as staff_bp
    from bookings.staff import partner_bp
    from bookings.volunteer import bp as volunteer_bp

    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    load_config(app, test_config)

    db.init_app(app)
    configure_engine(app)
    read_cache.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)

    auth.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    deliver_after_request(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(volunteer_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(partner_bp)
    cli.init_app(app)
    cli_calendar.init_app(app)
    cli_privacy.init_app(app)
    if not app.testing:
        # Everything built so far lives as long as the process. Taking it out of the collector's
        # generations keeps full collections short while a request builds thousands of slots.
        gc.freeze()
    if app.config["PROXY_HOPS"]:
        # Behind nginx: the client's address (rate limits) and scheme (HSTS, secure cookies).
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    return app
