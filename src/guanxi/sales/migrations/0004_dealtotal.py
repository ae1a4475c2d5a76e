"""`DealTotal`: deals and their amount per stage, pipeline, owner, team, currency and closing month, kept by
database triggers on `sales_deal` (SQLite and PostgreSQL) and filled from the deals already there.

Each trigger adds a deal to its row, or takes it out, with an upsert (`INSERT … ON CONFLICT DO UPDATE SET
deals = deals + …`): an atomic change of one row that concurrent writers cannot lose. A change of a deal
that moves it between rows first touches the row with the smaller key, so two writers moving deals in
opposite directions lock the rows in the same order. Amounts are kept in cents (exact integers on both
databases). On PostgreSQL the deals are locked against writes (SHARE) while the rows are filled, so that
none is counted twice or missed.
"""

from typing import Any

from django.db import migrations, models

TABLE = "sales_dealtotal"
# the columns of a row's key in the order the statements below give their values (the unique index orders
# them for reading: stage, pipeline, currency, month, owner, team)
KEY = "stage_id, pipeline_id, owner_id, team_id, currency, close_month"
CHANGED = ["stage_id", "pipeline_id", "owner_id", "team_id", "currency", "amount", "expected_close_date"]

SQLITE_MONTH = "coalesce(substr({row}.expected_close_date, 1, 7), '')"
SQLITE_CENTS = "CAST(round({row}.amount * 100) AS INTEGER)"


