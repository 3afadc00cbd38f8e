"""Live blocks for the block library: the latest proposals and those awaiting an answer."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.models import Site


class _ProposalListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=80, required=False)
    count = blocks.IntegerBlock(label=_("How many"), default=4, min_value=1, max_value=12)

    def proposals(self, request):
        from participation.models import ProposalPage

        proposals = ProposalPage.objects.visible().for_list()
        site = Site.find_for_request(request) if request is not None else None
        if site is not None:
            proposals = proposals.descendant_of(site.root_page)
        return self.filter(proposals)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        context["proposals"] = list(self.proposals(request)[: value["count"]])
        context["heading"] = value["heading"] or self.meta.default_heading
        return context

    class Meta:
        template = "participation/blocks/proposal_list.html"
        icon = "list-ul"


class LatestProposalsBlock(_ProposalListBlock):
    def filter(self, proposals):
        return proposals.exclude(stage="withdrawn").order_by("-published_at", "-pk")

    class Meta:
        label = _("Latest proposals")
        description = _("The newest citizen proposals on this site")
        default_heading = _("Latest proposals")
        preview_value = {"heading": "최신 시민 제안", "count": 4}


class AwaitingAnswerBlock(_ProposalListBlock):
    def filter(self, proposals):
        return proposals.awaiting_answer().order_by("threshold_reached_at", "pk")

    class Meta:
        label = _("Proposals awaiting an answer")
        description = _("Proposals that reached the threshold and are under committee review")
        default_heading = _("Awaiting the committee's answer")
        preview_value = {"heading": "위원회 답변을 기다리는 제안", "count": 4}


PROPOSAL_BLOCKS = [
    ("latest_proposals", LatestProposalsBlock()),
    ("proposals_awaiting_answer", AwaitingAnswerBlock()),
]


class ActiveDebatesBlock(blocks.StructBlock):
    """Open debates on this site with the most recent discussion."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=80, required=False)
    count = blocks.IntegerBlock(label=_("How many"), default=4, min_value=1, max_value=12)
    official_only = blocks.BooleanBlock(label=_("Only official debates"), required=False)

    def get_context(self, value, parent_context=None):
        from django.db.models import F
        from django.utils import timezone

        from participation.models import DebatePage

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        debates = DebatePage.objects.visible().open_at(timezone.now())
        site = Site.find_for_request(request) if request is not None else None
        if site is not None:
            debates = debates.descendant_of(site.root_page)
        if value.get("official_only"):
            debates = debates.filter(official=True)
        debates = debates.order_by(F("last_comment_at").desc(nulls_last=True), "-pk")
        context["debates"] = list(debates[: value["count"]])
        context["heading"] = value["heading"] or _("Active debates")
        return context

    class Meta:
        template = "participation/blocks/active_debates.html"
        icon = "comment"
        label = _("Active debates")
        description = _("Open debates with the most recent discussion")
        preview_value = {"heading": "진행 중인 토론", "count": 4, "official_only": False}


DEBATE_BLOCKS = [("active_debates", ActiveDebatesBlock())]
