"""Load N realistic contacts (and about N/20 companies, two sales teams) straight into the database.

    python bench/gen_db.py --n 1000000 --database sqlite      # var/bench/sqlite-1000000/guanxi.sqlite3
    python bench/gen_db.py --n 1000000 --database postgres    # postgres://…/guanxi_bench_1000000

Every row goes through the app's own `prepare_company` / `prepare_contact` (sort key, pinyin search
text, normalised e-mail and E.164 phones), so the data is byte for byte what the app would write; only
the per-row service path (audit row, permission check) is skipped. Rows are built by worker processes
(one per core) and loaded with `executemany` (SQLite) or COPY (PostgreSQL) with the secondary indexes
and search triggers dropped; afterwards the indexes are rebuilt, the FTS5 index is rebuilt, and the
planner statistics are gathered. The output is deterministic for a given ``--seed``.

The data: ~60 % Chinese names (surnames weighted by their real frequency, 1–2 character given
names), ~40 % English names; companies such as 北京鼎盛网络科技有限公司 / Zentrix Robotics Inc. with a
long-tailed number of contacts each; e-mails at qq.com / 163.com / the company's domain; mobiles and
landlines typed in the shapes people type them; 35 cities weighted by size; created over five years.
Two teams (华东 / 华南) with a sales manager and reps each, plus an administrator, a service agent,
finance and a read-only user. Reps see their own contacts, managers their team's (custom roles
"Sales rep (own records)" and "Sales manager (team records)"), so every visibility scope is exercised.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import multiprocessing
import os
import random
import sys
import time
from itertools import accumulate
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import configure, setup_django

CHUNK = 10_000
EPOCH = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)

# fmt: off
SURNAMES = [  # (surname, weight ‰) — the most frequent surnames of mainland China, plus rarer readings
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 20),
    ("吴", 19), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 11), ("郑", 10), ("梁", 10), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6),
    ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5),
    ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 4),
    ("卢", 4), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3),
    ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2),
    ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("武", 2), ("戴", 2), ("覃", 1),
    ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 0.5), ("司马", 0.2), ("诸葛", 0.1),
    ("上官", 0.1), ("单", 0.5), ("解", 0.3), ("仇", 0.2), ("查", 0.2), ("尉迟", 0.05),
]
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华建国文玲红辉鹏飞斌宇浩凯健俊帆帅旭宁龙林欣悦思"
    "雨晨轩涵萱怡佳琪梓子一诺嘉博昊然天佑泽睿瑞晓东海燕春梅兰秀桂志立新永亮成光波宏峰丹雪琳颖婷"
    "慧莉倩璐晶蕾薇琦彤昕阳岚越航锐毅坤鑫淼森铭哲恒翔楠梦婉清诗语欢乐安康福贵荣珍凤琴云莲"
)
FIRST_NAMES = """
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard Susan
Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa Matthew Betty Anthony
Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward Rebecca
Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Shirley
Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin Samantha
Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet Jack
Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce
Henry Virginia Zachary Victoria Douglas Kelly Peter Lauren Kyle Christina Noah Joan Ethan Evelyn
Jeremy Judith Walter Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Austin Martha
Sean Gloria Gerald Teresa Carl Ann Harold Sara Dylan Madison Arthur Frances Lawrence Kathryn Jordan
Janice Jesse Jean Bryan Abigail Billy Alice Bruce Judy Gabriel Sophia Joe Grace Logan Denise Alan
Amber Juan Doris Albert Marilyn Willie Danielle Elijah Beverly Wayne Isabella Randy Theresa Vincent
Diana Mason Natalie Roy Brittany Ralph Charlotte Bobby Marie Russell Kayla Bradley Alexis Philip
Lori Eugene Mia Lucas Chloe Liam Zoe Oliver Ava Hugo Lea Felix Clara Max Sofia Luca Giulia Mateo
Lucia Kenji Yuki Hiroshi Sakura Min-jun Ji-woo Arjun Priya Rahul Ananya Omar Fatima Ali Aisha
""".split()  # noqa: SIM905
LAST_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher Vasquez Simmons
Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace West Cole Hayes Bryant
Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison
Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks
Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt
Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer
Hawkins Arnold Pierce Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong
Hudson Carroll Lane Riley Andrews Ray Berry Perkins Hoffman Johnston Matthews Pena Richards Willis
Carpenter Lawrence Sandoval Mueller Schneider Fischer Weber Rossi Russo Ferrari Dubois Moreau Tanaka
Suzuki Sato Watanabe Park Choi Singh Kumar Shah Khan Wong Chan Lim Tan Ng Ho Leung
""".split()  # noqa: SIM905
CITIES = [  # (city, province, country, area code, postal code, weight)
    ("北京", "北京", "CN", "010", "100000", 14), ("上海", "上海", "CN", "021", "200000", 14),
    ("深圳", "广东", "CN", "0755", "518000", 10), ("广州", "广东", "CN", "020", "510000", 9),
    ("杭州", "浙江", "CN", "0571", "310000", 7), ("成都", "四川", "CN", "028", "610000", 6),
    ("南京", "江苏", "CN", "025", "210000", 5), ("苏州", "江苏", "CN", "0512", "215000", 5),
    ("武汉", "湖北", "CN", "027", "430000", 5), ("西安", "陕西", "CN", "029", "710000", 4),
    ("重庆", "重庆", "CN", "023", "400000", 4), ("天津", "天津", "CN", "022", "300000", 4),
    ("长沙", "湖南", "CN", "0731", "410000", 3), ("郑州", "河南", "CN", "0371", "450000", 3),
    ("青岛", "山东", "CN", "0532", "266000", 3), ("厦门", "福建", "CN", "0592", "361000", 2),
    ("宁波", "浙江", "CN", "0574", "315000", 2), ("合肥", "安徽", "CN", "0551", "230000", 2),
    ("济南", "山东", "CN", "0531", "250000", 2), ("沈阳", "辽宁", "CN", "024", "110000", 2),
    ("大连", "辽宁", "CN", "0411", "116000", 1.5), ("昆明", "云南", "CN", "0871", "650000", 1.5),
    ("福州", "福建", "CN", "0591", "350000", 1.5), ("东莞", "广东", "CN", "0769", "523000", 1.5),
    ("无锡", "江苏", "CN", "0510", "214000", 1.5), ("佛山", "广东", "CN", "0757", "528000", 1.5),
    ("哈尔滨", "黑龙江", "CN", "0451", "150000", 1), ("南宁", "广西", "CN", "0771", "530000", 1),
    ("贵阳", "贵州", "CN", "0851", "550000", 1), ("乌鲁木齐", "新疆", "CN", "0991", "830000", 0.5),
    ("Hong Kong", "", "HK", "", "", 1.5), ("Singapore", "", "SG", "", "", 1.2),
    ("San Francisco", "CA", "US", "", "94105", 0.8), ("New York", "NY", "US", "", "10001", 0.8),
    ("London", "", "GB", "", "EC1A 1BB", 0.5), ("Frankfurt", "Hessen", "DE", "", "60311", 0.3),
]
STREETS = ["中关村大街", "南京西路", "天河路", "深南大道", "文三路", "中山路", "人民路", "建设路", "解放大道",
           "长安街", "淮海中路", "科技园南路", "高新大道", "金融街", "世纪大道", "滨江大道", "湖滨路",
           "软件园路"]
