"""What the browser tests share: axe-core, the 360-pixel and tap-target checks, mouse and keyboard drivers."""
import json
from datetime import time, timedelta
from pathlib import Path

import pytest

from bookings.services import availability
from bookings.services.timezones import local_date, utcnow
from tests.factories import (
    create_booking,
    create_branch,
    create_event,
    create_every_day_rules,
    create_service,
    create_volunteer,
    soon,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE_WIDTH = 360
MIN_TARGET = 24  # WCAG 2.2 SC 2.5.8 Target Size (Minimum), in CSS pixels


# ---------------------------------------------------------------- test data

class Library:
    """One branch, a career coach with free afternoons, and a coaching-week session with timed places."""

    def __init__(self):
        self.branch = create_branch(slug="amstelveen", name="Bibliotheek Amstelveen",
                                    address="Stadsplein 1, 1181 ZM Amstelveen")
        self.coach_service = create_service(
            slug="loopbaancoach", name_nl="Gesprek met een loopbaancoach", name_en="Talk with a career coach",
            description_nl="Samen aan uw cv werken of een sollicitatie oefenen.",
            description_en="Work on your CV or practise a job interview together.",
            bring_nl="Uw cv, als u er een heeft.", bring_en="Your CV, if you have one.",
            icon="coach", duration_minutes=45)
        self.coach = create_volunteer(first_name="Sanne")
        create_every_day_rules(volunteer=self.coach, branch=self.branch, services=[self.coach_service],
                               start=time(13), end=time(16))
        self.week_service = create_service(
            slug="week-van-de-loopbaan", kind="event", name_nl="Week van de Loopbaan",
            name_en="Career week", icon="week", duration_minutes=30, topics=[])
        # Two timed places (half an hour each); the first is already taken.
        self.event = create_event(service=self.week_service, branch=self.branch, starts_at=soon(days=4, hour=11),
                                  capacity=2, place_minutes=30, hours=1)
        create_booking(service=self.week_service, branch=self.branch, starts_at=self.event.starts_at,
                       event=self.event, place_number=1, token="other-token", first_name="Karel")
        self.event_day = local_date(self.event.starts_at, self.branch.timezone)

    def booking(self, token: str = "secret-token"):
        """A confirmed appointment a few days ahead, reachable by its manage link."""
        slot = self.coach_slot(days_ahead=3)
        booking = create_booking(service=self.coach_service, branch=self.branch, starts_at=slot.start,
                                 volunteer=self.coach, token=token, first_name="Amira")
        return booking, f"/manage/{booking.reference}/{token}"

    def coach_slot(self, days_ahead: int = 2):
        today = local_date(utcnow(), self.branch.timezone)
        day = today + timedelta(days=days_ahead)
        slots = availability.list_slots(self.coach_service, branch=self.branch, first_day=day, last_day=day)
        assert slots, "the coach has free times every day"
        return slots[0]


# ---------------------------------------------------------------- checks

def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the current page, reduced to what a reader needs."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does) to install axe-core.", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                      why: n.failureSummary}))}));
    }""", WCAG_TAGS)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
        for node in v["nodes"][:5]:
            lines.append(f"      at {node['target']}: {node['html']}")
            lines.extend(f"        {line}" for line in (node["why"] or "").splitlines())
        if len(v["nodes"]) > 5:
            lines.append(f"      ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def horizontal_overflow(page) -> str | None:
    """None when the page fits 360 px; otherwise the widths and the elements that stick out."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= PHONE_WIDTH:
        return None
    culprits = page.evaluate("""(limit) => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > limit + 0.5)
        .slice(0, 5).map(el => el.outerHTML.slice(0, 120))""", PHONE_WIDTH)
    return f"scrollWidth {width} > {PHONE_WIDTH}: " + "; ".join(culprits)


# Every link, button and form control that is rendered. Exempt, and only these:
#  * a link that is *inline in running text*: display:inline, inside a p/li/dd/td/dt whose own text
#    (without the link's) is not blank: WCAG 2.5.8's "Inline" exception ("the target is in a sentence or
#    its size is otherwise constrained by the line-height of non-target text"). A link that stands alone
#    in its paragraph is NOT exempt: nothing constrains it, so it must be 24 px.
#  * elements that are not rendered (hidden inputs, display:none) and the skip link while it is parked
#    off screen (it is checked when it has focus, in test_skip_link).
TARGETS_JS = """(minimum) => {
  const inRunningText = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement.closest('p, li, dd, dt, td');
    if (!block) return false;
    const own = block.textContent.replace(el.textContent, '').trim();
    return own.length > 0;
  };
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.classList.contains('skip-link')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (inRunningText(el)) continue;
    if (r.width < minimum - 0.01 || r.height < minimum - 0.01) {
      small.push(`${Math.round(r.width * 10) / 10}x${Math.round(r.height * 10) / 10}: ${el.outerHTML.slice(0, 140)}`);
    }
  }
  return small;
}"""


def small_targets(page) -> list[str]:
    return page.evaluate(TARGETS_JS, MIN_TARGET)


