"""Benchmark: the municipality's dashboard at the scale of a large city.

Times the admin dashboard (home/dashboard.py) of the demo's 창원 after `seed_scale` has
given it a city's worth of rows (20,000 proposals, 1,000,000 supports, 500,000 comments,
100,000 poll ballots), for the default twelve weeks and for a whole year, with its CSV
export, and counts its queries. Target: every one under 1 s at the 95th percentile (the
figures are aggregate queries; nothing loops over rows in Python).

Uses the DATABASE_URL you give (PostgreSQL, as in production; the percentiles then come
from percentile_cont), or a throwaway SQLite database. Seeds the demo and the city when
no seeded city is there (several minutes; the load test's seed is reused when present).

Run: `python bench/dashboard.py [--requests 20]`.
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
TARGET_P95_MS = 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per URL")
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
    from django.utils import timezone
    from wagtail.models import Site

    from cms.models import User
    from participation.models import ProposalPage, Support

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email__endswith="@scale.example.kr").exists():
        print(
            "seeding the demo and a city (seed_demo, seed_scale): several minutes ...", flush=True
        )
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_scale", "--no-search-index", stdout=io.StringIO())
    site = Site.objects.get(hostname="changwon.localhost")
    proposals = ProposalPage.objects.descendant_of(site.root_page).count()
    supports = Support.objects.filter(proposal__path__startswith=site.root_page.path).count()
    print(f"{connection.vendor}: {proposals} proposals, {supports} supports on {site.hostname}")

    today = timezone.localdate()
    year = (today - datetime.timedelta(days=364)).isoformat()
    query = f"site={site.pk}"
    urls = [
        ("dashboard, 12 weeks", f"/admin/dashboard/?{query}"),
        ("dashboard, a year", f"/admin/dashboard/?{query}&start={year}&end={today}"),
        ("CSV, a year", f"/admin/dashboard/?{query}&start={year}&end={today}&format=csv"),
    ]
    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
    host = site.hostname
    failures = []
    print(f"{'url':<22}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for name, url in urls:
        client.get(url, HTTP_HOST=host)
        request_finished.disconnect(close_old_connections)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_HOST=host)
        request_finished.connect(close_old_connections)
        query_count = len(queries)
        assert response.status_code == 200, (name, response.status_code)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url, HTTP_HOST=host)
            timings.append((time.perf_counter() - started) * 1000)
        p50 = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]
        print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}{query_count:>9}")
        if p95 > TARGET_P95_MS:
            failures.append(f"{name}: p95 {p95:.0f} ms > {TARGET_P95_MS} ms")
    if failures:
        print("targets missed:\n  " + "\n  ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
