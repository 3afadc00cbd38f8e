"""Demo budgets on both sites: one in balloting, one finished with a published result;
and, on Changwon's site, a budget imported from a real pabulib file.

Idempotent: every piece is looked up by its slug first. The pabulib file is found as the
tests find it: `PABULIB_DIR`, else the `shared/pabulib` folder beside the checkout.
"""

import datetime
import os
import random
from pathlib import Path

from django.utils import timezone

from budgeting import ballots, exchange, tallying
from budgeting.models import (
    BudgetHeading,
    BudgetPage,
    BudgetPhase,
    BudgetProjectPage,
    BudgetResult,
    Feasibility,
)
from cms.models import User
from participation.models import ImplementationUpdate
from voting import secrecy
from voting.models import Participation

PABULIB_FILE = "Netherlands_Assen_2024.pb"

# Staff's review of the budget in balloting: one project of every state (by its order).
REVIEW_2027 = {
    2: (
        Feasibility.UNFEASIBLE,
        "하천 점용 허가와 안전 심의가 필요해 올해 예산으로는 추진할 수 없습니다.",
        None,
    ),
    6: (Feasibility.PENDING, "", None),
    4: (Feasibility.FEASIBLE, "", 27_000_000),
}

PROJECTS = [
    # (title, cost in 만원 × 10,000, heading index)
    ("어린이 놀이터 그늘막 설치", 30_000_000, 0),
    ("버스정류장 온열 의자", 18_000_000, 0),
    ("하천 산책로 야간 조명", 45_000_000, 0),
    ("경로당 건강 체조 교실", 12_000_000, 0),
    ("골목길 보안등 교체", 25_000_000, 1),
    ("작은 도서관 책 구입", 10_000_000, 1),
    ("마을 텃밭 조성", 15_000_000, 1),
]

BUDGETS = {
    "gyeongnam": ("도민참여예산", [("도 전체", 80_000_000, ""), ("청년 분야", 40_000_000, "")]),
    "changwon": ("주민참여예산", [("시 전체", 80_000_000, ""), ("의창구", 40_000_000, "의창구")]),
}
# Residents aged 14 and over, roughly, for the turnout on the results pages.
ELIGIBLE = {"gyeongnam": 2_790_000, "changwon": 870_000}


