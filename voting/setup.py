"""What a new municipality gets from voting (cms.signals.municipality_created): its polls page."""

from voting.models import PollIndexPage


def on_municipality_created(sender, site, **kwargs):
    if PollIndexPage.objects.descendant_of(site.root_page).exists():
        return
    index = PollIndexPage(
        title="투표",
        slug="polls",
        intro="주요 현안에 주민 여러분의 뜻을 묻습니다.",
        show_in_menus=True,
    )
    site.root_page.add_child(instance=index)
    index.save_revision().publish()
