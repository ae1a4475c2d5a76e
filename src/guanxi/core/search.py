"""Full-text search behind one module: SQLite FTS5 or a PostgreSQL GIN index over a `search_text` column.

Python builds `search_text` as space-separated tokens, so both databases see the same tokens:
Latin words and digit runs, every suffix of each CJK run (a prefix query on a suffix is a substring
match: 字节 finds 北京字节跳动), pinyin spellings and initials of CJK names (zs, zhangsan find 张三),
e-mail parts and phone digits in E.164 and national form. Queries are split the same way and every
term must match as a prefix.

A search is a capped candidate set: `search_text__matches` keeps at most GUANXI_SEARCH_CANDIDATES
matching records (in index order), and the list, the API and the header search sort and page within
them. Ranking every match of a common term ("wang", "王") would mean reading and sorting tens of
thousands of rows for every keystroke; the capped set is read lazily from the index instead. As in
other CRMs ("search crowding"), the cap applies before visibility and filters, so a user who sees only
their own records may find fewer of them for a very common term than they own; a longer term finds
them all. On SQLite, FTS5 keeps prefix indexes for prefixes of 1–6 characters so a short prefix is one
index lookup rather than a merge of every term that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connections, models
from django.db.migrations.operations.base import Operation
from django.db.models import QuerySet

from .normalize import fold_width, pinyin_keys

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
_PHONE_QUERY = re.compile(r"^\+?[\d\s().\-]{5,}$")
_EMAIL_QUERY = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SUFFIXES = 24
# Labels of public mail services: a third of all addresses are at qq.com, so "qq" narrows nothing.
_PUBLIC_MAIL = frozenset(
    {"qq", "163", "126", "139", "189", "sina", "sohu", "yeah", "foxmail", "aliyun", "gmail", "googlemail"}
    | {"outlook", "hotmail", "live", "msn", "yahoo", "icloud", "me"}
)
# FTS5 prefix indexes (in characters): a query term of up to this many characters is answered from one
# doclist; longer terms are rare enough that merging the terms they start is cheap.
FTS_PREFIXES = "1 2 3 4 5 6"


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold_width(text).lower())


def build_search_text(
    *,
    names: Iterable[str] = (),
    words: Iterable[str] = (),
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> str:
    """Tokens for a record. `names` get pinyin keys; `words` are indexed as they are."""
    out: dict[str, None] = {}
    for text in names:
        if not text:
            continue
        full, initials = pinyin_keys(text)
        for token in _tokens(text):
            _add_token(out, token)
        if full:
            out.setdefault(full, None)
            for char in text:  # each syllable too, so "zhang san" typed with a space finds 张三
                if "\u3400" <= char <= "\u9fff" and (syllable := pinyin_keys(char)[0]):
                    out.setdefault(syllable, None)
        if initials and len(initials) > 1:
            out.setdefault(initials, None)
    for text in words:
        for token in _tokens(text or ""):
            _add_token(out, token)
    for email in emails:
        if not email:
            continue
        local, _, domain = email.lower().partition("@")
        for token in _tokens(local) + _tokens(domain):
            out.setdefault(token, None)
        joined = "".join(_tokens(local))
        if joined:
            out.setdefault(joined, None)
    for phone in phones:
        digits = "".join(ch for ch in fold_width(phone or "") if ch.isdigit())
        if digits:
            out.setdefault(digits, None)
            if phone.startswith("+86") and len(digits) > 2:
                out.setdefault(digits[2:], None)
            elif digits.startswith("0") and len(digits) > 1:
                out.setdefault(digits.lstrip("0"), None)
    return " ".join(out)


def _add_token(out: dict[str, None], token: str) -> None:
    out.setdefault(token, None)
    if _CJK_RUN.match(token):
        for start in range(1, min(len(token), MAX_SUFFIXES)):
            out.setdefault(token[start:], None)


def query_terms(query: str) -> list[str]:
    """The prefix terms of a search query, in the token alphabet ([a-z0-9] and CJK only)."""
    query = fold_width(query or "").strip()
    if _PHONE_QUERY.match(query) and sum(ch.isdigit() for ch in query) >= 5:
        digits = "".join(ch for ch in query if ch.isdigit())
        return [digits]
    if _EMAIL_QUERY.match(query):
        # A whole address: its local part as indexed (joined) and the domain without its last label or a
        # public mail service's name, so "zhang.san@example.com" asks for zhangsan + example rather than
        # zhang, san, example, com, and "12345@qq.com" for 12345 alone.
        local, _, domain = query.lower().rpartition("@")
        joined = "".join(_tokens(local))
        labels = [label for label in _tokens(domain)[:-1] if label not in _PUBLIC_MAIL]
        terms = ([joined] if joined else []) + labels
        if terms:
            return list(dict.fromkeys(terms))[:8]
    return list(dict.fromkeys(_tokens(query)))[:8]


def candidate_limit() -> int:
    """How many matching records a search keeps (GUANXI_SEARCH_CANDIDATES)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "GUANXI_SEARCH_CANDIDATES", 2000)))


