"""Forms of the public booking pages. The rules themselves live in services.residents."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TelField, TextAreaField

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
    notes = TextAreaField(_l("Is there anything we should know?"),
                          description=_l("For example: I would like an interpreter. You do not have to fill this in."),
                          render_kw={"maxlength": LIMITS["notes"], "rows": 3})

    def __init__(self, *args, topics: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = topics
        self.cleaned: CleanResident | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.cleaned, errors = check_resident(
            first_name=self.first_name.data, email=self.email.data, phone=self.phone.data,
            topic=self.topic.data, notes=self.notes.data, topics=[key for key, _label in self.topic.choices],
        )
        for field_name, code in errors.items():
            getattr(self, field_name).errors.append(field_message(code))
        return not errors


class ConfirmForm(FlaskForm):
    """No fields: the CSRF token alone."""


class FindBookingForm(FlaskForm):
    reference = StringField(_l("Your reference"), description=_l("It has 8 letters and numbers, like KM7Q-3X9P."),
                            render_kw={"autocomplete": "off", "maxlength": 20, "spellcheck": "false",
                                       "autocapitalize": "characters"})
    contact = StringField(_l("Your e-mail address or phone number"),
                          description=_l("The one you gave when you made the appointment."),
                          render_kw={"maxlength": 254, "spellcheck": "false"})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.reference.data or "").strip():
            self.reference.errors.append(str(_l("Fill in your reference.")))
        if not (self.contact.data or "").strip():
            self.contact.errors.append(str(_l("Fill in your e-mail address or phone number.")))
        return valid and not self.reference.errors and not self.contact.errors
