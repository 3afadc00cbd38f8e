"""The foundation in a real browser: the demo sites on phones and desktops, sign-up, accessibility."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import drain_jobs, serious_violations


def assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize(
    "site,title", [("gyeongnam", "경남 도민참여 플랫폼"), ("changwon", "창원시민 참여마당")]
)
def test_demo_home_pages_on_a_phone(page, demo, site, title):
    page.goto(demo(site))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_fits_the_screen(page)
    # The menu folds away on a phone and opens with a tap.
    menu_link = (
        page.get_by_role("navigation", name=re.compile("Main|주 메뉴|메인|주요"))
        .get_by_role("link")
        .first
    )
    expect(menu_link).to_be_hidden()
    page.locator(".site-menu__toggle").click()
    expect(menu_link).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("site", ["gyeongnam", "changwon"])
def test_demo_home_pages_on_a_desktop(desktop_page, demo, site):
    desktop_page.goto(demo(site))
    expect(desktop_page.locator(".site-menu--desktop .site-nav a").first).to_be_visible()
    expect(desktop_page.locator(".block-process [aria-current='step']")).to_have_count(1)
    assert_fits_the_screen(desktop_page)
    assert serious_violations(desktop_page) == []


def test_the_province_links_to_its_city(page, demo):
    page.goto(demo("gyeongnam"))
    page.locator(".member-municipalities a", has_text="창원특례시").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("창원시민 참여마당")


def test_a_person_signs_up_and_verifies_their_email(page, demo):
    page.goto(demo("changwon", "/accounts/signup/"))
    page.locator("#id_email").fill("newcomer@example.com")
    page.locator("#id_display_name").fill("새내기 시민")
    page.locator("#id_password1").fill("a-long-enough-pass-77")
    page.locator("#id_password2").fill("a-long-enough-pass-77")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("개인정보")
    page.get_by_label("위 내용과 같이 개인정보를 수집·이용하는 데 동의합니다.").check()
    page.get_by_label("이용약관에 동의합니다.").check()
    page.locator("#id_password1").fill("a-long-enough-pass-77")
    page.locator("#id_password2").fill("a-long-enough-pass-77")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile("/accounts/confirm-email/"))

    drain_jobs()
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://\S+?/accounts/confirm-email/[\x21-\x7e]+", mail.outbox[0].body
    ).group(0)
    page.goto(link)
    assert serious_violations(page) == []
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-menu--phone .account-nav")).to_contain_text("새내기 시민")


def test_sign_up_errors_are_announced_and_keep_the_typed_email(page, demo):
    page.goto(demo("gyeongnam", "/accounts/signup/"))
    page.locator("#id_email").fill("someone@example.com")
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("different")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_email")).to_have_value("someone@example.com")
    assert serious_violations(page) == []


def test_switching_language_in_the_browser(page, demo):
    page.goto(demo("changwon"))
    page.locator(".site-menu__toggle").click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".site-brand__name")).to_have_text("Changwon Special City")


PAGE_TYPES = [
    ("content page", "changwon", "/about/"),
    ("log in", "gyeongnam", "/accounts/login/"),
    ("sign up", "gyeongnam", "/accounts/signup/"),
    ("password reset", "gyeongnam", "/accounts/password/reset/"),
    ("not found", "gyeongnam", "/no-such-page/"),
]


@pytest.mark.parametrize("name,site,path", PAGE_TYPES, ids=[p[0] for p in PAGE_TYPES])
def test_page_types_have_no_serious_accessibility_violations(page, demo, name, site, path):
    page.goto(demo(site, path))
    assert serious_violations(page) == []


def test_account_pages_have_no_serious_accessibility_violations(page, demo):
    page.goto(demo("gyeongnam", "/accounts/login/"))
    page.locator("#id_login").fill("citizen1@example.com")
    page.locator("#id_password").fill("demo-pass-2026")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".site-menu--phone .account-nav")).to_contain_text("김민지")
    for path in (
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/delete/",
        "/accounts/data/",
    ):
        page.goto(demo("gyeongnam", path))
        assert serious_violations(page) == [], path
