"""The API under /api/v1/ and the open data page, on every municipality's hostname."""

from django.urls import include, path

from opendata import views

urlpatterns = [
    path("", include("opendata.api.urls")),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/bundle.zip", views.bundle_download, name="open_data_bundle"),
    path(
        "open-data/budgets/<int:heading_id>.pb",
        views.pabulib_download,
        name="open_data_pabulib",
    ),
]
