"""Polls drafted from a citizen proposal the committee put to a public vote.

Participation sends ``put_to_vote`` when a committee decides so; this receiver builds a
draft poll pre-filled from the proposal and points its ``source_page`` at it. Voting
listens to participation's signal, so participation never imports voting.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.coreutils import find_available_slug
from wagtail.models import GroupPagePermission
from wagtail.rich_text import RichText

from voting.models import PollIndexPage, PollOption, PollPage, PollQuestion

OPENS_AFTER = timedelta(days=7)
OPEN_FOR = timedelta(days=14)


def poll_index_for(site):
    """The municipality's poll index, created (and published) under its home page if missing."""
    index = PollIndexPage.objects.descendant_of(site.root_page).first()
    if index is not None:
        return index
    with translation.override(settings.LANGUAGE_CODE):
        index = PollIndexPage(title=_("Polls"))
    home = site.root_page
    index.slug = find_available_slug(home, "polls")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _let_committee_edit_drafts(index, committee):
    """Wagtail's "add" permission: create polls here and edit the drafts one owns, not publish."""
    if committee is None:
        return
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    GroupPagePermission.objects.get_or_create(group=committee, page=index, permission=add_page)


def draft_poll(sender, proposal, site, user, committee=None, **kwargs):
    """A draft poll asking whether the public agrees with `proposal`, owned by `user`.

    Texts are stored in the site's language; staff adjust the dates and rules and publish.
    """
    index = poll_index_for(site)
    _let_committee_edit_drafts(index, committee)
    opens_at = timezone.now() + OPENS_AFTER
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(title)s: vote for or against") % {"title": proposal.title}
        link_text = _("Read the citizen proposal “%(title)s”") % {"title": proposal.title}
        introduction = format_html(
            '<p>{}</p><p><a linktype="page" id="{}">{}</a></p>',
            proposal.summary,
            proposal.pk,
            link_text,
        )
        question = PollQuestion(
            text=_("Do you agree with this proposal?"), kind=PollQuestion.Kind.SINGLE, sort_order=0
        )
        question.options = [
            PollOption(text=_("For"), sort_order=0),
            PollOption(text=_("Against"), sort_order=1),
        ]
    poll = PollPage(
        title=title[:255],
        slug=find_available_slug(index, f"proposal-{proposal.pk}-vote"),
        live=False,
        owner=user,
        introduction=[("paragraph", RichText(introduction))],
        opens_at=opens_at,
        closes_at=opens_at + OPEN_FOR,
        source_page=proposal,
    )
    poll.questions.add(question)
    index.add_child(instance=poll)
    poll.save_revision(user=user, log_action=True)
    return poll


def connect():
    from participation.signals import put_to_vote

    put_to_vote.connect(draft_poll, dispatch_uid="voting_draft_poll_from_proposal")
