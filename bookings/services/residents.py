"""The rules for what a resident tells us, shared by the pages and the API.

Each problem is a code; ``bookings.messages`` turns codes into words in the reader's language.
"""
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

LIMITS = {"first_name": 80, "email": 254, "phone": 32, "notes": 500}


@dataclass(frozen=True)
class CleanResident:
    first_name: str
    email: str | None
    phone: str | None
    topic: str | None
    notes: str | None


def check_resident(*, first_name: object, email: object = None, phone: object = None,
                   topic: object = None, notes: object = None, topics: list[str],
                   require_contact: bool = True) -> tuple[CleanResident | None, dict[str, str]]:
    """Clean the answers, or say per field what is wrong (as a code)."""
    errors: dict[str, str] = {}
    values = {"first_name": first_name, "email": email, "phone": phone, "topic": topic, "notes": notes}
    for field, value in values.items():
        if value is not None and not isinstance(value, str):
            errors[field] = "not_text"
    if errors:
        return None, errors
    first_name = _clean_text(first_name)
    email, phone, topic, notes = (_clean_text(v) or None for v in (email, phone, topic, notes))

    if not first_name:
        errors["first_name"] = "name_required"
    elif len(first_name) > LIMITS["first_name"]:
        errors["first_name"] = "name_too_long"
    elif _has_control_characters(first_name):
        errors["first_name"] = "name_invalid"
    if email:
        try:
            email = normalise_email(email)
        except ValueError:
            errors["email"] = "email_invalid"
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError:
            errors["phone"] = "phone_invalid"
    if require_contact and not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = "contact_required"
    if topic and topic not in topics:
        errors["topic"] = "topic_unknown"
    if notes and len(notes) > LIMITS["notes"]:
        errors["notes"] = "notes_too_long"
    if errors:
        return None, errors
    return CleanResident(first_name=first_name, email=email, phone=phone, topic=topic, notes=notes), {}


def normalise_email(text: str) -> str:
    """A syntactically valid address, normalised; no DNS lookups (offline, and private)."""
    if len(text) > LIMITS["email"]:
        raise ValueError("too long")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def normalise_phone(text: str) -> str:
    """A Dutch or international number in E.164 form (+31612345678)."""
    if len(text) > LIMITS["phone"]:
        raise ValueError("too long")
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """How a stored number is shown: national form for Dutch numbers, international otherwise."""
    number = phonenumbers.parse(e164, None)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 31
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


def _clean_text(value: str | None) -> str:
    return unicodedata.normalize("NFC", value).strip() if value else ""


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d" for ch in text)
