"""Every public page, in Dutch and in English: axe-core (WCAG 2.2 A/AA), 360 px, tap targets, lang, titles."""
import pytest

from tests.browser.support import Library, page_problems

SITE_NAME = {"nl": "Afspraak in de bibliotheek", "en": "Library appointments"}


def walk_public_pages(page, library: Library):
    """Visit each public page the way a resident reaches it; yield (name, expected status) on arrival."""
    def go(path):
        return page.goto(path).status

    def follow(selector):
        with page.expect_navigation():
            page.locator(selector).first.click()

    yield "home", go("/")
    yield "choose a library", go("/book/loopbaancoach")
    yield "choose a day", go("/book/loopbaancoach/amstelveen")
    follow(".day-choices a")
    yield "choose a time", 200
    follow(".time-choices a")
    yield "your details", 200
    follow("main form button[type=submit]")
    yield "your details, with errors", 200
    page.fill("#first_name", "Amira")
    page.fill("#email", "amira@example.org")
    follow("main form button[type=submit]")
    yield "check your answers", 200
    follow("main form button[type=submit]")
    yield "confirmation", 200
    follow(".manage-link a")
    yield "manage", 200
    manage = page.url
    go(manage + "/move")
    yield "move: choose a day", 200
    follow(".day-choices a")
    yield "move: choose a time", 200
    follow(".time-choices a")
    yield "move: check the new time", 200
    yield "cancel", go(manage + "/cancel")
    follow("main form button[type=submit]")
    yield "manage, cancelled", 200
    yield "delete my details", go(manage + "/erase")
    yield "details deleted", go("/erased")
    yield "coaching week: choose a time", go(f"/book/week-van-de-loopbaan/amstelveen/"
                                            f"{library.event_day.isoformat()}")
    yield "find my appointment", go("/find")
    follow("main form button[type=submit]")
    yield "find my appointment, with errors", 200
    yield "privacy", go("/privacy")
    yield "link not valid", go("/manage/ABCD1234/not-a-token")
    yield "page not found", go("/no-such-page")


EXPECTED_STATUS = {"link not valid": 404, "page not found": 404}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_public_page_passes_axe_fits_360px_and_has_big_targets(audit_page, app, language):
    page = audit_page
    library = Library()
    page.goto(f"/language/{language}")
    report, titles = {}, {}
    for name, status in walk_public_pages(page, library):
        assert status == EXPECTED_STATUS.get(name, 200), f"{name}: HTTP {status} at {page.url}"
        problems = page_problems(page, language=language)
        title = page.title()
        if not title.endswith(f" – {SITE_NAME[language]}") or len(title) <= len(SITE_NAME[language]) + 3:
            problems.append(f"title {title!r} does not say the page first and the service after ' – '")
        titles.setdefault(title, []).append(name)
        if problems:
            report[f"{name} ({page.url})"] = problems
    for title, names in titles.items():
        if len(names) > 1 and set(names) != {"manage", "manage, cancelled"}:
            report[f"title {title!r}"] = [f"shared by {', '.join(names)}: each page needs its own title"]
    assert not report, f"{len(report)} page(s) with problems in {language}:\n\n" + "\n\n".join(
        f"{where}:\n  " + "\n  ".join(problems) for where, problems in report.items())
