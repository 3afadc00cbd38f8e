from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms import scope
from participation import admin_views, permissions, review_views
from participation.models import Area, ImplementationUpdate, ModerationAction, Topic, UserBlock
from participation.models.implementation import trackable_pages


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "site", "sort_order"]
    list_filter = ["site"]
    search_fields = ["name"]
    menu_order = 300


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    list_display = ["name", "site", "sort_order"]
    list_filter = ["site"]
    search_fields = ["name"]


register_snippet(TopicViewSet)
register_snippet(AreaViewSet)


def _scoped_by(limit):
    return lambda viewset: _scoped(viewset, limit)


def _scoped(viewset, limit):
    """Give a viewset's views querysets and objects limited by ``limit(queryset, user)``,
    so that staff of one municipality never list, open, change or delete another's rows."""

    class Scoped:
        def get_base_queryset(self):
            return limit(super().get_base_queryset(), self.request.user)

        def get_object(self, queryset=None):
            obj = super().get_object(queryset)
            manager = type(obj)._default_manager
            if not limit(manager.filter(pk=obj.pk), self.request.user).exists():
                raise Http404
            return obj

    for name in ("index_view_class", "edit_view_class", "delete_view_class", "inspect_view_class"):
        base = getattr(viewset, name)
        setattr(viewset, name, type(f"Scoped{base.__name__}", (Scoped, base), {}))
    return viewset


def _by_moderated_site(queryset, user):
    if user.is_superuser:
        return queryset
    return queryset.filter(site__in=permissions.moderated_sites(user))


def _by_staff_site(queryset, user):
    if user.is_superuser:
        return queryset
    return queryset.filter(scope.pages_within(scope.staff_sites(user), "page__path"))


@_scoped_by(_by_staff_site)
class ImplementationUpdateViewSet(ModelViewSet):
    model = ImplementationUpdate
    icon = "tasks"
    form_fields = ["page", "status", "progress", "date", "note"]
    list_display = ["page", "status", "progress", "date"]
    list_filter = ["status"]
    list_export = ["page", "status", "progress", "date", "note"]
    add_to_admin_menu = False

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class Form(form_class):
            def save(self, commit=True):
                if not self.instance.pk and self.for_user is not None:
                    self.instance.created_by = self.for_user
                return super().save(commit)

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["page"]
                field.queryset = trackable_pages()
                if self.for_user is not None:
                    field.queryset = _by_staff_site(field.queryset, self.for_user)

        return Form


@_scoped_by(_by_moderated_site)
class UserBlockViewSet(ModelViewSet):
    model = UserBlock
    icon = "lock"
    form_fields = ["user", "site", "reason"]
    list_display = ["user", "site", "reason", "created_at"]
    list_filter = ["site"]

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class Form(form_class):
            """Moderators block on their own municipalities; only superusers everywhere."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                user = self.for_user
                if user is not None and not user.is_superuser:
                    field = self.fields["site"]
                    field.queryset = field.queryset.filter(
                        pk__in=[site.pk for site in permissions.moderated_sites(user)]
                    )
                    field.required = True

        return Form


@_scoped_by(_by_moderated_site)
class ModerationLogViewSet(ModelViewSet):
    model = ModerationAction
    icon = "history"
    form_fields = ["reason"]
    list_display = ["created_at", "action", "actor", "target_user", "reason"]
    list_filter = ["action", "site"]
    list_export = [
        "created_at",
        "action",
        "actor",
        "target_user",
        "reason",
        "content_type",
        "object_id",
    ]
    inspect_view_enabled = True


class ParticipationGroup(ModelViewSetGroup):
    menu_label = _("Participation")
    menu_icon = "group"
    menu_order = 250
    items = (ImplementationUpdateViewSet, UserBlockViewSet, ModerationLogViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ParticipationGroup()


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path("participation/moderation/", admin_views.queue, name="participation_moderation_queue"),
        path(
            "participation/moderation/<int:content_type_id>/<int:object_id>/",
            admin_views.act,
            name="participation_moderation_act",
        ),
        path("participation/reviews/", review_views.reviews, name="participation_reviews"),
        path(
            "participation/reviews/<int:proposal_id>/",
            review_views.review,
            name="participation_review",
        ),
    ]


@hooks.register("after_edit_page")
def go_on_to_the_new_poll(request, page):
    """A decision taken from the page editor: send the member on to the draft poll it created."""
    from participation.public_vote import poll_just_drafted

    if request.POST.get("workflow-action-name") == "decide":
        return poll_just_drafted(request, page)
    return None


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(permissions.moderated_sites(request.user))


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem(
        _("Moderation queue"),
        reverse("participation_moderation_queue"),
        icon_name="warning",
        order=240,
    )


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(permissions.reviewed_sites(request.user))


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        _("Committee review"), reverse("participation_reviews"), icon_name="gavel", order=241
    )


class AwaitingReviewPanel(Component):
    """The dashboard's "검토 대기": proposals this member's committee must answer, one click
    from the review screen."""

    name = "awaiting_committee_review"
    template_name = "participation/admin/awaiting_review_panel.html"
    order = 90

    def __init__(self, proposals):
        self.proposals = proposals

    def get_context_data(self, parent_context):
        from django.utils import timezone

        return {"proposals": self.proposals, "now": timezone.now()}


@hooks.register("construct_homepage_panels")
def add_awaiting_review_panel(request, panels):
    from participation.models import ProposalPage

    sites = permissions.reviewed_sites(request.user)
    if not sites:
        return
    proposals = ProposalPage.objects.none()
    for site in sites:
        proposals = proposals | ProposalPage.objects.descendant_of(site.root_page).awaiting_answer()
    proposals = list(proposals.order_by("review_due_at", "pk")[:20])
    if proposals:
        panels.append(AwaitingReviewPanel(proposals))
