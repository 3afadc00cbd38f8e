"""Live blocks for the page library: the open polls of this municipality, and one poll's results."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.models import Site


class OpenPollsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    count = blocks.IntegerBlock(label=_("How many"), default=3, min_value=1, max_value=12)

    class Meta:
        icon = "tick-inverse"
        label = _("Open polls")
        template = "voting/blocks/open_polls.html"
        description = _("The polls open now on this municipality's site.")
        preview_value = {"heading": "진행 중인 투표", "count": 3}

    def get_context(self, value, parent_context=None):
        from voting.models import PollIndexPage, PollPage

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        site = Site.find_for_request(request) if request else None
        polls = PollPage.objects.visible().open_at(timezone.now())
        index = None
        if site is not None:
            polls = polls.descendant_of(site.root_page)
            index = PollIndexPage.objects.live().descendant_of(site.root_page).first()
        context["polls"] = list(polls.order_by("closes_at")[: value.get("count") or 3])
        context["index_url"] = index.get_url(request=request) if index else None
        return context


class PollResultsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    poll = blocks.PageChooserBlock(label=_("Poll"), page_type="voting.PollPage")

    class Meta:
        icon = "table"
        label = _("Poll results")
        template = "voting/blocks/poll_results.html"
        description = _("A poll's results, once they are published.")

    def get_context(self, value, parent_context=None):
        from voting import results

        context = super().get_context(value, parent_context)
        poll = value.get("poll")
        poll = poll.specific if poll is not None else None
        if poll is not None and not poll.live:
            poll = None
        context["poll"] = poll
        context["results"] = None
        if poll is not None and poll.results_visible():
            request = (parent_context or {}).get("request")
            site = (Site.find_for_request(request) if request else None) or poll.get_site()
            context["results"] = results.compute(poll, site)
        return context


LIVE_BLOCKS = [("open_polls", OpenPollsBlock()), ("poll_results", PollResultsBlock())]
