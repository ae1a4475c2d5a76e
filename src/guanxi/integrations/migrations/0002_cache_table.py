"""The database cache table the API rate limits count in (CACHES["ratelimit"]), created with the schema so
that `guanxi setup` (migrate) is all an installation needs. Does nothing when no database cache is set."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True)]
