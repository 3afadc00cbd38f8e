"""Live blocks for the page library: the running participatory budget, and a budget's published
results."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.models import Site


def active_budget(site):
    """The live budget of `site` in a running phase (not finished), the newest first."""
    from budgeting.models import BudgetPage, PhaseKind

    budgets = (
        BudgetPage.objects.live()
        .descendant_of(site.root_page)
        .prefetch_related("phases")
        .order_by("-first_published_at", "-pk")
    )
    for budget in budgets[:20]:
        kind = budget.current_kind()
        if kind and kind != PhaseKind.FINISHED:
            return budget
    return None


class ActiveBudgetBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Active budget")
        template = "budgeting/blocks/active_budget.html"
        description = _("The participatory budget running now: its phase and what citizens can do.")
        preview_value = {"heading": "주민참여예산"}

    def get_context(self, value, parent_context=None):
        from budgeting import permissions

        context = super().get_context(value, parent_context)
        request = (parent_context or {}).get("request")
        site = Site.find_for_request(request) if request else None
        budget = active_budget(site) if site else None
        context["budget"] = budget
        if budget is not None:
            context["phase"] = budget.current_phase()
            context["timeline"] = budget.timeline()
            context["actions"] = permissions.actions(request.user, budget, site)
            context["budget_url"] = budget.get_url(request=request)
            context["submit_url"] = budget.route_url(request, "submit")
        return context


class BudgetResultsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    budget = blocks.PageChooserBlock(label=_("Budget"), page_type="budgeting.BudgetPage")

    class Meta:
        icon = "table"
        label = _("Budget results")
        template = "budgeting/blocks/budget_results.html"
        description = _("A participatory budget's funded projects, once staff publish them.")

    def get_context(self, value, parent_context=None):
        from budgeting import gate
        from budgeting.models import BudgetProjectPage

        context = super().get_context(value, parent_context)
        budget = value.get("budget")
        budget = budget.specific if budget is not None and budget.live else None
        sections = []
        if budget is not None:
            headings = list(budget.headings.order_by("sort_order", "pk"))
            results = gate.published_results(headings)
            funded_ids = [pk for r in results.values() for pk in r.selected]
            pages = BudgetProjectPage.objects.live().in_bulk(funded_ids)
            for heading in headings:
                result = results.get(heading.pk)
                if result is not None:
                    funded = [pages[pk] for pk in result.selected if pk in pages]
                    sections.append((heading, result, funded))
        context["budget"] = budget
        context["sections"] = sections
        return context


LIVE_BLOCKS = [
    ("active_budget", ActiveBudgetBlock()),
    ("budget_results", BudgetResultsBlock()),
]
