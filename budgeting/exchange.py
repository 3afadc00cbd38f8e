"""pabulib files in and out of the database: a file is one heading of one budget."""

from __future__ import annotations

import datetime
import json
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from budgeting import pabulib
from budgeting.models import (
    BALLOT_LIMITS,
    BudgetBallot,
    BudgetChoice,
    BudgetHeading,
    BudgetPage,
    BudgetPhase,
    BudgetProjectPage,
    PhaseKind,
)

# Project columns kept in fields of their own; every other column goes to `extra` as written.
PROJECT_FIELDS = ("description", "category", "target", "latitude", "longitude")
VOTER_FIELDS = {
    "age": "age",
    "sex": "sex",
    "neighborhood": "neighbourhood",
    "voting_method": "voting_method",
}
BATCH = 5000


def _date(raw):
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(raw.strip(), fmt)
        except (ValueError, AttributeError):
            continue
        return timezone.make_aware(day)
    return None


def _unique_slug(parent, base):
    base = slugify(base, allow_unicode=True)[:60] or "budget"
    slug, n = base, 1
    taken = set(parent.get_children().values_list("slug", flat=True))
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _split_list(raw):
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def _title(meta):
    parts = [meta.get("unit"), meta.get("subunit") or meta.get("district"), meta.get("instance")]
    title = " ".join(p for p in parts if p)
    return title or meta.get("description") or "pabulib"


@transaction.atomic
def import_file(data, parent, title=None):
    """Create a budget (one heading) from pabulib bytes under `parent`; nothing on error."""
    pb = pabulib.parse(data)
    meta, settings = pb.meta, pb.settings
    rule = pabulib.PABULIB_RULES.get(meta.get("rule", "").strip().lower(), "greedy")
    title = title or _title(meta)
    page = BudgetPage(
        title=title[:255],
        slug=_unique_slug(parent, title),
        intro=meta.get("description", ""),
        ballot_kind=pb.vote_type,
        rule=rule,
        currency=meta.get("currency", "") or "KRW",
        min_project_score_threshold=settings.get("min_project_score_threshold"),
        meta={
            "meta": list(meta.items()),
            "project_columns": pb.project_columns,
            "vote_columns": pb.vote_columns,
        },
        **{key: settings.get(key) for key in BALLOT_LIMITS},
    )
    parent.add_child(instance=page)
    heading = BudgetHeading.objects.create(
        page=page,
        sort_order=0,
        name=(meta.get("subunit") or meta.get("district") or meta.get("unit") or title)[:200],
        amount=settings["budget"],
        district=meta.get("district", "")[:200],
    )
    begin, end = _date(meta.get("date_begin")), _date(meta.get("date_end"))
    if begin and end:
        closes = end + datetime.timedelta(days=1)
        BudgetPhase.objects.bulk_create(
            [
                BudgetPhase(
                    page=page, sort_order=0, kind=PhaseKind.BALLOTING, start=begin, end=closes
                ),
                BudgetPhase(page=page, sort_order=1, kind=PhaseKind.FINISHED, start=closes),
            ]
        )

    project_ids = {}
    for order, project in enumerate(pb.projects):
        columns = dict(project.columns)
        name = columns.get("name") or project.project_id
        lat, lon = columns.get("latitude"), columns.get("longitude")
        child = BudgetProjectPage(
            title=name[:255],
            slug=f"{order + 1}-{slugify(project.project_id, allow_unicode=True)}"[:200],
            description=columns.get("description", ""),
            cost=project.cost,
            heading=heading,
            categories=_split_list(columns.get("category")),
            target_groups=_split_list(columns.get("target")),
            latitude=float(pabulib.parse_number(lat)) if lat else None,
            longitude=float(pabulib.parse_number(lon)) if lon else None,
            pabulib_id=project.project_id,
            file_order=order,
            extra={k: v for k, v in columns.items() if k not in PROJECT_FIELDS},
        )
        page.add_child(instance=child)
        project_ids[project.project_id] = child.pk

    ballots, choices = [], []
    heading_id = heading.pk
    for order, vote in enumerate(pb.votes):
        columns = vote.columns
        extra = {k: v for k, v in columns.items() if k not in VOTER_FIELDS}
        age = columns.get("age", "")
        if age and not age.isdigit():
            extra["age"] = age
        ballot_id = uuid.uuid4()
        ballots.append(
            (
                ballot_id,
                heading_id,
                "imported",
                vote.voter_id,
                int(age) if age.isdigit() else None,
                columns.get("sex", ""),
                columns.get("neighborhood", ""),
                columns.get("voting_method", ""),
                json.dumps(extra, ensure_ascii=False),
                order,
            )
        )
        points = vote.points or [None] * len(vote.projects)
        for position, (project_id, point) in enumerate(zip(vote.projects, points, strict=True)):
            choices.append((ballot_id, project_ids[project_id], position, point))
    _insert(BudgetBallot, BALLOT_COLUMNS, ballots)
    _insert(BudgetChoice, CHOICE_COLUMNS, choices)
    return page


