"""Staff views in the Wagtail admin: count a budget with a rule (a job) and publish a result."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
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


# Paper and on-site ballots (budgeting/offline.py)


class OfflineBallotForm(forms.Form):
    heading = forms.ModelChoiceField(
        queryset=BudgetHeading.objects.none(), label=gettext_lazy("Heading")
    )
    channel = forms.ChoiceField(
        choices=[("paper", gettext_lazy("Paper ballot")), ("booth", gettext_lazy("On-site booth"))],
        label=gettext_lazy("Channel"),
    )
    vote = forms.CharField(
        label=gettext_lazy("Projects"),
        max_length=2000,
        help_text=gettext_lazy(
            "The project ids on the ballot, separated by commas, in ballot order (rank order "
            "for ranked ballots)."
        ),
    )
    points = forms.CharField(
        label=gettext_lazy("Points"),
        max_length=2000,
        required=False,
        help_text=gettext_lazy("For cumulative ballots: the points, in the same order."),
    )

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.fields["heading"].queryset = page.headings.order_by("sort_order", "pk")

    def clean(self):
        from budgeting import ballots, offline

        data = super().clean()
        if self.errors:
            return data
        try:
            data["ballot"] = offline.read_ballot(
                self.page,
                data["heading"],
                data["vote"],
                data.get("points"),
                offline.project_ids(self.page),
            )
        except ballots.BallotInvalid as invalid:
            raise forms.ValidationError(invalid.reasons) from None
        return data


class OfflineFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: heading (id or name), channel (paper or booth), vote (project ids "
            "separated by commas), points (cumulative ballots only). Nothing is imported if "
            "any line is wrong."
        ),
    )


def offline_ballots(request, page_id):
    from budgeting import ballots, offline
    from budgeting.models import BudgetBallot, BudgetProjectPage

    page = _page(request, page_id)
    one = OfflineBallotForm(page=page)
    upload = OfflineFileForm()
    problems = []
    status = 200
    if request.method == "POST":
        try:
            if "file" in request.FILES or request.POST.get("form") == "file":
                upload = OfflineFileForm(request.POST, request.FILES)
                if upload.is_valid():
                    data = upload.cleaned_data["file"].read(5_000_000)
                    count = offline.record(page, offline.read_csv(page, data))
                    messages.success(
                        request, _("%(count)d ballots were imported.") % {"count": count}
                    )
                    return redirect("budgeting_admin:offline", page.pk)
                status = 400
            else:
                one = OfflineBallotForm(request.POST, page=page)
                if one.is_valid():
                    ballots.record_offline(
                        [one.cleaned_data["ballot"]], one.cleaned_data["channel"]
                    )
                    messages.success(request, _("The ballot was recorded."))
                    return redirect("budgeting_admin:offline", page.pk)
                status = 400
        except offline.OfflineError as error:
            problems, status = error.problems, 400
        except ballots.VoteRefused as refused:
            problems, status = refused.reasons, 400
    counts = {
        (row["heading_id"], row["channel"]): row["n"]
        for row in BudgetBallot.objects.filter(heading__page=page, channel__in=["paper", "booth"])
        .values("heading_id", "channel")
        .annotate(n=Count("id"))
        .order_by()
    }
    headings = [
        (h, counts.get((h.pk, "paper"), 0), counts.get((h.pk, "booth"), 0))
        for h in page.headings.order_by("sort_order", "pk")
    ]
    projects = (
        BudgetProjectPage.objects.filter(heading__page=page)
        .select_related("heading")
        .order_by("heading__sort_order", "file_order", "pk")
    )
    return TemplateResponse(
        request,
        "budgeting/admin/offline.html",
        {
            "page": page,
            "one": one,
            "upload": upload,
            "problems": problems,
            "headings": headings,
            "projects": projects,
        },
        status=status,
    )
