"""Indexes for the board and the dashboard: the newest cards of a column for one owner or one closing month
(`deal_board` serves the rest) and the figures over deals closed in a period, answered from the index
alone. `deal_stage_totals` (stage, currency, amount) goes: the totals of open deals now come from
`DealTotal` (0004)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_search_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="deal", name="deal_stage_totals"),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["owner", "pipeline", "stage", "id"], name="deal_owner_board"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["pipeline", "stage", "expected_close_date", "owner", "team", "id"],
                name="deal_board_month",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["stage", "closed_at", "currency", "amount", "owner", "team", "created_at"],
                name="deal_closed_totals",
            ),
        ),
    ]