BRAND_CHARS = "华新中科信达创远星辰云帆金石海纳博恒鼎盛锐思智联天工元泰安康瑞丰宏兴鸿嘉佳合利通汇聚力源德隆万宝光明辉腾飞跃晟昊宇航翔奥凯美"  # noqa: E501
TRADES_ZH = [  # (trade, industry, weight)
    ("科技", "technology", 16), ("信息技术", "technology", 8), ("网络科技", "technology", 8),
    ("软件", "technology", 5), ("贸易", "retail", 9), ("电子商务", "retail", 4),
    ("医疗器械", "healthcare", 4), ("生物科技", "healthcare", 3), ("文化传媒", "media", 4),
    ("广告", "media", 2), ("智能制造", "manufacturing", 5), ("机械设备", "manufacturing", 4),
    ("电子", "manufacturing", 4), ("物流", "logistics", 4), ("供应链管理", "logistics", 2),
    ("管理咨询", "professional", 4), ("建设工程", "construction", 3), ("置业", "construction", 2),
    ("食品", "agriculture", 2), ("新能源", "energy", 3), ("教育科技", "education", 2),
    ("投资", "finance", 2), ("酒店管理", "hospitality", 1),
]
SUFFIX_ZH = [("有限公司", 60), ("股份有限公司", 14), ("有限责任公司", 10), ("集团有限公司", 5),
             ("发展有限公司", 6),
             ("(中国)有限公司", 2), ("分公司", 3)]
