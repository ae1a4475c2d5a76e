from typing import Any

from guanxi.activities.services import activity_create
from guanxi.core.testing import RecordTestSuite


class TestActivityRecord(RecordTestSuite):
    object_type = "activity"
    form_data = {
        "kind": "call",
        "subject": "确认需求",
        "direction": "outbound",
        "outcome": "connected",
        "occurred_at": "2026-11-20T10:00",
        "priority": "normal",
    }
    api_data = {"kind": "call", "subject": "确认需求", "direction": "outbound"}
    update_data = {"subject": "确认需求和预算"}
    invalid_api_data = {"kind": "meeting", "subject": "现场考察"}
    invalid_field = "start_at"

    def build(self, owner: Any, **fields: Any) -> Any:
        return activity_create(
            actor=owner, owner=owner, kind="note", body=fields.pop("body", "一条记录"), **fields
        )
