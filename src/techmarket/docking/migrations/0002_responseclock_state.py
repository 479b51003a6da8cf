from django.db import migrations, models


def states_from_timestamps(apps, schema_editor):
    """Clocks made before the state field: their timestamps say where they stand."""
    clock = apps.get_model("docking", "ResponseClock")
    clock.objects.filter(responded_at__isnull=False).update(state="responded")
    open_clocks = clock.objects.filter(responded_at__isnull=True)
    open_clocks.filter(escalated_at__isnull=False).update(state="escalated")
    open_clocks.filter(escalated_at__isnull=True, reminded_at__isnull=False).update(state="reminded")


class Migration(migrations.Migration):
    dependencies = [("docking", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="responseclock",
            name="state",
            field=models.CharField(
                choices=[
                    ("running", "计时中"),
                    ("reminded", "已提醒"),
                    ("escalated", "已督办"),
                    ("responded", "已响应"),
                ],
                db_index=True,
                default="running",
                max_length=16,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(states_from_timestamps, migrations.RunPython.noop),
    ]
