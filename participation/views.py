"""Citizen-facing views. Pages route here (ProposalIndexPage's subpage routes), so every URL
lives inside its municipality's site."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.pagination import CachedCountPaginator
from cms.redirects import redirect_back
from cms.scope import require_in_site
from participation import permissions, ratelimit, supporters, workflow
from participation.forms import FilterForm, ProposalForm, ReportForm, WithdrawForm
from participation.models import (
    Comment,
    DebatePage,
    EmailPreference,
    Follow,
    Notification,
    ProposalEvent,
    ProposalFile,
    ProposalIndexPage,
    ProposalPage,
    Report,
    Support,
    SupportClosed,
    SupportRefused,
)
from participation.notify import check_unsubscribe_token
from participation.sanitize import html_to_markdown

PER_PAGE = 12
# Models people may follow and report.
FOLLOWABLE = {ProposalPage, DebatePage}
REPORTABLE = {ProposalPage, DebatePage, Comment}


def _site(request):
    return Site.find_for_request(request)


def _url(request, index, name, **kwargs):
    """A route of the index, relative to the site the request came in on."""
    return index.get_url(request) + index.reverse_subpage(name, kwargs=kwargs)


def _too_fast():
    return _("You are doing this too often. Wait a while, then try again.")


def _require_writer(request, site):
    """None if the person may write here; otherwise the response that explains why not."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_write(request.user, site):
        if permissions.is_blocked(request.user, site):
            messages.error(
                request,
                _("Your account is blocked from taking part. You can still read everything."),
            )
        else:
            messages.error(request, _("Verify your email address before taking part."))
        return redirect_back(request)
    return None


# The index ------------------------------------------------------------------------------

SORT_ORDER = {
    "newest": [F("published_at").desc(nulls_last=True), "-pk"],
    "supported": ["-support_count", "-pk"],
    "closing": [F("support_deadline").asc(nulls_last=True), "-pk"],
    "answered": [F("answered_at").desc(nulls_last=True), "-pk"],
}


def index_context(index, request):
    site = _site(request)
    workflow.process_due(ProposalPage.objects.child_of(index))
    form = FilterForm(request.GET or None, site=site)
    proposals = ProposalPage.objects.visible().child_of(index).for_list()
    sort = "newest"
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            proposals = proposals.matching(data["q"])
        if data["stage"]:
            proposals = proposals.filter(stage=data["stage"])
        if data["topic"]:
            proposals = proposals.filter(topic=data["topic"])
        if data["area"]:
            proposals = proposals.filter(area=data["area"])
        sort = data["sort"] or sort
    if sort == "closing":
        proposals = proposals.filter(stage=ProposalPage.Stage.COLLECTING)
    elif sort == "answered":
        proposals = proposals.filter(answered_at__isnull=False)
    proposals = proposals.order_by(*SORT_ORDER[sort])
    page = CachedCountPaginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter_form": form,
        "proposals": page,
        "submit_url": _url(request, index, "submit"),
        "my_url": _url(request, index, "my_activity"),
        "can_write": permissions.can_write(request.user, site),
    }


# A proposal's page -------------------------------------------------------------------


def proposal_context(proposal, request):
    site = _site(request)
    user = request.user
    index = proposal.get_parent().specific
    content_type = ContentType.objects.get_for_model(ProposalPage)
    supported = (
        user.is_authenticated and Support.objects.filter(proposal=proposal, user=user).exists()
    )
    support_refusal = None
    if proposal.support_open and not supported and permissions.can_write(user, site):
        support_refusal = supporters.refusal(user, site)
    return {
        "index_page": index,
        "timeline": proposal.timeline,
        "files": _with_urls(request, index, proposal.files.all()),
        "supported": supported,
        "following": Follow.is_following(user, proposal),
        "can_support": permissions.can_support(user, proposal, site) and not support_refusal,
        "support_refusal": support_refusal,
        "verify_url": supporters.verify_url(site, request) if support_refusal else None,
        "can_write": permissions.can_write(user, site),
        "can_edit": permissions.can_edit_proposal(user, proposal, site),
        "can_withdraw": permissions.can_withdraw_proposal(user, proposal, site),
        "is_author": user.is_authenticated and proposal.author_id == user.pk,
        "support_url": support_url(proposal),
        "follow_url": _url(
            request, index, "follow", content_type_id=content_type.pk, object_id=proposal.pk
        ),
        "report_url": _url(
            request, index, "report", content_type_id=content_type.pk, object_id=proposal.pk
        ),
        "edit_url": _url(request, index, "edit", proposal_id=proposal.pk),
        "withdraw_url": _url(request, index, "withdraw", proposal_id=proposal.pk),
    }