SYLLABLES_A = ["Zen", "Vor", "Al", "Bri", "Cor", "Dyn", "El", "Flux", "Gen", "Hal", "Ion", "Jet", "Kin",
               "Lum", "Max", "Nex", "Om", "Pax", "Quan", "Rho", "Syn", "Tera", "Ul", "Vel", "Wex", "Xen",
               "Yor", "Zy"]
SYLLABLES_B = ["trix", "tex", "ora", "gon", "nova", "dyne", "lux", "ware", "tech", "sys", "lab", "gate",
               "point", "wave", "core", "field", "stone", "bridge", "link", "data", "mark", "path"]
TRADES_EN = [("Systems", "technology"), ("Software", "technology"), ("Trading", "retail"),
             ("Logistics", "logistics"), ("Foods", "agriculture"), ("Robotics", "manufacturing"),
             ("Consulting", "professional"), ("Media", "media"), ("Health", "healthcare"),
             ("Energy", "energy"), ("Capital", "finance"), ("Labs", "technology")]
SUFFIX_EN = ["Inc.", "Ltd.", "LLC", "Co., Ltd.", "Corp.", "GmbH", "Pte. Ltd.", "Group"]
TITLES_ZH = ["销售经理", "总经理", "采购主管", "采购经理", "市场总监", "技术总监", "财务经理", "行政专员",
             "董事长",
             "副总裁", "项目经理", "工程师", "运营总监", "人力资源经理", "法务", "客户经理", ""]
TITLES_EN = ["Sales Manager", "CEO", "Purchasing Lead", "Marketing Director", "CTO", "Account Executive",
             "Head of Procurement", "Operations Manager", "Engineer", "CFO", "Office Manager", ""]
SOURCES = [("web", 22), ("referral", 18), ("event", 14), ("advertising", 8), ("cold_call", 10),
           ("import", 15), ("partner", 6), ("other", 3), ("", 4)]
MAIL_HOSTS = [("qq.com", 30), ("163.com", 20), ("126.com", 8), ("gmail.com", 8), ("outlook.com", 6),
              ("sina.com", 4), ("foxmail.com", 4), ("hotmail.com", 3), ("yahoo.com", 2), ("139.com", 3)]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181",
                   "182", "183", "185", "186", "187", "188", "189", "191", "195", "198", "199"]
NOTES = ["重要客户，需每月回访", "Met at the Canton Fair", "对价格敏感", 'Prefers "WeChat" over e-mail',
         "年底有采购预算", "Decision maker for APAC", "介绍人：老客户", "需要英文报价单"]
TAGS = [("VIP", "red"), ("重点客户", "orange"), ("待跟进", "yellow"), ("渠道伙伴", "green"),
        ("Newsletter", "blue"), ("已流失", "gray")]
