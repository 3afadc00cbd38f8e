"""Casting and changing a secret vote.

Participation (who) and Ballot/Answer (what) are written in one transaction but never
point at each other. The voter's receipt code is the only key to their ballot: we store
its keyed hash, and give the code to the voter once.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voting import eligibility, hashing
from voting.models import Answer, Ballot, Participation


class VoteRefused(Exception):
    """A vote that cannot be taken, with the reasons to show the person."""

    def __init__(self, *reasons):
        super().__init__(" ".join(str(r) for r in reasons))
        self.reasons = [str(r) for r in reasons]


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


def _answer_rows(ballot, choices):
    return [
        Answer(ballot=ballot, question_id=question_id, option_id=option_id, rank=rank)
        for question_id, option_id, rank in choices
    ]


def cast(poll, user, site, choices, now=None):
    """Record a first vote; return the receipt code (shown once, never stored in clear).

    `choices` are (question_id, option_id, rank or None) triples already validated
    against the poll (voting.forms.BallotForm). The unique (poll, user) constraint makes
    a second, concurrent submission fail here, and its whole transaction with it.
    """
    ensure_may_vote(poll, user, site, now)
    receipt = hashing.new_receipt()
    try:
        with transaction.atomic():
            Participation.objects.create(poll=poll, user=user)
            ballot = Ballot.objects.create(
                poll=poll,
                receipt_hash=hashing.receipt_hash(receipt),
                cast_on=timezone.localdate(now),
            )
            Answer.objects.bulk_create(_answer_rows(ballot, choices))
    except IntegrityError:
        raise VoteRefused(
            _("You have already voted in this poll. To change your answers, use your receipt code.")
        ) from None
    return receipt


def change(poll, user, site, receipt, choices, now=None):
    """Replace the answers of the ballot this receipt opens; the last submission counts."""
    ensure_may_vote(poll, user, site, now)
    if not Participation.objects.filter(poll=poll, user=user).exists():
        raise VoteRefused(_("You have not voted in this poll yet."))
    code = hashing.normalise_receipt(receipt)
    with transaction.atomic():
        ballot = (
            Ballot.objects.select_for_update()
            .filter(poll=poll, receipt_hash=hashing.receipt_hash(code))
            .first()
            if code
            else None
        )
        if ballot is None:
            raise VoteRefused(_("No ballot in this poll matches that receipt code."))
        ballot.answers.all().delete()
        Answer.objects.bulk_create(_answer_rows(ballot, choices))
        ballot.cast_on = timezone.localdate(now)
        ballot.save(update_fields=["cast_on"])
    return code


def find_ballot(poll, receipt):
    code = hashing.normalise_receipt(receipt)
    if not code:
        return None
    return (
        Ballot.objects.filter(poll=poll, receipt_hash=hashing.receipt_hash(code))
        .prefetch_related("answers__option", "answers__question")
        .first()
    )
