from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CmsConfig(AppConfig):
    default = True  # this module has two configs; this one is "cms"
    name = "cms"
    verbose_name = "CMS"

    def ready(self):
        from cms import live_figures, personal_data

        personal_data.autodiscover()
        from cms import page_cache

        page_cache.connect_signals()
        live_figures.autodiscover()


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the display name citizens are shown by."""

    user_viewset = "cms.viewsets.UserViewSet"
