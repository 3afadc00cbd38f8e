"""Reading and writing the pabulib format (https://pabulib.org/format), without the ORM.

A file has three sections, META, PROJECTS and VOTES, each a header line and rows of
`;`-separated fields (optionally quoted, read with the csv module). We accept a BOM, CRLF
line ends and decimal commas in numbers. Every problem found is reported with its line
number; a file with any problem is refused whole.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")
SECTIONS = ("META", "PROJECTS", "VOTES")
INTEGER_META = (
    "num_projects",
    "num_votes",
    "min_length",
    "max_length",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)
DECIMAL_META = ("budget", "min_sum_cost", "max_sum_cost", "min_project_score_threshold")
VOTER_COLUMNS = ("age", "sex", "neighborhood", "voting_method")


class PabulibError(Exception):
    """A malformed file: `problems` is a list of (line number, message)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self):
        return [
            _("line %(line)s: %(message)s") % {"line": line, "message": message}
            for line, message in self.problems
        ]


@dataclass
class Project:
    project_id: str
    cost: Decimal
    line: int
    columns: dict  # every other column, as written


@dataclass
class Vote:
    voter_id: str
    projects: list  # project ids in ballot order
    points: list | None
    line: int
    columns: dict  # every other column, as written


@dataclass
class PabulibFile:
    meta: dict  # key -> raw value, in file order
    project_columns: list
    projects: list
    vote_columns: list
    votes: list
    settings: dict = field(default_factory=dict)  # parsed META values

    @property
    def vote_type(self):
        return self.settings["vote_type"]


