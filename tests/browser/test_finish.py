"""The finished look in a real browser: the KRDS typeface, cards with progress, privacy links."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations


def test_the_site_reads_in_pretendard_gov_with_cards_and_privacy_links(page, demo):
    page.goto(demo("changwon"))
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Pretendard GOV\"', '참여')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Pretendard GOV') && f.status === 'loaded').length"
    )
    assert loaded >= 1, "the KRDS typeface was not downloaded"

    page.goto(demo("changwon", "/proposals/?stage=collecting"))
    card = page.locator(".proposal-card").first
    expect(card.locator(".stage")).to_have_text("공감 모으는 중")
    expect(card.get_by_role("progressbar")).to_have_accessible_name(
        re.compile(r"공감 \d+ / \d+ \(\d+%\)")
    )
    assert serious_violations(page) == []

    page.locator(".site-footer").get_by_role("link", name="개인정보 처리방침").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("개인정보 처리방침")
    assert serious_violations(page) == []
