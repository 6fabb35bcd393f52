"""Every staff page a GET reaches, signed in for real, in Dutch and English: axe, 360 px, tap targets.

A coordinator (of one library) opens the overview and books for someone at the desk, every step from
the service to the printed slip; then an administrator opens everything else, the partner's page too.
"""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import BookingStatus, Closure, WaitlistEntry
from bookings.services.passwords import hash_password
from tests.browser.support import page_problems
from tests.factories import create_booking, create_event
from tests.staff_support import in_days, local_instant, make_world

PASSWORD = "lang-en-geheim-wachtwoord"
# Tables are what the other pages do not have. A word broken over two lines in a cell ("Af / spra / ken")
# cannot be read; a wide table scrolls inside its own region instead, and that region must take the
# keyboard focus (to scroll it with the arrow keys) and say what it holds.
TABLES_JS = """() => {
  const problems = [];
  for (const cell of document.querySelectorAll('th, td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\u2013]+[\\-\u2013]?/g)) {  // a hyphen may end a line
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) {
          problems.push(`the word ${JSON.stringify(m[0])} is broken over two lines in ${cell.outerHTML.slice(0, 100)}`);
        }
      }
    }
  }
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth) continue;
    const labelled = el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') || '').split(' ')
      .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim()).join('');
    if (el.tabIndex !== 0 || el.getAttribute('role') !== 'region' || !labelled) {
      problems.push(`scrolls sideways but is not a focusable, labelled region: ${el.outerHTML.slice(0, 120)}`);
    }
  }
  return problems.slice(0, 10);
}"""
SITE_NAME = {"nl": "Afspraak in de bibliotheek", "en": "Library appointments"}


@pytest.fixture
def world(app):
    """make_world, with passwords, a session with places and a waiting list, and bookings to report."""
    w = make_world()
    for person in (w["cora"], w["ada"]):
        person.password_hash = hash_password(PASSWORD)
    day = in_days(5)
    event = create_event(service=w["week"], branch=w["meer"], starts_at=local_instant(day, time(13)), capacity=2,
                         host=w["henk"])
    place = create_booking(token="p1", service=w["week"], branch=w["meer"], event=event, place_number=1,
                           starts_at=event.starts_at, first_name="Dewi", phone="+31612345678",
                           email="dewi.de.vries-van-den-berg@voorbeeld-gemeente.example.org")
    create_booking(token="p2", service=w["week"], branch=w["meer"], event=event, place_number=2,
                   starts_at=event.starts_at + timedelta(minutes=30), first_name="Bram", email=None,
                   phone="+31201234567")
    waiting = create_booking(token="w", service=w["week"], branch=w["meer"], event=event, place_number=None,
                             starts_at=event.starts_at, status=BookingStatus.WAITLISTED, first_name="Eva",
                             phone="+31687654321", email="eva@example.org")
    db.session.add(WaitlistEntry(event_id=event.id, booking_id=waiting.id))
    create_booking(token="a", service=w["coach"], branch=w["meer"], volunteer=w["henk"],
                   starts_at=local_instant(day, time(10)), first_name="Joost", phone="+31612340000",
                   referral_id=w["referral"].id, topic=None)
    create_booking(token="b", service=w["coach"], branch=w["amstel"], volunteer=w["sanne"],
                   starts_at=local_instant(day, time(11)), first_name="Fatma", referral_id=w["referral"].id)
    db.session.commit()
    w.update(event=event, place=place, day=day,
             closure=db.session.scalar(select(Closure).where(Closure.branch_id == w["meer"].id)))
    return w


