from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from django_rq import urls as rq_urls
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

# The RQ dashboard can delete, requeue and empty queues: superusers only, on every URL.
rq_dashboard = [
    URLPattern(
        pattern.pattern, views.superusers_only(pattern.callback), pattern.default_args, pattern.name
    )
    for pattern in rq_urls.urlpatterns
]

# Django's admin signs in through allauth too (its two-factor step and rate limits).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("theme.css", views.theme_css, name="theme_css"),
    path("icon-<int:size>.png", views.site_icon, name="site_icon"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    # The admin signs in through allauth, so its two-factor step and rate limits apply.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("django-rq/", include((rq_dashboard, "django_rq"))),
    path("documents/", include(wagtaildocs_urls)),
    path("language/", views.set_language, name="set_language"),
    path("accounts/profile/", views.profile, name="account_profile"),
    path("accounts/delete/", views.delete_account, name="account_delete"),
    path("accounts/data/", views.my_data, name="account_data"),
    path("accounts/data/download/", views.my_data_download, name="account_data_download"),
    path("accounts/", include("allauth.urls")),
    # The apps' own routes outside the page tree (each app's urls module).
    path("satisfaction/", include("participation.urls")),
    path("-/", include("participation.action_urls")),
    path("", include("home.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

if settings.BENCH_PLAIN_VIEW:
    # The load test's baseline (bench/loadtest.py): the whole middleware stack, no work.
    urlpatterns += [path("bench/plain/", views.bench_plain)]

# A lost database answers 503 with its own page wherever it is met (cms.middleware).
handler500 = "cms.views.server_error"

# The public API and open data of each municipality (the project's URLconf composes the apps).
urlpatterns += [path("", include("opendata.urls")), path("", include(wagtail_urls))]