BALLOT_COLUMNS = (
    "id",
    "heading_id",
    "channel",
    "voter_id",
    "age",
    "sex",
    "neighbourhood",
    "voting_method",
    "extra",
    "file_order",
)
CHOICE_COLUMNS = ("ballot_id", "project_id", "position", "points")


def _insert(model, columns, rows):
    """Rows written in bulk: PostgreSQL's COPY, or executemany elsewhere (never one by one)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        rows = [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row) for row in rows]
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - our own names
                rows[start : start + BATCH],
            )


def export_text(heading, selected=None):
    """The heading as a pabulib file; `selected` (project page ids) fills the selected column."""
    page = heading.page.specific
    stored = page.meta or {}
    meta = dict(stored.get("meta") or [])
    meta["budget"] = pabulib.format_number(heading.amount)
    meta["vote_type"] = page.ballot_kind
    meta["rule"] = pabulib.OUR_RULES[page.rule]
    meta["currency"] = page.currency
    for key in BALLOT_LIMITS:
        value = getattr(page, key)
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = pabulib.format_number(value)
    if page.ballot_kind == "knapsack":
        # pabulib has no knapsack type: an approval ballot whose cost is capped at the amount.
        meta["vote_type"] = "approval"
        meta.setdefault("max_sum_cost", pabulib.format_number(heading.amount))
    if page.min_project_score_threshold is None:
        meta.pop("min_project_score_threshold", None)
    else:
        meta["min_project_score_threshold"] = pabulib.format_number(
            page.min_project_score_threshold
        )

    projects = list(BudgetProjectPage.objects.filter(heading=heading).order_by("file_order", "pk"))
    label = {p.pk: p.label for p in projects}
    ballot_rows = _ballot_rows(heading, label)
    meta["num_projects"] = str(len(projects))
    meta["num_votes"] = str(len(ballot_rows))

    project_columns = list(stored.get("project_columns") or ["project_id", "cost", "name"])
    for column in ("project_id", "cost", "name"):
        if column not in project_columns:
            project_columns.append(column)
    if selected is not None and "selected" not in project_columns:
        project_columns.append("selected")
    chosen = set(selected or [])
    project_rows = []
    for project in projects:
        row = dict(project.extra)
        row.update(project_id=project.label, cost=pabulib.format_number(project.cost))
        row.setdefault("name", project.title)
        if project.description or "description" in project_columns:
            row["description"] = project.description
        row["category"] = ",".join(project.categories)
        row["target"] = ",".join(project.target_groups)
        if project.latitude is not None:
            row["latitude"] = repr(project.latitude)
            row["longitude"] = repr(project.longitude)
        if selected is not None:
            row["selected"] = "1" if project.pk in chosen else "0"
        project_rows.append(row)

    vote_columns = list(stored.get("vote_columns") or ["voter_id", "vote"])
    if page.ballot_kind == "cumulative" and "points" not in vote_columns:
        vote_columns.append("points")
    return pabulib.write(meta, project_columns, project_rows, vote_columns, ballot_rows)


def _ballot_rows(heading, label):
    rows, current = [], None
    choices = (
        BudgetChoice.objects.filter(ballot__heading=heading)
        .order_by("ballot__file_order", "ballot_id", "position")
        .values_list("ballot_id", "project_id", "points")
    )
    ballots = {
        b["id"]: b
        for b in BudgetBallot.objects.filter(heading=heading).values(
            "id", "voter_id", "age", "sex", "neighbourhood", "voting_method", "extra", "file_order"
        )
    }
    votes = {}
    for ballot_id, project_id, points in choices.iterator(chunk_size=20000):
        if current is None or current[0] != ballot_id:
            current = (ballot_id, [], [])
            votes[ballot_id] = current
        current[1].append(label[project_id])
        current[2].append(points)
    for ballot in sorted(ballots.values(), key=lambda b: (b["file_order"], str(b["id"]))):
        _, projects, points = votes.get(ballot["id"], (None, [], []))
        row = dict(ballot["extra"])
        row.update(
            voter_id=ballot["voter_id"] or ballot["id"].hex,
            vote=",".join(projects),
            points=",".join("" if p is None else str(p) for p in points)
            if any(p is not None for p in points)
            else "",
            sex=ballot["sex"],
            neighborhood=ballot["neighbourhood"],
            voting_method=ballot["voting_method"],
        )
        if ballot["age"] is not None:
            row["age"] = str(ballot["age"])
        rows.append(row)
    return rows
