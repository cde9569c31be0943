"""The engine's status of each nerve and side, exported as a Condition (derived data: the
record itself is :class:`cluneal.core.record.Record`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cluneal.core.assessment import Assessment


#: Positive blocks on one nerve and side before an exported entrapment Condition says
#: ``confirmed``: the positive-block threshold is disputed (clinical-evidence.md section 1), so
#: one block alone makes it ``provisional`` (Cluneal policy).
CONFIRMED_MIN_POSITIVE_BLOCKS = 2


@dataclass(frozen=True)
class NerveStatus:
    """The engine's status of one nerve on one side (derived; exported as a Condition)."""

    nerve: str
    side: str
    status: str
    positive_blocks: int = 0
    red_flag: bool = False

    @classmethod
    def of(cls, assessment: Assessment) -> list[NerveStatus]:
        flagged = bool(assessment.red_flags)
        return [
            cls(n.nerve, n.side, n.status, n.blocks.positive, flagged) for n in assessment.nerves
        ]

    @property
    def verification(self) -> str:
        """The Condition's FHIR verification status: ``differential`` while a red flag stands
        (its work-up comes first), ``confirmed`` only after enough positive blocks, else
        ``provisional``."""
        if self.red_flag:
            return "differential"
        if self.status == "confirmed" and self.positive_blocks >= CONFIRMED_MIN_POSITIVE_BLOCKS:
            return "confirmed"
        return "provisional"