# fmt: on

TEAMS = ["华东大区", "华南大区"]
REPS_PER_TEAM = 12


def _cum(weights: list[float]) -> list[float]:
    return list(accumulate(weights))


def _pick(rng: random.Random, items: list[Any], cum: list[float]) -> Any:
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


class Pools:
    """Everything a worker needs, built once per process (deterministically)."""

    def __init__(self) -> None:
        from guanxi.core.normalize import pinyin_keys

        self.surnames = [s for s, _ in SURNAMES]
        self.surname_cum = _cum([w for _, w in SURNAMES])
        self.surname_py = {s: pinyin_keys(s)[0] for s in self.surnames}
        self.given_py = {c: pinyin_keys(c)[0] for c in GIVEN_CHARS}
        self.cities = CITIES
        self.city_cum = _cum([c[5] for c in CITIES])
        self.sources = [s for s, _ in SOURCES]
        self.source_cum = _cum([w for _, w in SOURCES])
        self.hosts = [h for h, _ in MAIL_HOSTS]
        self.host_cum = _cum([w for _, w in MAIL_HOSTS])
        self.trades = TRADES_ZH
        self.trade_cum = _cum([t[2] for t in TRADES_ZH])
        self.suffixes = [s for s, _ in SUFFIX_ZH]
        self.suffix_cum = _cum([w for _, w in SUFFIX_ZH])


def _timestamps(rng: random.Random, position: float) -> tuple[dt.datetime, dt.datetime]:
    """created_at grows with the id (records are created over five years), updated_at follows it."""
    span = (END - EPOCH).total_seconds()
    created = EPOCH + dt.timedelta(seconds=max(0.0, position * span + rng.uniform(-86400, 86400)))
    created = min(created, END).replace(microsecond=rng.randrange(1_000_000))
    if rng.random() < 0.45:
        return created, created
    later = created + dt.timedelta(seconds=rng.expovariate(1 / (60 * 86400)))
    return created, min(later, END)


def _mobile(rng: random.Random) -> str:
    digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
    shape = rng.random()
    if shape < 0.55:
        return digits
    if shape < 0.75:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if shape < 0.87:
        return f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if shape < 0.93:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if shape < 0.98:
        return f"+86{digits}"
    return digits[: rng.randrange(5, 10)]  # an impossible number, kept as typed


def _landline(rng: random.Random, area: str, country: str) -> str:
    if country == "US":
        return f"+1 415-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
    if not area:
        return f"+{rng.choice(['852', '65'])} {rng.randrange(2000, 9999)} {rng.randrange(10000):04d}"
    local = f"{rng.randrange(2, 9)}{rng.randrange(10_000_000):07d}"
    shape = rng.random()
    if shape < 0.5:
        return f"{area}-{local}"
    if shape < 0.75:
        return f"({area}) {local[:4]} {local[4:]}"
    if shape < 0.9:
        return f"+86 {area[1:]} {local}"
    return f"{area}-{local} 转 {rng.randrange(100, 9000)}"


