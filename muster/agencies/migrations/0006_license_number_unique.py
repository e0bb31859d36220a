"""One holder per (state, license number), compared without case (see 0005)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration, so that PostgreSQL adds the index in a transaction
    # that changed no rows (0005 rewrote the numbers).
    dependencies = [
        ("agencies", "0005_normalise_license_numbers"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="license",
            constraint=models.UniqueConstraint(
                models.F("jurisdiction"),
                django.db.models.functions.text.Upper("number"),
                condition=models.Q(("number", ""), _negated=True),
                name="one_holder_per_license_number",
                violation_error_message=(
                    "Another person already holds this license number in this state."
                ),
            ),
        ),
    ]
