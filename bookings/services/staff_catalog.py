"""Services (what can be booked), as admins set them up."""
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Service, ServiceKind
from bookings.services.errors import Invalid
from bookings.services.staff_scope import audit
from bookings.services.transactions import command

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOPIC_KEY = re.compile(r"^[a-z0-9_-]{1,30}$")
NUMBERS = {  # field: (lowest, highest); None allowed where the model allows it
    "duration_minutes": (5, 480), "buffer_before_minutes": (0, 240), "buffer_after_minutes": (0, 240),
    "min_notice_minutes": (0, 60 * 24 * 14), "horizon_days": (1, 366), "step_minutes": (5, 240),
    "max_per_volunteer_per_day": (1, 50),
}
OPTIONAL_NUMBERS = ("step_minutes", "max_per_volunteer_per_day")


def icon_names() -> list[str]:
    """The icons a service can show: static/icons/*.svg (the favicon is not one of them)."""
    folder = Path(current_app.static_folder) / "icons"
    return sorted(p.stem for p in folder.glob("*.svg") if p.stem != "favicon")


@dataclass(frozen=True)
class ServiceInput:
    kind: str
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    bring_nl: str = ""
    bring_en: str = ""
    icon: str = "calendar"
    numbers: dict[str, int | None] = field(default_factory=dict)
    topics_text: str = ""  # one per line: "key | Nederlands | English"
    active: bool = True
    slug: str = ""


def parse_topics(text: str) -> list[dict] | None:
    """"cv | Een cv maken | Write a CV" per line; None when a line does not read like that."""
    topics, seen = [], set()
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not TOPIC_KEY.match(parts[0]) or not parts[1] or not parts[2] or parts[0] in seen:
            return None
        seen.add(parts[0])
        topics.append({"key": parts[0], "nl": parts[1][:120], "en": parts[2][:120]})
    return topics


def topics_text(service: Service) -> str:
    return "\n".join(f"{t['key']} | {t['nl']} | {t['en']}" for t in service.topics)


def _check(data: ServiceInput, *, creating: bool) -> tuple[dict[str, str], list[dict]]:
    errors: dict[str, str] = {}
    if creating:
        if data.kind not in (ServiceKind.APPOINTMENT.value, ServiceKind.EVENT.value):
            errors["kind"] = "kind_required"
        if not SLUG.match(data.slug or "") or len(data.slug) > 60:
            errors["slug"] = "slug_invalid"
        elif db.session.scalar(select(Service.id).where(Service.slug == data.slug)):
            errors["slug"] = "slug_taken"
    for name in ("name_nl", "name_en"):
        if not getattr(data, name).strip() or len(getattr(data, name).strip()) > 120:
            errors[name] = "service_name_required"
    if data.icon not in icon_names():
        errors["icon"] = "icon_required"
    for name, (low, high) in NUMBERS.items():
        value = data.numbers.get(name)
        if value is None and name in OPTIONAL_NUMBERS:
            continue
        if value is None or not low <= value <= high:
            errors[name] = "number_range"
    topics = parse_topics(data.topics_text)
    if topics is None:
        errors["topics"] = "topics_invalid"
    return errors, topics or []


def _apply(service: Service, data: ServiceInput, topics: list[dict]) -> None:
    for name in ("name_nl", "name_en", "description_nl", "description_en", "bring_nl", "bring_en"):
        setattr(service, name, getattr(data, name).strip())
    service.icon, service.topics, service.active = data.icon, topics, data.active
    for name in NUMBERS:
        setattr(service, name, data.numbers.get(name))


@command()
def create_service(*, data: ServiceInput, actor_id: int) -> Service:
    errors, topics = _check(data, creating=True)
    if errors:
        raise Invalid("service not accepted", fields=errors)
    service = Service(slug=data.slug, kind=ServiceKind(data.kind))
    _apply(service, data, topics)
    db.session.add(service)
    db.session.flush()
    audit(actor_id=actor_id, action="service.create", object_type="service", object_id=service.id,
          summary=service.slug)
    return service


@command()
def update_service(*, service: Service, data: ServiceInput, actor_id: int) -> Service:
    """Everything but the slug and the kind (bookings and links depend on them)."""
    errors, topics = _check(data, creating=False)
    if errors:
        raise Invalid("service not accepted", fields=errors)
    _apply(service, data, topics)
    audit(actor_id=actor_id, action="service.update", object_type="service", object_id=service.id,
          summary=service.slug)
    return service
