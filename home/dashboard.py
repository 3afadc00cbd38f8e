"""The municipality's dashboard: what happened, how well it went, what citizens thought.

Every figure is one aggregate query over a municipality's pages (a province's includes its
cities'), whatever the number of rows: counts and percentiles are computed by the database
(PostgreSQL's percentile_cont; elsewhere the one or two rows at the percentile's rank), and
Python only fills in the weeks with no activity. The public "how we are doing" page reads
the same figures.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgeting.models import BudgetPage, BudgetResult
from cms.models import Consent, MunicipalitySettings
from cms.scope import pages_within, site_paths
from participation.models import (
    Comment,
    CommentVote,
    DebatePage,
    PageFeedback,
    ParticipationSettings,
    ProposalPage,
    SatisfactionInvitation,
    SatisfactionRating,
    Support,
)
from voting.models import CensusEntry, Participation, PollPage

Stage = ProposalPage.Stage
ADOPTED = (Stage.ADOPTED, Stage.PARTLY_ADOPTED, Stage.IMPLEMENTED)
DEFAULT_DAYS = 84  # twelve weeks


@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included, in the site's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today=None):
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)

    @property
    def since(self):
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self):
        end = self.end + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))

    def during(self, lookup):
        return Q(**{f"{lookup}__gte": self.since, f"{lookup}__lt": self.until})

    def weeks(self):
        """The Mondays of the weeks the period touches."""
        monday = self.start - datetime.timedelta(days=self.start.weekday())
        while monday <= self.end:
            yield monday
            monday += datetime.timedelta(days=7)


def municipality_sites(site):
    """The site and, for a province, its cities and counties."""
    settings = MunicipalitySettings.for_site(site)
    return [site, *(member.site for member in settings.member_sites)]


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile (interpolated, as the median is usually meant)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _to_days(value):
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    return round(value / 86400, 1)


def _percentiles(queryset, duration, count, fractions):
    """{fraction: days} of `duration` over the queryset, computed by the database."""
    if not count:
        return dict.fromkeys(fractions)
    if connection.vendor == "postgresql":
        figures = queryset.aggregate(
            **{f"p{i}": PercentileCont(EpochSeconds(duration), f) for i, f in enumerate(fractions)}
        )
        return {f: _to_days(figures[f"p{i}"]) for i, f in enumerate(fractions)}
    # Elsewhere: the values at the percentile's rank, interpolated as percentile_cont does.
    ordered = queryset.annotate(duration=duration).order_by("duration")
    result = {}
    for fraction in fractions:
        rank = fraction * (count - 1)
        low = math.floor(rank)
        pair = list(ordered.values_list("duration", flat=True)[low : low + 2])
        low_value = pair[0].total_seconds()
        high_value = pair[-1].total_seconds()
        result[fraction] = _to_days(low_value + (high_value - low_value) * (rank - low))
    return result


def _weekly(queryset, date_field, period, distinct=None):
    """{monday: count} per week, one grouped query."""
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = (
        queryset.annotate(week=TruncWeek(date_field))
        .values("week")
        .annotate(n=counted)
        .values_list("week", "n")
    )
    return {_as_date(week): n for week, n in rows}


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _fill(period, counts):
    return [(monday, counts.get(monday, 0)) for monday in period.weeks()]


def _during(lookup, since, until):
    return Q(**{f"{lookup}__gte": since, f"{lookup}__lt": until})


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _active_counts(sites, first, last):
    """{monday: people who supported, commented, voted or rated that week} for the weeks
    from `first` to `last` (Mondays), in one query."""
    since, until = _aware(first), _aware(last + datetime.timedelta(days=7))
    acts = [
        Support.objects.filter(
            pages_within(sites, "proposal__path"), _during("created_at", since, until)
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "user_id"),
        Comment.objects.filter(
            pages_within(sites, "page__path"), _during("created_at", since, until)
        )
        .annotate(week=TruncWeek("created_at"), person=F("author_id"))
        .values("week", "person"),
        Participation.objects.filter(
            pages_within(sites, "contest__path"),
            voted_on__gte=first,
            voted_on__lt=last + datetime.timedelta(days=7),
        )
        .annotate(week=TruncWeek("voted_on"))
        .values("week", "user_id"),
        SatisfactionRating.objects.filter(
            pages_within(sites, "subject__path"), _during("created_at", since, until)
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "user_id"),
    ]
    union = acts[0].union(*acts[1:], all=True)
    sql, params = union.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # The week as text (its first ten characters, the date): each database and each
            # column type (a date, a time) writes it differently.
            "SELECT SUBSTR(CAST(acts.week AS TEXT), 1, 10) AS monday, "  # noqa: S608
            f"COUNT(DISTINCT acts.user_id) FROM ({sql}) acts "
            "WHERE acts.user_id IS NOT NULL GROUP BY monday",
            params,
        )
        return {_as_date(week): n for week, n in cursor.fetchall()}


def _comment_counts(sites, first, last):
    since, until = _aware(first), _aware(last + datetime.timedelta(days=7))
    comments = Comment.objects.filter(
        pages_within(sites, "page__path"), _during("created_at", since, until)
    )
    return _weekly(comments, "created_at", None)


def _live(sites, first, last):
    return _active_counts(sites, first, last), _comment_counts(sites, first, last)


def weekly_figures(site, sites, period, today=None):
    """Active participants and comments per whole week (Monday to Sunday) touching the
    period. Finished weeks are counted once and kept (WeeklyFigures); only the current
    week is counted from the rows at each request, so a city's millions of rows are read
    once a week, not at every view."""
    from home.models import WeeklyFigures

    today = today or timezone.localdate()
    current = today - datetime.timedelta(days=today.weekday())
    weeks = list(period.weeks())
    finished = [week for week in weeks if week < current]
    stored = {
        row.week: (row.active, row.comments)
        for row in WeeklyFigures.objects.filter(site=site, week__in=finished)
    }
    missing = [week for week in finished if week not in stored]
    if missing:
        active, comments = _live(sites, missing[0], missing[-1])
        rows = [
            WeeklyFigures(
                site=site, week=week, active=active.get(week, 0), comments=comments.get(week, 0)
            )
            for week in missing
        ]
        WeeklyFigures.objects.bulk_create(rows, ignore_conflicts=True)
        stored.update({row.week: (row.active, row.comments) for row in rows})
    if weeks and weeks[-1] >= current:
        active, comments = _live(sites, current, weeks[-1])
        for week in weeks:
            if week >= current:
                stored[week] = (active.get(week, 0), comments.get(week, 0))
    return (
        [(week, stored[week][0]) for week in weeks],
        [(week, stored[week][1]) for week in weeks],
    )


def refresh_weekly_figures(site, weeks=2, today=None):
    """Count the last finished weeks again (late rows, hidden comments); the daily job."""
    from home.models import WeeklyFigures

    today = today or timezone.localdate()
    current = today - datetime.timedelta(days=today.weekday())
    first = current - datetime.timedelta(days=7 * weeks)
    WeeklyFigures.objects.filter(site=site, week__gte=first, week__lt=current).delete()
    end = current - datetime.timedelta(days=1)
    return weekly_figures(site, municipality_sites(site), Period(first, end), today)


def new_accounts(sites, period):
    consents = Consent.objects.filter(
        site__in=sites, kind=Consent.Kind.PRIVACY, given_at__gte=period.since
    ).filter(given_at__lt=period.until)
    return _fill(period, _weekly(consents, "given_at", period, distinct="user_id"))


def proposals(sites, period):
    """Proposals submitted in the period: where they stand now, and how far they went."""
    submitted = ProposalPage.objects.filter(pages_within(sites), period.during("submitted_at"))
    by_stage = dict(submitted.values("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    funnel = submitted.aggregate(
        submitted=Count("pk"),
        published=Count("pk", filter=Q(published_at__isnull=False)),
        threshold=Count("pk", filter=Q(threshold_reached_at__isnull=False)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        adopted=Count("pk", filter=Q(stage__in=ADOPTED)),
        implemented=Count("pk", filter=Q(stage=Stage.IMPLEMENTED)),
    )
    return {
        "by_stage": [(label, by_stage.get(value, 0)) for value, label in Stage.choices],
        "funnel": [
            (_("Submitted"), funnel["submitted"]),
            (_("Published"), funnel["published"]),
            (_("Reached the threshold"), funnel["threshold"]),
            (_("Answered"), funnel["answered"]),
            (_("Adopted"), funnel["adopted"]),
            (_("Implemented"), funnel["implemented"]),
        ],
    }


def answer_times(sites, period):
    """Committee answers given in the period: how long after the threshold, and on time."""
    answered = ProposalPage.objects.filter(
        pages_within(sites), period.during("answered_at"), threshold_reached_at__isnull=False
    )
    figures = answered.aggregate(
        answered=Count("pk"),
        on_time=Count("pk", filter=Q(answered_at__lte=F("review_due_at"))),
    )
    duration = ExpressionWrapper(
        F("answered_at") - F("threshold_reached_at"), output_field=DurationField()
    )
    percentiles = _percentiles(answered, duration, figures["answered"], (0.5, 0.9))
    promised = (
        ParticipationSettings.objects.filter(site__in=sites)
        .order_by("site_id")
        .values_list("committee_days", flat=True)
        .first()
    )
    return {
        "answered": figures["answered"],
        "on_time": figures["on_time"],
        "on_time_share": _share(figures["on_time"], figures["answered"]),
        "median_days": percentiles[0.5],
        "p90_days": percentiles[0.9],
        "promised_days": promised
        or ParticipationSettings._meta.get_field("committee_days").default,
    }


def discussion(sites, period, weekly):
    """Comments per week and in all (from the weekly figures), votes on them, new debates."""
    votes = CommentVote.objects.filter(
        pages_within(sites, "comment__page__path"), period.during("created_at")
    ).count()
    debates = DebatePage.objects.filter(
        pages_within(sites), period.during("first_published_at")
    ).count()
    return {
        "weekly": weekly,
        "comments": sum(n for _week, n in weekly),
        "votes": votes,
        "debates": debates,
    }


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


def turnout(sites, period):
    """Polls and budgets that closed in the period: voters against the eligible population."""
    census = dict(
        CensusEntry.objects.filter(site__in=sites)
        .values("site")
        .annotate(n=Count("pk"))
        .values_list("site", "n")
    )
    paths = site_paths(sites)
    rows = []
    polls = (
        PollPage.objects.filter(pages_within(sites), period.during("closes_at"))
        .annotate(voters=Count("participations"))  # one per voter: a unique constraint
        .order_by("closes_at", "pk")
        .only("title", "path", "eligible_population", "closes_at")
    )
    for poll in polls:
        site = next((s for s, p in paths.items() if p and poll.path.startswith(p)), None)
        eligible = poll.eligible_population or census.get(site.pk if site else None) or None
        rows.append((_("Poll"), poll.title, poll.voters, eligible, _share(poll.voters, eligible)))
    budgets = (
        BudgetPage.objects.filter(
            pages_within(sites),
            pk__in=BudgetResult.objects.published()
            .filter(period.during("published_at"))
            .values("heading__page"),
        )
        .annotate(voters=Count("participations__user", distinct=True))
        .order_by("pk")
        .only("title", "path")
    )
    for budget in budgets:
        site = next((s for s, p in paths.items() if p and budget.path.startswith(p)), None)
        eligible = census.get(site.pk if site else None) or None
        rows.append(
            (_("Budget"), budget.title, budget.voters, eligible, _share(budget.voters, eligible))
        )
    return rows


def satisfaction(sites, period):
    ratings = SatisfactionRating.objects.filter(
        pages_within(sites, "subject__path"), period.during("created_at")
    )
    figures = ratings.aggregate(
        ratings=Count("pk"), answer=Avg("answer_score"), process=Avg("process_score")
    )
    spread = dict(
        ratings.values("answer_score").annotate(n=Count("pk")).values_list("answer_score", "n")
    )
    invited = SatisfactionInvitation.objects.filter(
        pages_within(sites, "subject__path"), period.during("created_at")
    ).count()
    helpful = PageFeedback.objects.filter(
        pages_within(sites, "page__path"), period.during("created_at")
    ).aggregate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
    return {
        "ratings": figures["ratings"],
        "invited": invited,
        "response_share": _share(figures["ratings"], invited),
        "answer": round(figures["answer"], 2) if figures["answer"] is not None else None,
        "process": round(figures["process"], 2) if figures["process"] is not None else None,
        "spread": [(str(score), spread.get(score, 0)) for score in range(1, 6)],
        "helpful_yes": helpful["yes"],
        "helpful_no": helpful["no"],
    }


@dataclass
class Dashboard:
    site: object
    sites: list
    period: Period
    figures: dict = field(default_factory=dict)

    @classmethod
    def build(cls, site, period):
        sites = municipality_sites(site)
        active, comments = weekly_figures(site, sites, period)
        return cls(
            site,
            sites,
            period,
            {
                "active": active,
                "accounts": new_accounts(sites, period),
                "proposals": proposals(sites, period),
                "answers": answer_times(sites, period),
                "discussion": discussion(sites, period, comments),
                "turnout": turnout(sites, period),
                "satisfaction": satisfaction(sites, period),
            },
        )

    def csv_rows(self):
        """(section, item, value) rows: every figure the page shows."""
        f = self.figures
        yield (_("Period"), str(self.period.start), str(self.period.end))
        for monday, n in f["active"]:
            yield (_("Active participants per week"), monday.isoformat(), n)
        for monday, n in f["accounts"]:
            yield (_("New accounts per week"), monday.isoformat(), n)
        for label, n in f["proposals"]["by_stage"]:
            yield (_("Proposals by stage"), label, n)
        for label, n in f["proposals"]["funnel"]:
            yield (_("Proposal funnel"), label, n)
        answers = f["answers"]
        for key, label in ANSWER_LABELS:
            yield (_("Committee answers"), label, _blank(answers[key]))
        discussion_figures = f["discussion"]
        for monday, n in discussion_figures["weekly"]:
            yield (_("Comments per week"), monday.isoformat(), n)
        for key, label in DISCUSSION_LABELS:
            yield (_("Debates and comments"), label, discussion_figures[key])
        for kind, title, voters, eligible, share in f["turnout"]:
            yield (
                _("Turnout"),
                f"{kind}: {title}",
                f"{voters}/{_blank(eligible)} ({_blank(share)}%)",
            )
        sat = f["satisfaction"]
        for key, label in SATISFACTION_LABELS:
            yield (_("Satisfaction"), label, _blank(sat[key]))
        for score, n in sat["spread"]:
            yield (_("Ratings of the answer"), score, n)


def _blank(value):
    return "" if value is None else value


ANSWER_LABELS = [
    ("answered", _("Answered in the period")),
    ("on_time", _("Answered on time")),
    ("on_time_share", _("Share answered on time (%)")),
    ("median_days", _("Median days from threshold to answer")),
    ("p90_days", _("90th percentile of days from threshold to answer")),
    ("promised_days", _("Days promised")),
]
DISCUSSION_LABELS = [
    ("debates", _("Debates published")),
    ("comments", _("Comments")),
    ("votes", _("Votes on comments")),
]
SATISFACTION_LABELS = [
    ("invited", _("People invited to rate")),
    ("ratings", _("Ratings")),
    ("response_share", _("Response rate (%)")),
    ("answer", _("Average rating of the answer (1–5)")),
    ("process", _("Average rating of the process (1–5)")),
    ("helpful_yes", _("Pages found helpful")),
    ("helpful_no", _("Pages found not helpful")),
]
