"""Forms of the staff pages. Fields only parse; the rules live in the staff_* services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Optional

from bookings.services.residents import LIMITS
from bookings.staff.texts import staff_message
from bookings.volunteer.forms import CheckboxesField, ClockField, DayField


class NumberField(IntegerField):
    """A whole number; empty is allowed here (the service says when it is needed)."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(staff_message("number_invalid")) from None


class ActionForm(FlaskForm):
    """No fields: the CSRF token alone."""


class BranchForm(FlaskForm):
    slug = StringField(_l("Short name in links"), description=_l("Small letters and dashes, like amstelveen. It cannot change later."),
                       render_kw={"maxlength": 60, "spellcheck": "false"})
    name = StringField(_l("Name"), render_kw={"maxlength": 120})
    address = StringField(_l("Address"), render_kw={"maxlength": 255})
    phone = TelField(_l("Phone number of the library"), description=_l("Residents see this on their confirmation."),
                     render_kw={"maxlength": 32})
    opening_hours = TextAreaField(_l("Opening hours"), render_kw={"maxlength": 1000, "rows": 3})


class ClosureForm(FlaskForm):
    starts_on = DayField(_l("First day"), description=_l("Like 2026-12-07"))
    ends_on = DayField(_l("Last day"), description=_l("Leave empty for one day."))
    reason = StringField(_l("Reason"), description=_l("For example: Christmas."), render_kw={"maxlength": 120})


class ServiceForm(FlaskForm):
    slug = StringField(_l("Short name in links"), description=_l("Small letters and dashes. It cannot change later."),
                       render_kw={"maxlength": 60, "spellcheck": "false"})
    kind = RadioField(_l("Kind"), validate_choice=False)
    name_nl = StringField(_l("Name in Dutch"), render_kw={"maxlength": 120, "lang": "nl"})
    name_en = StringField(_l("Name in English"), render_kw={"maxlength": 120, "lang": "en"})
    description_nl = TextAreaField(_l("Description in Dutch"), render_kw={"rows": 3, "lang": "nl"})
    description_en = TextAreaField(_l("Description in English"), render_kw={"rows": 3, "lang": "en"})
    bring_nl = TextAreaField(_l("What to bring, in Dutch"), render_kw={"rows": 2, "lang": "nl"})
    bring_en = TextAreaField(_l("What to bring, in English"), render_kw={"rows": 2, "lang": "en"})
    icon = RadioField(_l("Icon"), validate_choice=False)
    duration_minutes = NumberField(_l("Length in minutes"))
    buffer_before_minutes = NumberField(_l("Free minutes before"), default=0)
    buffer_after_minutes = NumberField(_l("Free minutes after"), default=0)
    min_notice_minutes = NumberField(_l("Book at least this many minutes ahead"), default=0)
    horizon_days = NumberField(_l("Book at most this many days ahead"), default=42)
    step_minutes = NumberField(_l("Start times every ... minutes"), description=_l("Leave empty for back to back."))
    max_per_volunteer_per_day = NumberField(_l("At most this many per volunteer per day"),
                                            description=_l("Leave empty for no limit."))
    topics = TextAreaField(_l("Intake topics"), description=_l("One per line: key | Nederlands | English"),
                           render_kw={"rows": 5, "spellcheck": "false"})
    active = BooleanField(_l("Residents can book this"), default=True)

    def __init__(self, *args, icons: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Choices set here, not in the field: wtforms warns about tuples given to the constructor.
        self.icon.choices = [(name, name) for name in icons]
        self.kind.choices = [("appointment", _l("Appointment with a volunteer")), ("event", _l("Place in a session"))]


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), render_kw={"maxlength": 254, "spellcheck": "false"})
    first_name = StringField(_l("First name"), render_kw={"maxlength": 80})
    role = RadioField(_l("Role"), default="volunteer", validate_choice=False)
    branches = CheckboxesField(_l("Libraries (for a coordinator)"), coerce=int, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("volunteer", _l("Volunteer")), ("coordinator", _l("Coordinator")),
                             ("admin", _l("Administrator"))]


class DeactivateForm(FlaskForm):
    reason = TextAreaField(_l("Message to the residents"), description=_l("For example: Your volunteer has stopped. Choose a new time."),
                           render_kw={"maxlength": 255, "rows": 2})
    confirm = BooleanField(_l("Yes, deactivate and cancel these appointments"))


class PlanForm(FlaskForm):
    service = RadioField(_l("Kind of session"), coerce=int, validate_choice=False)
    start_time = ClockField(_l("From"), description=_l("Like 13:00"))
    end_time = ClockField(_l("Until"), description=_l("Like 17:00"))
    capacity = NumberField(_l("Number of places"))
    place_minutes = NumberField(_l("Minutes per place"),
                                description=_l("Timed places: place 1 at the start, place 2 this many minutes later. "
                                                  "Leave empty for untimed places."))
    host = SelectField(_l("Host"), coerce=int, validate_choice=False)


def plan_form(branches, **kwargs) -> PlanForm:
    """The plan form with one date field per library the planner runs."""

    class Form(PlanForm):
        pass

    for branch in branches:
        setattr(Form, f"day_{branch.id}", DayField(branch.name, description=_l("Leave empty: no session here.")))
    return Form(**kwargs)


class CapacityForm(FlaskForm):
    capacity = NumberField(_l("Number of places"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Message to the resident"), render_kw={"maxlength": 255, "rows": 2})


class DeskDetailsForm(FlaskForm):
    first_name = StringField(_l("First name"), render_kw={"maxlength": LIMITS["first_name"], "spellcheck": "false"})
    email = EmailField(_l("E-mail address"), render_kw={"maxlength": LIMITS["email"], "spellcheck": "false"})
    phone = TelField(_l("Phone number"), render_kw={"maxlength": LIMITS["phone"]})
    topic = RadioField(_l("Topic"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("Notes"), render_kw={"maxlength": LIMITS["notes"], "rows": 2})
    referral = StringField(_l("Referral code"), description=_l("From the partner's letter, like WERKPLEIN."),
                           render_kw={"maxlength": 32, "spellcheck": "false", "autocapitalize": "characters"})


class ReferralForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("Capital letters, like WERKPLEIN."),
                       render_kw={"maxlength": 32, "spellcheck": "false", "autocapitalize": "characters"})
    partner_name = StringField(_l("Partner"), description=_l("For example: the municipality's work desk."),
                               render_kw={"maxlength": 120})


class ReportForm(FlaskForm):
    """A GET form: nothing changes, so no CSRF token (and the URL can be bookmarked)."""

    class Meta:
        csrf = False

    first_day = DayField(_l("From date"))
    last_day = DayField(_l("Until date"))
    branch = SelectField(_l("Library"), validate_choice=False)


class DayForm(FlaskForm):
    class Meta:
        csrf = False

    day = DayField(_l("Date"))