def support_box_context(proposal, request, site, supported=None):
    """What the support box needs, and nothing more: a support answers with the box alone.

    `supported` is passed when the caller already knows it (the support just given or
    withdrawn), which saves the query.
    """
    user = request.user
    if supported is None:
        supported = (
            user.is_authenticated and Support.objects.filter(proposal=proposal, user=user).exists()
        )
    support_refusal = None
    if proposal.support_open and not supported and permissions.can_write(user, site):
        support_refusal = supporters.refusal(user, site)
    return {
        "supported": supported,
        "can_support": permissions.can_support(user, proposal, site) and not support_refusal,
        "support_refusal": support_refusal,
        "verify_url": supporters.verify_url(site, request) if support_refusal else None,
        "can_write": permissions.can_write(user, site),
        "support_url": support_url(proposal),
    }


def support_url(proposal):
    """Where the support box posts: a route of its own, outside the page tree, so that a
    support costs no page routing (the proposal's own `…/<id>/support/` still works)."""
    return reverse("proposal_support", args=[proposal.pk])


def _proposal_for(index, proposal_id):
    return get_object_or_404(
        ProposalPage.objects.child_of(index).select_related("author"), pk=proposal_id
    )


def _own_proposal(request, index, proposal_id):
    proposal = _proposal_for(index, proposal_id)
    if proposal.author_id != request.user.pk:
        raise Http404
    return proposal


def support_proposal(request, index, proposal_id):
    """The index page's route (`<index>/<id>/support/`), kept for links made before
    `support_by_id`."""
    return _support(request, _proposal_for(index, proposal_id))


def support_by_id(request, proposal_id):
    """`/-/proposals/<id>/support/`: a proposal of the site the request came in on."""
    site = _site(request)
    if site is None:
        raise Http404
    proposal = get_object_or_404(ProposalPage.objects.descendant_of(site.root_page), pk=proposal_id)
    return _support(request, proposal)


def _support(request, proposal):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    site = _site(request)
    if not proposal.live or not permissions.can_see_proposal(request.user, proposal, site):
        raise Http404
    refusal = _require_writer(request, site)
    if refusal is not None:
        return refusal
    action = request.POST.get("action", "support")
    status, changed = 200, False
    try:
        if not ratelimit.take(request.user, "click"):
            message, status = _too_fast(), 429
        elif action == "withdraw":
            changed = Support.withdraw(proposal, request.user)
            message = _("Your support was withdrawn.")
        else:
            changed = Support.give(proposal, request.user, site=site)
            if request.POST.get("follow"):
                Follow.follow(request.user, proposal)
            message = _("Thank you: your support is counted.")
    except SupportClosed:
        message, status = _("Supports for this proposal are closed."), 400
    except SupportRefused as refused:
        message, status = refused.reason, 403
    if not changed:  # nothing written here: show what others have written meanwhile
        proposal.refresh_from_db(fields=["support_count", "stage"])
    if status == 200 and action != "withdraw":
        workflow.after_support(proposal)
    if request.htmx:
        supported = None
        if status == 200:
            supported = action != "withdraw"
        context = support_box_context(proposal, request, site, supported)
        context.update(page=proposal, support_message=message)
        return TemplateResponse(
            request, "participation/includes/support_box.html", context, status=status
        )
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(proposal.get_url(request))


