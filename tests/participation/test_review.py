"""The committee's review screen: reached from the mail and the dashboard, showing what a
member needs, and deciding through the workflow's committee task."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.models import Comment, ParticipationSettings, ProposalPage
from tests.factories import UserFactory
from tests.participation.factories import publish, submit, support

pytestmark = pytest.mark.django_db
Stage = ProposalPage.Stage


@pytest.fixture
def in_review(client, town, citizen, run_jobs):
    config = ParticipationSettings.for_site(town.site)
    config.committee_days = 14
    config.save()
    with run_jobs():
        proposal = submit(
            client, town, citizen, body="<p>그늘막을 <strong>설치해</strong> 주세요.</p>"
        )
        publish(client, town, proposal)
    Comment.objects.create(
        page=proposal, author=UserFactory(), body="좋은 생각입니다", position="for", up_count=7
    )
    Comment.objects.create(
        page=proposal, author=UserFactory(), body="예산 낭비입니다", position="against", up_count=2
    )
    mail.outbox.clear()
    with run_jobs():
        for _n in range(3):
            support(client, town, proposal, UserFactory())
    proposal.refresh_from_db()
    assert proposal.stage == Stage.REVIEW
    return proposal


def test_the_committee_mail_links_to_the_review_screen_on_the_sites_address(town, in_review):
    [message] = [m for m in mail.outbox if town.committee_member.email in m.to]
    links = re.findall(r"https?://\S+", message.body)
    review = f"http://{town.host}{reverse('participation_review', args=[in_review.pk])}"
    assert review in links


def test_the_review_screen_shows_text_supports_discussion_and_due_date(client, town, in_review):
    client.force_login(town.committee_member)
    response = client.get(reverse("participation_review", args=[in_review.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>설치해</strong>" in html  # rendered as citizens see it, not escaped
    assert "&lt;strong&gt;" not in html
    assert timezone.localdate().strftime("%Y-%m-%d") in html  # the supports' day
    assert "좋은 생각입니다" in html and "예산 낭비입니다" in html
    assert html.index("좋은 생각입니다") < html.index("예산 낭비입니다")  # most supported first
    due = timezone.localtime(in_review.threshold_reached_at + datetime.timedelta(days=14)).strftime(
        "%Y-%m-%d"
    )
    assert due in html
    assert 'name="decision"' in html and 'name="comment"' in html


def test_the_dashboard_lists_it_under_awaiting_review_with_one_click_to_the_screen(
    client, town, in_review
):
    client.force_login(town.committee_member)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "검토 대기" in html
    assert "당신의 후기" not in html
    assert reverse("participation_review", args=[in_review.pk]) in html


def test_deciding_on_the_screen_publishes_the_answer_through_the_workflow(
    client, town, in_review, run_jobs
):
    client.force_login(town.committee_member)
    url = reverse("participation_review", args=[in_review.pk])
    with run_jobs():
        response = client.post(
            url, {"decision": "partly_adopted", "comment": "일부 정류장에 설치합니다."}
        )
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.stage == Stage.PARTLY_ADOPTED
    assert in_review.answer == "일부 정류장에 설치합니다."
    assert in_review.workflow_states.get().status == "approved"
    assert in_review.events.get(kind="answered").actor == town.committee_member
    client.logout()
    public = client.get(in_review.get_url(), HTTP_HOST=town.host).content.decode()
    assert "일부 정류장에 설치합니다." in public


def test_a_decision_without_an_answer_is_refused_in_korean(client, town, in_review):
    client.force_login(town.committee_member)
    url = reverse("participation_review", args=[in_review.pk])
    response = client.post(url, {"decision": "adopted", "comment": ""})
    assert response.status_code == 200
    assert "필수" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.stage == Stage.REVIEW


def test_people_outside_the_committee_cannot_open_or_decide(client, town, in_review):
    url = reverse("participation_review", args=[in_review.pk])
    for person in (town.moderator, UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code in {302, 403}
        assert client.post(url, {"decision": "adopted", "comment": "x"}).status_code in {302, 403}
    in_review.refresh_from_db()
    assert in_review.stage == Stage.REVIEW


def test_the_public_page_shows_the_due_date(client, town, in_review):
    html = client.get(in_review.get_url(), HTTP_HOST=town.host).content.decode()
    assert timezone.localtime(in_review.review_due_at).strftime("%Y-%m-%d") in html


def test_overdue_reviews_are_listed_first(client, town, in_review, django_assert_max_num_queries):
    on_time = submit(client, town, UserFactory(), title="정시에 답할 제안")
    on_time.set_state(stage=Stage.REVIEW, review_due_at=timezone.now() + datetime.timedelta(days=5))
    in_review.set_state(review_due_at=timezone.now() - datetime.timedelta(days=1))
    client.force_login(town.committee_member)
    client.get(reverse("participation_reviews"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("participation_reviews"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(in_review.title) < html.index("정시에 답할 제안")
    assert "심의 1건이 기한을 넘겼습니다." in html
    assert html.count("기한 지남") == 1
