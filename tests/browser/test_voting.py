"""A citizen votes on a phone, confirms, keeps the receipt and reads the live results."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page, Site

from tests.factories import UserFactory, make_municipality
from tests.voting.factories import ensure_tree, make_poll, verify

from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    ensure_tree()
    Site.objects.filter(hostname="localhost").delete()
    Page.objects.filter(depth=2, slug="home").delete()
    site = make_municipality("localhost", "창원특례시", default=True, name_en="Changwon")
    site.port = int(live_server.url.rsplit(":", 1)[1])
    site.save()
    return site


def log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )


def test_citizen_votes_and_reads_the_results(page, live_server, site):
    poll = make_poll(
        site,
        title="Night bus",
        results_visibility="live",
        questions=[
            ("single", "Should a night bus run?", ["Yes", "No"], None),
            ("ranking", "Rank the stops", ["Station", "Market", "Hospital"], 2),
        ],
    )
    voter = UserFactory(language="en")
    verify(voter, site)
    log_in(page, live_server, voter)
    page.goto(live_server.url + urlsplit(poll.url).path)
    assert page.get_by_role("heading", name="Vote").is_visible()
    assert serious_violations(page) == []

    page.get_by_label("Yes").check()
    page.get_by_label("Market").select_option("1")
    page.get_by_label("Station").select_option("2")
    page.get_by_role("button", name="Review my answers").click()
    assert page.get_by_role("heading", name="Confirm your vote").is_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm my vote").click()

    assert page.get_by_role("heading", name="Your vote is recorded").is_visible()
    receipt = page.locator(".receipt-code").inner_text()
    assert len(receipt) == 19
    assert serious_violations(page) == []

    page.get_by_role("link", name="Back to the poll").click()
    assert page.get_by_role("heading", name="You have voted").is_visible()
    assert page.get_by_role("heading", name="Results so far").is_visible()
    table = page.get_by_role("table", name="Results for “Should a night bus run?”")
    assert table.get_by_role("row", name="Yes 1 1 100.0%").is_visible()
    ranking = page.get_by_role("table", name="Results for “Rank the stops”")
    assert ranking.get_by_role("row", name="Market 2 2 66.7%").is_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Check my ballot with my receipt code").click()
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    assert page.get_by_text("is in the published count.").is_visible()
    assert serious_violations(page) == []


def test_poll_list_eligibility_and_closed_results_in_korean(page, live_server, site):
    import datetime

    from django.utils import timezone

    from voting import ballots

    now = timezone.now()
    closed = make_poll(
        site,
        title="심야 버스",
        opens_at=now - datetime.timedelta(days=9),
        closes_at=now - datetime.timedelta(days=2),
    )
    make_poll(site, title="공원 이름", slug="park")
    voter = UserFactory()
    verify(voter, site)
    question = closed.question_list[0]
    ballots.cast(
        closed,
        voter,
        site,
        [(question.pk, question.options.all()[1].pk, None)],
        now=closed.opens_at + datetime.timedelta(hours=1),
    )
    citizen = UserFactory()
    client = Client()
    client.force_login(citizen)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/polls/")
    assert page.get_by_role("link", name="공원 이름").is_visible()
    assert serious_violations(page) == []

    page.get_by_role("link", name="투표할 수 있나요? 주민 인증 확인하기").click()
    assert page.get_by_role("heading", name="투표할 수 있나요?").is_visible()
    page.get_by_label("주민등록번호").fill("12")
    page.get_by_role("button", name="신청하기").click()
    assert page.get_by_text("식별번호를 적힌 그대로 입력해 주세요.").first.is_visible()
    assert serious_violations(page) == []

    page.goto(live_server.url + urlsplit(closed.url).path)
    assert page.get_by_text("투표가 마감되었습니다.").is_visible()
    assert page.get_by_role("table", name="“새 노선을 어디로 할까요?” 결과").is_visible()
    assert serious_violations(page) == []
