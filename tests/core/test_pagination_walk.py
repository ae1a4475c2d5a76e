"""Keyset pages of filtered lists: on SQLite they walk the sort index in windows and hand selective
filters over to a collect-then-sort step (core.pagination._walk / _collect); every path must give the
same pages as a plain ORDER BY."""

import itertools

import pytest

from guanxi.core import pagination
from guanxi.core.pagination import capped_count, paginate
from guanxi.core.testing import make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db

NAMES = ["王伟", "李娜", "张三", "Ann Lee", "bob", "陈静", "赵六", "Zoe", "王芳", "刘洋", "amy", "孙七"]


@pytest.fixture
def people():
    owners = [make_user(is_superuser=True) for _ in range(3)]
    for i in range(60):
        contact_create(
            actor=owners[0],
            owner=owners[i % 3 if i % 7 else 2],
            full_name=f"{NAMES[i % len(NAMES)]}{i // 12 or ''}",
            city=["上海", "北京", "", "深圳"][i % 4] if i % 11 else "乌鲁木齐",
            email=f"p{(i * 37) % 60}@example.com" if i % 5 else "",
            source=["web", "referral", ""][i % 3],
            tags=["VIP"] if i % 6 == 0 else ["VIP", "重点客户"] if i % 10 == 0 else [],
        )
    return owners


def forward(queryset, sort, size, matches=None, at_least=None):
    seen, cursor, pages = [], None, []
    while True:
        page = paginate(queryset, sort=sort, cursor=cursor, size=size, matches=matches, at_least=at_least)
        seen.extend(page.items)
        pages.append(page)
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def expected(queryset, sort):
    pk = "-pk" if sort.startswith("-") else "pk"
    return list(queryset.order_by(sort, pk).distinct())


@pytest.fixture(params=["small windows", "defaults", "common walk"])
def walk_settings(request, monkeypatch):
    if request.param in ("small windows", "common walk"):
        monkeypatch.setattr(pagination, "WALK_START", 1)
        monkeypatch.setattr(pagination, "WALK_LIMIT", 12)
        monkeypatch.setattr(pagination, "COLLECT_LIMIT", 5)
    if request.param == "common walk":
        # Windows of a few ids, and the planner takes over after some of them: both ends of the walk
        # of a filter whose capped count says it is too common to collect.
        monkeypatch.setattr(pagination, "WALK_WINDOW_MAX", 7)
        monkeypatch.setattr(pagination, "WALK_COMMON_LIMIT", 20)
    return request.param


@pytest.mark.parametrize("sort", ["sort_name", "-sort_name", "city", "-email", "created_at", "-id", "source"])
@pytest.mark.parametrize(
    "filters",
    [
        {"city": "上海"},
        {"city": "乌鲁木齐"},
        {"owner_index": 2},
        {"owner_index": 1, "source": "web"},
        {"city": "无"},
    ],
)
@pytest.mark.parametrize("counted", [False, True, "capped"])
def test_filtered_pages_visit_every_match_once_in_order(people, walk_settings, sort, filters, counted):
    filters = dict(filters)
    if "owner_index" in filters:
        filters["owner"] = people[filters.pop("owner_index")]
    queryset = Contact.objects.filter(**filters)
    count, capped = capped_count(queryset)
    matches = None if capped or not counted else count  # as the list page passes its count
    at_least = None
    if counted == "capped":
        # As the list page passes a count that stopped at its cap: at least this many.
        matches, at_least = None, min(count, pagination.COLLECT_LIMIT + 1)
    rows, pages = forward(queryset, sort, 4, matches, at_least)
    assert rows == expected(queryset, sort)
    for previous, page in itertools.pairwise(pages):
        back = paginate(
            queryset, sort=sort, cursor=page.previous_cursor, size=4, matches=matches, at_least=at_least
        )
        assert back.items == previous.items


def test_a_common_filter_walks_on_instead_of_sorting_every_match(people, monkeypatch):
    """A count capped above the collect limit: the walk keeps reading windows of the sort order rather
    than handing the page to the planner (a sort of every match) or counting the matches again."""
    monkeypatch.setattr(pagination, "WALK_START", 1)
    monkeypatch.setattr(pagination, "WALK_LIMIT", 4)
    monkeypatch.setattr(pagination, "COLLECT_LIMIT", 3)
    plain = []
    monkeypatch.setattr(pagination, "_collect", lambda *a, **k: plain.append(1) or [])
    queryset = Contact.objects.filter(owner=people[1])
    count = queryset.count()
    assert count > 4
    page = paginate(queryset, sort="-email", cursor=None, size=4, at_least=4)
    assert page.items == expected(queryset, "-email")[:4]
    assert not plain


def test_multiple_choice_filters_lose_their_needless_distinct(people):
    queryset = Contact.objects.filter(owner__in=[people[1]], source__in=["web", "referral"]).distinct()
    plain = Contact.objects.filter(owner__in=[people[1]], source__in=["web", "referral"])
    assert not pagination._without_needless_distinct(queryset).query.distinct
    assert forward(queryset, "sort_name", 5)[0] == expected(plain, "sort_name")
    assert capped_count(queryset) == capped_count(plain)


def test_a_tag_filter_keeps_distinct_and_lists_each_record_once(people):
    queryset = Contact.objects.filter(tags__name__in=["VIP", "重点客户"]).distinct()
    assert pagination._without_needless_distinct(queryset).query.distinct
    rows = forward(queryset, "-email", 3)[0]
    assert (
        len(rows)
        == len(set(rows))
        == Contact.objects.filter(tags__name__in=["VIP", "重点客户"]).distinct().count()
    )
    assert capped_count(queryset) == (len(rows), False)
