import pytest

from guanxi.core.pagination import InvalidCursor, capped_count, decode_cursor, encode_cursor, paginate
from guanxi.core.testing import make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts():
    owner = make_user(is_superuser=True)
    names = ["b", "a", "c", "a", "b", "d", "a"]
    made = [
        contact_create(actor=owner, full_name=n, city=("" if i % 3 == 0 else f"c{i % 2}"))
        for i, n in enumerate(names)
    ]
    return made


def walk(queryset, sort, size):
    seen, cursor = [], None
    while True:
        page = paginate(queryset, sort=sort, cursor=cursor, size=size)
        seen.extend(page.items)
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["sort_name", "-sort_name", "city", "-city", "id", "-id", "created_at"])
def test_walking_forward_visits_every_row_once_in_order(contacts, sort):
    queryset = Contact.objects.all()
    expected = list(queryset.order_by(sort, "pk" if not sort.startswith("-") else "-pk"))
    assert walk(queryset, sort, 2) == expected


@pytest.mark.parametrize("sort", ["sort_name", "-city", "id"])
def test_previous_returns_the_page_before(contacts, sort):
    queryset = Contact.objects.all()
    first = paginate(queryset, sort=sort, cursor=None, size=3)
    second = paginate(queryset, sort=sort, cursor=first.next_cursor, size=3)
    back = paginate(queryset, sort=sort, cursor=second.previous_cursor, size=3)
    assert back.items == first.items
    assert back.is_first and back.previous_cursor is None
    assert not second.is_first


def test_a_damaged_cursor_is_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor("not-a-cursor")
    assert decode_cursor(encode_cursor(("x", 5))) == ("x", 5, False)


def test_counts_stop_at_the_cap(contacts):
    assert capped_count(Contact.objects.all(), cap=5) == (5, True)
    assert capped_count(Contact.objects.all(), cap=50) == (7, False)


@pytest.mark.parametrize("sort", ["company_id", "-company_id"])
def test_nulls_sort_last_in_both_directions_and_pages_cover_them(sort):
    from guanxi.customers.services import company_create

    owner = make_user(is_superuser=True)
    companies = [company_create(actor=owner, name=f"Co {i}") for i in range(2)]
    for i in range(7):
        contact_create(actor=owner, full_name=f"p{i}", company=companies[i % 2] if i % 3 else None)
    queryset = Contact.objects.all()
    rows = walk(queryset, sort, 2)
    assert len(rows) == len(set(rows)) == 7
    values = [r.company_id for r in rows]
    non_null = [v for v in values if v is not None]
    assert values[len(non_null) :] == [None] * (7 - len(non_null))
    assert non_null == sorted(non_null, reverse=sort.startswith("-"))
    last = paginate(queryset, sort=sort, cursor=None, size=5)
    tail = paginate(queryset, sort=sort, cursor=last.next_cursor, size=5)
    back = paginate(queryset, sort=sort, cursor=tail.previous_cursor, size=5)
    assert back.items == last.items
