"""Fault drills: the real stack under load, one fault at a time, every row and mail counted.

Starts what bench/loadtest.py starts (gunicorn with the production settings, an RQ worker)
against the seeded city in DATABASE_URL, but with a redis-server of its own on a free port
(so that it may stop it) and mail delivered into a directory (bench/mailbox.py), and runs,
each under a background read and write load from wrk:

- redis: Redis stopped for 30 s while citizens comment on a proposal (its author is owed a
  mail per comment). Pages keep serving; after Redis returns the sweeper (what `make cron`
  runs every minute) queues the outbox again and every mail owed arrives once.
- postgres: every connection of the app's database cut (`pg_terminate_backend`) every two
  seconds under supports, comments and poll votes. Afterwards nothing is half-written (every
  counter equals its rows, every vote has its envelope, every comment its notification and
  mail) and what failed got the database's 503 page, not a generic error.
- worker: an RQ worker killed (SIGKILL, with its work horse) in the middle of sending a batch
  of mails; a new worker and the sweeper deliver every mail exactly once.
- burst: 500 citizens support one proposal at the same moment, 500 vote in one poll, 500 cast
  a ballot in one participatory budget: rows equal successes, counters equal rows.

Each check is a plain function of counts or rows (`exactly_once`, `count_check`), so the test
suite shows it catches a lost and a duplicated row (tests/drills/test_drill_checks.py). Each
drill prints PASS or FAIL with its numbers; the run appends a "Fault drills" section to
bench/RESULTS.md and exits non-zero on any FAIL.

Run: `make drills` (or `python bench/drills.py --only redis,burst`).
"""

import argparse
import datetime
import http.client
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import loadtest  # noqa: E402
from bench.mailbox import read as read_mailbox  # noqa: E402

CITY = loadtest.CITY
DRILLS = ("redis", "postgres", "worker", "burst")
# A drill's stack gives up a dead worker's claim on a mail after this many seconds (the
# default, 300, would make the worker drill wait five minutes); it must stay above the
# mail job's timeout (cms.mail.JOB_TIMEOUT, 60 s).
LEASE_SECONDS = 75
# Seconds of background load in the worker and burst drills (the others: their fault's, plus a
# few seconds before and after).
WORKER_LOAD = LEASE_SECONDS + 40
BURST_LOAD = 90


def redis_load(args):
    return args.outage + 10


def cut_load(args):
    return args.cut + 6


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", help=f"comma-separated drills to run (default: {','.join(DRILLS)})"
    )
    parser.add_argument(
        "--port", type=int, default=8091, help="gunicorn's port (not the load test's)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--outage", type=int, default=30, help="seconds Redis stays stopped")
    parser.add_argument("--cut", type=int, default=40, help="seconds of cutting connections")
    parser.add_argument("--cut-every", type=float, default=2.0, help="seconds between cuts")
    parser.add_argument("--batch", type=int, default=300, help="mails in the worker drill's batch")
    parser.add_argument("--burst", type=int, default=500, help="concurrent citizens per burst")
    parser.add_argument(
        "--citizens-per-load", type=int, default=1000, help="signed-in citizens per wrk write load"
    )
    parser.add_argument("--read-connections", type=int, default=4)
    parser.add_argument("--write-connections", type=int, default=2, help="per write kind")
    parser.add_argument("--seed", action="store_true", help="run seed_scale if no city is seeded")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    return parser.parse_args(argv)


# Checks: plain functions of what was counted ---------------------------------------------


def exactly_once(expected, found):
    """(lost, duplicated): Counters of the keys owed but not found, and found more than owed.

    `expected` and `found` are iterables of keys: the citizens whose request succeeded and the
    citizens who have a row; the comments that owe a mail and the comments mailed about.
    A key found but never owed (a row without a success) counts as duplicated.
    """
    expected, found = Counter(expected), Counter(found)
    return expected - found, found - expected


def count_check(ok, rows_added, attempted):
    """(lost, duplicated) where only totals are known (wrk does not say which request was whose).

    Every success must have added a row; rows may exceed the successes only by requests that
    did not answer a success but committed (in flight when wrk stopped, or cut after their
    commit): never more rows than requests `attempted` (sent, minus those refused).
    """
    return max(0, ok - rows_added), max(0, rows_added - attempted)


