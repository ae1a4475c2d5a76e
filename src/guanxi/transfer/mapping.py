"""Column mapping for imports: which column of a file goes to which field.

* ``FIELDS`` lists the canonical target fields of each object type; the importer maps
  them to model fields. A column may also go to a custom field, ``custom:<slug>``.
* :func:`propose_mapping` proposes a target for each header from English and Chinese
  synonyms (case, width, space and punctuation do not matter), after the exact column
  names of a vendor preset when one is given.
* :func:`detect_preset` recognises which CRM exported a header row; presets live in
  ``presets/<vendor>.yaml`` (format in ``presets/README.md``).
* :func:`load_mapping_file` reads a user's YAML mapping (``{columns: {"Header": target}}``)
  and :func:`apply_overrides` lays it over a proposal.

Pure Python, no Django import. Every invalid input raises :class:`MappingError` with a
one-line reason.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from guanxi.core.normalize import fold_width

__all__ = [
    "FIELDS",
    "OBJECT_TYPES",
    "REQUIRED",
    "MappingError",
    "apply_overrides",
    "detect_preset",
    "detect_preset_object",
    "list_presets",
    "load_mapping_file",
    "load_preset",
    "missing_required",
    "normalize_header",
    "object_type",
    "preset_defaults",
    "propose_mapping",
    "validate_mapping",
    "validate_target",
]

FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "companies": (
        "name", "legal_name", "domain", "website", "industry", "size", "phone", "country",
        "province", "city", "street", "owner", "tags", "notes", "external_id", "postal_code",
    ),
    "contacts": (
        "full_name", "family_name", "given_name", "title", "company", "company_external_id",
        "email", "email2", "mobile", "work_phone", "wechat", "country", "province", "city",
        "street", "source", "owner", "tags", "notes", "external_id", "postal_code",
    ),
    "leads": (
        "full_name", "family_name", "given_name", "company_name", "title", "email", "phone",
        "mobile", "source", "status", "country", "province", "city", "owner", "notes", "external_id",
        "disqualification_reason", "tags",
    ),
    "deals": (
        "name", "company", "company_external_id", "contact", "pipeline", "stage", "amount",
        "currency", "expected_close_date", "owner", "source", "lost_reason", "notes", "external_id",
        "lost_note", "tags",
    ),
    "activities": (
        "kind", "subject", "body", "due_at", "start_at", "end_at", "done", "priority", "direction",
        "duration_minutes", "outcome", "location", "company", "contact", "deal", "lead",
        "related_external_id", "owner", "external_id",
    ),
}  # fmt: skip
OBJECT_TYPES: Final = tuple(FIELDS)

# Alternatives of which a mapping must contain at least one, per object type.
REQUIRED: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "companies": (("name", "legal_name"),),
    "contacts": (("full_name", "family_name", "given_name", "email", "mobile"),),
    "leads": (("full_name", "company_name", "email", "phone"),),
    "deals": (("name",),),
    "activities": (("subject", "body", "kind"),),
}

_OBJECT_ALIASES: Final = {
    "company": "companies", "account": "companies", "accounts": "companies",
    "organization": "companies", "organizations": "companies", "organisations": "companies",
    "contact": "contacts", "person": "contacts", "persons": "contacts", "people": "contacts",
    "lead": "leads", "deal": "deals", "opportunity": "deals", "opportunities": "deals",
    "activity": "activities", "task": "activities", "tasks": "activities", "event": "activities",
    "events": "activities", "call": "activities", "calls": "activities", "meeting": "activities",
    "meetings": "activities", "note": "activities", "notes": "activities",
}  # fmt: skip

CUSTOM_PREFIX: Final = "custom:"
_SLUG = re.compile(r"[a-z][a-z0-9_]{0,62}")


class MappingError(ValueError):
    """An invalid mapping, mapping file or preset; ``str(error)`` is a one-line reason."""


def object_type(name: str) -> str:
    """The canonical object type for ``name`` ("accounts" → "companies", "tasks" → "activities")."""
    key = name.strip().lower()
    if key in FIELDS:
        return key
    if key in _OBJECT_ALIASES:
        return _OBJECT_ALIASES[key]
    raise MappingError(f"unknown object type {name!r} (one of: {', '.join(OBJECT_TYPES)})")


# ---------------------------------------------------------------------------------------
# Header normalisation and synonyms
# ---------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
_TRAILING_PAREN = re.compile(r"\s*[(\[（【][^()\[\]（）【】]*[)\]）】]\s*$")


def normalize_header(header: str) -> str:
    """Width-folded, lower-cased, without spaces and punctuation: "E-mail Address" → "emailaddress"."""
    return _NON_WORD.sub("", fold_width(header).lower())


# Synonyms shared by every object type that has the field. Alternatives are separated by
# "|"; each is compared after normalize_header().
_COMMON: Final[dict[str, str]] = {
    "external_id": "id|record id|external id|source id|import id|外部id|外部编号|数据id|记录id|系统id",
    "owner": (
        "owner|owner email|owner name|owned by|assigned to|assigned user|record owner|sales rep|"
        "salesperson|负责人|所有人|拥有者|归属人|销售负责人|跟进人|业务员|销售员|销售代表|负责人邮箱"
    ),
    "tags": "tags|tag|labels|label|标签",
    "notes": "notes|note|description|remarks|remark|comments|comment|memo|备注|说明|描述|备注信息",
    "source": "source|lead source|origin|channel|来源|客户来源|线索来源|渠道|获客渠道|来源渠道",
    "country": "country|country region|country/region|nation|国家|国家地区|国别",
    "province": (
        "province|state|state province|state region|province state|region|省份|省|所在省份|"
        "省市|省直辖市|所在地区|地区"
    ),
    "city": "city|town|城市|市|所在城市|城市名称",
    "street": (
        "street|address|street address|address line 1|address 1|mailing street|billing street|"
        "地址|详细地址|街道|街道地址|通讯地址|联系地址|公司地址|办公地址"
    ),
    "website": "website|web site|url|homepage|home page|site|web|网址|网站|公司网址|官网|主页|公司网站",
    "industry": "industry|sector|vertical|行业|所属行业|行业类别",
    "phone": (
        "phone|telephone|tel|phone number|telephone number|contact number|main phone|电话|"
        "联系电话|座机|固定电话|公司电话|电话号码"
    ),
    "title": "title|job title|position|role|designation|job position|职务|职位|职称|岗位|头衔",
    "email": (
        "email|e mail|email address|e mail address|mail|email 1|primary email|work email|"
        "邮箱|电子邮件|电子邮箱|邮件|邮箱地址|电子邮件地址|email地址"
    ),
    "company": (
        "company|company name|account|account name|organization|organisation|organization name|"
        "organisation name|employer|公司|公司名称|单位|单位名称|工作单位|企业名称|所属公司|客户名称|"
        "客户|所属客户|企业|客户公司"
    ),
    "company_external_id": "account id|company id|organization id|organisation id|客户id|公司id|客户编号id",
    "full_name": "name|full name|contact name|person name|姓名|名字|联系人|联系人姓名|全名|客户姓名|称呼",
    "family_name": "last name|surname|family name|lastname|姓|姓氏",
    "given_name": "first name|given name|forename|firstname|名",
    "mobile": (
        "mobile|mobile phone|mobile number|cell|cellphone|cell phone|mobile phone number|"
        "手机|手机号|手机号码|移动电话|移动号码|联系手机"
    ),
    "work_phone": (
        "work phone|office phone|business phone|phone|telephone|tel|direct phone|phone number|"
        "办公电话|工作电话|公司电话|座机|电话|固定电话|联系电话|电话号码"
    ),
    "email2": (
        "secondary email|other email|email 2|alternate email|alternative email|personal email|"
        "home email|备用邮箱|其他邮箱|邮箱2|第二邮箱|私人邮箱"
    ),
    "wechat": "wechat|weixin|wechat id|wx|微信|微信号|微信账号",
    "status": "status|lead status|状态|线索状态|跟进状态",
    "pipeline": "pipeline|sales process|sales pipeline|销售流程|管道|销售管道|流程",
    "stage": "stage|deal stage|sales stage|stage name|opportunity stage|阶段|销售阶段|商机阶段",
    "amount": (
        "amount|value|deal value|deal amount|opportunity amount|金额|商机金额|预计金额|合同金额|"
        "成交金额|销售金额"
    ),
    "currency": "currency|currency code|currency iso code|币种|货币|币别",
    "expected_close_date": (
        "close date|expected close date|closing date|expected close|estimated close date|"
        "预计成交日期|预计签单日期|结单日期|预计结单日期|预计成交时间|预计签约日期"
    ),
    "lost_reason": (
        "lost reason|loss reason|reason for loss|lost reason description|输单原因|丢单原因|失败原因|输单理由"
    ),
    "contact": "contact|contact person|contact name|primary contact|联系人|联系人姓名|客户联系人",
    "deal": "deal|opportunity|deal name|opportunity name|商机|商机名称|机会",
    "lead": "lead|lead name|线索|线索名称",
    "legal_name": "legal name|registered name|legal entity|工商注册名称|法定名称|公司全称|全称|注册名称",
    "domain": "domain|company domain|company domain name|email domain|域名|公司域名",
    "size": (
        "size|employees|number of employees|no of employees|company size|headcount|人员规模|员工人数|"
        "公司规模|规模"
    ),
    "kind": "kind|type|activity type|task type|类型|活动类型|跟进方式|记录类型",
    "subject": "subject|title|activity subject|topic|主题|标题",
    "body": "body|content|details|description|notes|note|内容|跟进内容|详情|描述|备注",
    "due_at": "due|due date|due time|deadline|due date time|截止日期|截止时间|到期日|到期时间",
    "start_at": "start|start time|start date|start datetime|from|begin|开始时间|开始日期|开始",
    "end_at": "end|end time|end date|end datetime|to|finish|结束时间|结束日期|结束",
    "done": "done|completed|is done|is completed|closed|完成|已完成|是否完成",
    "priority": "priority|优先级|重要程度",
    "direction": "direction|call direction|inbound outbound|呼叫方向|方向|呼入呼出",
    "duration_minutes": (
        "duration|duration minutes|duration in minutes|call duration|时长|通话时长|持续时间|时长分钟"
    ),
    "outcome": "outcome|result|call result|call outcome|disposition|结果|通话结果|跟进结果",
    "location": "location|venue|place|meeting location|地点|会议地点|地址",
    "related_external_id": "related to id|related id|what id|related record id|关联记录id|关联对象id",
}

# Per object type: synonyms that win over _COMMON (tried first), for words whose meaning
# depends on the object ("Name" of a company vs. of a person, "Title" of a deal …).
_SPECIFIC: Final[dict[str, dict[str, str]]] = {
    "companies": {
        "name": (
            "name|company|company name|account|account name|organization|organisation|"
            "organization name|organisation name|business name|公司名称|企业名称|客户名称|单位名称|"
            "公司|客户|名称|单位|客户全称|公司全称"
        ),
        "phone": "phone|telephone|tel|phone number|main phone|电话|联系电话|座机|公司电话|电话号码|总机",
    },
    "contacts": {},
    "leads": {
        "company_name": (
            "company|company name|account|account name|organization|organisation|organization name|"
            "公司|公司名称|单位|单位名称|工作单位|企业名称|所属公司|客户名称|客户|企业"
        ),
        "full_name": (
            "name|full name|lead name|contact name|person name|姓名|名字|联系人|联系人姓名|全名|客户姓名"
        ),
    },
    "deals": {
        "name": (
            "name|deal name|opportunity name|deal title|title|subject|商机名称|名称|机会名称|项目名称|"
            "商机|标题|商机标题"
        ),
    },
    "activities": {
        "company": (
            "company|company name|account|account name|organization|公司|公司名称|客户|客户名称|关联客户"
        ),
        "contact": "contact|contact name|person|who|联系人|联系人姓名|关联联系人",
        "deal": "deal|opportunity|deal name|opportunity name|商机|商机名称|关联商机",
        "lead": "lead|lead name|线索|关联线索",
    },
}

# Words by which a header may name its own object ("Contact Email", "Deal Stage", "客户电话").
_OWN_PREFIXES: Final[dict[str, tuple[str, ...]]] = {
    "companies": ("company", "account", "organization", "organisation", "org", "客户", "公司", "企业"),
    "contacts": ("contact", "person", "联系人"),
    "leads": ("lead", "线索"),
    "deals": ("deal", "opportunity", "商机"),
    "activities": ("activity", "task", "event", "call", "meeting", "note", "活动", "任务", "跟进"),
}


@cache
def _synonym_index(obj: str) -> dict[str, str]:
    """normalised synonym → target for one object type (specific ones first)."""
    index: dict[str, str] = {}
    fields = FIELDS[obj]
    for target, alts in _SPECIFIC[obj].items():
        for alt in alts.split("|"):
            index.setdefault(normalize_header(alt), target)
    for target in fields:
        if target in _COMMON:
            for alt in _COMMON[target].split("|"):
                index.setdefault(normalize_header(alt), target)
    for target in fields:  # the field's own name always works: "family_name", "due_at"
        index.setdefault(normalize_header(target), target)
    return {k: v for k, v in index.items() if k and v in fields}


def _header_variants(header: str, obj: str) -> list[str]:
    keys = [normalize_header(header)]
    stripped = _TRAILING_PAREN.sub("", header)
    if stripped != header and stripped.strip():
        keys.append(normalize_header(stripped))
    for key in list(keys):
        for prefix in _OWN_PREFIXES[obj]:
            if key.startswith(prefix) and len(key) > len(prefix):
                keys.append(key[len(prefix) :])
    return keys


# ---------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------


def validate_target(target: str, obj: str, *, column: str | None = None) -> str:
    """Return ``target`` if it is a field of ``obj`` or a valid ``custom:<slug>``, else raise."""
    where = f" (column {column!r})" if column is not None else ""
    if not isinstance(target, str):
        raise MappingError(f"the target of a column must be a field name or null, not {target!r}{where}")
    if target.startswith(CUSTOM_PREFIX):
        slug = target[len(CUSTOM_PREFIX) :]
        if not _SLUG.fullmatch(slug):
            raise MappingError(
                f"invalid custom field name {slug!r}{where}: use lower-case letters, digits and "
                "underscores, starting with a letter (e.g. custom:customer_level)"
            )
        return target
    if target not in FIELDS[obj]:
        close = difflib.get_close_matches(target, FIELDS[obj], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; one of: {', '.join(FIELDS[obj])}"
        raise MappingError(f"unknown target {target!r} for {obj}{where}{hint}")
    return target


def validate_mapping(mapping: Mapping[str, str | None], obj: str) -> None:
    """Raise MappingError for an unknown target or a target used by two columns."""
    obj = object_type(obj)
    used: dict[str, str] = {}
    for column, target in mapping.items():
        if target is None:
            continue
        validate_target(target, obj, column=column)
        if target in used:
            raise MappingError(f"duplicate target {target!r}: columns {used[target]!r} and {column!r}")
        used[target] = column


def missing_required(mapping: Mapping[str, str | None], obj: str) -> list[tuple[str, ...]]:
    """The groups of REQUIRED[obj] of which the mapping has no field (empty when complete)."""
    obj = object_type(obj)
    targets = {t for t in mapping.values() if t}
    return [group for group in REQUIRED[obj] if not targets.intersection(group)]


# ---------------------------------------------------------------------------------------
# Presets
# ---------------------------------------------------------------------------------------

PRESETS_DIR: Final = Path(__file__).with_name("presets")


def list_presets() -> list[str]:
    """Names of the bundled vendor presets, sorted (``["fxiaoke", "hubspot", …]``)."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


