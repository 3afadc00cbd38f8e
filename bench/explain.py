"""EXPLAIN ANALYZE of the queries behind the public lists, built from the site's own querysets.

Run against the seeded city (`manage.py seed_scale`):
`DATABASE_URL=postgres://... python bench/explain.py [name ...]`. Prints each query's plan
with its time, so a missing index or a sort that spills to disk shows at once.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def queries():
    from django.core.paginator import Paginator
    from django.db.models import Count, Q
    from wagtail.models import Site

    from participation.models import Comment, DebatePage, ProposalIndexPage, ProposalPage
    from participation.views import SORT_ORDER
    from voting.models import Answer, PollPage

    site = Site.objects.get(hostname="changwon.localhost")
    index = ProposalIndexPage.objects.descendant_of(site.root_page).first()
    listed = ProposalPage.objects.visible().child_of(index).for_list()
    debate = DebatePage.objects.descendant_of(site.root_page).order_by("-comment_count").first()
    poll = PollPage.objects.descendant_of(site.root_page).annotate(n=Count("ballots"))
    poll = poll.order_by("-n").first()
    yield "site menu", site.root_page.get_children().live().in_menu().public()
    yield "proposals newest, page 1", listed.order_by(*SORT_ORDER["newest"])[:20]
    yield "proposals newest, page 50", listed.order_by(*SORT_ORDER["newest"])[980:1000]
    yield "proposals supported, page 1", listed.order_by(*SORT_ORDER["supported"])[:20]
    yield (
        "proposals searched",
        listed.filter(Q(title__icontains="교통") | Q(summary__icontains="교통")).order_by(
            *SORT_ORDER["newest"]
        )[:20],
    )
    yield "proposals count (paginator)", Paginator(listed, 20).object_list.values("pk")
    yield (
        "proposals due for check (every index request)",
        ProposalPage.objects.child_of(index).due_for_check(),
    )
    comments = Comment.objects.on(debate).top_level().sorted("newest")
    yield "debate comments, first screen", comments[:20]
    yield "debate comments, page 300 (OFFSET)", comments[5980:6000]
    yield (
        "poll results (per option, per request)",
        Answer.objects.filter(ballot__poll=poll).values("option").annotate(n=Count("pk")),
    )


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    import django

    django.setup()
    from django.db import connection

    wanted = set(sys.argv[1:])
    for name, queryset in queries():
        if wanted and not any(word in name for word in wanted):
            continue
        sql, params = queryset.query.sql_with_params()
        if name.startswith("proposals count"):
            sql = f"SELECT count(*) FROM ({sql}) counted"
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"== {name}")
        print("\n".join(plan))
        print()


if __name__ == "__main__":
    main()