def page_problems(page, *, language: str) -> list[str]:
    """All checks of one page; an empty list when it passes."""
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append("axe-core WCAG 2.2 A/AA violations:\n" + format_violations(violations))
    if overflow := horizontal_overflow(page):
        problems.append("sideways scrolling at 360 px: " + overflow)
    if small := small_targets(page):
        problems.append("tap targets under 24x24 px:\n    " + "\n    ".join(small))
    lang = page.evaluate("() => document.documentElement.lang")
    if lang != language:
        problems.append(f"<html lang> is {lang!r}, expected {language!r}")
    h1 = page.locator("h1").count()
    if h1 != 1:
        problems.append(f"{h1} h1 headings, expected exactly one")
    if page.locator("a.skip-link[href='#main']").count() != 1 or page.locator("main#main").count() != 1:
        problems.append("no skip link to <main id=main>")
    return problems


# ---------------------------------------------------------------- keyboard

FOCUS_JS = """(selector) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return {
    html: el.outerHTML.slice(0, 120), text: (el.innerText || el.value || '').trim(),
    matches: selector ? el.matches(selector) : false,
    top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
    inViewport: r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth,
    nativePicker: el.tagName === 'INPUT' && ['date', 'time', 'datetime-local'].includes(el.type),
    indicator: el.matches(':focus-visible') && (
      (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'),
  };
}"""


def focused(page, selector: str | None = None) -> dict | None:
    return page.evaluate(FOCUS_JS, selector)


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 40) -> dict:
    """Press Tab (or Shift+Tab) until `selector` has focus.

    On every stop the focus must be visible (a :focus-visible outline or ring), on screen, and,
    going forwards, never jump back up the page.
    """
    key = "Shift+Tab" if backwards else "Tab"
    previous = None
    for _ in range(limit):
        page.keyboard.press(key)
        info = focused(page, selector)
        assert info is not None, f"{key} left the page before reaching {selector}"
        # Inside a native date or time input the focus can sit on its own picker button, where
        # Chromium draws its own ring (the input itself is then not :focus-visible).
        assert info["indicator"] or info["nativePicker"], f"no visible focus indicator on {info['html']}"
        assert info["inViewport"], f"the focused element is off screen: {info['html']}"
        if previous is not None:
            if backwards:
                assert info["top"] < previous["bottom"], f"Shift+Tab moved down the page to {info['html']}"
            else:
                assert info["bottom"] > previous["top"], f"Tab moved up the page to {info['html']}"
        if info["matches"]:
            return info
        previous = info
    raise AssertionError(f"{selector} never got focus after {limit} presses of {key}")


NATIVE_PICKERS = ("date", "time", "datetime-local")


class Mouse:
    """A resident who taps and types."""

    name = "mouse"

    def __init__(self, page):
        self.page = page

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def fill(self, selector: str, value: str) -> None:
        field = self.page.locator(selector)
        field.click()
        if field.get_attribute("type") in NATIVE_PICKERS:
            field.fill(value)  # what picking from the browser's own time or date picker gives
        else:
            self.page.keyboard.type(value)

    def check(self, selector: str) -> None:
        self.page.locator(selector).click()

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        self.follow(selector)


class Keyboard:
    """A resident who uses only Tab, Shift+Tab, Enter and Space."""

    name = "keyboard"

    def __init__(self, page):
        self.page = page

    def follow(self, selector: str) -> None:
        tab_to(self.page, selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def fill(self, selector: str, value: str) -> None:
        tab_to(self.page, selector)
        if self.page.locator(selector).get_attribute("type") == "time":
            self._type_time(selector, value)
        else:
            self.page.keyboard.type(value)

    def _type_time(self, selector: str, value: str) -> None:
        """Chromium's own time control: hours, then minutes (it moves on by itself).

        Its layout follows the browser's language, not the page's: with an English browser it has an
        AM/PM part too, and then 21:00 must be typed as 09, 00, P.
        """
        field = self.page.locator(selector)
        self.page.keyboard.type(value.replace(":", ""))
        if field.input_value() == value:
            return
        is_field = "(s) => document.activeElement.matches(s)"
        while self.page.evaluate(is_field, selector):  # back out of the control, then in at its start
            self.page.keyboard.press("Shift+Tab")
        self.page.keyboard.press("Tab")
        hours, minutes = (int(part) for part in value.split(":"))
        self.page.keyboard.type(f"{hours % 12 or 12:02d}{minutes:02d}{'P' if hours >= 12 else 'A'}")
        assert field.input_value() == value, f"could not type {value} into {selector}"

    def check(self, selector: str) -> None:
        box = self.page.locator(selector)
        if box.get_attribute("type") == "radio":
            # A radio group is one Tab stop; the arrow keys move through it, Space selects.
            tab_to(self.page, f"input[type=radio][name='{box.get_attribute('name')}']")
            for _ in range(20):
                if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                    break
                self.page.keyboard.press("ArrowDown")
        else:
            tab_to(self.page, selector)
        self.page.keyboard.press("Space")
        assert box.is_checked()

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        tab_to(self.page, selector)
        # Shift+Tab goes back to what came before, and Tab comes back to the button.
        tab_to(self.page, "*", backwards=True)
        assert not self.page.evaluate("(s) => document.activeElement.matches(s)", selector), \
            "Shift+Tab did not leave the button"
        tab_to(self.page, selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Space")


DRIVERS = {"mouse": Mouse, "keyboard": Keyboard}


def dump(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
