"""Load test: the real stack on this machine, a city's worth of data, 32 concurrent clients.

Starts gunicorn with the production settings (4 sync workers), an RQ worker, against the
PostgreSQL database in DATABASE_URL and the Redis in REDIS_URL, and drives it from a separate
process with wrk (Lua scripts in bench/wrk/). In one run it measures:

- a plain-view baseline (/bench/plain/, a trivial view behind the whole middleware stack,
  enabled by BENCH_PLAIN_VIEW for this server only) and /healthz;
- each public page at full size: requests/s, p50/p95/p99, errors, the ratio to the plain
  view, and queries per request (counted separately with Django's test client);
- a write mix, one kind at a time: supports spread over proposals, supports on one hot
  proposal, comments on the big debate, votes in an open poll, ballots in the participatory
  budget in balloting (its city-wide heading). Each request is a different
  citizen, so every success is one new row; afterwards rows are compared with the successes
  and every counter with its rows;
- the peak resident memory of each gunicorn worker (VmHWM from /proc).

The city must have been seeded with `manage.py seed_scale` (`--seed` does it when missing).
Results are printed and written to bench/RESULTS.md (`--results`). Only 127.0.0.1 is used.

Run: `make loadtest` (or `python bench/loadtest.py --duration 15`).
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CITY = "changwon.localhost"
PROVINCE = "gyeongnam.localhost"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--write-duration", type=int, default=15, help="seconds per write kind")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--sessions", type=int, default=20000, help="signed-in citizens for writes")
    parser.add_argument("--seed", action="store_true", help="run seed_scale if no city is seeded")
    parser.add_argument(
        "--only", help="page names to run, separated by ';' (names hold commas; default: all)"
    )
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument(
        "--profile",
        help="page names to sample with py-spy (all web workers) while loaded, separated by ';'",
    )
    beside_python = Path(PYTHON).parent / "py-spy"  # the bench extra installs it there
    parser.add_argument(
        "--py-spy", default=str(beside_python) if beside_python.exists() else "py-spy"
    )
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--label", default="run", help="heading of this run in RESULTS.md")
    return parser.parse_args()


def server_env(args, workdir):
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must point at the seeded PostgreSQL database.")
    if not env.get("REDIS_URL"):
        sys.exit("REDIS_URL must be set (the cache and the job queues).")
    # The city was seeded under cms.settings.dev, so the ballot and census keys must be the
    # ones dev derives there unless the environment gives its own (production needs both).
    dev_secret = "dev-only-not-secret-6c1f0b1e9a5d4c7f8e2b3a4d5c6e7f80"  # noqa: S105 (dev settings)
    env.setdefault("BALLOT_KEY_SECRET", "derived-from-secret-key:" + dev_secret)
    env.setdefault("CENSUS_KEY", hashlib.sha256(f"census|{dev_secret}".encode()).hexdigest())
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-secret-key-not-for-production-0123456789",
        ALLOWED_HOSTS=f"{CITY},{PROVINCE},127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="off",
        SECURE_HSTS_SECONDS="0",
        BENCH_PLAIN_VIEW="on",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        PYTHONPATH=str(ROOT),
    )
    return env


def ensure_city(args, env):
    """Stop unless the city is seeded (or seed it with --seed); collect the static files."""
    from django.core.management import call_command

    from cms.models import User

    if not User.objects.filter(email__endswith="@scale.example.kr").exists():
        if not args.seed:
            sys.exit("No seeded city: run `manage.py seed_scale` first, or pass --seed.")
        call_command("seed_scale")
    manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
    if not manifest.exists():
        print("collecting static files for the production settings ...", flush=True)
        call_command("collectstatic", "--noinput", verbosity=0, stdout=io.StringIO())


def django_setup(env):
    os.environ.update(env)
    import django

    django.setup()


# The stack ---------------------------------------------------------------------------------


def start_stack(args, env, workdir):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:  # would measure someone else
            sys.exit(f"Port {args.port} is taken (an earlier stack still running?): --port")
    log = open(workdir / "server.log", "w")
    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"), "cms.wsgi",
            "--workers", str(args.workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{args.port}", "--timeout", "120", "--backlog", "2048",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = start_worker(env, log)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return gunicorn, worker
        except OSError:
            time.sleep(0.5)
    stop(gunicorn, worker)
    sys.exit(f"gunicorn did not answer; see {workdir / 'server.log'}")


def start_worker(env, log):
    return subprocess.Popen(
        [PYTHON, "manage.py", "rqworker", "default", "mail", "--with-scheduler"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(*processes):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def peak_rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# What to request ---------------------------------------------------------------------------


def scale_budgets():
    """The seeded city's participatory budgets (budgeting/scale.py): the finished one with the
    most ballots and the one in balloting with the most projects; None where there is none."""
    from django.db.models import Count

    from budgeting.models import BudgetPage

    budgets = BudgetPage.objects.live().filter(url_path__startswith="/changwon/")
    finished = (
        budgets.filter(headings__results__published_at__isnull=False)
        .annotate(n=Count("headings__ballots", distinct=True))
        .order_by("-n")
        .first()
    )
    balloting = max(
        (budget for budget in budgets.order_by("pk") if budget.is_balloting()),
        key=lambda budget: budget.numchild,
        default=None,
    )
    return finished, balloting


def budget_ballot_target(budget):
    """The budget's first heading and a valid ballot in it: its two cheapest projects."""
    from budgeting.ballots import ballot_projects, spending_limit

    heading = budget.headings.order_by("sort_order", "pk").first()
    projects = sorted(ballot_projects(heading), key=lambda p: (p.cost, p.pk))[:2]
    if sum(p.cost for p in projects) > spending_limit(budget, heading):
        projects = projects[:1]
    return heading, projects


