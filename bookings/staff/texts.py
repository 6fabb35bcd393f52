"""Words for the codes the staff services raise (services raise codes, never words)."""
from flask_babel import lazy_gettext as _l

from bookings.messages import put_field_errors
from bookings.volunteer.texts import portal_message

STAFF_MESSAGES = {
    "name_required": _l("Fill in a name."),
    "address_required": _l("Fill in the address."),
    "text_too_long": _l("This text is too long."),
    "slug_invalid": _l("Use small letters, numbers and dashes only, like amstelveen-centrum."),
    "slug_taken": _l("This short name is taken. Choose another."),
    "timezone_invalid": _l("Choose a time zone like Europe/Amsterdam."),
    "kind_required": _l("Choose the kind."),
    "service_name_required": _l("Fill in the name, at most 120 letters."),
    "icon_required": _l("Choose an icon."),
    "number_range": _l("Fill in a whole number in the allowed range."),
    "number_invalid": _l("Fill in a whole number, like 30."),
    "topics_invalid": _l("Write one topic per line, like: cv | Een cv maken | Write a CV"),
    "branch_required": _l("Choose at least one library."),
    "not_yourself": _l("You cannot deactivate your own login."),
    "confirm_required": _l("Tick the box to confirm."),
    "service_required": _l("Choose a kind of session."),
    "days_required": _l("Fill in a date for at least one library."),
    "capacity_range": _l("Fill in a number of places from 1 to 200."),
    "place_minutes_range": _l("Fill in minutes per place from 5 to 240, or leave it empty."),
    "places_do_not_fit": _l("The timed places do not fit in the session. Use fewer places or fewer minutes."),
    "host_unknown": _l("Choose an active volunteer as host."),
    "branch_closed": _l("The library is closed on this date."),
    "below_booked": _l("There are more booked places than this. Cancel registrations first, or choose a larger number."),
    "later_place_booked": _l("A later timed place is booked. Keep at least that many places."),
    "code_invalid": _l("Use capital letters, numbers and dashes only, at most 32."),
    "code_taken": _l("This code is taken. Choose another."),
    "partner_required": _l("Fill in the partner's name."),
    "referral_unknown": _l("We do not know this referral code. Check it, or leave it empty."),
    "email_invalid": _l("Fill in an e-mail address like name@example.nl."),
}


def staff_message(code: str) -> str:
    message = STAFF_MESSAGES.get(code)
    return str(message) if message else portal_message(code)


def add_field_errors(form, fields: dict[str, str]) -> None:
    put_field_errors(form, fields, staff_message)