def parse_number(raw, integer=False):
    """A pabulib number: decimal comma or point, no thousands separators."""
    if integer and raw.isdigit():
        return int(raw)
    text = raw.strip().replace(",", ".")
    if not text:
        raise ValueError(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    if integer:
        if value != value.to_integral_value():
            raise ValueError(raw)
        return int(value)
    return value


def _split(field_text):
    return [part.strip() for part in field_text.split(",") if part.strip()]


def parse(data):
    """Parse bytes or text; return a PabulibFile or raise PabulibError."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PabulibError([(1, _("the file is not UTF-8 text."))]) from error
    data = data.removeprefix("\ufeff")
    problems = []
    sections = {}
    current = None
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=";", quotechar='"')
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) == 1 and row[0].strip().upper() in SECTIONS:
            name = row[0].strip().upper()
            if name in sections:
                problems.append(
                    (line, _("the %(section)s section appears twice.") % {"section": name})
                )
            current = sections[name] = {"line": line, "header": None, "rows": []}
            continue
        if current is None:
            problems.append((line, _("the file must start with the META section.")))
            raise PabulibError(problems)
        if current["header"] is None:
            current["header"] = [cell.strip().lower() for cell in row]
            current["header_line"] = line
        else:
            current["rows"].append((line, row))
    last_line = reader.line_num
    for name in SECTIONS:
        if name not in sections:
            problems.append(
                (last_line, _("the %(section)s section is missing.") % {"section": name})
            )
    if problems:
        raise PabulibError(problems)

    meta, settings = _parse_meta(sections["META"], problems)
    projects, project_columns = _parse_projects(sections["PROJECTS"], problems)
    votes, vote_columns = _parse_votes(sections["VOTES"], settings, projects, problems)
    if problems:
        raise PabulibError(sorted(problems))
    return PabulibFile(meta, project_columns, projects, vote_columns, votes, settings)


def _rows_as_dicts(section, problems):
    header = section["header"] or []
    for line, row in section["rows"]:
        if len(row) != len(header):
            problems.append(
                (
                    line,
                    _("expected %(expected)s fields separated by ';', found %(found)s.")
                    % {"expected": len(header), "found": len(row)},
                )
            )
            continue
        yield line, dict(zip(header, (cell.strip() for cell in row), strict=True))


def _require_columns(section, columns, problems):
    header = section["header"] or []
    missing = [c for c in columns if c not in header]
    for column in missing:
        problems.append(
            (
                section.get("header_line", section["line"]),
                _("the column %(column)s is missing.") % {"column": column},
            )
        )
    return not missing


def _parse_meta(section, problems):
    meta, settings = {}, {}
    header_line = section.get("header_line", section["line"])
    header = section["header"] or []
    # The header is usually "key;value"; a file whose META has no header line starts with data.
    rows = list(section["rows"])
    if header and header[:2] != ["key", "value"]:
        rows.insert(0, (header_line, header))
    for line, row in rows:
        if len(row) < 2:
            problems.append((line, _("a META line needs a key and a value.")))
            continue
        key, value = row[0].strip(), ";".join(row[1:]).strip()
        meta[key] = value
        try:
            if key in INTEGER_META:
                settings[key] = parse_number(value, integer=True)
            elif key in DECIMAL_META:
                settings[key] = parse_number(value)
        except ValueError:
            problems.append(
                (
                    line,
                    _("%(key)s must be a number, not “%(value)s”.") % {"key": key, "value": value},
                )
            )
        if key == "vote_type":
            settings["vote_type"] = value.lower()
            if value.lower() not in VOTE_TYPES:
                problems.append(
                    (
                        line,
                        _("unknown vote type “%(value)s” (expected one of %(types)s).")
                        % {"value": value, "types": ", ".join(VOTE_TYPES)},
                    )
                )
    for key in ("budget", "vote_type"):
        if key not in meta:
            problems.append((header_line, _("the META key %(key)s is missing.") % {"key": key}))
    return meta, settings


def _parse_projects(section, problems):
    projects = {}
    if not _require_columns(section, ("project_id", "cost"), problems):
        return projects, section["header"]
    for line, row in _rows_as_dicts(section, problems):
        project_id = row.pop("project_id")
        raw_cost = row.pop("cost")
        if not project_id:
            problems.append((line, _("a project has no project_id.")))
            continue
        if project_id in projects:
            problems.append((line, _("the project id %(id)s appears twice.") % {"id": project_id}))
            continue
        try:
            cost = parse_number(raw_cost)
            if cost < 0:
                raise ValueError(raw_cost)
        except ValueError:
            problems.append(
                (
                    line,
                    _("the cost of project %(id)s must be a non-negative number, not “%(value)s”.")
                    % {"id": project_id, "value": raw_cost},
                )
            )
            continue
        for column in ("latitude", "longitude"):
            if row.get(column):
                try:
                    parse_number(row[column])
                except ValueError:
                    problems.append(
                        (
                            line,
                            _("%(column)s must be a number, not “%(value)s”.")
                            % {"column": column, "value": row[column]},
                        )
                    )
        projects[project_id] = Project(project_id, cost, line, row)
    return list(projects.values()), section["header"]


def _parse_votes(section, settings, projects, problems):
    votes = []
    if not _require_columns(section, ("voter_id", "vote"), problems):
        return votes, section["header"]
    header = section["header"]
    width = len(header)
    voter_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if "points" in header else None
    other = [(i, c) for i, c in enumerate(header) if c not in ("voter_id", "vote", "points")]
    known = {p.project_id for p in projects}
    kind = settings.get("vote_type")
    max_points = settings.get("max_points")
    max_sum_points = settings.get("max_sum_points")
    seen = {}
    for line, row in section["rows"]:
        if len(row) != width:
            problems.append(
                (
                    line,
                    _("expected %(expected)s fields separated by ';', found %(found)s.")
                    % {"expected": width, "found": len(row)},
                )
            )
            continue
        voter_id = row[voter_at].strip()
        chosen = [p.strip() for p in row[vote_at].split(",")]
        if "" in chosen:
            chosen = [p for p in chosen if p]
        if not voter_id:
            problems.append((line, _("a vote has no voter_id.")))
        elif voter_id in seen:
            problems.append(
                (
                    line,
                    _("the voter id %(id)s already voted on line %(first)s.")
                    % {"id": voter_id, "first": seen[voter_id]},
                )
            )
            continue
        seen[voter_id] = line
        before = len(problems)
        if not known.issuperset(chosen):
            for project_id in chosen:
                if project_id not in known:
                    problems.append(
                        (
                            line,
                            _("the vote is for project %(id)s, which is not in PROJECTS.")
                            % {"id": project_id},
                        )
                    )
        if len(set(chosen)) != len(chosen):
            problems.append((line, _("the vote names the same project twice.")))
        if kind == "choose-1" and len(chosen) > 1:
            problems.append((line, _("a choose-1 vote names more than one project.")))
        points = None
        raw_points = row[points_at].strip() if points_at is not None else ""
        if raw_points:
            try:
                points = [parse_number(p, integer=True) for p in _split(raw_points)]
                if any(p < 0 for p in points):
                    raise ValueError(raw_points)
            except ValueError:
                problems.append(
                    (
                        line,
                        _("points must be whole numbers, not “%(value)s”.") % {"value": raw_points},
                    )
                )
                points = None
            if points is not None and len(points) != len(chosen):
                problems.append(
                    (
                        line,
                        _("the vote lists %(projects)s projects but %(points)s points.")
                        % {"projects": len(chosen), "points": len(points)},
                    )
                )
                points = None
        if kind == "cumulative" and points is None and chosen and len(problems) == before:
            problems.append((line, _("a cumulative vote needs its points.")))
        if points is not None:
            if max_points is not None and any(p > max_points for p in points):
                problems.append(
                    (
                        line,
                        _("a project gets more than the %(limit)s points allowed.")
                        % {"limit": max_points},
                    )
                )
            if max_sum_points is not None and sum(points) > max_sum_points:
                problems.append(
                    (
                        line,
                        _("the vote gives %(total)s points, more than the %(limit)s allowed.")
                        % {"total": sum(points), "limit": max_sum_points},
                    )
                )
        columns = {c: row[i].strip() for i, c in other} if other else {}
        votes.append(Vote(voter_id, chosen, points, line, columns))
    return votes, header


# Writing


def format_number(value):
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def write(meta, project_columns, project_rows, vote_columns, vote_rows):
    """The text of a pabulib file; rows are dicts keyed by column."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    writer.writerow(project_columns)
    for row in project_rows:
        writer.writerow([row.get(column, "") for column in project_columns])
    out.write("VOTES\n")
    writer.writerow(vote_columns)
    for row in vote_rows:
        writer.writerow([row.get(column, "") for column in vote_columns])
    return out.getvalue()


PABULIB_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares/add1": "equal-shares",
    "equalshares": "equal-shares",
    "equalshares/add1-comparison": "equal-shares-comparison",
    "equalshares-comparison": "equal-shares-comparison",
}
OUR_RULES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equal-shares": "equalshares/add1",
    "equal-shares-comparison": "equalshares/add1-comparison",
}


def election(pb):
    """The pure rules' view of a parsed file (projects in file order)."""
    from budgeting.rules import Election

    index = {p.project_id: i for i, p in enumerate(pb.projects)}
    return Election(
        costs=[p.cost for p in pb.projects],
        budget=pb.settings["budget"],
        ballots=[[index[p] for p in v.projects] for v in pb.votes],
        kind=pb.vote_type,
        points=[v.points or [] for v in pb.votes] if pb.vote_type == "cumulative" else None,
        max_length=pb.settings.get("max_length"),
        threshold=pb.settings.get("min_project_score_threshold"),
    )
