"""Counting a heading's ballots with a rule and storing the result.

Ballots are read in bulk (one query for the choices), turned into the pure rules' arrays
(budgeting.rules) and the outcome stored as a BudgetResult. A published result is never
recomputed: asking for it again gives the stored one.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from budgeting import rules
from budgeting.models import BudgetBallot, BudgetChoice, BudgetProjectPage, BudgetResult


class ResultPublished(Exception):
    """The heading's result for this rule is published and stays as it is."""


def election_for(heading):
    """The rules' view of a heading, and its projects in the tie-breaking order."""
    page = heading.page.specific
    projects = list(
        BudgetProjectPage.objects.filter(heading=heading)
        .order_by("file_order", "pk")
        .only("pk", "cost", "pabulib_id", "title", "file_order", "committee_score")
    )
    index = {p.pk: i for i, p in enumerate(projects)}
    ballot_rows = list(
        BudgetBallot.objects.filter(heading=heading)
        .order_by("file_order", "id")
        .values_list("id", "channel")
    )
    ballot_ids = [b for b, _channel in ballot_rows]
    position = {b: i for i, b in enumerate(ballot_ids)}
    ballots = [[] for _ in ballot_ids]
    points = [[] for _ in ballot_ids]
    rows = (
        BudgetChoice.objects.filter(ballot__heading=heading)
        .order_by("ballot_id", "position")
        .values_list("ballot_id", "project_id", "points")
    )
    for ballot_id, project_id, point in rows.iterator(chunk_size=20000):
        i = position[ballot_id]
        ballots[i].append(index[project_id])
        points[i].append(point or 0)
    election = rules.Election(
        costs=[p.cost for p in projects],
        budget=heading.amount,
        ballots=ballots,
        kind=page.ballot_kind,
        points=points if page.ballot_kind == rules.CUMULATIVE else None,
        max_length=page.max_length,
        threshold=page.min_project_score_threshold,
    )
    if page.weights:
        weigh(election, [channel for _b, channel in ballot_rows], projects, page.weights)
    return election, projects


OFFLINE_CHANNELS = ("paper", "booth")


def weigh(election, channels, projects, weights):
    """Set the election's weighted final scores from its online and offline ballots and the
    committee's scores (budgeting.rules.final_scores)."""

    def channel_scores(wanted):
        keep = [i for i, channel in enumerate(channels) if wanted(channel)]
        part = rules.Election(
            costs=election.costs,
            budget=election.budget,
            ballots=[election.ballots[i] for i in keep],
            kind=election.kind,
            points=[election.points[i] for i in keep] if election.points is not None else None,
            max_length=election.max_length,
        )
        return part.scores(), len(keep)

    online, n_online = channel_scores(lambda c: c not in OFFLINE_CHANNELS)
    offline, n_offline = channel_scores(lambda c: c in OFFLINE_CHANNELS)
    committee = [p.committee_score or 0 for p in projects]
    election.final_scores = rules.final_scores(
        online, offline, committee, n_online, n_offline, weights
    )
    election.parts = {
        "weights": list(weights),
        "online_ballots": n_online,
        "offline_ballots": n_offline,
        "online": online,
        "offline": offline,
        "committee": [rules._money(c) for c in committee],
    }


def labelled(outcome, projects, election=None):
    """The outcome with project indices replaced by the ids outside tools know."""
    explanation = dict(outcome.explanation)
    parts = getattr(election, "parts", None) if election is not None else None
    entries = []
    for entry in explanation.get("projects", []):
        index = entry["project"]
        project = projects[index]
        extra = {}
        if parts and "rank" in entry:
            extra = {
                "online": parts["online"][index],
                "offline": parts["offline"][index],
                "committee": parts["committee"][index],
            }
        entries.append({**entry, **extra, "project": project.label, "title": project.title})
    explanation["projects"] = entries
    if parts:
        explanation["weights"] = {
            k: parts[k] for k in ("weights", "online_ballots", "offline_ballots")
        }
    return {
        "selected": [projects[i].label for i in outcome.selected],
        "rule": outcome.rule,
        "budget": explanation.get("budget"),
        "spent": rules._money(outcome.spent),
        "explanation": explanation,
    }


def compute(heading, rule, user=None, progress=None, result=None):
    """Count, store and return the heading's BudgetResult for `rule`.

    Raises ResultPublished if that result is published: it is never recomputed.
    """
    existing = result or BudgetResult.objects.filter(heading=heading, rule=rule).first()
    if existing and existing.is_published:
        raise ResultPublished(existing)
    election, projects = election_for(heading)
    outcome = rules.tally(election, rule, progress=progress)
    data = labelled(outcome, projects, election)
    with transaction.atomic():
        result, _ = BudgetResult.objects.select_for_update().get_or_create(
            heading=heading, rule=rule
        )
        if result.is_published:
            raise ResultPublished(result)
        result.status = BudgetResult.Status.DONE
        result.progress = 100
        result.selected = [projects[i].pk for i in outcome.selected]
        result.scores = {str(p.pk): rules._money(outcome.scores[i]) for i, p in enumerate(projects)}
        result.spent = (
            Decimal(outcome.spent.numerator) / Decimal(outcome.spent.denominator)
        ).quantize(Decimal("0.01"))
        result.ballots_counted = len(election.ballots)
        result.explanation = data["explanation"]
        result.error = ""
        result.computed_at = timezone.now()
        result.computed_by = user
        result.save()
    return result, data


def stored_data(result):
    """What tally_budget prints for a stored (published) result."""
    labels = dict(
        BudgetProjectPage.objects.filter(pk__in=result.selected).values_list("pk", "pabulib_id")
    )
    return {
        "selected": [labels.get(pk) or str(pk) for pk in result.selected],
        "rule": result.rule,
        "budget": result.explanation.get("budget"),
        "spent": float(result.spent) if result.spent % 1 else int(result.spent),
        "explanation": result.explanation,
    }
