import itertools
from decimal import Decimal
from typing import Any

from guanxi.core.testing import RecordTestSuite
from guanxi.sales.models import Pipeline
from guanxi.sales.services import deal_create, lead_create, pipeline_create, product_create

_codes = itertools.count(1)


class TestLeadRecord(RecordTestSuite):
    object_type = "lead"
    form_data = {
        "full_name": "周明",
        "company_name": "杭州云帆物流有限公司",
        "email": "zhou@yunfan.cn",
        "country": "CN",
    }
    api_data = {"full_name": "周明", "email": "zhou@yunfan.cn", "source": "web"}
    update_data = {"full_name": "周明亮"}
    invalid_api_data = {"full_name": "周明", "source": "carrier-pigeon"}
    invalid_field = "source"

    def build(self, owner: Any, **fields: Any) -> Any:
        return lead_create(actor=owner, owner=owner, full_name=fields.pop("full_name", "线索"), **fields)


class TestDealRecord(RecordTestSuite):
    object_type = "deal"
    form_data = {"name": "WMS 升级", "amount": "120000", "currency": "CNY"}
    api_data = {"name": "WMS 升级", "amount": "120000.00", "currency": "CNY"}
    update_data = {"name": "WMS 升级二期"}
    invalid_api_data = {"name": "负数", "amount": "-5"}
    invalid_field = "amount"

    def build(self, owner: Any, **fields: Any) -> Any:
        return deal_create(
            actor=owner, owner=owner, name=fields.pop("name", "商机"), amount=Decimal("1000"), **fields
        )


class TestProductRecord(RecordTestSuite):
    object_type = "product"
    form_data = {
        "code": "SENSOR-S300",
        "name": "工业传感器 S300",
        "unit": "个",
        "list_price": "1500",
        "currency": "CNY",
        "tax_rate": "13",
        "active": "on",
    }
    api_data = {"code": "SENSOR-S300", "name": "工业传感器 S300", "list_price": "1500.00"}
    update_data = {"name": "工业传感器 S300 Pro"}
    invalid_api_data = {"code": "BAD", "name": "Bad", "tax_rate": "150"}
    invalid_field = "tax_rate"

    def build(self, owner: Any, **fields: Any) -> Any:
        from guanxi.core.permissions import SYSTEM

        code = f"P-{next(_codes)}"
        return product_create(actor=SYSTEM, code=code, name=fields.pop("name", "产品"), **fields)


class TestPipelineRecord(RecordTestSuite):
    object_type = "pipeline"
    form_data = {
        "name": "Partners",
        "order": "50",
        "active": "on",
        "stages-TOTAL_FORMS": "2",
        "stages-INITIAL_FORMS": "0",
        "stages-0-name": "Talking",
        "stages-0-probability": "20",
        "stages-0-kind": "open",
        "stages-1-name": "Signed",
        "stages-1-probability": "100",
        "stages-1-kind": "won",
    }
    api_data = {
        "name": "Partners",
        "stages": [
            {"name": "Talking", "probability": 20, "kind": "open"},
            {"name": "Signed", "probability": 100, "kind": "won"},
        ],
    }
    update_data = {"name": "Partner channel"}

    def build(self, owner: Any, **fields: Any) -> Any:
        from guanxi.core.permissions import SYSTEM

        name = fields.pop("name", f"Pipeline {Pipeline.objects.count() + 1}")
        return pipeline_create(
            actor=SYSTEM, name=name, stages=[{"name": "Open", "probability": 10, "kind": "open"}]
        )
