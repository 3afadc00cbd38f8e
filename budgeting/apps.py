from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Budgeting")

    def ready(self):
        from wagtail.signals import page_published

        from budgeting.models import BudgetPage

        page_published.connect(schedule_budget_opening, sender=BudgetPage)


def schedule_budget_opening(sender, instance, **kwargs):
    """The secret ballot box opens just after balloting closes (as polls' do)."""
    from voting import secrecy

    end = instance.balloting_ends_at()
    if end is not None:
        secrecy.schedule_opening(instance, end)
