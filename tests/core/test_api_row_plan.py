"""API lists read plain column values (core.api.RowPlan) where the serializer allows it; every list of the
demo data must answer exactly what the serializer path answers: the same JSON text, page after page,
for an administrator and a representative, in two time zones, with filters, orderings and a search."""

import orjson
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from guanxi.core.api import RecordViewSet
from guanxi.core.registry import registry
from guanxi.customers.api import CompanySerializer, ContactSerializer
from guanxi.users.models import User

pytestmark = pytest.mark.django_db


def _pages(client: APIClient, url: str, pages: int = 3) -> list[bytes]:
    bodies = []
    while url and len(bodies) < pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        bodies.append(response.content)
        url = orjson.loads(response.content)["next"]
    return bodies


def _serializer_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RecordViewSet, "row_plan", lambda self: None)


def test_plans_cover_companies_and_contacts_and_leave_nested_records_to_the_serializer():
    from guanxi.core.api import RowPlan

    assert RowPlan.of(ContactSerializer()) is not None
    assert RowPlan.of(CompanySerializer()) is not None
    deal = registry.get("deal")
    assert RowPlan.of(deal.viewset_class.serializer_class()) is None  # lines and contact roles are nested


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
def test_every_list_answers_what_the_serializer_answers(monkeypatch: pytest.MonkeyPatch, settings, zone):
    settings.TIME_ZONE = zone  # API requests are answered in the installation's time zone
    admin = User.objects.create_superuser("admin", password="x-Long-secret-1")
    call_command("demo", verbosity=0)
    rep = (
        User.objects.filter(role__code="sales_rep").order_by("pk").first()
        or User.objects.exclude(pk=admin.pk).order_by("pk").first()
    )
    assert rep is not None
    queries = ["?limit=7", "?limit=5&ordering=-updated_at", "?limit=4&ordering=created_at"]
    contact_queries = [
        "?limit=6&ordering=full_name",
        "?limit=5&search=wang",
        "?limit=5&city=上海",
        "?limit=3&ordering=-email&source=referral",
    ]
    used_plans = set()
    for user in (admin, rep):
        client = APIClient()
        client.force_authenticate(user)
        for object_type in registry.all():
            if not object_type.viewset or not object_type.api_path:
                continue
            viewset = object_type.viewset_class
            if not issubclass(viewset, RecordViewSet):
                continue
            base = f"/api/v1/{object_type.api_path}/"
            if client.get(base + "?limit=1").status_code == 403:
                continue
            if RecordViewSet._row_plans.get(viewset.serializer_class) is not None:
                used_plans.add(object_type.key)
            for query in queries + (contact_queries if object_type.key == "contact" else []):
                fast = _pages(client, base + query)
                with monkeypatch.context() as patch:
                    _serializer_path(patch)
                    slow = _pages(client, base + query)
                assert fast == slow, (user.username, base + query)
    assert {"contact", "company"} <= used_plans
