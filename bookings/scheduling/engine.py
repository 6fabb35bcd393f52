"""Free appointment slots from availability rules, minus busy time: pure, no Flask, no database.

Semantics of ``compute_slots``:

- Only rules whose ``service_ids`` contain the service count, narrowed by the optional
  ``volunteer_id`` and ``branch_id`` filters.
- A weekly rule (``weekday`` set, 0 = Monday) applies on dates with that weekday within
  ``valid_from``..``valid_until`` (inclusive, None = open); with ``every_n_weeks`` N > 1 only in weeks
  where the number of weeks between the Monday of ``valid_from`` (date(2024, 1, 1) when None) and the
  Monday of the date is a multiple of N. A one-off rule (``weekday`` None, ``on_date`` set) applies on
  that date only, if it lies within the validity dates. ``weekday`` wins when both are set; a rule
  with neither never applies. A rule whose end is not after its start yields nothing (no overnight
  rules).
- Candidates are local wall times start, start + step, ... while wall start + duration <= end
  (step = ``service.step``, or ``service.duration`` when None). Wall times that do not exist
  (spring forward) are skipped; ambiguous ones (fall back) are used once, at their first occurrence
  (fold=0). A slot ends ``duration`` of elapsed time after its start.
- Overlap of half-open intervals is ``a.start < b.end and b.start < a.end``. With the service
  buffers ``sb``/``sa``, a candidate [s, e) conflicts with a ``Busy`` b of its volunteer (at any branch)
  iff [s - sb, e + sa) overlaps [b.start, b.end) or [s, e) overlaps
  [b.start - b.buffer_before, b.end + b.buffer_after); with an ``Away`` of its volunteer or a
  ``Closure`` of its branch iff [s - sb, e + sa) overlaps it.
- A slot starts at or after max(now + min_notice, window_start) and before
  min(now + horizon, window_end).
- With ``max_per_volunteer_per_day`` = M, a volunteer with M or more ``Busy`` entries that count
  toward the daily maximum starting on a local date (in the candidate's branch zone) gets no slot
  on that date.
- One slot per (start, volunteer, branch); the result is sorted by that key and does not depend on
  the order of the inputs. Starts and ends are returned in UTC (``datetime.timezone.utc``).

Assumes at most one UTC offset change per local day in any zone (true for every zone in use).
Internally instants are integer microseconds since the Unix epoch, so the common case does plain
integer arithmetic and calls zoneinfo only once per zone and local date.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from itertools import repeat
from math import gcd
from operator import floordiv, mod
from zoneinfo import ZoneInfo

from .types import Away, Busy, Closure, Rule, ServiceSettings, Slot

__all__ = ["compute_slots"]

_UTC = timezone.utc
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_DAY_US = 86_400_000_000
_DEFAULT_ANCHOR_ORD = date(2024, 1, 1).toordinal()  # a Monday
_UNKNOWN = object()


def _instant(dt: datetime, name: str) -> int:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return (dt - _EPOCH) // _US


def _span(td: timedelta) -> int:
    return td // _US


def _time_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _monday(ordinal: int) -> int:
    return ordinal - (ordinal - 1) % 7  # ordinal 1 (0001-01-01) is a Monday


def _merge(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Merge open intervals (lo, hi) into sorted disjoint ones, as two parallel lists."""
    lows: list[int] = []
    highs: list[int] = []
    for lo, hi in sorted(intervals):
        if lo >= hi:
            continue
        if highs and lo < highs[-1]:
            if hi > highs[-1]:
                highs[-1] = hi
        else:
            lows.append(lo)
            highs.append(hi)
    return lows, highs


