"""A resident books, moves and cancels; takes the last place of a session; joins the waiting list.

Each flow runs twice: once tapping with the mouse, once with the keyboard alone (Tab, Shift+Tab,
Enter, Space), where every stop of the focus must be visible and move down the page. The site's own
Content-Security-Policy is in force: an inline script or style would be refused and fail the test.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bookings.extensions import db
from bookings.models import Booking, BookingStatus
from tests.browser.support import DRIVERS, Library, focused, tab_to

SUBMIT = "main form button[type=submit]"


@pytest.fixture(params=["mouse", "keyboard"])
def resident(request, page):
    return DRIVERS[request.param](page)


def bookings_by_name() -> dict[str, Booking]:
    db.session.expire_all()
    return {b.first_name: b for b in db.session.scalars(select(Booking))}


def test_book_move_and_cancel_an_appointment(app, page, resident):
    Library()
    page.goto("/")
    expect(page).to_have_title("Afspraak maken – Afspraak in de bibliotheek")
    resident.follow("a.choice[href='/book/loopbaancoach']")
    expect(page.locator("h1")).to_have_text("Naar welke bibliotheek wilt u gaan?")
    resident.follow("a.choice[href='/book/loopbaancoach/amstelveen']")
    expect(page.locator("h1")).to_have_text("Welke dag past u?")
    resident.follow(".day-choices a.choice")
    expect(page.locator("h1")).to_contain_text("Hoe laat kunt u op")
    resident.follow(".time-choices a.choice")

    expect(page.locator("h1")).to_have_text("Uw gegevens")
    resident.fill("#first_name", "Amira")
    resident.fill("#email", "amira@example.org")
    resident.check("#topic-0")
    resident.submit()

    expect(page.locator("h1")).to_have_text("Controleer uw antwoorden")
    expect(page.locator(".summary")).to_contain_text("Amira")
    expect(page.locator(".summary")).to_contain_text("Een cv maken")
    resident.submit()

    expect(page.locator("h1")).to_have_text("Uw afspraak is gemaakt")
    expect(page).to_have_title("Uw afspraak is gemaakt – Afspraak in de bibliotheek")
    booking = bookings_by_name()["Amira"]
    assert booking.status == BookingStatus.CONFIRMED
    reference = page.locator(".reference-large").inner_text()
    assert reference.replace("-", "") == booking.reference
    first_start = booking.starts_at

    # The manage link on the confirmation leads to the appointment: move it to another time.
    resident.follow(".manage-link a")
    expect(page.locator("h1")).to_have_text("Uw afspraak")
    resident.follow("a.button[href$='/move']")
    expect(page.locator("h1")).to_have_text("Welke nieuwe dag past u?")
    resident.follow(".day-choices a.choice")
    resident.follow(".time-choices a.choice")
    expect(page.locator("h1")).to_have_text("Controleer de nieuwe tijd")
    resident.submit()
    expect(page.locator(".notice-success")).to_be_visible()
    moved = bookings_by_name()["Amira"]
    assert moved.status == BookingStatus.CONFIRMED and moved.starts_at != first_start

    # And cancel it.
    resident.follow("a.button[href$='/cancel']")
    expect(page.locator("h1")).to_have_text("Wilt u deze afspraak afzeggen?")
    resident.submit()
    expect(page.locator(".notice-success")).to_be_visible()
    assert bookings_by_name()["Amira"].status == BookingStatus.CANCELLED
    expect(page.locator("main")).to_contain_text("Deze afspraak is afgezegd")


def test_last_place_of_a_session_then_the_next_resident_joins_the_waiting_list(app, page, resident):
    library = Library()  # two timed places; Karel holds the first

    def to_session_times():
        page.goto("/")
        resident.follow("a.choice[href='/book/week-van-de-loopbaan']")
        resident.follow("a.choice[href='/book/week-van-de-loopbaan/amstelveen']")
        resident.follow(".day-choices a.choice")

    to_session_times()
    last_place = page.locator(".time-choices a.choice")
    expect(last_place).to_have_count(1)
    expect(last_place).to_contain_text("Nog 1 plaats")
    resident.follow(".time-choices a.choice")
    resident.fill("#first_name", "Amira")
    resident.fill("#phone", "06 12345678")
    resident.submit()
    expect(page.locator(SUBMIT)).to_have_text("Afspraak maken")
    resident.submit()
    expect(page.locator("h1")).to_have_text("Uw afspraak is gemaakt")

    # The next resident, in a browser of their own (no cookies), finds the session full.
    page.context.clear_cookies()
    to_session_times()
    full = page.locator(".time-choices a.choice")
    expect(full).to_have_count(1)
    expect(full).to_contain_text("Vol: zet mij op de wachtlijst")
    resident.follow(".time-choices a.choice")
    resident.fill("#first_name", "Bram")
    resident.fill("#email", "bram@example.org")
    resident.submit()
    expect(page.locator("main")).to_contain_text("Deze bijeenkomst is vol")
    expect(page.locator(SUBMIT)).to_have_text("Zet mij op de wachtlijst")
    resident.submit()
    expect(page.locator("h1")).to_have_text("U staat op de wachtlijst")

    people = bookings_by_name()
    assert people["Karel"].status == BookingStatus.CONFIRMED
    assert people["Amira"].status == BookingStatus.CONFIRMED and people["Amira"].event_id == library.event.id
    assert people["Bram"].status == BookingStatus.WAITLISTED


def test_empty_details_show_an_error_summary_that_has_focus_and_leads_to_the_fields(app, page, resident):
    library = Library()
    slot = library.coach_slot()
    page.goto(f"/book/details?slot={slot.id}")
    resident.submit()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Fout: Uw gegevens – "))
    # At the top of the content (above the question), announced (role=alert) and focused.
    assert summary.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("Er is een probleem")

    links = summary.locator("a")
    assert links.count() >= 2
    for i in range(links.count()):
        link = links.nth(i)
        target = link.get_attribute("href")
        field = page.locator(target)
        expect(field).to_have_count(1)
        # The same message by the field, tied to it for screen readers.
        message = page.locator(f"{target}-error")
        expect(message).to_contain_text(link.inner_text())
        expect(field).to_have_attribute("aria-invalid", "true")

    # Following the first link puts the cursor in that field, with its label on screen.
    if resident.name == "keyboard":
        tab_to(page, ".error-summary a[href='#first_name']")
        page.keyboard.press("Enter")
    else:
        summary.locator("a[href='#first_name']").click()
    expect(page.locator("#first_name")).to_be_focused()
    label_box = page.locator("label[for=first_name]").bounding_box()
    assert label_box["y"] >= 0, "the label of the field is scrolled out of view"

    # What was typed stays; fixing the errors goes on to the check page.
    page.keyboard.type("Amira")
    resident.fill("#email", "amira@example.org")
    resident.submit()
    expect(page.locator("h1")).to_have_text("Controleer uw antwoorden")


def test_skip_link_is_the_first_stop_is_visible_and_moves_focus_to_the_content(app, page):
    Library()
    page.goto("/book/loopbaancoach")
    page.keyboard.press("Tab")
    skip = focused(page, ".skip-link")
    assert skip["matches"] and skip["inViewport"] and skip["indicator"], skip
    box = page.locator(".skip-link").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab lands on the first link of the content, not in the header.
    page.keyboard.press("Tab")
    expect(page.locator("main .back-link")).to_be_focused()


def test_language_switch_by_keyboard_keeps_the_page(app, page):
    Library()
    page.goto("/book/loopbaancoach")
    tab_to(page, "nav.language a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/book/loopbaancoach$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Which library do you want to go to?")
    expect(page).to_have_title("Choose a library – Library appointments")
