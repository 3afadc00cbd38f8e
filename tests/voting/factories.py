"""Builders for polls and verified voters."""

import datetime

from django.utils import timezone

from voting.models import (
    PollIndexPage,
    PollOption,
    PollPage,
    PollQuestion,
    VoterVerification,
)


def poll_index(site):
    index = PollIndexPage.objects.child_of(site.root_page).first()
    if index is None:
        index = PollIndexPage(title="투표", slug="polls")
        site.root_page.add_child(instance=index)
        index.save_revision().publish()
    return index


def make_poll(
    site,
    *,
    title="마을버스 노선",
    questions=None,
    opens_at=None,
    closes_at=None,
    slug=None,
    **fields,
):
    """A published poll. `questions`: [(kind, text, [option texts], max_choices)]."""
    now = timezone.now()
    questions = questions or [("single", "새 노선을 어디로 할까요?", ["시청", "역", "시장"], None)]
    poll = PollPage(
        title=title,
        slug=slug or f"poll-{PollPage.objects.count() + 1}",
        opens_at=opens_at or now - datetime.timedelta(days=1),
        closes_at=closes_at or now + datetime.timedelta(days=7),
        **fields,
    )
    for number, (kind, text, options, max_choices) in enumerate(questions):
        question = PollQuestion(text=text, kind=kind, max_choices=max_choices, sort_order=number)
        question.options = [
            PollOption(text=option, sort_order=index) for index, option in enumerate(options)
        ]
        poll.questions.add(question)
    poll_index(site).add_child(instance=poll)
    poll.save_revision().publish()
    return PollPage.objects.get(pk=poll.pk)


def verify(user, site, *, born=datetime.date(1990, 5, 1), district="", identity_hash=""):
    return VoterVerification.objects.create(
        user=user,
        site=site,
        birth_date=born,
        district=district,
        identity_hash=identity_hash,
        method=VoterVerification.Method.MANUAL,
    )


def options_of(poll, question_index=0):
    return list(poll.question_list[question_index].options.all())


def ensure_tree():
    """Wagtail's root page and default locale, which a flush by an earlier transactional
    test may have removed (the migrations created them once)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    ContentType.objects.clear_cache()  # a flush recreates content types under new ids
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
