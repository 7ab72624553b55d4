"""The per-message CPU budget of a pipeline batch (workers/budget.py)."""

from __future__ import annotations

import time

from ventanilla.workers.budget import CpuBudget


def burn(seconds: float) -> str:
    """Spend `seconds` of this thread's CPU."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass
    return "decided"


def test_work_within_the_budget_returns_its_result() -> None:
    budget = CpuBudget(1.0)
    assert budget.run(7, "classify", lambda: burn(0.01)) == "decided"
    assert budget.overrun == {}


def test_the_step_that_crosses_the_budget_names_its_stage_and_later_steps_are_skipped() -> None:
    budget = CpuBudget(0.05)
    assert budget.run(7, "classify", lambda: burn(0.03)) == "decided"
    assert budget.run(7, "radicate", lambda: burn(0.03)) is None
    assert budget.overrun == {
        7: "radicate: exceeded the CPU budget of 0.05 s per message (worker.message_cpu_seconds)"
    }
    called = []
    assert budget.run(7, "radicate", lambda: called.append(1)) is None
    assert called == []


def test_work_for_a_batch_is_charged_in_proportion_to_each_text() -> None:
    budget = CpuBudget(0.05)
    with budget.share({1: 99, 2: 1}, "classify"):
        burn(0.1)
    assert set(budget.overrun) == {1}
    assert budget.spent[1] > 0.09 and budget.spent[2] < 0.01
