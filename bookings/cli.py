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

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--role", type=click.Choice(["volunteer", "coordinator", "admin"]), default="volunteer",
                  show_default=True, help="What the person may do.")
    @click.option("--name", "first_name", default=None, help="First name (default: the part before the @).")
    @click.option("--branch", "branches", multiple=True, metavar="SLUG",
                  help="A library a coordinator runs (repeat for more).")
    def create_user_command(email: str, role: str, first_name: str | None, branches: tuple[str, ...]):
        """Create a login and print a one-time link to choose a password (valid 7 days)."""
        from bookings.models import Role
        from bookings.services.accounts import create_login
        from bookings.services.errors import Invalid

        if branches:
            from bookings.services.staff_scope import unknown_branch_slugs

            if unknown := unknown_branch_slugs(list(branches)):
                raise click.ClickException(f"unknown branch: {', '.join(unknown)}")
        try:
            login = create_login(email=email, role=Role(role), first_name=first_name)
        except Invalid as error:
            raise click.ClickException(f"not a valid e-mail address: {email}") from error
        if branches:
            from bookings.services.staff_scope import assign_branches

            try:
                assign_branches(volunteer=login.volunteer, slugs=list(branches))
            except Invalid as error:
                raise click.ClickException(f"unknown branch: {error.detail}") from error
        if not login.created:
            click.echo(f"{login.volunteer.email} already has a login (role {login.volunteer.role.value}); "
                       "here is a new link.", err=True)
        click.echo(login.link)
        click.echo("The link works once, for 7 days.", err=True)
