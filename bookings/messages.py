"""Words for the codes of the domain: one place, translated, shared by pages and API."""
from flask_babel import lazy_gettext as _l

FIELD_MESSAGES = {
    "name_required": _l("Fill in your first name."),
    "name_too_long": _l("Your first name can be 80 letters at most."),
    "name_invalid": _l("Your first name contains a character we cannot use. Type it again."),
    "email_invalid": _l("Fill in an e-mail address like name@example.nl."),
    "phone_invalid": _l("Fill in a phone number like 06 12345678."),
    "contact_required": _l("Fill in your e-mail address or your phone number."),
    "topic_unknown": _l("Choose one of the topics."),
    "notes_too_long": _l("Your note can be 500 letters at most."),
    "not_text": _l("This must be text."),
    "required": _l("Fill this in."),
    "past": _l("This time has passed. Choose another time."),
    "too_soon": _l("This time is too soon to book. Choose a later time."),
    "unknown_topic": _l("Choose one of the topics."),
    "begun": _l("This appointment has already begun. Call the library if you need help."),
    "finished": _l("This appointment is over. It cannot be changed any more."),
    "not_movable": _l("This appointment cannot be moved. Make a new appointment instead."),
    "other_service": _l("Choose a time for the same kind of appointment."),
    "not_waiting": _l("This person is not on the waiting list."),
    "not_held": _l("This appointment is not booked."),
    "not_started": _l("This appointment has not started yet."),
}

ERROR_MESSAGES = {
    "not_found": _l("We could not find this time. Choose another time."),
    "slot_taken": _l("Someone else just chose this time. Choose another time."),
    "full": _l("This session is full."),
    "invalid": _l("Some answers are not right."),
    "busy": _l("It is very busy right now. Please try again in a minute."),
}


def field_message(code: str) -> str:
    return str(FIELD_MESSAGES.get(code, FIELD_MESSAGES["required"]))


def error_message(code: str) -> str:
    return str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["invalid"]))

STATUS_LABELS = {
    "confirmed": _l("Booked"),
    "waitlisted": _l("On the waiting list"),
    "cancelled": _l("Cancelled"),
    "attended": _l("Attended"),
    "no_show": _l("Did not come"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(str(status), status))


def put_field_errors(form, fields: dict[str, str], message=field_message) -> None:
    """Put a service's field codes on a form's fields (or on its first field, if unknown)."""
    for name, code in fields.items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors"):
            field = next(f for f in form if f.name != "csrf_token")
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message(code))