def make_companies(n_companies: int, seed: int, users: list[tuple[int, int | None]]) -> list[dict[str, Any]]:
    """The companies as field dicts (before `prepare_company`)."""
    from guanxi.core.normalize import pinyin_keys

    rng = random.Random(f"{seed}:companies")
    pools = Pools()
    owner_cum = _cum([1.0] * len(users))
    out = []
    seen: set[str] = set()
    for i in range(n_companies):
        city = _pick(rng, pools.cities, pools.city_cum)
        name_city, province, country, area, postal, _w = city
        if country == "CN" and rng.random() < 0.8:
            for _attempt in range(5):
                brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
                trade, industry, _tw = _pick(rng, pools.trades, pools.trade_cum)
                suffix = _pick(rng, pools.suffixes, pools.suffix_cum)
                prefix = name_city if rng.random() < 0.8 else ""
                name = f"{prefix}{brand}{trade}{suffix}"
                if suffix == "分公司":
                    name = f"{brand}{trade}有限公司{name_city}分公司"
                if name not in seen:
                    break
            slug = pinyin_keys(brand)[0]
            domain = f"{slug}{rng.choice(['', 'tech', 'group', str(rng.randrange(10, 99))])}.{rng.choice(['com', 'cn', 'com.cn', 'net'])}"  # noqa: E501
            legal = name if rng.random() < 0.3 else ""
        else:
            brand = rng.choice(SYLLABLES_A) + rng.choice(SYLLABLES_B)
            trade, industry = rng.choice(TRADES_EN)
            name = f"{brand} {trade} {rng.choice(SUFFIX_EN)}"
            tld = rng.choice(["com", "io", "co", "net"])
            domain = f"{brand.lower()}{rng.choice(['', trade.lower()[:4]])}.{tld}"
            legal = ""
        seen.add(name)
        owner_id, team_id = users[bisect.bisect(owner_cum, rng.random() * owner_cum[-1])]
        created, updated = _timestamps(rng, i / max(1, n_companies))
        out.append(
            {
                "id": i + 1,
                "name": name,
                "legal_name": legal,
                "website": f"https://www.{domain}" if rng.random() < 0.7 else "",
                "domain": domain,
                "industry": industry if rng.random() < 0.9 else "",
                "size": rng.choice(
                    ["1-10", "11-50", "11-50", "51-200", "51-200", "201-500", "501-1000", "1000+"]
                ),
                "phone": _landline(rng, area, country) if rng.random() < 0.6 else "",
                "country": country,
                "province": province,
                "city": name_city,
                "street": f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号" if country == "CN" else "",
                "postal_code": postal,
                "notes": "",
                "owner_id": owner_id,
                "team_id": team_id,
                "created_at": created,
                "updated_at": updated,
                "version": 1 + (updated > created) * rng.randrange(1, 4),
                "custom_field_data": {},
            }
        )
    return out


# --- worker side ------------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _init_worker(state: dict[str, Any]) -> None:
    os.environ.update(state["env"])
    setup_django()
    _STATE.update(state)
    _STATE["pools"] = Pools()


def _row_values(obj: Any, fields: list[Any], vendor: str) -> tuple[Any, ...]:
    row = []
    for field in fields:
        value = getattr(obj, field.attname)
        if isinstance(value, dt.datetime):
            if vendor == "sqlite":
                value = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        elif isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool) and vendor == "sqlite":
            value = int(value)
        row.append(value)
    return tuple(row)


