"""Participatory budgets at a city's size, for `seed_scale` (home/scale.py's extension point).

Two budgets under the city's home page, each with `budget_projects` projects over a
city-wide heading and three district headings (costs, review, the order of the ballot):

- a finished one: `budget_ballots` online ballots from the seeded citizens, opened, counted
  by the budget's rule and published, so its results page shows real numbers;
- one in its balloting phase, its projects on the ballot and no ballot cast yet, for the
  load test's writes (its ballot box is made by the first vote, with the server's key).

The finished budget's ballots are the rows the secret ballot leaves once its box is opened
(voting/secrecy.py and budgeting/ballots.py), written with COPY instead of 100,000 casts
and an opening: a `Participation` per voter and heading (who voted, the day); the opened
`BallotBox` (its public key, no private key, the turnout `open_budget_ballots` returns);
a `CountedReceipt` per envelope in hash order; `BudgetBallot` rows in shuffled order with
random ids and no voter, and their `BudgetChoice` rows in ballot order. Every ballot
passes the ballot's own validation (`ballots.validate`): chosen from the projects on the
ballot, within the heading's amount, cast by a citizen old enough to vote there. The result
is the project's own count (`tallying.compute`), published as staff publish it.
"""

import datetime
import itertools
import random
import uuid
from decimal import Decimal

from django.utils import timezone
from nacl import public
from wagtail.search.backends import get_search_backend

from budgeting import tallying
from budgeting.ballots import ballot_projects
from budgeting.models import (
    BallotKind,
    BudgetBallot,
    BudgetChoice,
    BudgetHeading,
    BudgetPage,
    BudgetPhase,
    BudgetProjectPage,
    BudgetResult,
    Feasibility,
    Rule,
)
from voting import secrecy
from voting.models import (
    BallotBox,
    CountedReceipt,
    Participation,
    VoterVerification,
    VotingSettings,
)

# (name, amount in KRW, district, share of the projects and of the ballots)
HEADINGS = [
    ("시 전체", 3_000_000_000, "", 4),
    ("의창구", 800_000_000, "의창구", 2),
    ("성산구", 800_000_000, "성산구", 2),
    ("진해구", 600_000_000, "진해구", 2),
]
ELIGIBLE = 870_000  # residents aged 14 and over, for the turnout on the results page
UNFEASIBLE_EVERY = 17  # one project in 17 is found unfeasible by the review (not on the ballot)
_TOPICS = [
    "어린이 놀이터",
    "보행로",
    "공원 조명",
    "경로당",
    "도서관",
    "자전거 도로",
    "하천 정비",
    "주차장",
]
_WORKS = ["개선", "설치", "확충", "정비", "조성"]


def check(sizes):
    """Refuse, before anything is written, sizes no budget can have."""
    if sizes.budget_projects == 0:
        if sizes.budget_ballots:
            raise ValueError("budget_ballots need budget_projects to vote for.")
        return
    if sizes.budget_projects < len(HEADINGS):
        raise ValueError(
            f"budget_projects must be 0 or at least {len(HEADINGS)} (one per heading)."
        )
    largest = max(_split(sizes.budget_ballots))
    if largest > sizes.users:
        raise ValueError(
            f"budget_ballots needs at least {largest} users (one ballot per citizen and heading)."
        )


