from django.db import migrations

from techmarket.core.codes import upsert_classifications


def load_national_codes(apps, schema_editor):
    """GB/T 13745 disciplines and GB/T 4754 industries: every database needs them before any record."""
    upsert_classifications(apps.get_model("core", "Classification"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_cache_table")]

    operations = [migrations.RunPython(load_national_codes, migrations.RunPython.noop)]
