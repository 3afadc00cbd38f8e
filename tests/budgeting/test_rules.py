"""The counting rules on small cases checked by hand, ties included."""

import random
from fractions import Fraction

import pytest

from budgeting.rules import Election, equal_shares, tally

A, B, C, D = 0, 1, 2, 3


def selected(election, rule):
    return tally(election, rule).selected


class TestGreedy:
    def approval(self, costs=(50, 40, 30, 10), threshold=None):
        # Scores: A 3, B 2, C 2, D 1.
        ballots = [[A, B], [A, C], [B, C], [D], [A]]
        return Election(costs=list(costs), budget=100, ballots=ballots, threshold=threshold)

    def test_highest_score_first_and_a_tie_goes_to_the_earlier_project(self):
        # A (50) fits, B and C tie on 2 and B comes first in the file: B (40) fits with 10
        # left, C (30) does not, D (10) does.
        outcome = tally(self.approval(), "greedy")
        assert outcome.selected == [A, B, D]
        assert outcome.spent == 100
        assert outcome.scores == [3, 2, 2, 1]

    def test_the_file_order_decides_the_tie(self):
        # Same ballots with C listed before B: C (30) now wins the tie and B (40) no longer fits.
        costs = [50, 30, 40, 10]  # project 1 is now "C", project 2 "B"
        ballots = [[A, C], [A, B], [C, B], [D], [A]]
        election = Election(costs=costs, budget=100, ballots=ballots)
        assert selected(election, "greedy") == [A, B, D]
        assert tally(election, "greedy").spent == 90

    def test_no_skip_stops_at_the_first_project_that_does_not_fit(self):
        assert selected(self.approval(), "greedy-no-skip") == [A, B]

    def test_threshold_leaves_out_projects_below_the_minimum_score(self):
        assert selected(self.approval(threshold=2), "greedy-threshold") == [A, B]
        assert selected(self.approval(threshold=4), "greedy-threshold") == []
        assert selected(self.approval(threshold=None), "greedy-threshold") == [A, B, D]

    def test_no_skip_also_respects_the_threshold(self):
        assert selected(self.approval(threshold=3), "greedy-no-skip") == [A]

    def test_choose_one(self):
        # A 2, C 2, B 1: A (30), then C (30) does not fit in 20, B (20) does.
        election = Election(
            costs=[30, 20, 30], budget=50, ballots=[[A], [A], [B], [C], [C]], kind="choose-1"
        )
        assert tally(election, "greedy").scores == [2, 1, 2]
        assert selected(election, "greedy") == [A, B]
        assert selected(election, "greedy-no-skip") == [A]

    def test_cumulative_scores_are_sums_of_points(self):
        # A 3, B 1+2 = 3, C 2+4 = 6: C (50), A (30) ties B and comes first, B no longer fits.
        election = Election(
            costs=[30, 30, 50],
            budget=80,
            ballots=[[A, B], [B, C], [C]],
            points=[[3, 1], [2, 2], [4]],
            kind="cumulative",
        )
        outcome = tally(election, "greedy")
        assert outcome.scores == [3, 3, 6]
        assert outcome.selected == [C, A]

    def test_ordinal_scores_are_max_length_minus_position(self):
        # max_length 3: first 3 points, second 2, third 1. A 3+2, B 2+3, C 1+3.
        election = Election(
            costs=[60, 50, 40],
            budget=100,
            ballots=[[A, B, C], [B, A], [C]],
            kind="ordinal",
            max_length=3,
        )
        outcome = tally(election, "greedy")
        assert outcome.scores == [5, 5, 4]
        # A and B tie on 5, A is first in the file: A (60), B (50) does not fit, C (40) does.
        assert outcome.selected == [A, C]

    def test_explanation_gives_rank_score_and_what_was_left(self):
        projects = tally(self.approval(), "greedy").explanation["projects"]
        assert [(p["project"], p["rank"], p["score"], p["reason"]) for p in projects] == [
            (A, 1, 3, "fitted"),
            (B, 2, 2, "fitted"),
            (C, 3, 2, "did_not_fit"),
            (D, 4, 1, "fitted"),
        ]
        assert projects[2]["remaining_before"] == 10
        assert projects[2]["cost"] == 30

    def test_a_project_nobody_voted_for_is_not_funded(self):
        election = Election(costs=[10, 10], budget=100, ballots=[[A]])
        assert selected(election, "greedy") == [A]


