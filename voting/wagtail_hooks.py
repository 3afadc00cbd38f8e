from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from voting import admin_views, permissions
from voting.models import PollPage, VoterVerification


class VoterMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can_manage_voters(request.user)


@hooks.register("register_admin_urls")
def register_voting_urls():
    urls = [
        path("census/", admin_views.census, name="census"),
        path("requests/", admin_views.requests_list, name="requests"),
        path("requests/<int:pk>/decide/", admin_views.decide_request, name="decide_request"),
        path(
            "requests/<int:pk>/document/",
            admin_views.request_document,
            name="request_document",
        ),
        path("polls/<int:poll_id>/offline/", admin_views.offline_results, name="offline_results"),
    ]
    return [path("voting/", include((urls, "voting_admin")))]


@hooks.register("register_admin_menu_item")
def census_menu_item():
    return VoterMenuItem(
        _("Census import"), reverse("voting_admin:census"), icon_name="upload", order=620
    )


@hooks.register("register_admin_menu_item")
def requests_menu_item():
    return VoterMenuItem(
        _("Residency requests"), reverse("voting_admin:requests"), icon_name="user", order=621
    )


@hooks.register("register_page_header_buttons")
def offline_results_button(page, user, view_name, next_url=None):
    if issubclass(page.specific_class or type(page), PollPage) and permissions.can_manage_poll(
        user, page
    ):
        yield Button(
            _("Offline results"),
            reverse("voting_admin:offline_results", args=[page.pk]),
            icon_name="table",
            priority=80,
        )


class SiteScopedMixin:
    """Staff see and change only the residents of the municipalities they manage."""

    def get_base_queryset(self):
        sites = permissions.staff_sites(self.request.user)
        return super().get_base_queryset().filter(site__in=sites).select_related("user", "site")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not permissions.staff_sites(self.request.user).filter(pk=obj.site_id).exists():
            raise PermissionDenied
        return obj


class VerificationIndexView(SiteScopedMixin, generic.IndexView):
    pass


class VerificationEditView(SiteScopedMixin, generic.EditView):
    pass


class VerificationDeleteView(SiteScopedMixin, generic.DeleteView):
    pass


class VerificationInspectView(SiteScopedMixin, generic.InspectView):
    pass


class NoAddView(generic.CreateView):
    """Residents are added from the census or by approving a request, never typed in."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class VoterVerificationViewSet(ModelViewSet):
    model = VoterVerification
    index_view_class = VerificationIndexView
    edit_view_class = VerificationEditView
    delete_view_class = VerificationDeleteView
    inspect_view_class = VerificationInspectView
    add_view_class = NoAddView
    icon = "tick-inverse"
    menu_label = _("Verified residents")
    menu_order = 622
    add_to_admin_menu = True
    list_display = [
        Column("user", label=_("Person")),
        "site",
        "district",
        "method",
        DateColumn("verified_at", label=_("verified at")),
        DateColumn("expires_at", label=_("kept until")),
    ]
    list_filter = ["site", "method", "district"]
    search_fields = ["user__display_name", "district"]
    form_fields = ["district"]
    inspect_view_enabled = True

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(add_url_name=None, **kwargs)


@hooks.register("register_admin_viewset")
def register_verification_viewset():
    return VoterVerificationViewSet("voter_verifications")
