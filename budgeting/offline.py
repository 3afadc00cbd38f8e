"""Paper and on-site ballots entered by staff: one at a time or a CSV file (all or nothing).

A line names the heading (its id or name), the channel (paper or booth), the projects in
ballot order (page ids or pabulib project ids, separated by commas) and, for cumulative
ballots, the points in the same order. Each ballot is checked exactly as an online one
(budgeting.ballots.validate), so a paper ballot cannot break the rules an online one must
keep.
"""

import csv
import io

from django.utils.translation import gettext as _

from budgeting import ballots
from budgeting.models import BallotKind, BudgetProjectPage

OFFLINE_CHANNELS = {"paper", "booth"}
CSV_COLUMNS = ("heading", "channel", "vote", "points")


class OfflineError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def project_ids(budget):
    """{what staff may type for a project: its page id or pabulib id} -> page id."""
    rows = BudgetProjectPage.objects.filter(heading__page=budget).values_list("pk", "pabulib_id")
    ids = {}
    for pk, label in rows:
        ids[str(pk)] = pk
        if label:
            ids[label] = pk
    return ids


def _split(raw):
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def read_ballot(budget, heading, vote, points, ids):
    """A checked ballot from the typed project list and points, or BallotInvalid."""
    names = _split(vote)
    unknown = [name for name in names if name not in ids]
    if unknown:
        raise ballots.BallotInvalid(
            _("Unknown project: %(projects)s.") % {"projects": ", ".join(unknown)}
        )
    if budget.ballot_kind == BallotKind.CUMULATIVE:
        values = _split(points)
        if len(values) != len(names):
            raise ballots.BallotInvalid(_("Give as many points as projects, in the same order."))
    elif budget.ballot_kind == BallotKind.ORDINAL:
        values = [str(rank) for rank in range(1, len(names) + 1)]
    else:
        values = [None] * len(names)
    return ballots.validate(
        budget, heading, [(ids[n], v) for n, v in zip(names, values, strict=True)]
    )


def find_heading(budget, raw):
    raw = (raw or "").strip()
    for heading in budget.headings.all():
        if raw in (str(heading.pk), heading.name):
            return heading
    return None


def read_csv(budget, data):
    """Every ballot of a CSV file, checked; OfflineError listing each bad line if any is bad."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OfflineError([_("The file is not UTF-8 text.")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS[:3] if c not in (reader.fieldnames or [])]
    if missing:
        raise OfflineError(
            [
                _("Line 1: the columns %(columns)s are missing (expected: %(expected)s).")
                % {"columns": ", ".join(missing), "expected": ",".join(CSV_COLUMNS)}
            ]
        )
    ids = project_ids(budget)
    checked, problems = [], []
    for number, row in enumerate(reader, start=2):
        heading = find_heading(budget, row.get("heading"))
        channel = (row.get("channel") or "").strip()
        if heading is None:
            problems.append(_("Line %(line)d: no such heading.") % {"line": number})
            continue
        if channel not in OFFLINE_CHANNELS:
            problems.append(
                _("Line %(line)d: the channel must be paper or booth.") % {"line": number}
            )
            continue
        try:
            checked.append(
                (read_ballot(budget, heading, row.get("vote"), row.get("points"), ids), channel)
            )
        except ballots.BallotInvalid as invalid:
            problems.append(
                _("Line %(line)d: %(reasons)s")
                % {"line": number, "reasons": " ".join(invalid.reasons)}
            )
    if problems:
        raise OfflineError(problems)
    if not checked:
        raise OfflineError([_("The file has no ballots.")])
    return checked


def record(budget, checked):
    """Write checked (ballot, channel) pairs, all or none; return how many."""
    count = 0
    from django.db import transaction

    with transaction.atomic():
        for channel in OFFLINE_CHANNELS:
            group = [b for b, c in checked if c == channel]
            if group:
                count += ballots.record_offline(group, channel)
    return count
