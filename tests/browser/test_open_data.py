"""The open data page and the API's documentation in a real browser: the documentation runs
under the site's Content-Security-Policy with no CDN, and the page passes axe."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_and_open_data_page(demo, page, desktop_page, tmp_path):
    call_command("build_open_data", "--site", "changwon.localhost")
    blocked, outside = [], []
    desktop_page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    desktop_page.on(
        "request",
        lambda r: outside.append(r.url) if "localhost" not in r.url else None,
    )
    desktop_page.goto(demo("changwon", "/api/v1/docs/"))
    desktop_page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = desktop_page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/proposals/" in path for path in paths)
    assert blocked == [] and outside == []
    desktop_page.screenshot(path=tmp_path / "api-docs.png")

    page.goto(demo("changwon", "/"))
    page.get_by_role("link", name="공공데이터").click()
    assert page.locator("h1").inner_text() == "공공데이터"
    assert page.get_by_role("link", name="공공데이터 내려받기(CSV 파일 ZIP)").is_visible()
    assert serious_violations(page) == []
    page.screenshot(path=tmp_path / "open-data.png", full_page=True)
