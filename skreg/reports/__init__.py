"""Feature-selection reports, stability selection and plots.

- :class:`FeatureSelectionReport`: which features a sparse linear model selects and
  how stable the choice is, as text, JSON, pandas or self-contained HTML.
- :class:`StabilitySelector`: stability selection (complementary pairs, optionally
  randomized) as a scikit-learn feature selector.
- Displays in scikit-learn's ``from_estimator`` / ``plot`` pattern (matplotlib, the
  ``plot`` extra): :class:`RegularizationPathDisplay`, :class:`CVCurveDisplay`,
  :class:`StabilityPathDisplay`, :class:`TrainingCurveDisplay`.
"""

from skreg.reports._display import (
    CVCurveDisplay,
    RegularizationPathDisplay,
    StabilityPathDisplay,
    TrainingCurveDisplay,
)
from skreg.reports._report import FeatureSelectionReport
from skreg.reports._stability import StabilitySelector, error_bound, stability_path

__all__ = [
    "CVCurveDisplay",
    "FeatureSelectionReport",
    "RegularizationPathDisplay",
    "StabilityPathDisplay",
    "StabilitySelector",
    "TrainingCurveDisplay",
    "error_bound",
    "stability_path",
]
