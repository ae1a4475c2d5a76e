import pytest

from guanxi.core.search import build_search_text, query_terms
from guanxi.core.testing import make_user
from guanxi.customers.models import Contact
from guanxi.customers.services import company_create, contact_create


def test_search_text_has_pinyin_suffixes_email_parts_and_phone_forms():
    text = build_search_text(
        names=["张三"],
        words=["北京字节跳动科技有限公司"],
        emails=["zhang.san@example.com"],
        phones=["+8613812345678"],
    ).split()
    for token in (
        "张三",
        "三",
        "zhangsan",
        "zs",
        "字节跳动科技有限公司",
        "zhang",
        "san",
        "example",
        "8613812345678",
        "13812345678",
    ):
        assert token in text


def test_query_terms_are_sanitised_and_phone_queries_become_digits():
    assert query_terms("Zhang San") == ["zhang", "san"]
    assert query_terms("138-1234-5678") == ["13812345678"]
    assert query_terms("+86 138 1234 5678") == ["8613812345678"]
    assert query_terms('"; DROP TABLE x; --') == ["drop", "table", "x"]
    assert query_terms("   ") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "zs",
        "zhangsan",
        "张三",
        "张",
        "zhang",
        "zhang.san@example.com",
        "13812345678",
        "138 1234",
        "字节",
        "ZHANGSAN",
        "ｚｓ",
    ],
)
def test_contacts_are_found_by_name_pinyin_email_phone_and_company(query):
    owner = make_user(is_superuser=True)
    company = company_create(actor=owner, name="北京字节跳动科技有限公司")
    target = contact_create(
        actor=owner, full_name="张三", email="Zhang.San@Example.com", mobile="138 1234 5678", company=company
    )
    contact_create(actor=owner, full_name="李四", email="li.si@example.org", mobile="13900000000")
    assert list(Contact.objects.filter(search_text__matches=query)) == [target]


@pytest.mark.django_db
def test_the_index_follows_updates_and_deletes():
    from guanxi.customers.services import contact_delete, contact_update

    owner = make_user(is_superuser=True)
    contact = contact_create(actor=owner, full_name="王五")
    assert Contact.objects.filter(search_text__matches="ww").exists()
    contact = contact_update(actor=owner, instance=contact, full_name="赵六")
    assert not Contact.objects.filter(search_text__matches="ww").exists()
    assert Contact.objects.filter(search_text__matches="zl").exists()
    contact_delete(actor=owner, instance=contact)
    assert not Contact.objects.filter(search_text__matches="zl").exists()


@pytest.mark.django_db
def test_renaming_a_company_reindexes_its_contacts():
    from guanxi.customers.services import company_update

    owner = make_user(is_superuser=True)
    company = company_create(actor=owner, name="旧名字")
    contact_create(actor=owner, full_name="张三", company=company)
    company_update(actor=owner, instance=company, name="新名称")
    assert Contact.objects.filter(search_text__matches="新名称").count() == 1
    assert not Contact.objects.filter(search_text__matches="旧名字").exists()