def contact_chunk(index: int) -> tuple[int, list[tuple[Any, ...]], list[tuple[int, int]]]:
    """Rows of contacts index*CHUNK+1 … (deterministic per chunk, whatever process builds it)."""
    from guanxi.customers.models import Company, Contact
    from guanxi.customers.services import prepare_contact

    st = _STATE
    pools: Pools = st["pools"]
    n: int = st["n"]
    rng = random.Random(f"{st['seed']}:contacts:{index}")
    companies: list[tuple[str, str, int]] = st["companies"]  # (name, domain, city index)
    company_cum: list[float] = st["company_cum"]
    users: list[tuple[int, int | None]] = st["owners"]
    owner_cum: list[float] = st["owner_cum"]
    fields = st["contact_fields"]
    vendor = st["vendor"]
    tag_ids: list[int] = st["tag_ids"]
    company_cache: dict[int, Any] = st.setdefault("company_cache", {})
    rows = []
    tags = []
    first = index * CHUNK + 1
    for pk in range(first, min(first + CHUNK, n + 1)):
        company_id = None
        company = None
        if rng.random() < 0.88:
            ci = bisect.bisect(company_cum, rng.random() * company_cum[-1])
            company_id = ci + 1
            company = company_cache.get(company_id)
            if company is None:
                company = Company(id=company_id, name=companies[ci][0])
                company_cache[company_id] = company
            city = (
                pools.cities[companies[ci][2]]
                if rng.random() < 0.8
                else _pick(rng, pools.cities, pools.city_cum)
            )
            domain = companies[ci][1]
        else:
            city = _pick(rng, pools.cities, pools.city_cum)
            domain = ""
        city_name, province, country, area, postal, _w = city
        chinese = rng.random() < (0.72 if country == "CN" else 0.15)
        if chinese:
            surname = _pick(rng, pools.surnames, pools.surname_cum)
            given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
            full_name = surname + given
            local_py = pools.surname_py[surname] + "".join(pools.given_py[c] for c in given)
            title = rng.choice(TITLES_ZH)
            style = rng.random()
            if domain and style < 0.35:
                local = f"{pools.surname_py[surname]}.{''.join(pools.given_py[c] for c in given)}"
            elif style < 0.55:
                local = f"{rng.randrange(100000, 3999999999)}"  # a QQ number
            else:
                suffix = rng.choice(["", "", str(rng.randrange(1, 99)), str(rng.randrange(1970, 2003))])
                local = f"{local_py}{suffix}"
        else:
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            full_name = f"{first_name} {last_name}"
            title = rng.choice(TITLES_EN)
            local = rng.choice(
                [
                    f"{first_name}.{last_name}",
                    f"{first_name[0]}{last_name}",
                    f"{first_name}{rng.randrange(1, 999)}",
                ]
            )
        host = domain if domain and rng.random() < 0.5 else _pick(rng, pools.hosts, pools.host_cum)
        email = f"{local}@{host}" if rng.random() < 0.86 else ""
        if email and rng.random() < 0.3:
            email = email.upper() if rng.random() < 0.1 else email[0].upper() + email[1:]
        owner_id, team_id = users[bisect.bisect(owner_cum, rng.random() * owner_cum[-1])]
        created, updated = _timestamps(rng, pk / n)
        contact = Contact(
            id=pk,
            full_name=full_name if rng.random() < 0.97 else full_name.replace(" ", "  "),
            title=title,
            company=company,
            email=email,
            email_secondary=f"{local}{rng.randrange(1, 9)}@{_pick(rng, pools.hosts, pools.host_cum)}"
            if email and rng.random() < 0.08
            else "",
            mobile=_mobile(rng) if rng.random() < 0.9 else "",
            work_phone=_landline(rng, area, country) if rng.random() < 0.35 else "",
            wechat=(f"wxid_{rng.randrange(10**9):09d}" if rng.random() < 0.5 else local[:20])
            if rng.random() < 0.3
            else "",
            source=_pick(rng, pools.sources, pools.source_cum),
            country=country,
            province=province,
            city=city_name,
            street=f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
            if country == "CN" and rng.random() < 0.5
            else "",
            postal_code=postal if rng.random() < 0.4 else "",
            notes=rng.choice(NOTES) if rng.random() < 0.12 else "",
            owner_id=owner_id,
            team_id=team_id,
            created_at=created,
            updated_at=updated,
            version=1 + (updated > created) * rng.randrange(1, 5),
            custom_field_data={},
        )
        prepare_contact(contact)
        rows.append(_row_values(contact, fields, vendor))
        if rng.random() < 0.1:
            for tag in rng.sample(tag_ids, 1 if rng.random() < 0.8 else 2):
                tags.append((pk, tag))
    return index, rows, tags


# --- main side --------------------------------------------------------------------------------------


def _fields(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields]


def _columns(fields: list[Any]) -> str:
    return ", ".join(f'"{f.column}"' for f in fields)


