from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from techmarket.search import segment
from techmarket.search.backends import index_operations, rebuild

TABLE = "demands_demand"


def fill_search_fields(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """The segmented text of existing demands (services.search_fields keeps it from now on)."""
    Demand = apps.get_model("demands", "Demand")
    for demand in Demand.objects.all().iterator():
        Demand.objects.filter(pk=demand.pk).update(
            search_title=segment.joined(f"{demand.title} {demand.keywords}"),
            search_body=segment.joined(" ".join([demand.problem, demand.targets, demand.background])),
        )


def index_existing(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rebuild(TABLE)


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="demand", name="search_body", field=models.TextField(default="", editable=False)
        ),
        migrations.AddField(
            model_name="demand", name="search_title", field=models.TextField(default="", editable=False)
        ),
        migrations.RunPython(fill_search_fields, migrations.RunPython.noop),
        # The demand hall searches open demands only (selectors.open_demands).
        *index_operations(TABLE, catalogue="state IN ('published', 'docking')"),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
