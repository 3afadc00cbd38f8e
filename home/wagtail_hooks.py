from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.links import site_address
from home.municipality import MunicipalityForm


def add_municipality(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = MunicipalityForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        site = form.create(request.user)
        messages.success(
            request,
            _("%(name)s is ready at %(address)s. Add its staff to its groups under Users.")
            % {"name": site.site_name, "address": site_address(site)},
        )
        return redirect("wagtailadmin_explore", site.root_page_id)
    return TemplateResponse(
        request,
        "home/admin/add_municipality.html",
        {
            "form": form,
            "page_title": _("Add a municipality"),
            "header_icon": "site",
        },
        status=400 if request.method == "POST" else 200,
    )


@hooks.register("register_admin_urls")
def register_municipality_urls():
    return [path("municipalities/add/", add_municipality, name="home_add_municipality")]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_add_municipality_menu_item():
    return SuperuserMenuItem(
        gettext_lazy("Add a municipality"),
        reverse("home_add_municipality"),
        icon_name="site",
        order=50,
    )


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        from cms.scope import staff_sites

        return bool(staff_sites(request.user))


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    from home.dashboard_views import dashboard

    return [path("dashboard/", dashboard, name="municipality_dashboard")]


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        gettext_lazy("Municipality dashboard"),
        reverse("municipality_dashboard"),
        icon_name="list-ul",
        order=150,
    )
