"""The counting rules of participatory budgets, as pure functions over arrays.

No ORM here: `Election` holds project costs (in the tie-breaking order: the pabulib file's
project order where the budget was imported, earlier wins a tie) and ballots as lists of
project indices; `tally(election, rule)` returns an `Outcome` with the selected indices in
selection order, every project's score, the money spent and an explanation a citizen can
read. Money is exact (`Fraction`) wherever it decides something.

Scores: approval and choose-1 count approving ballots; cumulative sums points; ordinal
gives a project `max_length - position` points per ballot (position 0 for the first rank).

The Method of Equal Shares uses cost utilities (a voter's utility is the cost of the
approved projects funded; on cumulative and ordinal ballots a voter approves the projects
on their ballot) and the add1 completion of Wieliczka 2023 (see `equal_shares`). It
matches pabutools' exact rational arithmetic: each run is first computed in floating point
(vectorised with numpy, voters with the same approval set grouped, since with cost
utilities they pay alike), and every decision the run takes is checked for a margin: if
two projects' prices per unit of utility are within a relative 1e-9 of each other, or a
project's supporters hold within 1e-9 of its cost, the float run is not trusted and that
run is repeated in exact `Fraction` arithmetic. Float error after a few hundred operations
is around 1e-13 relative, far inside the margin, so every decision the float run keeps
is the one exact arithmetic would take.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

GREEDY = "greedy"
GREEDY_NO_SKIP = "greedy-no-skip"
GREEDY_THRESHOLD = "greedy-threshold"
EQUAL_SHARES = "equal-shares"
EQUAL_SHARES_COMPARISON = "equal-shares-comparison"
RULES = (GREEDY, GREEDY_NO_SKIP, GREEDY_THRESHOLD, EQUAL_SHARES, EQUAL_SHARES_COMPARISON)

APPROVAL, CHOOSE_1, CUMULATIVE, ORDINAL = "approval", "choose-1", "cumulative", "ordinal"

MARGIN = 1e-9


def _money(value):
    """A JSON-friendly amount: an int when whole, else rounded to cents."""
    value = Fraction(value)
    if value.denominator == 1:
        return int(value)
    return round(float(value), 2)


@dataclass
class Election:
    costs: list  # per project, Fraction-convertible (int, Decimal, Fraction)
    budget: object
    ballots: list  # per ballot, a list of project indices in ballot order
    kind: str = APPROVAL
    points: list | None = None  # per ballot, a list of points (cumulative)
    max_length: int | None = None
    threshold: object = None  # minimum score for the threshold and no-skip rules
    final_scores: list | None = (
        None  # per project, a weighted final score the greedy rules order by
    )

    def __post_init__(self):
        self.costs = [Fraction(c) for c in self.costs]
        self.budget = Fraction(self.budget)

    def ranking_scores(self):
        """What the greedy rules order by: the weighted final score where one is set."""
        return self.final_scores if self.final_scores is not None else self.scores()

    def scores(self):
        scores = [0] * len(self.costs)
        if self.kind == CUMULATIVE and self.points is not None:
            for ballot, points in zip(self.ballots, self.points, strict=True):
                for project, point in zip(ballot, points, strict=True):
                    scores[project] += point
        elif self.kind == ORDINAL:
            length = self.max_length or max((len(b) for b in self.ballots), default=0)
            for ballot in self.ballots:
                for position, project in enumerate(ballot):
                    scores[project] += length - position
        else:
            for ballot in self.ballots:
                for project in ballot:
                    scores[project] += 1
        return scores


@dataclass
class Outcome:
    rule: str
    selected: list
    scores: list
    spent: Fraction
    explanation: dict = field(default_factory=dict)


def tally(election, rule, progress=None):
    """The outcome of `rule`; `progress(percent)` is called as long runs advance."""
    scores = election.ranking_scores()
    if rule == GREEDY:
        return greedy(election, scores=scores)
    if rule == GREEDY_NO_SKIP:
        return greedy(election, skip=False, threshold=election.threshold, rule=rule, scores=scores)
    if rule == GREEDY_THRESHOLD:
        return greedy(election, threshold=election.threshold, rule=rule, scores=scores)
    if rule == EQUAL_SHARES:
        return equal_shares(election, progress=progress)
    if rule == EQUAL_SHARES_COMPARISON:
        return equal_shares_comparison(election, progress=progress)
    raise ValueError(f"unknown rule {rule!r}")


# Greedy


def greedy(election, skip=True, threshold=None, rule=GREEDY, scores=None):
    """Projects by score, highest first (ties: earlier project first), each funded if it fits.

    Without `skip`, the count stops at the first project that does not fit. With a
    `threshold`, projects scoring below it are not funded. A project nobody voted for is
    never funded.
    """
    scores = election.scores() if scores is None else scores
    threshold = Fraction(threshold) if threshold is not None else None
    order = sorted(range(len(scores)), key=lambda p: (-scores[p], p))
    remaining = election.budget
    selected, entries, stopped = [], [], False
    for rank, project in enumerate(order, start=1):
        cost = election.costs[project]
        entry = {
            "project": project,
            "rank": rank,
            "score": _money(scores[project]),
            "cost": _money(cost),
            "remaining_before": _money(remaining),
        }
        if scores[project] <= 0:
            entry["reason"] = "no_votes"
        elif threshold is not None and scores[project] < threshold:
            entry["reason"] = "below_threshold"
        elif stopped:
            entry["reason"] = "stopped"
        elif cost <= remaining:
            remaining -= cost
            selected.append(project)
            entry["reason"] = "fitted"
        else:
            entry["reason"] = "did_not_fit"
            stopped = not skip
        entry["funded"] = entry["reason"] == "fitted"
        entry["remaining_after"] = _money(remaining)
        entries.append(entry)
    spent = election.budget - remaining
    explanation = {
        "rule": rule,
        "budget": _money(election.budget),
        "threshold": _money(threshold) if threshold is not None else None,
        "projects": entries,
    }
    return Outcome(rule, selected, scores, spent, explanation)


# The Method of Equal Shares


class _Groups:
    """Voters grouped by approval set; with cost utilities a group's voters pay alike."""

    def __init__(self, election):
        counts = Counter(frozenset(ballot) for ballot in election.ballots)
        self.sets = [s for s in counts if s]
        self.weights = [counts[s] for s in self.sets]
        self.voters = len(election.ballots)
        n_projects = len(election.costs)
        supporters = [[] for _ in range(n_projects)]
        for g, approved in enumerate(self.sets):
            for p in approved:
                supporters[p].append(g)
        self.supporters = [np.array(s, dtype=np.int64) for s in supporters]
        self.weight_array = np.array(self.weights, dtype=np.float64)
        self.support = [sum(self.weights[g] for g in s) for s in supporters]
        self.supporter_lists = supporters


