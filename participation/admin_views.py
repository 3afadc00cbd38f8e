"""The moderation queue in the Wagtail admin: reported content per municipality, and its actions."""

from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.scope import site_among, site_for, site_paths
from participation import permissions
from participation.models import ModerationAction, Report, UserBlock, set_hidden


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("hide", "hide"),
            ("restore", "restore"),
            ("dismiss", "dismiss"),
            ("block", "block"),
        ]
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (recorded in the moderation log)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _author(obj):
    return getattr(obj, "author", None) or getattr(obj, "user", None)


def queue(request):
    sites = permissions.moderated_sites(request.user)
    if not sites:
        raise PermissionDenied
    reports = (
        Report.objects.filter(site__in=sites, status=Report.Status.OPEN)
        .select_related("reporter", "content_type", "site")
        .order_by("-created_at")[:500]
    )
    grouped = OrderedDict()
    for report in reports:
        key = (report.content_type_id, report.object_id)
        grouped.setdefault(
            key, {"reports": [], "site": report.site, "content_type": report.content_type}
        )
        grouped[key]["reports"].append(report)
    items = []
    paths = site_paths(sites)
    for (content_type_id, object_id), entry in grouped.items():
        model = entry["content_type"].model_class()
        obj = model._default_manager.filter(pk=object_id).first() if model else None
        # Listed in the queue of the municipality the object belongs to, wherever it was
        # reported from.
        site = site_among(obj, paths) if obj is not None else None
        if site is None:
            continue
        items.append(
            {
                **entry,
                "site": site,
                "object": obj,
                "url": obj.get_full_url() if getattr(obj, "live", True) else "",
                "content_type_id": content_type_id,
                "author": _author(obj),
            }
        )
    return TemplateResponse(
        request,
        "participation/admin/moderation_queue.html",
        {
            "items": items,
            "form": ActionForm(),
            "log": ModerationAction.objects.filter(site__in=sites).select_related(
                "actor", "target_user"
            )[:30],
            "page_title": _("Moderation queue"),
            "header_icon": "warning",
        },
    )


def act(request, content_type_id, object_id):
    if request.method != "POST":
        raise PermissionDenied
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    obj = get_object_or_404(model, pk=object_id)
    if not Report.objects.filter(content_type=content_type, object_id=object_id).exists():
        raise PermissionDenied
    # The object's own municipality decides, not the site a report came through.
    site = site_for(obj)
    if site is None or not permissions.is_moderator(request.user, site):
        raise PermissionDenied
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action and give a reason."))
        return redirect("participation_moderation_queue")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    open_reports = Report.objects.filter(
        content_type=content_type, object_id=object_id, status=Report.Status.OPEN
    )
    with transaction.atomic():
        if action == "hide":
            set_hidden(obj, True, actor=request.user, site=site, reason=reason)
            open_reports.update(
                status=Report.Status.UPHELD, handled_by=request.user, handled_at=timezone.now()
            )
            messages.success(request, _("Hidden."))
        elif action == "restore":
            set_hidden(obj, False, actor=request.user, site=site, reason=reason)
            open_reports.update(
                status=Report.Status.DISMISSED, handled_by=request.user, handled_at=timezone.now()
            )
            messages.success(request, _("Restored."))
        elif action == "dismiss":
            # Only the request that closes the open reports logs the decision.
            if open_reports.update(
                status=Report.Status.DISMISSED, handled_by=request.user, handled_at=timezone.now()
            ):
                ModerationAction.log(
                    site, ModerationAction.Action.DISMISS, request.user, reason, target=obj
                )
            messages.success(request, _("Reports dismissed."))
        elif action == "block":
            author = _author(obj)
            if author is None:
                messages.error(request, _("This content has no author to block."))
            else:
                try:
                    with transaction.atomic():
                        UserBlock.objects.create(
                            user=author, site=site, reason=reason, blocked_by=request.user
                        )
                except IntegrityError:
                    pass  # blocked a moment ago: that request logged it
                else:
                    ModerationAction.log(
                        site,
                        ModerationAction.Action.BLOCK,
                        request.user,
                        reason,
                        target=obj,
                        target_user=author,
                    )
                messages.success(
                    request,
                    _("%(name)s can no longer write on this site.") % {"name": author.public_name},
                )
    return redirect("participation_moderation_queue")
