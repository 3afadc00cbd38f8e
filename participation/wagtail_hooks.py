from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from participation import admin_views, permissions
from participation.models import Area, ImplementationUpdate, ModerationAction, Topic, UserBlock


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


class ImplementationUpdateViewSet(ModelViewSet):
    model = ImplementationUpdate
    icon = "tasks"
    form_fields = ["proposal", "status", "progress", "date", "note"]
    list_display = ["proposal", "status", "progress", "date"]
    list_filter = ["status"]
    list_export = ["proposal", "status", "progress", "date", "note"]
    add_to_admin_menu = False

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)

        class Form(form_class):
            def save(self, commit=True):
                if not self.instance.pk and self.for_user is not None:
                    self.instance.created_by = self.for_user
                return super().save(commit)

        return Form


class UserBlockViewSet(ModelViewSet):
    model = UserBlock
    icon = "lock"
    form_fields = ["user", "site", "reason"]
    list_display = ["user", "site", "reason", "created_at"]
    list_filter = ["site"]


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
