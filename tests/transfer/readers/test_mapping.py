"""Tests of guanxi.transfer.mapping: synonyms, mapping files, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.transfer.mapping import (
    FIELDS,
    MappingError,
    apply_overrides,
    load_mapping_file,
    missing_required,
    normalize_header,
    object_type,
    propose_mapping,
    validate_mapping,
    validate_target,
)


def test_object_types_and_aliases() -> None:
    assert set(FIELDS) == {"companies", "contacts", "leads", "deals", "activities"}
    assert object_type("Accounts") == "companies"
    assert object_type("opportunities") == "deals"
    assert object_type("tasks") == "activities"
    assert object_type("people") == "contacts"
    with pytest.raises(MappingError, match="unknown object type 'widgets'"):
        object_type("widgets")


def test_normalize_header() -> None:
    assert normalize_header("E-mail Address") == "emailaddress"
    assert normalize_header(" First_Name ") == "firstname"
    assert normalize_header("＊手机号码（必填）") == "手机号码必填"
    assert normalize_header("Country/Region") == "countryregion"


def test_chinese_contact_synonyms() -> None:
    headers = [
        "姓名",
        "手机号码",
        "电子邮件",
        "公司名称",
        "职位",
        "微信",
        "地址",
        "省份",
        "城市",
        "负责人",
        "备注",
        "来源",
        "办公电话",
        "标签",
        "国家",
    ]
    assert propose_mapping(headers, "contacts") == {
        "姓名": "full_name",
        "手机号码": "mobile",
        "电子邮件": "email",
        "公司名称": "company",
        "职位": "title",
        "微信": "wechat",
        "地址": "street",
        "省份": "province",
        "城市": "city",
        "负责人": "owner",
        "备注": "notes",
        "来源": "source",
        "办公电话": "work_phone",
        "标签": "tags",
        "国家": "country",
    }


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("名字", "full_name"),
        ("联系人", "full_name"),
        ("手机", "mobile"),
        ("移动电话", "mobile"),
        ("邮箱", "email"),
        ("公司", "company"),
        ("单位", "company"),
        ("客户名称", "company"),
        ("职务", "title"),
        ("所有人", "owner"),
        ("姓", "family_name"),
        ("名", "given_name"),
        ("微信号", "wechat"),
        ("电话", "work_phone"),
        ("＊手机号码", "mobile"),
        ("邮箱（必填）", "email"),
    ],
)
def test_single_chinese_synonyms_for_contacts(header: str, target: str) -> None:
    assert propose_mapping([header], "contacts") == {header: target}


def test_english_contact_synonyms_in_any_case_and_punctuation() -> None:
    headers = [
        "First Name",
        "LAST_NAME",
        "Email Address",
        "mobile-phone",
        "Job Title",
        "Account Name",
        "Owner",
        "Lead Source",
        "E-mail 2",
        "Company Phone",
        "Contact ID",
        "Account ID",
        "State/Province",
        "Zip",
    ]
    assert propose_mapping(headers, "contacts") == {
        "First Name": "given_name",
        "LAST_NAME": "family_name",
        "Email Address": "email",
        "mobile-phone": "mobile",
        "Job Title": "title",
        "Account Name": "company",
        "Owner": "owner",
        "Lead Source": "source",
        "E-mail 2": "email2",
        "Company Phone": None,
        "Contact ID": "external_id",
        "Account ID": "company_external_id",
        "State/Province": "province",
        "Zip": None,
    }


def test_own_object_prefix_is_ignored() -> None:
    assert propose_mapping(["Contact Email", "Contact Owner", "Person - Name"], "contacts") == {
        "Contact Email": "email",
        "Contact Owner": "owner",
        "Person - Name": "full_name",
    }
    assert propose_mapping(["Deal Stage", "Deal Owner", "Opportunity Amount"], "deals") == {
        "Deal Stage": "stage",
        "Deal Owner": "owner",
        "Opportunity Amount": "amount",
    }
    assert propose_mapping(["客户电话", "客户名称"], "companies") == {"客户电话": "phone", "客户名称": "name"}


def test_trailing_parenthetical_is_ignored() -> None:
    assert propose_mapping(["金额(元)", "Amount (CNY)", "预计成交日期（预估）"], "deals") == {
        "金额(元)": "amount",
        "Amount (CNY)": None,
        "预计成交日期（预估）": "expected_close_date",
    }


def test_words_whose_meaning_depends_on_the_object() -> None:
    assert propose_mapping(["Name", "Title", "Description"], "contacts") == {
        "Name": "full_name",
        "Title": "title",
        "Description": "notes",
    }
    assert propose_mapping(["Name", "Title", "Description"], "deals") == {
        "Name": "name",
        "Title": None,
        "Description": "notes",
    }
    assert propose_mapping(["Title", "Description", "Type"], "activities") == {
        "Title": "subject",
        "Description": "body",
        "Type": "kind",
    }
    assert propose_mapping(["公司名称", "电话"], "companies") == {"公司名称": "name", "电话": "phone"}
    assert propose_mapping(["公司名称", "手机"], "leads") == {"公司名称": "company_name", "手机": "mobile"}
    assert propose_mapping(["联系人", "商机名称", "阶段", "金额", "预计成交日期"], "deals") == {
        "联系人": "contact",
        "商机名称": "name",
        "阶段": "stage",
        "金额": "amount",
        "预计成交日期": "expected_close_date",
    }


def test_a_target_is_used_once_first_wins() -> None:
    assert propose_mapping(["Email", "E-mail", "邮箱", "Mobile", "手机"], "contacts") == {
        "Email": "email",
        "E-mail": None,
        "邮箱": None,
        "Mobile": "mobile",
        "手机": None,
    }


def test_field_names_themselves_map() -> None:
    headers = list(FIELDS["activities"])
    assert propose_mapping(headers, "activities") == {h: h for h in headers}


def test_unknown_headers_are_none() -> None:
    assert propose_mapping(["Favourite colour", "column_7", ""], "contacts") == {
        "Favourite colour": None,
        "column_7": None,
        "": None,
    }


# ---------------------------------------------------------------------------------------
# Targets and validation
# ---------------------------------------------------------------------------------------


def test_validate_target() -> None:
    assert validate_target("email", "contacts") == "email"
    assert validate_target("custom:customer_level", "contacts") == "custom:customer_level"
    with pytest.raises(
        MappingError, match=r"unknown target 'emial' for contacts \(column 'E-mail'\); did you mean 'email'\?"
    ):
        validate_target("emial", "contacts", column="E-mail")
    with pytest.raises(MappingError, match="unknown target 'amount' for contacts"):
        validate_target("amount", "contacts")
    for bad in ["custom:First Name", "custom:", "custom:1abc", "custom:客户等级", "custom:a-b"]:
        with pytest.raises(MappingError, match="invalid custom field name"):
            validate_target(bad, "contacts")


def test_validate_mapping_duplicates() -> None:
    validate_mapping({"A": "email", "B": None, "C": "custom:x"}, "contacts")
    with pytest.raises(MappingError, match=r"^duplicate target 'email': columns 'A' and 'C'$"):
        validate_mapping({"A": "email", "B": None, "C": "email"}, "contacts")


def test_missing_required() -> None:
    assert missing_required({"Name": "full_name"}, "contacts") == []
    assert missing_required({"Company": "company"}, "contacts") == [
        ("full_name", "family_name", "given_name", "email", "mobile")
    ]
    assert missing_required({"Stage": "stage"}, "deals") == [("name",)]


# ---------------------------------------------------------------------------------------
# Mapping files
# ---------------------------------------------------------------------------------------


def test_load_mapping_file_from_text() -> None:
    text = """