def mismatch_total(mismatches):
    return sum(mismatches.values())


# The city's rows --------------------------------------------------------------------------


def comments_owing_mail(proposal, after_pk):
    """Comments on the proposal since `after_pk` by someone other than its author: each owes
    its author a notification, and a mail if the author takes mail."""
    from participation.models import Comment

    return list(
        Comment.objects.filter(page_id=proposal.pk, pk__gt=after_pk, parent=None)
        .exclude(author_id=proposal.author_id)
        .values_list("pk", flat=True)
    )


def comments_told(comment_ids):
    """The comments (of `comment_ids`) that have their notification row."""
    from django.contrib.contenttypes.models import ContentType

    from participation.models import Comment, Notification

    return list(
        Notification.objects.filter(
            kind="comment",
            content_type=ContentType.objects.get_for_model(Comment),
            object_id__in=comment_ids,
        ).values_list("object_id", flat=True)
    )


COMMENT_LINK = re.compile(r"#comment-(\d+)")


def mailed_comments(directory, comment_ids):
    """The comment of every mail delivered about one of `comment_ids` (one entry per mail)."""
    wanted = set(comment_ids)
    found = []
    for message in read_mailbox(directory):
        body = message.get_body(preferencelist=("plain",)).get_content()
        for pk in {int(pk) for pk in COMMENT_LINK.findall(body)}:
            if pk in wanted:
                found.append(pk)
    return found


def mailed_addresses(directory, token):
    """The recipient of every mail delivered whose text carries `token` (one entry per mail)."""
    found = []
    for message in read_mailbox(directory):
        if token in message.get_body(preferencelist=("plain",)).get_content():
            found += [str(address) for address in message.get_all("to", [])]
    return found


