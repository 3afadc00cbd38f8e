"""Staff views in the Wagtail admin: count a budget with a rule (a job) and publish a result."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from budgeting.jobs import run_tally
from budgeting.models import BudgetHeading, BudgetPage, BudgetResult, Rule
from cms.jobs import enqueue


class CountForm(forms.Form):
    heading = forms.ModelChoiceField(
        queryset=BudgetHeading.objects.none(), label=gettext_lazy("Heading")
    )
    rule = forms.ChoiceField(choices=Rule.choices, label=gettext_lazy("Rule"))

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = page.headings.order_by("sort_order", "pk")
        self.fields["rule"].initial = page.rule


def _page(request, page_id):
    page = get_object_or_404(BudgetPage, pk=page_id)
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return page


def results(request, page_id):
    page = _page(request, page_id)
    form = CountForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        heading, rule = form.cleaned_data["heading"], form.cleaned_data["rule"]
        with transaction.atomic():
            result, _created = BudgetResult.objects.select_for_update().get_or_create(
                heading=heading, rule=rule
            )
            if result.is_published:
                messages.error(request, _("This result is published; it is not counted again."))
                return redirect("budgeting_admin:results", page.pk)
            result.status, result.progress, result.error = BudgetResult.Status.QUEUED, 0, ""
            result.save(update_fields=["status", "progress", "error"])
            enqueue(run_tally, result.pk, request.user.pk)
        messages.success(request, _("The count has started; this page shows its progress."))
        return redirect("budgeting_admin:results", page.pk)
    rows = (
        BudgetResult.objects.filter(heading__page=page)
        .select_related("heading")
        .order_by("heading__sort_order", "rule")
    )
    running = any(
        r.status in (BudgetResult.Status.QUEUED, BudgetResult.Status.RUNNING) for r in rows
    )
    return TemplateResponse(
        request,
        "budgeting/admin/results.html",
        {"page": page, "form": form, "results": rows, "running": running},
    )


@require_POST
def publish(request, page_id, result_id):
    page = _page(request, page_id)
    result = get_object_or_404(BudgetResult, pk=result_id, heading__page=page)
    if result.status != BudgetResult.Status.DONE:
        messages.error(request, _("Only a finished count can be published."))
        return redirect("budgeting_admin:results", page.pk)
    try:
        with transaction.atomic():
            updated = BudgetResult.objects.filter(pk=result.pk, published_at__isnull=True).update(
                published_at=timezone.now(), published_by=request.user
            )
    except IntegrityError:
        messages.error(request, _("Another result of this heading is already published."))
        return redirect("budgeting_admin:results", page.pk)
    if updated:
        messages.success(request, _("The result is published."))
    return redirect("budgeting_admin:results", page.pk)
