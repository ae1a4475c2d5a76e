"""From a file's row (strings) to the values a record's fields take: text trimmed as a form trims it, choices
found by key, label (English or Chinese) or a common synonym, numbers, dates and times in the shapes
spreadsheets and CRMs write, countries by name or code. References to other records (company, owner,
pipeline …) are kept as text for `guanxi.transfer.resolve`, which looks them up in the database.

A `Converter` needs no database once built (the lists it matches against are loaded up front), so the
importer can run it in worker processes.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _g

from guanxi.core.normalize import fold_width

from . import mapping as mapping_mod
from .bulk import BulkRow

# Targets whose value names another record: resolved later, in the main process.
REFERENCES = {
    "owner",
    "company",
    "company_external_id",
    "contact",
    "deal",
    "lead",
    "related_external_id",
    "pipeline",
    "stage",
}
_FORMULA_START = frozenset("=+-@\t\r")
_UNSEEN = object()


def unneutralise(value: str) -> str:
    """Undo the apostrophe an export puts before a cell that a spreadsheet would run as a formula."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def key_of(text: str) -> str:
    """Matching form of a label: width-folded, lower-case, without spaces and punctuation."""
    return mapping_mod.normalize_header(text)


# ---------------------------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------------------------

SYNONYMS: dict[str, dict[str, str]] = {
    "contact.source": {
        "web": "website|web site|web form|webform|web download|web research|online|online store|internet|"
        "organic search|direct traffic|seo|inbound|chat|官网|网站|网站表单|网络|线上|官网注册|在线咨询",
        "referral": "referral|referrals|referred|employee referral|external referral|recommendation|"
        "word of mouth|客户介绍|转介绍|推荐|介绍|老客户介绍",
        "event": "event|events|trade show|tradeshow|exhibition|conference|seminar|webinar|expo|fair|展会|"
        "会议|"
        "活动|展会活动|研讨会|展览会",
        "advertising": "advertising|advertisement|ads|paid search|paid social|ppc|sem|email marketing|广告|"
        "投放|百度推广|付费推广",
        "cold_call": "cold call|cold calling|telemarketing|outbound call|phone inquiry|电话营销|陌拜|"
        "陌生拜访|"
        "电销|电话陌拜",
        "import": "import|imported|data import|导入",
        "partner": "partner|partner referral|channel partner|reseller|distributor|channel|渠道|合作伙伴|"
        "代理商|"
        "经销商",
        "other": "other|others|linkedin|social media|wechat|微信|offline sources|offline|other campaigns|"
        "purchased list|其他|其它",
    },
    "company.industry": {
        "technology": "technology|tech|software|internet|it|information technology|computer software|"
        "information technology and services|saas|互联网|软件|信息技术|科技|计算机|it服务|电子|通信|电信",
        "manufacturing": "manufacturing|industrial|machinery|automotive|electronics manufacturing|制造|"
        "制造业|"
        "工业|机械|汽车|智能制造",
        "retail": "retail|wholesale|trade|trading|distribution|e-commerce|ecommerce|consumer goods|零售|批发|"
        "贸易|商贸|电商|电子商务|消费品|批发零售",
        "finance": "finance|financial services|banking|bank|insurance|investment|金融|银行|保险|投资|证券",
        "healthcare": "healthcare|health care|medical|hospital|pharmaceutical|pharma|biotech|医疗|医药|"
        "医疗器械|生物|健康|医院",
        "education": "education|e-learning|training|university|school|教育|培训|学校|高校",
        "construction": "construction|real estate|property|building|建筑|房地产|地产|建材",
        "logistics": "logistics|transportation|shipping|supply chain|物流|运输|快递|供应链|仓储",
        "energy": "energy|oil|gas|utilities|power|能源|电力|石油|新能源",
        "media": "media|advertising|marketing|entertainment|publishing|传媒|媒体|广告|文化传媒|娱乐|出版",
        "professional": "professional services|consulting|legal|accounting|services|咨询|法律|会计|专业服务|"
        "服务",
        "hospitality": "hospitality|hotel|restaurant|travel|tourism|food|酒店|餐饮|旅游|食品",
        "government": "government|non-profit|nonprofit|public sector|ngo|政府|非营利|事业单位|公共事业",
        "agriculture": "agriculture|farming|农业|农林牧渔|养殖",
        "other": "other|others|其他|其它",
    },
    "activity.kind": {
        "task": "task|todo|to-do|to do|任务|待办|待办事项",
        "call": "call|phone call|phone|电话|通话|呼叫|来电|去电",
        "meeting": "meeting|event|visit|appointment|会议|拜访|面谈|会面|上门拜访|见面",
        "note": "note|notes|email|e-mail|笔记|备注|记录|跟进记录|邮件",
    },
    "activity.priority": {
        "low": "low|低|不重要",
        "normal": "normal|medium|med|中|普通|一般|正常",
        "high": "high|urgent|critical|高|紧急|重要",
    },
    "activity.direction": {
        "inbound": "inbound|incoming|in|呼入|来电|接听",
        "outbound": "outbound|outgoing|out|呼出|去电|拨打",
    },
    "activity.outcome": {
        "connected": "connected|answered|reached|completed|interested|not interested|follow up|call back|"
        "meeting booked|demo scheduled|接通|已接通|已联系|有意向|无意向",
        "no_answer": "no answer|no_answer|not answered|未接|未接通|无人接听",
        "voicemail": "voicemail|left voicemail|left message|left a voicemail|留言|语音信箱",
        "busy": "busy|忙线|占线",
        "wrong_number": "wrong number|invalid number|空号|错号|号码错误",
    },
}

