"""Forms of the public booking pages. The rules themselves live in services.residents."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TelField

from bookings.messages import field_message
from bookings.services.residents import LIMITS, CleanResident, check_resident


class DetailsForm(FlaskForm):
    first_name = StringField(_l("Your first name"), render_kw={
        "autocomplete": "given-name", "maxlength": LIMITS["first_name"], "spellcheck": "false"})
    email = EmailField(_l("Your e-mail address"), description=_l("We send the confirmation here."),
                       render_kw={"autocomplete": "email", "maxlength": LIMITS["email"],
                                  "spellcheck": "false"})
    phone = TelField(_l("Your phone number"), description=_l("If you have no e-mail address."),
                     render_kw={"autocomplete": "tel", "maxlength": LIMITS["phone"]})
    topic = RadioField(_l("What do you want to talk about?"), choices=[], validate_choice=False)

    def __init__(self, *args, topics: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = topics
        self.cleaned: CleanResident | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.cleaned, errors = check_resident(
            first_name=self.first_name.data, email=self.email.data, phone=self.phone.data,
            topic=self.topic.data, topics=[key for key, _label in self.topic.choices],
        )
        for field_name, code in errors.items():
            getattr(self, field_name).errors.append(field_message(code))
        return not errors


class ConfirmForm(FlaskForm):
    """No fields: the CSRF token alone."""
