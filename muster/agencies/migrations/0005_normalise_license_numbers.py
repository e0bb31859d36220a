"""One holder per (state, license number), compared without case or outer spaces.

Existing numbers are first stored as the import compares them (stripped, upper
case). Two people holding one number is a data problem no migration can settle
(which of them is the real holder?), so the migration stops and names them.
"""

from django.db import migrations


def normalise_numbers(apps, schema_editor):
    License = apps.get_model("agencies", "License")
    holders: dict[tuple, list[int]] = {}
    for license in License.objects.exclude(number="").only(
        "pk", "person_id", "jurisdiction", "number"
    ):
        number = license.number.strip().upper()
        if number != license.number:
            License.objects.filter(pk=license.pk).update(number=number)
        holders.setdefault((license.jurisdiction, number), []).append(license.person_id)
    shared = {key: people for key, people in holders.items() if len(people) > 1}
    if shared:
        listed = "; ".join(
            f"{state} {number}: people {', '.join(map(str, people))}"
            for (state, number), people in sorted(shared.items())[:20]
        )
        raise RuntimeError(
            f"{len(shared)} license numbers are held by more than one person "
            f"({listed}). Correct or clear the wrong numbers in the admin, then "
            "migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_users_are_never_deleted"),
    ]

    operations = [
        migrations.RunPython(normalise_numbers, migrations.RunPython.noop),
    ]