def compute_slots(
    *,
    service: ServiceSettings,
    rules: Sequence[Rule],
    zones: Mapping[int, str],
    busy: Sequence[Busy] = (),
    away: Sequence[Away] = (),
    closures: Sequence[Closure] = (),
    now: datetime,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    volunteer_id: int | None = None,
    branch_id: int | None = None,
) -> list[Slot]:
    """Return the free slots for ``service``, sorted by (start, volunteer_id, branch_id)."""
    dur = _span(service.duration)
    step = dur if service.step is None else _span(service.step)
    if dur <= 0 or step <= 0:
        raise ValueError("service duration and step must be positive")
    sb = _span(service.buffer_before)
    sa = _span(service.buffer_after)

    now_us = _instant(now, "now")
    lo = now_us + _span(service.min_notice)
    hi = now_us + _span(service.horizon)
    if window_start is not None:
        lo = max(lo, _instant(window_start, "window_start"))
    if window_end is not None:
        hi = min(hi, _instant(window_end, "window_end"))
    if lo >= hi:
        return []

    sid = service.service_id
    tz: dict[int, ZoneInfo] = {}
    date_range: dict[int, tuple[int, int]] = {}
    occurrences: list[tuple[Rule, list[int]]] = []
    for r in rules:
        if (
            sid not in r.service_ids
            or (volunteer_id is not None and r.volunteer_id != volunteer_id)
            or (branch_id is not None and r.branch_id != branch_id)
            or r.end <= r.start
        ):
            continue
        b = r.branch_id
        if b not in tz:
            try:
                z = tz[b] = ZoneInfo(zones[b])
            except KeyError:
                raise ValueError(f"no time zone for branch {b}") from None
            # Local dates that can hold a start in [lo, hi), with a day of margin on both sides.
            date_range[b] = (
                _at(lo).astimezone(z).date().toordinal() - 1,
                _at(hi).astimezone(z).date().toordinal() + 1,
            )
        ordinals = _dates(r, *date_range[b])
        if ordinals:
            occurrences.append((r, ordinals))
    if not occurrences:
        return []

    # Every conflict becomes an open interval (L, H) of forbidden start instants: L < s < H.
    volunteers = {r.volunteer_id for r, _ in occurrences}
    branches = {r.branch_id for r, _ in occurrences}
    # Busy time this far from [lo, hi) can neither block a start nor share a local date with
    # one (buffers up to a day; longer ones are always looked at).
    far = timedelta(days=2)
    lo_far = _at(lo) - far - service.buffer_before
    hi_far = _at(hi) + far + service.duration + service.buffer_after
    vol_forbid: dict[int, list[tuple[int, int]]] = {v: [] for v in volunteers}
    counting: dict[int, list[datetime]] = {}
    for x in busy:
        v = x.volunteer_id
        if v not in volunteers:
            continue
        if (x.end < lo_far and x.buffer_after <= far) or (x.start > hi_far and x.buffer_before <= far):
            continue
        bs = (x.start - _EPOCH) // _US
        be = (x.end - _EPOCH) // _US
        out = vol_forbid[v]
        out.append((bs - dur - sa, be + sb))
        out.append((bs - x.buffer_before // _US - dur, be + x.buffer_after // _US))
        if x.counts_toward_daily_max:
            counting.setdefault(v, []).append(x.start)
    for a in away:
        if a.volunteer_id in volunteers:
            vol_forbid[a.volunteer_id].append(
                ((a.start - _EPOCH) // _US - dur - sa, (a.end - _EPOCH) // _US + sb)
            )
    branch_forbid: dict[int, list[tuple[int, int]]] = {b: [] for b in branches}
    for c in closures:
        if c.branch_id in branches:
            branch_forbid[c.branch_id].append(
                ((c.start - _EPOCH) // _US - dur - sa, (c.end - _EPOCH) // _US + sb)
            )

    pairs = sorted({(r.volunteer_id, r.branch_id) for r, _ in occurrences})
    rank = {pair: i for i, pair in enumerate(pairs)}
    forbid_cache: dict[int, tuple[list[int], list[int]]] = {}
    daily_cache: dict[tuple[int, str], Counter[int]] = {}
    offsets: dict[str, dict[int, int | None]] = {}
    max_per_day = service.max_per_volunteer_per_day
    # Free starts as arithmetic runs (first, last, pair rank), all with stride `step`.
    runs: list[tuple[int, int, int]] = []
    add_run = runs.append
    for r, ordinals in occurrences:
        v, b, z = r.volunteer_id, r.branch_id, tz[r.branch_id]
        t_start = _time_of_day(r.start)
        t_last = _time_of_day(r.end) - dur  # the last allowed wall start within the day
        if t_last < t_start:
            continue
        k_last = (t_last - t_start) // step
        pr = rank[(v, b)]
        forbid = forbid_cache.get(pr)
        if forbid is None:
            forbid = forbid_cache[pr] = _merge(vol_forbid[v] + branch_forbid[b])
        lows, highs = forbid
        n_forbid = len(lows)
        if max_per_day is not None:
            daily = daily_cache.get((v, z.key))
            if daily is None:
                daily = daily_cache[(v, z.key)] = Counter(
                    d.astimezone(z).date().toordinal() for d in counting.get(v, ())
                )
            ordinals = [o for o in ordinals if daily[o] < max_per_day]
        zone_offsets = offsets.get(z.key)
        if zone_offsets is None:
            zone_offsets = offsets[z.key] = {}
        for o in ordinals:
            wall0 = (o - _EPOCH_ORD) * _DAY_US + t_start
            off = zone_offsets.get(o, _UNKNOWN)
            if off is _UNKNOWN:
                off = zone_offsets[o] = _day_offset(z, o)
            if off is not None:
                # Common case: one UTC offset all day, so the candidates are plain arithmetic.
                s0 = wall0 - off
                k0 = 0 if s0 >= lo else -((s0 - lo) // step)  # ceil((lo - s0) / step)
                k1 = min(k_last, (hi - 1 - s0) // step)
                if k1 < k0:
                    continue
                first, last = s0 + k0 * step, s0 + k1 * step
                j = bisect_right(highs, first)
                if j == n_forbid or lows[j] >= last:
                    add_run((first, last, pr))  # nothing in the way
                else:
                    _subtract(first, last, step, forbid, pr, runs)
            else:
                for k in range(k_last + 1):
                    wall = _NAIVE_EPOCH + timedelta(microseconds=wall0 + k * step)
                    aware = wall.replace(tzinfo=z)
                    if aware.astimezone(_UTC).astimezone(z).replace(tzinfo=None) != wall:
                        continue  # in the spring-forward gap
                    s = wall0 + k * step - _span(aware.utcoffset())
                    if lo <= s < hi:
                        _subtract(s, s, step, forbid, pr, runs)
    if not runs:
        return []
    return _slots(runs, step, dur, pairs, sid)


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _dates(r: Rule, dmin: int, dmax: int) -> list[int]:
    """Date ordinals in [dmin, dmax] on which the rule applies."""
    if r.valid_from is not None:
        dmin = max(dmin, r.valid_from.toordinal())
    if r.valid_until is not None:
        dmax = min(dmax, r.valid_until.toordinal())
    if r.weekday is not None:
        first = dmin + (r.weekday - (dmin - 1) % 7) % 7
        n = r.every_n_weeks if r.every_n_weeks > 1 else 1
        if n == 1:
            return list(range(first, dmax + 1, 7))
        anchor = _monday(r.valid_from.toordinal()) if r.valid_from else _DEFAULT_ANCHOR_ORD
        first += (-(_monday(first) - anchor) // 7) % n * 7
        return list(range(first, dmax + 1, 7 * n))
    if r.on_date is not None and dmin <= r.on_date.toordinal() <= dmax:
        return [r.on_date.toordinal()]
    return []


def _day_offset(z: ZoneInfo, ordinal: int) -> int | None:
    """The zone's UTC offset on that local date if it holds all day, else None."""
    day = date.fromordinal(ordinal)
    off0 = datetime.combine(day, time(0), z).utcoffset()
    off1 = datetime.combine(day + timedelta(days=1), time(0), z).utcoffset()
    return _span(off0) if off0 == off1 else None


def _subtract(
    first: int,
    last: int,
    step: int,
    forbid: tuple[list[int], list[int]],
    pr: int,
    runs: list[tuple[int, int, int]],
) -> None:
    """Append the runs of first, first + step, ... <= last that avoid the forbidden intervals."""
    lows, highs = forbid
    j = bisect_right(highs, first)  # the first interval that ends after `first`
    n = len(lows)
    while j < n and lows[j] < last:
        if lows[j] >= first:
            top = first + (lows[j] - first) // step * step  # the last start <= L
            runs.append((first, top, pr))
        h = highs[j]
        if h > first:
            first += -((first - h) // step) * step  # the first start >= H
            if first > last:
                return
        j += 1
    runs.append((first, last, pr))


def _slots(runs: list[tuple[int, int, int]], step: int, dur: int, pairs: list, sid: int) -> list[Slot]:
    """Sorted, deduplicated Slots from the runs, with the sorting done on small integers."""
    base = min(first for first, _, _ in runs)
    unit = step
    for first, _, _ in runs:
        unit = gcd(unit, first - base)
    m = len(pairs)
    stride = step // unit * m
    keys: list[int] = []
    for first, last, pr in runs:
        keys.extend(range((first - base) // unit * m + pr, (last - base) // unit * m + pr + 1, stride))
    keys = sorted(set(keys))
    n, ms = len(keys), repeat(m)
    length = timedelta(microseconds=dur)
    starts = {q: _at(base + q * unit) for q in set(map(floordiv, keys, ms))}
    ends = {q: t + length for q, t in starts.items()}
    vol_of = [v for v, _ in pairs]
    branch_of = [b for _, b in pairs]
    columns = (
        map(starts.__getitem__, map(floordiv, keys, ms)),
        map(ends.__getitem__, map(floordiv, keys, ms)),
        map(vol_of.__getitem__, map(mod, keys, ms)),
        map(branch_of.__getitem__, map(mod, keys, ms)),
        repeat(sid, n),
    )
    if _SLOT_SETTERS is None:
        return list(map(Slot, *columns))
    # Filling the slots column by column skips the frozen dataclass __init__ (five
    # object.__setattr__ calls per Slot), which was most of the time of a long result.
    slots = list(map(object.__new__, repeat(Slot, n)))
    for setter, column in zip(_SLOT_SETTERS, columns):
        deque(map(setter, slots, column), maxlen=0)
    return slots


def _slot_setters() -> tuple | None:
    """The slot descriptors' setters, if Slot is still the plain five-field slotted dataclass."""
    names = ("start", "end", "volunteer_id", "branch_id", "service_id")
    if (
        tuple(getattr(Slot, "__dataclass_fields__", ())) != names
        or tuple(getattr(Slot, "__slots__", ())) != names
        or hasattr(Slot, "__post_init__")
    ):
        return None
    return tuple(getattr(Slot, name).__set__ for name in names)


_SLOT_SETTERS = _slot_setters()
