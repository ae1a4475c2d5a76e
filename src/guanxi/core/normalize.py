"""Normalisation of names, e-mails, phones, companies and domains.

Pure Python with no Django import: the Django services, the importer and the benchmarks
all call these functions, once for every row of an import and on every single write, so
each of them is written for speed (prebuilt ``str.translate`` tables, per-character caches,
a fast path for Chinese phone numbers in front of ``phonenumbers``).

Rules worth knowing (each is tested in ``tests/core/test_normalize.py``):

* ``fold_width`` folds the full-width ASCII block (U+FF01–U+FF5E) and the ideographic space
  (U+3000) to ASCII; CJK ideographs and CJK punctuation such as 。、「」 are left alone.
* ``normalize_phone`` returns ``(e164, True)`` for a valid number and ``(raw.strip(), False)``
  otherwise. The E.164 string never carries an extension (it is a matching key; callers keep
  the typed value); ``normalize_phone_parts`` also returns the extension.
* ``domain_from`` does no public-suffix reduction: ``a@mail.example.cn`` → ``mail.example.cn``;
  only a leading ``www.`` label is dropped.
* ``split_chinese_name`` returns ``(family, given)``; see its docstring for the rules.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

__all__ = [
    "company_name_key",
    "domain_from",
    "fold_width",
    "is_plausible_email",
    "normalize_email",
    "normalize_phone",
    "normalize_phone_parts",
    "pinyin_keys",
    "split_chinese_name",
]

# ---------------------------------------------------------------------------------------
# Width folding
# ---------------------------------------------------------------------------------------

_WIDTH_TABLE: dict[int, int] = {0xFF01 + i: 0x21 + i for i in range(0x5E)}
_WIDTH_TABLE[0x3000] = 0x20


def fold_width(s: str) -> str:
    """Fold full-width ASCII forms (ＡＢＣ１２３＠．) and the ideographic space to ASCII."""
    if s.isascii():
        return s
    return s.translate(_WIDTH_TABLE)


# ---------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------


def normalize_email(s: str) -> str:
    """Trimmed, width-folded, lower-cased e-mail address ('' for blank input).

    A leading ``mailto:`` (as pasted from a web page) is dropped. Nothing else is changed:
    ``+tags`` and dots in the local part are significant for most mail servers.
    """
    if not s:
        return ""
    s = s.strip()
    if not s.isascii():
        s = s.translate(_WIDTH_TABLE).strip()
    s = s.lower()
    if s.startswith("mailto:"):
        s = s[7:].strip()
    return s


_EMAIL_RE = re.compile(
    r"(?=[^@]{1,64}@)"  # local part at most 64 characters
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"  # dot-atom, no leading/double dots
    r"@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"  # domain labels
    r"[^\W\d_]{2,63}",  # top-level domain: letters only
)


def is_plausible_email(s: str) -> bool:
    """Cheap syntactic check of an (already normalised) address: ``a@b.cn`` yes, ``a@b`` no.

    Unicode letters are allowed in both parts (internationalised addresses); the Django
    layer additionally applies Django's ``EmailValidator``.
    """
    return len(s) <= 254 and _EMAIL_RE.fullmatch(s) is not None


# ---------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------

# Folds full-width digits and punctuation and deletes the separators people type.
_PHONE_TABLE: dict[int, int | None] = dict(_WIDTH_TABLE)
for _ch in " -.()\u3000\u00a0":
    _PHONE_TABLE[ord(_ch)] = None
for _ch in "－．（）":
    _PHONE_TABLE[ord(_ch)] = None
_PHONE_SEPARATORS = b" -.()"  # the ASCII part of the deletions above, for bytes.translate

# Chinese extension markers that phonenumbers does not know; rewritten to " ext ".
_CN_EXT_WORDS = re.compile(r"\s*(?:转|分机|內線|内线)\s*")
# "…ext 123", "…x123", "…#123", "…转123": the extension at the end, for the fast path.
_EXT_TAIL = re.compile(r"\s*(?:ext\.?|x|#|转|分机)\s*(\d{1,6})\s*$", re.IGNORECASE)
# "010-12345678-8001": a Chinese landline followed by a dash-separated extension.
_CN_DASH_EXT = re.compile(r"(\(?0\d{2,3}\)?[-\s]?\d{7,8})\s*-\s*(\d{1,6})")


def _desc_matcher(desc: object) -> tuple[frozenset[int], re.Pattern[str]] | None:
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return None
    lengths = frozenset(getattr(desc, "possible_length", None) or ())
    return lengths, re.compile(pattern)


def _load_cn_metadata() -> tuple[tuple[frozenset[int], re.Pattern[str]], ...] | None:
    """The CN patterns of phonenumbers' own metadata (general, mobile, fixed line)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    if meta is None:  # pragma: no cover - phonenumbers always ships CN
        return None
    parts = (_desc_matcher(meta.general_desc), _desc_matcher(meta.mobile), _desc_matcher(meta.fixed_line))
    if any(p is None for p in parts):  # pragma: no cover
        return None
    return tuple(p for p in parts if p is not None)


