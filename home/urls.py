from django.urls import path

from home import dashboard_views

urlpatterns = [
    path("how-we-are-doing/", dashboard_views.how_we_are_doing, name="how_we_are_doing"),
]
