"""`flask --app bookings privacy purge`: erase personal data past its retention (cron-safe)."""
import click
from flask import Flask
from flask.cli import AppGroup

from bookings.services.privacy import purge_expired

privacy = AppGroup("privacy", help="Personal data: retention and erasure.")


@privacy.command("purge")
@click.option("--days", type=int, default=None, help="Retention in days (default: RETENTION_DAYS).")
def purge_command(days: int | None):
    """Erase names, contact details and notes past the retention period; idempotent."""
    report = purge_expired(retention_days=days)
    click.echo(f"Erased the personal data of {report.bookings} booking(s).")


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy)
