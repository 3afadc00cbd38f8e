"""factory-boy factories shared by every app's tests."""

import factory
from allauth.account.models import EmailAddress
from wagtail.models import Page, Site

from cms.models import MunicipalitySettings, User
from home.models import ContentPage, HomePage

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"시민{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Users have a verified primary address unless built with verified=False."""
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class HomePageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomePage

    title = factory.Sequence(lambda n: f"참여 플랫폼 {n}")
    slug = factory.Sequence(lambda n: f"home-{n}")
    intro = "시민과 함께 만드는 정책"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        page = model_class(*args, **kwargs)
        Page.get_first_root_node().add_child(instance=page)
        page.save_revision().publish()
        return page


class ContentPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentPage

    title = factory.Sequence(lambda n: f"안내 {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page


def make_municipality(
    hostname, name_ko, *, kind="city", province=None, colour="#0b50d0", default=False, **settings
):
    """A municipality: a home page, its Site and its settings."""
    home = HomePageFactory(title=f"{name_ko} 참여 플랫폼")
    site = Site.objects.create(
        hostname=hostname, port=80, root_page=home, site_name=name_ko, is_default_site=default
    )
    config = MunicipalitySettings.for_site(site)
    config.name_ko = name_ko
    config.kind = kind
    config.parent_province = province
    config.primary_colour = colour
    for field, value in settings.items():
        setattr(config, field, value)
    config.save()
    return site
