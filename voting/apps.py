from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "voting"
    verbose_name = _("Voting")

    def ready(self):
        from wagtail.signals import page_published

        from cms.models import account_deleted
        from cms.signals import municipality_created
        from participation import supporters
        from voting import eligibility, from_proposal
        from voting.models import PollPage
        from voting.setup import on_municipality_created

        from_proposal.connect()
        # Supports under the residents rule ask voting whether the person is a resident.
        supporters.register_residency_check(eligibility.may_support, eligibility.verify_url)
        account_deleted.connect(_forget, dispatch_uid="voting.forget_verification")
        municipality_created.connect(
            on_municipality_created, dispatch_uid="voting_new_municipality"
        )
        page_published.connect(schedule_poll_opening, sender=PollPage)


def schedule_poll_opening(sender, instance, **kwargs):
    from voting import secrecy

    secrecy.schedule_opening(instance, instance.closes_at)


def _forget(sender, user, **kwargs):
    from voting import verification

    verification.forget(user)
