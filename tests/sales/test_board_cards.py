"""The board's cards written in Python (`views.BoardCards`) are byte for byte what the card template loop they
replaced renders, in English and in Chinese, and the board page shows them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation

from guanxi.core.testing import make_user
from guanxi.customers.services import company_create
from guanxi.sales import services
from guanxi.sales.models import Deal, Pipeline
from guanxi.sales.selectors import board
from guanxi.sales.views import BoardCards

pytestmark = pytest.mark.django_db

# The markup sales/board.html rendered per card before the cards were written in Python.
CARD_LOOP = """{% for deal in cards %}
      <div class="card gx-deal-card" data-id="{{ deal.pk }}" data-version="{{ deal.version }}" data-amount="{{ deal.amount }}">
        <div class="card-body p-2">
          <a href="{% url 'sales:deal_detail' deal.pk %}" class="fw-bold">{{ deal.name }}</a>
          <div class="small text-secondary">{{ deal.company|default:"" }}</div>
          <div class="small d-flex"><span>{{ deal.currency }} {{ deal.amount|floatformat:"0g" }}</span><span class="ms-auto">{{ deal.owner.name }}</span></div>
          {% if deal.expected_close_date %}<div class="small text-secondary">{{ deal.expected_close_date|date:"SHORT_DATE_FORMAT" }}</div>{% endif %}
        </div>
      </div>
      {% endfor %}"""  # noqa: E501


@pytest.fixture
def deals():
    admin = make_user(is_superuser=True)
    named = make_user(display_name="Zhang <Wei> & 'co'")
    plain = make_user(first_name="Ann", last_name="Lee")
    bare = make_user()
    acme = company_create(actor=admin, name='Acme "R&D" <GmbH>')
    amounts = ["0", "0.50", "1.49", "1.50", "2.50", "999.99", "1000", "1234567.89", "12345678.50"]
    owners = [named, plain, bare, None]
    for i, amount in enumerate(amounts):
        services.deal_create(
            actor=admin,
            name=f"Deal <{i}> & \"quoted\" 'x'",
            amount=Decimal(amount),
            currency=["CNY", "USD", "EUR"][i % 3],
            company=acme if i % 2 else None,
            owner=owners[i % len(owners)],
            expected_close_date=datetime.date(2030, 1 + i, 28) if i % 3 else None,
        )
    return admin


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_cards_are_what_the_template_loop_rendered(deals, language):
    pipeline = Pipeline.objects.get(is_default=True)
    columns = [c for c in board(deals, pipeline) if c.cards]
    assert columns and sum(len(c.cards) for c in columns) == 9
    loop = engines["django"].from_string(CARD_LOOP)
    with translation.override(language):
        cards = BoardCards()
        for column in columns:
            ids = [card.pk for card in column.cards]
            models = Deal.objects.select_related("company", "owner").in_bulk(ids)
            expected = loop.render({"cards": [models[pk] for pk in ids]})
            assert cards.html(column.cards) == expected
            assert "&lt;GmbH&gt;" in expected and "1,234,568" in expected


@pytest.mark.parametrize("amount", ["0.49", "0.5", "-0.5", "-1234.5", "1234.49", "9999999.5", "100000"])
def test_whole_amounts_round_and_group_like_floatformat(amount):
    from django.template.defaultfilters import floatformat

    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert BoardCards().whole(Decimal(amount)) == floatformat(Decimal(amount), "0g")


def test_the_board_page_shows_the_cards(deals):
    client = Client()
    client.force_login(deals)
    page = client.get("/sales/board/").content.decode()
    for deal in Deal.objects.all():
        assert f'data-id="{deal.pk}" data-version="{deal.version}"' in page
        assert f'href="/sales/deals/{deal.pk}/"' in page
    assert "Zhang &lt;Wei&gt; &amp; &#x27;co&#x27;" in page and "Ann Lee" in page


def test_the_lost_form_renders_as_through_the_widget_templates():
    from django.forms.renderers import get_default_renderer

    from guanxi.sales.forms import LostForm

    for language in ("en", "zh-hans"):
        with translation.override(language):
            fast, slow = LostForm(), LostForm(renderer=get_default_renderer())
            assert [str(fast[name]) for name in fast.fields] == [str(slow[name]) for name in slow.fields]
