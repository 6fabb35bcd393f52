"""Forms of the volunteer portal. Fields only parse; the rules live in services.rules and accounts."""
from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bookings.services.accounts import LANGUAGE_CODES
from bookings.services.rules import MAX_EVERY_N_WEEKS
from bookings.volunteer.texts import portal_message


class DayField(DateField):
    """A date typed as 2026-12-07 (what a date picker sends) or 7-12-2026; empty is allowed here."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"], validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(portal_message("date_required")) from None


class ClockField(TimeField):
    """A time typed as 19:00 or 19.00; empty is allowed here."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, format=["%H:%M", "%H.%M", "%H"], validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(portal_message("time_required")) from None


class CheckboxesField(SelectMultipleField):
    """Checkboxes; values that do not parse are dropped, so "none chosen" gets the service's message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        values = []
        for value in valuelist:
            try:
                values.append(self.coerce(value))
            except (TypeError, ValueError):
                continue
        self.data = values


def weekday_choices():
    names = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
             _l("Sunday")]
    return list(enumerate(names))


def every_choices():
    return [(1, _l("Every week"))] + [(n, _l("Every %(num)d weeks", num=n)) for n in range(2, MAX_EVERY_N_WEEKS // 2 + 1)]


class _RuleFields(FlaskForm):
    start_time = ClockField(_l("From"), description=_l("Like 19:00"))
    end_time = ClockField(_l("Until"), description=_l("Like 21:00"))
    branch = RadioField(_l("Library"), coerce=int, validate_choice=False)
    services = CheckboxesField(_l("Kinds of appointment"), coerce=int, validate_choice=False)
    confirm = BooleanField(_l("Yes, cancel these appointments and tell the residents"))

    def __init__(self, *args, branches, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.branch.choices = branches
        self.services.choices = services


class WeeklyRuleForm(_RuleFields):
    weekday = RadioField(_l("Day of the week"), coerce=int, validate_choice=False)
    every_n_weeks = RadioField(_l("How often"), coerce=int, validate_choice=False, default=1)
    valid_from = DayField(_l("From date"), description=_l("Leave empty to start now."))
    valid_until = DayField(_l("Until date"), description=_l("Leave empty if there is no end."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = weekday_choices()
        self.every_n_weeks.choices = every_choices()


class OnceRuleForm(_RuleFields):
    on_date = DayField(_l("Date"), description=_l("Like 2026-12-07"))


class TimeOffForm(FlaskForm):
    first_day = DayField(_l("First day"), description=_l("Like 2026-12-07"))
    last_day = DayField(_l("Last day"), description=_l("Leave empty for one day."))
    start_time = ClockField(_l("From"), description=_l("Only for part of a day, like 13:00. Leave empty for whole days."))
    end_time = ClockField(_l("Until"), description=_l("Like 17:00"))
    reason = StringField(_l("Reason"), description=_l("Only you and the library see this."),
                         render_kw={"maxlength": 120})
    confirm = BooleanField(_l("Yes, cancel these appointments and tell the residents"))


class ConfirmDeleteForm(FlaskForm):
    confirm = BooleanField(_l("Yes, cancel these appointments and tell the residents"))


class CancelAppointmentForm(FlaskForm):
    reason = TextAreaField(_l("Why do you cancel?"), description=_l("The resident reads this in the message."),
                           render_kw={"maxlength": 255, "rows": 3})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        reason = (self.reason.data or "").strip()
        if not reason:
            self.reason.errors.append(portal_message("reason_required"))
        elif len(reason) > 255:
            self.reason.errors.append(str(_l("The reason can be 255 letters at most.")))
        return valid and not self.reason.errors


class CancelDayForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("For example: I am ill."),
                           render_kw={"maxlength": 120, "rows": 2})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if len((self.reason.data or "").strip()) > 120:
            self.reason.errors.append(portal_message("reason_too_long"))
        return valid and not self.reason.errors


class AttendanceForm(FlaskForm):
    attended = RadioField(_l("Did the resident come?"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attended.choices = [("yes", _l("Came")), ("no", _l("Did not come"))]


class ActionForm(FlaskForm):
    """No fields: the CSRF token alone."""


def language_choices() -> list[tuple[str, str]]:
    # Each language in its own words: no translation needed, and easy to recognise.
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in LANGUAGE_CODES]


class ProfileForm(FlaskForm):
    first_name = StringField(_l("First name"), description=_l("Residents see your first name."),
                             render_kw={"autocomplete": "given-name", "maxlength": 80})
    last_name = StringField(_l("Last name"), render_kw={"autocomplete": "family-name", "maxlength": 80})
    email = EmailField(_l("E-mail address"), description=_l("You sign in with this address."),
                       render_kw={"autocomplete": "email", "maxlength": 254, "spellcheck": "false"})
    phone = TelField(_l("Phone number"), description=_l("Only the library sees this."),
                     render_kw={"autocomplete": "tel", "maxlength": 32})
    languages = CheckboxesField(_l("Languages you speak"), description=_l("Residents who need help in their own language see this."),
                                validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()