_CN_META = _load_cn_metadata()


def _cn_valid(nat: str) -> bool:
    """True when ``nat`` (a CN national significant number) is a mobile or fixed line.

    Mirrors phonenumbers' ``is_valid_number`` restricted to those two types: the number must
    match the general description (length and pattern) and one of the two type descriptions.
    Anything else (toll-free, shared-cost …) returns False and goes to phonenumbers.
    """
    if _CN_META is None:  # pragma: no cover
        return False
    (g_len, g_re), (m_len, m_re), (f_len, f_re) = _CN_META
    n = len(nat)
    if n not in g_len or g_re.fullmatch(nat) is None:
        return False
    if n in m_len and m_re.fullmatch(nat) is not None:
        return True
    return n in f_len and f_re.fullmatch(nat) is not None


def _strip_separators(ascii_text: str) -> str:
    return ascii_text.encode("ascii").translate(None, _PHONE_SEPARATORS).decode("ascii")


def _is_number_text(t: str) -> bool:
    return t.isascii() and (t.isdigit() or (t[:1] == "+" and t[1:].isdigit()))


def _fast_cn(s: str) -> tuple[str, str] | None:
    """Fast path for the common Chinese shapes; None when unsure (then phonenumbers decides).

    Accepted: a mobile with or without ``+86``/``0086``/``86``/``0`` in front; a landline with
    its ``0`` trunk prefix (``010-12345678``, ``(021) 1234 5678``) or after ``+86``/``0086``;
    separators space, hyphen, dot, parentheses; full-width forms; an extension after
    ``ext``/``x``/``#``/``转``/``分机``. It only ever answers with a *valid* number, so a
    negative is always decided by phonenumbers.
    """
    t = _strip_separators(s) if s.isascii() else ""
    ext = ""
    if not _is_number_text(t):
        m = _EXT_TAIL.search(s)
        if m is not None:
            main = s[: m.start()]
            ext = m.group(1)
            if not ext.isascii():
                ext = ext.translate(_WIDTH_TABLE)
        elif t:
            return None
        else:
            main = s  # non-ASCII without an extension: full-width digits
        t = _strip_separators(main) if main.isascii() else main.translate(_PHONE_TABLE)
        if not t[-1:].isdigit() or not ext.isascii() or not _is_number_text(t):
            return None
    if t[:1] == "+":
        if t[:3] != "+86":
            return None
        nat = t[3:]
    elif t[:2] == "00":
        if t[:4] != "0086":
            return None
        nat = t[4:]
    elif t[:1] == "0":
        nat = t[1:]
    elif t[:3] == "861" and len(t) == 13:
        nat = t[2:]  # "86" written without "+" in front of a mobile
    elif t[:1] == "1" and len(t) == 11:
        nat = t  # a bare mobile
    else:
        return None
    if nat[:1] == "0" or (nat[:1] == "1" and nat[:2] != "10" and len(nat) != 11):
        return None
    if nat[:2] == "10" and t[:1] not in "+0":
        return None  # a Beijing number without its trunk prefix: leave it to phonenumbers
    if not _cn_valid(nat):
        return None
    return "+86" + nat, ext


def _parse_valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    return num if phonenumbers.is_valid_number(num) else None


def _slow_phone(s: str, region: str) -> tuple[str, str, bool]:
    """phonenumbers with Chinese extension words understood; ``s`` is already stripped."""
    text = fold_width(s)
    if "转" in text or "分机" in text or "内线" in text or "內線" in text:
        text = _CN_EXT_WORDS.sub(" ext ", text)
    num = _parse_valid(text, region)
    if num is None:
        m = _CN_DASH_EXT.fullmatch(text)
        if m is not None:
            num = _parse_valid(m.group(1) + " ext " + m.group(2), region)
    if num is None:
        return s, "", False
    return phonenumbers.format_number(num, PhoneNumberFormat.E164), num.extension or "", True


