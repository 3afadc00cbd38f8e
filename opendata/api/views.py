"""The public, read-only API of one municipality's site (and, for a province, its cities).

The site comes from the request's hostname, as for every page. What is listed comes from
``opendata.public``, which only scopes each model's own visibility gate.
"""

import math

import django_filters
from django.conf import settings
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import ngettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import Site

from cms.models import MunicipalitySettings
from cms.scope import site_among, site_paths, sites_in_view
from opendata import public
from opendata.api import serializers
from participation.models import Area, ProposalPage, Topic

# Django's conditional GET: an ETag from the rendered body, 304 on a matching If-None-Match.
conditional = decorator_from_middleware(ConditionalGetMiddleware)


class ClientRateThrottle(SimpleRateThrottle):
    """Requests per client address in the shared cache (Redis when configured)."""

    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TooManyRequests(exceptions.Throttled):
    """A 429 in the visitor's language (Korean first), saying when to try again."""

    def __init__(self, wait):
        wait = max(1, math.ceil(wait or 1))
        detail = ngettext(
            "Too many requests from your address. Try again in %(wait)d second.",
            "Too many requests from your address. Try again in %(wait)d seconds.",
            wait,
        ) % {"wait": wait}
        super().__init__(None, detail=detail)
        self.wait = wait


