"""Data: the beat row that enqueues due scheduled exports every hour."""

from django.db import migrations

DUE_TASK = "accounting_app.tasks.accounting_exports_due_task"
DUE_NAME = "accounting: post due exports"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=DUE_NAME, defaults={"task": DUE_TASK, "interval": interval, "enabled": True}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=DUE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounting_app", "0001_connections_mappings_export_log"),
        ("django_celery_beat", "0018_improve_crontab_helptext"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
