"""How portal things read: a rule in one line, the names of the week's days."""
from babel.dates import format_date, get_day_names
from flask_babel import gettext as _

from bookings.i18n import current_language
from bookings.models import AvailabilityRule


def weekday_name(weekday: int) -> str:
    return get_day_names("wide", locale=current_language())[weekday]


def describe_rule(rule: AvailabilityRule) -> str:
    """"maandag 19:00–21:00 in Bibliotheek Amstelveen": how an overlap and the lists name a rule."""
    if rule.weekday is not None:
        day = weekday_name(rule.weekday)
    else:
        day = format_date(rule.on_date, "EEEE d MMMM y", locale=current_language())
    text = _("%(day)s %(start)s–%(end)s in %(branch)s", day=day, start=rule.start_time.strftime("%H:%M"),
             end=rule.end_time.strftime("%H:%M"), branch=rule.branch.name)
    if rule.weekday is not None and rule.every_n_weeks > 1:
        text += ", " + _("every %(num)d weeks", num=rule.every_n_weeks)
    return text
