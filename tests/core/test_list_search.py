"""A search is a capped candidate set (core.search): the list page, the API and the header search keep
at most GUANXI_SEARCH_CANDIDATES matches and say so."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from guanxi.core.testing import make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def wangs():
    owner = make_user(is_superuser=True)
    made = [contact_create(actor=owner, full_name=name) for name in ("王伟", "王芳", "王磊", "李娜")]
    return owner, made


def page(owner, **params):
    client = Client()
    client.force_login(owner)
    response = client.get("/customers/contacts/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_counts_and_shows_the_matches(wangs):
    owner, made = wangs
    html = page(owner, q="wang")
    assert all(f'data-id="{c.pk}"' in html for c in made[:3])
    assert f'data-id="{made[3].pk}"' not in html
    assert "3 records" in html


def test_a_capped_search_says_there_may_be_more(wangs, settings):
    settings.GUANXI_SEARCH_CANDIDATES = 2
    owner, _made = wangs
    html = page(owner, q="王")
    assert html.count('data-id="') == 2
    assert "2+ records" in html
    assert Contact.objects.filter(search_text__matches="王").count() == 2


def test_the_api_pages_through_the_candidates(wangs):
    owner, made = wangs
    client = APIClient()
    client.force_authenticate(owner)
    first = client.get("/api/v1/contacts/", {"search": "wang", "limit": 2}).json()
    second = client.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(ids) == sorted(c.pk for c in made[:3])
    assert second["next"] is None