_SIZE_BUCKETS = [(10, "1-10"), (50, "11-50"), (200, "51-200"), (500, "201-500"), (1000, "501-1000")]
_SIZE_RANGE = re.compile(r"^\s*([\d,]+)\s*(?:-|–|—|~|to|至|到)\s*([\d,]+)\s*")
_NUMBER_ONLY = re.compile(r"^\s*([\d,]+)\s*\+?\s*(?:人|名|employees)?\s*$", re.IGNORECASE)


class ChoiceMatcher:
    """Finds the stored value of a choice from what people write for it."""

    def __init__(self, choices: list[tuple[Any, Any]], synonyms: Mapping[str, str] | None = None) -> None:
        self.index: dict[str, str] = {}
        self.values = [str(k) for k, _label in choices]
        for value, label in choices:
            self.index.setdefault(key_of(str(value)), str(value))
            self.index.setdefault(key_of(str(label)), str(value))
            with translation.override("zh-hans"):
                self.index.setdefault(key_of(str(label)), str(value))
            with translation.override("en"):
                self.index.setdefault(key_of(str(label)), str(value))
        for value, alts in (synonyms or {}).items():
            for alt in alts.split("|"):
                self.index.setdefault(key_of(alt), value)

    def __call__(self, text: str) -> str | None:
        return self.index.get(key_of(text))

    def fuzzy(self, text: str) -> str | None:
        """A synonym inside a longer label ("Computer Software" → technology)."""
        found = self(text)
        if found is not None:
            return found
        k = key_of(text)
        best: tuple[int, str] | None = None
        for alt, value in self.index.items():
            if len(alt) >= 3 and alt in k and (best is None or len(alt) > best[0]):
                best = (len(alt), value)
        return best[1] if best else None


def company_size(text: str) -> str | None:
    m = _SIZE_RANGE.match(text)
    if m:
        low = int(m.group(1).replace(",", "") or 0)
        return _bucket(max(low, 1))
    m = _NUMBER_ONLY.match(text)
    if m:
        return (
            _bucket(int(m.group(1).replace(",", "")) or 1)
            if "+" not in text
            else _bucket(int(m.group(1).replace(",", "")) + 1)
        )
    return None


def _bucket(n: int) -> str:
    for top, label in _SIZE_BUCKETS:
        if n <= top:
            return label
    return "1000+"


# ---------------------------------------------------------------------------------------------------------
# Countries
# ---------------------------------------------------------------------------------------------------------

