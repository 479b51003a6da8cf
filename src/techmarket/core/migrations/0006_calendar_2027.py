import datetime

from django.db import migrations

# The statutory holidays of 2027 (全国年节及纪念日放假办法, as amended in 2024: 元旦 1 day, 春节 4 days from
# 除夕, 清明节 1, 劳动节 2, 端午节 1, 中秋节 1, 国庆节 3), on their 2027 dates. The State Council's yearly
# notice, which moves days around them (调休) and adds the make-up working days, was not published when
# this was written: administrators enter it on the trading settings page (工作日历) or a later migration
# ships it. Rows an administrator already entered for these dates are left as they are.
BASIS_2027 = "全国年节及纪念日放假办法（法定节假日；2027年调休安排以国务院办公厅通知为准）"
STATUTORY_2027 = [
    ("元旦", ["2027-01-01"]),
    ("春节", ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]),
    ("清明节", ["2027-04-05"]),
    ("劳动节", ["2027-05-01", "2027-05-02"]),
    ("端午节", ["2027-06-09"]),
    ("中秋节", ["2027-09-15"]),
    ("国庆节", ["2027-10-01", "2027-10-02", "2027-10-03"]),
]


def rows() -> list[tuple[datetime.date, str]]:
    return [(datetime.date.fromisoformat(day), name) for name, days in STATUTORY_2027 for day in days]


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, name in rows():
        CalendarDay.objects.get_or_create(
            date=day, region=None, defaults={"kind": "holiday", "name": name, "note": BASIS_2027}
        )


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(region=None, note=BASIS_2027).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_calendar")]

    operations = [migrations.RunPython(load, unload)]
