"""The open data bundle: per municipality, a ZIP of CSV files with their data dictionary.

Every file lists only what ``opendata.public`` lists (each model's own visibility gate), the
same rows the API shows. CSVs are UTF-8 with a byte order mark, so Excel opens Korean text
correctly. ``data_dictionary.csv`` describes every column of every file; ``README.md`` and
``metadata.json`` give the licence and the date the bundle was built.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from html import unescape

from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import MunicipalitySettings
from cms.scope import site_among, site_paths, sites_in_view
from opendata import public

BOM = "\ufeff"


def _text(html):
    return unescape(strip_tags(html or "")).strip()


def _date(value):
    return value.isoformat() if value else ""


def _name(author):
    return author.public_name if author else ""


@dataclass
class Column:
    name: str
    kind: str
    description: str
    value: object  # function of the row


@dataclass
class Table:
    filename: str
    description: str
    columns: list = field(default_factory=list)


def c(name, kind, description, value):
    return Column(name, kind, description, value)


def _tables():
    """The files of a bundle and their columns; rows come from ``_rows``."""
    municipality = c("municipality", "text", _("Hostname of the municipality's site"), None)
    return [
        Table(
            "municipalities.csv",
            _("The municipality and, for a province, its cities and counties"),
            [
                c("hostname", "text", _("Hostname of the site"), lambda m: m.site.hostname),
                c("name", "text", _("Official name in Korean"), lambda m: m.name_ko),
                c("name_en", "text", _("Official name in English"), lambda m: m.name_en),
                c("kind", "text", _("province or city (city or county)"), lambda m: m.kind),
                c(
                    "province",
                    "text",
                    _("Hostname of the province's site, for a city or county"),
                    lambda m: m.parent_province.hostname if m.parent_province_id else "",
                ),
            ],
        ),
        Table(
            "proposals.csv",
            _("Citizen proposals the public can read"),
            [
                c("id", "integer", _("Proposal id (as in the API)"), lambda p: p.pk),
                municipality,
                c("url", "url", _("Address of the proposal's page"), lambda p: p.public_address),
                c("title", "text", _("Title"), lambda p: p.title),
                c("summary", "text", _("Summary"), lambda p: p.summary),
                c("body", "text", _("The proposal, as plain text"), lambda p: _text(p.body)),
                c("stage", "text", _("Stage code"), lambda p: p.stage),
                c("stage_label", "text", _("Stage"), lambda p: p.get_stage_display()),
                c("topic", "text", _("Topic"), lambda p: p.topic.name if p.topic else ""),
                c("area", "text", _("Area"), lambda p: p.area.name if p.area else ""),
                c("author_name", "text", _("Author's display name"), lambda p: _name(p.author)),
                c("supports", "integer", _("Supports"), lambda p: p.support_count),
                c(
                    "supports_needed",
                    "integer",
                    _("Supports needed for committee review"),
                    lambda p: p.support_threshold,
                ),
                c(
                    "supports_close",
                    "datetime",
                    _("When supports close"),
                    lambda p: _date(p.support_deadline),
                ),
                c("published_at", "datetime", _("Published"), lambda p: _date(p.published_at)),
                c(
                    "threshold_reached_at",
                    "datetime",
                    _("When it reached the supports needed"),
                    lambda p: _date(p.threshold_reached_at),
                ),
                c(
                    "answer_due_at",
                    "datetime",
                    _("When the committee's answer is due"),
                    lambda p: _date(p.review_due_at),
                ),
                c("answered_at", "datetime", _("Answered"), lambda p: _date(p.answered_at)),
                c("closed_at", "datetime", _("Closed"), lambda p: _date(p.closed_at)),
                c(
                    "committee_answer",
                    "text",
                    _("The committee's public answer"),
                    lambda p: p.answer,
                ),
            ],
        ),
        Table(
            "proposal_timeline.csv",
            _("The public timeline of each proposal"),
            [
                c("proposal_id", "integer", _("Proposal id"), lambda e: e.proposal_id),
                c("kind", "text", _("Step code"), lambda e: e.kind),
                c("label", "text", _("Step"), lambda e: e.get_kind_display()),
                c("note", "text", _("Note"), lambda e: e.note),
                c("at", "datetime", _("When"), lambda e: _date(e.created_at)),
            ],
        ),
        Table(
            "implementation_updates.csv",
            _("Progress reports on adopted proposals and funded budget projects"),
            [
                c(
                    "page_id",
                    "integer",
                    _("Id of the proposal or budget project (as in the API)"),
                    lambda u: u.page_id,
                ),
                c("status", "text", _("Status code"), lambda u: u.status),
                c("progress", "integer", _("Progress in percent"), lambda u: u.progress),
                c("date", "date", _("Date of the report"), lambda u: _date(u.date)),
                c("note", "text", _("Report"), lambda u: u.note),
            ],
        ),
        Table(
            "debates.csv",
            _("Debates with the balance of positions"),
            [
                c("id", "integer", _("Debate id (as in the API)"), lambda d: d.pk),
                municipality,
                c("url", "url", _("Address of the debate's page"), lambda d: d.public_address),
                c("title", "text", _("Title"), lambda d: d.title),
                c("summary", "text", _("The question"), lambda d: d.summary),
                c("official", "boolean", _("Put by the municipality"), lambda d: int(d.official)),
                c("status", "text", _("upcoming, open or closed"), lambda d: d.status),
                c(
                    "author_name",
                    "text",
                    _("Display name of who opened it"),
                    lambda d: _name(d.author),
                ),
                c(
                    "published_at",
                    "datetime",
                    _("Published"),
                    lambda d: _date(d.first_published_at),
                ),
                c("closed_at", "datetime", _("Closed"), lambda d: _date(d.closed_at)),
                c("up_votes", "integer", _("Up votes"), lambda d: d.up_count),
                c("down_votes", "integer", _("Down votes"), lambda d: d.down_count),
                c("comments", "integer", _("Comments"), lambda d: d.comment_count),
                c(
                    "positions_for",
                    "integer",
                    _("Top-level comments for"),
                    lambda d: d.positions_for,
                ),
                c(
                    "positions_against",
                    "integer",
                    _("Top-level comments against"),
                    lambda d: d.positions_against,
                ),
                c(
                    "positions_neutral",
                    "integer",
                    _("Neutral top-level comments"),
                    lambda d: d.positions_neutral,
                ),
                c("conclusion", "text", _("Conclusion when closed"), lambda d: d.conclusion),
            ],
        ),
        Table(
            "comments.csv",
            _("Comments shown on proposals, debates and polls"),
            [
                c("id", "integer", _("Comment id"), lambda m: m.pk),
                c(
                    "page_id",
                    "integer",
                    _("Id of the proposal, debate or poll"),
                    lambda m: m.page_id,
                ),
                c(
                    "parent_id",
                    "integer",
                    _("Id of the comment it replies to"),
                    lambda m: m.parent_id or "",
                ),
                c("author_name", "text", _("Author's display name"), lambda m: _name(m.author)),
                c("position", "text", _("for, against, neutral or empty"), lambda m: m.position),
                c("body", "text", _("The comment, as plain text"), lambda m: _text(m.body)),
                c("created_at", "datetime", _("Posted"), lambda m: _date(m.created_at)),
                c("up_votes", "integer", _("Up votes"), lambda m: m.up_count),
                c("down_votes", "integer", _("Down votes"), lambda m: m.down_count),
            ],
        ),
        Table(
            "polls.csv",
            _("Polls"),
            [
                c("id", "integer", _("Poll id (as in the API)"), lambda p: p.pk),
                municipality,
                c("url", "url", _("Address of the poll's page"), lambda p: p.public_address),
                c("title", "text", _("Title"), lambda p: p.title),
                c("opens_at", "datetime", _("Opens"), lambda p: _date(p.opens_at)),
                c("closes_at", "datetime", _("Closes"), lambda p: _date(p.closes_at)),
                c(
                    "results_published",
                    "boolean",
                    _("Whether its results are published"),
                    lambda p: int(p.results_shown),
                ),
                c("voters", "integer", _("Voters, once results are published"), lambda p: p.voters),
            ],
        ),
        Table(
            "poll_options.csv",
            _("Questions and options of polls, with results once published"),
            [
                c("poll_id", "integer", _("Poll id"), lambda r: r["poll"]),
                c("question_id", "integer", _("Question id"), lambda r: r["question"].pk),
                c("question", "text", _("Question"), lambda r: r["question"].text),
                c("option_id", "integer", _("Option id"), lambda r: r["option"].pk),
                c("option", "text", _("Option"), lambda r: r["option"].text),
                c(
                    "votes",
                    "integer",
                    _("Votes (points for a ranking), empty until results are published"),
                    lambda r: r["total"],
                ),
                c("percent", "number", _("Share of the question's votes"), lambda r: r["percent"]),
            ],
        ),
        Table(
            "budgets.csv",
            _("Participatory budgets"),
            [
                c("id", "integer", _("Budget id (as in the API)"), lambda b: b.pk),
                municipality,
                c("url", "url", _("Address of the budget's page"), lambda b: b.public_address),
                c("title", "text", _("Title"), lambda b: b.title),
                c("ballot_kind", "text", _("Ballot kind"), lambda b: b.ballot_kind),
                c("rule", "text", _("Counting rule"), lambda b: b.rule),
                c("currency", "text", _("Currency"), lambda b: b.currency),
            ],
        ),
        Table(
            "budget_headings.csv",
            _("Headings of budgets, with their published result"),
            [
                c("budget_id", "integer", _("Budget id"), lambda h: h.page_id),
                c("heading_id", "integer", _("Heading id"), lambda h: h.pk),
                c("name", "text", _("Name"), lambda h: h.name),
                c("amount", "number", _("Amount"), lambda h: h.amount),
                c("district", "text", _("District"), lambda h: h.district),
                c(
                    "result_published_at",
                    "datetime",
                    _("When its result was published; empty until then"),
                    lambda h: _date(h.result.published_at) if h.result else "",
                ),
                c(
                    "spent",
                    "number",
                    _("Spent by the selected projects"),
                    lambda h: h.result.spent if h.result else "",
                ),
                c(
                    "ballots_counted",
                    "integer",
                    _("Ballots counted"),
                    lambda h: h.result.ballots_counted if h.result else "",
                ),
            ],
        ),
        Table(
            "budget_projects.csv",
            _("Projects of participatory budgets"),
            [
                c("id", "integer", _("Project id (as in the API)"), lambda p: p.pk),
                c("budget_id", "integer", _("Budget id"), lambda p: p.heading.page_id),
                c("heading_id", "integer", _("Heading id"), lambda p: p.heading_id),
                c("title", "text", _("Title"), lambda p: p.title),
                c("cost", "number", _("Cost"), lambda p: p.cost),
                c(
                    "pabulib_id",
                    "text",
                    _("Project id in the pabulib file"),
                    lambda p: p.pabulib_id,
                ),
                c(
                    "score",
                    "number",
                    _("Score; empty until the result is published"),
                    lambda p: p.score,
                ),
                c(
                    "selected",
                    "boolean",
                    _("Funded (1) or not (0); empty until the result is published"),
                    lambda p: p.selected,
                ),
            ],
        ),
    ]


def _rows(sites):
    """{filename: rows} for these sites, each list from opendata.public."""
    paths = site_paths(sites)

    def hostname(obj):
        site = site_among(obj, paths)
        return site.hostname if site else ""

    def with_site(objects):
        objects = list(objects)
        for obj in objects:
            obj.municipality = hostname(obj)
            obj.public_address = obj.get_full_url() or ""
        return objects

    proposals = with_site(public.proposals(sites).order_by("pk"))
    proposal_ids = [p.pk for p in proposals]
    polls = with_site(public.polls(sites).order_by("pk"))
    option_rows = []
    for poll in polls:
        poll.results_shown = public.poll_results_shown(poll)
        poll.voters = ""
        totals = {}
        if poll.results_shown:
            from voting import results

            site = next(s for s in sites if s.hostname == poll.municipality)
            computed = results.compute(poll, site)
            poll.voters = computed.voters
            for question in computed.questions:
                for option in question.options:
                    totals[option.option.pk] = (option.total, option.percent)
        for question in poll.public_questions:
            for option in question.options.all():
                total, percent = totals.get(option.pk, ("", ""))
                option_rows.append(
                    {
                        "poll": poll.pk,
                        "question": question,
                        "option": option,
                        "total": total,
                        "percent": percent,
                    }
                )
    budgets = with_site(public.budgets(sites).order_by("pk"))
    headings = []
    for budget in budgets:
        for heading in budget.public_headings:
            heading.result = heading.published_results[0] if heading.published_results else None
            headings.append(heading)
    results = public.published_results(sites)
    projects = list(public.budget_projects(sites).order_by("heading__page_id", "file_order", "pk"))
    for project in projects:
        result = results.get(project.heading_id)
        project.score = result.scores.get(str(project.pk), "") if result else ""
        project.selected = int(project.pk in result.selected) if result else ""
    return {
        "municipalities.csv": MunicipalitySettings.objects.filter(site__in=sites)
        .select_related("site", "parent_province")
        .order_by("pk"),
        "proposals.csv": proposals,
        "proposal_timeline.csv": public.ProposalEvent.objects.public()
        .filter(proposal_id__in=proposal_ids)
        .order_by("proposal_id", "created_at", "pk"),
        "implementation_updates.csv": public.ImplementationUpdate.objects.filter(
            page_id__in=proposal_ids + [project.pk for project in projects]
        ).order_by("page_id", "date", "pk"),
        "debates.csv": with_site(public.debates(sites).order_by("pk")),
        "comments.csv": public.comments(sites).order_by("pk").iterator(chunk_size=2000),
        "polls.csv": polls,
        "poll_options.csv": option_rows,
        "budgets.csv": budgets,
        "budget_headings.csv": headings,
        "budget_projects.csv": projects,
    }


def _csv(header, rows):
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def build(site, now=None):
    """The bundle's bytes for this site (a province's includes its cities and counties) and
    the rows per file."""
    now = now or timezone.now()
    sites = sites_in_view(site)
    config = MunicipalitySettings.for_site(site)
    with translation.override("ko"):
        tables = _tables()
        rows = _rows(sites)
        counts = {}
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            dictionary = []
            for table in tables:
                lines = []
                for obj in rows[table.filename]:
                    values = []
                    for column in table.columns:
                        if column.name == "municipality":
                            values.append(obj.municipality)
                        else:
                            values.append(column.value(obj))
                    lines.append(values)
                counts[table.filename] = len(lines)
                bundle.writestr(table.filename, _csv([col.name for col in table.columns], lines))
                for column in table.columns:
                    dictionary.append(
                        [table.filename, column.name, column.kind, str(column.description)]
                    )
            header = [gettext("file"), gettext("column"), gettext("type"), gettext("description")]
            files = [[t.filename, "", "", str(t.description)] for t in tables]
            bundle.writestr(
                "data_dictionary.csv",
                _csv(["file", "column", "type", "description"], files + dictionary),
            )
            metadata = {
                "municipality": config.name_ko,
                "hostname": site.hostname,
                "built_at": now.isoformat(),
                "licence": config.data_licence,
                "licence_name": str(config.get_data_licence_display()),
                "licence_url": config.data_licence_url,
                "api": site.root_url + "/api/v1/docs/",
                "files": counts,
            }
            bundle.writestr(
                "metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
            )
            built_label, licence_label = gettext("Built"), gettext("Licence")
            api_label = gettext("API documentation")
            about = gettext(
                "Each CSV file is UTF-8 with a byte order mark. data_dictionary.csv describes "
                "every column (%(header)s)."
            ) % {"header": ", ".join(header)}
            readme = [
                "# " + gettext("Open data of %(name)s") % {"name": config.name_ko},
                "",
                f"- {built_label}: {timezone.localtime(now):%Y-%m-%d %H:%M}",
                f"- {licence_label}: {metadata['licence_name']} ({metadata['licence_url']})",
                f"- {api_label}: {metadata['api']}",
                "",
                about,
                "",
            ]
            bundle.writestr("README.md", "\n".join(readme))
    return archive.getvalue(), counts


def rebuild(site_id):
    """Build a site's bundle and store it, replacing the previous one (an RQ job)."""
    from opendata.models import OpenDataBundle

    site = Site.objects.get(pk=site_id)
    now = timezone.now()
    data, counts = build(site, now)
    config = MunicipalitySettings.for_site(site)
    bundle = OpenDataBundle.objects.filter(site=site).first() or OpenDataBundle(site=site)
    old = bundle.file.name if bundle.pk else None
    bundle.built_at = now
    bundle.size = len(data)
    bundle.licence = config.data_licence
    bundle.rows = counts
    bundle.file.save(f"open-data-{now:%Y%m%d%H%M%S}.zip", ContentFile(data), save=False)
    bundle.save()
    if old and old != bundle.file.name:
        bundle.file.storage.delete(old)
    return bundle.pk


def rebuild_all():
    """Queue one rebuild per municipality (rqcron runs this on a schedule)."""
    from cms.jobs import enqueue_now

    for site_id in Site.objects.order_by("pk").values_list("pk", flat=True):
        enqueue_now(rebuild, site_id)
