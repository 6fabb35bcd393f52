"""Pure slot computation: plain data in, sorted free slots out (no Flask, no database)."""
from .engine import compute_slots
from .types import Away, Busy, Closure, Rule, ServiceSettings, Slot

__all__ = ["compute_slots", "Rule", "Busy", "Away", "Closure", "ServiceSettings", "Slot"]
