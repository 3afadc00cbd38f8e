"""The comment mechanism: threading, positions, votes, sorting, editing, deleting, rendering."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from participation.models import Comment, CommentVote, DiscussionSettings
from tests.factories import UserFactory
from tests.participation.discussion import english, make_debate, relaxed_limits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "relaxed_limits")]
__all__ = ["english", "relaxed_limits"]  # fixtures


@pytest.fixture
def debate(province):
    return make_debate(province)


def _url(page, route="comment_post", **kwargs):
    return page.url + page.reverse_subpage(route, kwargs=kwargs or None)


def post(client, page, user, body="좋은 의견입니다.", host="gyeongnam.test", **data):
    client.force_login(user)
    return client.post(_url(page), {"body": body, **data}, HTTP_HOST=host)


def test_citizen_posts_a_top_level_comment_with_a_position(client, debate, citizen):
    response = post(client, debate, citizen, "찬성합니다.", position="for")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.depth, comment.position, comment.root_id) == (0, "for", None)
    page = client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    assert "찬성합니다." in page
    assert "김민지" in page
    assert "100%" in page  # the balance: all the positions taken are for


def test_threads_go_three_levels_deep_and_deeper_replies_stay_in_the_thread(
    client, debate, citizen
):
    other = UserFactory()
    post(client, debate, citizen, "첫 의견")
    top = Comment.objects.get()
    post(client, debate, other, "답글 1", parent=top.pk)
    first = Comment.objects.latest("pk")
    post(client, debate, citizen, "답글 2", parent=first.pk)
    second = Comment.objects.latest("pk")
    post(client, debate, other, "답글 3", parent=second.pk)
    third = Comment.objects.latest("pk")
    assert (first.depth, second.depth) == (1, 2)
    # A reply to a depth-2 comment joins its parent's replies, next to it.
    assert third.depth == 2 and third.parent_id == first.pk
    assert {c.root_id for c in (first, second, third)} == {top.pk}
    top.refresh_from_db()
    first.refresh_from_db()
    assert top.reply_count == 1 and top.thread_reply_count == 3
    assert first.reply_count == 2
    page = client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    assert (
        page.index("첫 의견") < page.index("답글 1") < page.index("답글 2") < page.index("답글 3")
    )
    assert f'id="replies-{first.pk}"' in page


def test_replies_carry_no_position(client, debate, citizen):
    post(client, debate, citizen, "첫 의견", position="against")
    top = Comment.objects.get()
    post(client, debate, UserFactory(), "답글", parent=top.pk, position="for")
    assert Comment.objects.get(depth=1).position == ""


def test_pages_that_do_not_ask_for_positions_ignore_them(client, province, citizen):
    debate = make_debate(province, ask_position=False)
    post(client, debate, citizen, "의견", position="for")
    assert Comment.objects.get().position == ""
    assert (
        "comment-position"
        not in client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    )


def test_votes_one_per_citizen_change_and_withdraw(client, debate, citizen):
    comment = Comment.post(debate, UserFactory(), "의견")
    url = _url(debate, "comment_vote", comment_id=comment.pk)
    client.force_login(citizen)
    for value in ("up", "up"):
        client.post(url, {"value": value}, HTTP_HOST="gyeongnam.test")
    comment.refresh_from_db()
    assert (comment.up_count, comment.down_count, comment.score) == (1, 0, 1)
    client.post(url, {"value": "down"}, HTTP_HOST="gyeongnam.test")
    comment.refresh_from_db()
    assert (comment.up_count, comment.down_count, comment.score) == (0, 1, -1)
    assert CommentVote.objects.count() == 1
    client.post(url, {"value": "clear"}, HTTP_HOST="gyeongnam.test")
    comment.refresh_from_db()
    assert (comment.up_count, comment.down_count, comment.score) == (0, 0, 0)
    assert CommentVote.objects.count() == 0


def test_authors_cannot_vote_on_their_own_comments(client, debate, citizen):
    comment = Comment.post(debate, citizen, "내 의견")
    client.force_login(citizen)
    response = client.post(
        _url(debate, "comment_vote", comment_id=comment.pk),
        {"value": "up"},
        HTTP_HOST="gyeongnam.test",
        follow=True,
    )
    comment.refresh_from_db()
    assert comment.up_count == 0
    assert "You cannot vote on this comment." in response.content.decode()


def test_htmx_vote_returns_the_updated_buttons(client, debate, citizen):
    comment = Comment.post(debate, UserFactory(), "의견")
    client.force_login(citizen)
    response = client.post(
        _url(debate, "comment_vote", comment_id=comment.pk),
        {"value": "up"},
        HTTP_HOST="gyeongnam.test",
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="votes-{comment.pk}"' in html
    assert 'aria-pressed="true"' in html and 'value="clear"' in html
    assert "<html" not in html


def test_recount_makes_counters_equal_the_rows(debate, citizen):
    comment = Comment.post(debate, UserFactory(), "의견")
    CommentVote.cast(comment, citizen, 1)
    Comment.post(debate, citizen, "답글", parent=comment)
    Comment.objects.filter(pk=comment.pk).update(up_count=40, score=-3, reply_count=9)
    assert Comment.recount() == 1
    comment.refresh_from_db()
    assert (comment.up_count, comment.score, comment.reply_count, comment.thread_reply_count) == (
        1,
        1,
        1,
        1,
    )
    assert Comment.recount() == 0


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("best", ["b", "c", "a"]), ("newest", ["c", "b", "a"]), ("oldest", ["a", "b", "c"])],
)
def test_sorting_best_newest_oldest(client, debate, sort, expected):
    start = timezone.now() - datetime.timedelta(hours=1)
    for minutes, (body, score) in enumerate([("a", 0), ("b", 5), ("c", 2)]):
        Comment.objects.create(
            page=debate,
            author=UserFactory(),
            body=f"정렬-{body}",
            score=score,
            created_at=start + datetime.timedelta(minutes=minutes),
        )
    html = client.get(f"{debate.url}?csort={sort}", HTTP_HOST="gyeongnam.test").content.decode()
    positions = [html.index(f"정렬-{body}") for body in expected]
    assert positions == sorted(positions)


def test_edit_within_the_window_marks_edited(client, debate, citizen):
    comment = Comment.post(debate, citizen, "처음 글")
    client.force_login(citizen)
    url = _url(debate, "comment_edit", comment_id=comment.pk)
    with time_machine.travel(comment.created_at + datetime.timedelta(minutes=14)):
        response = client.post(url, {"body": "고친 글"}, HTTP_HOST="gyeongnam.test")
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "고친 글" and comment.edited_at is not None
    page = client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    assert "(edited)" in page


def test_edit_after_the_window_is_refused(client, debate, citizen):
    comment = Comment.post(debate, citizen, "처음 글")
    client.force_login(citizen)
    url = _url(debate, "comment_edit", comment_id=comment.pk)
    with time_machine.travel(comment.created_at + datetime.timedelta(minutes=16)):
        response = client.post(url, {"body": "고친 글"}, HTTP_HOST="gyeongnam.test", follow=True)
    comment.refresh_from_db()
    assert comment.body == "처음 글" and comment.edited_at is None
    assert "can be edited for 15 minutes" in response.content.decode()


def test_edit_window_is_a_site_setting(client, debate, citizen, province):
    config = DiscussionSettings.for_site(province)
    config.edit_window_minutes = 60
    config.save()
    comment = Comment.post(debate, citizen, "처음 글")
    client.force_login(citizen)
    with time_machine.travel(comment.created_at + datetime.timedelta(minutes=45)):
        client.post(
            _url(debate, "comment_edit", comment_id=comment.pk),
            {"body": "고친 글"},
            HTTP_HOST="gyeongnam.test",
        )
    comment.refresh_from_db()
    assert comment.body == "고친 글"


def test_others_cannot_edit(client, debate, citizen):
    comment = Comment.post(debate, citizen, "처음 글")
    client.force_login(UserFactory())
    response = client.post(
        _url(debate, "comment_edit", comment_id=comment.pk),
        {"body": "남이 고침"},
        HTTP_HOST="gyeongnam.test",
    )
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.body == "처음 글"


def test_deleting_leaves_a_placeholder_and_the_replies(client, debate, citizen):
    top = Comment.post(debate, citizen, "지울 글")
    Comment.post(debate, UserFactory(), "남는 답글", parent=top)
    client.force_login(citizen)
    response = client.post(
        _url(debate, "comment_delete", comment_id=top.pk), HTTP_HOST="gyeongnam.test"
    )
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.deleted_at is not None and top.body == ""
    page = client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    assert "지울 글" not in page
    assert "This comment was deleted." in page
    assert "남는 답글" in page
    # Deleted comments leave the count and the balance.
    assert "1 comment<" in page or "1 comment" in page


def test_others_cannot_delete(client, debate, citizen):
    top = Comment.post(debate, citizen, "글")
    client.force_login(UserFactory())
    response = client.post(
        _url(debate, "comment_delete", comment_id=top.pk), HTTP_HOST="gyeongnam.test"
    )
    assert response.status_code == 404
    top.refresh_from_db()
    assert top.deleted_at is None


def test_text_is_plain_with_clickable_links_and_line_breaks(client, debate, citizen):
    Comment.post(debate, citizen, "첫 줄\n둘째 줄 https://example.org/a?b=1 참고")
    html = client.get(debate.url, HTTP_HOST="gyeongnam.test").content.decode()
    assert "첫 줄<br>둘째 줄" in html
    assert '<a href="https://example.org/a?b=1" rel="nofollow ugc noopener">' in html


def test_notifications_go_to_the_page_author_and_the_parent_author(
    client, province, citizen, run_jobs, mailoutbox
):
    from participation.models import Notification

    opener = UserFactory(display_name="토론 개설자")
    debate = make_debate(province, author=opener)
    replier = UserFactory()
    with run_jobs():
        post(client, debate, citizen, "의견입니다")
    top = Comment.objects.get()
    with run_jobs():
        post(client, debate, replier, "답글입니다", parent=top.pk)
    kinds = sorted(Notification.objects.values_list("recipient__display_name", "kind"))
    assert kinds == [
        ("김민지", "comment_reply"),
        ("토론 개설자", "comment"),
        ("토론 개설자", "comment"),
    ]
    assert any("답글입니다" in message.body for message in mailoutbox)


def test_load_more_without_javascript_and_with_htmx(client, debate):
    from tests.participation.discussion import bulk_comments

    bulk_comments(debate, 45)
    first = client.get(f"{debate.url}?csort=oldest", HTTP_HOST="gyeongnam.test").content.decode()
    assert "의견 0<" in first and "의견 19<" in first and "의견 20<" not in first
    assert "cpage=2" in first
    second = client.get(
        f"{debate.url}?csort=oldest&cpage=2", HTTP_HOST="gyeongnam.test"
    ).content.decode()
    assert "의견 20<" in second and "의견 0<" not in second
    fragment = client.get(
        _url(debate, "comments") + "?csort=oldest&cpage=3",
        HTTP_HOST="gyeongnam.test",
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "의견 40<" in fragment and "의견 44<" in fragment and "<html" not in fragment
    assert "cpage=4" not in fragment


def test_recount_command_restores_every_counter(debate, citizen):
    from io import StringIO

    from django.core.management import call_command

    from participation.models import DebatePage

    comment = Comment.post(debate, UserFactory(), "의견")
    CommentVote.cast(comment, citizen, -1)
    Comment.objects.filter(pk=comment.pk).update(down_count=7, score=3)
    DebatePage.objects.filter(pk=debate.pk).update(comment_count=99, up_count=5)
    out = StringIO()
    call_command("recount_comments", stdout=out)
    assert "Comments corrected: 1." in out.getvalue()
    comment.refresh_from_db()
    debate.refresh_from_db()
    assert (comment.down_count, comment.score) == (1, -1)
    assert (debate.comment_count, debate.up_count) == (1, 0)


@pytest.mark.parametrize("sort", ["oldest", "newest", "best"])
def test_show_more_links_walk_every_comment_once_by_cursor(client, debate, sort):
    """Each "show more" link carries the last shown comment's cursor; following them shows
    every comment once, in the sort's order, with ties on score and time broken by id."""
    import html as html_module
    import re

    from tests.participation.discussion import bulk_comments

    bulk_comments(debate, 45)
    # Ties: ten comments share one time and one score, so only the id orders them.
    same = list(Comment.objects.filter(page_id=debate.pk).order_by("pk")[10:20])
    Comment.objects.filter(pk__in=[c.pk for c in same]).update(
        created_at=same[0].created_at, score=3
    )
    expected = [
        c.body
        for c in Comment.objects.filter(page_id=debate.pk, depth=0).order_by(*Comment.SORTS[sort])
    ]
    seen = []
    url = f"{debate.url}?csort={sort}"
    for _batch in range(5):
        page = client.get(url, HTTP_HOST="gyeongnam.test").content.decode()
        seen += re.findall(r">(의견 \d+)<", page)
        more = re.search(r'class="button button--secondary" href="([^"]+)"', page)
        if not more or "cafter=" not in more.group(1):
            break
        url = html_module.unescape(more.group(1)).split("#")[0]
    assert seen == expected


def test_a_cursor_that_is_not_ours_starts_from_the_page_number(client, debate):
    from tests.participation.discussion import bulk_comments

    bulk_comments(debate, 25)
    for junk in ("zz", "1_2", "1_99999999999999999999999_3", "a_b_c"):
        response = client.get(
            f"{debate.url}?csort=oldest&cpage=2&cafter={junk}", HTTP_HOST="gyeongnam.test"
        )
        assert response.status_code == 200
        assert "의견 20<" in response.content.decode()
