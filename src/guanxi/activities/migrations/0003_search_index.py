from django.db import migrations

from guanxi.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]

    operations = [CreateSearchIndex("activity")]
