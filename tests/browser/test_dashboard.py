"""Staff open their municipality's dashboard in the admin; a citizen rates a committee answer."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from participation.models import ProposalPage, SatisfactionInvitation, SatisfactionRating
from tests.browser.conftest import serious_violations
from tests.browser.test_proposals import _sign_in, _town
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    yield
    from django.core.cache import cache

    cache.clear()


def _answered(town):
    now = timezone.now()
    proposal = ProposalPage(
        title="공원에 그늘막을 설치해 주세요",
        slug="shade",
        summary="여름철 공원 그늘막",
        body="<p>그늘이 필요합니다.</p>",
        author=UserFactory(),
        stage=ProposalPage.Stage.ADOPTED,
        submitted_at=now - datetime.timedelta(days=20),
        published_at=now - datetime.timedelta(days=19),
        threshold_reached_at=now - datetime.timedelta(days=10),
        review_due_at=now + datetime.timedelta(days=20),
        answered_at=now - datetime.timedelta(days=2),
        answer="채택합니다.",
    )
    town.index.add_child(instance=proposal)
    proposal.save_revision().publish()
    return proposal


def test_staff_open_the_dashboard_and_a_citizen_rates_an_answer(live_server, desktop_page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = desktop_page
    town = _town(live_server)
    proposal = _answered(town)
    citizen = UserFactory(display_name="박시민", language="ko")
    SatisfactionInvitation.objects.create(subject=proposal, user=citizen)

    _sign_in(page, citizen, live_server)
    page.goto(f"{live_server.url}/satisfaction/rate/{proposal.pk}/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="평가 보내기").click()
    assert "점수는 1부터 5까지 골라 주세요." in page.content()
    page.screenshot(path=SHOTS / "rate-error.png", full_page=True)
    page.locator("input[name=answer_score][value='4']").check()
    page.locator("input[name=process_score][value='5']").check()
    page.fill("[name=comment]", "답변이 빨랐습니다.")
    page.get_by_role("button", name="평가 보내기").click()
    page.get_by_text("평가가 저장되었습니다").wait_for()
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / "rate-done.png", full_page=True)
    rating = SatisfactionRating.objects.get()
    assert (rating.answer_score, rating.process_score) == (4, 5)

    staff = StaffFactory(display_name="관리자", language="ko")
    _sign_in(page, staff, live_server)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="현황판").first.click()
    page.get_by_role("heading", name="단계별 제안").wait_for()
    body = page.locator("main").inner_text()
    assert "제출부터 이행까지" in body and "만족도" in body
    answers = page.locator("table.dash-figures").filter(has_text="답변 평균 점수")
    assert "4.0" in answers.inner_text()
    page.screenshot(path=SHOTS / "dashboard.png", full_page=True)
    # The admin's text is set in Pretendard GOV, served from our own static files.
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Pretendard GOV"')
    assert page.evaluate("document.fonts.check('16px \"Pretendard GOV\"', '현황판')")
