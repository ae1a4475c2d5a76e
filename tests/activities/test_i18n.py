"""Activities in Simplified Chinese: task states, call minutes and date filters read as Chinese, not as the
words another catalogue gives the same English."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.activities.services import activity_create
from guanxi.core.testing import make_user
from guanxi.customers.services import contact_create

pytestmark = pytest.mark.django_db


def test_lists_timelines_and_filters_speak_chinese():
    boss = make_user(is_superuser=True, language="zh-hans")
    contact = contact_create(actor=boss, owner=boss, full_name="张三")
    now = timezone.now()
    activity_create(
        actor=boss,
        kind="task",
        subject="回访",
        contact=contact,
        occurred_at=now,
        due_at=now + datetime.timedelta(days=2),
    )
    activity_create(
        actor=boss,
        kind="call",
        subject="首次联系",
        contact=contact,
        occurred_at=now,
        direction="outbound",
        outcome="connected",
        duration_minutes=12,
    )
    client = Client()
    client.force_login(boss)
    listing = client.get("/activities/").content.decode()
    assert "未完成" in listing  # a task's state, not a deal's (进行中)
    assert "早于" in listing and "上线前" not in listing  # “Before” is a date filter here, not go-live
    timeline = client.get(f"/customers/contacts/{contact.pk}/").content.decode()
    assert "12 分钟" in timeline and "12 min" not in timeline
    assert 'placeholder="主题"' in timeline  # the quick form has no labels, so its fields say what they are
