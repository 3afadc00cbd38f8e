"""A municipality at the size of a real city, written in bulk for the load test (bench/).

`seed_scale` adds to an existing municipality's site (the demo's 창원 by default) what a
city of a million residents accumulates: citizens, proposals with their supports,
debates and comments, a closed poll with its ballots and an open one to vote in. Going
through `add_child` and the models' own methods would take most of an hour (each
`add_child` under 20,000 siblings costs up to 270 ms), so rows are written in bulk: pages
with their materialized paths computed here, rows with COPY on PostgreSQL (batched
INSERTs elsewhere). Everything the running site relies on is kept consistent:

- the page tree (treebeard path, depth, numchild, url_path) passes `Page.find_problems()`;
- every page has a live revision holding its content, as if it had been published;
- counters equal rows: a proposal's `support_count`, a debate's `comment_count` and
  `last_comment_at`, a comment's `reply_count` and `thread_reply_count`;
- citizens have a verified primary email (allauth), so they may support, comment and vote;
- the pages are in the search index (Wagtail's database backend, used by the admin).

Participatory budgets join through one extension point: when `budgeting.scale` exists
it must offer `check(sizes)`, called before anything is written (ValueError for sizes it
cannot make), and `seed(city, sizes, loader, stdout)`, called after polls with the sizes
`budget_projects` and `budget_ballots`, whose return value (ids, for the load test) is kept
as `city.budget` (see `BUDGET_SEEDER`).
"""

import hashlib
import importlib
import importlib.util
import random
import uuid
from dataclasses import dataclass, fields
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from modelcluster.models import get_all_child_relations, get_serializable_data_for_fields
from wagtail.models import Page, Revision, Site

from cms.models import MunicipalitySettings, User
from participation.models import (
    Comment,
    DebateIndexPage,
    DebatePage,
    ProposalEvent,
    ProposalIndexPage,
    ProposalPage,
    Support,
)
from voting.ballots import online_tally
from voting.models import (
    Answer,
    Ballot,
    BallotBox,
    Participation,
    PollIndexPage,
    PollOption,
    PollPage,
    PollQuestion,
    VoterVerification,
)

BUDGET_SEEDER = "budgeting.scale"
PASSWORD = "scale-pass-2026"  # noqa: S105 (every seeded citizen's, like the demo's)
EMAIL_DOMAIN = "scale.example.kr"


@dataclass
class Sizes:
    """How big the city is. The defaults are issue 10's measured city."""

    users: int = 100_000
    proposals: int = 20_000
    supports: int = 1_000_000
    hot_supports: int = 50_000  # on one proposal, which keeps collecting
    comments: int = 500_000
    hot_comments: int = 5_000  # on that same proposal
    debates: int = 200
    big_debate_comments: int = 20_000  # on one debate
    poll_ballots: int = 100_000  # a closed poll with two questions
    budget_projects: int = 200
    budget_ballots: int = 100_000

    def check(self):
        if self.hot_supports > self.users:
            raise ValueError("hot_supports cannot exceed users (one support per person).")
        if self.poll_ballots > self.users:
            raise ValueError("poll_ballots cannot exceed users (one vote per person).")
        if self.hot_supports > self.supports:
            raise ValueError("hot_supports cannot exceed supports.")
        if self.hot_comments + self.big_debate_comments > self.comments:
            raise ValueError("comments must cover hot_comments and big_debate_comments.")
        if self.proposals < 1 or self.debates < 1 or self.users < 1:
            raise ValueError("At least one user, proposal and debate.")
        per_proposal = self.users
        if self.supports - self.hot_supports > per_proposal * max(1, self.proposals - 1):
            raise ValueError("Too many supports for so few users and proposals.")


@dataclass
class City:
    """What the seed wrote, for the load test and the checks."""

    site: Site
    proposal_index: ProposalIndexPage
    debate_index: DebateIndexPage
    poll_index: PollIndexPage
    hot_proposal_id: int
    big_debate_id: int
    closed_poll_id: int
    open_poll_id: int
    first_user_id: int
    user_count: int
    budget: dict | None = None  # what budgeting.scale made (its `seed` returns it)