def sign_in(page, email: str, language: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/language/{language}")
    page.goto("/auth/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("nav.staff-nav, nav.account-nav").count(), f"not signed in as {email}: {page.url}"


def walk_staff_pages(page, w, language: str):
    """Visit each staff page as staff reach it; yield (name, HTTP status) on arrival."""
    def go(path):
        return page.goto(path).status

    def follow(selector):
        with page.expect_navigation():
            page.locator(selector).first.click()

    # A coordinator of Amstel: the overview, and a booking at the desk from start to slip.
    sign_in(page, "cora@example.org", language)
    yield "coordinator: overview", go("/staff/")
    yield "coordinator: book for someone (service)", go("/staff/desk")
    follow("main a.choice[href='/staff/desk/coach']")
    yield "coordinator: book for someone (library)", 200
    follow("main a.choice[href='/staff/desk/coach/amstel']")
    yield "coordinator: book for someone (day)", 200
    follow(".day-choices a")
    yield "coordinator: book for someone (time)", 200
    follow(".time-choices a")
    yield "coordinator: resident's details", 200
    page.fill("#phone", "123")
    page.fill("#referral", "NOPE")
    follow("main form button[type=submit]")
    yield "coordinator: resident's details, with errors", 200
    page.fill("#first_name", "Fatma")
    page.fill("#phone", "06 12345678")
    page.fill("#referral", "werkplein")
    follow("main form button[type=submit]")
    yield "coordinator: check the appointment", 200
    follow("main form button[type=submit]")
    yield "coordinator: slip", 200
    yield "coordinator: libraries", go("/staff/branches")

    # An administrator: everything else.
    sign_in(page, "ada@example.org", language)
    yield "overview", go("/staff/")
    yield "reports", go("/staff/reports")
    yield "reports for a date range", go(f"/staff/reports?first_day={in_days(0)}&last_day={in_days(40)}")
    yield "reports, with errors", go(f"/staff/reports?first_day={in_days(40)}&last_day={in_days(0)}&branch=meer")
    yield "libraries", go("/staff/branches")
    yield "add a library", go("/staff/branches/new")
    follow("main form button[type=submit]")
    yield "add a library, with errors", 200
    yield "change a library", go("/staff/branches/meer")
    yield "day schedule", go(f"/staff/branches/meer/schedule?day={w['day']}")
    yield "add closed days", go("/staff/branches/meer/closures/new")
    follow("main form button[type=submit]")
    yield "add closed days, with errors", 200
    yield "services", go("/staff/services")
    yield "add a service", go("/staff/services/new")
    follow("main form button[type=submit]")
    yield "add a service, with errors", 200
    yield "change a service", go(f"/staff/services/{w['coach'].id}")
    yield "volunteers", go("/staff/volunteers")
    yield "invite someone", go("/staff/volunteers/invite")
    follow("main form button[type=submit]")
    yield "invite someone, with errors", 200
    yield "deactivate: confirm", go(f"/staff/volunteers/{w['henk'].id}/deactivate")
    yield "sessions", go("/staff/events")
    yield "plan a coaching week", go("/staff/events/plan")
    follow("main form button[type=submit]")
    yield "plan a coaching week, with errors", 200
    yield "session with registrations and a waiting list", go(f"/staff/events/{w['event'].id}")
    yield "cancel a registration", go(f"/staff/bookings/{w['place'].id}/cancel")
    yield "slip of a registration", go(f"/staff/bookings/{w['place'].id}/slip")
    yield "partner codes", go("/staff/referrals")
    yield "add a code", go("/staff/referrals/new")
    follow("main form button[type=submit]")
    yield "add a code, with errors", 200
    go("/staff/referrals")
    follow("#referral-WERKPLEIN form[action$='/link'] button")
    yield "partner codes, with the partner's new link", 200
    partner_url = page.locator("#partner-link .manage-link").inner_text().strip()
    yield "audit log", go("/staff/audit")
    yield "partner's page", go(partner_url)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_staff_page_passes_axe_fits_360px_and_has_big_targets(audit_page, world, language):
    page = audit_page
    # Chromium fetches the icon after each page has loaded, and this walk moves on at once: werkzeug's
    # thread then drops the half-sent file unclosed (a ResourceWarning, an error here). The icon is no
    # part of the audit, so the browser gets an empty one without asking the server.
    page.route("**/icons/favicon.svg", lambda route: route.fulfill(
        status=200, content_type="image/svg+xml", body='<svg xmlns="http://www.w3.org/2000/svg"/>'))
    report = {}
    for name, status in walk_staff_pages(page, world, language):
        assert status == 200, f"{name}: HTTP {status} at {page.url}"
        problems = page_problems(page, language=language) + page.evaluate(TABLES_JS)
        title = page.title()
        if not title.endswith(f" – {SITE_NAME[language]}") or len(title) <= len(SITE_NAME[language]) + 3:
            problems.append(f"title {title!r} does not say the page first and the service after ' – '")
        if problems:
            report[f"{name} ({page.url})"] = problems
    assert not report, f"{len(report)} page(s) with problems in {language}:\n\n" + "\n\n".join(
        f"{where}:\n  " + "\n  ".join(problems) for where, problems in report.items())
