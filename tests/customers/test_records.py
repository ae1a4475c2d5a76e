from typing import Any

from guanxi.core.testing import RecordTestSuite
from guanxi.customers.services import company_create, contact_create


class TestCompanyRecord(RecordTestSuite):
    object_type = "company"
    form_data = {
        "name": "上海星辰科技有限公司",
        "country": "CN",
        "city": "上海",
        "website": "https://www.xingchen.cn",
    }
    api_data = {"name": "Northwind Traders", "country": "US"}
    update_data = {"name": "上海星辰科技股份有限公司"}
    invalid_api_data = {"name": "Bad Co", "website": "not a url"}
    invalid_field = "website"

    def build(self, owner: Any, **fields: Any) -> Any:
        return company_create(actor=owner, owner=owner, name=fields.pop("name", "某公司"), **fields)


class TestContactRecord(RecordTestSuite):
    object_type = "contact"
    form_data = {
        "full_name": "王小明",
        "email": "xiaoming@example.cn",
        "mobile": "13812345678",
        "country": "CN",
    }
    api_data = {"full_name": "王小明", "email": "xiaoming@example.cn"}
    update_data = {"full_name": "王大明"}
    invalid_api_data = {"full_name": "王小明", "email": "not-an-email"}
    invalid_field = "email"

    def build(self, owner: Any, **fields: Any) -> Any:
        return contact_create(actor=owner, owner=owner, full_name=fields.pop("full_name", "某人"), **fields)
