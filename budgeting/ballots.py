"""A citizen's budget ballot: read from a form, checked against the ballot kind and limits,
and cast secretly through voting's double envelope (voting/secrecy.py).

The contest is the budget page and the scope the heading's id, so one citizen has at most
one ballot per heading (voting's unique participation). The sealed payload is
``{"projects": [[project_id, points or null], ...]}`` in ballot order (the rank, for
ranked ballots). At the close the box is opened and `open_budget_ballots` writes the
plaintext ballots as anonymous BudgetBallot/BudgetChoice rows (channel online) in bulk, for
the counting rules. Staff-entered paper and on-site ballots are written as rows directly
(`record_offline`): paper ballots are anonymous already.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from budgeting.models import (
    BallotKind,
    BudgetBallot,
    BudgetChoice,
    BudgetProjectPage,
    BudgetResult,
)
from voting import eligibility, secrecy
from voting.models import Participation
from voting.secrecy import VoteRefused

__all__ = ["BallotInvalid", "VoteRefused", "cast", "change", "check_receipt", "validate"]


class BallotInvalid(VoteRefused):
    """A ballot that breaks its kind's rules: nothing is recorded."""


def ballot_projects(heading):
    """The projects a citizen may choose on this heading's ballot, in ballot order: those the
    budget's process put on the ballot (``BudgetPage.ballot_projects``)."""
    return list(
        heading.page.ballot_projects()
        .filter(heading=heading)
        .order_by("file_order", "title", "pk")
        .only("pk", "title", "cost", "heading_id", "url_path", "path", "depth", "slug")
    )


def spending_limit(budget, heading):
    """The most a knapsack ballot may spend: the heading's amount (or a lower ballot cap)."""
    if budget.max_sum_cost is not None:
        return min(heading.amount, budget.max_sum_cost)
    return heading.amount


@dataclass
class Ballot:
    """A checked ballot: the chosen projects in order, with points where the kind has them."""

    budget: object
    heading: object
    projects: list  # [(project, points or None)], in ballot order

    @property
    def total_cost(self):
        return sum((p.cost for p, _points in self.projects), Decimal(0))

    @property
    def total_points(self):
        return sum(points or 0 for _p, points in self.projects)

    def payload(self):
        return {"projects": [[p.pk, points] for p, points in self.projects]}


def _integer(raw):
    """An integer typed by a person, or None if it is not one ("", "1.5", "abc")."""
    raw = (raw or "").strip()
    if raw.lstrip("-").isdigit():
        return int(raw)
    return None


def read_form(budget, heading, data, projects=None):
    """What a ballot form (or a CSV line) asks for, unchecked: [(project_id, value)].

    Knapsack, approval and choose-one: `project` values. Cumulative: `points-<id>` fields.
    Ranked: `rank-<id>` fields. Values stay strings until `validate` reads them.
    """
    kind = budget.ballot_kind
    if kind in (BallotKind.CUMULATIVE, BallotKind.ORDINAL):
        prefix = "points-" if kind == BallotKind.CUMULATIVE else "rank-"
        picked = []
        for name in data:
            if name.startswith(prefix) and (data.get(name) or "").strip() not in ("", "0"):
                picked.append((name[len(prefix) :], data.get(name)))
        return picked
    return [(raw, None) for raw in data.getlist("project")]