def visible_matches(searched: QuerySet[Any], unsearched: QuerySet[Any]) -> tuple[QuerySet[Any], int, bool]:
    """For a list page: (the rows to page through, how many, whether the candidate cap was reached) of a
    searched queryset. PostgreSQL's GIN index must collect every match of a prefix before it can stop,
    so its answer is read once and kept as ids; SQLite's FTS5 index is read lazily and cheaply, so the
    search stays a subquery there."""
    limit = candidate_limit()
    if connections[searched.db].vendor == "postgresql":
        ids = list(searched.order_by().values_list("pk", flat=True).distinct())
        return unsearched.filter(pk__in=ids), len(ids), len(ids) >= limit
    count = searched.order_by().values("pk").distinct().count()
    return searched, count, count >= limit


class SearchTextField(models.TextField):
    """The column that search indexes; filter with `search_text__matches="zs"`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


@SearchTextField.register_lookup
class Matches(models.Lookup):
    lookup_name = "matches"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # Django 6 expects SQL parameters as tuples.
        terms = query_terms(str(self.rhs))
        if not terms:
            return "1 = 0", ()
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        meta = self.lhs.target.model._meta
        table = meta.db_table
        alias = self.lhs.alias
        pk = f'"{alias}"."{meta.pk.column}"'
        limit = candidate_limit()
        if connection.vendor == "sqlite":
            match = " AND ".join(f'"{term}"*' for term in terms)
            sql = f'{pk} IN (SELECT rowid FROM "{table}_fts" WHERE "{table}_fts" MATCH %s LIMIT {limit})'
            return sql, (match,)
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{term}:*" for term in terms)
            column = self.lhs.target.column
            # OFFSET 0 keeps the LIMIT out of the inner query's plan: planned for all its rows it reads the
            # GIN index; planned for "the first 2,000" PostgreSQL may instead scan the table computing
            # to_tsvector row by row, which for a rare or mis-estimated term reads most of the table.
            sql = (
                f'{pk} IN (SELECT gx_s."{meta.pk.column}" FROM (SELECT "{meta.pk.column}" FROM "{table}" '
                f"WHERE to_tsvector('simple', \"{column}\") @@ to_tsquery('simple', %s) OFFSET 0) gx_s "
                f"LIMIT {limit})"
            )
            return sql, (tsquery,)
        like = [f"%{term}%" for term in terms]
        params = tuple(p for t in like for p in (*lhs_params, t))
        return " AND ".join(f"{lhs_sql} LIKE %s" for _ in terms), params


def _sqlite_statements(table: str, prefix: str = FTS_PREFIXES) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE \"{fts}\" USING fts5(search_text, content='{table}', content_rowid='id', "
        f"tokenize='unicode61 remove_diacritics 0', prefix='{prefix}')",
        f'CREATE TRIGGER "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END',
        f'CREATE TRIGGER "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, search_text) VALUES (\'delete\', old.id, old.search_text); END',
        f'CREATE TRIGGER "{fts}_au" AFTER UPDATE OF search_text ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, search_text) VALUES (\'delete\', old.id, old.search_text); '
        f'INSERT INTO "{fts}"(rowid, search_text) VALUES (new.id, new.search_text); END',
        f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',
    ]


def _sqlite_drop(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [f'DROP TRIGGER IF EXISTS "{fts}_{s}"' for s in ("ai", "ad", "au")] + [
        f'DROP TABLE IF EXISTS "{fts}"'
    ]


def _postgres_statements(table: str) -> list[str]:
    return [
        f'CREATE INDEX IF NOT EXISTS "{table}_search_gin" ON "{table}" '
        "USING gin (to_tsvector('simple', search_text))"
    ]


def _postgres_drop(table: str) -> list[str]:
    return [f'DROP INDEX IF EXISTS "{table}_search_gin"']


def rebuild(model: type[models.Model], using: str = "default") -> None:
    """Re-read the whole table into the index (after a bulk load that bypassed the triggers)."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        fts = f"{model._meta.db_table}_fts"
        with connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')


class CreateSearchIndex(Operation):
    """Migration operation creating the search index of a model's `search_text` on either database."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def _run(self, app_label: str, schema_editor: Any, state: Any, drop: bool) -> None:
        model = state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = _sqlite_drop(table) if drop else _sqlite_statements(table)
        elif vendor == "postgresql":
            statements = _postgres_drop(table) if drop else _postgres_statements(table)
        else:
            statements = []
        for sql in statements:
            schema_editor.execute(sql)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(app_label, schema_editor, to_state, drop=False)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(app_label, schema_editor, from_state, drop=True)

    def describe(self) -> str:
        return f"Create the search index of {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {})


class RebuildSearchIndex(Operation):
    """Migration operation re-creating a model's SQLite FTS5 index with other prefix lengths and reading
    the table into it again. PostgreSQL's GIN index does not depend on them and is left alone."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, prefix: str, previous_prefix: str) -> None:
        self.model_name = model_name
        self.prefix = prefix
        self.previous_prefix = previous_prefix

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def _run(self, app_label: str, schema_editor: Any, state: Any, prefix: str) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        table = state.apps.get_model(app_label, self.model_name)._meta.db_table
        for sql in [*_sqlite_drop(table), *_sqlite_statements(table, prefix)]:
            schema_editor.execute(sql)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(app_label, schema_editor, to_state, self.prefix)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._run(app_label, schema_editor, from_state, self.previous_prefix)

    def describe(self) -> str:
        return f"Rebuild the search index of {self.model_name} with prefixes {self.prefix}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name, self.prefix, self.previous_prefix], {})
