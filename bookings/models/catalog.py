"""What can be booked."""
import enum

from sqlalchemy import JSON, CheckConstraint, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bookings.extensions import db


class ServiceKind(enum.StrEnum):
    APPOINTMENT = "appointment"
    EVENT = "event"


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers"),
        CheckConstraint("step_minutes IS NULL OR step_minutes > 0", name="step_positive"),
        CheckConstraint("horizon_days > 0", name="horizon_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[ServiceKind] = mapped_column(
        Enum(ServiceKind, native_enum=False, create_constraint=True, name="service_kind",
             values_callable=lambda kinds: [k.value for k in kinds], length=20)
    )
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    bring_nl: Mapped[str] = mapped_column(Text, default="")  # what to bring, shown on the confirmation
    bring_en: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(String(40), default="calendar")
    duration_minutes: Mapped[int]
    buffer_before_minutes: Mapped[int] = mapped_column(default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    step_minutes: Mapped[int | None]  # None: back to back
    min_notice_minutes: Mapped[int] = mapped_column(default=0)
    horizon_days: Mapped[int] = mapped_column(default=42)
    max_per_volunteer_per_day: Mapped[int | None]
    # Intake topics: [{"key": "cv", "nl": "Een cv maken", "en": "Write a CV"}, ...]
    topics: Mapped[list[dict]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    def topic_keys(self) -> list[str]:
        return [topic["key"] for topic in self.topics]

    def __repr__(self) -> str:
        return f"<Service {self.slug}>"