def validate(budget, heading, picked, projects=None):
    """A `Ballot` from [(project_id, raw value)], or BallotInvalid with every reason."""
    projects = {p.pk: p for p in (projects if projects is not None else ballot_projects(heading))}
    kind = budget.ballot_kind
    reasons = []
    chosen, values = [], []
    for raw_id, raw_value in picked:
        project_id = _integer(str(raw_id))
        if project_id not in projects:
            reasons.append(_("One of the projects chosen is not on this ballot."))
            continue
        if project_id in [p.pk for p in chosen]:
            reasons.append(_("A project may appear only once on a ballot."))
            continue
        chosen.append(projects[project_id])
        values.append(raw_value)
    if reasons:
        raise BallotInvalid(*dict.fromkeys(reasons))
    if not chosen:
        raise BallotInvalid(_("Choose at least one project."))

    rows = [(p, None) for p in chosen]
    if kind == BallotKind.CHOOSE_1 and len(chosen) != 1:
        reasons.append(_("Choose exactly one project."))
    if kind == BallotKind.CUMULATIVE:
        points = [_integer(str(v)) for v in values]
        if any(p is None for p in points):
            reasons.append(_("Points must be whole numbers."))
        elif any(p < 0 for p in points):
            reasons.append(_("Points cannot be negative."))
        else:
            total = sum(points)
            limit = budget.max_sum_points
            if limit is not None and total > limit:
                reasons.append(
                    _("You gave %(total)d points; you have %(limit)d to give.")
                    % {"total": total, "limit": limit}
                )
            if budget.max_points is not None and max(points) > budget.max_points:
                reasons.append(
                    _("A project can get at most %(limit)d points.") % {"limit": budget.max_points}
                )
            if budget.min_sum_points is not None and total < budget.min_sum_points:
                reasons.append(
                    _("Give at least %(limit)d points in all.") % {"limit": budget.min_sum_points}
                )
            rows = [(p, n) for p, n in zip(chosen, points, strict=True) if n > 0]
            if not rows:
                reasons.append(_("Choose at least one project."))
    if kind == BallotKind.ORDINAL:
        ranks = [_integer(str(v)) for v in values]
        if any(r is None or r < 1 for r in ranks):
            reasons.append(_("Ranks must be whole numbers starting from 1."))
        elif len(set(ranks)) != len(ranks):
            reasons.append(_("Each rank may be given to one project only."))
        elif sorted(ranks) != list(range(1, len(ranks) + 1)):
            reasons.append(_("Ranks must follow each other from 1 without gaps."))
        else:
            rows = [p for _r, p in sorted(zip(ranks, chosen, strict=True), key=lambda x: x[0])]
            rows = [(p, None) for p in rows]
    if kind in (BallotKind.APPROVAL, BallotKind.ORDINAL, BallotKind.KNAPSACK):
        if budget.max_length is not None and len(chosen) > budget.max_length:
            reasons.append(
                _("You chose %(count)d projects; at most %(limit)d are allowed.")
                % {"count": len(chosen), "limit": budget.max_length}
            )
        if budget.min_length is not None and len(chosen) < budget.min_length:
            reasons.append(_("Choose at least %(limit)d projects.") % {"limit": budget.min_length})
    ballot = Ballot(budget, heading, rows)
    if kind == BallotKind.KNAPSACK:
        limit = spending_limit(budget, heading)
        if ballot.total_cost > limit:
            reasons.append(
                _(
                    "The projects you chose cost %(total)s %(currency)s, more than the "
                    "%(limit)s %(currency)s this heading has."
                )
                % {
                    "total": f"{ballot.total_cost:,.0f}",
                    "limit": f"{limit:,.0f}",
                    "currency": budget.currency,
                }
            )
    if reasons:
        raise BallotInvalid(*dict.fromkeys(reasons))
    return ballot


# Who may vote, and when


def rule_for(budget, heading):
    return eligibility.Rule(
        residents_only=True,
        minimum_age=budget.minimum_age,
        district=heading.district if budget.own_district_only else "",
    )


def ensure_may_vote(budget, heading, user, site, now=None):
    if not budget.is_balloting(now):
        raise VoteRefused(_("This budget is not in its balloting phase; ballots are not accepted."))
    decision = eligibility.check(user, site, action="vote", rule=rule_for(budget, heading))
    if not decision.allowed:
        raise VoteRefused(*decision.reasons)
    if budget.own_district_only and heading.district:
        other = (
            Participation.objects.filter(contest_id=budget.pk, user=user)
            .exclude(scope=str(heading.pk))
            .filter(scope__in=[str(h.pk) for h in budget.headings.exclude(district="")])
        )
        if other.exists():
            raise VoteRefused(_("You have already voted in another district's heading."))


