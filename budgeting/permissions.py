"""Who may do what in a budget, and if not, why: one answer for views, templates and blocks.

Each predicate returns None when the action is allowed, or the translated sentence that
tells the person why not. What is allowed follows from the budget's current phase
(`BudgetPage.can_submit` / `can_support` / `can_edit_projects`) and from voting's
eligibility (residency, age, district), never from a copy of either.
"""

from django.utils.translation import gettext as _

from budgeting.models import Feasibility, PhaseKind
from participation import permissions as participation_permissions
from voting import eligibility


def _phase_name(budget):
    phase = budget.current_phase()
    return phase.get_kind_display() if phase else _("between phases")


def _not_in_phase(budget, wanted):
    return _("This can only be done in the “%(wanted)s” phase; the budget is now: %(now)s.") % {
        "wanted": PhaseKind(wanted).label,
        "now": _phase_name(budget),
    }


def _person(user, site, rule=None):
    if not user.is_authenticated:
        return _("Log in to take part.")
    if participation_permissions.is_blocked(user, site):
        return _("Your account is blocked from taking part. You can still read everything.")
    decision = eligibility.check(user, site, action="budget", rule=rule)
    if not decision:
        return " ".join(str(reason) for reason in decision.reasons)
    return None


def submit_refusal(user, budget, site):
    if not budget.can_submit():
        return _not_in_phase(budget, PhaseKind.ACCEPTING_PROJECTS)
    return _person(user, site)


def edit_refusal(user, project, budget, site):
    if not user.is_authenticated:
        return _("Log in to take part.")
    if project.author_id != user.pk:
        return _("Only the author of a project may edit it.")
    if not budget.can_edit_projects():
        return _("Projects can no longer be edited: the review of projects has started.")
    return _person(user, site)


def support_refusal(user, project, budget, site):
    if not budget.can_support():
        return _not_in_phase(budget, PhaseKind.SELECTING)
    if project.feasibility != Feasibility.FEASIBLE:
        return _("Only projects found feasible can be supported.")
    district = project.heading.district if project.heading_id else ""
    return _person(user, site, eligibility.Rule(district=district))


def actions(user, budget, site):
    """What a citizen can do in this budget now, for the page and the live block."""
    return {
        "submit": budget.can_submit() and submit_refusal(user, budget, site) is None,
        "support": budget.can_support(),
        "vote": budget.can_vote(),
        "submit_refusal": submit_refusal(user, budget, site) if budget.can_submit() else None,
    }
