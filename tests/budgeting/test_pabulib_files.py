"""Every real election in shared/pabulib (beside the checkout): imported, counted with its own rule, the
official outcome reproduced; then exported, imported again and counted to the same result.

The four large files are marked `large_pabulib` (deselect with -m "not large_pabulib" for a
quick run); CI runs them all.
"""

import json

import pytest

from budgeting.models import BudgetBallot, BudgetPage, BudgetProjectPage
from budgeting.pabulib import PABULIB_RULES, parse

from .conftest import PABULIB, run

LARGE = {
    "Poland_Krakow_2024.pb",
    "Poland_Czestochowa_2025.pb",
    "Poland_Gdynia_2020.pb",
    "Poland_Warszawa_2023_Mokotow.pb",
}
FILES = [
    pytest.param(path.name, marks=[pytest.mark.large_pabulib] if path.name in LARGE else [])
    for path in sorted(PABULIB.glob("*.pb"))
]


def test_the_real_elections_are_there():
    """Without the files every test below would silently vanish from the run."""
    assert len(FILES) >= 8, f"expected the real pabulib files in {PABULIB}"


# Two files have no `selected` column; their greedy outcome, derived by hand from the
# scores printed in the file:
DERIVED = {
    # Zabrze 2020 (choose-1, budget 500,000): P0093 (2,699 votes) costs 500,000, the whole
    # budget; nothing fits after it.
    "Poland_Zabrze_2020.pb": {"P0093"},
    # Toulouse 2019 (cumulative, budget 1,000,000), by score: 4 (1090, 390k, 610k left),
    # 16 (877, 45k, 565k), 13 (654, 107k, 458k), 29 (551, 199k, 259k), 5 (513, 168k, 91k),
    # 10 (497, 2k, 89k), 30 (453, 5k, 84k), 20 (415, 2k, 82k), 28 (369, 100k: no),
    # 1 (318, 7k, 75k), 18 (265, 15k, 60k), 15, 22, 11 (164k, 241k, 110k: no),
    # 7 (186, 20k, 40k), 25 (44k: no), 27 (156, 10k, 30k), 3 (50k: no), 6 (145, 5k, 25k),
    # 21 (85k: no), 26 (111, 25k, 0 left).
    "France_Toulouse_2019.pb": {
        "4",
        "16",
        "13",
        "29",
        "5",
        "10",
        "30",
        "20",
        "1",
        "18",
        "7",
        "27",
        "6",
        "26",
    },
}


def official(name):
    pb = parse((PABULIB / name).read_bytes())
    if "selected" not in pb.project_columns:
        return DERIVED[name], pb
    return {p.project_id for p in pb.projects if p.columns["selected"] == "1"}, pb


def tally(budget_id, rule):
    out, _ = run("tally_budget", str(budget_id), "--rule", rule, "--json")
    return json.loads(out)


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("name", FILES)
def test_real_election_reproduced_and_round_trips(name, import_text, tmp_path):
    expected, pb = official(name)
    rule = PABULIB_RULES[pb.meta["rule"]]
    budget_id = import_text((PABULIB / name).read_bytes(), name)

    page = BudgetPage.objects.get(pk=budget_id)
    assert page.ballot_kind == pb.vote_type
    assert BudgetBallot.objects.filter(heading__page=page).count() == len(pb.votes)
    assert BudgetProjectPage.objects.child_of(page).count() == len(pb.projects)

    result = tally(budget_id, rule)
    assert set(result["selected"]) == expected
    assert len(result["selected"]) == len(expected)
    # The scores we count are the file's own (score column, or votes where it has none).
    column = "score" if "score" in pb.project_columns else "votes"
    by_id = {e["project"]: e for e in result["explanation"]["projects"]}
    if "score" in by_id[pb.projects[0].project_id]:
        for project in pb.projects:
            assert str(by_id[project.project_id]["score"]) == project.columns[column]
    # Plain output: the same ids, one a line, in selection order.
    out, _ = run("tally_budget", str(budget_id), "--rule", rule)
    assert out.split() == result["selected"]

    exported, _ = run("export_pabulib", str(budget_id))
    again = import_text(exported, "again-" + name)
    assert again != budget_id
    assert tally(again, rule)["selected"] == result["selected"]
    reexported, _ = run("export_pabulib", str(again))
    assert reexported == exported
