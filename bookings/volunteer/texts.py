"""Words for the codes of the portal and sign-in pages (the services raise codes, never words)."""
from flask_babel import lazy_gettext as _l

from bookings.messages import FIELD_MESSAGES, put_field_errors

PORTAL_MESSAGES = {
    "password_too_short": _l("Your password must have at least 10 characters."),
    "password_too_long": _l("Your password can have 200 characters at most."),
    "passwords_differ": _l("The two passwords are not the same. Type the same password twice."),
    "link_not_valid": _l("This link does not work any more. Ask for a new link."),
    "email_taken": _l("Another person already uses this e-mail address."),
    "last_name_too_long": _l("Your last name can be 80 letters at most."),
    "languages_required": _l("Choose at least one language."),
    "branch_required": _l("Choose a library."),
    "services_required": _l("Choose at least one kind of appointment."),
    "time_required": _l("Fill in a time like 19:00."),
    "time_order": _l("The end time must be after the start time."),
    "weekday_required": _l("Choose a day of the week."),
    "date_required": _l("Fill in a date like 2026-12-07."),
    "date_past": _l("This date has passed. Choose a date from today on."),
    "date_order": _l("The last date must be on or after the first date."),
    "every_n_weeks": _l("Choose how often."),
    "hours_one_day": _l("Time off with hours is for one day. Leave the last date empty."),
    "reason_too_long": _l("The reason can be 120 letters at most."),
    "reason_required": _l("Tell the resident why you cancel."),
    "not_yours": _l("This is not yours."),
}


def portal_message(code: str) -> str:
    message = PORTAL_MESSAGES.get(code) or FIELD_MESSAGES.get(code) or FIELD_MESSAGES["required"]
    return str(message)


def add_field_errors(form, fields: dict[str, str]) -> None:
    put_field_errors(form, fields, portal_message)
