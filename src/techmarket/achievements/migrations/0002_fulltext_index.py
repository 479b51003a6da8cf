from django.db import migrations

from techmarket.search.backends import index_operations


class Migration(migrations.Migration):
    dependencies = [("achievements", "0001_initial")]

    # The catalogue searches published records only (selectors.achievement_catalogue).
    operations = index_operations("achievements_achievement", catalogue="state = 'published'")