def normalize_phone_parts(raw: str, region: str = "CN") -> tuple[str, str, bool]:
    """``(E.164, extension, True)`` for a valid number, else ``(raw stripped, "", False)``.

    The extension is written after ``ext``/``x``/``#``/``转``/``分机`` or, for a Chinese
    landline, after a dash: ``010-12345678-8001`` → ``("+861012345678", "8001", True)``.
    """
    if not raw:
        return "", "", False
    s = raw.strip()
    if not s:
        return "", "", False
    if region == "CN":
        fast = _fast_cn(s)
        if fast is not None:
            return fast[0], fast[1], True
    return _slow_phone(s, region)


def normalize_phone(raw: str, region: str = "CN") -> tuple[str, bool]:
    """``(E.164, True)`` for a valid number, else ``(raw stripped, False)`` (kept, flagged).

    ``region`` is the ISO 3166 region used for numbers written without a country code. An
    extension is not part of the E.164 string (see :func:`normalize_phone_parts`). Common
    Chinese shapes take a fast path (about 1.5 µs); everything else is parsed by
    phonenumbers (about 15-30 µs) with the same result.
    """
    if not raw:
        return "", False
    s = raw.strip()
    if not s:
        return "", False
    if region == "CN":
        fast = _fast_cn(s)
        if fast is not None:
            return fast[0], True
    e164, _ext, valid = _slow_phone(s, region)
    return e164, valid


# ---------------------------------------------------------------------------------------
# Pinyin keys
# ---------------------------------------------------------------------------------------

# Readings of characters used as surnames, applied when the character starts the name.
_SURNAME_READINGS_2: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "宇文": ("yu", "wen"),
    "乐正": ("yue", "zheng"),
}
_SURNAME_READINGS_1: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "乐": "yue",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "秘": "bi",
    "翟": "zhai",
    "种": "chong",
    "重": "chong",
    "隗": "wei",
    "黑": "he",
    "召": "shao",
    "繁": "po",
    "员": "yun",
    "阚": "kan",
    "都": "du",
    "句": "gou",
    "能": "nai",
    "冼": "xian",
    "洗": "xian",
    "折": "she",
    "逄": "pang",
    "谌": "chen",
    "宓": "fu",
    "亓": "qi",
    "乜": "nie",
    "长": "chang",
    "石": "shi",
    "柏": "bai",
    "沈": "shen",
    "任": "ren",
    "葛": "ge",
    "纪": "ji",
    "贾": "jia",
    "蕃": "pi",
    "祭": "zhai",
    "万": "wan",
    "尉": "wei",
    "藏": "zang",
}

# Per-character cache of the characters met in names: a CJK character maps to its toneless
# pinyin; a non-ASCII letter (é, ß) maps to "\x00" + its ASCII letters (a word character);
# anything else maps to "" (a separator).
_PINYIN: dict[str, str] = {}


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F or o == 0x3007


def _classify(ch: str) -> str:
    """Compute and cache the ``_PINYIN`` entry of one non-ASCII character."""
    if _is_cjk(ch):
        from pypinyin import lazy_pinyin  # imported lazily: loading its dictionary takes ~0.3 s

        got = lazy_pinyin(ch, errors="ignore")
        py = got[0] if len(got) == 1 and got[0].isascii() and got[0].isalpha() else ""
    elif ch.isalnum():
        letters = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isalnum())
        py = "\x00" + letters.lower() if letters else ""
    else:
        py = ""
    _PINYIN[ch] = py
    return py


