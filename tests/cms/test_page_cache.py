"""Anonymous pages are cacheable and cached correctly (cms/page_cache.py, issue 10).

Pages an anonymous visitor reads set no cookie and carry no `Vary: Cookie`; the cache serves
them for at most ANONYMOUS_PAGE_CACHE_SECONDS, never serves a signed-in person's page to anyone
else, never serves a cached page to a signed-in person, and forgets everything on publish.
"""

import io
import time

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from wagtail.models import Page, Site

from cms.models import User
from participation.models import ProposalPage, Support
from tests.factories import ContentPageFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5
SIGNED_IN = 'href="/accounts/profile/"'  # the account link, shown only to the signed-in


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def page_cache(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = LIMIT


def public_pages():
    for page in Page.objects.live().public().specific().filter(depth__gt=1):
        _site_id, root_url, path = page.get_url_parts()
        yield root_url.split("://", 1)[1], path


def vary(response):
    return [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]


def test_anonymous_pages_set_no_cookie_and_do_not_vary_on_cookies(client, demo):
    pages = sorted(set(public_pages()))
    assert len(pages) > 20
    for host, path in pages:
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (host, path)
        assert django_settings.CSRF_COOKIE_NAME not in response.cookies, (host, path)
        assert not response.cookies, (host, path, list(response.cookies))
        assert "cookie" not in vary(response), (host, path, response.headers.get("Vary"))
        assert b"X-CSRFToken" not in response.content, (host, path)


def test_signed_in_pages_still_carry_the_token_and_vary(client, demo):
    client.force_login(User.objects.get(email="citizen1@example.com"))
    response = client.get("/", HTTP_HOST="changwon.localhost")
    assert b"X-CSRFToken" in response.content
    assert "cookie" in vary(response)


def test_anonymous_language_switch_works_without_a_token(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/language/", {"language": "en", "next": "/"}, HTTP_HOST="changwon.localhost"
    )
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/", HTTP_HOST="changwon.localhost")
    assert 'lang="en"' in page.content.decode()
    # A signed-in person's switch writes their account: it needs the token.
    citizen = User.objects.get(email="citizen1@example.com")
    client.force_login(citizen)
    response = client.post("/language/", {"language": "en"}, HTTP_HOST="changwon.localhost")
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.language != "en"


def collecting_proposal():
    return (
        ProposalPage.objects.live()
        .filter(stage=ProposalPage.Stage.COLLECTING)
        .select_related("author")
        .order_by("pk")
        .first()
    )


def shown_count(client, proposal):
    host = proposal.get_site().hostname
    response = client.get(proposal.get_url(), HTTP_HOST=host)
    assert response.status_code == 200
    return response


def test_the_cache_never_serves_a_count_older_than_its_limit(client, demo, page_cache):
    proposal = collecting_proposal()
    supporter = UserFactory()
    with time_machine.travel(time.time(), tick=False) as clock:
        first = shown_count(client, proposal)
        assert first.headers["X-Page-Cache"] == "miss"
        Support.objects.create(proposal=proposal, user=supporter)
        ProposalPage.objects.filter(pk=proposal.pk).update(support_count=9876)

        clock.shift(LIMIT / 2 - 0.5)
        cached = shown_count(client, proposal)
        assert cached.headers["X-Page-Cache"] == "hit"
        assert cached.content == first.content

        clock.shift(LIMIT / 2 + 0.51)  # past the limit, whatever renewed or not
        fresh = shown_count(client, proposal)
        assert fresh.headers.get("X-Page-Cache") == "miss"
        assert "9,876" in fresh.content.decode() or "9876" in fresh.content.decode()


def test_a_signed_in_page_is_never_served_to_someone_else(client, demo, page_cache):
    citizen = User.objects.get(email="citizen1@example.com")
    proposal = collecting_proposal()
    host = proposal.get_site().hostname
    client.force_login(citizen)
    mine = client.get(proposal.get_url(), HTTP_HOST=host)
    assert SIGNED_IN in mine.content.decode()
    assert "X-Page-Cache" not in mine.headers
    client.logout()

    for _ in range(2):
        theirs = client.get(proposal.get_url(), HTTP_HOST=host)
        assert SIGNED_IN not in theirs.content.decode()
        assert b"X-CSRFToken" not in theirs.content
    assert theirs.headers["X-Page-Cache"] == "hit"

    # And an anonymous copy is never served to a signed-in person: their own action shows.
    other = User.objects.get(email="citizen2@example.com")
    client.force_login(other)
    again = client.get(proposal.get_url(), HTTP_HOST=host)
    assert "X-Page-Cache" not in again.headers
    assert SIGNED_IN in again.content.decode()


def test_one_request_renews_an_ageing_page_while_the_others_get_the_copy(client, demo, page_cache):
    with time_machine.travel(time.time(), tick=False) as clock:
        assert client.get("/", HTTP_HOST="changwon.localhost").headers["X-Page-Cache"] == "miss"
        clock.shift(LIMIT / 2 + 0.1)
        renewing = client.get("/", HTTP_HOST="changwon.localhost")
        assert renewing.headers["X-Page-Cache"] == "miss"
        assert client.get("/", HTTP_HOST="changwon.localhost").headers["X-Page-Cache"] == "hit"


def test_a_pending_message_bypasses_the_cache(client, demo, page_cache):
    client.get("/", HTTP_HOST="changwon.localhost")
    assert client.get("/", HTTP_HOST="changwon.localhost").headers["X-Page-Cache"] == "hit"
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get("/", HTTP_HOST="changwon.localhost").headers


def test_staff_edits_appear_on_publish(client, demo, page_cache):
    site_host = "changwon.localhost"
    home = Site.objects.get(hostname=site_host).root_page
    before = client.get("/", HTTP_HOST=site_host)
    assert client.get("/", HTTP_HOST=site_host).headers["X-Page-Cache"] == "hit"

    page = ContentPageFactory(parent=home, show_in_menus=True, title="새로 게시한 안내")
    page.save_revision().publish()

    after = client.get("/", HTTP_HOST=site_host)
    assert after.headers["X-Page-Cache"] == "miss"
    assert "새로 게시한 안내" in after.content.decode()
    assert "새로 게시한 안내" not in before.content.decode()

    page.unpublish()
    gone = client.get("/", HTTP_HOST=site_host)
    assert "새로 게시한 안내" not in gone.content.decode()