class _Uncertain(Exception):
    """A float run came within the margin of a decision; exact arithmetic must take it."""


def _payment_float(budgets, weights, cost):
    """The per-supporter payment t with sum(min(b, t)) = cost over sorted supporters."""
    order = np.argsort(budgets, kind="stable")
    b = budgets[order]
    w = weights[order]
    paid_before = np.concatenate(([0.0], np.cumsum(b * w)[:-1]))
    weight_after = w.sum() - np.concatenate(([0.0], np.cumsum(w)[:-1]))
    candidates = (cost - paid_before) / weight_after
    index = int(np.argmax(candidates <= b))
    t = candidates[index]
    return t, index == 0 and b[0] - t > MARGIN * t


def _run_float(election, groups, endowment, funded_free):
    costs = election.costs
    budgets = np.full(len(groups.sets), float(endowment))
    weights = groups.weight_array
    alive = [
        p for p in range(len(costs)) if costs[p] > 0 and groups.support[p] and p not in funded_free
    ]
    lower = {p: float(costs[p]) / groups.support[p] / float(costs[p]) for p in alive}
    selected = list(funded_free)
    prices = {}
    while alive:
        best, best_rho, best_t, best_clean = None, np.inf, None, False
        second, second_clean = np.inf, False
        for p in sorted(alive, key=lambda p: (lower[p], p)):
            if lower[p] > best_rho * (1 + MARGIN):
                break
            s = groups.supporters[p]
            b = budgets[s]
            w = weights[s]
            cost = float(costs[p])
            available = float(np.dot(b, w))
            if abs(available - cost) <= MARGIN * cost:
                raise _Uncertain
            if available < cost:
                alive.remove(p)
                continue
            t, clean = _payment_float(b, w, cost)
            # With no supporter short of money the price per unit is exactly 1/supporters:
            # compare those exactly, so equal counts tie exactly (and the file order decides).
            rho = 1.0 / groups.support[p] if clean else t / cost
            lower[p] = rho
            if rho < best_rho or (rho == best_rho and p < best):
                second, second_clean = best_rho, best_clean
                best, best_rho, best_t, best_clean = p, rho, t, clean
            elif rho < second:
                second, second_clean = rho, clean
        if best is None:
            break
        near = second < np.inf and abs(second - best_rho) <= MARGIN * best_rho
        if near and not (best_clean and second_clean):
            raise _Uncertain
        s = groups.supporters[best]
        budgets[s] = np.maximum(budgets[s] - best_t, 0.0)
        selected.append(best)
        prices[best] = best_t
        alive.remove(best)
    return selected, prices, budgets


