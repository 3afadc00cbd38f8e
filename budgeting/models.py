"""Participatory budgets: an edition (BudgetPage), its headings, projects, ballots and results.

Pages for what editors and the public browse (the budget, its projects); plain rows for
what crowds write (ballots and their choices, written in bulk, never as page revisions).
A ballot row is anonymous: a random id, its heading, a channel, optional voter columns
and its choices. Imported pabulib ballots keep the file's `voter_id` (so that an export
gives the file back and one voter cannot get two ballots for one heading); ballots opened
from online envelopes (voting's secret ballot, part 2) have a blank `voter_id`.
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from budgeting.admin_forms import BudgetPageForm
from cms.page_state import PageState
from participation.models.implementation import ImplementationTracked, register_trackable
from voting.models import Channel

# The pabulib META limits a budget keeps as fields of its own (read by the rules and the exchange).
BALLOT_LIMITS = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


class BallotKind(models.TextChoices):
    KNAPSACK = "knapsack", _("Knapsack (choose projects within the heading's amount)")
    APPROVAL = "approval", _("Approval (choose several)")
    CHOOSE_1 = "choose-1", _("Choose one")
    CUMULATIVE = "cumulative", _("Cumulative (distribute points)")
    ORDINAL = "ordinal", _("Ordinal (rank projects)")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("Greedy: highest score first, skipping what does not fit")
    GREEDY_NO_SKIP = "greedy-no-skip", _("Greedy, stopping at the first project that does not fit")
    GREEDY_THRESHOLD = "greedy-threshold", _("Greedy over projects reaching the minimum score")
    EQUAL_SHARES = "equal-shares", _("Method of Equal Shares (add1 completion)")
    EQUAL_SHARES_COMPARISON = (
        "equal-shares-comparison",
        _("Method of Equal Shares with the comparison step against greedy"),
    )


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    ACCEPTING_PROJECTS = "accepting_projects", _("Accepting projects")
    REVIEW = "review", _("Review of projects")
    SELECTING = "selecting", _("Selecting (supports)")
    BALLOTING = "balloting", _("Balloting")
    REVIEWING_BALLOTS = "reviewing_ballots", _("Reviewing ballots")
    FINISHED = "finished", _("Finished")


class BudgetPageQuerySet(PageQuerySet):
    def visible(self):
        """What the public sees of budgets and their projects: published pages. Results have
        their own gate, ``BudgetResult.objects.published()``."""
        return self.live()


BudgetPageManager = PageManager.from_queryset(BudgetPageQuerySet)


def views():
    """The citizens' views (imported late: they import this module)."""
    from budgeting import views

    return views


# The order a budget's phases run in; "move to the next phase" follows it.
PHASE_ORDER = [kind for kind, _label in PhaseKind.choices]
# From this phase on, the ballot and counting settings may no longer change.
FROZEN_FROM = PhaseKind.BALLOTING


