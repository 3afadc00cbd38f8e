"""Debates: opening, moderation setting, votes, the index, closing with a conclusion, reports."""

import datetime

import pytest
from django.utils import timezone

from participation.models import (
    Comment,
    DebatePage,
    DebateVote,
    DiscussionSettings,
    ModerationAction,
    Report,
)
from tests.factories import UserFactory
from tests.participation.discussion import debate_index, english, make_debate, relaxed_limits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "relaxed_limits")]
__all__ = ["english", "relaxed_limits"]  # fixtures

HOST = {"HTTP_HOST": "gyeongnam.test"}


def test_a_citizen_opens_a_debate_that_goes_live(client, province, citizen):
    index = debate_index(province)
    client.force_login(citizen)
    response = client.post(
        index.url + "start/",
        {"title": "공원 내 반려견 출입, 허용해야 할까요?", "summary": "의견을 듣고 싶습니다."},
        **HOST,
    )
    debate = DebatePage.objects.get()
    assert response.status_code == 302 and response["Location"] == debate.url
    assert debate.live and debate.author == citizen and not debate.official
    html = client.get(index.url, **HOST).content.decode()
    assert "공원 내 반려견 출입" in html


def test_with_moderation_a_citizens_debate_waits_for_a_moderator(client, town, citizen, run_jobs):
    config = DiscussionSettings.for_site(town.site)
    config.debates_need_moderation = True
    config.save()
    index = debate_index(town.site)
    client.force_login(citizen)
    with run_jobs():
        response = client.post(
            index.url + "start/", {"title": "심야버스 확대", "summary": "필요할까요?"}, **HOST
        )
    assert response.status_code == 302
    debate = DebatePage.objects.get()
    assert not debate.live
    assert "심야버스 확대" not in client.get(index.url, **HOST).content.decode()
    assert town.moderator.notifications.filter(kind="debate_pending").exists()
    debate.get_latest_revision().publish(user=town.moderator)
    assert "심야버스 확대" in client.get(index.url, **HOST).content.decode()


def test_bad_debate_input_is_refused_and_kept(client, province, citizen):
    index = debate_index(province)
    client.force_login(citizen)
    response = client.post(index.url + "start/", {"title": "  ", "summary": "설명" * 1001}, **HOST)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the question to debate." in html or "This field is required." in html
    assert "at most 2000 characters" in html
    assert not DebatePage.objects.exists()


def test_one_vote_per_citizen_on_a_debate(client, province, citizen):
    debate = make_debate(province)
    url = debate.url + "vote/"
    client.force_login(citizen)
    client.post(url, {"value": "up"}, **HOST)
    client.post(url, {"value": "up"}, **HOST)
    debate.refresh_from_db()
    assert (debate.up_count, debate.down_count, debate.score) == (1, 0, 1)
    client.post(url, {"value": "down"}, **HOST)
    debate.refresh_from_db()
    assert (debate.up_count, debate.down_count) == (0, 1)
    assert DebateVote.objects.count() == 1
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DebateVote.objects.create(debate=debate, user=citizen, value=1)


def test_publishing_a_revision_keeps_votes_and_closure(client, province, citizen):
    debate = make_debate(province)
    DebateVote.cast(debate, citizen, 1)
    debate.refresh_from_db()
    debate.close(UserFactory(), "결론입니다")
    debate.title = "바뀐 제목"
    debate.save_revision().publish()
    debate.refresh_from_db()
    assert debate.up_count == 1 and debate.conclusion == "결론입니다" and debate.closed_at


def _debates(province, count, **fields):
    return [make_debate(province, title=f"토론 {n:03d}", **fields) for n in range(count)]


def test_index_filters_sorts_and_search(client, province):
    now = timezone.now()
    official = make_debate(province, title="공식 토론: 예산", official=True)
    closed = make_debate(province, title="닫힌 토론")
    closed.close(UserFactory(), "결론")
    expired = make_debate(
        province, title="기간 끝난 토론", closes_at=now - datetime.timedelta(days=1)
    )
    busy = make_debate(province, title="활발한 토론")
    DebatePage.objects.filter(pk=busy.pk).update(comment_count=50)
    liked = make_debate(province, title="인기 토론")
    DebatePage.objects.filter(pk=liked.pk).update(score=9, up_count=9)
    index = debate_index(province)

    def titles(query):
        html = client.get(index.url + query, **HOST).content.decode()
        return [
            t
            for t in ("공식 토론: 예산", "닫힌 토론", "기간 끝난 토론", "활발한 토론", "인기 토론")
            if f">{t}<" in html
        ], html

    shown, _html = titles("?status=open")
    assert set(shown) == {"공식 토론: 예산", "활발한 토론", "인기 토론"}
    shown, _html = titles("?status=closed")
    assert set(shown) == {"닫힌 토론", "기간 끝난 토론"}
    shown, _html = titles("?status=official")
    assert shown == ["공식 토론: 예산"]
    shown, _html = titles("?q=인기")
    assert shown == ["인기 토론"]
    _shown, html = titles("?sort=active")
    assert html.index(">활발한 토론<") < html.index(">인기 토론<")
    _shown, html = titles("?sort=voted")
    assert html.index(">인기 토론<") < html.index(">활발한 토론<")
    _shown, html = titles("?sort=newest")
    assert html.index(">인기 토론<") < html.index(">공식 토론: 예산<")
    assert official.pk and expired.pk
    assert client.get(index.url + "?sort=bogus&status=zzz&page=x", **HOST).status_code == 200


