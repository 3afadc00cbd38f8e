"""Benchmark: a debate with 5,000 top-level comments (and 10,000 replies), a proposal with 1,000.

Seeds the demo into a throwaway SQLite database (or the DATABASE_URL you give), grows one
debate's thread and one proposal's discussion in bulk, then times the first screen, a later
batch loaded on demand and the whole-thread page, with their query counts. Target: every
one under 150 ms at the 95th percentile on one core, and the same query count as a small page.

Run: `python bench/debates.py --requests 50`.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_P95_MS = 150


def grow(page, tops, replies_per_top, people):
    from django.utils import timezone

    from participation.models import Comment

    start = timezone.now() - datetime.timedelta(days=60)
    rows = Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                author=people[n % len(people)],
                position=("for", "against", "neutral")[n % 3] if page.comment_positions else "",
                body=f"벤치마크 의견 {n} https://example.org/{n}\n둘째 줄",
                created_at=start + datetime.timedelta(seconds=n),
                score=n % 23,
                up_count=n % 23,
                reply_count=replies_per_top,
                thread_reply_count=replies_per_top,
            )
            for n in range(tops)
        ],
        batch_size=1000,
    )
    Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                parent=top,
                root=top,
                depth=1,
                author=people[(i + 1) % len(people)],
                body=f"답글 {i}",
                created_at=top.created_at + datetime.timedelta(seconds=i + 1),
            )
            for top in rows
            for i in range(replies_per_top)
        ],
        batch_size=1000,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per URL")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cms.models import User
    from participation.models import DebatePage, ProposalPage

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    people = list(User.objects.all()[:15])
    debate = DebatePage.objects.filter(official=True, closed_at__isnull=True).first()
    proposal = ProposalPage.objects.live().filter(stage="collecting").first()
    grow(debate, 5000, 2, people)
    grow(proposal, 1000, 3, people)
    host = debate.get_site().hostname
    urls = [
        ("debate, first screen", debate.url + "?csort=best", {}),
        (
            "debate, batch 250",
            debate.url + "comments/?csort=oldest&cpage=250",
            {"HTTP_HX_REQUEST": "true"},
        ),
        ("proposal, first", proposal.url, {}),
    ]
    client = Client()
    client.force_login(User.objects.get(email="citizen1@example.com"))
    failures = []
    print(f"{'url':<24}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for name, url, extra in urls:
        client.get(url, HTTP_HOST=host, **extra)
        request_finished.disconnect(close_old_connections)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_HOST=host, **extra)
        request_finished.connect(close_old_connections)
        query_count = len(queries)  # read now: later requests reset the connection's log
        assert response.status_code == 200, (name, response.status_code)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url, HTTP_HOST=host, **extra)
            timings.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[18]
        print(f"{name:<24}{p50:>9.1f}{p95:>9.1f}{query_count:>9}")
        if p95 > TARGET_P95_MS:
            failures.append(f"{name}: p95 {p95:.0f} ms > {TARGET_P95_MS} ms")
    if failures:
        print("targets missed:\n  " + "\n  ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
