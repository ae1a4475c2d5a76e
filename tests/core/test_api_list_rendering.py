"""The API renders lists through a compiled plan (core.api.RecordListSerializer); its output must be
exactly DRF's, field by field."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from guanxi.core.api import RecordListSerializer
from guanxi.core.testing import make_team, make_user
from guanxi.customers.api import CompanySerializer, ContactSerializer
from guanxi.customers.models import Company, Contact
from guanxi.customers.services import company_create, contact_create

pytestmark = pytest.mark.django_db


def _both(serializer_class, queryset, user):
    request = APIRequestFactory().get("/api/v1/x/")
    request.user = user
    context = {"request": request}
    fast = serializer_class(queryset, many=True, context=context)
    assert isinstance(fast, RecordListSerializer)
    plain = serializers.ListSerializer(queryset, child=serializer_class(context=context), context=context)
    return fast.data, plain.data


def test_contacts_render_exactly_as_drf_renders_them():
    team = make_team()
    owner = make_user(is_superuser=True, team=team)
    company = company_create(actor=owner, name="上海星辰科技有限公司", industry="technology", size="11-50")
    contact_create(
        actor=owner,
        owner=owner,
        full_name="王小明",
        email="Xiaoming@Example.cn",
        mobile="138 1234 5678",
        company=company,
        source="referral",
        tags=["VIP", "重点客户"],
    )
    contact_create(actor=owner, full_name="Ann Lee", source="", mobile="12345")  # no company, no tags
    queryset = Contact.objects.select_related("owner", "company").prefetch_related("tags").order_by("id")
    fast, plain = _both(ContactSerializer, queryset, owner)
    assert fast == plain
    assert [list(row) for row in fast] == [list(row) for row in plain]  # the same keys in the same order
    assert fast[0]["company_name"] == "上海星辰科技有限公司" and fast[1]["company"] is None
    assert sorted(fast[0]["tags"]) == ["VIP", "重点客户"]


def test_companies_render_exactly_as_drf_renders_them():
    owner = make_user(is_superuser=True)
    company_create(actor=owner, name="Acme Inc.", website="https://acme.example", industry="retail")
    company_create(actor=owner, name="北京某公司", phone="010-12345678")
    queryset = Company.objects.select_related("owner").prefetch_related("tags").order_by("id")
    fast, plain = _both(CompanySerializer, queryset, owner)
    assert fast == plain
    assert [list(row) for row in fast] == [list(row) for row in plain]


def test_the_json_renderer_writes_the_same_text_as_drfs():
    import decimal

    from django.utils.translation import gettext_lazy
    from rest_framework.renderers import JSONRenderer

    from guanxi.core.api import RecordJSONRenderer

    data = {
        "results": [
            {
                "id": 1,
                "name": '王小明 \u2028 \u2029 "quoted" / back\\slash',
                "n": 1.5,
                "ok": True,
                "none": None,
            },
            {"id": 2, "label": gettext_lazy("Search"), "amount": decimal.Decimal("12.30"), "tags": ["VIP"]},
        ],
        "next": "http://testserver/api/v1/contacts/?cursor=abc&limit=50",
        "previous": None,
    }
    assert RecordJSONRenderer().render(data) == JSONRenderer().render(data)
    assert RecordJSONRenderer().render(data, "application/json; indent=2") == JSONRenderer().render(
        data, "application/json; indent=2"
    )