@cache
def _load_preset_cached(name: str) -> dict[str, Any]:
    path = PRESETS_DIR / f"{name}.yaml"
    if not re.fullmatch(r"[a-z0-9_]+", name) or not path.is_file():
        raise MappingError(f"unknown preset {name!r} (one of: {', '.join(list_presets())})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"preset {name!r} is not valid YAML: {_yaml_reason(exc)}") from None
    return _validate_preset(name, data)


def load_preset(name: str) -> dict[str, Any]:
    """The validated preset ``name`` as a dict.

    Shape: ``{"vendor", "label", "objects": {object_type: {"columns": {header: target|None},
    "values": {target: {vendor value: our value}}, "defaults": {target: value},
    "infer": {target: {column: value}}}}}`` (see ``presets/README.md``).
    A copy is returned, so callers may change it.
    """
    data = _load_preset_cached(name.strip().lower())
    return {
        **data,
        "objects": {
            obj: {k: dict(v) if isinstance(v, dict) else v for k, v in sec.items()}
            for obj, sec in data["objects"].items()
        },
    }


def _validate_preset(name: str, data: object) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("objects"), dict):
        raise MappingError(f"preset {name!r} must be a mapping with an 'objects' section")
    objects: dict[str, Any] = {}
    for raw_obj, section in data["objects"].items():
        obj = object_type(str(raw_obj))
        if not isinstance(section, dict) or not isinstance(section.get("columns"), dict):
            raise MappingError(f"preset {name!r}: section {raw_obj!r} needs a 'columns' mapping")
        columns: dict[str, str | None] = {}
        for col, target in section["columns"].items():
            if target is not None:
                validate_target(target, obj, column=str(col))
            columns[str(col)] = target
        extras: dict[str, dict[str, Any]] = {}
        for key in ("values", "defaults", "infer"):
            part = section.get(key) or {}
            if not isinstance(part, dict):
                raise MappingError(f"preset {name!r}: {key!r} of {raw_obj!r} must be a mapping")
            for target, sub in part.items():
                validate_target(str(target), obj)
                if key != "defaults" and not isinstance(sub, dict):
                    raise MappingError(f"preset {name!r}: {key}.{target} of {raw_obj!r} must be a mapping")
            extras[key] = part
        unknown = set(section) - {"columns", "values", "defaults", "infer"}
        if unknown:
            raise MappingError(
                f"preset {name!r}: unknown key(s) {', '.join(sorted(map(str, unknown)))} in {raw_obj!r}"
            )
        objects[obj] = {
            "columns": columns,
            "values": {str(t): {str(k): str(v) for k, v in m.items()} for t, m in extras["values"].items()},
            "defaults": {str(t): str(v) for t, v in extras["defaults"].items()},
            "infer": {str(t): {str(k): str(v) for k, v in m.items()} for t, m in extras["infer"].items()},
        }
    return {
        "vendor": str(data.get("vendor", name)),
        "label": str(data.get("label", name)),
        "objects": objects,
    }


