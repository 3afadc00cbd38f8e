from django.urls import path

from participation import satisfaction_views

urlpatterns = [
    path("rate/<int:page_id>/", satisfaction_views.rate, name="satisfaction_rate"),
    path("helpful/<int:page_id>/", satisfaction_views.helpful, name="page_helpful"),
]
