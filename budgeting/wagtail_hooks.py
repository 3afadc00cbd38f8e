from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from budgeting import admin_views
from budgeting.models import BudgetPage


@hooks.register("register_admin_urls")
def register_budgeting_urls():
    urls = [
        path("<int:page_id>/results/", admin_views.results, name="results"),
        path(
            "<int:page_id>/results/<int:result_id>/publish/",
            admin_views.publish,
            name="publish",
        ),
        path("<int:page_id>/process/", admin_views.process, name="process"),
        path(
            "<int:page_id>/projects/<int:project_id>/review/",
            admin_views.review_project,
            name="review",
        ),
        path("<int:page_id>/next-phase/", admin_views.next_phase, name="next_phase"),
        path("<int:page_id>/follow-dates/", admin_views.follow_dates, name="follow_dates"),
        path("<int:page_id>/select/", admin_views.select_for_ballot, name="select"),
        path("<int:page_id>/offline/", admin_views.offline_ballots, name="offline"),
    ]
    return [path("budgeting/", include((urls, "budgeting_admin")))]


@hooks.register("register_page_header_buttons")
def results_button(page, user, view_name, next_url=None):
    if (
        issubclass(page.specific_class or type(page), BudgetPage)
        and page.permissions_for_user(user).can_publish()
    ):
        yield Button(
            _("Run the process: phases and review"),
            reverse("budgeting_admin:process", args=[page.pk]),
            icon_name="tasks",
            priority=79,
        )
        yield Button(
            _("Count and publish results"),
            reverse("budgeting_admin:results", args=[page.pk]),
            icon_name="table",
            priority=80,
        )
        yield Button(
            _("Paper and on-site ballots"),
            reverse("budgeting_admin:offline", args=[page.pk]),
            icon_name="doc-full",
            priority=81,
        )
