"""A poll's results: online answers and offline counts, by channel and overall.

Single and multiple choice count selections; a ranking question scores options by
Borda points (with k options ranked at most, rank 1 earns k points, rank k earns 1).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from voting.eligibility import residency_sites
from voting.models import (
    Answer,
    Ballot,
    CensusEntry,
    Channel,
    OfflineResult,
    OfflineTurnout,
    PollQuestion,
    VotingSettings,
)


@dataclass
class OptionResult:
    option: object
    by_channel: dict
    total: int = 0
    percent: float = 0.0


@dataclass
class QuestionResult:
    question: object
    options: list = field(default_factory=list)
    total: int = 0

    @property
    def is_ranking(self):
        return self.question.kind == PollQuestion.Kind.RANKING


@dataclass
class PollResults:
    channels: list
    turnout_by_channel: dict
    voters: int
    eligible: int | None
    questions: list

    @property
    def turnout_percent(self):
        if not self.eligible:
            return None
        return round(100 * self.voters / self.eligible, 1)


def eligible_population(poll, site):
    """The staff's figure, or the census entries old enough (and in the district) if any."""
    if poll.eligible_population:
        return poll.eligible_population
    config = VotingSettings.for_site(site)
    minimum_age = config.minimum_age if poll.minimum_age is None else poll.minimum_age
    closing = poll.closes_at.date()
    try:
        born_by = closing.replace(year=closing.year - minimum_age)
    except ValueError:  # 29 February
        born_by = closing.replace(year=closing.year - minimum_age, day=28)
    entries = CensusEntry.objects.filter(site_id__in=residency_sites(site), birth_date__lte=born_by)
    if poll.district:
        entries = entries.filter(district=poll.district)
    return entries.count() or None


def compute(poll, site):
    questions = poll.question_list
    online = defaultdict(int)  # (option_id, channel) -> count or points
    limits = {q.pk: q.choice_limit(len(q.options.all())) for q in questions}
    kinds = {q.pk: q.kind for q in questions}
    rows = (
        Answer.objects.filter(ballot__poll=poll)
        .values("question_id", "option_id", "rank", "ballot__channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if kinds.get(row["question_id"]) == PollQuestion.Kind.RANKING:
            weight = max(limits[row["question_id"]] - (row["rank"] or 0) + 1, 0)
        else:
            weight = 1
        online[(row["option_id"], row["ballot__channel"])] += weight * row["n"]
    for row in OfflineResult.objects.filter(poll=poll).values("option_id", "channel", "count"):
        online[(row["option_id"], row["channel"])] += row["count"]

    turnout = defaultdict(int)
    for row in (
        Ballot.objects.filter(poll=poll).values("channel").annotate(n=Count("id")).order_by()
    ):
        turnout[row["channel"]] += row["n"]
    for row in (
        OfflineTurnout.objects.filter(poll=poll).values("channel").annotate(n=Sum("ballots"))
    ):
        turnout[row["channel"]] += row["n"] or 0

    used = {channel for (_option, channel), value in online.items() if value} | {
        channel for channel, n in turnout.items() if n
    }
    channels = [c for c in Channel if c == Channel.ONLINE or c in used]
    results = []
    for question in questions:
        result = QuestionResult(question)
        for option in question.options.all():
            by_channel = {c: online.get((option.pk, c), 0) for c in channels}
            result.options.append(OptionResult(option, by_channel, total=sum(by_channel.values())))
        result.total = sum(o.total for o in result.options)
        for option_result in result.options:
            if result.total:
                option_result.percent = round(100 * option_result.total / result.total, 1)
        results.append(result)
    return PollResults(
        channels=channels,
        turnout_by_channel={c: turnout.get(c, 0) for c in channels},
        voters=sum(turnout.values()),
        eligible=eligible_population(poll, site),
        questions=results,
    )
