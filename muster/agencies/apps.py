"""Django app configuration for agencies."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    """People, their licenses and training records, and the compliance pages."""

    name = "muster.agencies"
    label = "agencies"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        from muster.agencies.actions import record_snapshot
        from muster.agencies.models import (
            CreditLine,
            Employment,
            Evidence,
            Exemption,
            License,
            Person,
            Qualification,
            TrainingRecord,
        )
        from muster.audit.records import register, register_part

        # The legal records: each one's last audit entry holds its full state.
        register(
            TrainingRecord,
            "training",
            record_snapshot,
            change_verb="correct",
            prefetch=("credit_lines", "evidence"),
        )
        register_part(CreditLine, lambda line: line.record)
        register_part(Evidence, lambda evidence: evidence.record)
        register(Qualification, "qualification", change_verb="correct")
        register(Exemption, "exemption")
        register(License, "license")
        register(Employment, "employment")
        register(Person, "person")
