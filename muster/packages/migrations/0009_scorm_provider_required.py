"""The provider of each global objective and shared data store required, and
one row per learner, provider and target when global to the system (the rows
were given their provider in 0008, a transaction of its own: PostgreSQL does
not alter a table with the updates' deferred checks pending)."""

import django.db.models.deletion
from django.db import migrations, models

HELP = (
    "The provider of the course whose package wrote it. Global to the system is "
    "global to this provider's courses: another provider's package naming the "
    "same target ID neither reads nor changes it."
)


def field(help_text: str, *, null: bool):
    return models.ForeignKey(
        help_text=help_text,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="agencies.agency",
    )


class Migration(migrations.Migration):
    dependencies = [("packages", "0008_scorm_scope_by_provider")]

    operations = [
        migrations.AlterField(
            model_name="globalobjective",
            name="provider",
            field=field(HELP, null=False),
        ),
        migrations.AlterField(
            model_name="shareddata",
            name="provider",
            field=field(HELP, null=False),
        ),
        migrations.RemoveConstraint(
            model_name="globalobjective",
            name="one_system_global_objective",
        ),
        migrations.AddConstraint(
            model_name="globalobjective",
            constraint=models.UniqueConstraint(
                condition=models.Q(("package__isnull", True)),
                fields=("person", "provider", "target_key"),
                name="one_system_global_objective",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="shareddata",
            name="one_system_shared_data",
        ),
        migrations.AddConstraint(
            model_name="shareddata",
            constraint=models.UniqueConstraint(
                condition=models.Q(("package__isnull", True)),
                fields=("person", "provider", "target_key"),
                name="one_system_shared_data",
            ),
        ),
    ]