def supporters(proposal_id, user_ids):
    from participation.models import Support

    return list(
        Support.objects.filter(proposal_id=proposal_id, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )


def supports_by(proposal_ids, user_ids):
    from participation.models import Support

    return Support.objects.filter(proposal_id__in=proposal_ids, user_id__in=user_ids).count()


def voters(contest_id, user_ids, scope=None):
    from voting.models import Participation

    rows = Participation.objects.filter(contest_id=contest_id, user_id__in=user_ids)
    if scope is not None:
        rows = rows.filter(scope=scope)
    return list(rows.values_list("user_id", flat=True))


def envelopes(contest_id, scope=None):
    from voting.models import SealedEnvelope

    rows = SealedEnvelope.objects.filter(box__contest_id=contest_id)
    if scope is not None:
        rows = rows.filter(scope=scope)
    return rows.count()


def comments_by(page_id, user_ids):
    from participation.models import Comment

    return Comment.objects.filter(page_id=page_id, author_id__in=user_ids).count()


# The stack --------------------------------------------------------------------------------


def free_port(start=6420):
    for port in range(start, start + 200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit("no free port for the drills' redis-server")


class RedisServer:
    """A redis-server of the drills' own, without persistence: stopping it loses its queues."""

    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        sys.exit("the drills' redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Citizen:
    user_id: int
    session: str
    token: str


@dataclass
class Check:
    name: str
    passed: bool
    numbers: str


@dataclass
class Result:
    name: str
    did: str
    checks: list = field(default_factory=list)

    @property
    def passed(self):
        return all(check.passed is not False for check in self.checks)

    def check(self, name, lost_duplicated, numbers=""):
        lost, duplicated = lost_duplicated
        lost = sum(lost.values()) if isinstance(lost, Counter) else lost
        duplicated = sum(duplicated.values()) if isinstance(duplicated, Counter) else duplicated
        text = f"lost {lost}, duplicated {duplicated}" + (f"; {numbers}" if numbers else "")
        self.checks.append(Check(name, not lost and not duplicated, text))

    def expect(self, name, passed, numbers):
        self.checks.append(Check(name, bool(passed), numbers))

    def note(self, name, numbers):
        """What was seen but is not a check (passed is None)."""
        self.checks.append(Check(name, None, numbers))


class Drills:
    """The stack, the citizens and the targets the four drills share."""

    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.mailbox = workdir / "mailbox"
        self.mailbox.mkdir()
        self.redis = RedisServer(workdir)
        self.env = loadtest.server_env(args, workdir)
        self.env.update(
            REDIS_URL=self.redis.url,
            EMAIL_BACKEND="bench.mailbox.DirectoryBackend",
            EMAIL_FILE_PATH=str(self.mailbox),
            OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        )
        self.log = None
        self.gunicorn = self.worker = None
        self.citizens = []

    # The stack

    def start(self):
        self.gunicorn, self.worker = loadtest.start_stack(self.args, self.env, self.workdir)
        self.log = open(self.workdir / "worker.log", "a")

    def stop(self):
        processes = [p for p in (self.gunicorn, self.worker) if p is not None]
        loadtest.stop(*processes)
        self.redis.stop()

    def new_worker(self):
        self.worker = loadtest.start_worker(self.env, self.log)
        return self.worker

    def kill_worker(self):
        """SIGKILL the worker's work horse and the worker, as a crash would."""
        for pid in loadtest.children(self.worker.pid):
            os.kill(pid, signal.SIGKILL)
        self.worker.kill()
        self.worker.wait(timeout=10)

    def manage(self, *command):
        return subprocess.run(
            [loadtest.PYTHON, "manage.py", *command],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    def sweep(self):
        """The mail sweeper, as `make cron` runs it every minute (here: whatever waits)."""
        return self.manage("send_pending_mail", "--stale", "0")

    def mail_settled(self, since, timeout=LEASE_SECONDS + 90):
        """Wait until no mail written since `since` is pending or being sent; the sweeper runs
        at once and every 20 s meanwhile (a dead worker's claim expires after LEASE_SECONDS)."""
        from django.db import connections

        from cms.models import OutboxMail

        waiting = OutboxMail.objects.filter(
            created_at__gte=since,
            status__in=[OutboxMail.Status.PENDING, OutboxMail.Status.SENDING],
        )
        deadline = time.monotonic() + timeout
        last_sweep = -math.inf
        while True:
            connections.close_all()
            left = waiting.count()
            if left == 0 or time.monotonic() > deadline:
                return left
            if time.monotonic() - last_sweep > 20:
                self.sweep()
                last_sweep = time.monotonic()
            time.sleep(3)

    # Citizens and targets

    def prepare(self, count):
        path, ids = loadtest.make_sessions(count, self.workdir)
        for user_id, line in zip(ids, path.read_text().split("\n"), strict=False):
            session, token = line.split()
            self.citizens.append(Citizen(user_id, session, token))
        self.hot, self.spread, _debate, self.poll = loadtest.write_targets()

    def take(self, count):
        taken, self.citizens = self.citizens[:count], self.citizens[count:]
        if len(taken) < count:
            sys.exit("not enough prepared citizens")
        return taken

    def sessions_file(self, name, citizens):
        path = self.workdir / f"{name}-sessions.txt"
        path.write_text("".join(f"{c.session} {c.token}\n" for c in citizens))
        return path

    def path_of(self, page):
        return page.url_path.removeprefix("/changwon")

    # Loads

    def reads(self, duration, path=None):
        return loadtest.start_wrk(
            f"http://127.0.0.1:{self.args.port}{path or self.path_of(self.hot)}",
            self.args.read_connections,
            duration,
            headers=[f"Host: {CITY}"],
        )

    def writes(self, name, duration, paths, body):
        """A wrk write load by its own fresh citizens; returns (process, their ids)."""
        citizens = self.take(load_size(self.args, duration))
        name = f"{name}-{len(self.citizens)}"  # a file of its own for each load
        paths_file = self.workdir / f"{name}-paths.txt"
        paths_file.write_text("".join(f"{p}\n" for p in paths))
        process = loadtest.start_wrk(
            f"http://127.0.0.1:{self.args.port}/",
            self.args.write_connections,
            duration,
            extra_env={
                "BENCH_SESSIONS": str(self.sessions_file(name, citizens)),
                "BENCH_PATHS": str(paths_file),
                "BENCH_HOST": CITY,
                "BENCH_BODY": body,
            },
            script="writes.lua",
        )
        return process, [c.user_id for c in citizens]

    def supports_load(self, duration):
        paths = [support_path(pk) for pk in self.spread]
        return self.writes("supports", duration, paths, "action=support")

    def comments_load(self, duration):
        from django.utils import timezone

        path = self.path_of(self.hot) + self.hot.reverse_subpage("comment_post")
        body = urllib.parse.urlencode({"body": f"고장 훈련 의견입니다 {timezone.now():%H:%M:%S}"})
        return self.writes("comments", duration, [path], body)

    def vote_body(self):
        question = self.poll.questions.order_by("sort_order").first()
        option = question.options.order_by("sort_order").first()
        return urllib.parse.urlencode(
            {"action": "vote", f"q{question.pk}": option.pk, "confirm": "yes"}
        )

    def votes_load(self, duration):
        return self.writes("votes", duration, [self.path_of(self.poll)], self.vote_body())


def load_size(args, duration):
    """Citizens for one wrk write load: more than it can send (2 connections write at most
    about 17 a second here), so that every request is a citizen of its own."""
    return max(args.citizens_per_load, 40 * duration)


def support_path(proposal_id):
    """Where the support box posts (participation.views.support_url)."""
    from django.urls import reverse

    return reverse("proposal_support", args=[proposal_id])


def author_takes_mail(proposal):
    from participation.models import EmailPreference

    author = proposal.author
    return bool(
        author and author.email and author.is_active and EmailPreference.wants_email(author)
    )


def last_comment_pk():
    from participation.models import Comment

    return Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def load_numbers(raw):
    return f"ok {raw['ok']}, refused {raw['refused']}, 5xx {raw['http_errors']}, sent {raw['sent']}"


def check_write_load(result, name, raw, rows):
    attempted = raw["sent"] - raw["refused"]
    result.check(
        f"{name}: rows = successes",
        count_check(raw["ok"], rows, attempted),
        f"{load_numbers(raw)}, rows added {rows}"
        + (", citizens reused!" if raw["wrapped"] else ""),
    )
    if raw["wrapped"]:
        result.expect(f"{name}: every request a new citizen", False, f"wrapped {raw['wrapped']}")


def check_comment_mails(result, drills, after_pk):
    """Every comment since `after_pk` told its author (a row) and mailed them once."""
    owed = comments_owing_mail(drills.hot, after_pk)
    result.check(
        "comment notifications written with their comments",
        exactly_once(owed, comments_told(owed)),
        f"{len(owed)} comments",
    )
    expected = owed if author_takes_mail(drills.hot) else []
    delivered = mailed_comments(drills.mailbox, owed)
    result.check(
        "comment mails delivered exactly once",
        exactly_once(expected, delivered),
        f"owed {len(expected)}, delivered {len(delivered)}",
    )


# The drills -------------------------------------------------------------------------------


def drill_redis(drills):
    from django.utils import timezone

    from cms.models import OutboxMail

    args = drills.args
    result = Result(
        "Redis stopped",
        f"redis-server stopped for {args.outage} s (its queues lost: no persistence) while "
        f"anonymous readers load the hot proposal's page and citizens comment on it (each "
        f"comment owes its author a mail) and support proposals; then started again, the "
        f"sweeper run, and the mails waited for.",
    )
    since = timezone.now()
    after_pk = last_comment_pk()
    duration = redis_load(args)
    reads = drills.reads(duration)
    comments, commenters = drills.comments_load(duration)
    supports, supporters_ = drills.supports_load(duration)
    time.sleep(5)
    drills.redis.stop()
    time.sleep(args.outage)
    waiting = OutboxMail.objects.filter(created_at__gte=since, status="pending").count()
    drills.redis.start()
    raw_reads = loadtest.finish_wrk(reads)
    raw_comments = loadtest.finish_wrk(comments)
    raw_supports = loadtest.finish_wrk(supports)
    worker_alive = drills.worker.poll() is None
    if not worker_alive:
        drills.new_worker()
    # One rq job (a forked work horse) per mail: give the backlog time to drain, not a
    # fixed minute or two, so a big city's outage is judged on loss, not on speed.
    drained_from = time.monotonic()
    left = drills.mail_settled(since, timeout=LEASE_SECONDS + 90 + waiting)
    drain_seconds = time.monotonic() - drained_from

    result.expect(
        "pages kept serving (anonymous reads)",
        raw_reads["http_errors"] + raw_reads["socket_errors"] + raw_reads["timeouts"] == 0,
        f"{raw_reads['requests']} reads, non-200 {raw_reads['http_errors']}, "
        f"socket errors {raw_reads['socket_errors']}",
    )
    result.expect(
        "signed-in writes kept working",
        raw_comments["http_errors"] + raw_supports["http_errors"] == 0,
        f"comments {load_numbers(raw_comments)}; supports {load_numbers(raw_supports)}",
    )
    check_write_load(result, "comments", raw_comments, comments_by(drills.hot.pk, commenters))
    check_write_load(result, "supports", raw_supports, supports_by(drills.spread, supporters_))
    result.note(
        "the rq worker",
        "alive after the outage"
        if worker_alive
        else "exited when Redis went away (rq 3.0 survives it only while waiting for a job); "
        "started again as a supervisor would (compose.yaml: restart: unless-stopped)",
    )
    result.expect(
        "no mail left waiting",
        left == 0,
        f"{waiting} mails waited in the outbox at restart; {left} still waiting "
        f"after {drain_seconds:.0f} s",
    )
    check_comment_mails(result, drills, after_pk)
    return result


def drill_postgres(drills):
    import psycopg
    from django.db import connection, connections
    from django.utils import timezone

    args = drills.args
    result = Result(
        "PostgreSQL connections cut",
        f"for {args.cut} s, every {args.cut_every:g} s, every connection to the app's database "
        f"but the cutter's own terminated (pg_terminate_backend: web workers, the rq worker, "
        f"this driver) under anonymous reads and signed-in supports, comments and poll votes.",
    )
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
    )
    since = timezone.now()
    after_pk = last_comment_pk()
    poll_envelopes = envelopes(drills.poll.pk)
    connections.close_all()
    duration = cut_load(args)
    reads = drills.reads(duration, path="/proposals/")
    supports, supporters_ = drills.supports_load(duration)
    comments, commenters = drills.comments_load(duration)
    votes, voters_ = drills.votes_load(duration)
    cut = []
    with psycopg.connect(conninfo, autocommit=True) as cutter:
        time.sleep(3)
        end = time.monotonic() + args.cut
        while time.monotonic() < end:
            cut.append(
                cutter.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"
                ).fetchone()[0]
            )
            time.sleep(args.cut_every)
    raw = {
        name: loadtest.finish_wrk(p)
        for name, p in [
            ("reads", reads),
            ("supports", supports),
            ("comments", comments),
            ("votes", votes),
        ]
    }
    connections.close_all()
    worker_alive = drills.worker.poll() is None
    if not worker_alive:
        drills.new_worker()
    time.sleep(3)
    left = drills.mail_settled(since)
    mismatches = loadtest.counter_mismatches()

    check_write_load(result, "supports", raw["supports"], supports_by(drills.spread, supporters_))
    check_write_load(result, "comments", raw["comments"], comments_by(drills.hot.pk, commenters))
    voted = len(voters(drills.poll.pk, voters_))
    check_write_load(result, "poll votes", raw["votes"], voted)
    sealed = envelopes(drills.poll.pk) - poll_envelopes
    result.check(
        "every vote has its envelope",
        count_check(voted, sealed, voted),
        f"participations {voted}, envelopes added {sealed}",
    )
    result.expect(
        "every counter equals its rows",
        mismatch_total(mismatches) == 0,
        ", ".join(f"{name} {n}" for name, n in mismatches.items()),
    )
    check_comment_mails(result, drills, after_pk)
    result.expect("no mail left waiting", left == 0, f"{left} still waiting")
    failed = sum(raw[k]["http_errors"] for k in ("supports", "comments", "votes"))
    friendly = sum(raw[k]["unavailable"] for k in ("supports", "comments", "votes"))
    reads_failed, reads_friendly = raw["reads"]["server_errors"], raw["reads"]["unavailable"]
    result.expect(
        "every error answered with the database's 503 page",
        failed == friendly and reads_failed == reads_friendly,
        f"{len(cut)} cuts, {sum(cut)} connections terminated; writes: 5xx {failed}, of which "
        f"the 503 page {friendly}; reads ({raw['reads']['requests']}): 5xx {reads_failed}, "
        f"of which the 503 page {reads_friendly}",
    )
    result.note(
        "the rq worker",
        "alive after the cuts" if worker_alive else "exited; started again as a supervisor would",
    )
    return result


def drill_worker(drills):
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from cms.models import OutboxMail, User
    from participation.models import Follow, ProposalPage
    from participation.notify import notify

    args = drills.args
    proposal = ProposalPage.objects.get(pk=drills.spread[0])
    result = Result(
        "RQ worker killed mid-job",
        f"{args.batch} new followers of a proposal told of an implementation update (one mail "
        f"each, queued as {args.batch} jobs); the worker (and its work horse) SIGKILLed while "
        f"the horse was inside the mail backend's send for the {args.batch // 3 + 1}th "
        f"follower; a new worker started; the sweeper run once the dead claim's lease "
        f"({LEASE_SECONDS} s) expired. Reads and supports load the site meanwhile.",
    )
    taken = [c.user_id for c in drills.take(args.batch)]
    followers = list(User.objects.filter(pk__in=taken).order_by("pk"))  # the order mails go in
    for user in followers:
        Follow.follow(user, proposal)
    victim = followers[args.batch // 3]
    hang = drills.mailbox / f"hang-{victim.email}"
    hanging = drills.mailbox / "hanging"
    hang.touch()
    token = f"drill-{get_random_string(8)}"
    since = timezone.now()
    duration = WORKER_LOAD
    reads = drills.reads(duration)
    supports, supporters_ = drills.supports_load(duration)
    notify(followers, "implementation", proposal, note=f"고장 훈련 {token}")
    deadline = time.monotonic() + 120
    while not hanging.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    reached = hanging.exists()
    before_kill = len(mailed_addresses(drills.mailbox, token))
    drills.kill_worker()
    sending = OutboxMail.objects.filter(created_at__gte=since, status="sending").count()
    hang.unlink()
    hanging.unlink(missing_ok=True)
    drills.new_worker()
    left = drills.mail_settled(since, timeout=LEASE_SECONDS + 120)
    raw_reads = loadtest.finish_wrk(reads)
    raw_supports = loadtest.finish_wrk(supports)

    result.expect(
        "the worker was killed mid-send",
        reached and sending == 1,
        f"{before_kill} mails delivered before the kill, {sending} claimed and unsent",
    )
    expected = [u.email for u in followers]
    delivered = mailed_addresses(drills.mailbox, token)
    result.check(
        "every follower's mail delivered exactly once",
        exactly_once(expected, delivered),
        f"owed {len(expected)}, delivered {len(delivered)}, still waiting {left}",
    )
    check_write_load(result, "supports", raw_supports, supports_by(drills.spread, supporters_))
    result.expect(
        "pages kept serving",
        raw_reads["http_errors"] + raw_reads["socket_errors"] == 0,
        f"{raw_reads['requests']} reads, non-200 {raw_reads['http_errors']}",
    )
    return result


def burst(port, path, body, citizens):
    """Every citizen posts at the same moment (one thread and connection each): {user: status}."""
    statuses = {}
    gate = threading.Barrier(len(citizens))

    def post(citizen):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        headers = {
            "Host": CITY,
            "Cookie": f"sessionid={citizen.session}; csrftoken={citizen.token}",
            "X-CSRFToken": citizen.token,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            gate.wait(timeout=120)
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
            statuses[citizen.user_id] = response.status
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            statuses[citizen.user_id] = error.__class__.__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def timed_burst(port, path, body, citizens):
    started = time.monotonic()
    statuses = burst(port, path, body, citizens)
    succeeded, kinds = tally(statuses)
    return succeeded, f"{kinds} in {time.monotonic() - started:.0f} s"


def tally(statuses):
    succeeded = [user for user, status in statuses.items() if status in (200, 302)]
    kinds = Counter(
        "ok" if status in (200, 302) else
        "refused" if isinstance(status, int) and status < 500 else
        "5xx" if isinstance(status, int) else "no answer"
        for status in statuses.values()
    )  # fmt: skip
    return succeeded, ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))


def balloting_budget():
    """(budget, heading, path, body) of a budget in balloting with a one-project ballot, or None."""
    from budgeting import ballots
    from budgeting.models import BallotKind, BudgetPage

    for budget in BudgetPage.objects.live().filter(url_path__startswith="/changwon/"):
        budget = budget.specific
        if not budget.is_balloting() or budget.ballot_kind in (
            BallotKind.CUMULATIVE,
            BallotKind.ORDINAL,
        ):
            continue
        # Headings open to every resident first (the drill's citizens live in no district).
        for heading in sorted(budget.headings.all(), key=lambda h: bool(h.district)):
            for project in sorted(ballots.ballot_projects(heading), key=lambda p: p.cost):
                try:
                    ballots.validate(budget, heading, [(str(project.pk), None)])
                except ballots.BallotInvalid:
                    continue
                path = budget.url_path.removeprefix("/changwon") + budget.reverse_subpage(
                    "ballot", args=[heading.pk]
                )
                body = urllib.parse.urlencode({"action": "vote", "project": project.pk})
                return budget, heading, path, body
    return None


def drill_burst(drills):
    from participation.models import ProposalPage, Support

    args = drills.args
    n = args.burst
    budget = balloting_budget()
    budget_text = (
        f"; {n} others cast a one-project ballot in the budget “{budget[0].title}”"
        if budget
        else "; no budget in balloting takes a one-project ballot: skipped"
    )
    result = Result(
        "Burst of concurrent writes",
        f"{n} citizens (one thread and connection each, released together) support the hot "
        f"proposal; {n} others vote in the open poll{budget_text}. Reads and supports from "
        f"wrk load the site meanwhile.",
    )
    duration = BURST_LOAD
    reads = drills.reads(duration)
    supports, supporters_ = drills.supports_load(duration)

    hot = drills.hot
    citizens = drills.take(n)
    before = ProposalPage.objects.get(pk=hot.pk).support_count
    succeeded, kinds = timed_burst(args.port, support_path(hot.pk), "action=support", citizens)
    rows = supporters(hot.pk, [c.user_id for c in citizens])
    counter = ProposalPage.objects.get(pk=hot.pk).support_count
    result.check(
        "supports: rows = successes", exactly_once(succeeded, rows), f"{kinds}; rows {len(rows)}"
    )
    result.expect(
        "supports: counter = rows",
        counter == Support.objects.filter(proposal_id=hot.pk).count(),
        f"support_count {before} → {counter} (+{counter - before})",
    )

    citizens = drills.take(n)
    sealed = envelopes(drills.poll.pk)
    succeeded, kinds = timed_burst(
        args.port, drills.path_of(drills.poll), drills.vote_body(), citizens
    )
    rows = voters(drills.poll.pk, [c.user_id for c in citizens])
    added = envelopes(drills.poll.pk) - sealed
    result.check(
        "poll votes: rows = successes",
        exactly_once(succeeded, rows),
        f"{kinds}; participations {len(rows)}",
    )
    result.check(
        "poll votes: one envelope per vote",
        count_check(len(rows), added, len(rows)),
        f"envelopes added {added}",
    )

    if budget is not None:
        page, heading, path, body = budget
        scope = str(heading.pk)
        citizens = drills.take(n)
        sealed = envelopes(page.pk, scope)
        succeeded, kinds = timed_burst(args.port, path, body, citizens)
        rows = voters(page.pk, [c.user_id for c in citizens], scope)
        added = envelopes(page.pk, scope) - sealed
        result.check(
            "budget ballots: rows = successes",
            exactly_once(succeeded, rows),
            f"{kinds}; participations {len(rows)}",
        )
        result.check(
            "budget ballots: one envelope per ballot",
            count_check(len(rows), added, len(rows)),
            f"envelopes added {added}",
        )

    raw_reads = loadtest.finish_wrk(reads)
    raw_supports = loadtest.finish_wrk(supports)
    check_write_load(
        result, "background supports", raw_supports, supports_by(drills.spread, supporters_)
    )
    mismatches = loadtest.counter_mismatches()
    result.expect(
        "every counter equals its rows",
        mismatch_total(mismatches) == 0,
        ", ".join(f"{name} {n}" for name, n in mismatches.items()),
    )
    result.expect(
        "pages kept serving",
        raw_reads["socket_errors"] + raw_reads["timeouts"] + raw_reads["server_errors"] == 0,
        f"{raw_reads['requests']} reads, 5xx {raw_reads['server_errors']}, "
        f"socket errors {raw_reads['socket_errors']}, timeouts {raw_reads['timeouts']}",
    )
    return result


RUNNERS = {
    "redis": drill_redis,
    "postgres": drill_postgres,
    "worker": drill_worker,
    "burst": drill_burst,
}


# The report -------------------------------------------------------------------------------


def printed(result):
    lines = [f"{'PASS' if result.passed else 'FAIL'}  {result.name}"]
    mark = {True: "ok  ", False: "FAIL", None: "note"}
    lines += [f"  {mark[check.passed]} {check.name}: {check.numbers}" for check in result.checks]
    return "\n".join(lines)


def report(header, results):
    lines = [
        f"## Fault drills: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        *header,
        "",
    ]
    for result in results:
        lines += [
            f"### {result.name}: {'PASS' if result.passed else '**FAIL**'}",
            "",
            f"Done: {result.did}",
            "",
            "| checked | | numbers |",
            "|---|---|---|",
        ]
        mark = {True: "pass", False: "**fail**", None: "note"}
        lines += [
            f"| {check.name} | {mark[check.passed]} | {check.numbers} |" for check in result.checks
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    chosen = [name.strip() for name in (args.only or ",".join(DRILLS)).split(",") if name.strip()]
    unknown = set(chosen) - set(DRILLS)
    if unknown:
        sys.exit(f"unknown drills: {', '.join(sorted(unknown))} (known: {', '.join(DRILLS)})")
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (make drills installs wrk with apt-get).")
    workdir = Path(tempfile.mkdtemp(prefix="drills-"))
    drills = Drills(args, workdir)
    drills.redis.start()
    try:
        results, header = run(args, chosen, drills)
    finally:
        drills.stop()
    text = report(header, results)
    path = Path(args.results)
    existing = path.read_text() if path.exists() else "# Load test results\n\n"
    path.write_text(existing.rstrip("\n") + "\n\n" + text)
    print(f"appended to {path}; logs and mailbox in {workdir}")
    return 0 if all(result.passed for result in results) else 1


def run(args, chosen, drills):
    loadtest.django_setup(drills.env)
    loadtest.ensure_city(args, drills.env)
    needed = {
        "redis": 2 * load_size(args, redis_load(args)),
        "postgres": 3 * load_size(args, cut_load(args)),
        "worker": load_size(args, WORKER_LOAD) + args.batch,
        "burst": load_size(args, BURST_LOAD) + 3 * args.burst,
    }
    drills.prepare(sum(needed[name] for name in chosen))
    header = [
        f"- machine: {loadtest.machine()}",
        f"- data: {loadtest.sizes()}",
        f"- stack: gunicorn {args.workers} sync workers (cms.settings.production), PostgreSQL, "
        f"a redis-server of the drills' own (no persistence), one RQ worker; mail into a "
        f"directory (bench/mailbox.py), claims on mails expire after {LEASE_SECONDS} s; "
        f"background load from wrk: anonymous reads at {args.read_connections} connections, "
        f"each write kind at {args.write_connections}, every write request a different "
        f"signed-in citizen; client and server share the machine",
    ]
    print("\n".join(header), flush=True)
    from django.db import connections

    connections.close_all()
    results = []
    drills.start()
    for name in chosen:
        print(f"drill: {name} ...", flush=True)
        result = RUNNERS[name](drills)
        print(printed(result), flush=True)
        results.append(result)
    return results, header


if __name__ == "__main__":
    sys.exit(main())
