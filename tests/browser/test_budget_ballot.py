"""A citizen fills a knapsack ballot on a phone, with and without JavaScript, changes it and
checks the receipt; staff publish the result in the admin; axe checks the budget pages."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect
from wagtail.models import Page, Site

from budgeting import tallying
from tests.budgeting.balloting import close_balloting, make_budget, projects_of
from tests.factories import StaffFactory, UserFactory, make_municipality
from tests.voting.factories import ensure_tree, verify
from voting import secrecy

from .conftest import PHONE, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)
RECEIPT = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture
def site(live_server):
    ensure_tree()
    Site.objects.filter(hostname="localhost").delete()
    Page.objects.filter(depth=2, slug="home").delete()
    site = make_municipality("localhost", "창원특례시", default=True, name_en="Changwon")
    site.port = int(live_server.url.rsplit(":", 1)[1])
    site.save()
    return site


def cookies_for(live_server, user):
    client = Client()
    client.force_login(user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        },
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
    ]


def test_knapsack_ballot_on_a_phone(browser, live_server, site):
    budget = make_budget(site, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, d = projects_of(budget)
    heading = budget.headings.get()
    ballot = f"{live_server.url}{budget.url}ballot/{heading.pk}/"
    problems = {}

    # With JavaScript: what is left updates as projects are ticked, without a reload.
    voter = UserFactory()
    verify(voter, site)
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    context.add_cookies(cookies_for(live_server, voter))
    page = context.new_page()
    page.goto(live_server.url + budget.url)
    problems["budget"] = serious_violations(page)
    page.goto(live_server.url + a.url)
    problems["project"] = serious_violations(page)
    page.goto(ballot)
    problems["ballot"] = serious_violations(page)
    page.get_by_label(a.title).check()
    page.get_by_label(b.title).check()
    expect(page.locator("#ballot-summary")).to_contain_text("Left to spend: 30 KRW.")
    page.get_by_label(c.title).check()
    expect(page.locator("#ballot-summary")).to_contain_text("Over the budget")
    page.get_by_label(c.title).uncheck()
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = RECEIPT.search(page.locator(".receipt-code").inner_text())[0]
    # Change it with the receipt (the form remembers it), then check the receipt.
    page.goto(ballot)
    page.get_by_label(b.title).uncheck()
    page.get_by_label(d.title).check()
    page.get_by_role("button", name="Change my ballot").click()
    assert "Your ballot was changed" in page.content()
    page.get_by_role("link", name="Check my ballot with my receipt code").click()
    page.get_by_label("Your receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    text = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert d.title in text and b.title not in text
    context.close()

    # Without JavaScript: the same form, with a round trip to see what is left.
    other = UserFactory()
    verify(other, site)
    context = browser.new_context(viewport=PHONE, locale="ko-KR", java_script_enabled=False)
    context.add_cookies(cookies_for(live_server, other))
    page = context.new_page()
    page.goto(ballot)
    page.get_by_label(a.title).check()
    page.get_by_label(b.title).check()
    page.get_by_label(c.title).check()
    page.get_by_role("button", name="Update what is left").click()
    assert "Over the budget" in page.content()
    page.get_by_label(c.title).uncheck()
    page.get_by_role("button", name="Update what is left").click()
    assert "Left to spend: 30 KRW." in page.content()
    page.get_by_role("button", name="Cast my ballot").click()
    assert RECEIPT.search(page.content())
    context.close()

    # Staff count and publish in the admin; the results page passes axe.
    closed = close_balloting(budget)
    secrecy.opened_box(closed)
    tallying.compute(closed.headings.get(), "greedy")
    staff = StaffFactory()
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    context.add_cookies(cookies_for(live_server, staff))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/budgeting/{closed.pk}/results/")
    page.get_by_role("button", name="Publish").first.click()
    expect(page.get_by_text("The result is published.")).to_be_visible()
    page.goto(f"{live_server.url}{closed.url}results/")
    assert "Rank 1" in page.content()
    problems["results"] = serious_violations(page)
    context.close()
    assert problems == {"budget": [], "project": [], "ballot": [], "results": []}
