"""Every text a user can see has a Dutch translation (Dutch is the default language)."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHOD_MAP = [("bookings/**.py", "python"), ("templates/**.html", "jinja2")]


def extracted_ids() -> set[str]:
    ids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), METHOD_MAP, keywords=KEYWORDS, directory_filter=lambda path: True):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def dutch_catalog():
    with open(ROOT / "bookings/translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="nl")


def test_every_text_in_code_and_templates_has_a_dutch_translation():
    catalog = dutch_catalog()
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(extracted_ids() - translated)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_placeholders_survive_translation():
    for message in dutch_catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        names = {part.split(")")[0] for part in ids[0].split("%(")[1:]}
        for string in strings:
            assert names == {part.split(")")[0] for part in string.split("%(")[1:]}, message.id
