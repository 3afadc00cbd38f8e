"""Satisfaction: invited once after the committee answers (or a poll's result is out), rated
once, bad ratings refused in Korean with nothing changed, and "was this helpful?" once."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from participation import satisfaction
from participation.models import (
    Notification,
    PageFeedback,
    ProposalPage,
    SatisfactionInvitation,
    SatisfactionRating,
)
from tests.factories import ContentPageFactory, UserFactory
from tests.participation.factories import ensure_page_tree, publish, submit, support, task_action

Stage = ProposalPage.Stage


def rate_url(subject):
    return f"/satisfaction/rate/{subject.pk}/"


def invitations_to(user, subject):
    return [m for m in mail.outbox if user.email in m.to and rate_url(subject) in m.body]


@pytest.fixture
def answered(client, town, citizen, run_jobs):
    """A proposal taken through the workflow to the committee's answer, jobs run for real."""
    supporters = [UserFactory(language="ko") for _ in range(3)]
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        for supporter in supporters:
            assert support(client, town, proposal, supporter).status_code == 302
    mail.outbox.clear()
    with run_jobs():
        response = task_action(
            client,
            town.committee_member,
            proposal,
            "decide",
            decision="adopted",
            comment="채택합니다.",
        )
    assert response.status_code == 302 and proposal.stage == Stage.ADOPTED
    return proposal, citizen, supporters


def test_the_author_and_supporters_are_invited_once(client, town, answered, run_jobs):
    proposal, author, supporters = answered
    people = [author, *supporters]
    for person in people:
        assert len(invitations_to(person, proposal)) == 1
    assert invitations_to(town.committee_member, proposal) == []
    # The job runs again (a retry, a requeue): nobody is invited twice.
    with run_jobs():
        satisfaction.invite_after_answer(proposal)
        satisfaction.invite_after_answer(proposal)
    for person in people:
        assert len(invitations_to(person, proposal)) == 1
        assert Notification.objects.filter(recipient=person, kind="satisfaction").count() == 1
    assert SatisfactionInvitation.objects.filter(subject=proposal).count() == 4
    # The in-site notification leads to the form.
    client.force_login(supporters[0])
    notification = Notification.objects.get(recipient=supporters[0], kind="satisfaction")
    assert notification.url.endswith(rate_url(proposal))
    html = client.get(rate_url(proposal), HTTP_HOST=town.host).content.decode()
    assert 'name="answer_score"' in html and proposal.title in html


def test_a_rating_is_counted_once_and_bad_ratings_change_nothing(client, town, answered):
    proposal, _author, supporters = answered
    client.force_login(supporters[0])
    url = rate_url(proposal)
    for bad in (
        {"answer_score": "0", "process_score": "3"},
        {"answer_score": "6", "process_score": "3"},
        {"process_score": "3"},
    ):
        response = client.post(url, bad, HTTP_HOST=town.host)
        assert response.status_code == 400
        assert "점수는 1부터 5까지 골라 주세요." in response.content.decode()
    assert not SatisfactionRating.objects.exists()

    response = client.post(
        url, {"answer_score": "4", "process_score": "2", "comment": "빨랐어요"}, HTTP_HOST=town.host
    )
    assert response.status_code == 302
    page = client.get(url, HTTP_HOST=town.host).content.decode()
    assert "평가가 저장되었습니다" in page and "4점" in page

    response = client.post(url, {"answer_score": "1", "process_score": "1"}, HTTP_HOST=town.host)
    assert response.status_code == 409
    assert "이미 평가하셨습니다" in response.content.decode()
    rating = SatisfactionRating.objects.get()
    assert (rating.answer_score, rating.process_score, rating.comment) == (4, 2, "빨랐어요")

    # Someone who was not invited (here the committee member) cannot rate.
    client.force_login(town.committee_member)
    response = client.post(url, {"answer_score": "5", "process_score": "5"}, HTTP_HOST=town.host)
    assert response.status_code == 403
    assert "평가를 요청받은 사람만 평가할 수 있습니다." in response.content.decode()
    assert SatisfactionRating.objects.count() == 1


