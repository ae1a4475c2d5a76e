"""The home dashboard's charts take their series names from the page, so Chinese users read Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_the_chart_labels_come_from_the_page_in_the_users_language():
    client = Client()
    client.force_login(make_user(is_superuser=True, language="zh-hans"))
    page = client.get("/").content.decode()
    assert 'data-total-label="管道金额"' in page and 'data-weighted-label="加权金额"' in page
    assert "加权预测" in page and "本月赢单" in page
