"""Give every training record its natural key, then make it unique among live ones.

Existing records get their key from their fields and credit lines. Where live
records already repeat one another (two confirms of one file before this
migration), the oldest keeps the key and the others are left without one, so
that nothing is changed or lost; `audit verify` lists them for a person to void.
"""

from decimal import Decimal

from django.db import migrations, models

from muster.agencies.models import natural_key


def fill_natural_keys(apps, schema_editor):
    TrainingRecord = apps.get_model("agencies", "TrainingRecord")
    taken: set[str] = set()
    records = TrainingRecord.objects.order_by("pk").prefetch_related("credit_lines")
    changed = []
    for record in records.iterator(chunk_size=2000):
        key = natural_key(
            record.person_id,
            record.completed_on,
            record.course_number,
            record.title,
            sum((line.hours for line in record.credit_lines.all()), Decimal(0)),
            record.source,
        )
        live = not record.is_void and record.approval != "rejected"
        if live and key in taken:
            continue
        if live:
            taken.add(key)
        record.natural_key = key
        changed.append(record)
        if len(changed) >= 2000:
            TrainingRecord.objects.bulk_update(changed, ["natural_key"])
            changed = []
    TrainingRecord.objects.bulk_update(changed, ["natural_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_exemption_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingrecord",
            name="natural_key",
            field=models.CharField(
                editable=False,
                help_text=(
                    "Hash of person, date, course, hours and source (see natural_key)."
                ),
                max_length=64,
                null=True,
            ),
        ),
        migrations.RunPython(fill_natural_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="trainingrecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_void", False))
                & ~models.Q(("approval", "rejected")),
                fields=("natural_key",),
                name="one_live_record_per_natural_key",
            ),
        ),
    ]