def reset_database(vendor_hint: str) -> None:
    """Start from an empty database (a new SQLite file, or a dropped and re-created PostgreSQL one)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if vendor_hint == "sqlite":
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = db["NAME"]
    admin = psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )


def create_people(seed: int) -> dict[str, Any]:
    """Teams, roles and users; returns owner weights for records."""
    from guanxi.core.models import Tag
    from guanxi.users.models import Role, Team, User
    from guanxi.users.roles import default_grants

    rng = random.Random(f"{seed}:people")
    teams = [Team.objects.create(name=name, description="Sales region") for name in TEAMS]

    def role(code: str) -> Role:
        return Role.objects.get(code=code)

    def custom_role(name: str, base: str, scope: str) -> Role:
        grants = default_grants(base)
        for key in ("contact", "company"):
            grants[key] = {"view": scope, "create": scope, "edit": scope, "delete": "none"}
        return Role.objects.create(name=name, grants=grants, description="Benchmark data")

    rep_role = custom_role("Sales rep (own records)", "sales_rep", "own")
    manager_role = custom_role("Sales manager (team records)", "sales_manager", "team")

    def user(username: str, display: str, role_obj: Role, team: Team | None) -> User:
        u = User(
            username=username, display_name=display, role=role_obj, team=team, email=f"{username}@guanxi.test"
        )
        u.set_unusable_password()
        u.save()
        return u

    admin = user("admin", "管理员", role("administrator"), None)
    owners: list[tuple[int, int | None]] = []
    weights: list[float] = []
    people = {"admin": admin.pk, "managers": [], "reps": []}
    for t, team in enumerate(teams):
        manager = user(f"manager{t + 1}", f"经理{t + 1}", manager_role, team)
        people["managers"].append(manager.pk)
        owners.append((manager.pk, team.pk))
        weights.append(1.5)
        for r in range(REPS_PER_TEAM):
            rep = user(f"rep{t + 1}_{r + 1:02d}", f"销售{t + 1}-{r + 1:02d}", rep_role, team)
            people["reps"].append(rep.pk)
            owners.append((rep.pk, team.pk))
            weights.append(rng.uniform(0.3, 2.5))  # some reps hold many more customers than others
    user("service1", "客服", role("service_agent"), teams[0])
    user("finance1", "财务", role("finance"), None)
    user("viewer1", "只读", role("read_only"), teams[1])
    owners.append((admin.pk, None))  # records nobody has been assigned yet stay with the administrator
    weights.append(0.4)
    tag_ids = [Tag.objects.create(name=name, color=color).pk for name, color in TAGS]
    return {"owners": owners, "owner_cum": _cum(weights), "people": people, "tag_ids": tag_ids}


class Loader:
    """Bulk loading with secondary indexes and search triggers set aside."""

    def __init__(self, tables: list[str]) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.tables = tables
        self.saved: list[str] = []

    def __enter__(self) -> Loader:
        cursor = self.connection.cursor()
        if self.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1048576")
            for table in self.tables:
                cursor.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                    "AND type IN ('index', 'trigger')",
                    [table],
                )
                for kind, name, sql in cursor.fetchall():
                    self.saved.append(sql)
                    cursor.execute(f'DROP {kind.upper()} "{name}"')
        else:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers during COPY
            for table in self.tables:
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    self.saved.append(sql)
                    cursor.execute(f'DROP INDEX "{name}"')
        return self

    def insert(self, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(rows[0]))
            raw = self.connection.connection
            raw.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)
        else:
            raw = self.connection.connection
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)

    def __exit__(self, *exc: Any) -> None:
        cursor = self.connection.cursor()
        if self.vendor == "sqlite":
            self.connection.connection.commit()
            indexes = [
                s for s in self.saved if s.upper().startswith("CREATE INDEX") or "UNIQUE INDEX" in s.upper()
            ]
            triggers = [s for s in self.saved if s not in indexes]
            for sql in indexes:
                cursor.execute(sql)
            started = time.perf_counter()
            for table in self.tables:  # the FTS5 index of every table loaded with its triggers set aside
                fts = f"{table}_fts"
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [fts])
                if cursor.fetchone():
                    cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')
            print(f"  fts rebuild {time.perf_counter() - started:.1f}s", flush=True)
            for sql in triggers:
                cursor.execute(sql)
            self.connection.connection.commit()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        else:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
            for sql in self.saved:
                cursor.execute(sql)
            for table in self.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'coalesce((SELECT max(id) FROM "{table}"), 1))'
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("GUANXI_BENCH_N", "1000000")))
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default=os.environ.get("GUANXI_BENCH_DB", "sqlite")
    )
    parser.add_argument("--seed", type=int, default=20251101)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep-env", action="store_true", help="use GUANXI_DATA_DIR / DATABASE_URL as set")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE (SQLite then plans without statistics, like a database nobody has analysed)",
    )
    args = parser.parse_args(argv)

    env = configure(args.database, args.n, keep_env=args.keep_env)
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from guanxi.customers.models import Company, Contact
    from guanxi.customers.services import prepare_company

    started = time.perf_counter()
    connection.close()
    reset_database(args.database)
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    with transaction.atomic():
        people = create_people(args.seed)
    n_companies = max(1, args.n // 20)
    users = people["owners"]
    companies = make_companies(n_companies, args.seed, users)
    company_fields = _fields(Company)
    contact_fields = _fields(Contact)
    company_rows = []
    city_index = {c[0]: i for i, c in enumerate(CITIES)}
    for data in companies:
        company = Company(**data)
        prepare_company(company)
        company_rows.append(_row_values(company, company_fields, connection.vendor))
    print(f"  {len(company_rows)} companies built {time.perf_counter() - started:.1f}s", flush=True)
    rng = random.Random(f"{args.seed}:company-sizes")
    company_weights = [rng.paretovariate(1.16) for _ in companies]  # a long tail: most have a few contacts
    state = {
        "env": env,
        "n": args.n,
        "seed": args.seed,
        "vendor": connection.vendor,
        "companies": [(c["name"], c["domain"], city_index[c["city"]]) for c in companies],
        "company_cum": _cum(company_weights),
        "owners": users,
        "owner_cum": people["owner_cum"],
        "contact_fields": contact_fields,
        "tag_ids": people["tag_ids"],
    }
    through = Contact.tags.through
    tag_table = through._meta.db_table
    chunks = (args.n + CHUNK - 1) // CHUNK
    loaded = 0
    connection.close()  # the workers are forked without an open connection
    ctx = multiprocessing.get_context("fork")
    with (
        ctx.Pool(args.workers, initializer=_init_worker, initargs=(state,)) as pool,
        Loader([Company._meta.db_table, Contact._meta.db_table, tag_table]) as loader,
    ):
        with transaction.atomic():
            loader.insert(Company._meta.db_table, _columns(company_fields), company_rows)
        for _index, rows, tags in pool.imap(contact_chunk, range(chunks), chunksize=1):
            with transaction.atomic():
                loader.insert(Contact._meta.db_table, _columns(contact_fields), rows)
                loader.insert(tag_table, '"contact_id", "tag_id"', tags)
            loaded += len(rows)
            if loaded % 100_000 < CHUNK:
                print(f"  {loaded} contacts {time.perf_counter() - started:.1f}s", flush=True)
        load_done = time.perf_counter()
        print(f"  rows loaded {load_done - started:.1f}s; rebuilding indexes …", flush=True)
    print(f"  indexes rebuilt {time.perf_counter() - load_done:.1f}s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            connection.set_autocommit(True)
            cursor.execute("VACUUM ANALYZE")
        elif not args.no_analyze:
            cursor.execute("ANALYZE")
    total = time.perf_counter() - started
    print(f"gen_db_contacts={args.n}")
    print(f"gen_db_companies={n_companies}")
    print(f"gen_db_seconds={total:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
