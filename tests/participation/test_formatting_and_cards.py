"""Citizens' small formatting syntax, proposal cards with progress, and live key figures."""

import pytest
from django.core.cache import cache

from participation.models import ProposalPage
from tests.factories import UserFactory
from tests.participation.factories import proposal_data, publish, submit, support

pytestmark = pytest.mark.django_db

MARKDOWN = (
    "정류장에 **그늘막**이 필요합니다. *여름*이 덥습니다.\n\n"
    "- 어르신 쉼터\n- 어린이 보호\n\n"
    "[시청 안내](https://www.changwon.go.kr) <script>alert(1)</script>\n\n"
    "[나쁜 링크](javascript:alert(1))"
)


def test_markdown_is_rendered_sanitised_previewed_and_edited_back(client, town, citizen):
    client.force_login(citizen)
    response = client.post(
        town.url("submit"), proposal_data(town, body=MARKDOWN), HTTP_HOST=town.host
    )
    assert response.status_code == 302
    proposal = ProposalPage.objects.get(author=citizen)
    assert "<strong>그늘막</strong>" in proposal.body
    assert "<em>여름</em>" in proposal.body
    assert "<li>어르신 쉼터</li>" in proposal.body
    assert 'href="https://www.changwon.go.kr"' in proposal.body
    assert "<script>" not in proposal.body and "&lt;script&gt;" in proposal.body
    assert 'href="javascript' not in proposal.body

    preview = client.get(town.url("preview", proposal_id=proposal.pk), HTTP_HOST=town.host)
    assert "<strong>그늘막</strong>" in preview.content.decode()

    edit = client.get(town.url("edit", proposal_id=proposal.pk), HTTP_HOST=town.host)
    textarea = edit.content.decode().split('name="body"')[1].split("</textarea>")[0]
    assert "**그늘막**" in textarea
    assert "- 어르신 쉼터" in textarea
    assert "[시청 안내](https://www.changwon.go.kr)" in textarea


def test_cards_show_stage_and_an_accessible_support_progress(client, town, citizen):
    proposal = publish(client, town, submit(client, town, citizen))
    support(client, town, proposal, UserFactory())
    client.logout()
    html = client.get(town.index.url, HTTP_HOST=town.host).content.decode()
    card = html.split('<article class="proposal-card')[1].split("</article>")[0]
    assert "공감 모으는 중" in card
    assert f'<progress id="progress-{proposal.pk}" max="3" value="1" ' in card
    assert f'aria-labelledby="supports-{proposal.pk}"' in card
    assert "공감 1 / 3 (33%)" in card


def test_the_key_figures_block_counts_live(client, town, citizen):
    home = town.site.root_page.specific
    home.body = [
        {
            "type": "statistics",
            "value": {
                "heading": "참여 현황",
                "items": [
                    {"live": "proposals", "value": "", "label": "시민 제안", "description": ""},
                    {"live": "supports", "value": "", "label": "공감", "description": ""},
                    {"live": "participants", "value": "", "label": "참여 시민", "description": ""},
                    {"live": "", "value": "52억 원", "label": "예산", "description": ""},
                ],
            },
        }
    ]
    home.save_revision().publish()
    proposal = publish(client, town, submit(client, town, citizen))
    for _ in range(2):
        support(client, town, proposal, UserFactory())
    cache.clear()
    client.logout()
    html = client.get("/", HTTP_HOST=town.host).content.decode()
    figures = html.split("block-stats__list")[1].split("</dl>")[0]
    values = [part.split("</dd>")[0] for part in figures.split('block-stats__value">')[1:]]
    assert values == ["1", "2", "3", "52억 원"]
