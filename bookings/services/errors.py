"""Domain errors. Their codes are the API's error codes (see shared/design/api.md)."""


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, detail: str = "", fields: dict[str, str] | None = None):
        super().__init__(detail or self.code)
        self.detail = detail
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class SlotNotFound(NotFound):
    """The slot id is malformed or names no bookable time."""

    code = "not_found"


class SlotTaken(DomainError):
    """Someone else took this time or timed place a moment earlier."""

    code = "slot_taken"
    http_status = 409


class EventFull(DomainError):
    """The event has no free place and no waiting list."""

    code = "full"
    http_status = 409


class Invalid(DomainError):
    """Input that breaks a rule; ``fields`` names the field and the problem code."""

    code = "invalid"
    http_status = 422


class ServiceBusy(DomainError):
    """The database stayed locked too long: ask to try again, never a 500."""

    code = "busy"
    http_status = 503
