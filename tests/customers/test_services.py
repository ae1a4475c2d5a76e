import pytest

from guanxi.core.testing import make_role, make_user
from guanxi.customers.selectors import contact_duplicates
from guanxi.customers.services import company_create, contact_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return make_user(is_superuser=True)


def test_emails_and_phones_are_normalised_beside_what_was_typed(admin):
    contact = contact_create(
        actor=admin,
        full_name="张三",
        email="  ＺＨＡＮＧ@Example.COM ",
        mobile="138 1234 5678",
        work_phone="(010) 1234-5678",
    )
    assert contact.email == "zhang@example.com"
    assert (contact.mobile, contact.mobile_e164) == ("138 1234 5678", "+8613812345678")
    assert contact.work_phone_e164 == "+861012345678"


def test_a_phone_that_does_not_parse_is_kept_as_typed(admin):
    contact = contact_create(actor=admin, full_name="张三", mobile="call the front desk")
    assert contact.mobile == "call the front desk" and contact.mobile_e164 == ""


@pytest.mark.parametrize(
    ("fields", "full", "family", "given"),
    [
        ({"full_name": "张三"}, "张三", "张", "三"),
        ({"full_name": "欧阳娜娜"}, "欧阳娜娜", "欧阳", "娜娜"),
        ({"family_name": "王", "given_name": "小明"}, "王小明", "王", "小明"),
        ({"family_name": "Smith", "given_name": "John"}, "John Smith", "Smith", "John"),
        ({"full_name": "Emily Chen"}, "Emily Chen", "Chen", "Emily"),
    ],
)
def test_names_are_completed_from_whatever_was_given(admin, fields, full, family, given):
    contact = contact_create(actor=admin, **fields)
    assert (contact.full_name, contact.family_name, contact.given_name) == (full, family, given)


def test_chinese_names_sort_by_pinyin(admin):
    for name in ["张三", "Alice Wang", "李四", "Zoe Ng"]:
        contact_create(actor=admin, full_name=name)
    from guanxi.customers.models import Contact

    assert [c.full_name for c in Contact.objects.order_by("sort_name")] == [
        "Alice Wang",
        "李四",
        "张三",
        "Zoe Ng",
    ]


def test_company_domain_and_key_are_derived(admin):
    company = company_create(
        actor=admin, name="北京字节跳动科技有限公司", website="https://www.Bytedance.com/about"
    )
    assert company.domain == "bytedance.com"
    assert company.name_key == "北京字节跳动科技"


def test_duplicates_are_found_by_email_or_mobile_and_hidden_ones_only_counted(admin):
    rep = make_user(role=make_role(contact={"view": "own", "create": "own"}))
    mine = contact_create(actor=rep, full_name="张三", email="zs@example.com")
    contact_create(actor=admin, full_name="张三丰", email="other@example.com", mobile="13812345678")
    visible, hidden = contact_duplicates(rep, email="ZS@example.com ")
    assert visible == [mine] and hidden == 0
    visible, hidden = contact_duplicates(rep, mobile="+86 138-1234-5678")
    assert visible == [] and hidden == 1
    assert contact_duplicates(rep, email="", mobile="") == ([], 0)


def test_the_form_warns_about_a_duplicate_and_saves_when_confirmed(admin, client):
    contact_create(actor=admin, full_name="张三", email="zs@example.com")
    client.force_login(admin)
    data = {"full_name": "张三", "email": "zs@example.com", "country": "CN"}
    response = client.post("/customers/contacts/new/", data)
    assert response.status_code == 200 and 'id="warnings"' in response.content.decode()
    from guanxi.customers.models import Contact

    assert Contact.objects.count() == 1
    response = client.post("/customers/contacts/new/", {**data, "confirm_warnings": "1"})
    assert response.status_code == 302 and Contact.objects.count() == 2


def test_editing_without_touching_email_or_mobile_does_not_warn(admin, client):
    contact_create(actor=admin, full_name="张三", email="zs@example.com")
    twin = contact_create(actor=admin, full_name="张三", email="zs@example.com")
    client.force_login(admin)
    data = {"full_name": "张三", "title": "经理", "email": "zs@example.com", "country": "CN", "version": 1}
    response = client.post(f"/customers/contacts/{twin.pk}/edit/", data)
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.title == "经理"


def test_company_page_lists_its_contacts_the_user_may_see(admin, client):
    company = company_create(actor=admin, name="星辰科技")
    contact_create(actor=admin, full_name="张三", company=company)
    rep = make_user(role=make_role(company={"view": "all"}, contact={"view": "own"}))
    contact_create(actor=admin, full_name="李四", company=company, owner=rep)
    client.force_login(rep)
    page = client.get(f"/customers/companies/{company.pk}/").content.decode()
    assert "李四" in page and "张三" not in page
