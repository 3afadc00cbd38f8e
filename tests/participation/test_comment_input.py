"""Bad input on comments and debates: inert text, clear messages, kept text, nothing changes."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from participation.models import Comment, DebatePage, DiscussionSettings
from tests.factories import UserFactory
from tests.participation.discussion import debate_index, english, make_debate
from tests.participation.test_bad_input import XSS, assert_safe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
__all__ = ["english"]  # fixture

HOST = {"HTTP_HOST": "gyeongnam.test"}


@pytest.fixture
def debate(province):
    return make_debate(province)


@pytest.fixture
def old_citizen(db):
    """An account older than a day, under the ordinary writing limit."""
    return UserFactory(
        display_name="오래된 시민", date_joined=timezone.now() - datetime.timedelta(days=30)
    )


def _post(client, debate, user, body, **data):
    client.force_login(user)
    return client.post(
        debate.url + debate.reverse_subpage("comment_post"), {"body": body, **data}, **HOST
    )


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_comments_renders_as_inert_text(client, debate, old_citizen, payload):
    _post(client, debate, old_citizen, f"의견 {payload} https://example.org/x")
    comment = Comment.objects.get()
    assert comment.body.startswith("의견 ")  # stored as typed: plain text
    for url in (debate.url, f"{debate.url}comments/{comment.pk}/"):
        html = client.get(url, **HOST).content.decode()
        assert_safe(html)
        body = html.split(f'id="comment-{comment.pk}"')[1].split("comment__body")[1][:2000]
        assert "&lt;" in body or "<" not in payload
    fragment = client.get(f"{debate.url}comments/?csort=newest", HTTP_HX_REQUEST="true", **HOST)
    assert_safe(fragment.content.decode())


@pytest.mark.parametrize("payload", XSS[:4])
def test_xss_in_a_debate_renders_as_inert_text(client, province, old_citizen, payload):
    index = debate_index(province)
    client.force_login(old_citizen)
    response = client.post(
        index.url + "start/", {"title": f"질문 {payload}", "summary": f"설명 {payload}"}, **HOST
    )
    assert response.status_code == 302
    debate = DebatePage.objects.get()
    for url in (debate.url, index.url, index.url + "?q=" + payload):
        html = client.get(url, **HOST).content.decode()
        assert_safe(html)


def test_an_over_long_comment_is_refused_with_the_text_kept(client, debate, old_citizen):
    text = "가" * 1001
    response = _post(client, debate, old_citizen, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "the limit is 1000" in html
    assert text in html  # the form keeps what was typed
    assert not Comment.objects.exists()


def test_the_length_limit_is_a_site_setting(client, debate, old_citizen, province):
    config = DiscussionSettings.for_site(province)
    config.comment_max_length = 100
    config.save()
    response = _post(client, debate, old_citizen, "가" * 101)
    assert "the limit is 100" in response.content.decode()
    assert _post(client, debate, old_citizen, "가" * 100).status_code == 302


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_comment_is_refused(client, debate, old_citizen, body):
    response = _post(client, debate, old_citizen, body)
    assert response.status_code == 400
    assert "Write your comment before posting it." in response.content.decode()
    assert not Comment.objects.exists()


def test_htmx_refusal_returns_the_form_with_the_text(client, debate, old_citizen):
    client.force_login(old_citizen)
    response = client.post(
        debate.url + "comments/post/", {"body": "가" * 1200}, HTTP_HX_REQUEST="true", **HOST
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in place
    assert "the limit is 1000" in html and "가" * 1200 in html and "<html" not in html


def test_the_rate_limit_refuses_with_a_clear_message_and_keeps_the_text(
    client, debate, old_citizen
):
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for n in range(5):
            assert _post(client, debate, old_citizen, f"의견 {n}").status_code == 302
        response = _post(client, debate, old_citizen, "여섯 번째 의견")
        html = response.content.decode()
        assert response.status_code == 429
        assert "You have posted 5 comments in the last minute" in html
        assert "여섯 번째 의견" in html
        assert Comment.objects.count() == 5
    with time_machine.travel(timezone.now().replace(second=1) + datetime.timedelta(minutes=1)):
        assert _post(client, debate, old_citizen, "여섯 번째 의견").status_code == 302


def test_new_accounts_have_a_stricter_limit(client, debate):
    newcomer = UserFactory()
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        assert _post(client, debate, newcomer, "첫 의견").status_code == 302
        response = _post(client, debate, newcomer, "둘째 의견")
        assert response.status_code == 429
        assert "New accounts can post 1 comment a minute" in response.content.decode()
        assert "둘째 의견" in response.content.decode()


def test_comments_on_a_closed_debate_are_refused(client, province, old_citizen):
    debate = make_debate(province, closes_at=timezone.now() - datetime.timedelta(hours=1))
    response = _post(client, debate, old_citizen, "늦은 의견")
    assert response.status_code == 400
    assert "closed to new comments" in response.content.decode()
    assert not Comment.objects.exists()


def test_bad_parents_votes_and_pages_never_500(client, debate, old_citizen, province):
    other = make_debate(province, title="다른 토론")
    foreign = Comment.post(other, UserFactory(), "다른 곳의 글")
    client.force_login(old_citizen)
    base = debate.url + "comments/"
    assert client.post(base + "post/", {"body": "x", "parent": "abc"}, **HOST).status_code == 404
    assert (
        client.post(base + "post/", {"body": "x", "parent": foreign.pk}, **HOST).status_code == 404
    )
    assert client.post(f"{base}{foreign.pk}/vote/", {"value": "up"}, **HOST).status_code == 404
    mine = Comment.post(debate, UserFactory(), "의견")
    response = client.post(f"{base}{mine.pk}/vote/", {"value": "sideways"}, **HOST)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.up_count == mine.down_count == 0
    for query in ("?csort=nonsense", "?cpage=-4", "?cpage=abc", "?cpage=99999999999"):
        assert client.get(debate.url + query, **HOST).status_code == 200
    assert client.get(base + "post/", **HOST).status_code == 405


def test_blocked_people_cannot_comment_or_vote(client, debate, old_citizen, province):
    from participation.models import UserBlock

    comment = Comment.post(debate, UserFactory(), "의견")
    UserBlock.objects.create(user=old_citizen, site=province, reason="도배")
    response = _post(client, debate, old_citizen, "차단된 사람의 글")
    assert response.status_code == 302
    client.post(f"{debate.url}comments/{comment.pk}/vote/", {"value": "up"}, **HOST)
    assert Comment.objects.count() == 1
    comment.refresh_from_db()
    assert comment.up_count == 0
    html = client.get(debate.url, **HOST).content.decode()
    assert "Your account cannot comment at the moment." in html


def test_anonymous_visitors_are_sent_to_log_in(client, debate):
    response = client.post(debate.url + "comments/post/", {"body": "익명"}, **HOST)
    assert response.status_code == 302 and "login" in response["Location"]
    assert "Log in to comment" in client.get(debate.url, **HOST).content.decode()
