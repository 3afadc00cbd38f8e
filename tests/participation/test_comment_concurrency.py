"""Votes on comments and debates under real parallel connections (PostgreSQL only)."""

import pytest
from django.db import connection
from django.test import Client

from participation.models import Comment, CommentVote, DebatePage, DebateVote
from tests.factories import UserFactory, make_municipality
from tests.participation.discussion import make_debate
from tests.participation.factories import ensure_page_tree
from tests.participation.test_concurrency import _in_parallel

THREADS = 40

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers; run with DATABASE_URL=postgres://... (CI does)",
)


def _site():
    ensure_page_tree()
    return make_municipality("discussion.test", "경상남도", kind="province", default=True)


def _vote_job(url, user, value):
    def job():
        client = Client()
        client.force_login(user)
        return client.post(url, {"value": value}, HTTP_HOST="discussion.test").status_code

    return job


@pytest.mark.django_db(transaction=True)
def test_many_people_vote_on_one_comment_at_once_and_the_count_is_exact():
    site = _site()
    debate = make_debate(site)
    comment = Comment.post(debate, UserFactory(), "모두가 투표하는 의견")
    url = f"{debate.url}comments/{comment.pk}/vote/"
    ups = [UserFactory() for _ in range(THREADS)]
    downs = [UserFactory() for _ in range(THREADS // 4)]
    jobs = [_vote_job(url, user, "up") for user in ups]
    jobs += [_vote_job(url, user, "down") for user in downs]
    # One person double-clicks, another flips between up and down.
    jobs += [_vote_job(url, ups[0], "up") for _ in range(4)]
    jobs += [_vote_job(url, downs[0], value) for value in ("up", "down", "up", "down")]
    statuses = _in_parallel(jobs)
    assert set(statuses) == {302}
    comment.refresh_from_db()
    up_rows = CommentVote.objects.filter(comment=comment, value=1).count()
    down_rows = CommentVote.objects.filter(comment=comment, value=-1).count()
    assert up_rows + down_rows == THREADS + THREADS // 4
    assert (comment.up_count, comment.down_count) == (up_rows, down_rows)
    assert comment.score == up_rows - down_rows
    assert Comment.recount() == 0  # the counters already equal the rows


@pytest.mark.django_db(transaction=True)
def test_many_people_vote_on_one_debate_at_once():
    site = _site()
    debate = make_debate(site)
    users = [UserFactory() for _ in range(THREADS)]
    jobs = [_vote_job(debate.url + "vote/", user, "up") for user in users]
    jobs += [_vote_job(debate.url + "vote/", users[1], "up") for _ in range(4)]
    _in_parallel(jobs)
    debate = DebatePage.objects.get(pk=debate.pk)
    assert debate.up_count == DebateVote.objects.filter(debate=debate).count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_many_replies_at_once_keep_the_thread_counts():
    site = _site()
    debate = make_debate(site)
    top = Comment.post(debate, UserFactory(), "부모 글")
    from participation.models import DiscussionSettings

    config = DiscussionSettings.for_site(site)
    config.new_account_writes_per_minute = 5
    config.save()

    def reply_job(user):
        def job():
            client = Client()
            client.force_login(user)
            return client.post(
                debate.url + "comments/post/",
                {"body": "동시 답글", "parent": top.pk},
                HTTP_HOST="discussion.test",
            ).status_code

        return job

    _in_parallel([reply_job(UserFactory()) for _ in range(20)])
    top.refresh_from_db()
    assert top.reply_count == top.thread_reply_count == 20
    assert DebatePage.objects.get(pk=debate.pk).comment_count == 21