def cast(ballot, user, site, now=None):
    """Record a first ballot for this heading; return the receipt code."""
    ensure_may_vote(ballot.budget, ballot.heading, user, site, now)
    try:
        return secrecy.cast(ballot.budget, str(ballot.heading.pk), user, ballot.payload())
    except secrecy.AlreadyVoted:
        raise VoteRefused(
            _(
                "You have already voted in this heading. To change your ballot, use your receipt code."
            )
        ) from None


def change(ballot, user, site, receipt, now=None):
    """Replace the ballot sealed under this receipt; the last one counts."""
    ensure_may_vote(ballot.budget, ballot.heading, user, site, now)
    try:
        return secrecy.change(
            ballot.budget, str(ballot.heading.pk), user, receipt, ballot.payload()
        )
    except secrecy.NotAVoter:
        raise VoteRefused(_("You have not voted in this heading yet.")) from None
    except secrecy.UnknownReceipt:
        raise VoteRefused(_("No ballot in this heading matches that receipt code.")) from None


def has_voted(budget, heading, user):
    return (
        user.is_authenticated
        and Participation.objects.filter(
            contest_id=budget.pk, scope=str(heading.pk), user=user
        ).exists()
    )


def check_receipt(budget, receipt):
    """What a receipt proves (opening the box first if balloting has closed)."""
    if budget.voting_has_closed():
        secrecy.opened_box(budget)
    return secrecy.check_receipt(budget, receipt)


# Opening the box and offline ballots: anonymous rows, written in bulk


def _next_order(heading_ids):
    current = BudgetBallot.objects.filter(heading_id__in=heading_ids).aggregate(
        m=Max("file_order")
    )["m"]
    return (current or 0) + 1


def write_rows(items):
    """Write [(heading_id, channel, [(project_id, points)])] as ballots and choices, in bulk."""
    if not items:
        return 0
    order = _next_order({h for h, _c, _p in items})
    ballots, choices = [], []
    for offset, (heading_id, channel, picked) in enumerate(items):
        ballot = BudgetBallot(heading_id=heading_id, channel=channel, file_order=order + offset)
        ballots.append(ballot)
        for position, (project_id, points) in enumerate(picked):
            choices.append(
                BudgetChoice(ballot=ballot, project_id=project_id, position=position, points=points)
            )
    BudgetBallot.objects.bulk_create(ballots)
    BudgetChoice.objects.bulk_create(choices)
    return len(ballots)


def open_budget_ballots(budget, opened):
    """Store the opened online ballots in the (shuffled) order given; return the turnout."""
    headings = {str(h.pk): h.pk for h in budget.headings.all()}
    valid = set(BudgetProjectPage.objects.filter(heading__page=budget).values_list("pk", flat=True))
    items, turnout = [], defaultdict(int)
    for item in opened:
        if item.scope not in headings:
            continue
        picked = [(pk, points) for pk, points in item.payload["projects"] if pk in valid]
        items.append((headings[item.scope], item.channel, picked))
        turnout[item.scope] += 1
    write_rows(items)
    return {"turnout": dict(turnout)}


class ResultAlreadyPublished(VoteRefused):
    pass


def record_offline(ballots, channel):
    """Write checked paper or on-site ballots (all or none). Refused once a result of their
    heading is published: a published count does not change."""
    with transaction.atomic():
        headings = {b.heading.pk for b in ballots}
        if BudgetResult.objects.published().filter(heading_id__in=headings).exists():
            raise ResultAlreadyPublished(
                _("The result of this heading is published; no more ballots can be added.")
            )
        return write_rows(
            [(b.heading.pk, channel, [(p.pk, n) for p, n in b.projects]) for b in ballots]
        )