class Loader:
    """Bulk writes: ids reserved from the table's sequence, rows streamed with COPY."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def reserve_ids(self, model, count):
        """`count` fresh primary keys of `model`'s table, never handed out again."""
        if count == 0:
            return []
        table = model._meta.db_table
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite hands out max(id) + 1, so ids above the current maximum are free.
            # Names come from the model's own metadata, never from input.
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def copy(self, model, rows, columns=None, prepared=False):
        """Write tuples into `model`'s own table; `columns` are attnames (default: all local).

        Values are Python values, or already database values when `prepared`.
        """
        model_fields = model._meta.local_concrete_fields
        if columns is not None:
            by_name = {f.attname: f for f in model_fields}
            model_fields = [by_name[name] for name in columns]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            marks = ", ".join(["%s"] * len(model_fields))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in rows:
                if not prepared:
                    row = [
                        f.get_db_prep_save(v, connection)
                        for f, v in zip(model_fields, row, strict=True)
                    ]
                batch.append(row)
                if len(batch) == 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def write_objects(self, objs):
        """Write unsaved instances (primary keys already set) table by table, parents first.

        Multi-table models (pages) get one row in each table of their chain, as `save()`
        would, but without its per-row signals.
        """
        if not objs:
            return
        model = type(objs[0])
        chain = [*reversed(model._meta.get_parent_list()), model]
        for table_model in chain:
            model_fields = table_model._meta.local_concrete_fields
            rows = (
                tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in model_fields)
                for obj in objs
            )
            self.copy(table_model, rows, prepared=True)

    def add_pages(self, parent, model, count, build, now, slug):
        """`count` live children of `parent` built by `build(i, page_id)`, with revisions.

        Written straight into the tree after the parent's last child: paths, depth,
        url_path and the parent's numchild as `add_child` would leave them, and a live
        revision each, as if published at the page's `first_published_at` (else `now`).
        A page keeps the slug `build` gave it, else gets `slug(i)`.
        """
        if count == 0:
            return []
        parent = Page.objects.get(pk=parent.pk)
        last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).aggregate(
            last=Max("path")
        )["last"]
        start = Page._str2int(last[-Page.steplen :]) + 1 if last else 1
        page_ids = self.reserve_ids(Page, count)
        revision_ids = self.reserve_ids(Revision, count)
        content_type = ContentType.objects.get_for_model(model)
        base_type = ContentType.objects.get_for_model(Page)
        pages, revisions = [], []
        for i, (page_id, revision_id) in enumerate(zip(page_ids, revision_ids, strict=True)):
            page = build(i, page_id)
            published = page.first_published_at or now
            page_slug = page.slug or slug(i)
            page.id = page.page_ptr_id = page_id
            page.path = Page._get_path(parent.path, parent.depth + 1, start + i)
            page.depth = parent.depth + 1
            page.numchild = 0
            page.slug = page_slug
            page.url_path = f"{parent.url_path}{page_slug}/"
            page.draft_title = page.title
            page.locale_id = parent.locale_id
            page.translation_key = uuid.uuid4()
            page.content_type_id = content_type.pk
            page.live = True
            page.has_unpublished_changes = False
            page.first_published_at = page.last_published_at = published
            page.latest_revision_created_at = published
            page.latest_revision_id = page.live_revision_id = revision_id
            pages.append(page)
            revisions.append(
                Revision(
                    id=revision_id,
                    content_type_id=content_type.pk,
                    base_content_type_id=base_type.pk,
                    object_id=str(page_id),
                    created_at=published,
                    user_id=page.owner_id,
                    object_str=page.title,
                    content=_revision_content(page),
                )
            )
        self.write_objects(pages)
        self.write_objects(revisions)
        Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + count)
        return pages


def _revision_content(page):
    """What `page.serializable_data()` holds for a new page, without a query per child relation."""
    content = get_serializable_data_for_fields(page)
    for relation in get_all_child_relations(page):
        content[relation.get_accessor_name()] = []
    return content


def _budget_seeder():
    if importlib.util.find_spec(BUDGET_SEEDER) is None:
        return None
    return importlib.import_module(BUDGET_SEEDER)


