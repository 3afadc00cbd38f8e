"""A new citizen in the demo: refused a support, verifies through the demo 본인인증, supports."""

import os
import re

import pytest
from django.test import Client

from participation.models import ProposalPage, Support
from tests.factories import UserFactory

from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name):
    """Screenshots for a person to look at, when SCREENSHOT_DIR is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"identity-{name}.png"), full_page=True)


def sign_in(page, demo, user):
    client = Client()
    client.force_login(user)
    from django.conf import settings

    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": demo("changwon"),
            }
        ]
    )


def test_verify_with_the_demo_provider_then_support(page, demo):
    from wagtail.models import Site

    # The demo's Sites carry the port it serves on (links and htmx posts are same-origin).
    Site.objects.update(port=int(demo().rsplit(":", 1)[1].rstrip("/")))
    from django.core.cache import cache

    cache.clear()
    changwon = Site.objects.get(hostname="changwon.localhost")
    proposal = (
        ProposalPage.objects.live()
        .descendant_of(changwon.root_page)
        .filter(stage=ProposalPage.Stage.COLLECTING)
        .first()
    )
    newcomer = UserFactory(display_name="새내기")
    sign_in(page, demo, newcomer)
    proposal_url = demo("changwon", proposal.get_url_parts()[2])

    page.goto(proposal_url)
    box = page.locator("#support-box")
    assert "확인된 창원특례시 주민만 공감할 수 있습니다" in box.inner_text()
    shot(page, "refused")
    box.get_by_role("link", name="주민 확인하기").click()

    assert page.get_by_role("heading", name="투표할 수 있나요?").is_visible()
    assert "주민등록번호는 묻지 않습니다." in page.content()
    assert serious_violations(page) == []
    page.get_by_label(re.compile("창원특례시에 살고 있음을 확인합니다")).check()
    page.locator("#provider_district").select_option("성산구")
    page.get_by_role("button", name="본인인증 시작").click()

    assert page.get_by_role("heading", name="본인인증 (데모)").is_visible()
    assert serious_violations(page) == []
    page.get_by_label("이름").fill("최새봄")
    page.get_by_label("생년월일").fill("1999-04-01")
    page.get_by_label("휴대전화 번호").fill("010-2026-1122")
    page.get_by_label("인증번호").fill("000000")
    shot(page, "window")
    page.get_by_role("button", name="확인").click()

    assert "주민 인증이 완료되었습니다." in page.content()
    assert "주민 인증: 완료(본인인증과 거주 확인)." in page.content()
    shot(page, "verified")

    page.goto(proposal_url)
    before = ProposalPage.objects.get(pk=proposal.pk).support_count
    page.get_by_role("button", name="공감하기").click()
    count = page.locator("#support-box .support-box__count strong")
    count.filter(has_text=str(before + 1)).wait_for()
    assert page.locator("#support-box").get_by_role("button", name="공감 취소").is_visible()
    assert Support.objects.filter(proposal=proposal, user=newcomer).exists()
    assert ProposalPage.objects.get(pk=proposal.pk).support_count == before + 1
