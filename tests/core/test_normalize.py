"""Tests of guanxi.core.normalize."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.core import normalize as nz
from guanxi.core.normalize import (
    company_name_key,
    domain_from,
    fold_width,
    is_plausible_email,
    normalize_email,
    normalize_phone,
    pinyin_keys,
    split_chinese_name,
)

# ---------------------------------------------------------------------------------------
# fold_width
# ---------------------------------------------------------------------------------------


def test_fold_width_folds_fullwidth_ascii_and_ideographic_space() -> None:
    assert fold_width("ＡＢＣ１２３＠．") == "ABC123@."
    assert fold_width("张\u3000三") == "张 三"
    assert fold_width("ｚｈａｎｇ＿ｓａｎ＋１") == "zhang_san+1"


def test_fold_width_leaves_cjk_and_cjk_punctuation_alone() -> None:
    assert fold_width("北京字节跳动。、「」") == "北京字节跳动。、「」"
    assert fold_width("plain ascii") == "plain ascii"


# ---------------------------------------------------------------------------------------
# e-mail
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Zhang.Wei@ByteDance.COM ", "zhang.wei@bytedance.com"),
        ("ｗａｎｇｆａｎｇ＠ｔｅｎｃｅｎｔ．ｃｏｍ", "wangfang@tencent.com"),
        ("mailto:Sales@Example.cn", "sales@example.cn"),
        ("", ""),
        ("   ", ""),
        ("user+tag@gmail.com", "user+tag@gmail.com"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "good",
    ["a@b.co", "zhang.wei@bytedance.com", "user+tag@mail.example.cn", "o'brien@example.ie", "张三@例子.中国"],
)
def test_plausible_emails(good: str) -> None:
    assert is_plausible_email(good)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "a@b",
        "not-an-email",
        "a b@c.com",
        "a@@b.com",
        ".a@b.com",
        "a.@b.com",
        "a..b@c.com",
        "a@b..com",
        "a@-b.com",
        "a@b.c",
        "a@b.123",
        "=1+1@x.com ",
        "@example.com",
        "x" * 65 + "@example.com",
    ],
)
def test_implausible_emails(bad: str) -> None:
    assert not is_plausible_email(bad)


# ---------------------------------------------------------------------------------------
# phones
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("138.1234.5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("86-138-1234-5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("013812345678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),
        ("＋８６ １３８－１２３４－５６７８", "+8613812345678"),
        ("010-12345678", "+861012345678"),
        ("(010) 1234 5678", "+861012345678"),
        ("(021) 1234 5678", "+862112345678"),
        ("0755-12345678", "+8675512345678"),
        ("0571-88776655", "+8657188776655"),
        ("+86 10 1234 5678", "+861012345678"),
        ("010-12345678 ext 123", "+861012345678"),
        ("010-12345678 x123", "+861012345678"),
        ("010-12345678#123", "+861012345678"),
        ("010-12345678 转 8001", "+861012345678"),
        ("010-12345678分机8001", "+861012345678"),
        ("010-58341234-8001", "+861058341234"),
        ("+1 415 555 0134", "+14155550134"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+49 151 23456789", "+4915123456789"),
    ],
)
def test_normalize_phone_valid(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == (expected, True)


@pytest.mark.parametrize(
    "raw",
    ["12345", "138-1234", "电话待补充", "0755-1234567", "17912345678", "abc", "+86 12", "=HYPERLINK(1)"],
)
def test_normalize_phone_invalid_is_kept_and_flagged(raw: str) -> None:
    assert normalize_phone(f"  {raw} ") == (raw, False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-12345678 ext 123", ("+861012345678", "123", True)),
        ("010-12345678 x123", ("+861012345678", "123", True)),
        ("010-12345678#123", ("+861012345678", "123", True)),
        ("010-12345678 转 8001", ("+861012345678", "8001", True)),
        ("０１０-１２３４５６７８ 转 １２", ("+861012345678", "12", True)),
        ("010-58341234-8001", ("+861058341234", "8001", True)),
        ("138 1234 5678", ("+8613812345678", "", True)),
        ("+1 415 555 0134 ext. 7", ("+14155550134", "7", True)),
        (" 12345 ", ("12345", "", False)),
        ("", ("", "", False)),
    ],
)
def test_normalize_phone_parts(raw: str, expected: tuple[str, str, bool]) -> None:
    assert nz.normalize_phone_parts(raw) == expected


def test_normalize_phone_blank() -> None:
    assert normalize_phone("") == ("", False)
    assert normalize_phone("   ") == ("", False)


def test_normalize_phone_other_default_region() -> None:
    assert normalize_phone("(415) 555-0134", region="US") == ("+14155550134", True)
    assert normalize_phone("020 7946 0958", region="GB") == ("+442079460958", True)
    # A bare Chinese mobile is not a US number.
    assert normalize_phone("13812345678", region="US") == ("13812345678", False)


def test_fast_path_handles_the_common_shapes() -> None:
    for raw in [
        "13812345678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "0086 13812345678",
        "010-12345678",
        "(021) 1234 5678",
        "１３８１２３４５６７８",
        "010-12345678 转 123",
    ]:
        assert nz._fast_cn(raw) is not None, raw
    for raw in ["+1 415 555 0134", "0755-1234567", "12345", "400-810-8888"]:
        assert nz._fast_cn(raw) is None, raw


def _reference(raw: str) -> tuple[str, str, bool]:
    """phonenumbers alone for the same input: (E.164 or the input, extension, valid)."""
    text = fold_width(raw.strip()).replace("转", " ext ").replace("分机", " ext ")
    try:
        num = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return raw.strip(), "", False
    if not phonenumbers.is_valid_number(num):
        return raw.strip(), "", False
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164), num.extension or "", True


_MOBILE_PREFIXES = ["13", "15", "18", "17", "19", "16", "14", "13", "15", "18", "10", "11", "12"]
_AREAS = [
    "10",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "27",
    "28",
    "29",
    "311",
    "351",
    "371",
    "431",
    "451",
    "471",
    "512",
    "531",
    "551",
    "571",
    "591",
    "731",
    "755",
    "757",
    "769",
    "851",
    "871",
    "898",
    "931",
    "991",
]
_SEPARATORS = ["", " ", "-", ".", "  ", " - "]
_PREFIXES = [
    "",
    "",
    "",
    "+86",
    "+86 ",
    "+86-",
    "0086",
    "0086 ",
    "86",
    "86-",
    "0",
    "(0",
    "+86 (0)",
    "+1 ",
    "00852 ",
    "+852",
]


@st.composite
def chinese_phone_like(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["mobile", "landline", "digits"]))
    if kind == "mobile":
        rest = draw(st.sampled_from([9, 9, 9, 9, 8, 10]))
        national = draw(st.sampled_from(_MOBILE_PREFIXES)) + draw(
            st.text("0123456789", min_size=rest, max_size=rest)
        )
        prefix = draw(st.sampled_from(_PREFIXES))
    elif kind == "landline":
        rest = draw(st.sampled_from([8, 8, 8, 7, 7, 6, 9]))
        national = draw(st.sampled_from(_AREAS)) + draw(st.text("2345678", min_size=1, max_size=1))
        national += draw(st.text("0123456789", min_size=rest - 1, max_size=rest - 1))
        prefix = draw(st.sampled_from(["0", "0", "(0", "+86 ", "0086", "", "86 "]))
    else:
        national = draw(st.text("0123456789", min_size=1, max_size=14))
        prefix = draw(st.sampled_from(_PREFIXES))
    # Break the digits into groups with separators.
    out: list[str] = []
    i = 0
    while i < len(national):
        step = draw(st.integers(1, 5))
        out.append(national[i : i + step])
        i += step
    body = draw(st.sampled_from(_SEPARATORS)).join(out)
    if prefix.startswith("(0") and not prefix.endswith(")"):
        # "(0" + area code + ")"
        cut = min(len(body), draw(st.integers(2, 3)))
        text = f"(0{body[:cut]}) {body[cut:]}"
    else:
        text = prefix + body
    ext = draw(st.sampled_from(["", "", "", " ext 12", "x8001", "#123", " 转 66", "分机 9"]))
    text += ext
    if draw(st.booleans()) and draw(st.booleans()):
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+-()"})
    return text


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chinese_phone_like())
def test_fast_path_equals_phonenumbers(raw: str) -> None:
    fast = nz._fast_cn(raw.strip())
    if fast is not None:
        assert (*fast, True) == _reference(raw), raw
        assert (*fast, True) == nz._slow_phone(raw.strip(), "CN"), raw
    # Overall, normalize_phone agrees with phonenumbers except that it also understands
    # "010-12345678-8001" (dash extension), which phonenumbers rejects.
    slow_valid = nz._slow_phone(raw.strip(), "CN")[2]
    assert normalize_phone(raw)[1] == (_reference(raw)[2] or slow_valid)


def test_fast_path_equals_phonenumbers_on_many_numbers() -> None:
    """20,000 seeded numbers in the common shapes: the fast path must agree every time."""
    import random

    rng = random.Random(1234)
    agreed = 0
    for _ in range(20_000):
        if rng.random() < 0.6:
            digits = rng.choice(["13", "15", "17", "18", "19", "16", "14"]) + f"{rng.randrange(10**9):09d}"
            shapes = [
                digits,
                f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                f"+86 {digits}",
                f"0086-{digits}",
                f"86{digits}",
                f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
                f"0{digits}",
            ]
        else:
            area = rng.choice(_AREAS)
            sub = str(rng.randrange(2, 10)) + f"{rng.randrange(10**7):07d}"[: rng.choice([6, 7, 7])]
            shapes = [
                f"0{area}-{sub}",
                f"(0{area}) {sub[:4]} {sub[4:]}",
                f"+86 {area} {sub}",
                f"0{area}{sub}",
            ]
        raw = rng.choice(shapes)
        fast = nz._fast_cn(raw)
        if fast is not None:
            assert (*fast, True) == _reference(raw), raw
            agreed += 1
        else:
            assert _reference(raw)[2] is False, raw  # the fast path only declines invalid numbers here
    assert agreed > 12_000


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=25))
def test_normalize_phone_never_raises_and_keeps_invalid_input(raw: str) -> None:
    value, ok = normalize_phone(raw)
    if ok:
        assert value.startswith("+")
        assert value[1:].isdigit()
        assert len(value) <= 16  # fits an E.164 column
    else:
        assert value == raw.strip()


# ---------------------------------------------------------------------------------------
# pinyin
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", ("zhangsan", "zs")),
        ("欧阳娜娜", ("ouyangnana", "oynn")),
        ("单田芳", ("shantianfang", "stf")),
        ("曾国藩", ("zengguofan", "zgf")),
        ("解文博", ("xiewenbo", "xwb")),
        ("仇英", ("qiuying", "qy")),
        ("区志强", ("ouzhiqiang", "ozq")),
        ("查海燕", ("zhahaiyan", "zhy")),
        ("朴槿惠", ("piaojinhui", "pjh")),
        ("尉迟恭", ("yuchigong", "ycg")),
        ("万俟卨", ("moqixie", "mqx")),
        ("吕女士", ("lvnvshi", "lns")),
        ("张三 Tom", ("zhangsantom", "zst")),
        ("Tom Smith", ("tomsmith", "ts")),
        ("José García", ("josegarcia", "jg")),
        ("ＡＢＣ张", ("abczhang", "az")),
        ("王·小明", ("wangxiaoming", "wxm")),
        ("", ("", "")),
        ("  ", ("", "")),
    ],
)
def test_pinyin_keys(text: str, expected: tuple[str, str]) -> None:
    assert pinyin_keys(text) == expected


def test_surname_reading_only_at_the_start() -> None:
    # 曾 inside a given name keeps the ordinary reading.
    assert pinyin_keys("王曾")[0] == "wangceng"
    assert pinyin_keys("曾王")[0] == "zengwang"


def test_pinyin_cache_is_per_character() -> None:
    pinyin_keys("龘靐")
    assert "龘" in nz._PINYIN and "靐" in nz._PINYIN
    assert "龘靐" not in nz._PINYIN


# ---------------------------------------------------------------------------------------
# company names
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京字节跳动科技有限公司", "北京字节跳动科技"),
        ("Acme, Inc.", "ACME Inc"),
        ("Acme Robotics Inc.", "acme robotics"),
        ("上海远航物流股份有限公司", "上海远航物流"),
        ("成都金石医疗器械有限责任公司", "成都金石医疗器械"),
        ("武汉天工智能制造集团有限公司", "武汉天工智能制造"),
        ("万科企业（集团）股份有限公司", "万科企业"),
        ("海尔集团公司", "海尔"),
        ("Stark Consulting Pte. Ltd.", "Stark Consulting"),
        ("Globex Trading Co.,Ltd", "globex trading"),
        ("Globex Trading Co., Ltd.", "GLOBEX TRADING LIMITED"),
        ("Initech Software GmbH", "Initech Software"),
        ("Banco Ejemplo S.A.", "banco ejemplo"),
        ("Foo LLC", "Foo, L.L.C."),
        ("ＡＣＭＥ　Ｉｎｃ．", "Acme Inc"),
    ],
)
def test_company_name_key_matches(a: str, b: str) -> None:
    assert company_name_key(a) == company_name_key(b)
    assert company_name_key(a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京字节跳动科技有限公司", "北京字节跳动科技有限公司上海分公司"),
        ("阿里巴巴（中国）有限公司", "阿里巴巴有限公司"),
        ("平安控股有限公司", "平安有限公司"),
        ("Acme Inc.", "Acme Robotics Inc."),
    ],
)
def test_company_name_key_keeps_distinct_companies_apart(a: str, b: str) -> None:
    assert company_name_key(a) != company_name_key(b)


def test_company_name_key_values() -> None:
    assert company_name_key("北京字节跳动科技有限公司") == "北京字节跳动科技"
    assert company_name_key("Acme, Inc.") == "acme"
    assert company_name_key("有限公司") == "有限公司"
    assert company_name_key("Inc.") == "inc"
    assert company_name_key("") == ""


# ---------------------------------------------------------------------------------------
# domains
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.Example.com/about", "example.com"),
        ("a@mail.example.cn", "mail.example.cn"),
        ("Zhang.Wei@ByteDance.com", "bytedance.com"),
        ("www.example.com:8080/path?q=1#x", "example.com"),
        ("http://user:pw@shop.example.co.uk/", "shop.example.co.uk"),
        ("example.com.", "example.com"),
        ("//cdn.example.org/x", "cdn.example.org"),
        ("ＷＷＷ．例子．中国", "例子.中国"),
        ("www.com", "www.com"),
        ("mailto:Sales@Tencent.com", "tencent.com"),
        ("n/a", ""),
        ("", ""),
        ("localhost", ""),
        ("192.168.1.1", ""),
        ("not a url", ""),
    ],
)
def test_domain_from(value: str, expected: str) -> None:
    assert domain_from(value) == expected


# ---------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("张三", ("张", "三")),
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("司马光", ("司马", "光")),
        ("诸葛亮", ("诸葛", "亮")),
        ("上官婉儿", ("上官", "婉儿")),
        ("欧阳", ("欧", "阳")),
        ("王", ("王", "")),
        ("张 三", ("张", "三")),
        ("约翰·史密斯", ("史密斯", "约翰")),
        ("迪丽热巴·迪力木拉提", ("迪力木拉提", "迪丽热巴")),
        ("John Smith", ("Smith", "John")),
        ("Mary Ann Smith", ("Smith", "Mary Ann")),
        ("Smith, John", ("Smith", "John")),
        ("Ludwig van Beethoven", ("van Beethoven", "Ludwig")),
        ("ZHANG San", ("ZHANG", "San")),
        ("Madonna", ("Madonna", "")),
        ("  ", ("", "")),
        ("김민준", ("김", "민준")),
    ],
)
def test_split_chinese_name(full: str, expected: tuple[str, str]) -> None:
    assert split_chinese_name(full) == expected
