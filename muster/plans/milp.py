"""A small front for HiGHS (through `highspy`): variables, rows, solve.

The planner's models are a few hundred variables for a person and a few thousand
for an agency; HiGHS solves them exactly (branch and bound, with the gap set to
zero so the answer is the optimum, not one within a tolerance).
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

INFINITY = highspy.kHighsInf


class SolverError(RuntimeError):
    """HiGHS did not find an optimal solution (a bug in the model if it happens)."""


class Model:
    """A minimisation over continuous, binary and integer variables."""

    def __init__(self) -> None:
        self.costs: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[float, float, list[int], list[float]]] = []

    def variable(
        self,
        cost: float,
        upper: float = INFINITY,
        *,
        integer: bool = False,
        lower: float = 0.0,
    ) -> int:
        self.costs.append(float(cost))
        self.lower.append(float(lower))
        self.upper.append(float(upper))
        self.integer.append(integer)
        return len(self.costs) - 1

    def binary(self, cost: float) -> int:
        return self.variable(cost, 1.0, integer=True)

    def row(
        self,
        indices: Sequence[int],
        values: Sequence[float],
        lower: float = -INFINITY,
        upper: float = INFINITY,
    ) -> None:
        """lower <= sum(values[i] * x[indices[i]]) <= upper."""
        self.rows.append((float(lower), float(upper), list(indices), list(values)))

    def solve(
        self, time_limit: float = 60.0, *, symmetry: bool = False, gap: float = 0.0
    ) -> list[float]:
        """The optimal values of the variables, in the order they were added.

        With `gap`, a solution proven within that fraction of the optimum.
        """
        if not self.costs:
            return []
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", gap)
        highs.setOptionValue("mip_abs_gap", 1e-7)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("random_seed", 0)
        if not symmetry:
            # Symmetry detection costs more than it saves on many small blocks;
            # the agency's master program (identical classes) needs it.
            highs.setOptionValue("mip_detection_timeout", 0.0)
        count = len(self.costs)
        highs.addVars(count, np.array(self.lower), np.array(self.upper))
        every = np.arange(count, dtype=np.int32)
        highs.changeColsCost(count, every, np.array(self.costs))
        kinds = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in self.integer
        ]
        highs.changeColsIntegrality(count, every, np.array(kinds))
        for lower, upper, indices, values in self.rows:
            highs.addRow(
                lower,
                upper,
                len(indices),
                np.array(indices, dtype=np.int32),
                np.array(values, dtype=np.float64),
            )
        highs.run()
        status = highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS stopped with {highs.modelStatusToString(status)}")
        return list(highs.getSolution().col_value)
