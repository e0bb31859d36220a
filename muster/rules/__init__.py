"""The mandate engine: state training rules as dated, cited data, and their evaluation.

Pure Python: nothing in this package imports Django, so the rules can be checked,
tested and run from the command line without a database.
"""

from muster.rules.errors import InputError, MandateError
from muster.rules.evaluation import evaluate
from muster.rules.loader import Jurisdiction, Library, load_mandates
from muster.rules.mandate import Mandate, Requirement
from muster.rules.model import (
    Citation,
    ComplianceResult,
    CreditLine,
    Exemption,
    Period,
    Person,
    RequirementResult,
    Status,
)

__all__ = [
    "Citation",
    "ComplianceResult",
    "CreditLine",
    "Exemption",
    "InputError",
    "Jurisdiction",
    "Library",
    "Mandate",
    "MandateError",
    "Period",
    "Person",
    "Requirement",
    "RequirementResult",
    "Status",
    "evaluate",
    "load_mandates",
]
