"""A poll's secret vote, through the generic ballot box of voting.secrecy.

A poll's payload is ``{"answers": [[question_id, option_id, rank or null], ...]}``, already
validated against the poll (voting.forms.BallotForm). At the close the box is opened and
`open_poll_ballots` stores the answers as anonymous `Ballot`/`Answer` rows and keeps the
online tally, so closed results are never recomputed.
"""

import uuid
from collections import defaultdict

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.satisfaction import invite_after_poll_result
from voting import eligibility, secrecy
from voting.models import Answer, Ballot, PollQuestion
from voting.secrecy import VoteRefused

__all__ = ["VoteRefused", "cast", "change", "check_receipt", "ensure_may_vote"]


def timing_error(poll, now=None):
    now = now or timezone.now()
    if poll.has_not_opened(now):
        return _("This poll has not opened yet.")
    if poll.has_closed(now):
        return _("This poll has closed; votes are no longer accepted.")
    return None


def ensure_may_vote(poll, user, site, now=None):
    error = timing_error(poll, now)
    if error:
        raise VoteRefused(error)
    decision = eligibility.check(user, site, action="vote", rule=poll.rule)
    if not decision.allowed:
        raise VoteRefused(*decision.reasons)


def _payload(choices):
    return {"answers": [[q, o, r] for q, o, r in choices]}


def cast(poll, user, site, choices, now=None):
    """Record a first vote; return the receipt code."""
    ensure_may_vote(poll, user, site, now)
    try:
        return secrecy.cast(poll, "", user, _payload(choices))
    except secrecy.AlreadyVoted:
        raise VoteRefused(
            _("You have already voted in this poll. To change your answers, use your receipt code.")
        ) from None


def change(poll, user, site, receipt, choices, now=None):
    """Replace the answers sealed under this receipt; the last submission counts."""
    ensure_may_vote(poll, user, site, now)
    try:
        return secrecy.change(poll, "", user, receipt, _payload(choices))
    except secrecy.NotAVoter:
        raise VoteRefused(_("You have not voted in this poll yet.")) from None
    except secrecy.UnknownReceipt:
        raise VoteRefused(_("No ballot in this poll matches that receipt code.")) from None


def check_receipt(poll, receipt):
    """What a receipt proves for this poll (opening the box first if the poll has closed)."""
    if poll.has_closed():
        secrecy.opened_box(poll)
    return secrecy.check_receipt(poll, receipt)


# Opening and counting


def online_tally(poll, opened):
    """{"options": {"<option id>|<channel>": count or Borda points}, "turnout": {channel: n}}
    from plaintext payloads (the live results) or, with opened=None, from stored ballots."""
    questions = poll.question_list
    limits = {q.pk: q.choice_limit(len(q.options.all())) for q in questions}
    kinds = {q.pk: q.kind for q in questions}
    options = defaultdict(int)
    turnout = defaultdict(int)

    def add(question_id, option_id, rank, channel, n=1):
        if question_id not in kinds:
            return
        if kinds[question_id] == PollQuestion.Kind.RANKING:
            weight = max(limits[question_id] - (rank or 0) + 1, 0)
        else:
            weight = 1
        options[f"{option_id}|{channel}"] += weight * n

    if opened is None:
        rows = (
            Answer.objects.filter(ballot__poll=poll)
            .values("question_id", "option_id", "rank", "ballot__channel")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            add(row["question_id"], row["option_id"], row["rank"], row["ballot__channel"], row["n"])
        for row in (
            Ballot.objects.filter(poll=poll).values("channel").annotate(n=Count("id")).order_by()
        ):
            turnout[row["channel"]] += row["n"]
    else:
        for ballot in opened:
            turnout[ballot.channel] += 1
            for question_id, option_id, rank in ballot.payload["answers"]:
                add(question_id, option_id, rank, ballot.channel)
    return {"options": dict(options), "turnout": dict(turnout)}


def open_poll_ballots(poll, opened):
    """Store opened ballots as anonymous rows, in the (shuffled) order given, in one insert
    per table; return the poll's online tally to keep."""
    valid_options = {o.pk: q.pk for q in poll.question_list for o in q.options.all()}
    ballots, answers = [], []
    for item in opened:
        ballot = Ballot(id=uuid.uuid4(), poll=poll, channel=item.channel)
        ballots.append(ballot)
        for question_id, option_id, rank in item.payload["answers"]:
            if valid_options.get(option_id) == question_id:  # options deleted since are dropped
                answers.append(
                    Answer(ballot=ballot, question_id=question_id, option_id=option_id, rank=rank)
                )
    Ballot.objects.bulk_create(ballots)
    Answer.objects.bulk_create(answers)
    # The result is public from now on: ask the voters what they thought (after the commit).
    invite_after_poll_result(poll)
    return online_tally(poll, None)
