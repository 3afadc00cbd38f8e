"""Adding a municipality from the Wagtail admin, in one form: its home page, Site, settings and
editors group here; every app adds its own pages, groups and defaults through
cms.signals.municipality_created."""

from django import forms
from django.contrib.auth.models import Group, Permission
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, Page, Site

from cms.models import MunicipalitySettings
from cms.signals import municipality_created
from home.models import HomePage

EDITOR_PERMISSIONS = ("add_page", "change_page", "publish_page")


def ensure_editors_group(site):
    """The municipality's editors: into the admin, and add, change and publish under its home."""
    name = MunicipalitySettings.for_site(site).name_ko or site.site_name
    group, _created = Group.objects.get_or_create(name=f"{name} 편집자")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in EDITOR_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=site.root_page,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    return group


class MunicipalityForm(forms.ModelForm):
    """The settings fields come from MunicipalitySettings, with its validators (contrast too)."""

    slug = forms.CharField(
        label=_("Address name"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9-]*$",
                _("Use lowercase Latin letters, digits and hyphens, starting with a letter."),
            )
        ],
        help_text=_("The home page's slug, in Latin letters, e.g. gimhae."),
    )
    title = forms.CharField(
        label=_("Site title"), max_length=120, help_text=_("e.g. 김해시민 참여마당")
    )
    hostname = forms.CharField(
        label=_("Hostname"),
        max_length=255,
        validators=[
            RegexValidator(
                r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$",
                _(
                    "Enter a hostname such as participation.gimhae.go.kr, without http:// or a path."
                ),
            )
        ],
    )
    port = forms.IntegerField(
        label=_("Port"),
        initial=443,
        min_value=1,
        max_value=65535,
        help_text=_("443 for https in production; the demo uses the port it is served on."),
    )
    logo_file = forms.ImageField(label=_("Logo"), required=False)

    class Meta:
        model = MunicipalitySettings
        fields = [
            "name_ko",
            "name_en",
            "kind",
            "parent_province",
            "primary_colour",
            "contact_phone",
            "contact_email",
            "support_threshold",
            "support_window_days",
            "support_rule",
        ]

    field_order = [
        "name_ko",
        "name_en",
        "title",
        "slug",
        "hostname",
        "port",
        "kind",
        "parent_province",
        "primary_colour",
        "logo_file",
        "contact_phone",
        "contact_email",
        "support_threshold",
        "support_window_days",
        "support_rule",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_en"].required = True
        provinces = MunicipalitySettings.objects.filter(kind=MunicipalitySettings.Kind.PROVINCE)
        self.fields["parent_province"].queryset = Site.objects.filter(
            pk__in=provinces.values("site_id")
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Page.get_first_root_node().get_children().filter(slug=slug).exists():
            raise forms.ValidationError(_("Another municipality already uses this address name."))
        return slug

    def clean(self):
        cleaned = super().clean()
        hostname, port = cleaned.get("hostname"), cleaned.get("port")
        if hostname and port and Site.objects.filter(hostname=hostname, port=port).exists():
            self.add_error("hostname", _("A site with this hostname and port already exists."))
        return cleaned

    @transaction.atomic
    def create(self, user):
        data = self.cleaned_data
        home = HomePage(title=data["title"], slug=data["slug"], show_in_menus=False)
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision(user=user).publish(user=user)
        site = Site.objects.create(
            hostname=data["hostname"],
            port=data["port"],
            root_page=home,
            site_name=data["name_ko"],
            is_default_site=not Site.objects.filter(is_default_site=True).exists(),
        )
        settings = MunicipalitySettings.for_site(site)
        for name in self.Meta.fields:
            setattr(settings, name, data[name])
        if data.get("logo_file"):
            settings.logo = get_image_model().objects.create(
                title=f"{data['name_ko']} 로고", file=data["logo_file"]
            )
        settings.save()
        ensure_editors_group(site)
        municipality_created.send(sender=MunicipalitySettings, site=site, user=user)
        return site
