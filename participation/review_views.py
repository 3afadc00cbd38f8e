"""The committee's review screen in the Wagtail admin: everything a member needs to decide a
proposal on one page, and the decision acting through the workflow's committee task (so the
workflow history and the public timeline stay right)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participation import permissions
from participation.comment_views import page_counts
from participation.models import Comment, CommitteeTask, ProposalPage, Support
from participation.models.workflow import DecisionForm

PER_PAGE = 25


def _committee_task_state(proposal):
    task_state = proposal.current_workflow_task_state
    if task_state is not None and isinstance(task_state.task.specific, CommitteeTask):
        return task_state
    return None


def review(request, proposal_id):
    proposal = get_object_or_404(ProposalPage, pk=proposal_id)
    site = proposal.get_site()
    if not (request.user.is_superuser or permissions.is_committee_member(request.user, site)):
        raise PermissionDenied
    task_state = _committee_task_state(proposal)
    task = task_state.task.specific if task_state else None
    may_decide = task is not None and bool(task.get_actions(proposal, request.user))
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            next_url = task.on_action(task_state, request.user, "decide", **form.cleaned_data)
            messages.success(request, _("Your decision and answer are published."))
            return redirect(next_url or reverse("participation_review", args=[proposal.pk]))
    proposal.refresh_from_db()
    supports_by_day = list(
        Support.objects.filter(proposal=proposal)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    most = max((row["count"] for row in supports_by_day), default=0)
    for row in supports_by_day:
        row["percent"] = round(100 * row["count"] / most) if most else 0
    comment_total, balance = page_counts(proposal, with_positions=True)
    related = (
        ProposalPage.objects.visible()
        .child_of(proposal.get_parent())
        .filter(topic_id=proposal.topic_id)
        .exclude(pk=proposal.pk)
        .order_by("-support_count", "-pk")[:5]
    )
    return TemplateResponse(
        request,
        "participation/admin/review.html",
        {
            "proposal": proposal,
            "public_url": proposal.get_full_url() if proposal.live else "",
            "supports_by_day": supports_by_day,
            "comment_total": comment_total,
            "balance": balance,
            "top_comments": Comment.objects.on(proposal)
            .shown()
            .select_related("author")
            .order_by("-up_count", "-score", "pk")[:5],
            "related": related,
            "form": form if may_decide else None,
            "overdue": proposal.review_due_at is not None
            and proposal.review_due_at < timezone.now(),
            "page_title": _("Committee review"),
            "page_subtitle": proposal.title,
            "header_icon": "gavel",
        },
    )


def reviews(request):
    """Proposals awaiting a committee's answer, the overdue first."""
    sites = permissions.reviewed_sites(request.user)
    if not sites:
        raise PermissionDenied
    roots = [site.root_page for site in sites]
    proposals = ProposalPage.objects.none()
    for root in roots:
        proposals = proposals | ProposalPage.objects.descendant_of(root).awaiting_answer()
    proposals = proposals.select_related("topic").order_by("review_due_at", "pk")
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "participation/admin/reviews.html",
        {
            "proposals": page,
            "now": timezone.now(),
            "overdue_count": proposals.filter(review_due_at__lt=timezone.now()).count(),
            "page_title": _("Committee review"),
            "header_icon": "gavel",
        },
    )
