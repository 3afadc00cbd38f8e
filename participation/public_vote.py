"""After a committee puts a proposal to a public vote: send the member on to the draft poll.

The poll itself is drafted by the voting app, which listens to ``participation.signals.put_to_vote``;
it points back at the proposal through ``source_page``, so ``proposal.polls`` finds it.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


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
    poll = proposal.polls.order_by("-pk").first()
    url = edit_url(poll, request.user)
    if url is None:
        return None
    messages.success(
        request,
        _("A draft poll was created. Check its dates and who may vote, then publish it."),
        buttons=[messages.button(url, _("Edit the poll"))],
    )
    return redirect(url)