def _run_exact(election, groups, endowment, funded_free):
    costs = election.costs
    budgets = [Fraction(endowment)] * len(groups.sets)
    weights = groups.weights
    alive = [
        p for p in range(len(costs)) if costs[p] > 0 and groups.support[p] and p not in funded_free
    ]
    lower = {p: Fraction(1, groups.support[p]) for p in alive}
    selected = list(funded_free)
    prices = {}
    while alive:
        best, best_rho, best_t = None, None, None
        for p in sorted(alive, key=lambda p: (lower[p], p)):
            if best_rho is not None and lower[p] > best_rho:
                break
            supporters = sorted(groups.supporter_lists[p], key=lambda g: budgets[g])
            cost = costs[p]
            available = sum(budgets[g] * weights[g] for g in supporters)
            if available < cost:
                alive.remove(p)
                continue
            paid, remaining_weight = Fraction(0), groups.support[p]
            for g in supporters:
                t = (cost - paid) / remaining_weight
                if t <= budgets[g]:
                    break
                paid += budgets[g] * weights[g]
                remaining_weight -= weights[g]
            rho = t / cost
            lower[p] = rho
            if best_rho is None or rho < best_rho or (rho == best_rho and p < best):
                best, best_rho, best_t = p, rho, t
        if best is None:
            break
        for g in groups.supporter_lists[best]:
            budgets[g] = max(budgets[g] - best_t, Fraction(0))
        selected.append(best)
        prices[best] = best_t
        alive.remove(best)
    return selected, prices, [float(b) for b in budgets]


def _mes_run(election, groups, endowment, funded_free, exact=False):
    if not exact:
        try:
            return (*_run_float(election, groups, endowment, funded_free), False)
        except _Uncertain:
            pass
    selected, prices, budgets = _run_exact(election, groups, endowment, funded_free)
    return selected, prices, np.array(budgets), True


def equal_shares(election, progress=None, exact=False):
    """MES with cost utilities and the add1 completion of Wieliczka 2023.

    Each voter starts with budget/n; run MES; then raise every voter's endowment by one
    currency unit and run it again, as long as the outcome stays within the budget. The
    result is the last outcome within the budget (no early stop on an exhaustive one).
    This is pabutools' `exhaustion_by_budget_increase(..., method_of_equal_shares,
    {"sat_class": Cost_Sat}, exhaustive_stop=False, budget_step=n)`.
    """
    scores = election.scores()
    n = len(election.ballots)
    groups = _Groups(election)
    if n == 0:
        return Outcome(EQUAL_SHARES, [], scores, Fraction(0), _mes_explanation(election, None))
    funded_free = [
        p for p in range(len(election.costs)) if election.costs[p] == 0 and groups.support[p]
    ]
    endowment = election.budget / n
    bound = election.budget * (n + 1) / n
    last, steps, exact_runs = None, 0, 0
    while endowment <= bound:
        selected, prices, budgets, was_exact = _mes_run(
            election, groups, endowment, funded_free, exact
        )
        exact_runs += was_exact
        if sum(election.costs[p] for p in selected) > election.budget:
            break
        last = (endowment, selected, prices, budgets)
        endowment += 1
        steps += 1
        if progress and steps % 20 == 0:
            progress(min(95, steps))
    if last is None:
        last = (election.budget / n, [], {}, np.full(len(groups.sets), 0.0))
    endowment, selected, prices, budgets = last
    spent = sum((election.costs[p] for p in selected), Fraction(0))
    explanation = _mes_explanation(
        election, (endowment, selected, prices, budgets, groups, steps, exact_runs)
    )
    return Outcome(EQUAL_SHARES, selected, scores, spent, explanation)


