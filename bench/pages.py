"""Benchmark: how fast the public pages answer, and what they cost.

Seeds the demo into a throwaway SQLite database (or the DATABASE_URL you give), then requests
each page many times through Django's full request handler and reports the median and 95th
percentile time, the queries per request and the process's peak memory. Targets:

- every page below answers in under 150 ms at the 95th percentile on one core;
- a page's query count does not depend on how much content there is (see the tests);
- the process stays under 300 MB.

Run: `make bench` (or `python bench/pages.py --requests 200`).
"""

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    ("province home", "gyeongnam.localhost", "/"),
    ("city home", "changwon.localhost", "/"),
    ("content page", "changwon.localhost", "/about/"),
    ("proposals index", "changwon.localhost", "/proposals/"),
    ("debates index", "changwon.localhost", "/debates/"),
    ("polls index", "changwon.localhost", "/polls/"),
    ("budget (balloting)", "changwon.localhost", "/budget-2027/"),
    ("budget project", "changwon.localhost", "/budget-2027/project-1/"),
    ("budget results", "changwon.localhost", "/budget-2026/results/"),
    ("log in", "gyeongnam.localhost", "/accounts/login/"),
    ("sign up", "gyeongnam.localhost", "/accounts/signup/"),
    ("healthz", "gyeongnam.localhost", "/healthz"),
]
TARGET_P95_MS = 150
TARGET_MEMORY_MB = 300


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
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

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    from participation.models import DebatePage, ProposalPage
    from voting.models import PollPage

    pages = list(PAGES)
    for label, model in (
        ("a proposal", ProposalPage),
        ("a debate", DebatePage),
        ("a poll", PollPage),
    ):
        # The first live page of each kind on the city's site.
        page = model.objects.live().filter(url_path__startswith="/changwon/").first()
        pages.append((label, "changwon.localhost", page.url_path.removeprefix("/changwon")))

    from budgeting.models import BudgetPage

    budget = BudgetPage.objects.get(url_path="/changwon/budget-2027/")
    heading = budget.headings.order_by("sort_order").first()
    pages.append(("budget ballot", "changwon.localhost", f"/budget-2027/ballot/{heading.pk}/"))

    client = Client()
    failures = []
    print(f"{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for name, host, path in pages:
        client.get(path, HTTP_HOST=host)  # warm caches as a running server would have them
        # Counting needs the connection to outlive the request (SQLite closes it otherwise).
        request_finished.disconnect(close_old_connections)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, HTTP_HOST=host)
        request_finished.connect(close_old_connections)
        query_count = len(queries)
        assert response.status_code == 200, (name, response.status_code)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path, HTTP_HOST=host)
            timings.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[18]
        print(f"{name:<18}{p50:>9.1f}{p95:>9.1f}{query_count:>9}")
        if p95 > TARGET_P95_MS:
            failures.append(f"{name}: p95 {p95:.0f} ms > {TARGET_P95_MS} ms")

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB (target < {TARGET_MEMORY_MB} MB)")
    if peak_mb > TARGET_MEMORY_MB:
        failures.append(f"peak memory {peak_mb:.0f} MB > {TARGET_MEMORY_MB} MB")
    if failures:
        print("targets missed:\n  " + "\n  ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
