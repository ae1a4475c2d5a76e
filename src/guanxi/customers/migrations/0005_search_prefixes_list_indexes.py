from django.db import migrations, models

from guanxi.core.search import RebuildSearchIndex


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_company_name_key_label")]

    operations = [
        RebuildSearchIndex("company", prefix="1 2 3 4 5 6", previous_prefix="1 2 3"),
        RebuildSearchIndex("contact", prefix="1 2 3 4 5 6", previous_prefix="1 2 3"),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "team"], name="contact_owner_team"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["team", "owner"], name="contact_team_owner"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["city", "owner", "team"], name="contact_city_scope"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["source", "owner", "team"], name="contact_source_scope"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["city", "id"], name="contact_city_sort"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["source", "id"], name="contact_source_sort"),
        ),
    ]
