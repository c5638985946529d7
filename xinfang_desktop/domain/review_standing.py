"""Where a matter's 复查 / 复核 stands (第三十五、三十六条), as the attention board reads it.

A matter whose review *supported* the petitioner is no longer in dispute; one whose review did not
support them (解释说明 or 不予支持), or whose review was asked for and has no known result, still is.
The standing is folded from the events with the rest of the case state and cached on the case row
(services/cases.cached_values) as a short code, so the board reads it without refolding timelines.

Pure: reads a CaseState, knows nothing of statuses beyond the workflow's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .workflow import CaseState, DeadlineKey, Outcome, Status

PENDING = "pending"


class ReviewStage(str, Enum):
    REVIEW = "review"        # 复查 (第三十五条)
    RECHECK = "recheck"      # 复核 (第三十六条)

    @property
    def label(self) -> str:
        return "复查" if self is ReviewStage.REVIEW else "复核"


@dataclass(frozen=True)
class ReviewStanding:
    stage: ReviewStage
    outcome: Outcome | None          # None: asked for, no result known yet

    @property
    def disputed(self) -> bool:
        """Still disputed unless the latest review supported the petitioner."""
        return self.outcome is not Outcome.SUPPORTED

    @property
    def code(self) -> str:
        """「review:pending」, 「recheck:rejected」: what the case row caches."""
        return f"{self.stage.value}:{self.outcome.value if self.outcome else PENDING}"

    @property
    def text(self) -> str:
        """「复查中」 while the result is not known, else 「已复查（不予支持）」."""
        if self.outcome is None:
            return f"{self.stage.label}中"
        return f"已{self.stage.label}（{self.outcome.label}）"


_BY_CODE: dict[str, ReviewStanding] = {
    s.code: s for stage in ReviewStage for s in [ReviewStanding(stage, None)]
    + [ReviewStanding(stage, o) for o in Outcome]
}


def parse_standing(code: str | None) -> ReviewStanding | None:
    """The standing of a cached code; None for no review (or a code this version does not know)."""
    return _BY_CODE.get(code) if code else None


def review_standing(state: CaseState) -> ReviewStanding | None:
    """The latest review stage the petitioner reached and its result, or None when they asked for none.

    A stage was asked for when its limit was set or the matter is in it (the request event sets
    both today; either is enough, so a review recorded without this office's limit still counts)."""
    if state.recheck_outcome is not None:
        return ReviewStanding(ReviewStage.RECHECK, state.recheck_outcome)
    if state.deadline(DeadlineKey.RECHECK) is not None or state.status is Status.RECHECKING:
        return ReviewStanding(ReviewStage.RECHECK, None)
    if state.review_outcome is not None:
        return ReviewStanding(ReviewStage.REVIEW, state.review_outcome)
    if state.deadline(DeadlineKey.REVIEW) is not None or state.status is Status.REVIEWING:
        return ReviewStanding(ReviewStage.REVIEW, None)
    return None
