# ruff: noqa: E501 - rows of sample data read better one per line
"""Regenerate the test data files in this folder (they are committed; run after a change).

    .venv/bin/python tests/transfer/data/make_files.py

Every file is built from the small, fixed set of companies, people, deals and activities
below, written in the column layout of each vendor's standard export (see the comments of
``src/guanxi/transfer/presets/*.yaml`` for where those layouts come from), plus files that
exercise the readers: GBK, UTF-16, semicolons, a two-sheet XLSX, JSON and a messy CSV.
Deterministic: running it twice gives the same bytes (except XLSX timestamps, which are
pinned).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent

# name, domain/website, industry, employees, phone, country, province, city, street, owner
COMPANIES = [
    (
        "北京字节跳动科技有限公司",
        "bytedance.com",
        "互联网",
        110000,
        "010-58341234",
        "中国",
        "北京",
        "北京市",
        "海淀区知春路甲48号",
    ),
    (
        "深圳市腾讯计算机系统有限公司",
        "tencent.com",
        "互联网",
        105000,
        "0755-86013388",
        "中国",
        "广东",
        "深圳市",
        "南山区海天二路33号",
    ),
    (
        "杭州星辰网络科技有限公司",
        "xingchen.cn",
        "软件",
        120,
        "0571-88776655",
        "中国",
        "浙江",
        "杭州市",
        "西湖区文三路90号",
    ),
    (
        "上海远航物流股份有限公司",
        "yuanhang-logistics.com",
        "物流",
        860,
        "(021) 6234 5678",
        "中国",
        "上海",
        "上海市",
        "浦东新区张江路1000号",
    ),
    (
        "Acme Robotics Inc.",
        "acme-robotics.com",
        "Manufacturing",
        450,
        "+1 415 555 0100",
        "United States",
        "CA",
        "San Francisco",
        "500 Howard St",
    ),
    (
        "Globex Trading Ltd.",
        "globex.co.uk",
        "Wholesale",
        75,
        "+44 20 7946 0958",
        "United Kingdom",
        "England",
        "London",
        "221 Baker Street",
    ),
    (
        "成都金石医疗器械有限责任公司",
        "jinshi-med.com",
        "医疗",
        300,
        "028-85551234",
        "中国",
        "四川",
        "成都市",
        "高新区天府大道中段666号",
    ),
    (
        "Initech Software GmbH",
        "initech.de",
        "Software",
        60,
        "+49 30 1234567",
        "Germany",
        "Berlin",
        "Berlin",
        "Friedrichstraße 68",
    ),
    (
        "广州海纳贸易有限公司",
        "haina-trade.com",
        "贸易",
        40,
        "020-37261234",
        "中国",
        "广东",
        "广州市",
        "天河区天河路385号",
    ),
    (
        "Stark Consulting Pte. Ltd.",
        "starkconsulting.sg",
        "Consulting",
        25,
        "+65 6123 4567",
        "Singapore",
        "",
        "Singapore",
        "1 Raffles Place",
    ),
    (
        "武汉天工智能制造集团有限公司",
        "tiangong-im.com",
        "制造",
        2100,
        "027-87654321",
        "中国",
        "湖北",
        "武汉市",
        "东湖高新区光谷大道77号",
    ),
    (
        "南京博远文化传媒有限公司",
        "boyuan-media.cn",
        "传媒",
        35,
        "025-83334444",
        "中国",
        "江苏",
        "南京市",
        "鼓楼区中山路18号",
    ),
]
OWNERS = ["li.na@guanxi-demo.cn", "wang.wei@guanxi-demo.cn", "sarah.lee@guanxi-demo.com"]
OWNER_NAMES = ["李娜", "王伟", "Sarah Lee"]

# family, given, title, email, mobile, work phone, company index, wechat
PEOPLE = [
    ("张", "伟", "销售总监", "zhang.wei@bytedance.com", "13812345678", "010-58341234-8001", 0, "zhangwei_bd"),
    ("王", "芳", "采购经理", "wangfang@tencent.com", "139 1234 5678", "0755-86013388", 1, "wangfang88"),
    ("欧阳", "娜娜", "市场总监", "ouyang.nana@xingchen.cn", "+86 137 0000 1111", "0571-88776655", 2, ""),
    (
        "刘",
        "洋",
        "总经理",
        "liuyang@yuanhang-logistics.com",
        "186-2233-4455",
        "(021) 6234 5678",
        3,
        "liuyang_sh",
    ),
    (
        "Smith",
        "John",
        "VP Sales",
        "john.smith@acme-robotics.com",
        "+1 415 555 0134",
        "+1 415 555 0100",
        4,
        "",
    ),
    ("Brown", "Emily", "Buyer", "emily.brown@globex.co.uk", "+44 7700 900123", "+44 20 7946 0958", 5, ""),
    ("陈", "静", "财务经理", "chenjing@jinshi-med.com", "15828761234", "028-85551234", 6, "chenjing_cd"),
    ("Müller", "Jonas", "CTO", "jonas.mueller@initech.de", "+49 151 23456789", "+49 30 1234567", 7, ""),
    (
        "单",
        "田芳",
        "行政专员",
        "shantianfang@haina-trade.com",
        "0086 135 0000 2222",
        "020-37261234",
        8,
        "stf2020",
    ),
    ("Tan", "Wei Ling", "Partner", "weiling.tan@starkconsulting.sg", "+65 9123 4567", "+65 6123 4567", 9, ""),
    ("曾", "志强", "技术总监", "zengzhiqiang@tiangong-im.com", "17700001234", "027-87654321", 10, "zzq_wh"),
    ("周", "晓东", "编辑", "zhouxd@boyuan-media.cn", "150 2500 3300", "025-83334444", 11, ""),
    ("司马", "光", "董事长", "sima.guang@bytedance.com", "13900001111", "010-58341234", 0, ""),
    ("Garcia", "Maria", "Account Executive", "maria.garcia@acme-robotics.com", "+1 628 555 0199", "", 4, ""),
    ("黄", "思远", "产品经理", "huangsiyuan@tencent.com", "18688889999", "", 1, "hsy_sz"),
]

# name, company index, contact index, amount, currency, stage, close date, pipeline, lost reason
DEALS = [
    ("字节跳动 2025 年度 CRM 订阅", 0, 0, "1280000.00", "CNY", "Negotiation", "2025-03-31", "Enterprise", ""),
    ("腾讯 采购系统集成项目", 1, 1, "560000", "CNY", "Proposal", "2025-02-28", "Enterprise", ""),
    ("星辰 SaaS 标准版 50 席", 2, 2, "90000", "CNY", "Qualification", "2025-01-15", "SMB", ""),
    ("远航物流 仓储模块", 3, 3, "245000.50", "CNY", "Closed Won", "2024-12-20", "SMB", ""),
    ("Acme robotics fleet CRM", 4, 4, "75000", "USD", "Closed Lost", "2024-11-30", "International", "Price"),
    ("Globex renewal 2025", 5, 5, "18000", "GBP", "Prospecting", "2025-06-30", "International", ""),
    ("金石医疗 售后服务系统", 6, 6, "320000", "CNY", "Proposal", "2025-04-15", "Enterprise", ""),
    ("Initech onboarding", 7, 7, "12500", "EUR", "Closed Won", "2024-10-01", "International", ""),
    ("海纳贸易 订单管理", 8, 8, "48000", "CNY", "Closed Lost", "2024-09-15", "SMB", "选择了竞争对手"),
    ("天工智能 数字化工厂 CRM", 10, 10, "2100000", "CNY", "Negotiation", "2025-05-31", "Enterprise", ""),
]

# kind, subject, body, date, time, duration min, done, contact index, deal index, direction
ACTIVITIES = [
    (
        "call",
        "首次电话沟通",
        "客户对报价有兴趣,下周发方案",
        "2024-11-04",
        "10:00",
        15,
        True,
        0,
        0,
        "outbound",
    ),
    ("meeting", "上门拜访腾讯采购部", "演示了采购集成方案", "2024-11-06", "14:30", 90, True, 1, 1, ""),
    ("task", "发送 SaaS 报价单", "附上 50 席价格", "2024-11-08", "", 0, False, 2, 2, ""),
    (
        "call",
        "Follow-up call with John",
        "Asked for a discount",
        "2024-11-12",
        "16:00",
        25,
        True,
        4,
        4,
        "inbound",
    ),
    ("meeting", "Renewal meeting", "Discussed 2025 scope", "2024-11-20", "09:30", 60, False, 5, 5, ""),
    ("note", "客户反馈", "对售后响应速度很满意", "2024-11-22", "", 0, True, 6, 6, ""),
    ("task", "准备合同草稿", "法务审核后发给客户", "2024-12-02", "", 0, False, 10, 9, ""),
    (
        "call",
        "Call Jonas about onboarding",
        "Onboarding finished",
        "2024-10-02",
        "11:00",
        10,
        True,
        7,
        7,
        "outbound",
    ),
    ("meeting", "季度业务回顾", "回顾物流模块上线效果", "2024-12-18", "15:00", 45, True, 3, 3, ""),
    ("task", "Send updated proposal", "Include training days", "2024-12-05", "", 0, False, 13, 4, ""),
]

LEADS = [
    ("赵", "敏", "深圳云帆智能有限公司", "运营总监", "zhaomin@yunfan-ai.cn", "13600001111", "展会", "New"),
    (
        "孙",
        "磊",
        "苏州新元电子有限公司",
        "采购主管",
        "sunlei@xinyuan-e.com",
        "139-5000-6000",
        "官网",
        "Contacted",
    ),
    (
        "Johnson",
        "Mark",
        "Hooli Media LLC",
        "Head of Ops",
        "mark.j@hooli.example",
        "+1 212 555 0101",
        "Website",
        "Qualified",
    ),
    (
        "马",
        "丽",
        "西安华创软件有限公司",
        "总经理",
        "mali@huachuang.com",
        "+86 189 2900 1234",
        "客户介绍",
        "New",
    ),
    (
        "Nguyen",
        "Anh",
        "Vandelay Imports",
        "Buyer",
        "anh@vandelay.example",
        "+84 90 123 4567",
        "Trade Show",
        "Unqualified",
    ),
    (
        "诸葛",
        "明",
        "重庆锐思咨询有限公司",
        "合伙人",
        "zhugeming@ruisi.cn",
        "17300002222",
        "电话营销",
        "Contacted",
    ),
    ("吕", "婷", "天津恒信贸易有限公司", "销售经理", "lvting@hengxin.com", "18822223333", "展会", "New"),
    (
        "Wilson",
        "Olivia",
        "Soylent Foods Inc.",
        "Procurement",
        "olivia.w@soylent.example",
        "+1 646 555 0177",
        "LinkedIn",
        "Qualified",
    ),
    (
        "查",
        "海燕",
        "杭州鼎盛文化传媒有限公司",
        "市场专员",
        "zhahaiyan@dingsheng.cn",
        "15700003333",
        "官网",
        "New",
    ),
    (
        "解",
        "文博",
        "成都智联科技有限公司",
        "CTO",
        "xiewenbo@zhilian.cn",
        "13300004444",
        "客户介绍",
        "Contacted",
    ),
]


def sf_id(prefix: str, n: int) -> str:
    return f"{prefix}5g00000{n:06d}AAQ"


def hs_id(base: int, n: int) -> str:
    return str(base + n * 1031)


def zoho_id(n: int) -> str:
    return f"5725767000000{n:06d}"


def write_csv(
    name: str, header: list[str], rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ","
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([["" if v is None else str(v) for v in r] for r in rows])
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(name: str, sheets: list[tuple[str, list[str], list[list[object]]]]) -> None:
    wb = xlsxwriter.Workbook(str(HERE / name), {"strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(2024, 12, 1, 9, 0, 0)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for sheet_name, header, rows in sheets:
        ws = wb.add_worksheet(sheet_name)
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, dt_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                elif v is None or v == "":
                    continue
                else:
                    ws.write_string(r, c, str(v))
    wb.close()


def company_of(i: int) -> tuple[object, ...]:
    return COMPANIES[i]


# ---------------------------------------------------------------------------------------
# Salesforce (API names, as Data Loader / Data Export write them)
# ---------------------------------------------------------------------------------------


def salesforce() -> None:
    created = "2024-03-05T08:15:00.000+0000"
    write_csv(
        "salesforce_accounts.csv",
        ["Id", "IsDeleted", "Name", "Type", "ParentId", "BillingStreet", "BillingCity", "BillingState",
         "BillingPostalCode", "BillingCountry", "Phone", "Fax", "Website", "Industry", "AnnualRevenue",
         "NumberOfEmployees", "Description", "OwnerId", "CreatedDate", "LastModifiedDate"],
        [[sf_id("001", i), "false", c[0], "Customer - Direct", "", c[8], c[7], c[6], f"{100000 + i * 37}", c[5], c[4],
          "", f"https://www.{c[1]}", c[2], f"{c[3] * 1000}", c[3], "重点客户" if i % 3 == 0 else "",
          sf_id("005", i % 3), created, created] for i, c in enumerate(COMPANIES)],
    )  # fmt: skip
    write_csv(
        "salesforce_contacts.csv",
        ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name", "MailingStreet",
         "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "Phone", "Fax", "MobilePhone",
         "Email", "Title", "Department", "LeadSource", "Description", "OwnerId", "CreatedDate",
         "LastModifiedDate", "SystemModstamp"],
        [[sf_id("003", i), "false", sf_id("001", p[6]), p[0], p[1], "", f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}",
          company_of(p[6])[8], company_of(p[6])[7], company_of(p[6])[6], "", company_of(p[6])[5], p[5], "", p[4],
          p[3], p[2], "Sales", ["Web", "Trade Show", "Partner Referral"][i % 3], "", sf_id("005", i % 3),
          created, created, created] for i, p in enumerate(PEOPLE)],
    )  # fmt: skip
    write_csv(
        "salesforce_leads.csv",
        ["Id", "IsDeleted", "LastName", "FirstName", "Salutation", "Name", "Title", "Company", "Street", "City",
         "State", "PostalCode", "Country", "Phone", "MobilePhone", "Email", "Website", "Description", "LeadSource",
         "Status", "Industry", "OwnerId", "IsConverted", "CreatedDate"],
        [[sf_id("00Q", i), "false", lead[0], lead[1], "", f"{lead[0]}{lead[1]}" if ord(lead[0][0]) > 0x2E80 else f"{lead[1]} {lead[0]}",
          lead[3], lead[2], "", "", "", "", "", "", lead[5], lead[4], "", "", lead[6], f"Open - {lead[7]}", "",
          sf_id("005", i % 3), "false", created] for i, lead in enumerate(LEADS)],
    )  # fmt: skip
    write_csv(
        "salesforce_opportunities.csv",
        ["Id", "IsDeleted", "AccountId", "ContactId", "Name", "Description", "StageName", "Amount", "Probability",
         "CloseDate", "Type", "NextStep", "LeadSource", "IsClosed", "IsWon", "ForecastCategoryName",
         "CurrencyIsoCode", "Loss_Reason__c", "OwnerId", "CreatedDate"],
        [[sf_id("006", i), "false", sf_id("001", d[1]), sf_id("003", d[2]), d[0], "", d[5], d[3], "50", d[6],
          "New Customer", "", "Web", str(d[5].startswith("Closed")).lower(), str(d[5] == "Closed Won").lower(),
          "Pipeline", d[4], d[8], sf_id("005", i % 3), created] for i, d in enumerate(DEALS)],
    )  # fmt: skip
    tasks = [a for a in ACTIVITIES if a[0] != "meeting"]
    write_csv(
        "salesforce_tasks.csv",
        ["Id", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "Priority", "OwnerId", "Description",
         "IsDeleted", "AccountId", "IsClosed", "CreatedDate", "TaskSubtype", "CallDurationInSeconds", "CallType",
         "CallDisposition"],
        [[sf_id("00T", i), sf_id("003", a[7]), sf_id("006", a[8]), a[1], a[3], "Completed" if a[6] else "Not Started",
          "Normal", sf_id("005", i % 3), a[2], "false", sf_id("001", PEOPLE[a[7]][6]), str(a[6]).lower(), created,
          {"call": "Call", "task": "Task", "note": "Task"}[a[0]], a[5] * 60 if a[0] == "call" else "",
          a[9].capitalize() if a[9] else "", "Interested" if a[0] == "call" else ""] for i, a in enumerate(tasks)],
    )  # fmt: skip
    meetings = [a for a in ACTIVITIES if a[0] == "meeting"]
    write_csv(
        "salesforce_events.csv",
        ["Id", "WhoId", "WhatId", "Subject", "Location", "IsAllDayEvent", "ActivityDateTime", "ActivityDate",
         "DurationInMinutes", "StartDateTime", "EndDateTime", "Description", "AccountId", "OwnerId", "IsDeleted",
         "CreatedDate", "EventSubtype"],
        [[sf_id("00U", i), sf_id("003", a[7]), sf_id("006", a[8]), a[1], company_of(PEOPLE[a[7]][6])[8], "false",
          f"{a[3]}T{a[4]}:00.000+0000", a[3], a[5], f"{a[3]}T{a[4]}:00.000+0000",
          (dt.datetime.fromisoformat(f"{a[3]}T{a[4]}") + dt.timedelta(minutes=a[5])).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
          a[2], sf_id("001", PEOPLE[a[7]][6]), sf_id("005", i % 3), "false", created, "Event"]
         for i, a in enumerate(meetings)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# HubSpot (property labels, as the CRM export writes them)
# ---------------------------------------------------------------------------------------


def hubspot() -> None:
    created = "2024-03-05 08:15"
    write_csv(
        "hubspot_companies.csv",
        ["Record ID", "Company name", "Company owner", "Create Date", "Phone Number", "Last Activity Date",
         "City", "Country/Region", "Industry", "Company Domain Name", "Website URL", "Number of Employees",
         "Annual Revenue", "State/Region", "Street Address", "Postal Code", "Lifecycle Stage", "Description"],
        [[hs_id(9000000000, i), c[0], OWNER_NAMES[i % 3], created, c[4], "2024-11-20 10:00", c[7], c[5], c[2],
          c[1], f"https://{c[1]}", c[3], c[3] * 1000, c[6], c[8], "", "Customer", ""] for i, c in enumerate(COMPANIES)],
    )  # fmt: skip
    write_csv(
        "hubspot_contacts.csv",
        ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Job Title",
         "Contact owner", "Associated Company", "Associated Company IDs (Primary)", "Lead Status", "Lifecycle Stage",
         "Create Date", "Last Activity Date", "City", "State/Region", "Country/Region", "Street Address",
         "Original Source", "Marketing contact status"],
        [[hs_id(100000, i), p[1], p[0], p[3], p[5], p[4], p[2], OWNER_NAMES[i % 3], company_of(p[6])[0],
          hs_id(9000000000, p[6]), "Open", "Customer", created, "", company_of(p[6])[7], company_of(p[6])[6],
          company_of(p[6])[5], "", "Offline Sources", "Non-marketing contact"] for i, p in enumerate(PEOPLE)],
    )  # fmt: skip
    write_csv(
        "hubspot_deals.csv",
        ["Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Close Date", "Deal owner", "Create Date",
         "Last Activity Date", "Associated Company", "Associated Company IDs (Primary)", "Associated Contact",
         "Deal Type", "Closed Lost Reason", "Deal Description", "Currency"],
        [[hs_id(15000000000, i), d[0], d[7], d[5].lower().replace(" ", ""), d[3], d[6], OWNER_NAMES[i % 3], created,
          "", company_of(d[1])[0], hs_id(9000000000, d[1]), f"{PEOPLE[d[2]][1]} {PEOPLE[d[2]][0]}", "newbusiness",
          d[8], "", d[4]] for i, d in enumerate(DEALS)],
    )  # fmt: skip
    write_csv(
        "hubspot_leads.csv",
        ["Record ID", "Lead name", "Lead owner", "Lead stage", "Lead type", "Lead label", "Associated Company",
         "Associated Contact", "Email", "Phone Number", "Create Date"],
        [[hs_id(300000, i), f"{lead[1]} {lead[0]}", OWNER_NAMES[i % 3], lead[7], "New Business", "Warm",
          lead[2], f"{lead[1]} {lead[0]}", lead[4], lead[5], created] for i, lead in enumerate(LEADS)],
    )  # fmt: skip
    calls = [a for a in ACTIVITIES if a[0] == "call"]
    write_csv(
        "hubspot_calls.csv",
        ["Record ID", "Call Title", "Call notes", "Activity date", "Call direction", "Call outcome",
         "Call duration", "Activity assigned to", "Associated Contact", "Associated Company", "Associated Deal",
         "Create Date"],
        [[hs_id(50000000, i), a[1], a[2], f"{a[3]} {a[4]}", a[9].upper(), "Connected", a[5] * 60000,
          OWNER_NAMES[i % 3], f"{PEOPLE[a[7]][1]} {PEOPLE[a[7]][0]}", company_of(PEOPLE[a[7]][6])[0],
          DEALS[a[8]][0], created] for i, a in enumerate(calls)],
    )  # fmt: skip
    tasks = [a for a in ACTIVITIES if a[0] in ("task", "note")]
    write_csv(
        "hubspot_tasks.csv",
        ["Record ID", "Task Title", "Notes", "Due date", "Task status", "Priority", "Task Type",
         "Activity assigned to", "Associated Contact", "Associated Company", "Associated Deal", "Create Date"],
        [[hs_id(60000000, i), a[1], a[2], a[3], "COMPLETED" if a[6] else "NOT_STARTED", "MEDIUM", "TODO",
          OWNER_NAMES[i % 3], f"{PEOPLE[a[7]][1]} {PEOPLE[a[7]][0]}", company_of(PEOPLE[a[7]][6])[0],
          DEALS[a[8]][0], created] for i, a in enumerate(tasks)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Zoho CRM (field labels; lookups twice, as name and ".id")
# ---------------------------------------------------------------------------------------


def zoho() -> None:
    created = "2024-03-05 08:15:00"
    write_csv(
        "zoho_accounts.csv",
        ["Record Id", "Account Owner.id", "Account Owner", "Account Name", "Phone", "Website", "Account Type",
         "Industry", "Employees", "Annual Revenue", "Billing Street", "Billing City", "Billing State",
         "Billing Code", "Billing Country", "Description", "Created Time", "Modified Time", "Tag"],
        [[f"zcrm_{zoho_id(100 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], c[0], c[4], f"www.{c[1]}", "Customer",
          c[2], c[3], c[3] * 1000, c[8], c[7], c[6], "", c[5], "", created, created, "VIP" if i < 3 else ""]
         for i, c in enumerate(COMPANIES)],
    )  # fmt: skip
    write_csv(
        "zoho_contacts.csv",
        ["Record Id", "Contact Owner.id", "Contact Owner", "Lead Source", "First Name", "Last Name",
         "Account Name.id", "Account Name", "Email", "Secondary Email", "Title", "Department", "Phone", "Mobile",
         "Mailing Street", "Mailing City", "Mailing State", "Mailing Zip", "Mailing Country", "Description",
         "Created Time", "Modified Time", "Tag"],
        [[f"zcrm_{zoho_id(200 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], ["Trade Show", "Web Download", "Partner"][i % 3],
          p[1], p[0], f"zcrm_{zoho_id(100 + p[6])}", company_of(p[6])[0], p[3], "", p[2], "销售部", p[5], p[4],
          company_of(p[6])[8], company_of(p[6])[7], company_of(p[6])[6], "", company_of(p[6])[5], "", created,
          created, ""] for i, p in enumerate(PEOPLE)],
    )  # fmt: skip
    write_csv(
        "zoho_leads.csv",
        ["Record Id", "Lead Owner.id", "Lead Owner", "Company", "First Name", "Last Name", "Title", "Email",
         "Phone", "Mobile", "Lead Source", "Lead Status", "Industry", "Street", "City", "State", "Zip Code",
         "Country", "Description", "Created Time", "Modified Time"],
        [[f"zcrm_{zoho_id(300 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], lead[2], lead[1], lead[0], lead[3],
          lead[4], "", lead[5], lead[6], {"New": "Not Contacted", "Contacted": "Contacted", "Qualified": "Pre-Qualified",
          "Unqualified": "Junk Lead"}[lead[7]], "", "", "", "", "", "", "", created, created]
         for i, lead in enumerate(LEADS)],
    )  # fmt: skip
    write_csv(
        "zoho_deals.csv",
        ["Record Id", "Deal Owner.id", "Deal Owner", "Amount", "Deal Name", "Closing Date", "Account Name.id",
         "Account Name", "Pipeline", "Stage", "Type", "Probability (%)", "Expected Revenue", "Lead Source",
         "Contact Name.id", "Contact Name", "Reason For Loss", "Description", "Created Time", "Modified Time"],
        [[f"zcrm_{zoho_id(400 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], d[3], d[0], d[6],
          f"zcrm_{zoho_id(100 + d[1])}", company_of(d[1])[0], d[7], d[5], "New Business", 50, "", "Web",
          f"zcrm_{zoho_id(200 + d[2])}", f"{PEOPLE[d[2]][1]} {PEOPLE[d[2]][0]}", d[8], "", created, created]
         for i, d in enumerate(DEALS)],
    )  # fmt: skip
    tasks = [a for a in ACTIVITIES if a[0] in ("task", "note")]
    write_csv(
        "zoho_tasks.csv",
        ["Record Id", "Task Owner.id", "Task Owner", "Subject", "Due Date", "Contact Name.id", "Contact Name",
         "Related To.id", "Related To", "Status", "Priority", "Description", "Created Time", "Closed Time"],
        [[f"zcrm_{zoho_id(500 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], a[1], a[3], f"zcrm_{zoho_id(200 + a[7])}",
          f"{PEOPLE[a[7]][1]} {PEOPLE[a[7]][0]}", f"zcrm_{zoho_id(400 + a[8])}", DEALS[a[8]][0],
          "Completed" if a[6] else "Not Started", "High" if i == 0 else "Normal", a[2], created, ""]
         for i, a in enumerate(tasks)],
    )  # fmt: skip
    calls = [a for a in ACTIVITIES if a[0] == "call"]
    write_csv(
        "zoho_calls.csv",
        ["Record Id", "Call Owner.id", "Call Owner", "Subject", "Call Type", "Call Purpose", "Call Start Time",
         "Call Duration", "Call Duration (in seconds)", "Call Result", "Description", "Contact Name.id",
         "Contact Name", "Related To.id", "Related To", "Created Time"],
        [[f"zcrm_{zoho_id(600 + i)}", zoho_id(i % 3), OWNER_NAMES[i % 3], a[1], a[9].capitalize(), "Negotiation",
          f"{a[3]} {a[4]}:00", f"{a[5]:02d}:00", a[5] * 60, "Interested", a[2], f"zcrm_{zoho_id(200 + a[7])}",
          f"{PEOPLE[a[7]][1]} {PEOPLE[a[7]][0]}", f"zcrm_{zoho_id(400 + a[8])}", DEALS[a[8]][0], created]
         for i, a in enumerate(calls)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Pipedrive ("Entity - Field")
# ---------------------------------------------------------------------------------------


def pipedrive() -> None:
    created = "2024-03-05 08:15:00"
    write_csv(
        "pipedrive_organizations.csv",
        ["Organization - ID", "Organization - Name", "Organization - Owner", "Organization - Address",
         "Organization - City/town/village/locality of Address", "Organization - State/county of Address",
         "Organization - Country of Address", "Organization - ZIP/Postal code of Address", "Organization - Website",
         "Organization - Industry", "Organization - Number of employees", "Organization - Labels",
         "Organization - Organization created", "Organization - Update time", "Organization - Open deals",
         "Organization - People"],
        [[i + 1, c[0], OWNER_NAMES[i % 3], f"{c[8]}, {c[7]}", c[7], c[6], c[5], "", f"https://{c[1]}", c[2], c[3],
          "Customer", created, created, 1, 2] for i, c in enumerate(COMPANIES)],
    )  # fmt: skip
    write_csv(
        "pipedrive_persons.csv",
        ["Person - ID", "Person - Name", "Person - First name", "Person - Last name", "Person - Organization",
         "Person - Organization ID", "Person - Job title", "Person - Email - Work", "Person - Email - Home",
         "Person - Phone - Work", "Person - Phone - Mobile", "Person - Owner", "Person - Labels",
         "Person - Notes", "Person - Person created", "Person - Update time", "Person - Open deals",
         "Person - Marketing status"],
        [[i + 1, f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}", p[1], p[0], company_of(p[6])[0],
          p[6] + 1, p[2], p[3], "", p[5], p[4], OWNER_NAMES[i % 3], "Decision maker" if i % 4 == 0 else "", "",
          created, created, 1, "No consent"] for i, p in enumerate(PEOPLE)],
    )  # fmt: skip
    write_csv(
        "pipedrive_deals.csv",
        ["Deal - ID", "Deal - Title", "Deal - Creator", "Deal - Owner", "Deal - Value", "Deal - Currency of Value",
         "Deal - Weighted value", "Deal - Probability", "Deal - Organization", "Deal - Organization ID",
         "Deal - Pipeline", "Deal - Contact person", "Deal - Stage", "Deal - Label", "Deal - Status",
         "Deal - Deal created", "Deal - Update time", "Deal - Expected close date", "Deal - Lost reason",
         "Deal - Won time", "Deal - Lost time"],
        [[i + 1, d[0], OWNER_NAMES[0], OWNER_NAMES[i % 3], d[3], d[4], "", "", company_of(d[1])[0], d[1] + 1, d[7],
          f"{PEOPLE[d[2]][0]}{PEOPLE[d[2]][1]}", d[5], "", "won" if d[5] == "Closed Won" else "lost" if d[5] == "Closed Lost" else "open",
          created, created, d[6], d[8], "", ""] for i, d in enumerate(DEALS)],
    )  # fmt: skip
    write_csv(
        "pipedrive_leads.csv",
        ["Lead - ID", "Lead - Title", "Lead - Owner", "Lead - Person", "Lead - Organization", "Lead - Labels",
         "Lead - Source", "Lead - Value", "Lead - Currency of Value", "Lead - Expected close date",
         "Lead - Lead created", "Lead - Update time"],
        [[f"7c9e6679-7425-40de-944b-e07fc1f90a{i:02d}", f"{lead[2]} lead", OWNER_NAMES[i % 3],
          f"{lead[0]}{lead[1]}" if ord(lead[0][0]) > 0x2E80 else f"{lead[1]} {lead[0]}", lead[2], "Warm", lead[6],
          10000 * (i + 1), "CNY", "", created, created] for i, lead in enumerate(LEADS)],
    )  # fmt: skip
    write_csv(
        "pipedrive_activities.csv",
        ["Activity - ID", "Activity - Subject", "Activity - Type", "Activity - Done", "Activity - Due date",
         "Activity - Due time", "Activity - Duration", "Activity - Note", "Activity - Assigned to user",
         "Activity - Deal", "Activity - Person", "Activity - Organization", "Activity - Location",
         "Activity - Add time", "Activity - Priority"],
        [[i + 1, a[1], {"call": "Call", "meeting": "Meeting", "task": "Task", "note": "Email"}[a[0]],
          "Done" if a[6] else "To do", a[3], a[4], f"00:{a[5]:02d}" if a[5] else "", a[2], OWNER_NAMES[i % 3],
          DEALS[a[8]][0], f"{PEOPLE[a[7]][0]}{PEOPLE[a[7]][1]}", company_of(PEOPLE[a[7]][6])[0], "", created, ""]
         for i, a in enumerate(ACTIVITIES)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Fxiaoke (Chinese labels, XLSX as the web export writes it)
# ---------------------------------------------------------------------------------------


def fxiaoke() -> None:
    created = dt.datetime(2024, 3, 5, 8, 15)
    write_xlsx(
        "fxiaoke_accounts.xlsx",
        [("客户", ["唯一性ID", "客户名称", "客户编号", "客户级别", "来源", "行业", "人员规模", "负责人", "电话", "网址", "国家", "省", "市",
                  "区", "详细地址", "成交状态", "备注", "创建人", "创建时间", "最后修改时间"],
          [[f"65f0a1b2c3d4e5f6a7b8c{i:03d}", c[0], f"KH2024{i + 1:04d}", "重要客户" if i < 4 else "普通客户", "展会", c[2], c[3],
            OWNER_NAMES[i % 3], c[4], c[1], c[5], c[6], c[7], "", c[8], "已成交" if i % 2 else "未成交", "", OWNER_NAMES[0],
            created, created] for i, c in enumerate(COMPANIES)])],
    )  # fmt: skip
    write_xlsx(
        "fxiaoke_contacts.xlsx",
        [("联系人", ["唯一性ID", "姓名", "客户名称", "职务", "部门", "手机", "电话", "邮件", "微信", "性别", "省", "市", "地址", "备注", "负责人",
                   "创建时间", "最后修改时间"],
          [[f"65f0b1b2c3d4e5f6a7b8c{i:03d}", f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}",
            company_of(p[6])[0], p[2], "销售部", p[4], p[5], p[3], p[7], "", company_of(p[6])[6], company_of(p[6])[7],
            company_of(p[6])[8], "关键决策人" if i % 5 == 0 else "", OWNER_NAMES[i % 3], created, created]
           for i, p in enumerate(PEOPLE)])],
    )  # fmt: skip
    write_xlsx(
        "fxiaoke_leads.xlsx",
        [("销售线索", ["唯一性ID", "姓名", "公司", "职务", "手机", "电话", "邮件", "线索来源", "线索状态", "线索池", "省", "市", "备注", "负责人",
                    "创建时间"],
          [[f"65f0c1b2c3d4e5f6a7b8c{i:03d}", f"{lead[0]}{lead[1]}" if ord(lead[0][0]) > 0x2E80 else f"{lead[1]} {lead[0]}",
            lead[2], lead[3], lead[5], "", lead[4], lead[6], {"New": "未处理", "Contacted": "跟进中", "Qualified": "已转换",
            "Unqualified": "无效"}[lead[7]], "华东线索池", "", "", "", OWNER_NAMES[i % 3], created]
           for i, lead in enumerate(LEADS)])],
    )  # fmt: skip
    write_xlsx(
        "fxiaoke_opportunities.xlsx",
        [("商机", ["唯一性ID", "商机名称", "客户名称", "商机金额", "结单日期", "销售流程", "销售阶段", "阶段状态", "赢率", "输单原因", "负责人",
                 "备注", "创建时间"],
          [[f"65f0d1b2c3d4e5f6a7b8c{i:03d}", d[0], company_of(d[1])[0], float(d[3]), dt.date.fromisoformat(d[6]),
            "标准销售流程", {"Prospecting": "初步接洽", "Qualification": "需求确定", "Proposal": "方案/报价", "Negotiation": "谈判审核",
                         "Closed Won": "赢单", "Closed Lost": "输单"}[d[5]], "进行中", "50%", d[8], OWNER_NAMES[i % 3], "", created]
           for i, d in enumerate(DEALS)])],
    )  # fmt: skip
    write_xlsx(
        "fxiaoke_activities.xlsx",
        [("销售记录", ["唯一性ID", "跟进方式", "跟进内容", "跟进时间", "关联客户", "关联联系人", "关联商机", "负责人", "创建时间"],
          [[f"65f0e1b2c3d4e5f6a7b8c{i:03d}", {"call": "电话", "meeting": "拜访", "task": "其他", "note": "微信"}[a[0]],
            f"{a[1]}:{a[2]}", dt.datetime.fromisoformat(f"{a[3]}T{a[4] or '09:00'}"), company_of(PEOPLE[a[7]][6])[0],
            f"{PEOPLE[a[7]][0]}{PEOPLE[a[7]][1]}", DEALS[a[8]][0], OWNER_NAMES[i % 3], created]
           for i, a in enumerate(ACTIVITIES)])],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Reader exercises
# ---------------------------------------------------------------------------------------

ZH_HEADER = [
    "姓名",
    "手机号码",
    "电子邮件",
    "公司名称",
    "职务",
    "微信",
    "省份",
    "城市",
    "地址",
    "负责人",
    "备注",
]


def zh_rows() -> list[list[object]]:
    return [
        [
            f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}",
            p[4],
            p[3],
            company_of(p[6])[0],
            p[2],
            p[7],
            company_of(p[6])[6],
            company_of(p[6])[7],
            company_of(p[6])[8],
            OWNERS[i % 3],
            "来自 Excel 导出",
        ]
        for i, p in enumerate(PEOPLE)
    ]


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def reader_files() -> None:
    # GBK: what Excel writes on a Chinese Windows ("CSV (逗号分隔)").
    gbk_rows = [r for r in zh_rows() if all(_encodes(str(v), "gbk") for v in r)]
    write_csv("gbk_contacts.csv", ZH_HEADER, gbk_rows, encoding="gbk")
    # UTF-16 LE with BOM, tab-delimited: Excel's "Unicode text (*.txt)".
    write_csv("utf16_contacts.txt", ZH_HEADER, zh_rows()[:8], encoding="utf-16", delimiter="\t")
    # Semicolons (a European Excel) with decimal commas and a UTF-8 BOM.
    write_csv(
        "semicolon_deals.csv",
        ["Deal Name", "Amount", "Currency", "Stage", "Close Date", "Company"],
        [[d[0], d[3].replace(".", ","), d[4], d[5], d[6], company_of(d[1])[0]] for d in DEALS[:8]],
        encoding="utf-8-sig",
        delimiter=";",
    )
    # A workbook with two sheets, typed cells, a blank row, a formula and a blank header.
    people = [
        [
            f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}",
            p[4].replace(" ", "").replace("-", ""),
            p[3],
            company_of(p[6])[0],
            dt.date(2024, 1 + i % 12, 1 + i),
            i % 2 == 0,
            1000 + i * 250.5 if i % 3 else 1000 + i,
        ]
        for i, p in enumerate(PEOPLE[:10])
    ]
    companies = [[c[0], c[1], c[3], dt.datetime(2024, 5, 6, 13, 4, 5)] for c in COMPANIES[:6]]
    wb = xlsxwriter.Workbook(str(HERE / "workbook_two_sheets.xlsx"))
    wb.set_properties({"created": dt.datetime(2024, 12, 1, 9, 0, 0)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    ws = wb.add_worksheet("联系人")
    ws.write_row(0, 0, ["姓名", "手机", "邮箱", "公司", "生日", "VIP", "积分", "", "姓名"])
    r = 1
    for i, row in enumerate(people):
        if i == 3:
            r += 1  # a blank row inside the data
        ws.write_string(r, 0, row[0])
        ws.write_number(r, 1, int(str(row[1]).lstrip("+")) if str(row[1]).lstrip("+").isdigit() else 0)
        ws.write_string(r, 2, row[2])
        ws.write_string(r, 3, row[3])
        ws.write_datetime(r, 4, dt.datetime.combine(row[4], dt.time()), date_fmt)
        ws.write_boolean(r, 5, row[5])
        ws.write_number(r, 6, row[6])
        ws.write_string(r, 8, f"别名{i}")
        r += 1
    ws.write_formula(r, 0, '=HYPERLINK("https://example.com","链接客户")', None, "链接客户")
    ws.write_formula(r, 6, "=1/0", None, "#DIV/0!")
    ws2 = wb.add_worksheet("Companies")
    ws2.write_row(0, 0, ["Company", "Domain", "Employees", "Updated"])
    for i, row in enumerate(companies, 1):
        ws2.write_string(i, 0, row[0])
        ws2.write_string(i, 1, row[1])
        ws2.write_number(i, 2, row[2])
        ws2.write_datetime(i, 3, row[3], dt_fmt)
    wb.close()
    # JSON: a list of objects with a key that appears only late, nested values and numbers.
    objs: list[dict[str, object]] = []
    for i, p in enumerate(PEOPLE[:10]):
        o: dict[str, object] = {
            "name": f"{p[0]}{p[1]}" if ord(p[0][0]) > 0x2E80 else f"{p[1]} {p[0]}",
            "email": p[3],
            "mobile": p[4],
            "company": {"name": company_of(p[6])[0], "domain": company_of(p[6])[1]},
            "score": 1.5 * i if i % 2 else i,
            "vip": i % 3 == 0,
            "tags": ["客户", "2024"] if i % 2 else [],
            "note": None,
        }
        if i == 9:
            o["wechat"] = "late_key_wx"
        objs.append(o)
    (HERE / "contacts.json").write_text(
        json.dumps(objs, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (HERE / "contacts.jsonl").write_text(
        "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs[:5]), encoding="utf-8"
    )
    # Messy: bad e-mails, missing names, duplicates by case/phone shape, line breaks in quoted
    # fields, formula text, full-width characters, blank rows, extra cells, ragged rows.
    messy = (
        "\ufeff姓名 , 手机 ,邮箱,公司,备注,,备注\r\n"
        '张伟,13812345678,Zhang.Wei@ByteDance.com,北京字节跳动科技有限公司,"第一行\n第二行, 含逗号",,\r\n'
        "张伟,138-1234-5678,zhang.wei@bytedance.com,北京字节跳动科技,重复(大小写+电话格式),,\r\n"
        ",13900001111,no-name@example.com,无名公司,缺少姓名,,\r\n"
        "王芳,１３９１２３４５６７８,wangfang＠tencent．com,深圳市腾讯计算机系统有限公司,全角字符,,\r\n"
        "Bad Email,+86 137 0000 1111,not-an-email,Acme Inc.,bad e-mail,,\r\n"
        ",,,,,,\r\n"
        "\r\n"
        '公式,"=HYPERLINK(""http://evil.example"",""点我"")",=1+1@x.com,=CMD|\' /C calc\'!A0,公式单元格,,\r\n'
        "  李娜  ,  010-58341234 转 8001 ,LI.NA@Example.CN ,  Globex Trading Ltd. ,前后空格,,\r\n"
        "多余列,13500002222,extra@example.com,多余公司,有多余的单元格,,,多余1,多余2\r\n"
        "短行,13600003333\r\n"
        '"引号""内""的名字",0755-86013388,quote@example.com,"公司, 带逗号",,,\r\n'
    )
    (HERE / "messy_contacts.csv").write_bytes(messy.encode("utf-8"))


def main() -> None:
    salesforce()
    hubspot()
    zoho()
    pipedrive()
    fxiaoke()
    reader_files()


if __name__ == "__main__":
    main()
