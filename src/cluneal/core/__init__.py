"""The pure clinical core: case types, the assessment engine and its rules."""

from cluneal.core.assessment import Assessment
from cluneal.core.case import Case, parse_case
from cluneal.core.engine import assess, assess_json

__all__ = ["Assessment", "Case", "assess", "assess_json", "parse_case"]