def city_pages():
    """(name, host, path) of every page measured, found in the seeded city."""
    from django.db.models import Count

    from participation.models import DebatePage, ProposalPage, Topic
    from voting.models import PollPage

    def rel(page):
        # Percent-encoded: a demo page may have a Korean slug, and HTTP paths are ASCII.
        return urllib.parse.quote(page.url_path.removeprefix("/changwon"))

    hot = ProposalPage.objects.filter(url_path__startswith="/changwon/").order_by("-support_count")
    hot = hot.first()
    debate = DebatePage.objects.filter(url_path__startswith="/changwon/").order_by("-comment_count")
    debate = debate.first()
    closed = (
        PollPage.objects.live()
        .filter(
            url_path__startswith="/changwon/", closes_at__lt=datetime.datetime.now(datetime.UTC)
        )
        .annotate(n=Count("ballots"))
        .order_by("-n")
        .first()
    )
    topic = Topic.objects.filter(site__hostname=CITY).order_by("sort_order").first()
    query = urllib.parse.quote("교통")
    pages = [
        ("plain view", CITY, "/bench/plain/"),
        ("healthz", CITY, "/healthz"),
        ("province home", PROVINCE, "/"),
        ("city home", CITY, "/"),
        ("content page (about)", CITY, "/about/"),
        ("proposal index", CITY, "/proposals/"),
        ("proposal index, filtered", CITY, f"/proposals/?stage=collecting&topic={topic.pk}&sort=supported"),
        ("proposal index, searched", CITY, f"/proposals/?q={query}"),
        ("proposal index, page 50", CITY, "/proposals/?page=50"),
        (f"proposal, {hot.support_count} supports", CITY, rel(hot)),
        (f"debate, {debate.comment_count} comments", CITY, rel(debate)),
        ("debate, comments page 300", CITY, f"{rel(debate)}?cpage=300&csort=newest"),
        ("debate index", CITY, "/debates/"),
        (f"poll results, {closed.n} ballots", CITY, rel(closed)),
        ("poll index", CITY, "/polls/"),
        ("log in", CITY, "/accounts/login/"),
    ]  # fmt: skip
    return pages + budget_pages(rel)