def test_the_rating_form_of_another_municipality_is_not_found(client, town, city, answered):
    proposal, author, _supporters = answered
    client.force_login(author)
    assert client.get(rate_url(proposal), HTTP_HOST=city.hostname).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; CI runs PostgreSQL"
)
def test_ten_ratings_sent_at_once_count_once():
    from tests.factories import make_municipality
    from tests.participation.factories import setup_municipality

    ensure_page_tree()
    site = make_municipality("gyeongnam.test", "경상남도", kind="province", default=True)
    town = setup_municipality(site)
    subject = town.index
    person = UserFactory()
    SatisfactionInvitation.objects.create(subject=subject, user=person)
    barrier = threading.Barrier(10)
    outcomes = []

    def rate(score):
        try:
            barrier.wait()
            with transaction.atomic():
                satisfaction.rate(person, subject, score, score)
            outcomes.append("rated")
        except satisfaction.RatingRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(1 + n % 5,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["rated"] + ["refused"] * 9
    assert SatisfactionRating.objects.filter(subject=subject, user=person).count() == 1


def test_was_this_page_helpful_counts_once_per_person_or_session(client, town):
    page = ContentPageFactory(parent=town.site.root_page, title="참여 안내")
    url = f"/satisfaction/helpful/{page.pk}/"
    html = client.get(page.url, HTTP_HOST=town.host).content.decode()
    assert "이 페이지가 도움이 되었나요?" in html
    assert client.post(url, {"helpful": "yes"}, HTTP_HOST=town.host).status_code == 302
    assert client.post(url, {"helpful": "no"}, HTTP_HOST=town.host).status_code == 302
    assert list(PageFeedback.objects.values_list("helpful", flat=True)) == [True]
    response = client.post(url, {"helpful": "maybe"}, HTTP_HOST=town.host, follow=True)
    assert "예 또는 아니요를 골라 주세요." in response.content.decode()
    other = client.__class__()
    assert other.post(url, {"helpful": "no"}, HTTP_HOST=town.host).status_code == 302
    person = UserFactory()
    other.force_login(person)
    other.post(url, {"helpful": "yes"}, HTTP_HOST=town.host)
    other.post(url, {"helpful": "yes"}, HTTP_HOST=town.host)
    assert PageFeedback.objects.count() == 3
    assert PageFeedback.objects.filter(user=person).count() == 1


def test_helpful_answers_are_rate_limited(client, town):
    page = ContentPageFactory(parent=town.site.root_page, title="참여 안내")
    url = f"/satisfaction/helpful/{page.pk}/"
    for _n in range(30):
        client.cookies.clear()  # a new session each time, the same address
        client.post(url, {"helpful": "yes"}, HTTP_HOST=town.host)
    assert PageFeedback.objects.count() == 30
    client.cookies.clear()
    response = client.post(url, {"helpful": "yes"}, HTTP_HOST=town.host, follow=True)
    assert "응답이 너무 많습니다" in response.content.decode()
    assert PageFeedback.objects.count() == 30


def test_the_public_page_shows_promises_and_figures(client, town, answered):
    proposal, author, supporters = answered
    SatisfactionRating.objects.create(
        subject=proposal, user=author, answer_score=5, process_score=4
    )
    SatisfactionRating.objects.create(
        subject=proposal, user=supporters[0], answer_score=2, process_score=3
    )
    html = client.get("/how-we-are-doing/", HTTP_HOST=town.host).content.decode()
    assert "어떻게 하고 있나요" in html
    assert '<th scope="row">위원회 답변 기한(일)</th><td>30</td>' in html
    assert '<th scope="row">위원회가 답변한 제안</th><td>1</td>' in html
    assert '<th scope="row">기한 안에 답변</th><td>1 (100.0%)</td>' in html
    assert '<th scope="row">채택</th><td>1</td>' in html
    assert '<th scope="row">답변 평균 점수(1–5)</th><td>3.5</td>' in html
    assert '<th scope="row">절차 평균 점수(1–5)</th><td>3.5</td>' in html
    # Linked from every footer.
    assert 'href="/how-we-are-doing/"' in client.get("/", HTTP_HOST=town.host).content.decode()