def _stable_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _spread(total, weights):
    """Split `total` into integers proportional to `weights` that add up exactly."""
    weight_sum = sum(weights) or 1
    shares = [total * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    remainder = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[:remainder]:
        counts[i] += 1
    return counts


class CitySeeder:
    def __init__(self, site, sizes, stdout, seed=2026):
        sizes.check()
        budgets = _budget_seeder()
        if budgets is not None:
            budgets.check(sizes)
        self.site = site
        self.sizes = sizes
        self.out = stdout
        self.random = random.Random(seed)
        self.loader = Loader()
        self.now = timezone.now()
        self.tag = uuid.uuid4().hex[:6]  # keeps slugs and emails unique if run twice

    def say(self, message):
        self.out.write(f"[{timezone.now():%H:%M:%S}] {message}")

    # The pieces ----------------------------------------------------------------------

    def users(self):
        n = self.sizes.users
        ids = self.loader.reserve_ids(User, n)
        password = make_password(PASSWORD)
        joined = self.now - timedelta(days=400)
        objs = [
            User(
                id=pk,
                email=f"citizen-{self.tag}-{i}@{EMAIL_DOMAIN}",
                display_name=f"시민{self.tag}{i}",
                password=password,
                is_active=True,
                date_joined=joined,
            )
            for i, pk in enumerate(ids)
        ]
        self.loader.write_objects(objs)
        self.loader.copy(
            EmailAddress,
            ((pk, objs[i].email, True, True) for i, pk in enumerate(ids)),
            columns=["user_id", "email", "verified", "primary"],
        )
        # Verified residents of the city, as the census check leaves them (supports and votes
        # are for residents by default).
        self.loader.copy(
            VoterVerification,
            (
                (
                    pk,
                    self.site.pk,
                    _stable_hash(f"{self.tag}-{i}"),
                    date(1980, 1, 1) + timedelta(days=i % 15000),
                    "",
                    "census",
                    joined,
                )
                for i, pk in enumerate(ids)
            ),
            columns=[
                "user_id",
                "site_id",
                "identity_hash",
                "birth_date",
                "district",
                "method",
                "verified_at",
            ],
        )
        self.user_ids = ids
        self.say(f"{n} citizens, verified residents (password {PASSWORD})")

    def _new_pages(self, parent, model, count, build):
        return self.loader.add_pages(
            parent, model, count, build, self.now, slug=lambda i: f"{self.tag}-{i + 1}"
        )

    def proposals(self, index):
        s = self.sizes
        municipality = MunicipalitySettings.for_site(self.site)
        threshold = municipality.support_threshold
        window = timedelta(days=municipality.support_window_days)
        # Supports: one hot proposal, the rest spread unevenly (most far below the threshold,
        # a tenth above it and gone to committee review).
        weights = [
            self.random.uniform(0, 1) if self.random.random() < 0.9 else self.random.uniform(2, 8)
            for _ in range(s.proposals - 1)
        ]
        counts = [s.hot_supports, *_spread(s.supports - s.hot_supports, weights)]
        counts[1:] = [min(c, s.users) for c in counts[1:]]
        shortfall = s.supports - sum(counts)
        for i in range(1, len(counts)):
            if shortfall <= 0:
                break
            room = s.users - counts[i]
            add = min(room, shortfall)
            counts[i] += add
            shortfall -= add
        topics = list(self.site_topics())
        areas = list(self.site_areas())
        stages = []
        for i, count in enumerate(counts):
            if i == 0:
                stages.append(ProposalPage.Stage.COLLECTING)
            elif count >= threshold:
                stages.append(
                    self.random.choice(
                        [
                            ProposalPage.Stage.REVIEW,
                            ProposalPage.Stage.ADOPTED,
                            ProposalPage.Stage.REJECTED_BY_COMMITTEE,
                        ]
                    )
                )
            else:
                stages.append(
                    ProposalPage.Stage.COLLECTING
                    if self.random.random() < 0.7
                    else ProposalPage.Stage.LAPSED
                )

        def build(i, page_id):
            stage = stages[i]
            published = self.now - timedelta(minutes=37 * (s.proposals - i))
            if stage == ProposalPage.Stage.COLLECTING:
                published = max(published, self.now - window + timedelta(days=1))
            author = self.user_ids[(i * 7) % len(self.user_ids)]
            hot = i == 0
            title = f"{'[공감 많은 제안] ' if hot else ''}제안 {i + 1}: 우리 동네 {_TOPICS[i % 7]}"
            proposal = ProposalPage(
                title=title,
                summary=f"{_TOPICS[i % 7]}을(를) 위한 시민 제안입니다. 번호 {i + 1}.",
                body=f"<p>{_TOPICS[i % 7]} 문제를 해결하기 위한 구체적인 제안입니다.</p>",
                topic_id=topics[i % len(topics)] if topics else None,
                area_id=areas[i % len(areas)] if areas else None,
                author_id=author,
                owner_id=author,
                stage=stage,
                support_count=counts[i],
                # The hot proposal keeps collecting: its threshold is out of reach.
                support_threshold=max(threshold, 2 * s.supports) if hot else threshold,
                submitted_at=published - timedelta(days=1),
                published_at=published,
                support_deadline=published + window,
                first_published_at=published,
            )
            if stage in (ProposalPage.Stage.REVIEW, *ProposalPage.DECIDED_STAGES):
                proposal.threshold_reached_at = published + timedelta(days=3)
            if stage in ProposalPage.DECIDED_STAGES:
                proposal.answer = "위원회가 검토하여 답변합니다."
                proposal.answered_at = published + timedelta(days=20)
                proposal.closed_at = proposal.answered_at
            if stage == ProposalPage.Stage.LAPSED:
                proposal.support_deadline = min(proposal.support_deadline, self.now)
                proposal.closed_at = proposal.support_deadline
            return proposal

        pages = self._new_pages(index, ProposalPage, s.proposals, build)
        self.proposal_ids = [p.pk for p in pages]
        self.say(f"{len(pages)} proposals under {index.url_path}")

        events = []
        for p in pages:
            events.append((p.pk, ProposalEvent.Kind.SUBMITTED, p.author_id, p.submitted_at))
            events.append((p.pk, ProposalEvent.Kind.PUBLISHED, None, p.published_at))
            if p.threshold_reached_at:
                events.append(
                    (p.pk, ProposalEvent.Kind.THRESHOLD_REACHED, None, p.threshold_reached_at)
                )
                events.append(
                    (p.pk, ProposalEvent.Kind.REVIEW_STARTED, None, p.threshold_reached_at)
                )
            if p.answered_at:
                events.append((p.pk, ProposalEvent.Kind.ANSWERED, None, p.answered_at))
            if p.stage == ProposalPage.Stage.LAPSED:
                events.append((p.pk, ProposalEvent.Kind.LAPSED, None, p.closed_at))
        self.loader.copy(
            ProposalEvent,
            ((pk, kind, actor, "", True, None, when) for pk, kind, actor, when in events),
            columns=[
                "proposal_id",
                "kind",
                "actor_id",
                "note",
                "public",
                "implementation_update_id",
                "created_at",
            ],
        )

        users = self.user_ids
        user_count = len(users)

        def support_rows():
            for i, (page, count) in enumerate(zip(pages, counts, strict=True)):
                offset = (i * 7919) % user_count
                when = page.published_at
                for k in range(count):
                    yield (page.pk, users[(offset + k) % user_count], when)

        written = self.loader.copy(
            Support, support_rows(), columns=["proposal_id", "user_id", "created_at"]
        )
        self.say(f"{written} supports ({counts[0]} on the hot proposal {pages[0].pk})")
        return pages

    def debates(self, index):
        s = self.sizes

        def build(i, page_id):
            opened = self.now - timedelta(days=2 * (s.debates - i) + 1)
            author = self.user_ids[(i * 13) % len(self.user_ids)]
            big = i == 0
            return DebatePage(
                title=f"{'[뜨거운 토론] ' if big else ''}토론 {i + 1}: {_TOPICS[i % 7]}, 어떻게 할까요?",
                summary=f"{_TOPICS[i % 7]}에 대한 시민 토론입니다.",
                official=big,
                ask_position=True,
                opens_at=opened,
                author_id=author,
                owner_id=author,
                first_published_at=opened,
            )

        pages = self._new_pages(index, DebatePage, s.debates, build)
        self.say(f"{len(pages)} debates under {index.url_path}")
        return pages

    def comments(self, proposals, debates):
        """Threads on every proposal and debate, their counters computed as they are written."""
        s = self.sizes
        rest = s.comments - s.hot_comments - s.big_debate_comments
        others = [*proposals[1:], *debates[1:]]
        per_page = _spread(rest, [1] * len(others)) if others else []
        if not others:
            # Nowhere else to put them: they go to the big debate.
            per_page, others = [], []
            big = s.big_debate_comments + rest
        else:
            big = s.big_debate_comments
        plan = [
            (proposals[0], s.hot_comments),
            (debates[0], big),
            *zip(others, per_page, strict=True),
        ]
        ids = iter(self.loader.reserve_ids(Comment, s.comments))
        users = self.user_ids
        debate_counts = {}
        rnd = self.random
        positions = ["for", "against", "neutral"]

        def rows():
            for page, count in plan:
                if count == 0:
                    continue
                start = page.first_published_at
                span = max((self.now - start).total_seconds(), 60)
                step = span / (count + 1)
                made = []  # [id, parent, root, depth, created, author, position]
                top = []
                depth_one = []
                for k in range(count):
                    created = start + timedelta(seconds=step * (k + 1))
                    pk = next(ids)
                    author = users[rnd.randrange(len(users))]
                    roll = rnd.random()
                    if not top or roll < 0.7:
                        row = [pk, None, None, 0, created, author, rnd.choice(positions)]
                        top.append(len(made))
                    elif roll < 0.9 or not depth_one:
                        parent = made[top[rnd.randrange(len(top))]]
                        row = [pk, parent[0], parent[0], 1, created, author, ""]
                        depth_one.append(len(made))
                    else:
                        parent = made[depth_one[rnd.randrange(len(depth_one))]]
                        row = [pk, parent[0], parent[2], 2, created, author, ""]
                    made.append(row)
                replies, thread = {}, {}
                for row in made:
                    if row[1] is not None:
                        replies[row[1]] = replies.get(row[1], 0) + 1
                        thread[row[2]] = thread.get(row[2], 0) + 1
                if isinstance(page, DebatePage):
                    debate_counts[page.pk] = (count, made[-1][4])
                for pk, parent, root, depth, created, author, position in made:
                    yield (
                        pk, page.pk, parent, root, depth, author, position,
                        f"<p>의견 {pk}: 좋은 방향이라고 생각합니다.</p>", created, None, None,
                        False, 0, 0, 0, replies.get(pk, 0), thread.get(pk, 0),
                    )  # fmt: skip

        written = self.loader.copy(
            Comment,
            rows(),
            columns=[
                "id", "page_id", "parent_id", "root_id", "depth", "author_id", "position",
                "body", "created_at", "edited_at", "deleted_at", "hidden", "up_count",
                "down_count", "score", "reply_count", "thread_reply_count",
            ],
        )  # fmt: skip
        for pk, (count, last) in debate_counts.items():
            DebatePage.objects.filter(pk=pk).update(comment_count=count, last_comment_at=last)
        self.say(f"{written} comments ({s.big_debate_comments} on the debate {debates[0].pk})")

    def polls(self, index):
        s = self.sizes
        closed = PollPage(
            title="[결과 공개] 시청 광장 활용 방안 주민투표",
            opens_at=self.now - timedelta(days=40),
            closes_at=self.now - timedelta(days=10),
            residents_only=False,
            eligible_population=800_000,
        )
        opened = PollPage(
            title="[진행 중] 공공자전거 확대 여부 주민투표",
            opens_at=self.now - timedelta(days=1),
            closes_at=self.now + timedelta(days=60),
            residents_only=False,
        )
        for poll in (closed, opened):
            poll.slug = f"{self.tag}-{'closed' if poll is closed else 'open'}"
            index.add_child(instance=poll)
        for poll, questions in ((closed, _CLOSED_QUESTIONS), (opened, _OPEN_QUESTIONS)):
            for order, (text, kind, max_choices, options) in enumerate(questions):
                question = PollQuestion.objects.create(
                    poll=poll, text=text, kind=kind, max_choices=max_choices, sort_order=order
                )
                PollOption.objects.bulk_create(
                    PollOption(question=question, text=option, sort_order=n)
                    for n, option in enumerate(options)
                )
            poll.save_revision().publish()
        q1, q2 = PollQuestion.objects.filter(poll=closed).order_by("sort_order")
        q1_options = list(q1.options.order_by("sort_order"))
        q2_options = list(q2.options.order_by("sort_order"))

        n = s.poll_ballots
        self.loader.copy(
            Participation,
            ((closed.pk, "", self.user_ids[i], closed.opens_at.date()) for i in range(n)),
            columns=["contest_id", "scope", "user_id", "voted_on"],
        )
        rnd = self.random
        ballots, answers = [], []
        for _ in range(n):
            # As the opening stores them: random ids, no user, no receipt, no date.
            ballot = uuid.UUID(int=rnd.getrandbits(128), version=4)
            ballots.append((ballot, closed.pk, "online"))
            pick = q1_options[min(int(rnd.expovariate(1.2)), len(q1_options) - 1)]
            answers.append(
                (uuid.UUID(int=rnd.getrandbits(128), version=4), ballot, q1.pk, pick.pk, None)
            )
            for option in rnd.sample(q2_options, rnd.choice([1, 2, 2])):
                answers.append(
                    (uuid.UUID(int=rnd.getrandbits(128), version=4), ballot, q2.pk, option.pk, None)
                )
        self.loader.copy(Ballot, iter(ballots), columns=["id", "poll_id", "channel"])
        self.loader.copy(
            Answer, iter(answers), columns=["id", "ballot_id", "question_id", "option_id", "rank"]
        )
        # The box was opened at the close: its tally is stored once, as the opening does.
        BallotBox.objects.create(
            contest=closed,
            public_key=b"",
            wrapped_private_key=b"",
            opened_on=closed.closes_at.date(),
            opened_envelopes=n,
            results=online_tally(closed, None),
        )
        self.say(
            f"closed poll {closed.pk}: {n} ballots, {len(answers)} answers; open poll {opened.pk}"
        )
        return closed, opened

    def site_topics(self):
        from participation.models import Topic

        return (
            Topic.objects.filter(site=self.site).order_by("sort_order").values_list("pk", flat=True)
        )

    def site_areas(self):
        from participation.models import Area

        return (
            Area.objects.filter(site=self.site).order_by("sort_order").values_list("pk", flat=True)
        )

    def search_index(self, pages):
        """What `update_index` would write for these pages, in one bulk call per type."""
        from wagtail.search.backends import get_search_backend

        backend = get_search_backend()
        by_model = {}
        for page in pages:
            by_model.setdefault(type(page), []).append(page.pk)
        for model, pks in by_model.items():
            for start in range(0, len(pks), 2000):
                chunk = list(model.objects.filter(pk__in=pks[start : start + 2000]))
                backend.add_bulk(model, chunk)
        self.say(f"search index: {len(pages)} pages")

    def seed(self, search_index=True):
        root = self.site.root_page
        proposal_index = ProposalIndexPage.objects.descendant_of(root).first()
        debate_index = DebateIndexPage.objects.descendant_of(root).first()
        poll_index = PollIndexPage.objects.descendant_of(root).first()
        if not (proposal_index and debate_index and poll_index):
            raise ValueError(
                f"{self.site} needs a proposals, a debates and a polls index (run seed_demo)."
            )
        with transaction.atomic():
            self.users()
            proposals = self.proposals(proposal_index)
            debates = self.debates(debate_index)
            self.comments(proposals, debates)
            closed, opened = self.polls(poll_index)
            city = City(
                site=self.site,
                proposal_index=proposal_index,
                debate_index=debate_index,
                poll_index=poll_index,
                hot_proposal_id=proposals[0].pk,
                big_debate_id=debates[0].pk,
                closed_poll_id=closed.pk,
                open_poll_id=opened.pk,
                first_user_id=self.user_ids[0],
                user_count=len(self.user_ids),
            )
            budgets = _budget_seeder()
            if budgets is not None:
                city.budget = budgets.seed(city, self.sizes, self.loader, self.out)
            else:
                self.say("no budgeting.scale yet: participatory budget not seeded")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if search_index:
            self.search_index([*proposals, *debates])
        return city


def size_fields():
    return [f.name for f in fields(Sizes)]


_TOPICS = ["교통", "환경", "복지", "안전", "문화", "교육", "주거"]
_CLOSED_QUESTIONS = [
    (
        "광장을 어떻게 쓰면 좋을까요?",
        "single",
        None,
        ["시민 휴식 공간", "문화 행사장", "주차장", "녹지 공원", "현재대로 유지"],
    ),
    (
        "함께 열었으면 하는 행사를 두 가지까지 고르세요.",
        "multiple",
        2,
        ["야시장", "음악회", "벼룩시장", "영화 상영", "어린이 축제"],
    ),
]
_OPEN_QUESTIONS = [("공공자전거를 늘릴까요?", "single", None, ["찬성", "반대"])]
