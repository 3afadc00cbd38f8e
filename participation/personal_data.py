"""Participation's part of what the platform holds about a person (see cms.personal_data)."""

from django.utils.translation import gettext_lazy as _

from cms.personal_data import register
from participation.models import (
    Comment,
    CommentVote,
    DebatePage,
    Follow,
    Notification,
    ProposalPage,
    Report,
    Support,
)


@register("proposals", _("Proposals"), order=10)
def proposal_rows(user):
    return [
        {
            "title": page.title,
            "stage": page.get_stage_display(),
            "summary": page.summary,
            "submitted_at": page.submitted_at,
        }
        for page in ProposalPage.objects.filter(author=user).order_by("pk")
    ]


@register("debates", _("Debates"), order=11)
def debate_rows(user):
    return [
        {"title": page.title, "first_published_at": page.first_published_at}
        for page in DebatePage.objects.filter(author=user).order_by("pk")
    ]


@register("comments", _("Comments"), order=12)
def comment_rows(user):
    return [
        {"page": comment.page.title, "body": comment.body, "created_at": comment.created_at}
        for comment in Comment.objects.filter(author=user).select_related("page").order_by("pk")
    ]


@register("supports", _("Supports"), order=13)
def support_rows(user):
    return [
        {"proposal": support.proposal.title, "created_at": support.created_at}
        for support in Support.objects.filter(user=user).select_related("proposal").order_by("pk")
    ]


@register("comment_votes", _("Votes on comments"), order=14)
def comment_vote_rows(user):
    return [
        {"comment": vote.comment_id, "value": vote.value}
        for vote in CommentVote.objects.filter(user=user).order_by("pk")
    ]


@register("follows", _("Follows"), order=15)
def follow_rows(user):
    return [
        {"content_type": str(follow.content_type), "object_id": follow.object_id}
        for follow in Follow.objects.filter(user=user).select_related("content_type")
    ]


@register("notifications", _("Notifications"), order=16)
def notification_rows(user):
    return [
        {
            "title": notification.title,
            "message": notification.message,
            "created_at": notification.created_at,
        }
        for notification in Notification.objects.filter(recipient=user).order_by("pk")
    ]


@register("reports", _("Reports you made"), order=17)
def report_rows(user):
    return [
        {
            "reason": report.get_reason_display(),
            "note": report.note,
            "created_at": report.created_at,
        }
        for report in Report.objects.filter(reporter=user).order_by("pk")
    ]