def preset_defaults(
    preset: str | Mapping[str, Any], object_type_: str, mapping: Mapping[str, str | None]
) -> dict[str, str]:
    """Constant values for targets that no column of ``mapping`` fills.

    From the preset section's ``defaults`` and ``infer`` (a target's value chosen by which
    vendor column the file has: a HubSpot file with "Call Title" holds calls). ``mapping`` is
    the final header → target mapping of the file.
    """
    obj = object_type(object_type_)
    data = load_preset(preset) if isinstance(preset, str) else preset
    section = data.get("objects", {}).get(obj)
    if not section:
        return {}
    mapped = {t for t in mapping.values() if t}
    out: dict[str, str] = {}
    for target, by_column in section.get("infer", {}).items():
        if target in mapped:
            continue
        for column, value in by_column.items():
            if column in mapping:
                out[target] = value
                break
    for target, value in section.get("defaults", {}).items():
        if target not in mapped and target not in out:
            out[target] = value
    return out


@cache
def _preset_weights() -> dict[str, dict[str, dict[str, float]]]:
    """preset → object → exact column name → weight for detection.

    A column counts 1 divided by the number of presets that have it, and only a quarter of
    that when it is a generic synonym ("Email", "姓名"), which any spreadsheet may have.
    """
    presets = {name: _load_preset_cached(name) for name in list_presets()}
    holders: dict[str, int] = {}
    for data in presets.values():
        for col in {c for sec in data["objects"].values() for c in sec["columns"]}:
            holders[col] = holders.get(col, 0) + 1
    generic = {key for obj in OBJECT_TYPES for key in _synonym_index(obj)}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, data in presets.items():
        out[name] = {}
        for obj, sec in data["objects"].items():
            out[name][obj] = {
                col: (0.25 if normalize_header(col) in generic else 1.0) / holders[col]
                for col in sec["columns"]
            }
    return out


