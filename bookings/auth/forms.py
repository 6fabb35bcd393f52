"""Forms of the sign-in pages. The rules live in services.accounts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField

from bookings.services.accounts import password_problem
from bookings.volunteer.texts import portal_message


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), render_kw={"autocomplete": "username", "maxlength": 254,
                                                         "spellcheck": "false", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Stay signed in on this device"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.email.data or "").strip():
            self.email.errors.append(str(_l("Fill in your e-mail address.")))
        if not self.password.data:
            self.password.errors.append(str(_l("Fill in your password.")))
        return valid and not self.email.errors and not self.password.errors


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), description=_l("The address you sign in with."),
                       render_kw={"autocomplete": "username", "maxlength": 254, "spellcheck": "false",
                                  "autocapitalize": "none"})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.email.data or "").strip():
            self.email.errors.append(str(_l("Fill in your e-mail address.")))
        return valid and not self.email.errors


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), description=_l("At least 10 characters. A short sentence is easy to remember."),
                             render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Type the new password again"), render_kw={"autocomplete": "new-password"})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        problem = password_problem(self.password.data)
        if problem:
            self.password.errors.append(portal_message(problem))
        elif self.password.data != self.password_again.data:
            self.password_again.errors.append(portal_message("passwords_differ"))
        return valid and not self.password.errors and not self.password_again.errors


class SignOutForm(FlaskForm):
    """No fields: the CSRF token alone."""
