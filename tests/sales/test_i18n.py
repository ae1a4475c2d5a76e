"""The sales pages in Simplified Chinese: the board's script gets its words from the page, settings and the
public web form speak Chinese, and strings a library also translates show our wording."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from guanxi.core.testing import make_user
from guanxi.sales.choices import PicklistKind
from guanxi.sales.models import PicklistValue, WebForm
from guanxi.sales.services import lead_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese_admin() -> Client:
    client = Client()
    client.force_login(make_user(is_superuser=True, language="zh-hans"))
    return client


def test_the_board_gives_its_script_chinese_words(chinese_admin):
    page = chinese_admin.get("/sales/board/").content.decode()
    assert 'data-error-text="网络错误"' in page
    assert "拖到此处：赢单" in page and "标记为输单" in page and "输单原因" in page
    assert "Network error" not in page and "Drop here" not in page


def test_a_new_pipeline_suggests_stage_names_in_the_users_language(chinese_admin):
    page = chinese_admin.get("/sales/pipelines/new/").content.decode()
    assert 'value="资格确认"' in page and 'value="赢单"' in page and 'value="输单"' in page
    assert "Qualification" not in page


def test_settings_pages_use_our_words_where_a_library_has_its_own(chinese_admin):
    lists = chinese_admin.get("/sales/settings/lists/").content.decode()
    assert "<th>键名</th>" in lists  # Django REST framework translates “Key” as 键
    rules = chinese_admin.get("/sales/settings/rules/").content.decode()
    assert "<th>条件</th>" in rules and "线索分配规则" in rules


def test_the_public_form_answers_a_chinese_browser_in_chinese(client):
    cache.clear()
    web = PicklistValue.objects.get(kind=PicklistKind.LEAD_SOURCE, key="web")
    WebForm.objects.create(name="Enquiry", token="tok-zh", enabled=True, source=web)
    page = client.get("/forms/lead/tok-zh/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "您的姓名" in page and "提交" in page
    answer = client.post(
        "/forms/lead/tok-zh/", {"full_name": "李四"}, HTTP_ACCEPT_LANGUAGE="zh-CN", REMOTE_ADDR="10.0.0.9"
    )
    assert answer.status_code == 400 and "请留下电子邮箱或电话号码" in answer.content.decode()
    closed = client.get("/forms/lead/nope/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert closed.status_code == 404 and "此表单目前不可用" in closed.content.decode()


def test_the_lead_list_names_people_and_dates_as_the_other_lists_do(chinese_admin):
    lead_create(actor=make_user(is_superuser=True), full_name="王芳")
    page = chinese_admin.get("/sales/leads/").content.decode()
    assert "姓名" in page and "创建时间" in page and "已创建" not in page
