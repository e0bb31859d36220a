"""`manage.py load_courses`: load Muster's own courses from their content files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from muster.catalog.loader import CONTENT_DIR, CourseContentError, load_courses
from muster.learning.assessment import drawn_question_ids


class Command(BaseCommand):
    help = (
        "Load every muster/catalog/content/*/course.yaml into the catalog: checks "
        "all files first, then creates or updates the courses in one transaction. "
        "Loading twice changes nothing. See docs/course-content.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=CONTENT_DIR,
            help="Folder holding one sub-folder per course (default: the shipped ones).",
        )

    def handle(self, *args, path: Path, **options) -> None:
        try:
            report = load_courses(path, drawn=drawn_question_ids)
        except CourseContentError as error:
            raise CommandError(str(error)) from None
        for outcome in ("created", "updated", "unchanged"):
            slugs = getattr(report, outcome)
            if slugs:
                self.stdout.write(f"{outcome.capitalize()}: {', '.join(slugs)}")
        if not (report.created or report.updated or report.unchanged):
            self.stdout.write(f"No course files found under {path}.")
