"""Demo data of Data → Imports and Data → Duplicates: one finished import of a small HubSpot-style contacts
export (a few of its rows rejected, so the report has something to show) and a few likely duplicates
stored on purpose, found by a scan for the review page."""

from __future__ import annotations

import io
from typing import Any

from guanxi.core.context import request_context
from guanxi.core.demodata import DemoContext

HEADERS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Job Title",
    "Contact owner", "Associated Company", "Lead Status", "City", "State/Region", "Country/Region",
    "Original Source",
]  # fmt: skip
ROWS = [
    (
        "501",
        "晓明",
        "王",
        "Wang.XiaoMing@Huaxin-Tech.cn",
        "021-6234 5678",
        "139 1702 3344",
        "采购经理",
        "{owner0}",
        "上海华信科技有限公司",
        "Open",
        "上海市",
        "上海",
        "中国",
        "Offline Sources",
    ),
    (
        "502",
        "Lily",
        "Zhao",
        "lily.zhao@huaxin-tech.cn",
        "",
        "+86 138-1711-2200",
        "IT Director",
        "{owner1}",
        "上海华信科技有限公司",
        "In Progress",
        "上海市",
        "上海",
        "China",
        "Organic Search",
    ),
    (
        "503",
        "建国",
        "刘",
        "liu.jianguo@mingde-edu.com",
        "0571 8876 5432",
        "13605711234",
        "校长助理",
        "{owner0}",
        "杭州明德教育科技有限公司",
        "Open",
        "杭州市",
        "浙江",
        "中国",
        "Referrals",
    ),
    (
        "504",
        "Ken",
        "Ito",
        "ken.ito@sakura-trading.jp",
        "+81 3-1234-5678",
        "",
        "Buyer",
        "{owner1}",
        "Sakura Trading Co., Ltd.",
        "New",
        "Tokyo",
        "",
        "Japan",
        "Paid Search",
    ),
    (
        "505",
        "",
        "",
        "no.name@example.com",
        "",
        "13800001111",
        "",
        "{owner0}",
        "无名公司",
        "New",
        "",
        "",
        "中国",
        "Offline Sources",
    ),
    (
        "506",
        "Anna",
        "Schmidt",
        "anna.schmidt@example",
        "",
        "",
        "Einkauf",
        "{owner1}",
        "Globex GmbH",
        "New",
        "Berlin",
        "",
        "Germany",
        "Organic Search",
    ),
    (
        "507",
        "芳",
        "陈",
        "chen.fang@yuanhang-log.com",
        "",
        "1881234",
        "物流主管",
        "{owner0}",
        "远航物流有限公司",
        "Open",
        "宁波市",
        "浙江",
        "中国",
        "Referrals",
    ),
    (
        "508",
        "Wei",
        "Lin",
        "WANG.XIAOMING@HUAXIN-TECH.CN",
        "",
        "",
        "",
        "{owner1}",
        "上海华信科技",
        "Open",
        "上海市",
        "上海",
        "China",
        "Offline Sources",
    ),
    (
        "509",
        "Tom",
        "Baker",
        "tom.baker@acme-robotics.com",
        "",
        "+1 415 555 0199",
        "CTO",
        "Nobody Known",
        "Acme Robotics Inc.",
        "Open",
        "San Francisco",
        "CA",
        "United States",
        "Referrals",
    ),
    (
        "510",
        "静",
        "周",
        "zhou.jing@jinqiao-fin.cn",
        "010-8888 6666",
        "186 1000 2000",
        "财务经理",
        "{owner0}",
        "北京金桥金融服务有限公司",
        "Connected",
        "北京市",
        "北京",
        "中国",
        "Paid Search",
    ),
]


def demo_file(owners: list[str]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in ROWS:
        writer.writerow([cell.format(owner0=owners[0], owner1=owners[-1]) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def load(context: DemoContext) -> str:
    from guanxi.customers.models import Company, Contact
    from guanxi.customers.services import company_create, contact_create

    from .duplicates import scan
    from .engine import ImportRunner
    from .services import import_create

    owners = [str(u) for u in context.users[:2]] or [context.admin.username]
    job = import_create(
        actor=context.admin,
        source=io.BytesIO(demo_file(owners)),
        file_name="hubspot-contacts-export.csv",
        object_type="contacts",
    )
    ImportRunner(job).run()
    job.refresh_from_db()
    # Records that look like others: a company typed without its legal form, a contact typed twice.
    with request_context("demo-duplicates"):
        owner: Any = context.users[0] if context.users else context.admin
        company = Company.objects.order_by("pk").first()
        if company is not None:
            company_create(
                actor=context.admin,
                owner=owner,
                name=company.name.replace("有限公司", "").strip() or f"{company.name} Ltd.",
                city=company.city,
            )
        for contact in Contact.objects.exclude(email="").order_by("pk")[:2]:
            contact_create(
                actor=context.admin,
                owner=contact.owner or owner,
                full_name=contact.full_name,
                email=contact.email.upper(),
                company=contact.company,
                title=contact.title,
            )
    pairs = scan("contact") + scan("company")
    summary = f"an import of {job.rows} rows ({job.created} created, {job.failed} rejected)"
    return f"{summary}, {pairs} likely duplicates"