def pabulib_dir():
    configured = os.environ.get("PABULIB_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "pabulib"


def ensure_budget(
    site, slug, title, headings, phases, intro, review=None, author=None, eligible=None
):
    budget = BudgetPage.objects.child_of(site.root_page).filter(slug=slug).first()
    if budget is not None:
        return budget.specific
    budget = BudgetPage(
        title=title,
        slug=slug,
        intro=intro,
        ballot_kind="knapsack",
        rule="greedy",
        eligible_voters=eligible,
    )
    budget.headings = [
        BudgetHeading(name=name, amount=amount, district=district, sort_order=i)
        for i, (name, amount, district) in enumerate(headings)
    ]
    budget.phases = [BudgetPhase(kind=kind, start=start, end=end) for kind, start, end in phases]
    site.root_page.add_child(instance=budget)
    budget.save_revision().publish()
    budget = BudgetPage.objects.get(pk=budget.pk)
    heading_list = list(budget.headings.order_by("sort_order"))
    for order, (name, cost, index) in enumerate(PROJECTS):
        project = BudgetProjectPage(
            title=name,
            slug=f"project-{order + 1}",
            description=f"{name} 사업입니다. 주민 제안으로 접수되어 검토를 마쳤습니다.",
            cost=cost,
            heading=heading_list[index],
            file_order=order,
            committee_score=50 + 7 * order % 45,
        )
        budget.add_child(instance=project)
        project.save_revision().publish()
        feasibility, explanation, estimate = (review or {}).get(
            order, (Feasibility.FEASIBLE, "", None)
        )
        project.set_state(
            feasibility=feasibility,
            feasibility_explanation=explanation,
            cost_estimate=estimate,
            reviewed_at=None if feasibility == Feasibility.PENDING else timezone.now(),
            author_id=author.pk if author is not None and order == 0 else None,
        )
    return budget


def seed_finished(budget, voters):
    """Sealed online ballots from the demo citizens, paper ballots, the opening, the count
    and the published result."""
    if BudgetResult.objects.published().filter(heading__page=budget).exists():
        return
    chooser = random.Random(budget.slug)
    headings = list(budget.headings.order_by("sort_order"))
    for heading in headings:
        projects = ballots.ballot_projects(heading)
        for user in voters:
            if Participation.objects.filter(
                contest_id=budget.pk, scope=str(heading.pk), user=user
            ).exists():
                continue
            picked = _fitting(chooser, projects, heading.amount)
            secrecy.cast(
                budget, str(heading.pk), user, {"projects": [[p.pk, None] for p in picked]}
            )
    secrecy.open_contest(budget)
    paper = []
    for heading in headings:
        projects = ballots.ballot_projects(heading)
        for _i in range(40):
            picked = _fitting(chooser, projects, heading.amount)
            paper.append((heading.pk, "paper", [(p.pk, None) for p in picked]))
    ballots.write_rows(paper)
    for heading in headings:
        result, _data = tallying.compute(heading, budget.rule)
        BudgetResult.objects.filter(pk=result.pk).update(published_at=timezone.now())
        report_progress(result)


def report_progress(result):
    """Implementation updates on the funded projects, as staff post them after the vote."""
    today = timezone.localdate()
    steps = [
        (ImplementationUpdate.Status.PLANNED, 0, 120, "설계와 업체 선정을 시작했습니다."),
        (ImplementationUpdate.Status.IN_PROGRESS, 60, 60, "공사를 시작해 절반 넘게 진행했습니다."),
        (ImplementationUpdate.Status.COMPLETED, 100, 10, "사업을 마치고 주민에게 공개했습니다."),
    ]
    for index, project_id in enumerate(result.selected):
        if ImplementationUpdate.objects.filter(page_id=project_id).exists():
            continue
        for status, progress, days_ago, note in steps[: 2 + index % 2]:
            ImplementationUpdate.objects.create(
                page_id=project_id,
                status=status,
                progress=progress,
                date=today - datetime.timedelta(days=days_ago),
                note=note,
            )


def _fitting(chooser, projects, amount):
    picked, spent = [], 0
    for project in chooser.sample(projects, len(projects)):
        if spent + project.cost <= amount and chooser.random() < 0.7:
            picked.append(project)
            spent += project.cost
    return picked or [min(projects, key=lambda p: p.cost)]


def ensure_imported(site):
    path = pabulib_dir() / PABULIB_FILE
    if not path.exists():
        return None
    existing = BudgetPage.objects.child_of(site.root_page).filter(meta__has_key="meta")
    for budget in existing:
        if budget.title.startswith("Assen") or "Assen" in str(budget.meta.get("meta")):
            return budget
    page = exchange.import_file(path.read_bytes(), site.root_page)
    return page


def ensure_results_block(site, budget):
    home = site.root_page.specific
    body = list(home.body.raw_data)
    if any(block["type"] == "budget_results" for block in body):
        return
    body.append({"type": "budget_results", "value": {"heading": "", "budget": budget.pk}})
    home.body = body
    home.save_revision().publish()


def seed(sites):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    voters = list(User.objects.filter(email__startswith="citizen").order_by("email")[:3])
    for slug, site in sites.items():
        title, headings = BUDGETS.get(slug, BUDGETS["changwon"])
        ensure_budget(
            site,
            "budget-2027",
            f"2027 {title}",
            headings,
            [
                ("information", now - 60 * day, now - 45 * day),
                ("accepting_projects", now - 45 * day, now - 30 * day),
                ("review", now - 30 * day, now - 15 * day),
                ("balloting", now - 5 * day, now + 20 * day),
            ],
            "주민이 직접 제안하고 투표로 정하는 예산입니다. 분야 예산 안에서 원하는 사업을 고르십시오.",
            review=REVIEW_2027,
            author=voters[0] if voters else None,
            eligible=ELIGIBLE.get(slug),
        )
        finished = ensure_budget(
            site,
            "budget-2026",
            f"2026 {title}",
            headings,
            [
                ("balloting", now - 200 * day, now - 170 * day),
                ("finished", now - 160 * day, None),
            ],
            "투표를 마치고 결과를 공개한 예산입니다.",
            eligible=ELIGIBLE.get(slug),
        )
        seed_finished(finished, voters)
        ensure_results_block(site, finished)
    if "changwon" in sites:
        ensure_imported(sites["changwon"])
