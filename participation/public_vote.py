"""Putting a citizen proposal to a public vote: a draft poll pre-filled from the proposal.

Voting owns polls; this module only builds one and points its ``source_page`` at the
proposal, so voting never needs to know about proposals.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.urls import reverse
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


def draft_poll(proposal, site, user, committee=None):
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


def edit_url(poll, user):
    """Where to send someone to finish the poll, if they may edit it."""
    if poll is None:
        return None
    # Wagtail caches page permissions on the user for the request; one may just have been granted.
    user = get_user_model().objects.get(pk=user.pk)
    if poll.permissions_for_user(user).can_edit():
        return reverse("wagtailadmin_pages:edit", args=(poll.pk,))
    return None


def poll_just_drafted(request, proposal):
    """After a decision taken in the page editor: tell the member and open the new draft poll."""
    from wagtail.admin import messages

    from participation.models import ProposalPage

    if not ProposalPage.objects.filter(
        pk=proposal.pk, stage=ProposalPage.Stage.PUT_TO_VOTE
    ).exists():
        return None
    poll = PollPage.objects.filter(source_page_id=proposal.pk).order_by("-pk").first()
    url = edit_url(poll, request.user)
    if url is None:
        return None
    messages.success(
        request,
        _("A draft poll was created. Check its dates and who may vote, then publish it."),
        buttons=[messages.button(url, _("Edit the poll"))],
    )
    return redirect(url)
