"""Live blocks for the page library: a budget's published results."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


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


LIVE_BLOCKS = [("budget_results", BudgetResultsBlock())]
