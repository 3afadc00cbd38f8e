from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Budgeting")

    def ready(self):
        from budgeting import notifications  # noqa: F401  (registers the budgets' messages)