class Feasibility(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    FEASIBLE = "feasible", _("Feasible")
    UNFEASIBLE = "unfeasible", _("Not feasible")


class BudgetPage(RoutablePageMixin, Page):
    """One edition of a municipality's participatory budget."""

    objects = BudgetPageManager()

    intro = models.TextField(_("introduction"), blank=True)
    phase_override = models.CharField(
        _("current phase set by hand"),
        max_length=30,
        choices=PhaseKind.choices,
        blank=True,
        help_text=_("Leave empty to follow the phases' dates."),
    )
    supports_per_citizen = models.PositiveIntegerField(
        _("supports per citizen"),
        default=10,
        help_text=_("How many projects one citizen may support in the selecting phase."),
    )
    ballot_selected_at = models.DateTimeField(
        _("projects put on the ballot"), null=True, blank=True
    )
    ballot_kind = models.CharField(
        _("ballot kind"), max_length=20, choices=BallotKind.choices, default=BallotKind.APPROVAL
    )
    rule = models.CharField(
        _("counting rule"), max_length=30, choices=Rule.choices, default=Rule.GREEDY
    )
    currency = models.CharField(_("currency"), max_length=10, default="KRW")
    min_length = models.PositiveIntegerField(
        _("minimum projects per ballot"), null=True, blank=True
    )
    max_length = models.PositiveIntegerField(
        _("maximum projects per ballot"), null=True, blank=True
    )
    min_sum_cost = models.DecimalField(
        _("minimum total cost per ballot"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_sum_cost = models.DecimalField(
        _("maximum total cost per ballot"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    min_points = models.PositiveIntegerField(_("minimum points per project"), null=True, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points per project"), null=True, blank=True)
    min_sum_points = models.PositiveIntegerField(
        _("minimum points per ballot"), null=True, blank=True
    )
    max_sum_points = models.PositiveIntegerField(
        _("maximum points per ballot"), null=True, blank=True
    )
    min_project_score_threshold = models.DecimalField(
        _("minimum project score"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Projects below this score are not funded by the threshold and no-skip rules."),
    )
    own_district_only = models.BooleanField(
        _("residents vote only in their own district's heading"),
        default=False,
        help_text=_(
            "A heading with a district is then open only to verified residents of that "
            "district, and a citizen votes in at most one district heading."
        ),
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age to vote"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the municipality's setting."),
    )
    eligible_voters = models.PositiveIntegerField(
        _("eligible population"),
        null=True,
        blank=True,
        help_text=_(
            "How many people may vote, for the turnout on the results page. Leave empty to "
            "count the verified residents."
        ),
    )
    weight_online = models.PositiveSmallIntegerField(
        _("weight of online votes (%)"), null=True, blank=True
    )
    weight_offline = models.PositiveSmallIntegerField(
        _("weight of paper and on-site votes (%)"), null=True, blank=True
    )
    weight_committee = models.PositiveSmallIntegerField(
        _("weight of the committee score (%)"), null=True, blank=True
    )
    meta = models.JSONField(
        _("other pabulib settings"),
        default=dict,
        blank=True,
        help_text=_("META keys of an imported pabulib file, given back on export."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("headings", label=_("headings"), min_num=1),
        InlinePanel("phases", label=_("phases")),
        MultiFieldPanel(
            [FieldPanel("phase_override"), FieldPanel("supports_per_citizen")],
            heading=_("Running the process"),
        ),
    ]
    settings_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("ballot_kind"), FieldPanel("rule")]),
                FieldRowPanel([FieldPanel("currency"), FieldPanel("min_project_score_threshold")]),
                FieldRowPanel([FieldPanel("min_length"), FieldPanel("max_length")]),
                FieldRowPanel([FieldPanel("min_sum_cost"), FieldPanel("max_sum_cost")]),
                FieldRowPanel([FieldPanel("min_points"), FieldPanel("max_points")]),
                FieldRowPanel([FieldPanel("min_sum_points"), FieldPanel("max_sum_points")]),
            ],
            heading=_("Ballot and counting"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("own_district_only"), FieldPanel("minimum_age")]),
                FieldPanel("eligible_voters"),
            ],
            heading=_("Who may vote"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("weight_online"),
                        FieldPanel("weight_offline"),
                        FieldPanel("weight_committee"),
                    ]
                ),
            ],
            heading=_("Weighted final score (optional)"),
            help_text=_(
                "Set all three (they must add up to 100) to order projects by a final score "
                "that combines online votes, paper and on-site votes and the committee score, "
                "as Seoul does with 45/45/10. The greedy rules then fund projects in the order "
                "of that score."
            ),
        ),
        *Page.settings_panels,
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    base_form_class = BudgetPageForm

    parent_page_types = ["home.HomePage"]
    subpage_types = ["budgeting.BudgetProjectPage"]
    template = "budgeting/budget_page.html"

    class Meta:
        verbose_name = _("participatory budget")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator
        from wagtail.models import Site

        from budgeting import permissions

        context = super().get_context(request, *args, **kwargs)
        headings = list(self.headings.order_by("sort_order", "pk"))
        names = {heading.pk: heading.name for heading in headings}
        projects = (
            BudgetProjectPage.objects.visible()
            .child_of(self)
            .order_by("file_order", "pk")
            .only(
                "title", "cost", "heading_id", "pabulib_id", "url_path", "path", "depth",
                "feasibility", "support_count", "selected_for_ballot",
            )
        )  # fmt: skip
        heading_filter = request.GET.get("heading", "")
        if heading_filter.isdigit() and int(heading_filter) in names:
            projects = projects.filter(heading_id=int(heading_filter))
        page_obj = Paginator(projects, 50).get_page(request.GET.get("page"))
        supported = set()
        if request.user.is_authenticated and self.can_support():
            supported = set(
                BudgetSupport.objects.filter(
                    budget=self, user=request.user, project__in=[p.pk for p in page_obj]
                ).values_list("project_id", flat=True)
            )
        for project in page_obj:
            project.heading_name = names.get(project.heading_id, "")
            project.supported_by_me = project.pk in supported
        context["projects"] = page_obj
        context["heading_filter"] = heading_filter
        from budgeting import gate

        results = gate.published_results(headings)
        context["headings"] = [(heading, results.get(heading.pk)) for heading in headings]
        context["phase"] = self.current_phase()
        context["timeline"] = self.timeline()
        context["submit_url"] = self.route_url(request, "submit")
        context["actions"] = permissions.actions(request.user, self, Site.find_for_request(request))
        if request.user.is_authenticated and self.can_support():
            context["supports_used"] = BudgetSupport.objects.filter(
                budget=self, user=request.user
            ).count()
        context["is_balloting"] = context["phase"] is not None and (
            context["phase"].kind == PhaseKind.BALLOTING
        )
        base = self.get_url(request)
        context["ballot_urls"] = {
            h.pk: base + self.reverse_subpage("ballot", args=[h.pk]) for h in headings
        }
        context["results_url"] = base + self.reverse_subpage("results") if results else None
        context["receipt_url"] = base + self.reverse_subpage("receipt")
        return context

    def route_url(self, request, name, **kwargs):
        return self.get_url(request) + self.reverse_subpage(name, kwargs=kwargs)

    @path("submit/")
    def submit(self, request):
        return views().submit_project(request, self)

    @path("projects/<int:project_id>/edit/")
    def edit_project(self, request, project_id):
        return views().edit_project(request, self, project_id)

    @path("projects/<int:project_id>/support/")
    def support_project(self, request, project_id):
        return views().support_project(request, self, project_id)

    # Phases: what a citizen may do follows from the current phase (data, not code branches).

    def current_phase(self, now=None):
        """The phase running now: the one staff set by hand, else the latest started dated one
        whose end has not passed (None between phases). May be an unsaved row when the phase
        set by hand has no dates."""
        phases = self._phase_list()
        if self.phase_override:
            by_kind = [phase for phase in phases if phase.kind == self.phase_override]
            return by_kind[0] if by_kind else BudgetPhase(page=self, kind=self.phase_override)
        now = now or timezone.now()
        running = [
            phase
            for phase in phases
            if phase.start <= now and (phase.end is None or now < phase.end)
        ]
        return max(running, key=lambda phase: phase.start, default=None)

    def current_kind(self, now=None):
        phase = self.current_phase(now)
        return phase.kind if phase else ""

    def timeline(self, now=None):
        """Every phase in the order they run, each with `is_current`, `is_past` (for the page)."""
        current = self.current_kind(now)
        position = PHASE_ORDER.index(current) if current else None
        now = now or timezone.now()
        rows = sorted(self.phases.all(), key=lambda p: (PHASE_ORDER.index(p.kind), p.start))
        for phase in rows:
            phase.is_current = phase.kind == current
            phase.is_past = (
                PHASE_ORDER.index(phase.kind) < position
                if position is not None
                else (phase.end is not None and phase.end <= now)
            )
        return rows

    def next_phase_kind(self, now=None):
        """The phase that comes after the current one among this budget's phases (or in order)."""
        current = self.current_kind(now)
        kinds = sorted({p.kind for p in self.phases.all()}, key=PHASE_ORDER.index) or PHASE_ORDER
        if not current:
            return kinds[0]
        later = [kind for kind in kinds if PHASE_ORDER.index(kind) > PHASE_ORDER.index(current)]
        return later[0] if later else ""

    def has_phase(self, kind):
        return any(phase.kind == kind for phase in self.phases.all())

    def can_submit(self, now=None):
        return self.current_kind(now) == PhaseKind.ACCEPTING_PROJECTS

    def can_edit_projects(self, now=None):
        """Authors edit their projects until the review starts."""
        return self.current_kind(now) in ("", PhaseKind.INFORMATION, PhaseKind.ACCEPTING_PROJECTS)

    def can_support(self, now=None):
        return self.current_kind(now) == PhaseKind.SELECTING

    def can_vote(self, now=None):
        return self.current_kind(now) == PhaseKind.BALLOTING

    def settings_frozen(self, now=None):
        """Ballot kind, limits, headings' amounts and rule are frozen once balloting opens."""
        current = self.current_kind(now)
        if current and PHASE_ORDER.index(current) >= PHASE_ORDER.index(FROZEN_FROM):
            return True
        if not self.pk:
            return False
        return BudgetBallot.objects.filter(heading__page=self).exists()

    def ballot_projects(self):
        """The projects on the ballot: those selected by supports when the budget has a
        selecting phase; otherwise every feasible one (every one not found unfeasible when the
        budget has no review either, as an imported budget)."""
        projects = BudgetProjectPage.objects.live().child_of(self)
        if self.has_phase(PhaseKind.SELECTING):
            return projects.filter(selected_for_ballot=True)
        if self.has_phase(PhaseKind.REVIEW):
            return projects.filter(feasibility=Feasibility.FEASIBLE)
        return projects.exclude(feasibility=Feasibility.UNFEASIBLE)

    def select_for_ballot(self):
        """Put the most supported feasible projects of each heading on the ballot (its top N
        and/or those reaching its threshold of supports) and take the others off; returns the
        number put on. Ties are broken by the projects' order, then their ids."""
        BudgetSupport.recount(self)
        chosen = []
        for heading in self.headings.all():
            candidates = (
                BudgetProjectPage.objects.live()
                .child_of(self)
                .filter(heading=heading, feasibility=Feasibility.FEASIBLE)
                .order_by("-support_count", "file_order", "pk")
            )
            if heading.ballot_min_supports is not None:
                candidates = candidates.filter(support_count__gte=heading.ballot_min_supports)
            ids = list(candidates.values_list("pk", flat=True))
            if heading.ballot_top_n is not None:
                ids = ids[: heading.ballot_top_n]
            chosen += ids
        projects = BudgetProjectPage.objects.child_of(self)
        with transaction.atomic():
            projects.exclude(pk__in=chosen).update(selected_for_ballot=False)
            projects.filter(pk__in=chosen).update(selected_for_ballot=True)
            type(self).objects.filter(pk=self.pk).update(ballot_selected_at=timezone.now())
        return len(chosen)

    def limits(self):
        """The ballot limits as the pure rules module and the importer read them."""
        return {name: getattr(self, name) for name in BALLOT_LIMITS}

    def clean(self):
        super().clean()
        weights = [self.weight_online, self.weight_offline, self.weight_committee]
        if any(w is not None for w in weights) and (
            any(w is None for w in weights) or sum(weights) != 100
        ):
            raise ValidationError(
                {"weight_committee": _("Set all three weights, adding up to 100, or none.")}
            )

    @property
    def weights(self):
        """(online, offline, committee) in percent, or None when votes count as they are."""
        weights = (self.weight_online, self.weight_offline, self.weight_committee)
        return None if any(w is None for w in weights) else weights

    # Balloting (budgeting/ballots.py) and voting's secret ballot box (voting/secrecy.py)

    def _phase_list(self):
        if not hasattr(self, "_phases_cache"):
            self._phases_cache = list(self.phases.all())
        return self._phases_cache

    def balloting_phases(self):
        return [p for p in self._phase_list() if p.kind == PhaseKind.BALLOTING]

    def is_balloting(self, now=None):
        phase = self.current_phase(now)
        return phase is not None and phase.kind == PhaseKind.BALLOTING

    def balloting_ends_at(self):
        ends = [p.end for p in self.balloting_phases() if p.end is not None]
        return max(ends, default=None)

    def voting_has_closed(self, moment=None):
        """Balloting is over: staff moved the budget past it by hand, or its dated end has
        passed (the box may then be opened)."""
        if self.phase_override:
            return PHASE_ORDER.index(self.phase_override) > PHASE_ORDER.index(PhaseKind.BALLOTING)
        moment = moment or timezone.now()
        end = self.balloting_ends_at()
        return end is not None and end <= moment and not self.is_balloting(moment)

    def open_ballots(self, opened):
        """Called by voting.secrecy at the opening: the envelopes become ballot rows."""
        from budgeting.ballots import open_budget_ballots

        return open_budget_ballots(self, opened)

    # Routes (views in budgeting/ballot_views.py)

    @path("ballot/<int:heading_id>/", name="ballot")
    def ballot_route(self, request, heading_id):
        from budgeting.ballot_views import ballot_view

        return ballot_view(request, self, heading_id)

    @path("receipt/", name="receipt")
    def receipt_route(self, request):
        from budgeting.ballot_views import receipt_view

        return receipt_view(request, self)

    @path("results/", name="results")
    def results_route(self, request):
        from budgeting.ballot_views import results_view

        return results_view(request, self)

    @path("results/<int:heading_id>/csv/", name="results_csv")
    def results_csv_route(self, request, heading_id):
        from budgeting.ballot_views import results_csv_view

        return results_csv_view(request, self, heading_id)

    @path("results/<int:heading_id>/pabulib/", name="results_pabulib")
    def results_pabulib_route(self, request, heading_id):
        from budgeting.ballot_views import results_pabulib_view

        return results_pabulib_view(request, self, heading_id)


