"""The blocks municipality pages are built from: the generic library and each app's live blocks."""

from wagtail import blocks

from budgeting.blocks import LIVE_BLOCKS as BUDGET_BLOCKS
from cms.blocks import CONTENT_BLOCKS
from participation.blocks import DEBATE_BLOCKS, PROPOSAL_BLOCKS
from voting.blocks import LIVE_BLOCKS as VOTING_BLOCKS


class PageBody(blocks.StreamBlock):
    """Offered on the home page and content pages. Apps add their live blocks here."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            CONTENT_BLOCKS + PROPOSAL_BLOCKS + VOTING_BLOCKS + BUDGET_BLOCKS + DEBATE_BLOCKS,
            *args,
            **kwargs,
        )
