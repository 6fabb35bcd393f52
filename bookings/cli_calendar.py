"""Commands of api.md for mail and calendars: `outbox send`, `reminders send`, `feed-url EMAIL`."""
import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from bookings.extensions import db
from bookings.models import Volunteer


def init_app(app: Flask) -> None:
    outbox = AppGroup("outbox", help="Queued e-mail.")
    reminders = AppGroup("reminders", help="Reminder e-mails.")

    @outbox.command("send")
    @click.option("--limit", default=500, show_default=True, help="At most this many messages.")
    def outbox_send(limit: int):
        """Deliver queued e-mail; safe to run in parallel and from cron."""
        from bookings.services.outbox import deliver_pending

        report = deliver_pending(limit=limit)
        # Exit code 0 even when the mail server is down: the messages wait for the next run.
        click.echo(f"claimed {report.claimed}, sent {report.sent}, "
                   f"retrying {report.retrying}, failed {report.failed}")

    @reminders.command("send")
    def reminders_send():
        """Queue the reminders that are due; never twice for one booking."""
        from bookings.services.reminders import queue_due_reminders

        click.echo(f"queued {queue_due_reminders()} reminders")

    @app.cli.command("feed-url")
    @click.argument("email")
    def feed_url_command(email: str):
        """Print a volunteer's private calendar feed URL (a new link: the old one stops working)."""
        from bookings.services.feeds import feed_url, new_feed_token, webcal_url

        volunteer = db.session.scalar(
            select(Volunteer).where(func.lower(Volunteer.email) == email.strip().lower()))
        if volunteer is None:
            raise click.ClickException(f"no volunteer with e-mail {email}")
        had_link = volunteer.feed_token_hash is not None
        url = feed_url(volunteer, new_feed_token(volunteer))
        click.echo(url)
        click.echo(f"Subscribe: {webcal_url(url)}", err=True)
        if had_link:
            click.echo("The previous feed link of this volunteer no longer works.", err=True)

    app.cli.add_command(outbox)
    app.cli.add_command(reminders)
