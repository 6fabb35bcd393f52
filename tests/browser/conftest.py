"""Browser tests: Debian's Chromium, driven by Playwright, against the test app served in a thread.

Every test here is marked ``browser`` (select with ``-m browser``, leave out with ``-m "not browser"``).
Playwright never downloads a browser for us: CI installs the ``chromium`` Debian package, and a
missing /usr/bin/chromium is a failure, not a skip, so that the suite cannot go quietly green.
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
# No internet on the test machines: without these Chromium keeps dialling out and logging refusals.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 360, "height": 740}  # an old, small phone: the width the pages must fit
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium). "
                    "The browser tests need it; Playwright cannot download a browser here.", pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per stylesheet and icon drowns a failure
        pass


@pytest.fixture
def live_server(app):
    """The test app (its own file database) on a free port of 127.0.0.1, in a thread."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    base = f"http://127.0.0.1:{httpd.server_port}"
    # Links in the pages and e-mails (the manage link) must lead back to this server.
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


def _new_page(browser, base_url: str, *, bypass_csp: bool):
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="nl-NL", bypass_csp=bypass_csp)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return context, page, problems


@pytest.fixture
def page(browser, live_server):
    """A fresh phone-sized browser tab, with the site's real Content-Security-Policy in force.

    Any console error (a CSP refusal of an inline script or style, a failed load) fails the test.
    """
    context, tab, problems = _new_page(browser, live_server, bypass_csp=False)
    yield tab
    context.close()
    # 404 pages are visited on purpose; only they may log a failed load.
    problems = [p for p in problems if "status of 404" not in p]
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def audit_page(browser, live_server):
    """A tab for axe-core: the CSP is bypassed only so that axe itself can be injected."""
    context, tab, _problems = _new_page(browser, live_server, bypass_csp=True)
    yield tab
    context.close()
