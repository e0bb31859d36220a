"""A small front for HiGHS (through `highspy`): variables, rows, solve.

The planner's models are a few hundred variables for a person and a few thousand
for an agency; HiGHS solves them exactly (branch and bound, with the gap set to
zero so the answer is the optimum, not one within a tolerance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
        self,
        time_limit: float = 60.0,
        *,
        symmetry: bool = False,
        gap: float = 0.0,
        start: dict[int, float] | None = None,
    ) -> list[float]:
        """The optimal values of the variables, in the order they were added.

        With `gap`, a solution proven within that fraction of the optimum.
        `start` gives the value of some variables in a feasible solution to
        begin from (HiGHS completes the rest).
        """
        if not self.costs:
            return []
        highs = self._highs(time_limit, relaxed=False)
        highs.setOptionValue("mip_rel_gap", gap)
        highs.setOptionValue("mip_abs_gap", 1e-7)
        if not symmetry:
            # Symmetry detection costs more than it saves on many small blocks;
            # the agency's master program (identical classes) needs it.
            highs.setOptionValue("mip_detection_timeout", 0.0)
        if start:
            highs.setSolution(
                len(start),
                np.array(list(start), dtype=np.int32),
                np.array(list(start.values()), dtype=np.float64),
            )
        return self._run(highs)[0]

    def relaxation(self, time_limit: float = 60.0) -> Relaxation:
        """The linear relaxation (integer variables allowed fractions): its
        solution, and what each variable and each row adds to a lower bound
        proven from its duals (`Relaxation`)."""
        if not self.costs:
            return Relaxation([], np.zeros(0), np.zeros(0))
        highs = self._highs(time_limit, relaxed=True)
        values, solution = self._run(highs)
        duals = np.array(solution.row_dual, dtype=np.float64)
        lower = np.array([row[0] for row in self.rows], dtype=np.float64)
        upper = np.array([row[1] for row in self.rows], dtype=np.float64)
        # Weak duality holds for any multipliers: a multiplier is kept only on
        # the side of its row that has a finite bound, whatever sign HiGHS gives.
        duals = np.where(
            (duals > 0) & np.isfinite(lower),
            duals,
            np.where((duals < 0) & np.isfinite(upper), duals, 0.0),
        )
        finite_lower = np.where(np.isfinite(lower), lower, 0.0)
        finite_upper = np.where(np.isfinite(upper), upper, 0.0)
        rows = np.where(duals > 0, duals * finite_lower, duals * finite_upper)
        starts, indices, coefficients = self._compressed()
        row_of = np.repeat(
            np.arange(len(self.rows)), np.diff(np.append(starts, len(indices)))
        )
        reduced = np.array(self.costs) - np.bincount(
            indices, weights=coefficients * duals[row_of], minlength=len(self.costs)
        )
        low, high = np.array(self.lower), np.array(self.upper)
        # Each variable at the bound that makes its reduced cost smallest (an
        # unbounded one with a negative reduced cost leaves no bound: -inf).
        with np.errstate(invalid="ignore"):
            columns = np.where(reduced >= 0, reduced * low, reduced * high)
        return Relaxation(values, columns, rows)

    def _compressed(self):
        lengths = [len(indices) for _, _, indices, _ in self.rows]
        starts = np.concatenate(([0], np.cumsum(lengths[:-1]))).astype(np.int32)
        indices = np.array([i for row in self.rows for i in row[2]], dtype=np.int32)
        values = np.array([v for row in self.rows for v in row[3]], dtype=np.float64)
        return starts, indices, values

    def _highs(self, time_limit: float, *, relaxed: bool) -> highspy.Highs:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("random_seed", 0)
        count = len(self.costs)
        highs.addVars(count, np.array(self.lower), np.array(self.upper))
        every = np.arange(count, dtype=np.int32)
        highs.changeColsCost(count, every, np.array(self.costs))
        if not relaxed:
            kinds = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in self.integer
            ]
            highs.changeColsIntegrality(count, every, np.array(kinds))
        if self.rows:
            # All rows in one call (compressed rows), not one call per row.
            starts, indices, values = self._compressed()
            highs.addRows(
                len(self.rows),
                np.array([row[0] for row in self.rows], dtype=np.float64),
                np.array([row[1] for row in self.rows], dtype=np.float64),
                len(indices),
                starts,
                indices,
                values,
            )
        return highs

    def _run(self, highs: highspy.Highs):
        highs.run()
        status = highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS stopped with {highs.modelStatusToString(status)}")
        solution = highs.getSolution()
        return list(solution.col_value), solution


@dataclass
class Relaxation:
    """A linear relaxation's solution and a lower bound proven from its duals.

    `columns[i]` and `rows[r]` add up to a lower bound of the model's objective
    (weak duality, computed from the multipliers in floating point): a sum over
    the variables and rows of one independent block bounds that block alone.
    """

    values: list[float]
    columns: np.ndarray
    rows: np.ndarray

    def bound(self, variables: range, rows: range) -> float:
        return float(
            self.columns[variables.start : variables.stop].sum()
            + self.rows[rows.start : rows.stop].sum()
        )