def budget_pages(rel):
    """The participatory budgets' pages, where the city has them (seed_scale since issue 10)."""
    from budgeting.models import BudgetProjectPage, BudgetResult

    finished, balloting = scale_budgets()
    pages = []
    if finished is not None:
        result = BudgetResult.objects.published().filter(heading__page=finished).first()
        projects = BudgetProjectPage.objects.child_of(finished).order_by("pk")
        funded = projects.filter(pk__in=result.selected).first() or projects.first()
        pages += [
            (f"budget, {finished.numchild} projects", CITY, rel(finished)),
            (f"budget results, {finished.n} ballots", CITY, f"{rel(finished)}results/"),
            ("budget project, funded", CITY, rel(funded)),
        ]
    if balloting is not None:
        heading, _projects = budget_ballot_target(balloting)
        pages.append(("budget ballot (anonymous)", CITY, f"{rel(balloting)}ballot/{heading.pk}/"))
    return pages


def count_queries(pages):
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    counts = {}
    request_finished.disconnect(close_old_connections)
    try:
        # What rendering the page costs (a miss of the anonymous page cache), not a hit's 0.
        with override_settings(ANONYMOUS_PAGE_CACHE_SECONDS=0):
            for name, host, path, *cookie in pages:
                client.cookies.clear()
                if cookie:
                    client.cookies.load(cookie[0])
                client.get(path, HTTP_HOST=host)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path, HTTP_HOST=host)
                counts[name] = (len(queries), response.status_code)
    finally:
        request_finished.connect(close_old_connections)
    return counts


def run_wrk(args, url, extra_env=None, script="report.lua", headers=(), duration=None):
    process = start_wrk(
        url, args.connections, duration or args.duration, extra_env, script, headers
    )
    return finish_wrk(process)


def start_wrk(url, connections, duration, extra_env=None, script="report.lua", headers=()):
    """wrk in the background; `finish_wrk` waits for it and reads its JSON line."""
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{duration}s",
        "--timeout", "60s", "-s", str(ROOT / "bench" / "wrk" / script),
    ]  # fmt: skip
    for header in headers:
        command += ["-H", header]
    command.append(url)
    env = dict(os.environ, BENCH_THREADS="2", **(extra_env or {}))
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def finish_wrk(process):
    output, errors = process.communicate()
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, process.args, output, errors)
    return json.loads(output.strip().splitlines()[-1])


def summarise(result):
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds if seconds else 0,
        "p50": result["p50_us"] / 1000,
        "p95": result["p95_us"] / 1000,
        "p99": result["p99_us"] / 1000,
        "errors": result.get("http_errors", 0) + result["socket_errors"] + result["timeouts"],
        "requests": result["requests"],
    }


# Writes ------------------------------------------------------------------------------------


