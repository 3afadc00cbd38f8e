"""A citizen submits and supports a proposal; a committee member decides in the Wagtail admin."""

import re

import pytest
from django.test import Client
from wagtail.models import Site

from participation import workflow
from participation.models import ProposalPage
from tests.browser.conftest import serious_violations
from tests.factories import UserFactory, make_municipality
from tests.participation.factories import ensure_page_tree, setup_municipality

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    yield
    from django.core.cache import cache

    cache.clear()


def _town(live_server):
    ensure_page_tree()
    Site.objects.filter(hostname="localhost").delete()
    site = make_municipality("localhost", "경상남도", kind="province", default=True)
    site.port = int(live_server.url.rsplit(":", 1)[1])
    site.save()
    return setup_municipality(site, threshold=2)


def _sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_citizen_submits_and_supports(live_server, page):
    town = _town(live_server)
    author = UserFactory(display_name="김민지")
    _sign_in(page, author, live_server)
    page.goto(live_server.url + town.url("submit"))
    assert serious_violations(page) == []
    page.fill("[name=title]", "버스 정류장 그늘막 설치")
    page.fill("[name=summary]", "여름철 정류장 이용객을 위한 그늘막")
    page.fill("[name=body]", "정류장에 그늘이 없습니다.\n\n그늘막을 설치해 주세요.")
    page.select_option("[name=topic]", str(town.topic.pk))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/preview/$"))
    assert "버스 정류장 그늘막 설치" in page.locator("h1").inner_text()
    assert serious_violations(page) == []
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/$"))
    assert serious_violations(page) == []

    proposal = ProposalPage.objects.get()
    assert proposal.stage == "moderation"
    workflow.moderate(proposal, proposal.current_workflow_task_state, town.moderator, "approve")

    supporter = UserFactory()
    _sign_in(page, supporter, live_server)
    proposal.refresh_from_db()
    page.goto(live_server.url + proposal.url)
    assert serious_violations(page) == []
    page.locator("#support-box button[type=submit]").click()
    page.locator("#support-box .support-box__count strong").filter(has_text="1").wait_for()
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    # Withdraw again with one click, without leaving the page.
    page.locator("#support-box button[type=submit]").click()
    page.locator("#support-box .support-box__count strong").filter(has_text="0").wait_for()
    page.goto(live_server.url + town.index.url)
    assert "버스 정류장 그늘막 설치" in page.content()
    assert serious_violations(page) == []


def test_committee_member_decides_in_the_admin(live_server, desktop_page):
    page = desktop_page
    town = _town(live_server)
    author = UserFactory()
    proposal = ProposalPage(
        title="하천변 산책로 조명",
        summary="조명 개선",
        body="<p>밝혀 주세요</p>",
        topic=town.topic,
        author=author,
    )
    town.index.add_child(instance=proposal)
    proposal.save_revision(user=author)
    workflow.submit(proposal, author)
    workflow.moderate(proposal, proposal.current_workflow_task_state, town.moderator, "approve")
    from participation.models import Support

    for user in (UserFactory(), UserFactory()):
        Support.give(proposal, user)
    workflow.check_proposal(proposal.pk)
    proposal.refresh_from_db()
    assert proposal.stage == "review"

    _sign_in(page, town.committee_member, live_server)
    page.goto(live_server.url + "/admin/")
    assert "하천변 산책로 조명" in page.content()
    page.goto(live_server.url + f"/admin/pages/{proposal.pk}/edit/")
    page.locator("[data-workflow-action-name=decide]").first.dispatch_event("click")
    modal = page.locator(".modal-content, [role=dialog]").filter(has=page.locator("[name=comment]"))
    modal.locator("[name=decision][value=adopted]").check()
    modal.locator("[name=comment]").fill("채택합니다. 내년에 설치하겠습니다.")
    modal.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    for _ in range(50):
        proposal.refresh_from_db()
        if proposal.stage != "review":
            break
        page.wait_for_timeout(100)
    assert proposal.stage == "adopted"
    assert proposal.answer == "채택합니다. 내년에 설치하겠습니다."

    page.goto(live_server.url + proposal.url)
    assert "채택합니다. 내년에 설치하겠습니다." in page.content()
    assert serious_violations(page) == []
