from django.db import migrations

from guanxi.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [CreateSearchIndex("company"), CreateSearchIndex("contact")]
