"""Benchmark: every counting rule on Kraków 2024 and Wieliczka 2023, ours against pabutools.

Times each rule in our pure rules module (budgeting.rules) and in pabutools (the reference
implementation; a bench-only dependency: `pip install -c constraints.txt ".[bench]"`), each
pabutools run in a child process with a time limit. Checks that the outcomes agree and prints
the ratios; a pabutools run past its limit is reported as a lower bound of the ratio.
Then times `import_pabulib` of Kraków 2024 into the DATABASE_URL you give (PostgreSQL for the
target), in a throwaway budget page that is deleted afterwards.

Targets: equal shares on Wieliczka at least 100× faster than pabutools with identical
outcomes; every rule on Kraków 2024 within 2 s; importing Kraków 2024 within 30 s on PostgreSQL.

Run: `python bench/budgets.py [--limit 600] [--skip-import]`.
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FILES = Path(os.environ.get("PABULIB_DIR") or ROOT.parent / "shared" / "pabulib")
ELECTIONS = ("Poland_Wieliczka_2023_Green_Budget.pb", "Poland_Krakow_2024.pb")
RULES = ("greedy", "greedy-no-skip", "greedy-threshold", "equal-shares", "equal-shares-comparison")


def _pabutools_outcome(path, rule, queue):
    """Run `rule` in pabutools; put (seconds, selected ids) on the queue."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )
    from pabutools.tiebreaking import TieBreakingRule

    instance, profile = parse_pabulib(str(path))
    order = {}
    with open(path, encoding="utf-8-sig") as f:
        section = None
        for line in f:
            line = line.strip()
            if line in ("META", "PROJECTS", "VOTES"):
                section, header = line, True
                continue
            if section == "PROJECTS":
                if header:
                    header = False
                    continue
                order[line.split(";")[0]] = len(order)
    file_order = TieBreakingRule(lambda inst, prof, project: order[project.name])
    max_length = int(instance.meta.get("max_length", 0) or 0)

    class ScoreSat(AdditiveSatisfaction):
        """cost × the project's score on this ballot: greedy by sat/cost is greedy by score."""

        def __init__(self, inst, prof, ballot):
            def func(inst, prof, ballot, project, precomputed):
                if project not in ballot:
                    return 0
                if hasattr(ballot, "index"):  # ordinal
                    return project.cost * (max_length - ballot.index(project))
                return project.cost

            super().__init__(inst, prof, ballot, func)

    def mes():
        return exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": Cost_Sat, "tie_breaking": file_order},
            exhaustive_stop=False,
            budget_step=profile.num_ballots(),
        )

    def greedy():
        return greedy_utilitarian_welfare(
            instance, profile, sat_class=ScoreSat, tie_breaking=file_order
        )

    start = time.perf_counter()
    if rule == "greedy":
        outcome = greedy()
    elif rule == "equal-shares":
        outcome = mes()
    elif rule == "equal-shares-comparison":
        # pabutools has no comparison step: time its two outcomes (the vote is trivial).
        outcome = mes()
        greedy()
    else:
        queue.put(None)
        return
    queue.put((time.perf_counter() - start, [p.name for p in outcome]))


def pabutools(path, rule, limit):
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=_pabutools_outcome, args=(path, rule, queue))
    process.start()
    process.join(limit)
    if process.is_alive():
        process.terminate()
        process.join()
        return "timeout"
    return queue.get() if not queue.empty() else None


def ours(path):
    from budgeting import pabulib

    pb = pabulib.parse(path.read_bytes())
    return pb, pabulib.election(pb)


def time_import(path):
    from django.db import connection
    from wagtail.models import Page, Site

    from budgeting.exchange import import_file

    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page.specific if site else Page.objects.get(depth=1)
    start = time.perf_counter()
    page = import_file(path.read_bytes(), parent, title="bench import")
    seconds = time.perf_counter() - start
    from budgeting.models import BudgetBallot, BudgetHeading

    heading = BudgetHeading.objects.get(page=page)
    ballots = BudgetBallot.objects.filter(heading=heading).count()
    BudgetBallot.objects.filter(heading=heading).delete()
    page.delete()
    return connection.vendor, seconds, ballots


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=600, help="seconds per pabutools run")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-pabutools", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    from budgeting import rules

    print("| election | rule | ours (s) | pabutools (s) | ratio | same outcome |")
    print("|---|---|---|---|---|---|")
    failures = []
    for name in ELECTIONS:
        path = FILES / name
        pb, election = ours(path)
        ids = [p.project_id for p in pb.projects]
        for rule in RULES:
            start = time.perf_counter()
            outcome = rules.tally(election, rule)
            mine = time.perf_counter() - start
            selected = [ids[i] for i in outcome.selected]
            theirs = None if args.skip_pabutools else pabutools(path, rule, args.limit)
            if theirs is None:
                cells = ("n/a", "n/a", "n/a (no such rule in pabutools)")
            elif theirs == "timeout":
                cells = (
                    f"> {args.limit:.0f}",
                    f"> {args.limit / mine:.0f}×",
                    "not known (timeout)",
                )
            else:
                seconds, names = theirs
                compare = selected if rule != "equal-shares-comparison" else None
                if rule == "equal-shares-comparison":
                    mes = [ids[i] for i in rules.tally(election, "equal-shares").selected]
                    same = (set(selected) == set(names)) or outcome.explanation["comparison"][
                        "winner"
                    ] == "greedy"
                    same = same and set(mes) == set(names)
                else:
                    same = set(compare) == set(names)
                if not same:
                    failures.append((name, rule))
                cells = (f"{seconds:.2f}", f"{seconds / mine:.0f}×", "yes" if same else "NO")
            print(f"| {name} | {rule} | {mine:.3f} | {cells[0]} | {cells[1]} | {cells[2]} |")
            if "Krakow" in name and mine > 2:
                failures.append((name, rule, "over 2 s"))
    if not args.skip_import:
        vendor, seconds, ballots = time_import(FILES / "Poland_Krakow_2024.pb")
        print(f"\nimport_pabulib Kraków 2024 on {vendor}: {ballots} ballots in {seconds:.1f} s")
    if failures:
        print("\nMISSED:", failures)
        sys.exit(1)


if __name__ == "__main__":
    main()
