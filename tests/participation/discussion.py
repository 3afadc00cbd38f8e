"""Helpers for debate and comment tests: a debates index, debates, and comments in bulk."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation

from participation.models import Comment, DebateIndexPage, DebatePage, DiscussionSettings
from tests.factories import UserFactory


def debate_index(site):
    index = DebateIndexPage.objects.descendant_of(site.root_page).first()
    if index is None:
        index = DebateIndexPage(title="토론", slug="debates")
        site.root_page.add_child(instance=index)
        index.save_revision().publish()
    return index


def make_debate(site, title="버스 노선 개편, 찬성하십니까?", **fields):
    index = debate_index(site)
    fields.setdefault("summary", "시내버스 노선 개편안에 대해 의견을 나눠 주세요.")
    debate = DebatePage(title=title, **fields)
    index.add_child(instance=debate)
    debate.save_revision().publish()
    debate.refresh_from_db()
    return debate


def bulk_comments(page, count, *, authors=None, replies_per_top=0, start=None):
    """`count` top-level comments (with positions in turn) and some replies, fast."""
    authors = authors or [UserFactory() for _ in range(5)]
    start = start or timezone.now() - datetime.timedelta(days=10)
    positions = ["for", "against", "neutral"]
    tops = Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                author=authors[n % len(authors)],
                body=f"의견 {n}",
                position=positions[n % 3] if getattr(page, "comment_positions", False) else "",
                created_at=start + datetime.timedelta(seconds=n),
                score=n % 17,
                up_count=n % 17,
                thread_reply_count=replies_per_top,
                reply_count=replies_per_top,
            )
            for n in range(count)
        ]
    )
    if replies_per_top:
        Comment.objects.bulk_create(
            [
                Comment(
                    page_id=page.pk,
                    parent=top,
                    root=top,
                    depth=1,
                    author=authors[(i + 1) % len(authors)],
                    body=f"답글 {i}",
                    created_at=top.created_at + datetime.timedelta(seconds=i + 1),
                )
                for top in tops
                for i in range(replies_per_top)
            ]
        )
    return tops


@pytest.fixture
def english(client):
    """Assert on the English source text, whatever the Korean catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def relaxed_limits(province):
    """Most tests post many comments quickly: lift the writing limits for them."""
    config = DiscussionSettings.for_site(province)
    config.writes_per_minute = config.new_account_writes_per_minute = 100
    config.save()
    return config
