"""A volunteer signs in and adds a weekly time, by mouse and by keyboard; the portal pages pass axe."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import AvailabilityRule
from bookings.services.passwords import hash_password
from tests.browser.support import DRIVERS, Library, page_problems
from tests.factories import create_volunteer

PASSWORD = "lang-en-geheim-wachtwoord"
SITE_NAME = {"nl": "Afspraak in de bibliotheek", "en": "Library appointments"}


@pytest.fixture
def volunteer(app):
    library = Library()
    person = create_volunteer(first_name="Henk", email="henk@example.org", password_hash=hash_password(PASSWORD))
    return library, person


def sign_in(driver, page):
    page.goto("/auth/sign-in")
    driver.fill("#email", "henk@example.org")
    driver.fill("#password", PASSWORD)
    driver.submit()


@pytest.mark.parametrize("how", ["mouse", "keyboard"])
def test_volunteer_signs_in_and_adds_a_weekly_time(app, page, volunteer, how):
    library, henk = volunteer
    driver = DRIVERS[how](page)
    sign_in(driver, page)
    expect(page.locator("nav.account-nav")).to_be_visible()

    driver.follow("nav.account-nav a[href='/volunteer/availability']")
    expect(page).to_have_url(re.compile(r"/volunteer/availability$"))
    driver.follow("main a.button[href$='/availability/weekly/new']")
    expect(page).to_have_url(re.compile(r"/volunteer/availability/weekly/new$"))

    driver.check("#weekday-2")  # Wednesday
    driver.fill("#start_time", "19:00")
    driver.fill("#end_time", "21:00")
    driver.check(f"input[name=branch][value='{library.branch.id}']")
    driver.check(f"input[name=services][value='{library.coach_service.id}']")
    driver.submit()

    expect(page).to_have_url(re.compile(r"/volunteer/availability$"))
    expect(page.locator("main .item-list")).to_contain_text("19:00")
    db.session.expire_all()
    rules = db.session.scalars(select(AvailabilityRule).where(AvailabilityRule.volunteer_id == henk.id)).all()
    assert len(rules) == 1
    rule = rules[0]
    assert rule.weekday == 2 and rule.start_time.hour == 19 and rule.end_time.hour == 21
    assert [s.id for s in rule.services] == [library.coach_service.id] and rule.branch_id == library.branch.id


def walk_portal_pages(page):
    def go(path):
        return page.goto(path).status

    yield "sign in", go("/auth/sign-in")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    yield "sign in, with errors", 200
    yield "forgot password", go("/auth/forgot-password")
    yield "password link not valid", go("/auth/password/not-a-token")
    go("/auth/sign-in")
    page.fill("#email", "henk@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    yield "my appointments", go("/volunteer/")
    yield "my availability", go("/volunteer/availability")
    yield "add a weekly time", go("/volunteer/availability/weekly/new")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    yield "add a weekly time, with errors", 200
    yield "add an extra time", go("/volunteer/availability/once/new")
    yield "add time off", go("/volunteer/availability/time-off/new")
    yield "my calendar", go("/volunteer/calendar")
    yield "profile", go("/volunteer/profile")


EXPECTED_STATUS = {"password link not valid": 404}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_portal_page_passes_axe_fits_360px_and_has_big_targets(audit_page, volunteer, language):
    page = audit_page
    page.goto(f"/language/{language}")
    report = {}
    for name, status in walk_portal_pages(page):
        assert status == EXPECTED_STATUS.get(name, 200), f"{name}: HTTP {status} at {page.url}"
        problems = page_problems(page, language=language)
        if not page.title().endswith(f" – {SITE_NAME[language]}"):
            problems.append(f"title {page.title()!r}")
        if problems:
            report[f"{name} ({page.url})"] = problems
    assert not report, f"{len(report)} page(s) with problems in {language}:\n\n" + "\n\n".join(
        f"{where}:\n  " + "\n  ".join(problems) for where, problems in report.items())