_COUNTRIES = {
    "CN": "china|中国|中华人民共和国|prc|中国大陆|大陆|people's republic of china|chn|mainland china",
    "HK": "hong kong|香港|中国香港|hong kong sar|hkg",
    "TW": "taiwan|台湾|中国台湾|twn",
    "MO": "macau|macao|澳门|中国澳门",
    "US": "united states|usa|us|america|united states of america|美国|u.s.|u.s.a.",
    "GB": "united kingdom|uk|great britain|britain|england|英国|gbr",
    "JP": "japan|日本|jpn",
    "KR": "south korea|korea|republic of korea|韩国|kor",
    "SG": "singapore|新加坡|sgp",
    "DE": "germany|deutschland|德国|deu",
    "FR": "france|法国|fra",
    "AU": "australia|澳大利亚|澳洲|aus",
    "CA": "canada|加拿大|can",
    "IN": "india|印度|ind",
    "MY": "malaysia|马来西亚|mys",
    "TH": "thailand|泰国|tha",
    "VN": "vietnam|viet nam|越南|vnm",
    "ID": "indonesia|印度尼西亚|印尼|idn",
    "PH": "philippines|菲律宾|phl",
    "IT": "italy|意大利|ita",
    "ES": "spain|西班牙|esp",
    "NL": "netherlands|holland|荷兰|nld",
    "CH": "switzerland|瑞士|che",
    "SE": "sweden|瑞典|swe",
    "RU": "russia|russian federation|俄罗斯|rus",
    "BR": "brazil|巴西|bra",
    "MX": "mexico|墨西哥|mex",
    "AE": "united arab emirates|uae|阿联酋|are",
    "NZ": "new zealand|新西兰|nzl",
}
_COUNTRY_INDEX = {key_of(alt): code for code, alts in _COUNTRIES.items() for alt in alts.split("|")}


def country_code(text: str) -> str:
    code = _COUNTRY_INDEX.get(key_of(text))
    if code:
        return code
    folded = fold_width(text).strip()
    return folded.upper() if len(folded) == 2 and folded.isascii() else folded


# ---------------------------------------------------------------------------------------------------------
# Numbers, dates, times, booleans
# ---------------------------------------------------------------------------------------------------------

_TRUE = frozenset(
    ["1", "true", "yes", "y", "on", "x", "✓", "✔", "done", "completed", "complete", "closed", "finished",
     "是", "真", "完成", "已完成", "对", "已关闭"]
)  # fmt: skip
_FALSE = frozenset(
    ["0", "false", "no", "n", "off", "open", "notstarted", "inprogress", "waiting", "deferred",
     "否", "假", "未完成", "进行中"]
)  # fmt: skip
_MONEY_NOISE = re.compile(r"[\s¥￥$€£]|RMB|CNY|USD|EUR|HKD|元|人民币", re.IGNORECASE)


def parse_bool(text: str) -> bool | None:
    k = key_of(text) or text.strip()
    if k in _TRUE:
        return True
    if k in _FALSE:
        return False
    return None


def parse_decimal(text: str) -> Decimal | None:
    s = fold_width(text).strip()
    factor = Decimal(1)
    if s.endswith("万"):
        factor, s = Decimal(10000), s[:-1]
    elif s.endswith("亿"):
        factor, s = Decimal(100000000), s[:-1]
    s = _MONEY_NOISE.sub("", s)
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    if "," in s and "." in s:  # the last of the two separates the decimals
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        s = s.replace(",", "") if all(len(p) == 3 for p in parts[1:]) else s.replace(",", ".")
    try:
        number = Decimal(s) * factor
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return -number if negative else number


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"), "ymd"),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), "dmy"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{8})$"), "compact"),
]
_TIME = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$",
    re.IGNORECASE,
)
_TZ_TAIL = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str) -> dt.date | None:
    s = fold_width(text).strip()
    if not s:
        return None
    head = re.split(r"[T ]", s, maxsplit=1)[0]
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(head)
        if not m:
            continue
        try:
            if order == "compact":
                v = m.group(1)
                return dt.date(int(v[:4]), int(v[4:6]), int(v[6:]))
            a, b, c = (int(g) for g in m.groups())
            if order == "ymd":
                return dt.date(a, b, c)
            if order == "dmy":
                return dt.date(c, b, a)
            if a > 12:  # 31/03/2025: day first
                return dt.date(c, b, a)
            return dt.date(c, a, b)
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # an Excel serial day number
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
    return None


