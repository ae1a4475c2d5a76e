"""Generate a realistic contacts CSV for import benchmarks.

    python bench/gen_contacts_csv.py -n 1000000 -o bench/out/contacts_1m.csv
    python bench/gen_contacts_csv.py -n 10000 --encoding gbk --headers zh -o contacts_gbk.csv

Twelve columns: name, title, company, e-mail, mobile, work phone, WeChat, province, city,
street, source, notes. About 60 % Chinese and 40 % English names; phones in the shapes people
type (``13812345678``, ``138 1234 5678``, ``+86 138-1234-5678``, ``0086…``, ``(021) 1234
5678``, ``010-12345678 转 8001``, full-width digits, US numbers); 5 % of the rows repeat an
earlier contact with the e-mail in another case and the phone in another shape; 0.5 % are
invalid (bad e-mail, impossible phone, missing name). The output is deterministic for a
given ``--seed``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from typing import TextIO

SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("于", "yu"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("任", "ren"),
    ("沈", "shen"),
    ("单", "shan"),
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("诸葛", "zhuge"),
    ("上官", "shangguan"),
    ("解", "xie"),
    ("仇", "qiu"),
    ("查", "zha"),
]
GIVEN = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀英", "xiuying"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀兰", "xiulan"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
    ("晓东", "xiaodong"),
    ("雨轩", "yuxuan"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("梓萱", "zixuan"),
    ("思远", "siyuan"),
    ("嘉怡", "jiayi"),
    ("一鸣", "yiming"),
    ("欣怡", "xinyi"),
    ("宇航", "yuhang"),
    ("佳琪", "jiaqi"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
    ("春梅", "chunmei"),
    ("文博", "wenbo"),
    ("俊杰", "junjie"),
    ("天佑", "tianyou"),
    ("婷", "ting"),
]
FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Emily",
    "Olivia",
    "Liam",
    "Noah",
    "Emma",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Chloe",
    "Zoe",
    "Hannah",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
]
CITIES = [
    ("北京", "北京市", "010"),
    ("上海", "上海市", "021"),
    ("广东", "广州市", "020"),
    ("广东", "深圳市", "0755"),
    ("浙江", "杭州市", "0571"),
    ("江苏", "南京市", "025"),
    ("四川", "成都市", "028"),
    ("湖北", "武汉市", "027"),
    ("陕西", "西安市", "029"),
    ("天津", "天津市", "022"),
    ("重庆", "重庆市", "023"),
    ("江苏", "苏州市", "0512"),
]
STREETS = ["中关村大街", "南京西路", "天河路", "深南大道", "文三路", "中山路", "人民路", "建设路", "解放大道"]
BRANDS_ZH = [
    ("字节", "zijie"),
    ("星辰", "xingchen"),
    ("远航", "yuanhang"),
    ("华创", "huachuang"),
    ("云帆", "yunfan"),
    ("金石", "jinshi"),
    ("海纳", "haina"),
    ("博远", "boyuan"),
    ("恒信", "hengxin"),
    ("鼎盛", "dingsheng"),
    ("锐思", "ruisi"),
    ("智联", "zhilian"),
    ("天工", "tiangong"),
    ("新元", "xinyuan"),
]
TRADES_ZH = ["科技", "信息技术", "贸易", "网络科技", "医疗器械", "文化传媒", "智能制造", "物流", "咨询"]
SUFFIX_ZH = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
BRANDS_EN = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
]
TRADES_EN = ["Systems", "Trading", "Logistics", "Software", "Foods", "Robotics", "Consulting", "Media"]
SUFFIX_EN = ["Inc.", "Ltd.", "LLC", "Co., Ltd.", "Corp.", "GmbH", "Pte. Ltd."]
TITLES_ZH = ["销售经理", "总经理", "采购主管", "市场总监", "技术总监", "财务经理", "行政专员", "董事长"]
TITLES_EN = ["Sales Manager", "CEO", "Purchasing Lead", "Marketing Director", "CTO", "Account Executive"]
SOURCES = ["展会", "官网", "客户介绍", "电话营销", "Website", "Referral", "Trade Show", "LinkedIn"]
NOTES = [
    "",
    "",
    "",
    "重要客户,需每月回访",
    "Met at the Canton Fair",
    "对价格敏感",
    'Prefers "WeChat" over e-mail',
]
MOBILE_PREFIXES = [
    "138",
    "139",
    "136",
    "137",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "135",
    "177",
    "199",
]
DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "foxmail.com"]

_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}


def mobile_shape(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:7], digits[7:]
    shape = rng.randrange(10)
    if shape < 4:
        return digits
    if shape == 4:
        return f"{a} {b} {c}"
    if shape == 5:
        return f"{a}-{b}-{c}"
    if shape == 6:
        return f"+86 {a} {b} {c}"
    if shape == 7:
        return f"+86{digits}"
    if shape == 8:
        return rng.choice([f"0086 {digits}", f"86-{a}-{b}-{c}"])
    return digits.translate(_FULLWIDTH)


def landline_shape(rng: random.Random, area: str, number: str) -> str:
    shape = rng.randrange(5)
    if shape == 0:
        return f"{area}-{number}"
    if shape == 1:
        return f"({area}) {number[:4]} {number[4:]}"
    if shape == 2:
        return f"+86 {area[1:]} {number}"
    if shape == 3:
        return f"{area}-{number} 转 {rng.randrange(100, 9000)}"
    return f"{area}{number}"


def contacts(n: int, seed: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    made: list[list[str]] = []
    serial = 0
    for _ in range(n):
        roll = rng.random()
        if made and roll < 0.05:
            # A duplicate of an earlier contact: e-mail case and phone shape differ.
            row = list(rng.choice(made))
            row[3] = row[3].upper() if rng.random() < 0.5 else row[3].title()
            digits = "".join(ch for ch in row[4] if ch.isdigit())[-11:]
            if len(digits) == 11:
                row[4] = mobile_shape(rng, digits.translate({0xFF10 + k: 0x30 + k for k in range(10)}))
            yield row
            continue
        province, city, area = rng.choice(CITIES)
        if rng.random() < 0.6:
            (sn, sp), (gn, gp) = rng.choice(SURNAMES), rng.choice(GIVEN)
            name = sn + gn
            local = rng.choice([f"{sp}{gp}", f"{sp}.{gp}", f"{gp}{sp}", f"{sp}{gp}{rng.randrange(100)}"])
            (bn, bp) = rng.choice(BRANDS_ZH)
            company = f"{city[:-1]}{bn}{rng.choice(TRADES_ZH)}{rng.choice(SUFFIX_ZH)}"
            domain = rng.choice([*DOMAINS, f"{bp}.com.cn", f"{bp}.cn"])
            title = rng.choice(TITLES_ZH)
            mobile = mobile_shape(rng, rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")
            work = landline_shape(rng, area, f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}")
            wechat = rng.choice(["", f"wx_{local}", local])
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f"{first} {last}"
            local = rng.choice(
                [f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randrange(100)}"]
            ).lower()
            brand = rng.choice(BRANDS_EN)
            company = f"{brand} {rng.choice(TRADES_EN)} {rng.choice(SUFFIX_EN)}"
            domain = rng.choice([*DOMAINS, f"{brand.lower()}.com"])
            title = rng.choice(TITLES_EN)
            if rng.random() < 0.7:
                mobile = mobile_shape(rng, rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")
            else:
                mobile = f"+1 {rng.randrange(201, 989)} 555 {rng.randrange(10000):04d}"
            work = landline_shape(rng, area, f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}")
            wechat = ""
        # People share names and mail providers; the serial keeps two different people from sharing an
        # address by chance, so the duplicates are the 5 % made on purpose (without it, a quarter of a
        # 100,000-row file collided).
        serial += 1
        email = f"{local}{serial:x}@{domain}" if rng.random() < 0.5 else f"{local}.{serial}@{domain}"
        street = f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号"
        row = [
            name,
            title,
            company,
            email,
            mobile,
            work,
            wechat,
            province,
            city,
            street,
            rng.choice(SOURCES),
            rng.choice(NOTES),
        ]
        if roll > 0.995:  # 0.5 % invalid rows
            bad = rng.randrange(3)
            if bad == 0:
                row[3] = rng.choice(["n/a", f"{local}@", f"{local} at {domain}", "@@"])
            elif bad == 1:
                row[4] = rng.choice(["12345", "138-1234", "电话待补充"])
            else:
                row[0] = ""
        if len(made) < 50_000 and rng.random() < 0.2:
            made.append(row)
        yield row


HEADERS = {
    "en": [
        "Full Name",
        "Job Title",
        "Company",
        "Email",
        "Mobile Phone",
        "Work Phone",
        "WeChat",
        "Province",
        "City",
        "Street",
        "Lead Source",
        "Notes",
    ],
    "zh": [
        "姓名",
        "职务",
        "公司名称",
        "邮箱",
        "手机",
        "办公电话",
        "微信",
        "省份",
        "城市",
        "地址",
        "来源",
        "备注",
    ],
}


def write(out: TextIO, n: int, seed: int, headers: str, delimiter: str) -> None:
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(HEADERS[headers])
    w.writerows(contacts(n, seed))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=100_000, help="number of data rows (default 100000)")
    p.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    p.add_argument("--encoding", default="utf-8", help="utf-8 (default), utf-8-sig, gbk, gb18030, utf-16")
    p.add_argument("--headers", choices=sorted(HEADERS), default="en")
    p.add_argument("--delimiter", default=",")
    p.add_argument("--seed", type=int, default=20240501)
    args = p.parse_args(argv)
    if args.output == "-":
        out = open(sys.stdout.fileno(), "w", encoding=args.encoding, newline="", closefd=False)  # noqa: SIM115
    else:
        out = open(args.output, "w", encoding=args.encoding, newline="")  # noqa: SIM115
    with out:
        write(out, args.n, args.seed, args.headers, args.delimiter)


if __name__ == "__main__":
    main()
