"""The commands of api.md (`flask --app bookings COMMAND`)."""
import click
from flask import Flask

from bookings.demo import seed_demo


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data; running it twice changes nothing."""
        passwords = seed_demo()
        if passwords:
            click.echo("Demo logins (shown once; store them now):")
            for email, password in passwords.items():
                click.echo(f"  {email}  {password}")
        click.echo("Demo data is loaded.")
