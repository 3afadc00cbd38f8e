"""Finding the budget a command names (page id or slug) and its heading."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from budgeting.models import BudgetPage


def find_budget(reference):
    pages = BudgetPage.objects.all()
    page = pages.filter(pk=int(reference)).first() if reference.isdigit() else None
    if page is None:
        matches = list(pages.filter(slug=reference)[:2])
        if len(matches) > 1:
            raise CommandError(
                _("Several budgets have the slug “%(slug)s”; give the page id.")
                % {"slug": reference}
            )
        page = matches[0] if matches else None
    if page is None:
        raise CommandError(
            _("No budget “%(ref)s” (give a budget page id or slug).") % {"ref": reference}
        )
    return page


def find_heading(page, number):
    headings = list(page.headings.order_by("sort_order", "pk"))
    if not headings:
        raise CommandError(_("This budget has no heading."))
    if number is None:
        return headings[0]
    if not 1 <= number <= len(headings):
        raise CommandError(
            _("This budget has %(count)s headings; choose one from 1 to %(count)s.")
            % {"count": len(headings)}
        )
    return headings[number - 1]