@lru_cache(maxsize=131072)
def pinyin_keys(text: str) -> tuple[str, str]:
    """Full toneless pinyin and initials of a name: 张三 → ("zhangsan", "zs").

    Latin letters and digits are kept as words (lower-cased, accents dropped): "张三 Tom" →
    ("zhangsantom", "zst"); other characters are dropped. ü is written ``v`` (女 → ``nv``), as
    people type it. Surnames with a special reading (单 shan, 曾 zeng, 尉迟 yuchi …) are read
    that way when they start the text. Readings are cached per character (``_PINYIN``), and
    results per text (LRU, 131,072 texts): an import meets each name and each character of a
    name many times, and the search text asks for every character of a name on its own.
    """
    if not text:
        return "", ""
    text = text.strip()
    full: list[str] = []
    ini: list[str] = []
    if text.isascii():
        for w in _ASCII_WORDS.findall(text):
            full.append(w.lower())
            ini.append(w[0].lower())
        return "".join(full), "".join(ini)
    text = text.translate(_WIDTH_TABLE)
    two = _SURNAME_READINGS_2.get(text[:2])
    if two is not None:
        full.extend(two)
        ini.append(two[0][0])
        ini.append(two[1][0])
        text = text[2:]
    else:
        one = _SURNAME_READINGS_1.get(text[:1])
        if one is not None:
            full.append(one)
            ini.append(one[0])
            text = text[1:]
    cache = _PINYIN
    word: list[str] = []
    for ch in text:
        if ch.isascii():
            if ch.isalnum():
                word.append(ch)
                continue
            py = ""
        else:
            got = cache.get(ch)
            py = got if got is not None else _classify(ch)
            if py[:1] == "\x00":
                word.append(py[1:])
                continue
        if word:
            w = "".join(word).lower()
            full.append(w)
            ini.append(w[0])
            word.clear()
        if py:
            full.append(py)
            ini.append(py[0])
    if word:
        w = "".join(word).lower()
        full.append(w)
        ini.append(w[0])
    return "".join(full), "".join(ini)


_ASCII_WORDS = re.compile(r"[A-Za-z0-9]+")


# ---------------------------------------------------------------------------------------
# Company names
# ---------------------------------------------------------------------------------------

# Latin legal-form tokens (after lower-casing, with dots removed) ignored at the end of a name.
_LEGAL_WORDS = """
    inc incorporated corp corporation co company ltd limited llc llp lp plc pllc
    gmbh ag kg ohg ug mbh se sa sas sarl sàrl srl spa nv bv ab as asa oy oyj aps
    kk pte pty pvt bhd sdn tbk jsc ojsc pjsc ooo zao sro doo kft zrt nyrt sp zoo
    group
    """
_LEGAL_TOKENS = frozenset(_LEGAL_WORDS.split())
# Chinese legal-form suffixes, removed repeatedly from the end (longest first).
_CN_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "责任公司",
    "集团公司",
    "总公司",
    "公司",
    "集团",
    "有限",
)
_KEY_DROP = re.compile(r"[\W_]+")
_KEY_SPLIT = re.compile(r"[^\w.]+|_")


@lru_cache(maxsize=65536)
def company_name_key(name: str) -> str:
    """Key for duplicate matching of companies.

    Width-folded, lower-cased, punctuation and whitespace removed, legal forms ignored:
    Chinese suffixes 股份有限公司, 有限责任公司, 有限公司, 公司, 集团 (also as "(集团)") …
    and Latin tokens Inc., Co., Ltd., LLC, Corp., GmbH, S.A., Pte. Ltd., Group … at the end.
    "北京字节跳动科技有限公司" and "北京字节跳动科技" give the same key, as do "Acme, Inc."
    and "ACME Inc". Kept on purpose: 分公司 (a branch is a customer record of its own),
    控股 (a holding is a different legal entity from its operating company) and regional
    qualifiers such as "(中国)". A name made only of legal words keeps them.
    Results are memoised (LRU, 65,536 names): an import repeats each company many times.
    """
    if not name:
        return ""
    s = name.translate(_WIDTH_TABLE).lower()
    # Dots join abbreviations ("s.a.", "co.,ltd." → "sa", "co", "ltd"); other punctuation splits.
    tokens = [t.replace(".", "") for t in _KEY_SPLIT.split(s)]
    tokens = [t for t in tokens if t]
    while len(tokens) > 1 and tokens[-1] in _LEGAL_TOKENS:
        tokens.pop()
    key = _KEY_DROP.sub("", "".join(tokens))
    changed = True
    while changed:
        changed = False
        for suffix in _CN_SUFFIXES:
            if key.endswith(suffix):
                if len(key) > len(suffix):
                    key = key[: -len(suffix)]
                    changed = True
                break
    return key


# ---------------------------------------------------------------------------------------
# Domains
# ---------------------------------------------------------------------------------------

_LABEL_RE = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")


def _plausible_host(host: str) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_LABEL_RE.fullmatch(label) is not None for label in labels)