class Pagination(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"


class PublicAPIView:
    """Anonymous, read-only, cached briefly by anyone, limited per client."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]

    def initial(self, request, *args, **kwargs):
        self.site = Site.find_for_request(request)
        if self.site is None:
            raise exceptions.NotFound()
        self.sites = sites_in_view(self.site)
        super().initial(request, *args, **kwargs)

    def throttled(self, request, wait):
        raise TooManyRequests(wait)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        else:
            patch_cache_control(response, no_cache=True)
        return response

    @classmethod
    def as_view(cls, *args, **kwargs):
        return conditional(super().as_view(*args, **kwargs))


class PublicViewSet(PublicAPIView, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"\d+"
    public_queryset = None  # a function of opendata.public, given the sites in view

    def get_queryset(self):
        if not hasattr(self, "sites"):  # the schema generator looks at the model only
            return self.queryset
        return self.public_queryset(self.sites)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request": self.request}


# Filters


class DateRangeFilterSet(django_filters.FilterSet):
    date_field = None
    published_after = django_filters.DateFilter(
        method="filter_after", help_text="On or after this date (YYYY-MM-DD)."
    )
    published_before = django_filters.DateFilter(
        method="filter_before", help_text="On or before this date (YYYY-MM-DD)."
    )

    def filter_after(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__date__gte": value})

    def filter_before(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__date__lte": value})


class ProposalFilter(DateRangeFilterSet):
    date_field = "published_at"
    stage = django_filters.ChoiceFilter(choices=ProposalPage.Stage.choices)
    topic = django_filters.NumberFilter(field_name="topic_id")
    area = django_filters.NumberFilter(field_name="area_id")

    class Meta:
        model = ProposalPage
        fields = ["stage", "topic", "area"]


class DebateFilter(DateRangeFilterSet):
    date_field = "first_published_at"
    official = django_filters.BooleanFilter()

    class Meta:
        model = public.DebatePage
        fields = ["official"]


class CommentFilter(DateRangeFilterSet):
    date_field = "created_at"
    page = django_filters.NumberFilter(
        field_name="page_id", help_text="A proposal, debate or poll."
    )
    position = django_filters.ChoiceFilter(
        choices=[(p.value, p.label) for p in public.Position], field_name="position"
    )

    class Meta:
        model = public.Comment
        fields = ["page", "position"]


class PollFilter(DateRangeFilterSet):
    date_field = "opens_at"

    class Meta:
        model = public.PollPage
        fields = []


class BudgetFilter(DateRangeFilterSet):
    date_field = "first_published_at"

    class Meta:
        model = public.BudgetPage
        fields = []


class BudgetProjectFilter(django_filters.FilterSet):
    budget = django_filters.NumberFilter(field_name="heading__page_id")
    heading = django_filters.NumberFilter(field_name="heading_id")

    class Meta:
        model = public.BudgetProjectPage
        fields = ["budget", "heading"]


# Views


@extend_schema(
    summary="This municipality, its province and its cities",
    responses=serializers.MunicipalitySerializer,
)
class MunicipalityView(PublicAPIView, generics.GenericAPIView):
    serializer_class = serializers.MunicipalitySerializer
    pagination_class = None
    filter_backends = []

    def get(self, request):
        config = MunicipalitySettings.objects.select_related("site", "parent_province").get(
            site=self.site
        )
        config.topics = list(Topic.objects.filter(site=self.site).order_by("sort_order", "name"))
        config.areas = list(Area.objects.filter(site=self.site).order_by("sort_order", "name"))
        config.province_config = (
            MunicipalitySettings.objects.select_related("site")
            .filter(site_id=config.parent_province_id)
            .first()
            if config.parent_province_id
            else None
        )
        return Response(self.get_serializer(config).data)


@extend_schema_view(
    list=extend_schema(summary="Citizen proposals"),
    retrieve=extend_schema(summary="A proposal with its implementation updates and timeline"),
)
class ProposalViewSet(PublicViewSet):
    filterset_class = ProposalFilter

    queryset = ProposalPage.objects.none()
    public_queryset = staticmethod(public.proposals)

    def get_queryset(self):
        proposals = super().get_queryset()
        if self.action == "retrieve":
            proposals = public.proposal_details(proposals)
        return proposals

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ProposalDetailSerializer
        return serializers.ProposalSerializer


@extend_schema_view(
    list=extend_schema(summary="Debates with the balance of positions"),
    retrieve=extend_schema(summary="A debate"),
)
class DebateViewSet(PublicViewSet):
    serializer_class = serializers.DebateSerializer
    filterset_class = DebateFilter

    queryset = public.DebatePage.objects.none()
    public_queryset = staticmethod(public.debates)


@extend_schema_view(
    list=extend_schema(summary="Comments on proposals, debates and polls"),
    retrieve=extend_schema(summary="A comment"),
)
class CommentViewSet(PublicViewSet):
    serializer_class = serializers.CommentSerializer
    filterset_class = CommentFilter

    queryset = public.Comment.objects.none()
    public_queryset = staticmethod(public.comments)


@extend_schema_view(
    list=extend_schema(summary="Polls and their questions"),
    retrieve=extend_schema(summary="A poll, with its results once they are published"),
)
class PollViewSet(PublicViewSet):
    filterset_class = PollFilter

    queryset = public.PollPage.objects.none()
    public_queryset = staticmethod(public.polls)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PollDetailSerializer
        return serializers.PollSerializer

    def get_serializer(self, instance=None, *args, **kwargs):
        for poll in instance if kwargs.get("many") else [instance]:
            if poll is not None:
                poll.results_shown = public.poll_results_shown(poll)
                poll.public_results = None
                if self.action == "retrieve" and poll.results_shown:
                    from voting import results

                    site = site_among(poll, site_paths(self.sites)) or self.site
                    poll.public_results = results.compute(poll, site)
        return super().get_serializer(instance, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Participatory budgets: headings and published results"),
    retrieve=extend_schema(summary="A participatory budget"),
)
class BudgetViewSet(PublicViewSet):
    serializer_class = serializers.BudgetSerializer
    filterset_class = BudgetFilter

    queryset = public.BudgetPage.objects.none()
    public_queryset = staticmethod(public.budgets)


@extend_schema_view(
    list=extend_schema(summary="Budget projects, with scores once a result is published"),
    retrieve=extend_schema(summary="A budget project"),
)
class BudgetProjectViewSet(PublicViewSet):
    serializer_class = serializers.BudgetProjectSerializer
    filterset_class = BudgetProjectFilter

    queryset = public.BudgetProjectPage.objects.none()
    public_queryset = staticmethod(public.budget_projects)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "sites"):
            context["results"] = public.published_results(self.sites)
        return context


def schema_view():
    from drf_spectacular.views import SpectacularAPIView

    class SchemaView(PublicAPIView, SpectacularAPIView):
        pagination_class = None
        filter_backends = []

    return SchemaView.as_view()