class TestEqualShares:
    def small(self):
        # Budget 30, three voters. A (20) approved by v1, v2; B (15) by v3; C (10) by all.
        return Election(costs=[20, 15, 10], budget=30, ballots=[[A, C], [A, C], [B, C]])

    def test_add1_keeps_the_last_outcome_within_the_budget(self):
        # Endowment 10: C is bought at 10/3 each (price per unit 1/3 beats A's 1/2); A needs
        # 2 × (e − 10/3) ≥ 20, so from e = 14 on the outcome is {C, A} (30). At e = 19 v3 has
        # 15.67 left and B (15) is bought too: 45 > 30, so the e = 18 outcome stands.
        outcome = tally(self.small(), "equal-shares")
        assert outcome.selected == [C, A]
        assert outcome.spent == 30
        explanation = outcome.explanation
        assert explanation["initial_endowment"] == 10
        assert explanation["endowment"] == 18
        assert explanation["completion_steps"] == 9

    def test_explanation_prices_and_shortfalls(self):
        projects = {
            p["project"]: p for p in tally(self.small(), "equal-shares").explanation["projects"]
        }
        assert projects[C]["price_per_supporter"] == 3.33  # 10 / 3 voters
        assert projects[C]["round"] == 1
        assert projects[A]["price_per_supporter"] == 10  # 20 / 2 voters
        assert projects[A]["round"] == 2
        # B: its one supporter had 18 − 10/3 = 14.67 left, 0.33 short of 15.
        assert projects[B]["funded"] is False
        assert projects[B]["supporters_had"] == 14.67
        assert projects[B]["shortfall"] == 0.33

    def test_tie_goes_to_the_earlier_project(self):
        # Two projects, same cost and the same two supporters: only one can be afforded.
        election = Election(costs=[20, 20], budget=20, ballots=[[A, B], [A, B]])
        assert selected(election, "equal-shares") == [A]
        swapped = Election(costs=[20, 20], budget=20, ballots=[[B, A], [B, A]])
        assert selected(swapped, "equal-shares") == [A]  # ballot order does not matter

    def test_minority_gets_its_share(self):
        # v1–v3 approve A (60) and B (40); v4 approves C (25). Greedy funds A and B; equal
        # shares gives v4 their quarter: A, then C (v4 pays 25 alone); B would need 40 from
        # v1–v3, who have 3 × (e − 20) < 40 until e = 34, when A, B and C cost 125.
        ballots = [[A, B], [A, B], [A, B], [C]]
        election = Election(costs=[60, 40, 25], budget=100, ballots=ballots)
        assert selected(election, "greedy") == [A, B]
        assert selected(election, "equal-shares") == [A, C]

    def test_comparison_step_takes_greedy_when_more_voters_prefer_it(self):
        # Same election: v1–v3 get two of their projects under greedy and one under equal
        # shares; only v4 prefers equal shares. 3 > 1, so greedy's outcome replaces it.
        ballots = [[A, B], [A, B], [A, B], [C]]
        election = Election(costs=[60, 40, 25], budget=100, ballots=ballots)
        outcome = tally(election, "equal-shares-comparison")
        assert outcome.selected == [A, B]
        assert outcome.explanation["comparison"] == {
            "prefer_equal_shares": 1,
            "prefer_greedy": 3,
            "winner": "greedy",
        }

    def test_comparison_step_keeps_equal_shares_when_as_many_prefer_it(self):
        # v1, v2 approve A (60) and B (40); v3, v4 approve C (25). From e = 30 A, B and C
        # all cost 1/2 per unit (two supporters each): A wins the tie, then v1 and v2 have
        # nothing left for B and C is bought; at e = 50 B fits too (125), so e = 49 stands.
        # Greedy funds A and B (scores tie, file order). v1, v2 prefer greedy; v3, v4 equal
        # shares: 2 against 2 keeps equal shares.
        ballots = [[A, B], [A, B], [C], [C]]
        election = Election(costs=[60, 40, 25], budget=100, ballots=ballots)
        mes = selected(election, "equal-shares")
        assert mes == [A, C]
        assert selected(election, "greedy") == [A, B]
        outcome = tally(election, "equal-shares-comparison")
        assert outcome.explanation["comparison"]["prefer_greedy"] == 2
        assert outcome.explanation["comparison"]["prefer_equal_shares"] == 2
        assert outcome.selected == mes

    def test_cost_zero_project_with_supporters_is_funded_first(self):
        election = Election(costs=[0, 10], budget=10, ballots=[[A, B], [B]])
        assert selected(election, "equal-shares") == [A, B]

    def test_no_ballots(self):
        assert selected(Election(costs=[10], budget=10, ballots=[]), "equal-shares") == []

    @pytest.mark.parametrize("seed", range(40))
    def test_float_path_takes_the_decisions_of_exact_arithmetic(self, seed):
        # Small integer costs and few voters make exact ties common: the fast path must
        # settle each one as Fraction arithmetic does.
        rng = random.Random(seed)
        n_projects = rng.randint(2, 7)
        costs = [rng.choice([1, 2, 3, 5, 6, 10, 12, 15]) * 10 for _ in range(n_projects)]
        ballots = [
            rng.sample(range(n_projects), rng.randint(1, n_projects))
            for _ in range(rng.randint(2, 12))
        ]
        budget = rng.choice([30, 50, 60, 100, 120])
        election = Election(costs=costs, budget=budget, ballots=ballots)
        fast = equal_shares(election)
        exact = equal_shares(election, exact=True)
        assert fast.selected == exact.selected
        assert fast.explanation["endowment"] == exact.explanation["endowment"]
        assert sum(Fraction(costs[p]) for p in fast.selected) <= budget