def parse_datetime(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    s = fold_width(text).strip()
    if not s:
        return None
    s = s.replace("上午", " am ").replace("下午", " pm ").replace("  ", " ").strip()
    try:
        value = dt.datetime.fromisoformat(s)
    except ValueError:
        value = None
    if value is None:
        zone = None
        m = _TZ_TAIL.search(s)
        if m:
            offset = m.group(1)
            s = s[: m.start()].strip()
            try:
                zone = dt.datetime.fromisoformat(
                    f"2000-01-01T00:00{'+00:00' if offset == 'Z' else offset}"
                ).tzinfo
            except ValueError:
                zone = None
        parts = re.split(r"[T ]", s, maxsplit=1)
        day = parse_date(parts[0])
        if day is None:
            return None
        clock = dt.time(0, 0)
        if len(parts) > 1:
            rest = parts[1].strip()
            m2 = _TIME.match(rest.replace(" ", "") if rest.lower().endswith(("am", "pm", "m.")) else rest)
            if not m2:
                return None
            hour, minute, second = int(m2.group("h")), int(m2.group("m")), int(m2.group("s") or 0)
            ampm = (m2.group("ampm") or "").lower().replace(".", "")
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            try:
                clock = dt.time(hour, minute, second)
            except ValueError:
                return None
        value = dt.datetime.combine(day, clock, tzinfo=zone)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=tz)
    return value


# ---------------------------------------------------------------------------------------------------------
# The converter
# ---------------------------------------------------------------------------------------------------------

Handler = Callable[[str, BulkRow], None]

# target → model field, for the plain text targets of each object (the others have handlers).
TEXT_FIELDS: dict[str, dict[str, str]] = {
    "companies": {
        "name": "name", "legal_name": "legal_name", "phone": "phone", "province": "province", "city": "city",
        "street": "street", "notes": "notes", "domain": "domain", "postal_code": "postal_code",
    },
    "contacts": {
        "full_name": "full_name", "family_name": "family_name", "given_name": "given_name", "title": "title",
        "email": "email", "email2": "email_secondary", "mobile": "mobile", "work_phone": "work_phone",
        "wechat": "wechat", "province": "province", "city": "city", "street": "street", "notes": "notes",
        "postal_code": "postal_code",
    },
    "leads": {
        "full_name": "full_name", "company_name": "company_name", "title": "title", "email": "email",
        "province": "province", "city": "city", "notes": "notes",
        "disqualification_reason": "disqualification_reason",
    },
    "deals": {"name": "name", "notes": "notes", "lost_note": "lost_note"},
    "activities": {"subject": "subject", "body": "body", "location": "location"},
}  # fmt: skip


