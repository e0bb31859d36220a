"""Views get rows only through `muster.accounts.access`.

Parses every view module with `ast` and fails, naming file and line, when one
reaches a protected model's manager itself (`Person.objects`, `get_object_or_404(
ImportBatch, ...)`, `type(person).objects`): such a read decides access on its
own, out of sight of the access module and of the isolation matrix's reasons.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

MUSTER = Path(__file__).resolve().parents[1]
# Models whose rows every signed-in user may read, so a view may query them.
PUBLIC = {
    # Which state approved which course is public record; the catalog shows it.
    "catalog.CourseApproval",
}
# Direct reads tolerated for now, one by one ("path: Model.objects"), so that a
# new one still fails. None are left: keep it that way.
KNOWN: set[str] = set()
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_modules() -> list[Path]:
    """views.py, *_views.py, screens.py and the modules of a views/ or endpoints/
    package (the API's), outside tests."""
    found = []
    for path in MUSTER.rglob("*.py"):
        if "tests" in path.parts:
            continue
        if (
            path.name in ("views.py", "screens.py")
            or path.stem.endswith("_views")
            or path.parent.name in ("views", "endpoints")
        ):
            found.append(path)
    return sorted(found)


def protected_names() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if model.__module__.startswith("muster.") and model._meta.label not in PUBLIC
    }


def direct_reads(source: str, protected: set[str]) -> list[tuple[int, str]]:
    """(line, what) for each place `source` reads a protected model itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            owner = node.value
            name = _name(owner)
            if name is None:
                # type(x).objects, self.model.objects...: the model is not
                # visible here, so it cannot be shown to be public.
                found.append((node.lineno, f"{ast.unparse(owner)}.{node.attr}"))
            elif name in protected:
                found.append((node.lineno, f"{name}.{node.attr}"))
        elif isinstance(node, ast.Call) and _name(node.func) in SHORTCUTS:
            first = node.args[0] if node.args else None
            if first is not None and _name(first) in protected:
                found.append((node.lineno, f"{_name(node.func)}({_name(first)})"))
    return sorted(found)


def _name(node: ast.AST) -> str | None:
    """`Person` for `Person` or `models.Person`; None for anything computed."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def test_no_view_reads_a_protected_model_directly() -> None:
    protected = protected_names()
    offences = [
        f"{path.relative_to(MUSTER.parent)}:{line}: {what}"
        for path in view_modules()
        for line, what in direct_reads(path.read_text(), protected)
        if f"{path.relative_to(MUSTER.parent)}: {what}" not in KNOWN
    ]
    assert not offences, "Read these through muster.accounts.access:\n" + "\n".join(
        offences
    )


def test_the_view_modules_are_found() -> None:
    names = {str(path.relative_to(MUSTER)) for path in view_modules()}
    assert {
        "agencies/views.py",
        "transfers/views.py",
        "transfers/transfer_views.py",
        "learning/views.py",
    } <= names


def test_it_catches_each_way_of_reaching_a_manager() -> None:
    protected = {"Person", "ImportBatch", "AuditEntry"}
    source = (
        "a = Person.objects.all()\n"
        "b = get_object_or_404(ImportBatch, pk=1)\n"
        "c = type(person).objects.get(pk=1)\n"
        "d = models.AuditEntry._default_manager.all()\n"
        "e = CourseApproval.objects.all()\n"
        "f = get_object_or_404(access.people(user), pk=1)\n"
    )
    assert direct_reads(source, protected) == [
        (1, "Person.objects"),
        (2, "get_object_or_404(ImportBatch)"),
        (3, "type(person).objects"),
        (4, "AuditEntry._default_manager"),
    ]


def test_every_agency_model_is_protected() -> None:
    protected = protected_names()
    for name in (
        "Agency",
        "Person",
        "Employment",
        "TrainingRecord",
        "AuditEntry",
        "ImportBatch",
        "Certificate",
        "Course",
    ):
        assert name in protected