@cache
def _sections_holding() -> dict[str, dict[str, int]]:
    """preset → column → in how many of the preset's object sections it appears."""
    out: dict[str, dict[str, int]] = {}
    for name in list_presets():
        counts: dict[str, int] = {}
        for sec in _load_preset_cached(name)["objects"].values():
            for col in sec["columns"]:
                counts[col] = counts.get(col, 0) + 1
        out[name] = counts
    return out


def _detect_scores(headers: Iterable[str]) -> dict[tuple[str, str], float]:
    """Score of each (preset, object) for a header row (see detect_preset)."""
    heads = [" ".join(h.replace("\ufeff", "").split()) for h in headers]
    scores: dict[tuple[str, str], float] = {}
    for name, objects in _preset_weights().items():
        for obj, weights in objects.items():
            score = sum(weights.get(h, 0.0) for h in heads)
            if score:
                scores[(name, obj)] = score
    return scores


def detect_preset(headers: Iterable[str]) -> str | None:
    """The vendor whose export this header row looks like, or None.

    Column names are compared exactly (after whitespace clean-up), each weighted by how few
    presets contain it and down-weighted when it is a generic synonym, so "Record Id" (Zoho)
    and "Record ID" (HubSpot) tell vendors apart while "Email" or "姓名" count little. The
    best vendor needs a score of at least 2 and must be clearly ahead (1.5×) of the next.
    """
    per_vendor: dict[str, float] = {}
    for (name, _obj), score in _detect_scores(headers).items():
        per_vendor[name] = max(per_vendor.get(name, 0.0), score)
    if not per_vendor:
        return None
    ranked = sorted(per_vendor.items(), key=lambda kv: kv[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < 2.0 or score < 1.5 * runner_up:
        return None
    return best


def detect_preset_object(headers: Iterable[str], preset: str | None = None) -> str | None:
    """The object type (contacts, deals …) that this header row exports, or None."""
    heads = list(headers)
    name = preset or detect_preset(heads)
    if name is None:
        return None
    weights = _preset_weights().get(name)
    if weights is None:
        raise MappingError(f"unknown preset {name!r} (one of: {', '.join(list_presets())})")
    shared = _sections_holding()[name]
    clean = [" ".join(h.replace("\ufeff", "").split()) for h in heads]
    scores = {obj: sum(w[h] / shared[h] for h in clean if h in w) for obj, w in weights.items()}
    scores = {obj: sc for obj, sc in scores.items() if sc > 0}
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


# ---------------------------------------------------------------------------------------
# Proposals, mapping files and overrides
# ---------------------------------------------------------------------------------------


def propose_mapping(
    headers: Iterable[str], object_type_: str, preset: str | Mapping[str, Any] | None = None
) -> dict[str, str | None]:
    """Propose ``{header: target or None}`` for importing ``headers`` as ``object_type_``.

    With a preset (a name or a dict from :func:`load_preset`), its exact column names are
    applied first (including columns it deliberately leaves unmapped); then synonyms. A
    target is used once: the first header that claims it wins and later ones get None.
    """
    obj = object_type(object_type_)
    heads = list(headers)
    result: dict[str, str | None] = dict.fromkeys(heads)
    used: set[str] = set()
    decided: set[str] = set()
    if preset is not None:
        data = load_preset(preset) if isinstance(preset, str) else preset
        section = data.get("objects", {}).get(obj)
        if section:
            columns: Mapping[str, str | None] = section["columns"]
            by_norm: dict[str, str | None] = {}
            for col, target in columns.items():
                by_norm.setdefault(normalize_header(col), target)
            for h in heads:
                clean = " ".join(h.split())
                if clean in columns:
                    target = columns[clean]
                elif normalize_header(h) in by_norm:
                    target = by_norm[normalize_header(h)]
                else:
                    continue
                decided.add(h)
                if target is not None and target not in used:
                    result[h] = target
                    used.add(target)
    index = _synonym_index(obj)
    for h in heads:
        if h in decided:
            continue
        for key in _header_variants(h, obj):
            target = index.get(key)
            if target is not None:
                if target not in used:
                    result[h] = target
                    used.add(target)
                break
    return result


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}: {problem}"
    return " ".join(str(problem).split())


def load_mapping_file(
    path_or_text: str | os.PathLike[str], object_type_: str | None = None
) -> dict[str, Any]:
    """Read and validate a YAML mapping file.

    The file is ``{object: contacts, preset: salesforce, columns: {"Header": target}}``
    where ``object`` and ``preset`` are optional and a target is a field name, ``null``
    (do not import) or ``custom:<slug>``. Two optional sections: ``users`` (an owner value of
    the file → a username or e-mail) and ``values`` (a target → {value in the file: value to
    import}); they appear in the result only when the file has them. ``path_or_text`` is a path
    or the YAML text itself.
    ``object_type_`` (or the file's ``object``) selects the fields to validate against.
    Returns ``{"object": str | None, "preset": str | None, "columns": {header: target}}``.
    """
    text: str
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str)
        and "\n" not in path_or_text
        and path_or_text.endswith((".yaml", ".yml"))
    ):
        path = Path(path_or_text)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MappingError(f"mapping file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"cannot read mapping file {path}: {exc}") from None
    else:
        text = str(path_or_text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"invalid YAML: {_yaml_reason(exc)}") from None
    if not isinstance(data, dict) or "columns" not in data:
        raise MappingError("a mapping file needs a 'columns:' section mapping headers to fields")
    columns_raw = data["columns"]
    if not isinstance(columns_raw, dict):
        raise MappingError("'columns' must map each header to a field name or null")
    unknown_keys = set(data) - {"object", "preset", "columns", "users", "values"}
    if unknown_keys:
        raise MappingError(f"unknown key(s) in the mapping file: {', '.join(sorted(map(str, unknown_keys)))}")
    declared = data.get("object")
    obj: str | None = None
    if object_type_ is not None:
        obj = object_type(object_type_)
        if declared is not None and object_type(str(declared)) != obj:
            raise MappingError(f"the mapping file is for {declared}, not {obj}")
    elif declared is not None:
        obj = object_type(str(declared))
    preset = data.get("preset")
    if preset is not None:
        preset = str(preset)
        if preset not in list_presets():
            raise MappingError(f"unknown preset {preset!r} (one of: {', '.join(list_presets())})")
    columns: dict[str, str | None] = {}
    for header, target in columns_raw.items():
        if target is not None and not isinstance(target, str):
            raise MappingError(
                f"the target of column {header!r} must be a field name or null, not {target!r}"
            )
        if isinstance(target, str) and not target.strip():
            target = None
        columns[str(header)] = target.strip() if isinstance(target, str) else None
    if obj is not None:
        validate_mapping(columns, obj)
    else:
        seen: dict[str, str] = {}
        for header, target in columns.items():
            if target is None:
                continue
            if target.startswith(CUSTOM_PREFIX):
                validate_target(target, "contacts", column=header)
            elif not any(target in fields for fields in FIELDS.values()):
                raise MappingError(f"unknown target {target!r} (column {header!r})")
            if target in seen:
                raise MappingError(f"duplicate target {target!r}: columns {seen[target]!r} and {header!r}")
            seen[target] = header
    result: dict[str, Any] = {"object": obj, "preset": preset, "columns": columns}
    if "users" in data:
        users = data["users"] or {}
        valid = isinstance(users, dict) and all(isinstance(v, (str, int, type(None))) for v in users.values())
        if not valid:
            raise MappingError("'users' must map each owner value of the file to a username or e-mail")
        result["users"] = {str(k): v for k, v in users.items()}
    if "values" in data:
        values = data["values"] or {}
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            raise MappingError("'values' must map a target to {value in the file: value to import}")
        for target in values:
            if obj is not None:
                validate_target(str(target), obj)
        result["values"] = {str(t): {str(k): str(v) for k, v in m.items()} for t, m in values.items()}
    return result


def apply_overrides(
    proposed: Mapping[str, str | None],
    overrides: Mapping[str, str | None],
    object_type_: str | None = None,
) -> dict[str, str | None]:
    """Lay ``overrides`` (header → target or None) over a proposal.

    Overrides for headers that the file does not have are ignored. An override wins over a
    proposed column that had the same target (that column becomes None). With
    ``object_type_`` the result is validated.
    """
    result = dict(proposed)
    claimed = {t for h, t in overrides.items() if h in result and t}
    for header, target in result.items():
        if header not in overrides and target in claimed:
            result[header] = None
    for header, target in overrides.items():
        if header in result:
            result[header] = target
    if object_type_ is not None:
        validate_mapping(result, object_type_)
    else:
        seen: dict[str, str] = {}
        for header, target in result.items():
            if target is None:
                continue
            if target in seen:
                raise MappingError(f"duplicate target {target!r}: columns {seen[target]!r} and {header!r}")
            seen[target] = header
    return result