class BudgetPhase(Orderable):
    """A dated phase of a budget; what citizens may do follows from the current one."""

    page = ParentalKey(BudgetPage, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=30, choices=PhaseKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)

    panels = [FieldPanel("kind"), FieldRowPanel([FieldPanel("start"), FieldPanel("end")])]

    class Meta(Orderable.Meta):
        verbose_name = _("phase")

    def __str__(self):
        return self.get_kind_display()

    def clean(self):
        if self.end and self.start and self.end <= self.start:
            raise ValidationError({"end": _("A phase must end after it starts.")})


class BudgetHeading(Orderable):
    """A part of the budget with its own amount: the whole city, a district…"""

    page = ParentalKey(BudgetPage, on_delete=models.CASCADE, related_name="headings")
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    district = models.CharField(_("district"), max_length=200, blank=True)
    ballot_top_n = models.PositiveIntegerField(
        _("projects on the ballot"),
        null=True,
        blank=True,
        help_text=_("The most supported projects that go to the ballot (empty: no limit)."),
    )
    ballot_min_supports = models.PositiveIntegerField(
        _("supports needed for the ballot"),
        null=True,
        blank=True,
        help_text=_("Projects with at least this many supports go to the ballot (empty: any)."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("amount"),
        FieldPanel("district"),
        FieldRowPanel([FieldPanel("ballot_top_n"), FieldPanel("ballot_min_supports")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("heading")

    def __str__(self):
        return self.name


class BudgetProjectPage(PageState, ImplementationTracked, Page):
    objects = BudgetPageManager()

    description = models.TextField(_("description"), blank=True)
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2)
    heading = models.ForeignKey(
        BudgetHeading,
        verbose_name=_("heading"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    committee_score = models.DecimalField(
        _("committee score (0-100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Counts in the final score when the budget sets weights."),
    )
    pabulib_id = models.CharField(_("pabulib project id"), max_length=100, blank=True)
    file_order = models.PositiveIntegerField(
        _("order"),
        default=0,
        help_text=_("Ties between projects are broken by this order (the pabulib file's order)."),
    )
    extra = models.JSONField(_("other columns"), default=dict, blank=True)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # State: written by the review, the supports and the selection, never rolled back by a
    # revision (see with_content_json).
    feasibility = models.CharField(
        _("feasibility"),
        max_length=12,
        choices=Feasibility.choices,
        default=Feasibility.PENDING,
        db_index=True,
    )
    feasibility_explanation = models.TextField(_("public explanation of the review"), blank=True)
    cost_estimate = models.DecimalField(
        _("staff cost estimate"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    selected_for_ballot = models.BooleanField(_("on the ballot"), default=False, db_index=True)

    STATE_FIELDS = (
        "author_id", "submitted_at", "feasibility", "feasibility_explanation", "cost_estimate",
        "reviewed_at", "reviewed_by_id", "support_count", "selected_for_ballot",
    )  # fmt: skip

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("cost"), FieldPanel("heading")]),
        FieldPanel("committee_score"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldPanel("categories"),
        FieldPanel("target_groups"),
        FieldRowPanel([FieldPanel("pabulib_id"), FieldPanel("file_order")]),
    ]
    search_fields = [*Page.search_fields, index.SearchField("description")]

    parent_page_types = ["budgeting.BudgetPage"]
    subpage_types = []
    template = "budgeting/budget_project_page.html"

    class Meta:
        verbose_name = _("budget project")

    def get_context(self, request, *args, **kwargs):
        from wagtail.models import Site

        from budgeting import permissions

        context = super().get_context(request, *args, **kwargs)
        budget = BudgetPage.objects.get(pk=self.get_parent().pk)
        site = Site.find_for_request(request)
        from budgeting import gate

        result = gate.published_result(self.heading)
        entry = None
        if result:
            entry = next(
                (
                    e
                    for e in result.explanation.get("projects", [])
                    if e.get("project") == self.label
                ),
                None,
            )
        user = request.user
        context.update(
            result=result,
            entry=entry,
            budget=budget,
            images=list(self.images.all()),
            can_edit=user.is_authenticated
            and permissions.edit_refusal(user, self, budget, site) is None,
            edit_url=budget.route_url(request, "edit_project", project_id=self.pk),
            support_url=budget.route_url(request, "support_project", project_id=self.pk),
            support_open=budget.can_support() and self.feasibility == Feasibility.FEASIBLE,
        )
        if context["support_open"] and user.is_authenticated:
            context["supported"] = BudgetSupport.objects.filter(project=self, user=user).exists()
            context["support_refusal"] = permissions.support_refusal(user, self, budget, site)
        return context

    @transaction.atomic
    def review(self, feasibility, explanation, cost_estimate, by):
        """Staff's assessment; the author is told (in-site and by mail) when it is decided."""
        changed = (feasibility, explanation) != (self.feasibility, self.feasibility_explanation)
        self.set_state(
            feasibility=feasibility,
            feasibility_explanation=explanation,
            cost_estimate=cost_estimate,
            reviewed_at=timezone.now(),
            reviewed_by=by,
        )
        if changed and feasibility != Feasibility.PENDING and self.author_id:
            from participation.notify import notify

            notify([self.author], f"project_{feasibility}", self, note=explanation)
        return changed

    def implementation_posted(self, update):
        """Tell the author that the project they proposed moves on (imported and staff-made
        projects have none)."""
        from participation.notify import notify

        if not self.author_id:
            return

        note = f"{update.get_status_display()} · {update.progress}% — {update.note}"
        notify([self.author], "implementation", self, note=note)

    @property
    def label(self):
        """The id outside tools know the project by."""
        return self.pabulib_id or str(self.pk)


def funded_projects():
    """Projects a published result funded: these get implementation updates."""
    funded = []
    for selected in BudgetResult.objects.published().values_list("selected", flat=True):
        funded += selected
    return BudgetProjectPage.objects.filter(pk__in=funded)


register_trackable(funded_projects)


def project_image_path(instance, filename):
    """An unguessable name, whatever the citizen called the file."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"budget_projects/{uuid.uuid4().hex}{extension}"


class BudgetProjectImage(models.Model):
    """An image a citizen (or staff) attached to a project; checked like proposal images."""

    project = models.ForeignKey(BudgetProjectPage, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=project_image_path)
    alt = models.CharField(_("image description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("project image")
        verbose_name_plural = _("project images")

    def __str__(self):
        return self.alt or os.path.basename(self.file.name)


class BudgetSupport(models.Model):
    """One citizen's support for one project in the selecting phase (one per citizen and project).

    `budget` is kept on the row so that the per-citizen limit is one indexed count.
    """

    project = models.ForeignKey(
        BudgetProjectPage, on_delete=models.CASCADE, related_name="supports"
    )
    budget = models.ForeignKey(BudgetPage, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project support")
        verbose_name_plural = _("project supports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="budgeting_one_support_per_user"
            )
        ]
        indexes = [models.Index(fields=["budget", "user"])]

    def __str__(self):
        return f"{self.user_id} → {self.project_id}"

    @classmethod
    def give(cls, project, budget, user):
        """Support a project; True if this call added the support (a repeat counts once).

        The person's row is locked while their supports in this budget are counted, so two
        supports sent at once cannot both pass the limit; the unique constraint keeps one
        support per person and project; the counter moves in the same transaction.
        """
        from django.contrib.auth import get_user_model

        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            if cls.objects.filter(project=project, user=user).exists():
                return False
            used = cls.objects.filter(budget=budget, user=user).count()
            if used >= budget.supports_per_citizen:
                raise SupportLimitReached(budget.supports_per_citizen)
            try:
                with transaction.atomic():
                    cls.objects.create(project=project, budget=budget, user=user)
            except IntegrityError:
                return False
            BudgetProjectPage.objects.filter(pk=project.pk).update(
                support_count=F("support_count") + 1
            )
        return True

    @classmethod
    def withdraw(cls, project, user):
        with transaction.atomic():
            deleted, _counts = cls.objects.filter(project=project, user=user).delete()
            if deleted:
                BudgetProjectPage.objects.filter(pk=project.pk).update(
                    support_count=F("support_count") - deleted
                )
        return bool(deleted)

    @classmethod
    def recount(cls, budget):
        """Make every project's cached counter equal its rows again."""
        counts = dict(
            cls.objects.filter(budget=budget)
            .values("project_id")
            .annotate(n=models.Count("pk"))
            .values_list("project_id", "n")
        )
        for project in BudgetProjectPage.objects.child_of(budget).only("pk", "support_count"):
            if project.support_count != counts.get(project.pk, 0):
                BudgetProjectPage.objects.filter(pk=project.pk).update(
                    support_count=counts.get(project.pk, 0)
                )


class SupportLimitReached(Exception):
    def __init__(self, limit):
        super().__init__(limit)
        self.limit = limit


BALLOT_CHANNELS = [*Channel.choices, ("imported", _("Imported file"))]


class BudgetBallot(models.Model):
    """One anonymous ballot for one heading: imported from a file or opened from an envelope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    heading = models.ForeignKey(BudgetHeading, on_delete=models.PROTECT, related_name="ballots")
    channel = models.CharField(_("channel"), max_length=10, choices=BALLOT_CHANNELS)
    voter_id = models.CharField(_("pabulib voter id"), max_length=100, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=20, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=200, blank=True)
    voting_method = models.CharField(_("voting method"), max_length=50, blank=True)
    extra = models.JSONField(_("other columns"), default=dict, blank=True)
    file_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("budget ballot")
        constraints = [
            models.UniqueConstraint(
                fields=["heading", "voter_id"],
                condition=~Q(voter_id=""),
                name="budgeting_one_ballot_per_voter",
            )
        ]
        indexes = [models.Index(fields=["heading", "file_order"])]

    def __str__(self):
        return self.voter_id or self.id.hex[:12]


class BudgetChoice(models.Model):
    """One project on a ballot: its place on the ballot (the rank, for ordinal) and points."""

    ballot = models.ForeignKey(BudgetBallot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(BudgetProjectPage, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    points = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot choice")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="budgeting_choice_once")
        ]

    def __str__(self):
        return f"{self.project_id} #{self.position}"


class BudgetResultQuerySet(models.QuerySet):
    def published(self):
        """The one gate for what the public may see of a budget's outcome."""
        return self.filter(published_at__isnull=False, status=BudgetResult.Status.DONE)


class BudgetResult(models.Model):
    """The stored outcome of one rule on one heading; computed once, published by staff."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Counting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    heading = models.ForeignKey(BudgetHeading, on_delete=models.CASCADE, related_name="results")
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    selected = models.JSONField(_("selected projects"), default=list)
    scores = models.JSONField(_("scores"), default=dict)
    spent = models.DecimalField(_("spent"), max_digits=16, decimal_places=2, default=0)
    ballots_counted = models.PositiveIntegerField(_("ballots counted"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict)
    error = models.TextField(blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = BudgetResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget result")
        constraints = [
            models.UniqueConstraint(fields=["heading", "rule"], name="budgeting_result_per_rule"),
            models.UniqueConstraint(
                fields=["heading"],
                condition=Q(published_at__isnull=False),
                name="budgeting_one_published_result",
            ),
        ]

    def __str__(self):
        return f"{self.heading} · {self.get_rule_display()}"

    @property
    def is_published(self):
        return self.published_at is not None
