"""A citizen votes on a phone, confirms, keeps the receipt, changes their answers, reads the
live results, and after the close checks that the ballot was counted."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, Site

from tests.factories import UserFactory, make_municipality
from tests.voting.factories import ensure_tree, make_poll, verify
from voting.models import PollPage

from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)


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

    # While open, the receipt shows the current answers to whoever holds it.
    page.get_by_role("link", name="Check my ballot with my receipt code").click()
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    assert page.get_by_text("Your ballot is stored, sealed").is_visible()
    answers = page.get_by_role("table", name="Your current answers")
    assert answers.get_by_role("row", name="Should a night bus run? Yes").is_visible()
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / "receipt-open.png", full_page=True)

    # The voter changes their mind with the remembered receipt; the last answer counts.
    page.get_by_role("link", name="Back to the poll").click()
    page.get_by_text("Change my answers").click()
    page.get_by_label("No").check()
    page.get_by_label("Hospital").select_option("1")
    page.get_by_role("button", name="Review my answers").click()
    page.get_by_role("button", name="Confirm my new answers").click()
    assert page.get_by_role("heading", name="Your new answers are recorded").is_visible()
    assert page.locator(".receipt-code").inner_text() == receipt
    page.get_by_role("link", name="Back to the poll").click()
    table = page.get_by_role("table", name="Results for “Should a night bus run?”")
    assert table.get_by_role("row", name="No 1 1 100.0%").is_visible()

    # The poll closes: the box is opened; the receipt now proves inclusion, not choices.
    PollPage.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.goto(live_server.url + urlsplit(poll.url).path + "receipt/")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Check").click()
    assert page.get_by_text(
        "Your ballot was counted: it is one of the 1 online ballot"
    ).is_visible()
    assert page.get_by_role("table", name="Your current answers").count() == 0
    assert page.get_by_text("Yes", exact=True).count() == 0
    assert page.get_by_text("No", exact=True).count() == 0
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / "receipt-closed.png", full_page=True)
    page.get_by_role("link", name="Back to the poll").click()
    assert page.get_by_role("heading", name="Results", exact=True).is_visible()
    table = page.get_by_role("table", name="Results for “Should a night bus run?”")
    assert table.get_by_role("row", name="No 1 1 100.0%").is_visible()
    page.screenshot(path=SHOTS / "results-closed.png", full_page=True)


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
    census = page.get_by_role("region", name="주민 명부로 확인하기")
    assert census.get_by_text("주민등록번호는 묻지 않습니다.").is_visible()
    census.get_by_label("이름").fill("홍길동 12")
    census.get_by_role("button", name="확인", exact=True).click()
    census = page.get_by_role("region", name="주민 명부로 확인하기")
    assert census.get_by_text("주민등록상 이름을 입력해 주세요.").first.is_visible()
    assert page.get_by_label("주민등록번호").count() == 0  # never asked (PIPA art. 24-2)
    assert serious_violations(page) == []

    page.goto(live_server.url + urlsplit(closed.url).path)
    assert page.get_by_text("투표가 마감되었습니다.").is_visible()
    assert page.get_by_role("table", name="“새 노선을 어디로 할까요?” 결과").is_visible()
    assert serious_violations(page) == []
