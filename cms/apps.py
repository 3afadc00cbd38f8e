from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "CMS"


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the display name citizens are shown by."""

    user_viewset = "cms.viewsets.UserViewSet"
