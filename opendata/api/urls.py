"""The API's routes: its own URLconf too, so the schema describes /api/v1/ and nothing else."""

from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from opendata.api import views as api

router = SimpleRouter()
router.register("proposals", api.ProposalViewSet, basename="proposal")
router.register("debates", api.DebateViewSet, basename="debate")
router.register("comments", api.CommentViewSet, basename="comment")
router.register("polls", api.PollViewSet, basename="poll")
router.register("budgets", api.BudgetViewSet, basename="budget")
router.register("budget-projects", api.BudgetProjectViewSet, basename="budget-project")

api_patterns = [
    path("municipality/", api.MunicipalityView.as_view(), name="municipality"),
    path("schema/", api.schema_view(), name="schema"),
    # Swagger UI from our own static files (drf-spectacular-sidecar); its start-up script is
    # a separate file, so the site's Content-Security-Policy holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

urlpatterns = [path("api/v1/", include((api_patterns, "api")))]