def _split(total):
    """`total` shared over the headings by their weights, adding up exactly."""
    weights = [share for *_rest, share in HEADINGS]
    counts = [total * w // sum(weights) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


class BudgetSeeder:
    def __init__(self, city, sizes, loader, stdout, seed=2027):
        self.city = city
        self.site = city.site
        self.sizes = sizes
        self.loader = loader
        self.out = stdout
        self.random = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.tag = uuid.uuid4().hex[:6]  # keeps slugs unique if seeded twice

    def say(self, message):
        self.out.write(f"[{timezone.now():%H:%M:%S}] {message}")

    def budget(self, slug, title, intro, phases):
        """A published budget page with its headings and dated phases (as staff make one)."""
        day = datetime.timedelta(days=1)
        budget = BudgetPage(
            title=title,
            slug=f"{slug}-{self.tag}",
            intro=intro,
            ballot_kind=BallotKind.KNAPSACK,
            rule=Rule.GREEDY,
            eligible_voters=ELIGIBLE,
        )
        budget.headings = [
            BudgetHeading(name=name, amount=amount, district=district, sort_order=i)
            for i, (name, amount, district, _share) in enumerate(HEADINGS)
        ]
        budget.phases = [
            BudgetPhase(
                kind=kind,
                start=self.now + start * day,
                end=None if end is None else self.now + end * day,
            )
            for kind, start, end in phases
        ]
        self.site.root_page.add_child(instance=budget)
        budget.save_revision().publish()
        return BudgetPage.objects.get(pk=budget.pk)

    def projects(self, budget, reviewed_at, authors):
        """`budget_projects` projects over the headings, written straight into the tree; a
        third of them proposed by citizens (`authors`), the others by the administration."""
        headings = list(budget.headings.order_by("sort_order"))
        per_heading = _split(self.sizes.budget_projects)
        plan = [h for h, n in zip(headings, per_heading, strict=True) for _ in range(n)]
        rnd = self.random

        def build(i, page_id):
            heading = plan[i]
            topic = _TOPICS[i % len(_TOPICS)]
            title = f"{heading.name} {topic} {_WORKS[i % len(_WORKS)]} ({i + 1})"
            # From a fiftieth to a seventh of the heading's amount, in 백만원.
            low, high = int(heading.amount / 50_000_000), int(heading.amount / 7_000_000)
            unfeasible = i % UNFEASIBLE_EVERY == UNFEASIBLE_EVERY - 1
            author = authors[(i * 31) % len(authors)] if authors and i % 3 == 0 else None
            return BudgetProjectPage(
                title=title,
                slug=f"project-{i + 1}",
                description=f"{heading.name}의 {topic}을(를) {_WORKS[i % len(_WORKS)]}하는 사업입니다.",
                cost=Decimal(rnd.randint(low, high) * 1_000_000),
                heading_id=heading.pk,
                file_order=i,
                author_id=author,
                owner_id=author,
                submitted_at=reviewed_at - datetime.timedelta(days=20) if author else None,
                feasibility=Feasibility.UNFEASIBLE if unfeasible else Feasibility.FEASIBLE,
                feasibility_explanation="관련 법령상 시 예산으로 추진할 수 없습니다."
                if unfeasible
                else "",
                reviewed_at=reviewed_at,
                first_published_at=reviewed_at - datetime.timedelta(days=25),
            )

        pages = self.loader.add_pages(
            budget, BudgetProjectPage, len(plan), build, self.now, slug=lambda i: f"{i + 1}"
        )
        indexed = BudgetProjectPage.objects.filter(pk__in=[p.pk for p in pages])
        get_search_backend().add_bulk(BudgetProjectPage, list(indexed))
        return pages

    def eligible_voters(self, budget, day):
        """The seeded citizens who may vote in this budget on `day`: verified residents of the
        site (all of them are) old enough (the budget's minimum age, else the site's)."""
        minimum = budget.minimum_age
        if minimum is None:
            minimum = VotingSettings.for_site(self.site).minimum_age
        try:
            born_by = day.replace(year=day.year - minimum)
        except ValueError:  # 29 February
            born_by = day.replace(year=day.year - minimum, day=28)
        return list(
            VoterVerification.objects.current()
            .filter(
                site=self.site,
                user_id__gte=self.city.first_user_id,
                user__is_active=True,
                birth_date__lte=born_by,
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )

    def ballots(self, budget, phase, voters):
        """The finished budget's online ballots, as its box's opening leaves them."""
        headings = list(budget.headings.order_by("sort_order"))
        opened_on = timezone.localdate(phase.end)
        counts = _split(self.sizes.budget_ballots)
        if max(counts) > len(voters):
            raise ValueError(
                f"Only {len(voters)} seeded citizens may vote; budget_ballots needs "
                f"{max(counts)} in one heading."
            )
        rnd = self.random
        days = (phase.end - phase.start).days or 1
        participations, opened = [], []
        # Everyone in the city-wide heading from the first citizen on; each district heading
        # takes the citizens after the last district's, so few vote in two districts.
        cursor = 0
        for heading, count in zip(headings, counts, strict=True):
            projects = ballot_projects(heading)
            if count and not projects:
                raise ValueError(f"No project on the ballot of {heading.name}.")
            start = cursor if heading.district else 0
            if heading.district:
                cursor += count
            for k in range(count):
                participations.append(
                    (
                        budget.pk,
                        str(heading.pk),
                        voters[(start + k) % len(voters)],
                        timezone.localdate(phase.start) + datetime.timedelta(days=k % days),
                    )
                )
            for picked in self.choose(projects, heading.amount, count):
                opened.append((heading.pk, picked))
        self.loader.copy(
            Participation,
            iter(participations),
            columns=["contest_id", "scope", "user_id", "voted_on"],
        )
        # The opening shuffles the opened envelopes and stores them in that order.
        rnd.shuffle(opened)
        ballot_rows, choices = [], []
        for order, (heading_id, picked) in enumerate(opened, 1):
            ballot_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
            ballot_rows.append(
                BudgetBallot(
                    id=ballot_id, heading_id=heading_id, channel="online", file_order=order
                )
            )
            choices += [(ballot_id, pk, position, None) for position, pk in enumerate(picked)]
        self.loader.write_objects(ballot_rows)
        self.loader.copy(
            BudgetChoice, iter(choices), columns=["ballot_id", "project_id", "position", "points"]
        )
        turnout = {}
        for heading_id, _picked in opened:
            turnout[str(heading_id)] = turnout.get(str(heading_id), 0) + 1
        box = BallotBox.objects.create(
            contest_id=budget.pk,
            public_key=bytes(public.PrivateKey.generate().public_key),
            wrapped_private_key=b"",  # destroyed at the opening
            opened_on=opened_on,
            opened_envelopes=len(opened),
            results={"turnout": turnout},
        )
        # The receipts their voters were shown, as counted: in hash order, apart from ballots.
        receipts = sorted(
            (secrecy.receipt_hash(secrecy.new_receipt()), str(heading_id))
            for heading_id, _picked in opened
        )
        self.loader.copy(
            CountedReceipt,
            ((box.pk, scope, digest) for digest, scope in receipts),
            columns=["box_id", "scope", "receipt_hash"],
        )
        return len(opened), len(choices)

    def choose(self, projects, amount, count):
        """`count` knapsack ballots over `projects`: a few projects each, the popular ones more
        often, never over `amount`; each in ballot order, as the form sends it."""
        rnd = self.random
        popularity = list(itertools.accumulate(rnd.paretovariate(1.2) for _ in projects))
        order = {p.pk: i for i, p in enumerate(projects)}
        cheapest = min(projects, key=lambda p: p.cost) if projects else None
        for _ in range(count):
            size = rnd.choice((1, 2, 3, 3, 4, 5, 6))
            wanted = rnd.choices(projects, cum_weights=popularity, k=size)
            picked, spent = {}, Decimal(0)
            for project in wanted:
                if project.pk not in picked and spent + project.cost <= amount:
                    picked[project.pk] = project
                    spent += project.cost
            if not picked:
                picked[cheapest.pk] = cheapest
            yield sorted(picked, key=order.__getitem__)

    def count(self, budget, published_at):
        """Each heading counted by the budget's rule, and the result published."""
        results = []
        for heading in budget.headings.order_by("sort_order"):
            result, _data = tallying.compute(heading, budget.rule)
            BudgetResult.objects.filter(pk=result.pk).update(published_at=published_at)
            results.append(result)
        return results

    def seed(self):
        if self.sizes.budget_projects == 0:
            self.say("no budget_projects: participatory budgets not seeded")
            return None
        finished = self.budget(
            "city-budget-results",
            "[결과 공개] 2026 주민참여예산",
            "주민이 제안하고 투표로 정한 예산입니다. 투표를 마치고 결과를 공개했습니다.",
            [
                ("information", -280, -260),
                ("accepting_projects", -260, -240),
                ("review", -240, -205),
                ("balloting", -200, -170),
                ("reviewing_ballots", -170, -160),
                ("finished", -160, None),
            ],
        )
        phase = next(p for p in finished.phases.all() if p.kind == "balloting")
        voters = self.eligible_voters(finished, timezone.localdate(phase.start))
        projects = self.projects(finished, self.now - datetime.timedelta(days=210), voters[:1000])
        ballots, choices = self.ballots(finished, phase, voters)
        results = self.count(finished, self.now - datetime.timedelta(days=160))
        funded = sum(len(r.selected) for r in results)
        self.say(
            f"finished budget {finished.pk}: {len(projects)} projects, {ballots} ballots "
            f"({choices} choices), {funded} projects funded, results published"
        )
        balloting = self.budget(
            "city-budget-ballot",
            "[투표 중] 2027 주민참여예산",
            "분야 예산 안에서 원하는 사업을 고르십시오. 한 사람이 분야마다 한 번 투표합니다.",
            [
                ("information", -60, -45),
                ("accepting_projects", -45, -30),
                ("review", -30, -10),
                ("balloting", -5, 25),
            ],
        )
        projects = self.projects(balloting, self.now - datetime.timedelta(days=15), voters[:1000])
        self.say(f"budget in balloting {balloting.pk}: {len(projects)} projects on its ballot")
        return {"finished": finished.pk, "balloting": balloting.pk}


def seed(city, sizes, loader, stdout):
    """home/scale.py's extension point: the budgets of a city at `sizes`; returns their ids."""
    return BudgetSeeder(city, sizes, loader, stdout).seed()