def domain_from(value: str) -> str:
    """The host of a website URL or an e-mail address, for matching companies.

    Rule: lower-cased and width-folded host, without scheme, user info, port, path, query,
    trailing dot and one leading ``www.`` label; no public-suffix reduction, so
    ``"https://www.Example.com/about"`` → ``"example.com"`` and ``"a@mail.example.cn"`` →
    ``"mail.example.cn"``. Returns '' when no plausible host name (with a dot and a
    non-numeric top-level label) is found, e.g. for an IP address or "n/a".
    """
    if not value:
        return ""
    s = value.strip()
    if not s.isascii():
        s = s.translate(_WIDTH_TABLE).strip()
    s = s.lower()
    if s.startswith("mailto:"):
        s = s[7:]
    scheme = s.find("://")
    if scheme >= 0:
        s = s[scheme + 3 :]
    elif s.startswith("//"):
        s = s[2:]
    for sep in "/?#":
        cut = s.find(sep)
        if cut >= 0:
            s = s[:cut]
    at = s.rfind("@")
    if at >= 0:
        s = s[at + 1 :]
    colon = s.find(":")
    if colon >= 0:
        s = s[:colon]
    s = s.strip().rstrip(".")
    if s.startswith("www.") and s.count(".") >= 2:
        s = s[4:]
    if not s or not _plausible_host(s):
        return ""
    return s


# ---------------------------------------------------------------------------------------
# Personal names
# ---------------------------------------------------------------------------------------

_COMPOUND_SURNAME_TEXT = """
    欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤
    南宫 西门 万俟 闻人 澹台 公冶 宗政 濮阳 太叔 申屠 钟离 呼延 单于 百里 东郭 拓跋 第五
    赫连 完颜 纳兰 司空 仲孙 淳于 公羊 闾丘 子车 亓官 司寇 巫马 公西 颛孙 壤驷 公良 漆雕
    乐正 宰父 谷梁 段干 东门 左丘 梁丘 羊舌 微生 公门 南门 呼衍 归海 即墨
    """
_COMPOUND_SURNAMES = frozenset(_COMPOUND_SURNAME_TEXT.split())
_LATIN_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "la",
        "le",
        "du",
        "dos",
        "das",
        "ter",
        "ten",
        "bin",
        "al",
    }
)


def _has_cjk(s: str) -> bool:
    return any(_is_cjk(c) or 0xAC00 <= ord(c) <= 0xD7A3 for c in s)


def split_chinese_name(full: str) -> tuple[str, str]:
    """Split a full name into ``(family, given)``.

    * Chinese (or Korean) names: spaces are ignored; the family name is a compound surname
      from the list (欧阳, 司马, 上官, 诸葛 …) when the name is longer than two characters,
      else the first character: 欧阳娜娜 → ("欧阳", "娜娜"), 张三 → ("张", "三"),
      王 → ("王", ""). A name with a middle dot (transliterated or minority names such as
      约翰·史密斯 or 迪丽热巴·迪力木拉提) is given-first: the part after the last dot is the
      family name.
    * Latin names: "Family, Given" when there is a comma; otherwise "Given Family", the last
      word being the family name together with lower-case particles before it ("Ludwig van
      Beethoven" → ("van Beethoven", "Ludwig")); an ALL-CAPS word among mixed-case words is
      taken as the family name ("ZHANG San" → ("ZHANG", "San")). A single word is a family
      name: ("Madonna", "").
    """
    s = " ".join(full.translate(_WIDTH_TABLE).split())
    if not s:
        return "", ""
    if _has_cjk(s):
        for dot in ("·", "•", "・", "．", "."):
            if dot in s:
                given, _, family = s.rpartition(dot)
                return family.strip(), given.strip()
        s = s.replace(" ", "")
        if len(s) > 2 and s[:2] in _COMPOUND_SURNAMES:
            return s[:2], s[2:]
        return s[:1], s[1:]
    if "," in s:
        family, _, given = s.partition(",")
        return family.strip(), given.strip()
    words = s.split(" ")
    if len(words) == 1:
        return words[0], ""
    caps = [w for w in words if len(w) > 1 and w.isupper() and w.isalpha()]
    if len(caps) == 1 and len(words) > 1 and not all(w.isupper() for w in words):
        family = caps[0]
        return family, " ".join(w for w in words if w is not family)
    k = len(words) - 1
    while k > 1 and words[k - 1].lower() in _LATIN_PARTICLES:
        k -= 1
    return " ".join(words[k:]), " ".join(words[:k])
