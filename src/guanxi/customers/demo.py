"""Demo customers: about 60 companies (Chinese and international) and 400 contacts, created through the
services so they carry history, search keys and custom fields like any record."""

from __future__ import annotations

from typing import Any

from guanxi.core.demodata import DemoContext
from guanxi.core.models import CustomField
from guanxi.core.normalize import pinyin_keys

from .choices import CompanySize, ContactSource, Industry
from .models import Company, Contact
from .services import company_create, contact_create

CITIES = [
    ("上海", "上海", "Shanghai"),
    ("杭州", "浙江", "Hangzhou"),
    ("苏州", "江苏", "Suzhou"),
    ("南京", "江苏", "Nanjing"),
    ("宁波", "浙江", "Ningbo"),
    ("深圳", "广东", "Shenzhen"),
    ("广州", "广东", "Guangzhou"),
    ("东莞", "广东", "Dongguan"),
    ("厦门", "福建", "Xiamen"),
    ("北京", "北京", "Beijing"),
    ("成都", "四川", "Chengdu"),
    ("武汉", "湖北", "Wuhan"),
]
BRANDS = [
    "星辰",
    "华拓",
    "远航",
    "嘉禾",
    "瑞丰",
    "恒信",
    "新锐",
    "博达",
    "天成",
    "启明",
    "蓝海",
    "云帆",
    "万象",
    "金桥",
    "鼎盛",
    "和泰",
    "众诚",
    "越洋",
    "明德",
    "光华",
    "锦程",
    "安泰",
    "德隆",
    "盛世",
    "宏图",
    "九州",
    "东方",
    "立信",
    "卓越",
    "海纳",
    "至诚",
    "中科",
    "凯旋",
    "弘毅",
    "长风",
    "青松",
    "同创",
    "汇通",
    "利华",
    "隆基",
]
TRADES = [
    ("科技", Industry.TECHNOLOGY, "tech"),
    ("电子", Industry.MANUFACTURING, "elec"),
    ("物流", Industry.LOGISTICS, "logistics"),
    ("医疗器械", Industry.HEALTHCARE, "medical"),
    ("贸易", Industry.RETAIL, "trading"),
    ("教育科技", Industry.EDUCATION, "edu"),
    ("建设工程", Industry.CONSTRUCTION, "build"),
    ("新能源", Industry.ENERGY, "energy"),
    ("广告传媒", Industry.MEDIA, "media"),
    ("咨询", Industry.PROFESSIONAL, "consulting"),
    ("精密机械", Industry.MANUFACTURING, "machinery"),
    ("食品", Industry.AGRICULTURE, "food"),
]
INTERNATIONAL = [
    ("Pacific Rim Logistics Ltd.", "pacificrim-logistics.com", Industry.LOGISTICS, "Singapore", "SG"),
    ("Northwind Traders Inc.", "northwind-traders.com", Industry.RETAIL, "Seattle", "US"),
    ("Bluewater Medical GmbH", "bluewater-medical.de", Industry.HEALTHCARE, "Munich", "DE"),
    ("Harbour Capital Partners", "harbourcap.hk", Industry.FINANCE, "Hong Kong", "HK"),
    ("Kestrel Software Pty Ltd", "kestrelsoft.com.au", Industry.TECHNOLOGY, "Sydney", "AU"),
    ("Maple Leaf Foods Export", "mapleleaf-export.ca", Industry.AGRICULTURE, "Toronto", "CA"),
    ("Sakura Precision Co., Ltd.", "sakura-precision.jp", Industry.MANUFACTURING, "Osaka", "JP"),
    ("Atlas Engineering Group", "atlas-eng.co.uk", Industry.CONSTRUCTION, "London", "GB"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "文",
    "辉",
    "建华",
    "晓东",
    "雪",
    "婷",
    "欣怡",
    "子涵",
    "浩然",
    "宇轩",
    "思远",
    "梓萱",
    "俊杰",
    "晨曦",
    "佳琪",
    "雨桐",
    "志强",
    "海燕",
    "春梅",
    "国庆",
    "建国",
    "立新",
    "慧",
    "琳",
    "颖",
]
ENGLISH = [
    ("Michael", "Brown"),
    ("Sarah", "Johnson"),
    ("David", "Lee"),
    ("Jennifer", "Wilson"),
    ("James", "Taylor"),
    ("Emma", "Thompson"),
    ("Daniel", "Martin"),
    ("Olivia", "Clark"),
    ("Kevin", "Ng"),
    ("Grace", "Tan"),
    ("Thomas", "Müller"),
    ("Anna", "Schmidt"),
    ("Kenji", "Sato"),
    ("Yuki", "Tanaka"),
    ("Lucas", "Moreau"),
]
TITLES = [
    "总经理",
    "采购经理",
    "销售总监",
    "技术总监",
    "财务经理",
    "IT经理",
    "运营总监",
    "市场经理",
    "项目经理",
    "行政主管",
    "首席执行官",
    "采购专员",
]
EN_TITLES = [
    "CEO",
    "Purchasing Manager",
    "Head of Operations",
    "IT Director",
    "Finance Manager",
    "Project Lead",
]
STREETS = [
    "世纪大道",
    "南京西路",
    "科技园路",
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "长江路",
    "滨江大道",
    "高新大道",
]


def _custom_fields() -> None:
    CustomField.objects.get_or_create(
        object_type="contact",
        name="customer_level",
        defaults={
            "label": "Customer level",
            "label_zh": "客户等级",
            "type": "choice",
            "choices": ["VIP", "A", "B", "C"],
            "show_in_list": True,
            "order": 10,
        },
    )
    CustomField.objects.get_or_create(
        object_type="contact",
        name="birthday",
        defaults={"label": "Birthday", "label_zh": "生日", "type": "date", "order": 20},
    )
    CustomField.objects.get_or_create(
        object_type="company",
        name="annual_revenue",
        defaults={"label": "Annual revenue", "label_zh": "年营业额", "type": "money", "order": 10},
    )
    CustomField.objects.get_or_create(
        object_type="company",
        name="key_account",
        defaults={
            "label": "Key account",
            "label_zh": "重点客户",
            "type": "boolean",
            "show_in_list": True,
            "order": 20,
        },
    )


def _slug(text: str) -> str:
    full, _initials = pinyin_keys(text)
    return full or text.lower()


def load(context: DemoContext) -> str:
    rng = context.rng
    _custom_fields()
    companies: list[Company] = []
    used_names: set[str] = set()
    while len(companies) < 52:
        city, province, _city_en = rng.choice(CITIES)
        brand = rng.choice(BRANDS)
        trade, industry, trade_en = rng.choice(TRADES)
        name = f"{city}{brand}{trade}有限公司"
        if name in used_names:
            continue
        used_names.add(name)
        owner = context.owner()
        domain = f"{_slug(brand)}-{trade_en}.cn"
        companies.append(
            company_create(
                actor=owner,
                owner=owner,
                name=name,
                domain=domain,
                website=f"https://www.{domain}",
                industry=industry,
                size=rng.choice(CompanySize.values),
                phone=f"0{rng.randint(20, 29)}-{rng.randint(5, 8)}{rng.randint(1000000, 9999999)}",
                country="CN",
                province=province,
                city=city,
                street=f"{rng.choice(STREETS)}{rng.randint(1, 999)}号",
                tags=rng.sample(["重点", "制造业", "华东", "华南", "channel", "new"], k=rng.randint(0, 2)),
                custom_fields={
                    "annual_revenue": {"amount": rng.randint(5, 900) * 100000, "currency": "CNY"},
                    "key_account": rng.random() < 0.2,
                },
            )
        )
    for name, domain, industry, city, country in INTERNATIONAL:
        owner = context.owner()
        companies.append(
            company_create(
                actor=owner,
                owner=owner,
                name=name,
                domain=domain,
                website=f"https://{domain}",
                industry=industry,
                size=rng.choice(CompanySize.values),
                country=country,
                city=city,
                tags=["international"],
                custom_fields={"key_account": rng.random() < 0.3},
            )
        )
    contacts = 0
    seen_names: set[str] = set()
    special = [("张三", companies[0]), ("李四", companies[1]), ("欧阳娜娜", companies[2])]
    while contacts < 400:
        company = companies[contacts % len(companies)] if contacts >= len(special) else special[contacts][1]
        international = company.country != "CN"
        if contacts < len(special):
            full_name = special[contacts][0]
            local = _slug(full_name)
        elif international or rng.random() < 0.08:
            given, family = rng.choice(ENGLISH)
            full_name = f"{given} {family}"
            local = f"{given}.{family}".lower().replace("ü", "ue")
        else:
            full_name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            local = _slug(full_name)
        if full_name in seen_names and " " not in full_name and rng.random() < 0.9:
            full_name = full_name + rng.choice(GIVEN[:20])
        seen_names.add(full_name)
        owner = company.owner if rng.random() < 0.8 else context.owner()
        mobile = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        fields: dict[str, Any] = {
            "full_name": full_name,
            "company": company,
            "owner": owner,
            "title": rng.choice(EN_TITLES if international else TITLES),
            "email": f"{local}{rng.randint(1, 99) if rng.random() < 0.3 else ''}@{company.domain}",
            "mobile": mobile if not international else "",
            "work_phone": company.phone,
            "wechat": f"wx_{local}{rng.randint(10, 99)}" if not international and rng.random() < 0.6 else "",
            "source": rng.choice(ContactSource.values),
            "country": company.country,
            "province": company.province,
            "city": company.city,
        }
        custom: dict[str, Any] = {"customer_level": rng.choice(["VIP", "A", "B", "B", "C", "C"])}
        if rng.random() < 0.3:
            custom["birthday"] = (
                f"{rng.randint(1965, 1998)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        contact_create(
            actor=owner, custom_fields=custom, tags=["决策人"] if "总" in fields["title"] else [], **fields
        )
        contacts += 1
    context.data["companies"] = companies
    context.data["contacts"] = list(Contact.objects.order_by("id"))
    return f"{len(companies)} companies, {contacts} contacts"
