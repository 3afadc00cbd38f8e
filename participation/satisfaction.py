"""Asking people what they thought of an outcome, once, and recording their answer once.

After a committee answers a proposal, its author and supporters are invited; after a poll's
result is published, its voters (known from voting's Participation rows, which say that a
person voted and never how); after a budget's result is published, its voters, through
``invite_after_budget_result(budget)`` which the budgets app calls. An invitation is a row
(one per person and subject, a unique constraint) plus an in-site notification and a mail
through participation.notify, whose own constraint and outbox make each of those once too.
Invitations are written by a job, so a proposal with thousands of supporters never slows
the committee's answer.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from cms.jobs import enqueue

INVITE_KIND = "satisfaction"


class RatingRefused(Exception):
    """This person may not rate this subject (not invited, or rated already)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def invite(subject, users):
    """Invite these people (a User queryset) to rate ``subject`` (a page); returns how many
    were invited now. Safe to call any number of times: each person is invited once."""
    from participation.models import SatisfactionInvitation
    from participation.notify import notify

    users = users.filter(is_active=True).only("pk")
    with transaction.atomic():
        already = set(
            SatisfactionInvitation.objects.filter(subject_id=subject.pk).values_list(
                "user_id", flat=True
            )
        )
        new = [user for user in users if user.pk not in already]
        SatisfactionInvitation.objects.bulk_create(
            [SatisfactionInvitation(subject_id=subject.pk, user_id=user.pk) for user in new],
            ignore_conflicts=True,
        )
        # The notification's event is the kind and the subject: told once per person.
        notify(new, INVITE_KIND, subject)
    return len(new)


def _proposal_audience(proposal):
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(Q(pk=proposal.author_id) | Q(supports__proposal=proposal))
        .distinct()
    )


def _voters(contest):
    return get_user_model().objects.filter(participations__contest_id=contest.pk).distinct()


def invite_after_answer_job(proposal_id):
    from participation.models import ProposalPage

    proposal = ProposalPage.objects.filter(
        pk=proposal_id, stage__in=ProposalPage.DECIDED_STAGES
    ).first()
    if proposal is not None:
        invite(proposal, _proposal_audience(proposal))


def invite_after_poll_job(poll_id):
    from wagtail.models import Page

    poll = Page.objects.filter(pk=poll_id).first()
    if poll is not None:
        invite(poll.specific, _voters(poll))


def invite_after_budget_job(budget_id):
    from wagtail.models import Page

    budget = Page.objects.filter(pk=budget_id).first()
    if budget is not None:
        invite(budget.specific, _voters(budget))


def invite_after_answer(proposal):
    """The committee answered: invite the author and the supporters (after the commit)."""
    enqueue(invite_after_answer_job, proposal.pk)


def invite_after_poll_result(poll):
    """A poll's result is published (its ballot box opened): invite its voters."""
    enqueue(invite_after_poll_job, poll.pk)


def invite_after_budget_result(budget):
    """A budget's result is published: invite everyone who voted on any of its headings.

    For the budgets app to call where staff publish a result; safe to call again for each
    heading's result, since each voter is invited once per budget.
    """
    enqueue(invite_after_budget_job, budget.pk)


def is_invited(user, subject):
    from participation.models import SatisfactionInvitation

    return (
        user.is_authenticated
        and SatisfactionInvitation.objects.filter(subject_id=subject.pk, user=user).exists()
    )


def rate(user, subject, answer_score, process_score, comment=""):
    """Record this person's rating of ``subject``; RatingRefused if not invited or already
    rated (the database holds one rating per person and subject, however requests race)."""
    from django.utils.translation import gettext as _

    from participation.models import SatisfactionRating

    if not is_invited(user, subject):
        raise RatingRefused(_("Only people invited to rate this can rate it."))
    try:
        with transaction.atomic():
            return SatisfactionRating.objects.create(
                subject_id=subject.pk,
                user=user,
                answer_score=answer_score,
                process_score=process_score,
                comment=comment,
            )
    except IntegrityError:
        raise RatingRefused(_("You have already rated this. Thank you.")) from None