def _target(request, content_type_id, object_id, allowed):
    """The followed or reported object, only if it belongs to the requesting site."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model not in allowed:
        raise Http404
    obj = get_object_or_404(model, pk=object_id)
    if getattr(obj, "live", True) is False:
        raise Http404
    return require_in_site(obj, request)


def follow(request, index, content_type_id, object_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = _target(request, content_type_id, object_id, FOLLOWABLE)
    if not request.user.is_authenticated:
        return redirect_to_login(obj.get_url(request))
    if not ratelimit.take(request.user, "click"):
        messages.error(request, _too_fast())
    elif request.POST.get("action") == "unfollow":
        Follow.unfollow(request.user, obj)
        messages.success(request, _("You no longer follow this."))
    else:
        Follow.follow(request.user, obj)
        messages.success(request, _("You will be told when this changes."))
    return redirect(obj.get_url(request))


def report(request, index, content_type_id, object_id):
    site = _site(request)
    obj = _target(request, content_type_id, object_id, REPORTABLE)
    refusal = _require_writer(request, site)
    if refusal is not None:
        return refusal
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and not ratelimit.take(request.user, "report"):
        form.add_error(None, _too_fast())
        status = 429
    elif request.method == "POST" and form.is_valid():
        added = Report.file(
            request.user, obj, site, form.cleaned_data["reason"], form.cleaned_data["note"]
        )
        if added:
            messages.success(request, _("Thank you. Moderators will look at your report."))
        else:
            messages.info(request, _("You have already reported this."))
        return redirect(obj.get_url(request) if not obj.hidden else index.get_url(request))
    return TemplateResponse(
        request,
        "participation/report.html",
        {"page": index, "form": form, "target": obj},
        status=status,
    )


# Attached files -------------------------------------------------------------------------


def _with_urls(request, index, files):
    files = list(files)
    base = index.get_url(request)
    for attached in files:
        attached.href = base + index.reverse_subpage(
            "proposal_file", kwargs={"file_id": attached.pk}
        )
    return files


def proposal_file(request, index, file_id):
    """An attached file, served only to those who may see its proposal (404 to others)."""
    attached = get_object_or_404(
        ProposalFile.objects.select_related("proposal"),
        pk=file_id,
        proposal__in=ProposalPage.objects.child_of(index),
    )
    if not attached.proposal.visible_to(request.user, _site(request)):
        raise Http404
    try:
        handle = attached.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    is_image = attached.kind == ProposalFile.Kind.IMAGE
    response = FileResponse(
        handle,
        as_attachment=not is_image,
        filename=attached.name if not is_image else None,
        content_type=None if is_image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


# Writing a proposal ---------------------------------------------------------------------


def _save_files(proposal, form):
    for field, kind in (
        ("image", ProposalFile.Kind.IMAGE),
        ("attachment", ProposalFile.Kind.DOCUMENT),
    ):
        upload = form.cleaned_data.get(field)
        if upload:
            ProposalFile.objects.create(
                proposal=proposal,
                kind=kind,
                file=upload,
                name=upload.name[:120],
                alt=form.cleaned_data.get("image_alt", "")
                if kind == ProposalFile.Kind.IMAGE
                else "",
            )


def submit_proposal(request, index):
    site = _site(request)
    refusal = _require_writer(request, site)
    if refusal is not None:
        return refusal
    form = ProposalForm(request.POST or None, request.FILES or None, site=site)
    status = 200
    if (
        request.method == "POST"
        and form.is_valid()
        and not ratelimit.take(request.user, "proposal")
    ):
        form.add_error(
            None,
            _(
                "You have written many proposals in the last hour. "
                "Wait a while, then save again: your text is kept below."
            ),
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            # One new page at a time under an index: a double click gets its own place in the
            # tree (and its own slug) instead of a clash on the tree path.
            index = ProposalIndexPage.objects.select_for_update().get(pk=index.pk)
            proposal = ProposalPage(
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                topic=data["topic"],
                area=data.get("area"),
                author=request.user,
                owner=request.user,
                live=False,
                stage=ProposalPage.Stage.DRAFT,
            )
            index.add_child(instance=proposal)
            proposal.save_revision(user=request.user, log_action=True)
            _save_files(proposal, form)
        messages.success(request, _("Your draft is saved. Check it, then submit it."))
        return redirect(_url(request, index, "preview", proposal_id=proposal.pk))
    return TemplateResponse(
        request,
        "participation/proposal_form.html",
        {"page": index, "form": form, "editing": None},
        status=status,
    )


def edit_proposal(request, index, proposal_id):
    site = _site(request)
    refusal = _require_writer(request, site)
    if refusal is not None:
        return refusal
    proposal = _own_proposal(request, index, proposal_id)
    if not permissions.can_edit_proposal(request.user, proposal, site):
        messages.error(request, _("This proposal can no longer be edited."))
        return redirect(_url(request, index, "my_activity"))
    draft = proposal.get_latest_revision_as_object()
    initial = {
        "title": draft.title,
        "summary": draft.summary,
        "body": html_to_markdown(draft.body),
        "topic": draft.topic_id,
        "area": draft.area_id,
    }
    form = ProposalForm(
        request.POST or None,
        request.FILES or None,
        site=site,
        initial=initial,
        existing_files=proposal.files.count(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            draft.title = data["title"]
            draft.draft_title = data["title"]
            draft.summary = data["summary"]
            draft.body = data["body"]
            draft.topic = data["topic"]
            draft.area = data.get("area")
            draft.save_revision(user=request.user)
            _save_files(proposal, form)
            proposal.record(ProposalEvent.Kind.EDITED, actor=request.user, public=False)
        messages.success(request, _("Your changes are saved."))
        return redirect(_url(request, index, "preview", proposal_id=proposal.pk))
    return TemplateResponse(
        request,
        "participation/proposal_form.html",
        {"page": index, "form": form, "editing": proposal},
    )


def preview_proposal(request, index, proposal_id):
    site = _site(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    proposal = _own_proposal(request, index, proposal_id)
    can_submit = proposal.stage in (ProposalPage.Stage.DRAFT, ProposalPage.Stage.CHANGES_REQUESTED)
    if request.method == "POST":
        refusal = _require_writer(request, site)
        if refusal is not None:
            return refusal
        try:
            if not can_submit:
                raise PermissionDenied
            workflow.submit(proposal, request.user)
        except PermissionDenied:  # submitted already, perhaps by a second click a moment ago
            messages.error(request, _("This proposal has already been submitted."))
        else:
            messages.success(
                request, _("Your proposal was submitted. Moderators will check it soon.")
            )
        return redirect(_url(request, index, "my_activity"))
    draft = proposal.get_latest_revision_as_object()
    return TemplateResponse(
        request,
        "participation/proposal_preview.html",
        {
            "page": index,
            "proposal": draft,
            "files": _with_urls(request, index, proposal.files.all()),
            "can_submit": can_submit,
            "can_edit": permissions.can_edit_proposal(request.user, proposal, site),
            "edit_url": _url(request, index, "edit", proposal_id=proposal.pk),
        },
    )


def withdraw_proposal(request, index, proposal_id):
    site = _site(request)
    refusal = _require_writer(request, site)
    if refusal is not None:
        return refusal
    proposal = _own_proposal(request, index, proposal_id)
    if not permissions.can_withdraw_proposal(request.user, proposal, site):
        messages.error(request, _("This proposal can no longer be withdrawn."))
        return redirect(_url(request, index, "my_activity"))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.withdraw(
                proposal, request.user, form.cleaned_data["reason"], form.cleaned_data["note"]
            )
        except PermissionDenied:  # withdrawn a moment ago by another request
            messages.info(request, _("This proposal has already been withdrawn."))
        else:
            messages.success(request, _("Your proposal was withdrawn."))
        return redirect(
            proposal.get_url(request) if proposal.live else _url(request, index, "my_activity")
        )
    return TemplateResponse(
        request, "participation/withdraw.html", {"page": index, "form": form, "proposal": proposal}
    )


# A citizen's own activity ---------------------------------------------------------------


def my_activity(request, index):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    if request.method == "POST":
        Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect(_url(request, index, "my_activity"))
    # This municipality's proposals only: their links and actions route through its index.
    proposals = (
        ProposalPage.objects.child_of(index)
        .filter(author=user)
        .select_related("topic")
        .order_by("-pk")[:50]
    )
    supports = (
        Support.objects.filter(user=user, proposal__path__startswith=index.path)
        .select_related("proposal")
        .order_by("-created_at")[:50]
    )
    notifications = Notification.objects.filter(recipient=user)[:30]
    return TemplateResponse(
        request,
        "participation/my_activity.html",
        {
            "page": index,
            "my_proposals": [
                (proposal, _url(request, index, "preview", proposal_id=proposal.pk))
                for proposal in proposals
            ],
            "my_supports": supports,
            "notifications": notifications,
            "unread": sum(1 for n in notifications if n.read_at is None),
        },
    )


def unsubscribe(request, index, user_id, token):
    if not check_unsubscribe_token(user_id, token):
        raise Http404
    done = False
    if request.method == "POST":
        EmailPreference.objects.update_or_create(
            user_id=user_id, defaults={"email_notifications": False}
        )
        done = True
    return TemplateResponse(
        request, "participation/unsubscribe.html", {"page": index, "done": done}
    )
