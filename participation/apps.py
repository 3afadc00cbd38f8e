from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")

    def ready(self):
        from participation.signals import (
            connect_index_publication,
            replace_wagtail_workflow_emails,
        )

        replace_wagtail_workflow_emails()
        connect_index_publication()

        from cms.signals import municipality_created
        from participation.setup import on_municipality_created

        municipality_created.connect(
            on_municipality_created, dispatch_uid="participation_new_municipality"
        )
