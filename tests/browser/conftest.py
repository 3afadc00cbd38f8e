"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import io
import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("BROWSER_TESTS") == "required":
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI installs Debian's chromium.")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it.")
    from playwright.sync_api import sync_playwright

    # Playwright talks to the browser over a local pipe; Django's async-safety check
    # must not mistake its event loop for ours.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    page = context.new_page()
    yield page
    context.close()


AXE = Axe()


def serious_violations(page):
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page, as readable lines."""
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def drain_jobs():
    """Run queued jobs: the live server queues them in Redis when REDIS_URL is set."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return
    from rq import SimpleWorker

    from cms.jobs import get_queue

    queues = [get_queue(name) for name in settings.RQ_QUEUES]
    SimpleWorker(queues, connection=queues[0].connection).work(burst=True)


@pytest.fixture
def demo(transactional_db, live_server):
    """The seeded demo, served by the live server; returns a function giving a site's URL.

    Transactional tests flush the database after each test; seed_demo recreates the page
    tree's roots that Wagtail's migrations made.
    """
    from django.core import mail
    from django.core.management import call_command

    port = live_server.url.rsplit(":", 1)[1]
    call_command("seed_demo", "--port", port, stdout=io.StringIO())
    # The demo's own notifications are not what the tests look for.
    drain_jobs()
    mail.outbox.clear()

    def url(site="gyeongnam", path="/"):
        return f"http://{site}.localhost:{port}{path}"

    return url
