"""A poll's results: online answers and offline counts, by channel and overall.

Single and multiple choice count selections; a ranking question scores options by
Borda points (with k options ranked at most, rank 1 earns k points, rank k earns 1).
Online counts of a closed poll are computed once, when its ballot box is opened, and kept
(`BallotBox.results`); offline figures, a few rows that staff may still correct, are added
on each request.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from voting import ballots, secrecy
from voting.eligibility import residency_sites
from voting.models import (
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


def online_counts(poll):
    """The online tally: kept from the opening once the poll has closed, else (live results)
    decrypted in memory and cached for a few seconds (voting.secrecy.live_results)."""
    if poll.has_closed():
        return secrecy.opened_box(poll).results
    return secrecy.live_results(poll, lambda opened: ballots.online_tally(poll, opened))


def compute(poll, site):
    questions = poll.question_list
    online = defaultdict(int)  # (option_id, channel) -> count or points
    turnout = defaultdict(int)
    tally = online_counts(poll)
    for key, value in tally["options"].items():
        option_id, channel = key.split("|", 1)
        online[(int(option_id), channel)] += value
    for channel, n in tally["turnout"].items():
        turnout[channel] += n
    for row in OfflineResult.objects.filter(poll=poll).values("option_id", "channel", "count"):
        online[(row["option_id"], row["channel"])] += row["count"]
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