def make_sessions(count, workdir):
    """`count` new citizens, signed in: one "sessionid csrftoken" line each.

    New accounts, so that none has supported, commented or voted yet: every accepted write
    must then add exactly one row.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from wagtail.models import Site

    from cms.models import User
    from voting.models import VoterVerification

    tag = get_random_string(6, "abcdefghijklmnopqrstuvwxyz")
    password = make_password(None)
    joined = timezone.now() - datetime.timedelta(days=30)  # past the new-account limits
    users = User.objects.bulk_create(
        [
            User(
                email=f"loadtest-{tag}-{n}@scale.example.kr",
                display_name=f"부하{tag}{n}",
                password=password,
                date_joined=joined,
            )
            for n in range(count)
        ],
        batch_size=5000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=5000,
    )
    # Verified residents of the city, as seed_scale's citizens are: supports and votes are
    # for residents by default.
    city = Site.objects.get(hostname=CITY)
    VoterVerification.objects.bulk_create(
        [
            VoterVerification(
                user=u,
                site=city,
                identity_hash=hashlib.sha256(u.email.encode()).hexdigest(),
                birth_date=datetime.date(1980, 1, 1),
                method="census",
            )
            for u in users
        ],
        batch_size=5000,
    )
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    rows, lines = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        lines.append(f"{key} {get_random_string(32)}")
    Session.objects.bulk_create(rows, batch_size=5000)
    path = workdir / "sessions.txt"
    path.write_text("\n".join(lines) + "\n")
    return path, [user.pk for user in users]


def write_targets():
    from participation.models import DebatePage, ProposalPage
    from voting.models import PollPage

    proposals = ProposalPage.objects.filter(
        url_path__startswith="/changwon/", stage=ProposalPage.Stage.COLLECTING, hidden=False
    ).order_by("-support_count")
    hot = proposals.first()
    spread = list(
        proposals.exclude(pk=hot.pk)
        .filter(support_count__lt=50, support_deadline__gt=datetime.datetime.now(datetime.UTC))
        .values_list("pk", flat=True)[:2000]
    )
    debate = DebatePage.objects.filter(url_path__startswith="/changwon/").order_by("-comment_count")
    debate = debate.first()
    now = datetime.datetime.now(datetime.UTC)
    poll = (
        PollPage.objects.live()
        .filter(url_path__startswith="/changwon/", opens_at__lt=now, closes_at__gt=now)
        .filter(residents_only=False)
        .first()
    )
    return hot, spread, debate, poll


def counts_snapshot(hot, debate, poll, heading=None):
    from budgeting.models import BudgetBallot
    from participation.models import Comment, Support
    from voting.models import Ballot, Participation, SealedEnvelope

    budget = {}
    if heading is not None:
        scope = {"contest_id": heading.page_id, "scope": str(heading.pk)}
        budget = {
            "budget participations": Participation.objects.filter(**scope).count(),
            # Sealed envelopes while balloting goes on; ballot rows once the box is opened.
            "budget ballots": BudgetBallot.objects.filter(heading=heading, channel="online").count()
            + SealedEnvelope.objects.filter(
                box__contest_id=heading.page_id, scope=str(heading.pk)
            ).count(),
        }
    return {
        **budget,
        "supports": Support.objects.count(),
        "hot supports": Support.objects.filter(proposal=hot).count(),
        "comments": Comment.objects.filter(page=debate).count(),
        "participations": Participation.objects.filter(contest_id=poll.pk).count(),
        # While a poll is open its votes are sealed envelopes; ballots appear at the opening.
        "ballots": Ballot.objects.filter(poll=poll).count()
        + SealedEnvelope.objects.filter(box__contest_id=poll.pk).count(),
    }


def settle(snapshot, limit=90):
    """The counts once requests still in flight after wrk stopped have finished."""
    last = snapshot()
    for _ in range(limit // 3):
        time.sleep(3)
        now = snapshot()
        if now == last:
            return now
        last = now
    return last


def counter_mismatches():
    """Counters that differ from their rows, anywhere (one SQL query per counter)."""
    from django.db import connection

    checks = {
        "proposal support_count": """
            SELECT count(*) FROM participation_proposalpage p
            LEFT JOIN (SELECT proposal_id, count(*) n FROM participation_support GROUP BY 1) s
              ON s.proposal_id = p.page_ptr_id
            WHERE p.support_count <> coalesce(s.n, 0)""",
        "debate comment_count": """
            SELECT count(*) FROM participation_debatepage d
            LEFT JOIN (SELECT page_id, count(*) n FROM participation_comment GROUP BY 1) c
              ON c.page_id = d.page_ptr_id
            WHERE d.comment_count <> coalesce(c.n, 0)""",
        "comment reply_count": """
            SELECT count(*) FROM participation_comment c
            LEFT JOIN (SELECT parent_id, count(*) n FROM participation_comment GROUP BY 1) r
              ON r.parent_id = c.id
            WHERE c.reply_count <> coalesce(r.n, 0)""",
        "participations = ballots per poll": """
            SELECT count(*) FROM voting_pollpage p
            WHERE (SELECT count(*) FROM voting_participation x WHERE x.contest_id = p.page_ptr_id)
               <> (SELECT count(*) FROM voting_ballot b WHERE b.poll_id = p.page_ptr_id)
                + (SELECT count(*) FROM voting_sealedenvelope e
                   JOIN voting_ballotbox x ON x.id = e.box_id WHERE x.contest_id = p.page_ptr_id)""",
        "budget project support_count": """
            SELECT count(*) FROM budgeting_budgetprojectpage p
            LEFT JOIN (SELECT project_id, count(*) n FROM budgeting_budgetsupport GROUP BY 1) s
              ON s.project_id = p.page_ptr_id
            WHERE p.support_count <> coalesce(s.n, 0)""",
        "participations = online ballots per budget heading": """
            SELECT count(*) FROM budgeting_budgetheading h
            WHERE (SELECT count(*) FROM voting_participation x
                   WHERE x.contest_id = h.page_id AND x.scope = h.id::text)
               <> (SELECT count(*) FROM budgeting_budgetballot b
                   WHERE b.heading_id = h.id AND b.channel = 'online')
                + (SELECT count(*) FROM voting_sealedenvelope e
                   JOIN voting_ballotbox x ON x.id = e.box_id
                   WHERE x.contest_id = h.page_id AND e.scope = h.id::text)""",
    }
    found = {}
    with connection.cursor() as cursor:
        for name, sql in checks.items():
            cursor.execute(sql)
            found[name] = cursor.fetchone()[0]
    return found


def run_writes(args, workdir):
    from django.utils import timezone

    hot, spread, debate, poll = write_targets()
    sessions, _ids = make_sessions(args.sessions, workdir)
    # Where the support box posts (participation.views.support_url).
    (workdir / "spread.txt").write_text("".join(f"/-/proposals/{pk}/support/\n" for pk in spread))
    (workdir / "hot.txt").write_text(f"/-/proposals/{hot.pk}/support/\n")
    debate_path = urllib.parse.quote(debate.url_path.removeprefix("/changwon"))
    (workdir / "comment.txt").write_text(f"{debate_path}comments/post/\n")
    poll_path = urllib.parse.quote(poll.url_path.removeprefix("/changwon"))
    (workdir / "poll.txt").write_text(f"{poll_path}\n")
    question = poll.questions.order_by("sort_order").first()
    option = question.options.order_by("sort_order").first()
    body_comment = urllib.parse.urlencode(
        {"body": f"부하 시험 의견입니다 {timezone.now():%H:%M:%S}", "position": "for"}
    )
    body_vote = urllib.parse.urlencode(
        {"action": "vote", f"q{question.pk}": option.pk, "confirm": "yes"}
    )
    kinds = [
        ("supports, spread", "spread.txt", "action=support", "supports"),
        ("supports, one hot proposal", "hot.txt", "action=support", "hot supports"),
        ("comments, big debate", "comment.txt", body_comment, "comments"),
        ("poll votes", "poll.txt", body_vote, "ballots"),
    ]
    _finished, budget = scale_budgets()
    heading = None
    if budget is not None:
        # Every citizen the same valid ballot (within the heading's amount), each only once.
        heading, projects = budget_ballot_target(budget)
        ballot_path = budget.url_path.removeprefix("/changwon")
        (workdir / "budget.txt").write_text(f"{ballot_path}ballot/{heading.pk}/\n")
        body_ballot = urllib.parse.urlencode(
            [("action", "vote"), *(("project", p.pk) for p in projects)]
        )
        kinds.append(("budget ballots", "budget.txt", body_ballot, "budget ballots"))
    results = []
    for name, paths, body, counted in kinds:
        before = counts_snapshot(hot, debate, poll, heading)
        raw = run_wrk(
            args,
            f"http://127.0.0.1:{args.port}/",
            extra_env={
                "BENCH_SESSIONS": str(sessions),
                "BENCH_PATHS": str(workdir / paths),
                "BENCH_HOST": CITY,
                "BENCH_BODY": body,
            },
            script="writes.lua",
            duration=args.write_duration,
        )
        after = settle(lambda: counts_snapshot(hot, debate, poll, heading))
        added = after[counted] - before[counted]
        row = summarise(raw)
        row.update(
            name=name,
            ok=raw["ok"],
            refused=raw["refused"],
            wrapped=raw["wrapped"],
            rows_added=added,
            sent=raw["sent"],
            # Requests still in flight when wrk stops may commit without being counted.
            exact=raw["ok"] <= added <= raw["sent"] - raw["refused"] and raw["wrapped"] == 0,
            ok_per_s=raw["ok"] / (raw["duration_us"] / 1e6),
        )
        if counted == "ballots":
            row["exact"] = row["exact"] and (  # one participation per ballot
                after["participations"] - before["participations"] == added
            )
        if counted == "budget ballots":
            row["exact"] = row["exact"] and (  # one participation per ballot
                after["budget participations"] - before["budget participations"] == added
            )
        results.append(row)
        print(
            f"  {name:<30} {row['ok_per_s']:>7.1f} ok/s  p95 {row['p95']:>7.0f} ms  "
            f"ok {raw['ok']} refused {raw['refused']} 5xx {raw['http_errors']} "
            f"rows +{added} {'exact' if row['exact'] else 'MISMATCH'}",
            flush=True,
        )
    return results


# The report --------------------------------------------------------------------------------


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GB, "
        f"Linux {platform.release()}, Python {platform.python_version()}; "
        f"load average at start {load[0]:.1f}"
    )


def sizes():
    from budgeting.models import BudgetBallot, BudgetChoice, BudgetProjectPage
    from cms.models import User
    from participation.models import Comment, DebatePage, ProposalPage, Support
    from voting.models import Answer, Ballot

    return (
        f"{ProposalPage.objects.count():,} proposals, {Support.objects.count():,} supports, "
        f"{Comment.objects.count():,} comments "
        f"(largest debate {DebatePage.objects.order_by('-comment_count').first().comment_count:,}), "
        f"{User.objects.count():,} users, {Ballot.objects.count():,} ballots "
        f"({Answer.objects.count():,} answers), {BudgetProjectPage.objects.count():,} budget "
        f"projects, {BudgetBallot.objects.count():,} budget ballots "
        f"({BudgetChoice.objects.count():,} choices)"
    )


def report(args, header, reads, queries, writes, memory, mismatches):
    baseline = next((row["rps"] for row in reads if row["name"] == "plain view"), None)
    lines = [
        f"## {args.label}: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        *header,
        "",
        "| page | req/s | of plain view | p50 ms | p95 ms | p99 ms | errors | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in reads:
        share = f"{100 * row['rps'] / baseline:.1f} %" if baseline else "—"
        count, _status = queries.get(row["name"], ("—", ""))
        lines.append(
            f"| {row['name']} | {row['rps']:.1f} | {share} | {row['p50']:.0f} | "
            f"{row['p95']:.0f} | {row['p99']:.0f} | {row['errors']} | {count} |"
        )
    if writes:
        lines += [
            "",
            "| writes (each request a different citizen) | ok/s | p50 ms | p95 ms | p99 ms "
            "| sent | ok | refused (4xx) | 5xx/socket | rows added | exact |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in writes:
            lines.append(
                f"| {row['name']} | {row['ok_per_s']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} | "
                f"{row['p99']:.0f} | {row['sent']} | {row['ok']} | {row['refused']} | {row['errors']} | "
                f"{row['rows_added']} | {'yes' if row['exact'] else '**no**'} |"
            )
        lines += [
            "",
            "Exact means: every successful response added one row, and rows added never exceed "
            "the requests sent minus those refused (requests in flight when wrk stops may still "
            "commit); and each vote added one participation and one ballot.",
        ]
    lines += [
        "",
        "Peak resident memory (VmHWM): "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()),
        "",
        "Counters that differ from their rows after the run: "
        + ", ".join(f"{name} {n}" for name, n in mismatches.items()),
        "",
    ]
    return "\n".join(lines)


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make loadtest installs it with apt-get).")
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    env = server_env(args, workdir)
    django_setup(env)
    ensure_city(args, env)

    pages = city_pages()
    # The floor of any signed-in request (a write's too): the plain view with a session.
    signed_in, _ids = make_sessions(1, workdir)
    session_key = signed_in.read_text().split()[0]
    pages.insert(1, ("plain view, signed in", CITY, "/bench/plain/", f"sessionid={session_key}"))
    if args.only:
        wanted = {name.strip() for name in args.only.split(";")}
        pages = [p for p in pages if p[0] in wanted or p[0].startswith("plain view")]
    header = [
        f"- machine: {machine()}",
        f"- data: {sizes()}",
        f"- stack: gunicorn {args.workers} sync workers (cms.settings.production), PostgreSQL, "
        f"Redis, one RQ worker; wrk -t2 -c{args.connections}, {args.duration} s per page, "
        f"{args.write_duration} s per write kind; client and server share the machine",
        "- baseline: /bench/plain/, a view returning 'ok' behind the full middleware stack",
    ]
    print("\n".join(header), flush=True)
    queries = count_queries(pages)
    from django.db import connections

    connections.close_all()

    gunicorn, worker = start_stack(args, env, workdir)
    reads, writes, memory = [], [], {}
    try:
        for name, host, path, *cookie in pages:
            headers = {"Host": host, **({"Cookie": cookie[0]} if cookie else {})}
            for _ in range(3):  # warm each worker's caches for this page
                request = urllib.request.Request(
                    f"http://127.0.0.1:{args.port}{path}", headers=headers
                )
                try:
                    urllib.request.urlopen(request, timeout=60).read()
                except OSError:
                    pass
            spy = None
            if args.profile and name in {n.strip() for n in args.profile.split(";")}:
                out = workdir / f"profile-{len(reads)}.txt"
                spy = subprocess.Popen(
                    [
                        args.py_spy, "record", "--subprocesses", "--nonblocking", "--format",
                        "raw", "--duration", str(args.duration), "--pid", str(gunicorn.pid),
                        "--output", str(out),
                    ],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
            raw = run_wrk(
                args,
                f"http://127.0.0.1:{args.port}{path}",
                headers=[f"{key}: {value}" for key, value in headers.items()],
            )
            if spy is not None:
                spy.wait(timeout=60)
                print(f"  profile of {name}: {out} (python bench/profile_top.py {out})")
            row = summarise(raw)
            row["name"] = name
            reads.append(row)
            print(
                f"  {name:<34} {row['rps']:>7.1f} req/s  p50 {row['p50']:>6.0f}  "
                f"p95 {row['p95']:>6.0f}  p99 {row['p99']:>6.0f} ms  errors {row['errors']}  "
                f"queries {queries[name][0]}",
                flush=True,
            )
        if not args.no_writes:
            writes = run_writes(args, workdir)
        for number, pid in enumerate(children(gunicorn.pid), 1):
            memory[f"web worker {number}"] = peak_rss_mb(pid) or 0
        memory["rq worker"] = peak_rss_mb(worker.pid) or 0
    finally:
        stop(gunicorn, worker)
    time.sleep(2)
    mismatches = counter_mismatches()
    text = report(args, header, reads, queries, writes, memory, mismatches)
    print(text)
    results = Path(args.results)
    existing = results.read_text() if results.exists() else "# Load test results\n\n"
    results.write_text(existing.rstrip("\n") + "\n\n" + text)
    print(f"appended to {results}; server log in {workdir / 'server.log'}")
    bad_writes = [row["name"] for row in writes if not row["exact"]]
    return 1 if bad_writes or any(mismatches.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
