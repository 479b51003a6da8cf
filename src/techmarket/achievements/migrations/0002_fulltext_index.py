from django.db import migrations

from techmarket.search.backends import index_operations


class Migration(migrations.Migration):
    dependencies = [("achievements", "0001_initial")]

    operations = index_operations("achievements_achievement")
