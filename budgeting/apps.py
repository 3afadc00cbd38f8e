from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Budgeting")

    def ready(self):
        from wagtail.signals import page_published

        from budgeting import notifications  # noqa: F401  (registers the budgets' messages)
        from budgeting.models import BudgetPage

        page_published.connect(schedule_budget_opening, sender=BudgetPage)


def schedule_budget_opening(sender, instance, **kwargs):
    """The secret ballot box opens just after balloting closes (as polls' do)."""
    from django.utils import timezone

    from voting import secrecy

    # Moved past balloting by hand: open now; otherwise just after the dated end.
    end = timezone.now() if instance.voting_has_closed() else instance.balloting_ends_at()
    if end is not None:
        secrecy.schedule_opening(instance, end)
