"""The base app's admin hooks: the admin reads in the site's typeface (Pretendard GOV)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_css")
def pretendard_in_the_admin():
    """Hangul in the admin in our own font, not tofu where the machine has none."""
    return format_html('<link rel="stylesheet" href="{}">', static("cms/css/admin-font.css"))
