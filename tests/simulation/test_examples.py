"""Every example scenario of ../shared/scenarios and every file in tests/scenarios plays
through the real pipeline to its expected end, and compliantly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadline.simulation.runner import run_scenario
from tests.simulation.checks import assert_run_is_compliant

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_SCENARIOS = REPO_ROOT.parent / "shared" / "scenarios"
OWN_SCENARIOS = REPO_ROOT / "tests" / "scenarios"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _play(path: Path) -> None:
    data = _load(path)
    assert "expect_final" in data, f"{path.name} has no expect_final"
    output = run_scenario(data)
    assert output["status"] == data["expect_final"]["status"]
    assert_run_is_compliant(output)


@pytest.mark.skipif(
    not _files(SHARED_SCENARIOS),
    reason=f"the shared example scenarios are not beside the project ({SHARED_SCENARIOS})",
)
@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", _files(SHARED_SCENARIOS), ids=[p.stem for p in _files(SHARED_SCENARIOS)]
)
def test_example_scenario(path: Path) -> None:
    _play(path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", _files(OWN_SCENARIOS), ids=[p.stem for p in _files(OWN_SCENARIOS)])
def test_own_scenario(path: Path) -> None:
    _play(path)


def test_there_are_at_least_forty_own_scenarios() -> None:
    assert len(_files(OWN_SCENARIOS)) >= 40