def _sqlite_add(row: str, sign: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({KEY}, deals, amount_cents) VALUES ({row}.stage_id, {row}.pipeline_id, "
        f"coalesce({row}.owner_id, 0), coalesce({row}.team_id, 0), {row}.currency, "
        f"{SQLITE_MONTH.format(row=row)}, {sign}1, {sign}{SQLITE_CENTS.format(row=row)}) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET deals = deals + excluded.deals, "
        f"amount_cents = amount_cents + excluded.amount_cents;"
    )


SQLITE = [
    f"CREATE TRIGGER sales_deal_totals_ai AFTER INSERT ON sales_deal BEGIN {_sqlite_add('new', '')} END",
    f"CREATE TRIGGER sales_deal_totals_ad AFTER DELETE ON sales_deal BEGIN {_sqlite_add('old', '-')} END",
    # SQLite has one writer at a time: the order of the two upserts does not matter
    f"CREATE TRIGGER sales_deal_totals_au AFTER UPDATE OF {', '.join(CHANGED)} ON sales_deal "
    f"WHEN {' OR '.join(f'old.{c} IS NOT new.{c}' for c in CHANGED)} "
    f"BEGIN {_sqlite_add('old', '-')} {_sqlite_add('new', '')} END",
]
SQLITE_FILL = (
    f"INSERT INTO {TABLE} ({KEY}, deals, amount_cents) SELECT stage_id, pipeline_id, coalesce(owner_id, 0), "
    f"coalesce(team_id, 0), currency, {SQLITE_MONTH.format(row='sales_deal')}, count(*), "
    f"sum({SQLITE_CENTS.format(row='sales_deal')}) FROM sales_deal GROUP BY 1, 2, 3, 4, 5, 6"
)
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS sales_deal_totals_{s}" for s in ("ai", "ad", "au")]

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sales_deal_totals_add(
    p_stage bigint, p_pipeline bigint, p_owner bigint, p_team bigint, p_currency varchar, p_month varchar,
    p_deals bigint, p_cents bigint
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO {TABLE} ({KEY}, deals, amount_cents)
    VALUES (p_stage, p_pipeline, p_owner, p_team, p_currency, p_month, p_deals, p_cents)
    ON CONFLICT ({KEY}) DO UPDATE
    SET deals = {TABLE}.deals + EXCLUDED.deals, amount_cents = {TABLE}.amount_cents + EXCLUDED.amount_cents
$$;

CREATE OR REPLACE FUNCTION sales_deal_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key record;
    new_key record;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_key := ROW(OLD.stage_id, OLD.pipeline_id, coalesce(OLD.owner_id, 0), coalesce(OLD.team_id, 0),
                       OLD.currency::varchar, coalesce(to_char(OLD.expected_close_date, 'YYYY-MM'), '')::varchar);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_key := ROW(NEW.stage_id, NEW.pipeline_id, coalesce(NEW.owner_id, 0), coalesce(NEW.team_id, 0),
                       NEW.currency::varchar, coalesce(to_char(NEW.expected_close_date, 'YYYY-MM'), '')::varchar);
    END IF;
    IF TG_OP = 'UPDATE' AND old_key > new_key THEN
        -- touch the row with the smaller key first: writers moving deals both ways lock in one order
        PERFORM sales_deal_totals_add(new_key.f1, new_key.f2, new_key.f3, new_key.f4, new_key.f5, new_key.f6,
                                      1, (NEW.amount * 100)::bigint);
        PERFORM sales_deal_totals_add(old_key.f1, old_key.f2, old_key.f3, old_key.f4, old_key.f5, old_key.f6,
                                      -1, -(OLD.amount * 100)::bigint);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM sales_deal_totals_add(old_key.f1, old_key.f2, old_key.f3, old_key.f4, old_key.f5, old_key.f6,
                                      -1, -(OLD.amount * 100)::bigint);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM sales_deal_totals_add(new_key.f1, new_key.f2, new_key.f3, new_key.f4, new_key.f5, new_key.f6,
                                      1, (NEW.amount * 100)::bigint);
    END IF;
    RETURN NULL;
END
$$;
"""
POSTGRES = [
    POSTGRES_FUNCTION,
    "DROP TRIGGER IF EXISTS sales_deal_totals ON sales_deal",
    "DROP TRIGGER IF EXISTS sales_deal_totals_update ON sales_deal",
    "CREATE TRIGGER sales_deal_totals AFTER INSERT OR DELETE ON sales_deal "
    "FOR EACH ROW EXECUTE FUNCTION sales_deal_totals()",
    f"CREATE TRIGGER sales_deal_totals_update AFTER UPDATE OF {', '.join(CHANGED)} ON sales_deal FOR EACH ROW "
    f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in CHANGED)}) "
    "EXECUTE FUNCTION sales_deal_totals()",
]
POSTGRES_FILL = (
    f"INSERT INTO {TABLE} ({KEY}, deals, amount_cents) SELECT stage_id, pipeline_id, coalesce(owner_id, 0), "
    "coalesce(team_id, 0), currency, coalesce(to_char(expected_close_date, 'YYYY-MM'), ''), count(*), "
    "sum((amount * 100)::bigint) FROM sales_deal GROUP BY 1, 2, 3, 4, 5, 6"
)
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS sales_deal_totals ON sales_deal",
    "DROP TRIGGER IF EXISTS sales_deal_totals_update ON sales_deal",
    "DROP FUNCTION IF EXISTS sales_deal_totals()",
    "DROP FUNCTION IF EXISTS sales_deal_totals_add(bigint, bigint, bigint, bigint, varchar, varchar, bigint, bigint)",
]


# The statement that fills the rows from the deals (after a bulk load that set the triggers aside).
FILL = {"sqlite": SQLITE_FILL, "postgresql": POSTGRES_FILL}


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [*SQLITE_DROP, *SQLITE, f"DELETE FROM {TABLE}", SQLITE_FILL]
    elif vendor == "postgresql":
        statements = ["LOCK TABLE sales_deal IN SHARE MODE", *POSTGRES, f"DELETE FROM {TABLE}", POSTGRES_FILL]
    else:
        raise NotImplementedError(f"DealTotal has no triggers for {vendor}")
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_deal_report_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DealTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stage_id", models.BigIntegerField()),
                ("pipeline_id", models.BigIntegerField()),
                ("owner_id", models.BigIntegerField()),
                ("team_id", models.BigIntegerField()),
                ("currency", models.CharField(max_length=3)),
                ("close_month", models.CharField(max_length=7)),
                ("deals", models.BigIntegerField(default=0)),
                ("amount_cents", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stage_id", "pipeline_id", "currency", "close_month", "owner_id", "team_id"),
                        name="dealtotal_key",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