object: contacts
preset: salesforce
columns:
  "姓名": full_name
  "手机": mobile
  "客户等级": custom:customer_level
  "内部编号": null
  "空": ""
"""
    assert load_mapping_file(text) == {
        "object": "contacts",
        "preset": "salesforce",
        "columns": {
            "姓名": "full_name",
            "手机": "mobile",
            "客户等级": "custom:customer_level",
            "内部编号": None,
            "空": None,
        },
    }


def test_load_mapping_file_from_path(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text('columns:\n  "E-mail": email\n  Phone: work_phone\n', encoding="utf-8")
    got = load_mapping_file(path, "contacts")
    assert got == {
        "object": "contacts",
        "preset": None,
        "columns": {"E-mail": "email", "Phone": "work_phone"},
    }
    assert load_mapping_file(str(path))["columns"] == {"E-mail": "email", "Phone": "work_phone"}


@pytest.mark.parametrize(
    ("text", "object_type_", "message"),
    [
        (
            "columns:\n  A: emial\n",
            "contacts",
            r"unknown target 'emial' for contacts \(column 'A'\); did you mean 'email'\?",
        ),
        ("columns:\n  A: amount\n", "contacts", r"unknown target 'amount' for contacts"),
        ("columns:\n  A: email\n  B: email\n", "contacts", r"duplicate target 'email': columns 'A' and 'B'"),
        ("columns:\n  A: email\n  B: email\n", None, r"duplicate target 'email': columns 'A' and 'B'"),
        ("columns:\n  A: nonsense\n", None, r"unknown target 'nonsense' \(column 'A'\)"),
        ("columns:\n  A: custom:Bad Name\n", None, r"invalid custom field name 'Bad Name'"),
        ("columns:\n  A: [email]\n", None, r"the target of column 'A' must be a field name or null"),
        ("columns: [a, b]\n", None, r"'columns' must map each header"),
        ("just text\n", None, r"needs a 'columns:' section"),
        ("columns:\n  A: email\n  - broken\n", None, r"invalid YAML: line 3"),
        ("object: widgets\ncolumns: {}\n", None, r"unknown object type 'widgets'"),
        ("object: deals\ncolumns: {}\n", "contacts", r"the mapping file is for deals, not contacts"),
        ("preset: oracle\ncolumns: {}\n", None, r"unknown preset 'oracle'"),
        ("colums:\n  A: email\ncolumns: {}\n", None, r"unknown key\(s\) in the mapping file: colums"),
    ],
)
def test_load_mapping_file_errors(text: str, object_type_: str | None, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        load_mapping_file(text, object_type_)


def test_load_mapping_file_missing(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="mapping file not found"):
        load_mapping_file(tmp_path / "none.yaml")


def test_apply_overrides() -> None:
    proposed = propose_mapping(["姓名", "手机", "电话", "客户等级", "Email"], "contacts")
    assert proposed == {
        "姓名": "full_name",
        "手机": "mobile",
        "电话": "work_phone",
        "客户等级": None,
        "Email": "email",
    }
    overrides = {"电话": "mobile", "手机": None, "客户等级": "custom:customer_level", "Not in file": "email2"}
    assert apply_overrides(proposed, overrides, "contacts") == {
        "姓名": "full_name",
        "手机": None,
        "电话": "mobile",
        "客户等级": "custom:customer_level",
        "Email": "email",
    }


def test_override_takes_a_target_from_a_proposed_column() -> None:
    proposed = {"Email": "email", "Work Email": None}
    assert apply_overrides(proposed, {"Work Email": "email"}) == {"Email": None, "Work Email": "email"}


def test_overrides_are_validated() -> None:
    with pytest.raises(MappingError, match="duplicate target 'email'"):
        apply_overrides({"A": None, "B": None}, {"A": "email", "B": "email"})
    with pytest.raises(MappingError, match="unknown target 'stage' for contacts"):
        apply_overrides({"A": None}, {"A": "stage"}, "contacts")


def test_mapping_file_round_trip_with_a_real_file() -> None:
    from guanxi.transfer.readers import open_table

    data = Path(__file__).resolve().parents[1] / "data" / "gbk_contacts.csv"
    with open_table(data) as table:
        proposed = propose_mapping(table.headers, "contacts")
    mapping = load_mapping_file('columns:\n  "负责人": null\n  "备注": custom:import_note\n', "contacts")
    final = apply_overrides(proposed, mapping["columns"], "contacts")
    assert final["负责人"] is None
    assert final["备注"] == "custom:import_note"
    assert final["手机号码"] == "mobile"
    assert final["电子邮件"] == "email"
    assert final["公司名称"] == "company"
