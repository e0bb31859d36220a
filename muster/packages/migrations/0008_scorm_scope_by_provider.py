"""Global objectives and shared data kept per provider (the course's), not
across every provider's courses: another provider's package naming the same
target ID neither reads nor changes them."""

import django.db.models.deletion
from django.db import migrations, models


def provider_of_each_row(apps, schema_editor):
    for name in ("GlobalObjective", "SharedData"):
        model = apps.get_model("packages", name)
        for row in model.objects.filter(provider__isnull=True).select_related(
            "package__course", "written_by__item__package__course"
        ):
            package = row.package or (
                row.written_by.item.package if row.written_by else None
            )
            if package is None:
                # No package wrote it that could be named: no provider to keep it to.
                row.delete()
                continue
            row.provider_id = package.course.provider_id
            row.save(update_fields=["provider"])


def field(help_text: str, *, null: bool):
    return models.ForeignKey(
        help_text=help_text,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="agencies.agency",
    )


HELP = (
    "The provider of the course whose package wrote it. Global to the system is "
    "global to this provider's courses: another provider's package naming the "
    "same target ID neither reads nor changes it."
)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0013_license_earlier_breaks"),
        ("packages", "0007_scorm_shared_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="globalobjective",
            name="provider",
            field=field(HELP, null=True),
        ),
        migrations.AddField(
            model_name="shareddata",
            name="provider",
            field=field(HELP, null=True),
        ),
        migrations.RunPython(provider_of_each_row, migrations.RunPython.noop),
    ]