def test_index_is_paginated_in_fixed_queries(client, province, django_assert_max_num_queries):
    _debates(province, 3)
    index = debate_index(province)
    client.get(index.url, **HOST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(index.url, **HOST)
    # Counted now: the capture slices the connection's query log, which later work rotates.
    baseline = len(few)
    assert baseline > 0
    _debates(province, 30)
    # Publishing refreshed the cached menu and site, and each listing's total is cached: fill them.
    client.get(index.url + "?sort=active", **HOST)
    with django_assert_max_num_queries(baseline):
        html = client.get(index.url + "?sort=active", **HOST).content.decode()
    assert "Page 1 of 3" in html
    assert html.count('class="proposal-card debate-card"') == 12


def test_staff_close_a_debate_with_a_conclusion_shown_at_the_top(client, town, citizen, run_jobs):
    debate = make_debate(town.site, author=citizen)
    Comment.post(debate, UserFactory(), "마지막 의견")
    client.force_login(citizen)
    assert "Close with a conclusion" not in client.get(debate.url, **HOST).content.decode()
    response = client.post(
        debate.url + "close/", {"conclusion": "시민 다수가 찬성했습니다."}, **HOST
    )
    debate.refresh_from_db()
    assert response.status_code == 302 and debate.closed_at is None

    client.force_login(town.moderator)
    assert client.post(debate.url + "close/", {"conclusion": ""}, **HOST).status_code == 400
    with run_jobs():
        client.post(debate.url + "close/", {"conclusion": "시민 다수가 찬성했습니다."}, **HOST)
    debate.refresh_from_db()
    assert debate.closed_at and debate.closed_by == town.moderator
    html = client.get(debate.url, **HOST).content.decode()
    assert html.index("시민 다수가 찬성했습니다.") < html.index("마지막 의견")
    assert "This discussion is closed to new comments." in html
    assert citizen.notifications.filter(kind="debate_closed").exists()
    client.force_login(citizen)
    client.post(debate.url + "vote/", {"value": "up"}, **HOST)
    debate.refresh_from_db()
    assert debate.up_count == 0


def test_reported_comments_hide_after_n_reports_and_reach_the_queue(client, town):
    debate = make_debate(town.site)
    author = UserFactory(display_name="도배꾼")
    comment = Comment.post(debate, author, "광고 글입니다")
    reply = Comment.post(debate, UserFactory(), "답글은 남습니다", parent=comment)
    for _n in range(3):
        client.force_login(UserFactory())
        response = client.post(
            f"{debate.url}comments/{comment.pk}/report/", {"reason": "spam"}, **HOST
        )
        assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden
    html = client.get(debate.url, **HOST).content.decode()
    assert "광고 글입니다" not in html and "hidden while moderators review" in html
    assert "답글은 남습니다" in html and reply.pk

    client.force_login(town.moderator)
    queue = client.get("/admin/participation/moderation/").content.decode()
    assert "광고 글입니다" in queue and "도배꾼" in queue
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Comment)
    client.post(
        f"/admin/participation/moderation/{content_type.pk}/{comment.pk}/",
        {"action": "block", "reason": "광고 도배"},
    )
    assert ModerationAction.objects.filter(action="block", target_user=author).exists()
    client.force_login(author)
    client.post(debate.url + "comments/post/", {"body": "또 광고"}, **HOST)
    assert not Comment.objects.filter(body="또 광고").exists()


def test_reported_debates_hide_and_404_for_the_public(client, town):
    debate = make_debate(town.site, author=UserFactory())
    for _n in range(3):
        client.force_login(UserFactory())
        client.post(debate.url + "report/", {"reason": "offensive"}, **HOST)
    debate.refresh_from_db()
    assert debate.hidden
    assert Report.objects.filter(object_id=debate.pk).count() == 3
    client.logout()
    assert client.get(debate.url, **HOST).status_code == 404
    client.force_login(town.moderator)
    assert client.get(debate.url, **HOST).status_code == 200


def test_moderators_can_delete_any_comment(client, town):
    debate = make_debate(town.site)
    comment = Comment.post(debate, UserFactory(), "문제 글")
    client.force_login(town.moderator)
    client.post(f"{debate.url}comments/{comment.pk}/delete/", **HOST)
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert ModerationAction.objects.filter(object_id=comment.pk).exists()


def test_active_debates_block_lists_open_debates_of_this_site(client, province, city):
    from participation.blocks import ActiveDebatesBlock

    make_debate(province, title="도 토론")
    make_debate(city, title="시 토론")
    shut = make_debate(province, title="끝난 토론")
    shut.close(UserFactory(), "끝")
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_HOST="gyeongnam.test")
    block = ActiveDebatesBlock()
    html = block.render(block.to_python({"heading": "", "count": 4}), {"request": request})
    assert "도 토론" in html and "시 토론" not in html and "끝난 토론" not in html
