"""Supports (공감): one per citizen per proposal, guarded by the database."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupportClosed(Exception):
    """Supports are only taken while a proposal's window is open."""


class SupportRefused(Exception):
    """This person may not support this municipality's proposals (its support rule)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class Support(models.Model):
    proposal = models.ForeignKey(
        "participation.ProposalPage", on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_support_per_user")
        ]

    def __str__(self):
        return f"{self.user} → {self.proposal_id}"

    @classmethod
    def give(cls, proposal, user, site=None):
        """Support a proposal; returns True if this call added a support (a repeat counts once).

        Refused (SupportRefused) when the person does not meet the municipality's support
        rule, so every stored support met the rule when it was given.
        """
        from participation import supporters

        if not proposal.support_open:
            raise SupportClosed
        reason = supporters.refusal(user, site or proposal.get_site())
        if reason:
            raise SupportRefused(reason)
        try:
            with transaction.atomic():
                cls.objects.create(proposal=proposal, user=user)
                _move_counter(proposal, +1)
        except IntegrityError:
            return False
        return True

    @classmethod
    def withdraw(cls, proposal, user):

        if not proposal.support_open:
            raise SupportClosed
        with transaction.atomic():
            deleted, _ = cls.objects.filter(proposal=proposal, user=user).delete()
            if deleted:
                _move_counter(proposal, -deleted)
        return bool(deleted)

    @classmethod
    def recount(cls, proposal_id):
        """Make the cached counter equal the rows again (run by the threshold job)."""
        from participation.models import ProposalPage

        count = cls.objects.filter(proposal_id=proposal_id).count()
        ProposalPage.objects.filter(pk=proposal_id).update(support_count=count)
        return count


def _move_counter(proposal, by):
    """Add `by` to the proposal's support_count in the database, and set the proposal's
    counter and stage to what the database then holds (one statement, no re-read)."""
    from django.db import connection

    from participation.models import ProposalPage

    table = connection.ops.quote_name(ProposalPage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET support_count = support_count + %s "  # noqa: S608
            "WHERE page_ptr_id = %s RETURNING support_count, stage",
            [by, proposal.pk],
        )
        proposal.support_count, proposal.stage = cursor.fetchone()
