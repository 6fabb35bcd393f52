"""Wall time and instants: the conversions every layer shares."""
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Amsterdam"


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_midnight_utc(day: date, zone_name: str) -> datetime:
    """The instant a local day starts (midnight always exists in Europe/Amsterdam)."""
    return datetime.combine(day, time(0), tzinfo=zone(zone_name)).astimezone(timezone.utc)


def day_window_utc(first_day: date, last_day: date, zone_name: str) -> tuple[datetime, datetime]:
    """[start of first_day, start of the day after last_day) as UTC instants."""
    return (local_midnight_utc(first_day, zone_name),
            local_midnight_utc(last_day + timedelta(days=1), zone_name))


def local_date(instant: datetime, zone_name: str) -> date:
    return instant.astimezone(zone(zone_name)).date()


def to_local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zone(zone_name))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
