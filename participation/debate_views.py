"""Debate views, routed through DebateIndexPage and DebatePage."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from participation import permissions, ratelimit
from participation.forms import CloseDebateForm, DebateFilterForm, DebateForm
from participation.models import (
    DebatePage,
    DebateVote,
    DiscussionSettings,
    Follow,
    ParticipationSettings,
)
from participation.notify import notify

PER_PAGE = 12
SORT_ORDER = {
    "newest": [F("first_published_at").desc(nulls_last=True), "-pk"],
    "active": ["-comment_count", F("last_comment_at").desc(nulls_last=True), "-pk"],
    "voted": ["-score", "-up_count", "-pk"],
}


def _site(request):
    return Site.find_for_request(request)


def debate_index_context(index, request):
    site = _site(request)
    now = timezone.now()
    form = DebateFilterForm(request.GET or None)
    debates = DebatePage.objects.visible().child_of(index).select_related("author")
    sort = "newest"
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            debates = debates.filter(
                Q(title__icontains=data["q"]) | Q(summary__icontains=data["q"])
            )
        if data["status"] == "open":
            debates = debates.open_at(now)
        elif data["status"] == "closed":
            debates = debates.closed_at_time(now)
        elif data["status"] == "official":
            debates = debates.filter(official=True)
        sort = data["sort"] or sort
    debates = debates.order_by(*SORT_ORDER[sort])
    page = Paginator(debates, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "filter_form": form,
        "debates": page,
        "start_url": index.get_url(request) + index.reverse_subpage("start"),
        "can_write": permissions.can_write(request.user, site),
    }


def start_debate(request, index):
    site = _site(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_write(request.user, site):
        messages.error(request, _("Your account cannot open debates at the moment."))
        return redirect(index.get_url(request))
    config = DiscussionSettings.for_site(site)
    form = DebateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not ratelimit.take(request.user, "write", config):
                status = 429
                form.add_error(
                    None,
                    _(
                        "You are writing too fast. Wait a minute, then try again: your text is kept."
                    ),
                )
            else:
                debate = _create_debate(request.user, index, form.cleaned_data, config, site)
                if debate.live:
                    messages.success(request, _("Your debate is open."))
                    return redirect(debate.get_url(request))
                messages.success(
                    request,
                    _("Your debate is saved. It will appear once a moderator has checked it."),
                )
                return redirect(index.get_url(request))
    return TemplateResponse(
        request, "participation/debate_form.html", {"page": index, "form": form}, status=status
    )


def _create_debate(user, index, data, config, site):
    needs_moderation = config.debates_need_moderation
    with transaction.atomic():
        # One new page at a time under an index (see participation.views.submit_proposal).
        index = type(index).objects.select_for_update().get(pk=index.pk)
        debate = DebatePage(
            title=data["title"],
            summary=data["summary"],
            author=user,
            owner=user,
            official=False,
            live=not needs_moderation,
        )
        index.add_child(instance=debate)
        revision = debate.save_revision(user=user, log_action=True)
        if not needs_moderation:
            revision.publish(user=user, skip_permission_checks=True)
            debate.refresh_from_db()
            Follow.follow(user, debate)
    if needs_moderation:
        group = ParticipationSettings.for_site(site).moderators_group
        ensure_moderator_permissions(index, group)
        moderators = list(group.user_set.filter(is_active=True)) if group else []
        notify(moderators, "debate_pending", debate)
    return debate


def ensure_moderator_permissions(index, group):
    """Moderators approve citizens' debates by publishing them in the admin."""
    if group is None:
        return
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=index,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )


def debate_context(debate, request):
    site = _site(request)
    user = request.user
    my_vote = 0
    if user.is_authenticated:
        my_vote = (
            DebateVote.objects.filter(debate_id=debate.pk, user=user)
            .values_list("value", flat=True)
            .first()
            or 0
        )
    base = debate.get_url(request)
    return {
        "index_page": debate.get_parent().specific,
        "my_vote": my_vote,
        "can_vote": permissions.can_vote_debate(user, debate, site),
        "can_close": permissions.can_close_debate(user, debate, site),
        "can_report": permissions.can_report(user, site) and debate.author_id != user.pk,
        "following": Follow.is_following(user, debate),
        "vote_url": base + debate.reverse_subpage("vote"),
        "close_url": base + debate.reverse_subpage("close"),
        "report_url": base + debate.reverse_subpage("report"),
        "follow_url": base + debate.reverse_subpage("follow"),
    }


VOTE_VALUES = {"up": 1, "down": -1, "clear": 0}


def vote_debate(request, debate):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    site = _site(request)
    if not request.user.is_authenticated:
        return redirect_to_login(debate.get_url(request))
    value = VOTE_VALUES.get(request.POST.get("value"))
    status = 200
    if value is None:
        message, status = _("Choose agree or disagree."), 400
    elif not permissions.can_vote_debate(request.user, debate, site):
        message, status = _("You cannot vote on this debate."), 403
    else:
        DebateVote.cast(debate, request.user, value)
        message = _("Your vote is counted.") if value else _("Your vote was withdrawn.")
    if request.htmx:
        debate.refresh_from_db(fields=["up_count", "down_count", "score"])
        context = debate_context(debate, request)
        context.update(page=debate, vote_message=message)
        return TemplateResponse(request, "participation/includes/debate_votes.html", context)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(debate.get_url(request))


def close_debate(request, debate):
    site = _site(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_close_debate(request.user, debate, site):
        messages.error(request, _("Only the municipality's staff can close a debate."))
        return redirect(debate.get_url(request))
    form = CloseDebateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not debate.close(request.user, form.cleaned_data["conclusion"].strip()):
            messages.info(request, _("This debate has already been closed."))
            return redirect(debate.url)
        recipients = list(Follow.followers(debate))
        if debate.author is not None:
            recipients.append(debate.author)
        notify(recipients, "debate_closed", debate, debate.conclusion[:300])
        messages.success(request, _("The debate is closed and its conclusion is published."))
        return redirect(debate.get_url(request))
    return TemplateResponse(
        request,
        "participation/debate_close.html",
        {"page": debate, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def report_debate(request, debate):
    from participation.views import report

    return report(
        request, debate.get_parent(), ContentType.objects.get_for_model(DebatePage).pk, debate.pk
    )


def follow_debate(request, debate):
    from participation.views import follow

    return follow(
        request, debate.get_parent(), ContentType.objects.get_for_model(DebatePage).pk, debate.pk
    )
