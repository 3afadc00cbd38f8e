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
from budgeting.models import (
    BudgetHeading,
    BudgetPage,
    BudgetProjectPage,
    BudgetResult,
    Feasibility,
    PhaseKind,
    Rule,
)
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
        from participation.satisfaction import invite_after_budget_result

        # Voters are asked once per budget how it went (participation/satisfaction.py).
        transaction.on_commit(lambda: invite_after_budget_result(page))
        messages.success(request, _("The result is published."))
    return redirect("budgeting_admin:results", page.pk)


# Running the process: phases by hand, the review of projects, the selection for the ballot.

BALLOT_FROZEN = gettext_lazy(
    "Balloting has opened: which projects are on the ballot can no longer change."
)


class ReviewForm(forms.Form):
    feasibility = forms.ChoiceField(choices=Feasibility.choices, label=gettext_lazy("Feasibility"))
    explanation = forms.CharField(
        label=gettext_lazy("Public explanation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Shown on the project's page and sent to its author."),
    )
    cost_estimate = forms.DecimalField(
        label=gettext_lazy("Staff cost estimate"),
        required=False,
        max_digits=16,
        decimal_places=0,
        min_value=0,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("feasibility") == Feasibility.UNFEASIBLE
            and not (data.get("explanation") or "").strip()
        ):
            self.add_error("explanation", _("Explain in public why the project is not feasible."))
        return data


class BulkReviewForm(ReviewForm):
    projects = forms.ModelMultipleChoiceField(
        queryset=BudgetProjectPage.objects.none(),
        label=gettext_lazy("Projects"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one project.")},
    )

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = BudgetProjectPage.objects.child_of(page)
        del self.fields["cost_estimate"]


def process(request, page_id):
    """The budget's process screen: its phase, moving it on, and every project's review."""
    from django.core.paginator import Paginator

    page = _page(request, page_id)
    projects = (
        BudgetProjectPage.objects.child_of(page)
        .select_related("heading", "author")
        .order_by("file_order", "pk")
    )
    feasibility = request.GET.get("feasibility", "")
    if feasibility in Feasibility.values:
        projects = projects.filter(feasibility=feasibility)
    form = BulkReviewForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid() and page.settings_frozen():
        if any(
            p.feasibility != form.cleaned_data["feasibility"] for p in form.cleaned_data["projects"]
        ):
            form.add_error("feasibility", BALLOT_FROZEN)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        told = 0
        with transaction.atomic():
            for project in data["projects"]:
                told += project.review(
                    data["feasibility"],
                    data["explanation"].strip(),
                    project.cost_estimate,
                    request.user,
                )
        messages.success(
            request,
            _("%(count)d projects reviewed.") % {"count": len(data["projects"])},
        )
        return redirect("budgeting_admin:process", page.pk)
    return TemplateResponse(
        request,
        "budgeting/admin/process.html",
        {
            "page": page,
            "phase": page.current_phase(),
            "next_kind": page.next_phase_kind(),
            "next_label": PhaseKind(page.next_phase_kind()).label if page.next_phase_kind() else "",
            "projects": Paginator(projects, 50).get_page(request.GET.get("p")),
            "form": form,
            "feasibility": feasibility,
            "feasibility_choices": Feasibility.choices,
            "frozen": page.settings_frozen(),
        },
    )


def review_project(request, page_id, project_id):
    page = _page(request, page_id)
    project = get_object_or_404(BudgetProjectPage.objects.child_of(page), pk=project_id)
    form = ReviewForm(
        request.POST or None,
        initial={
            "feasibility": project.feasibility,
            "explanation": project.feasibility_explanation,
            "cost_estimate": project.cost_estimate,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and page.settings_frozen()
        and form.cleaned_data["feasibility"] != project.feasibility
    ):
        form.add_error("feasibility", BALLOT_FROZEN)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project.review(
            data["feasibility"], data["explanation"].strip(), data["cost_estimate"], request.user
        )
        messages.success(
            request, _("The review of “%(title)s” is saved.") % {"title": project.title}
        )
        return redirect("budgeting_admin:process", page.pk)
    return TemplateResponse(
        request,
        "budgeting/admin/review.html",
        {"page": page, "project": project, "form": form},
    )


@require_POST
def next_phase(request, page_id):
    page = _page(request, page_id)
    kind = page.next_phase_kind()
    if not kind:
        messages.error(request, _("The budget is in its last phase."))
        return redirect("budgeting_admin:process", page.pk)
    BudgetPage.objects.filter(pk=page.pk).update(phase_override=kind)
    if page.live:
        # Keep the latest revision in step, so publishing it later does not move the phase back.
        page.phase_override = kind
        revision = page.save_revision(user=request.user, log_action=True)
        revision.publish(user=request.user)
    messages.success(
        request, _("The budget is now in the phase: %(phase)s.") % {"phase": PhaseKind(kind).label}
    )
    return redirect("budgeting_admin:process", page.pk)


@require_POST
def follow_dates(request, page_id):
    page = _page(request, page_id)
    page.phase_override = ""
    revision = page.save_revision(user=request.user, log_action=True)
    if page.live:
        revision.publish(user=request.user)
    messages.success(request, _("The budget follows its phases' dates again."))
    return redirect("budgeting_admin:process", page.pk)


@require_POST
def select_for_ballot(request, page_id):
    page = _page(request, page_id)
    if page.settings_frozen():
        messages.error(request, BALLOT_FROZEN)
        return redirect("budgeting_admin:process", page.pk)
    count = page.select_for_ballot()
    messages.success(request, _("%(count)d projects are on the ballot.") % {"count": count})
    return redirect("budgeting_admin:process", page.pk)


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
