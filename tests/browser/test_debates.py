"""A citizen posts, replies and votes in a debate, with and without JavaScript; axe on the pages."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from participation.models import Comment, DebatePage
from tests.browser.conftest import CHROMIUM, PHONE, serious_violations
from tests.factories import UserFactory, make_municipality
from tests.participation.discussion import bulk_comments, make_debate
from tests.participation.factories import ensure_page_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    yield
    from django.core.cache import cache

    cache.clear()


def _site(live_server):
    ensure_page_tree()
    Site.objects.filter(hostname="localhost").delete()
    site = make_municipality("localhost", "경상남도", kind="province", default=True)
    site.port = int(live_server.url.rsplit(":", 1)[1])
    site.save()
    return site


def _sign_in(context, user, live_server):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _old_user(name):
    return UserFactory(display_name=name, date_joined=timezone.now() - datetime.timedelta(days=9))


def test_posting_replying_and_voting_with_htmx(live_server, page):
    site = _site(live_server)
    debate = make_debate(site, official=True)
    bulk_comments(debate, 25, replies_per_top=1)
    other = Comment.post(debate, _old_user("다른 시민"), "다른 시민의 의견")
    _sign_in(page.context, _old_user("김민지"), live_server)
    page.goto(live_server.url + debate.url + "?csort=newest")
    assert serious_violations(page) == []

    page.check("#comment-position_1")  # for
    page.fill("#comment-body", "찬성합니다.\n두 번째 줄 https://example.org")
    page.locator("#comment-form button[type=submit]").click()
    page.locator("#comments-list .comment").filter(has_text="찬성합니다.").first.wait_for()
    mine = Comment.objects.get(body__startswith="찬성합니다.")
    assert mine.position == "for"
    assert page.locator("#comment-body").input_value() == ""  # a fresh form
    assert page.url.endswith("?csort=newest")  # no page load

    thread = page.locator(f"#comment-{other.pk}")
    thread.locator("summary").click()
    thread.locator("textarea").fill("좋은 지적입니다")
    thread.locator("form.comment-form button[type=submit]").click()
    page.locator(f"#replies-{other.pk} .comment").filter(has_text="좋은 지적입니다").wait_for()
    assert Comment.objects.get(body="좋은 지적입니다").parent_id == other.pk

    page.locator(f"#votes-{other.pk} .vote--up").click()
    page.locator(f"#votes-{other.pk} .vote--up[aria-pressed=true]").wait_for()
    other.refresh_from_db()
    assert other.up_count == 1

    more = page.locator(".comments__more a")
    more.click()
    page.locator(".comment--depth-0").nth(25).wait_for()
    assert serious_violations(page) == []


def test_posting_replying_and_voting_without_javascript(live_server, browser):
    site = _site(live_server)
    debate = make_debate(site)
    other = Comment.post(debate, _old_user("다른 시민"), "다른 시민의 의견")
    context = browser.new_context(viewport=PHONE, locale="ko-KR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _sign_in(context, _old_user("이서준"), live_server)
        page.goto(live_server.url + debate.url)
        page.check("#comment-position_2")  # against
        page.fill("#comment-body", "반대합니다")
        page.locator("#comment-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "반대합니다" in page.content()
        assert Comment.objects.get(body="반대합니다").position == "against"

        page.goto(live_server.url + debate.url)
        thread = page.locator(f"#comment-{other.pk}")
        thread.locator("summary").click()  # <details> opens without JavaScript
        thread.locator("textarea").fill("답글입니다")
        thread.locator("form.comment-form button[type=submit]").click()
        page.wait_for_load_state()
        assert "답글입니다" in page.content()
        assert Comment.objects.get(body="답글입니다").parent_id == other.pk

        page.goto(live_server.url + debate.url)
        page.locator(f"#votes-{other.pk} .vote--down").click()
        page.wait_for_load_state()
        other.refresh_from_db()
        assert other.down_count == 1
        assert page.locator(f"#votes-{other.pk} .vote--down[aria-pressed=true]").count() == 1

        # A refused post keeps the text.
        page.goto(live_server.url + debate.url)
        page.fill("#comment-body", "   ")
        page.locator("#comment-form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#comment-body-error").count() == 1
        # (axe needs JavaScript: the same markup is checked in the tests with it on.)
    finally:
        context.close()


def test_debate_index_and_closed_debate_pass_axe(live_server, page):
    site = _site(live_server)
    closed = make_debate(site, title="닫힌 토론")
    closed.close(UserFactory(), "결론: 다회용기를 도입합니다.")
    make_debate(site, title="열린 토론", official=True)
    page.goto(live_server.url + DebatePage.objects.get(pk=closed.pk).get_parent().url)
    assert "열린 토론" in page.content()
    assert serious_violations(page) == []
    page.goto(live_server.url + closed.url)
    assert "결론: 다회용기를 도입합니다." in page.content()
    assert serious_violations(page) == []
    assert CHROMIUM
