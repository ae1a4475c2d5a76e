from django.db import migrations

from guanxi.core.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [CreateSearchIndex("lead"), CreateSearchIndex("deal"), CreateSearchIndex("product")]