class Converter:
    """Turns `(row number, cell strings)` into a `BulkRow` for one object type under a mapping.

    `picklists` holds the editable lists (lead sources, statuses, lost reasons) as
    `{kind: [(key, label, label_zh, meaning, PicklistValue)]}`; `default_status` is the lead status a new
    lead gets. Both are loaded by `guanxi.transfer.resolve.load_lists` before the converter is used."""

    def __init__(
        self,
        object_type: str,
        headers: list[str],
        mapping: Mapping[str, str | None],
        *,
        preset: str | None = None,
        value_map: Mapping[str, Mapping[str, str]] | None = None,
        picklists: Mapping[str, list[tuple[str, str, str, str, Any]]] | None = None,
        default_status: Any = None,
        time_zone: str | None = None,
        currency: str = "CNY",
    ) -> None:
        self.object_type = mapping_mod.object_type(object_type)
        self.headers = headers
        self.mapping = dict(mapping)
        self.tz = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
        self.currency = currency
        self.default_status = default_status
        self.values: dict[str, dict[str, str]] = {}
        self.defaults: dict[str, str] = {}
        if preset:
            data = mapping_mod.load_preset(preset)
            section = data["objects"].get(self.object_type, {})
            for target, table in section.get("values", {}).items():
                self.values.setdefault(target, {}).update(table)
            self.defaults = mapping_mod.preset_defaults(data, self.object_type, self.mapping)
        for target, table in (value_map or {}).items():
            self.values.setdefault(target, {}).update({str(k): str(v) for k, v in table.items()})
        self.values_folded = {t: {key_of(k): v for k, v in table.items()} for t, table in self.values.items()}
        self.picklists = picklists or {}
        self._picklist_index = {
            kind: self._index_picklist(entries) for kind, entries in self.picklists.items()
        }
        self.column_of: dict[str, str] = {}
        self.plan: list[tuple[int, str, Handler]] = []
        for index, header in enumerate(headers):
            target = self.mapping.get(header)
            if not target:
                continue
            self.column_of[target] = header
            self.plan.append((index, target, self.handler(target)))
        self.constants = [
            (t, v, self.handler(t)) for t, v in self.defaults.items() if t not in self.column_of
        ]
        self._choices: dict[str, ChoiceMatcher] = {}
        self._choice_memo: dict[tuple[str, str], str | None] = {}
        self._countries: dict[str, str] = {}

    # -- one row ----------------------------------------------------------------------------------------
    def convert(self, number: int, cells: list[str]) -> BulkRow:
        row = BulkRow(number=number, fields={})
        row.extra["refs"] = {}
        values = self.values
        for index, target, handler in self.plan:
            raw = cells[index]
            if not raw:
                continue
            if raw[0] == "'":
                raw = unneutralise(raw)
            text = raw.strip()
            if not text:
                continue
            if target in values:
                text = self._mapped_value(target, text)
                if not text:
                    continue
            handler(text, row)
        for _target, text, handler in self.constants:
            handler(text, row)
        self.finish(row)
        row.given = frozenset(row.fields).difference(row.extra.get("defaulted", ()))
        return row

    def _mapped_value(self, target: str, text: str) -> str:
        table = self.values[target]
        if text in table:
            return table[text]
        return self.values_folded[target].get(key_of(text), text)

    def finish(self, row: BulkRow) -> None:
        """Values that depend on several columns."""
        f = row.fields
        obj = self.object_type
        if obj == "leads":
            given = f.pop("given_name", "")
            family = f.pop("family_name", "")
            if not f.get("full_name") and (given or family):
                from guanxi.customers.services import compose_name

                f["full_name"] = compose_name(family, given)
            mobile = f.pop("mobile", "")
            if mobile and not f.get("phone"):
                f["phone"] = mobile
            if "status" not in f and self.default_status is not None:
                f["status"] = self.default_status
                row.extra["defaulted"] = ("status",)
        elif obj == "activities":
            if "kind" not in f:
                if "start_at" in f and "due_at" not in f:
                    f["kind"] = "meeting"
                elif "due_at" in f:
                    f["kind"] = "task"
                else:
                    f["kind"] = "note"
            kind = f["kind"]
            if not f.get("subject") and f.get("body"):
                # Vendors' call and visit logs often have no title: the first line of the text is one.
                first = f["body"].strip().splitlines()[0]
                head = re.split(r"[:：]", first, maxsplit=1)[0].strip()
                f["subject"] = (head if 0 < len(head) <= 80 else first)[:200]
            if kind == "meeting" and "start_at" not in f and "due_at" in f:
                f["start_at"] = f.pop("due_at")
            if kind != "meeting":
                start = f.pop("start_at", None)
                f.pop("end_at", None)
                if kind == "task":
                    if start is not None and "due_at" not in f:
                        f["due_at"] = start
                else:
                    when = start or f.pop("due_at", None)
                    if when is not None:
                        f["occurred_at"] = when
        elif obj == "deals" and "currency" not in f:
            f["currency"] = self.currency
            row.extra["defaulted"] = ("currency",)

    # -- handlers ---------------------------------------------------------------------------------------
    def handler(self, target: str) -> Handler:
        obj = self.object_type
        if target.startswith(mapping_mod.CUSTOM_PREFIX):
            name = target[len(mapping_mod.CUSTOM_PREFIX) :]

            def custom(text: str, row: BulkRow) -> None:
                row.custom_fields[name] = text

            return custom
        if target == "external_id":

            def external(text: str, row: BulkRow) -> None:
                row.external_id = text[:255]

            return external
        if target == "tags":

            def tags(text: str, row: BulkRow) -> None:
                row.tags = [t for t in re.split(r"[,;，；|]", text) if t.strip()]

            return tags
        if target in REFERENCES:

            def ref(text: str, row: BulkRow) -> None:
                row.extra["refs"][target] = text

            return ref
        field_name = TEXT_FIELDS.get(obj, {}).get(target)
        if field_name is not None:

            def text_field(text: str, row: BulkRow) -> None:
                row.fields[field_name] = text

            return text_field
        special = getattr(self, f"_{obj}_{target}", None) or getattr(self, f"_any_{target}", None)
        if special is None:
            raise mapping_mod.MappingError(f"cannot import the target {target!r} for {obj}")
        handler: Handler = special
        return handler

    def _choice(self, key: str, model_field: Any) -> ChoiceMatcher:
        matcher = self._choices.get(key)
        if matcher is None:
            matcher = ChoiceMatcher(list(model_field.flatchoices), SYNONYMS.get(key))
            self._choices[key] = matcher
        return matcher

    def _set_choice(
        self, row: BulkRow, field_name: str, key: str, model: Any, text: str, fuzzy: bool = False
    ) -> None:
        memo = self._choice_memo.get((key, text), _UNSEEN)
        if memo is not _UNSEEN:  # choice columns repeat a few values over and over
            if memo is not None:
                row.fields[field_name] = memo
                return
            value = None
            matcher = self._choice(key, model._meta.get_field(field_name))
        else:
            matcher = self._choice(key, model._meta.get_field(field_name))
            value = matcher.fuzzy(text) if fuzzy else matcher(text)
            if len(self._choice_memo) < 10_000:
                self._choice_memo[(key, text)] = value
        if value is None:
            row.fail(
                field_name,
                _g("“%(value)s” is not one of the choices (%(choices)s).")
                % {"value": text, "choices": ", ".join(matcher.values)},
            )
            return
        row.fields[field_name] = value

    # any object
    def _any_country(self, text: str, row: BulkRow) -> None:
        code = self._countries.get(text)
        if code is None:
            code = country_code(text)
            if len(self._countries) < 10_000:
                self._countries[text] = code
        row.fields["country"] = code

    def _any_website(self, text: str, row: BulkRow) -> None:
        url = text if "://" in text else f"https://{text}"
        row.fields["website"] = url

    # companies
    def _companies_industry(self, text: str, row: BulkRow) -> None:
        from guanxi.customers.models import Company

        self._set_choice(row, "industry", "company.industry", Company, text, fuzzy=True)

    def _companies_size(self, text: str, row: BulkRow) -> None:
        from guanxi.customers.models import Company

        bucket = company_size(text)
        if bucket is None:
            self._set_choice(row, "size", "company.size", Company, text)
        else:
            row.fields["size"] = bucket

    # contacts
    def _contacts_source(self, text: str, row: BulkRow) -> None:
        from guanxi.customers.models import Contact

        self._set_choice(row, "source", "contact.source", Contact, text, fuzzy=True)

    # leads
    def _leads_phone(self, text: str, row: BulkRow) -> None:
        row.fields["phone"] = text

    def _leads_mobile(self, text: str, row: BulkRow) -> None:
        row.fields["mobile"] = text

    def _leads_family_name(self, text: str, row: BulkRow) -> None:
        row.fields["family_name"] = text

    def _leads_given_name(self, text: str, row: BulkRow) -> None:
        row.fields["given_name"] = text

    def _leads_source(self, text: str, row: BulkRow) -> None:
        self._set_picklist(row, "source", "lead_source", text)

    def _leads_status(self, text: str, row: BulkRow) -> None:
        self._set_picklist(row, "status", "lead_status", text)

    # deals
    def _deals_amount(self, text: str, row: BulkRow) -> None:
        number = parse_decimal(text)
        if number is None:
            row.fail("amount", _g("Enter a number."))
            return
        row.fields["amount"] = number.quantize(Decimal("0.01"))

    def _deals_currency(self, text: str, row: BulkRow) -> None:
        code = fold_width(text).strip().upper()
        row.fields["currency"] = {"RMB": "CNY", "人民币": "CNY", "¥": "CNY", "$": "USD", "美元": "USD"}.get(
            code, code
        )

    def _deals_expected_close_date(self, text: str, row: BulkRow) -> None:
        self._set_date(row, "expected_close_date", text)

    def _deals_source(self, text: str, row: BulkRow) -> None:
        self._set_picklist(row, "source", "lead_source", text)

    def _deals_lost_reason(self, text: str, row: BulkRow) -> None:
        self._set_picklist(row, "lost_reason", "lost_reason", text)

    # activities
    def _activities_kind(self, text: str, row: BulkRow) -> None:
        from guanxi.activities.models import Activity

        self._set_choice(row, "kind", "activity.kind", Activity, text)

    def _activities_priority(self, text: str, row: BulkRow) -> None:
        from guanxi.activities.models import Activity

        self._set_choice(row, "priority", "activity.priority", Activity, text)

    def _activities_direction(self, text: str, row: BulkRow) -> None:
        from guanxi.activities.models import Activity

        self._set_choice(row, "direction", "activity.direction", Activity, text)

    def _activities_outcome(self, text: str, row: BulkRow) -> None:
        from guanxi.activities.models import Activity

        self._set_choice(row, "outcome", "activity.outcome", Activity, text)

    def _activities_done(self, text: str, row: BulkRow) -> None:
        value = parse_bool(text)
        if value is None:
            row.fail("done", _g("Enter yes or no."))
            return
        row.fields["done"] = value

    def _activities_duration_minutes(self, text: str, row: BulkRow) -> None:
        number = parse_decimal(text)
        if number is None or number < 0:
            row.fail("duration_minutes", _g("Enter a whole number of minutes."))
            return
        row.fields["duration_minutes"] = int(number)

    def _activities_due_at(self, text: str, row: BulkRow) -> None:
        self._set_datetime(row, "due_at", text)

    def _activities_start_at(self, text: str, row: BulkRow) -> None:
        self._set_datetime(row, "start_at", text)

    def _activities_end_at(self, text: str, row: BulkRow) -> None:
        self._set_datetime(row, "end_at", text)

    # helpers
    def _set_date(self, row: BulkRow, field_name: str, text: str) -> None:
        value = parse_date(text)
        if value is None:
            row.fail(field_name, _g("Enter a date such as 2025-03-31."))
            return
        row.fields[field_name] = value

    def _set_datetime(self, row: BulkRow, field_name: str, text: str) -> None:
        value = parse_datetime(text, self.tz)
        if value is None:
            row.fail(field_name, _g("Enter a date and time such as 2025-03-31 14:30."))
            return
        row.fields[field_name] = value

    @staticmethod
    def _index_picklist(entries: list[tuple[str, str, str, str, Any]]) -> dict[str, Any]:
        index: dict[str, Any] = {}
        for key, label, label_zh, _meaning, value in entries:
            for alt in (key, label, label_zh):
                if alt:
                    index.setdefault(key_of(alt), value)
        meanings = {
            "new": "new|open|open new|not contacted|untouched|未处理|新建|未联系",
            "working": "working|contacted|in progress|attempting to contact|attempted to contact|connected|"
            "contact in future|open contacted|working contacted|nurturing|跟进中|已联系|联系中|处理中",
            "qualified": "qualified|pre qualified|open qualified|sales qualified|marketing qualified|sql|mql|"
            "合格|已确认|有效",
            "disqualified": "disqualified|unqualified|open unqualified|not qualified|closed not converted|"
            "junk lead|lost lead|"
            "bad timing|junk|invalid|无效|不合格",
            "converted": "converted|closed converted|已转化|转化|已转换|转换",
        }
        for meaning, alts in meanings.items():
            value = next((v for _k, _l, _z, m, v in entries if m == meaning), None)
            if value is None:
                continue
            for alt in alts.split("|"):
                index.setdefault(key_of(alt), value)
        return index

    def _set_picklist(self, row: BulkRow, field_name: str, kind: str, text: str) -> None:
        value = self._picklist_index.get(kind, {}).get(key_of(text))
        if value is None and kind == "lead_source":
            # A kind of source people name in many ways (展会, Trade Show …): the list's entry of that
            # kind, or its "other" entry when the list has none.
            matcher = self._source_matcher()
            key = matcher.fuzzy(text)
            if key is not None:
                entries = {e[0]: e[4] for e in self.picklists.get(kind, [])}
                value = entries.get(key)
                if value is None and "other" in entries:
                    value = entries["other"]
                    row.warn(
                        field_name,
                        _g("“%(value)s” was imported as “%(other)s”.") % {"value": text, "other": value},
                    )
        if value is None:
            names = ", ".join(e[1] for e in self.picklists.get(kind, []))
            row.fail(
                field_name,
                _g("“%(value)s” is not in the list (%(choices)s).") % {"value": text, "choices": names},
            )
            return
        row.fields[field_name] = value

    def _source_matcher(self) -> ChoiceMatcher:
        from guanxi.customers.models import Contact

        return self._choice("contact.source", Contact._meta.get_field("source"))
