"""Comments on every page type that takes them, and fixed query counts at thousands of comments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.models import Comment, CommentVote, ProposalPage
from tests.factories import UserFactory
from tests.participation.discussion import bulk_comments, english, make_debate, relaxed_limits
from tests.participation.factories import submit
from tests.voting.factories import make_poll

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "relaxed_limits")]
__all__ = ["english", "relaxed_limits"]  # fixtures


def _post_url(page):
    return page.url + page.reverse_subpage("comment_post")


def _live_proposal(client, town, author):
    from participation import workflow

    proposal = submit(client, town, author)
    workflow.moderate(proposal, proposal.current_workflow_task_state, town.moderator, "approve")
    proposal.refresh_from_db()
    assert proposal.live and proposal.stage == ProposalPage.Stage.COLLECTING
    return proposal


def test_comments_on_a_proposal_with_positions(client, town, citizen, run_jobs, mailoutbox):
    author = UserFactory(display_name="제안자")
    proposal = _live_proposal(client, town, author)
    client.force_login(citizen)
    with run_jobs():
        response = client.post(
            _post_url(proposal), {"body": "찬성합니다!", "position": "for"}, HTTP_HOST=town.host
        )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.page_id == proposal.pk and comment.position == "for"
    html = client.get(proposal.url, HTTP_HOST=town.host).content.decode()
    assert "찬성합니다!" in html and "Positions taken" in html
    assert any("찬성합니다!" in message.body for message in mailoutbox)
    assert author.notifications.filter(kind="comment").exists()


def test_comments_on_a_poll_without_positions(client, city, citizen):
    poll = make_poll(city)
    client.force_login(citizen)
    response = client.post(
        _post_url(poll),
        {"body": "투표 기간을 늘려 주세요", "position": "for"},
        HTTP_HOST="changwon.test",
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.page_id == poll.pk and comment.position == ""
    html = client.get(poll.url, HTTP_HOST="changwon.test").content.decode()
    assert "투표 기간을 늘려 주세요" in html
    assert "Positions taken" not in html


def test_comments_on_a_debate(client, province, citizen):
    debate = make_debate(province)
    client.force_login(citizen)
    client.post(
        _post_url(debate), {"body": "토론 의견", "position": "against"}, HTTP_HOST="gyeongnam.test"
    )
    debate.refresh_from_db()
    assert debate.comment_count == 1
    assert Comment.objects.get().position == "against"


def test_page_types_without_the_mixin_have_no_comment_routes(client, province):
    from wagtail.models import Page

    home = Page.objects.get(pk=province.root_page_id)
    response = client.get(home.url + "comments/post/", HTTP_HOST="gyeongnam.test")
    assert response.status_code == 404


def _queries(client, url, host):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_debate_with_5000_comments_renders_its_first_screen_in_fixed_queries(
    client, province, signed_in
):
    debate = make_debate(province)
    voter = UserFactory()
    if signed_in:
        client.force_login(voter)
    small = make_debate(province, title="작은 토론")
    bulk_comments(small, 3, replies_per_top=2)
    baseline, _html = _queries(client, small.url, "gyeongnam.test")

    tops = bulk_comments(debate, 5000, replies_per_top=0)
    # Some long threads among the first screen: one with 300 replies.
    bulk_comments_replies = [
        Comment(
            page_id=debate.pk, parent=tops[-1], root=tops[-1], depth=1, author=voter, body=f"r{n}"
        )
        for n in range(300)
    ]
    Comment.objects.bulk_create(bulk_comments_replies)
    Comment.objects.filter(pk=tops[-1].pk).update(
        thread_reply_count=300, reply_count=300, score=999
    )
    CommentVote.objects.create(comment=tops[-1], user=voter, value=1)
    count, html = _queries(client, f"{debate.url}?csort=best", "gyeongnam.test")
    assert count <= baseline, f"{count} queries with 5000 comments, {baseline} with 3"
    assert html.count('class="comment comment--depth-0"') == 20
    assert html.count('class="comment comment--depth-1"') == 10  # the first replies only
    assert "Show 290 more replies" in html
    assert "5,300 comments" in html or "5300 comments" in html
    # The further batches cost the same at the end of the list.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            debate.url + "comments/?csort=oldest&cpage=250",
            HTTP_HOST="gyeongnam.test",
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert response.content.decode().count("comment--depth-0") == 20
    assert len(queries) <= baseline


def test_a_proposal_with_1000_comments_renders_in_fixed_queries(client, town, citizen):
    author = UserFactory()
    small = _live_proposal(client, town, author)
    big = _live_proposal(client, town, author)
    bulk_comments(small, 2, replies_per_top=1)
    client.force_login(citizen)
    baseline, _html = _queries(client, small.url, town.host)
    bulk_comments(big, 1000, replies_per_top=3)
    count, html = _queries(client, big.url, town.host)
    assert count <= baseline
    assert "4,000 comments" in html or "4000 comments" in html
    assert html.count("comment--depth-1") == 60