def _mes_explanation(election, run):
    if run is None:
        return {"rule": EQUAL_SHARES, "budget": _money(election.budget), "projects": []}
    endowment, selected, prices, budgets, groups, steps, exact_runs = run
    weights = groups.weight_array
    entries = []
    for rank, p in enumerate(selected, start=1):
        entries.append(
            {
                "project": p,
                "funded": True,
                "round": rank,
                "cost": _money(election.costs[p]),
                "supporters": groups.support[p],
                "price_per_supporter": round(float(prices.get(p, 0)), 2),
            }
        )
    funded = set(selected)
    for p in range(len(election.costs)):
        if p in funded:
            continue
        s = groups.supporters[p]
        available = float(np.dot(budgets[s], weights[s])) if len(s) else 0.0
        entries.append(
            {
                "project": p,
                "funded": False,
                "cost": _money(election.costs[p]),
                "supporters": groups.support[p],
                "supporters_had": round(available, 2),
                "shortfall": round(max(float(election.costs[p]) - available, 0.0), 2),
            }
        )
    return {
        "rule": EQUAL_SHARES,
        "budget": _money(election.budget),
        "voters": len(election.ballots),
        "endowment": _money(endowment),
        "initial_endowment": _money(election.budget / len(election.ballots)),
        "completion_steps": steps,
        "exact_runs": exact_runs,
        "projects": entries,
    }


def equal_shares_comparison(election, progress=None, exact=False):
    """`equal_shares`, then Wieliczka 2023's comparison step against `greedy`.

    Each voter prefers the outcome that funds more of the projects they approved; the
    greedy outcome replaces the equal-shares one only if more voters prefer it.
    """
    mes = equal_shares(election, progress=progress, exact=exact)
    greedy_outcome = greedy(election, scores=mes.scores)
    in_mes, in_greedy = set(mes.selected), set(greedy_outcome.selected)
    prefer_mes = prefer_greedy = 0
    for ballot in election.ballots:
        approved = set(ballot)
        a, b = len(approved & in_mes), len(approved & in_greedy)
        prefer_mes += a > b
        prefer_greedy += b > a
    winner = greedy_outcome if prefer_greedy > prefer_mes else mes
    explanation = dict(winner.explanation)
    explanation["comparison"] = {
        "prefer_equal_shares": prefer_mes,
        "prefer_greedy": prefer_greedy,
        "winner": GREEDY if winner is greedy_outcome else EQUAL_SHARES,
    }
    explanation["rule"] = EQUAL_SHARES_COMPARISON
    return Outcome(EQUAL_SHARES_COMPARISON, winner.selected, mes.scores, winner.spent, explanation)


# A weighted final score (e.g. Seoul's 45/45/10)


def final_scores(online, offline, committee, online_ballots, offline_ballots, weights):
    """Per project, `w_on * online share + w_off * offline share + w_com * committee / 100`.

    A share is the project's score over the number of ballots of that channel (so a channel
    with fewer ballots weighs as much as its weight says, not as its size), the committee
    score runs from 0 to 100, and the weights are percentages adding up to 100: a final
    score runs from 0 to 100. Exact (`Fraction`), so ties stay ties and fall to file order.
    """
    w_on, w_off, w_com = (Fraction(w) for w in weights)
    result = []
    for on, off, com in zip(online, offline, committee, strict=True):
        share_on = Fraction(on, online_ballots) if online_ballots else Fraction(0)
        share_off = Fraction(off, offline_ballots) if offline_ballots else Fraction(0)
        result.append(w_on * share_on + w_off * share_off + w_com * Fraction(com or 0) / 100)
    return result
