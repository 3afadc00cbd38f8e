"""Participation's figures for the key-figures block (see cms.live_figures)."""

from cms.live_figures import register
from participation.models import Comment, ProposalPage, Support


def _proposals(root):
    return ProposalPage.objects.visible().descendant_of(root)


@register("proposals")
def proposals(root):
    return _proposals(root).count()


@register("answers")
def answers(root):
    return _proposals(root).filter(answered_at__isnull=False).count()


@register("supports")
def supports(root):
    return Support.objects.filter(proposal__in=_proposals(root)).count()


@register("participants")
def participants(root):
    """People who proposed, supported or commented on this municipality's site."""
    authors = _proposals(root).filter(author__isnull=False).order_by().values("author_id")
    supporters = Support.objects.filter(proposal__in=_proposals(root)).order_by().values("user_id")
    commenters = (
        Comment.objects.filter(page__in=root.get_descendants(inclusive=True), author__isnull=False)
        .order_by()
        .values("author_id")
    )
    return authors.union(supporters, commenters).count()
