from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet


class DisplayNameCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"display_name"}


class DisplayNameEditForm(UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"display_name", "language"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return DisplayNameEditForm if for_update else DisplayNameCreationForm
