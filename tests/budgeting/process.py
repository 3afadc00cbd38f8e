"""Builders for budget-process tests: a budget in a given phase, projects, citizens."""

import datetime
import itertools

from django.utils import timezone

from budgeting.models import PHASE_ORDER, BudgetHeading, BudgetPage, BudgetProjectPage

_numbers = itertools.count(1)


def make_budget(site, *, phase="accepting_projects", kinds=None, headings=None, **fields):
    """A published budget whose dated phases put it in `phase` now (each lasts ten days)."""
    now = timezone.now()
    kinds = kinds or PHASE_ORDER
    current = kinds.index(phase) if phase in kinds else 0
    budget = BudgetPage(title="2027 주민참여예산", slug=f"budget-{next(_numbers)}", **fields)
    for number, (name, amount, district) in enumerate(
        headings or [("시 전체", 100_000_000, ""), ("의창구", 50_000_000, "의창구")]
    ):
        budget.headings.add(
            BudgetHeading(name=name, amount=amount, district=district, sort_order=number)
        )
    from budgeting.models import BudgetPhase

    for number, kind in enumerate(kinds):
        start = now + datetime.timedelta(days=10 * (number - current), seconds=-1)
        end = None if kind == "finished" else start + datetime.timedelta(days=10)
        budget.phases.add(BudgetPhase(kind=kind, start=start, end=end, sort_order=number))
    site.root_page.add_child(instance=budget)
    budget.save_revision().publish()
    return BudgetPage.objects.get(pk=budget.pk)


def set_phase(budget, kind):
    BudgetPage.objects.filter(pk=budget.pk).update(phase_override=kind)
    budget.refresh_from_db()
    return budget


def make_project(budget, title="놀이터 그늘막 설치", *, cost=10_000_000, heading=None, **fields):
    heading = heading or budget.headings.order_by("sort_order").first()
    project = BudgetProjectPage(
        title=title,
        slug=f"project-{next(_numbers)}",
        description="아이들이 여름에도 놀 수 있게 그늘막을 설치합니다.",
        cost=cost,
        heading=heading,
        **fields,
    )
    budget.add_child(instance=project)
    project.save_revision().publish()
    return BudgetProjectPage.objects.get(pk=project.pk)


def url(budget, name, **kwargs):
    return budget.url + budget.reverse_subpage(name, kwargs=kwargs)


def form_post_data(form):
    """The POST a person would send from an unchanged admin form (fields and inline panels)."""
    data = {}

    def add(bound_form):
        for name, field in bound_form.fields.items():
            value = bound_form[name].value()
            key = bound_form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
                continue
            if value is None:
                data[key] = ""
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                formatted = field.widget.format_value(value)
                data[key] = "" if formatted is None else formatted

    add(form)
    for formset in getattr(form, "formsets", {}).values():
        add(formset.management_form)
        for child in formset.forms:
            add(child)
    return data
