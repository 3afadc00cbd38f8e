from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.theme_css, name="theme_css"),
    # The admin signs in through allauth, so its two-factor step and rate limits apply.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("django-rq/", include("django_rq.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("language/", views.set_language, name="set_language"),
    path("accounts/profile/", views.profile, name="account_profile"),
    path("accounts/delete/", views.delete_account, name="account_delete"),
    path("accounts/", include("allauth.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
