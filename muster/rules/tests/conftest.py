"""Collect YAML scenario files under `scenarios/` as pytest tests, one per entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from muster.rules.tests.scenario import check_output, run_scenario

SCENARIOS = Path(__file__).parent / "scenarios"


def pytest_collect_file(parent: pytest.Collector, file_path: Path):
    if file_path.suffix == ".yaml" and SCENARIOS in file_path.parents:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        entries = yaml.safe_load(self.path.read_text(encoding="utf-8")) or []
        names = [entry["name"] for entry in entries]
        duplicated = {name for name in names if names.count(name) > 1}
        assert not duplicated, f"{self.path}: scenario names repeat: {duplicated}"
        for entry in entries:
            yield ScenarioItem.from_parent(self, name=entry["name"], scenario=entry)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        result = run_scenario(self.scenario)
        problems = check_output(result, self.scenario.get("output", {}))
        if problems:
            raise ScenarioFailure(problems, result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailure):
            failure = excinfo.value
            lines = [
                f"Scenario failed: {self.name}",
                *("  - " + p for p in failure.problems),
            ]
            lines.append("  explanation:")
            lines += ["    " + line.text() for line in failure.result.lines]
            return "\n".join(lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"


class ScenarioFailure(Exception):
    def __init__(self, problems: list[str], result) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.result = result
