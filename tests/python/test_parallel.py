"""msk._parallel.run_tasks: the one runner of msk.study, msk.spine and the msk command."""

from __future__ import annotations

import threading
import time
import types
from typing import Any

import pytest
from msk._parallel import check_client, resolve_workers, run_tasks


def square(x: int) -> int:
    return x * x


def test_results_come_in_task_order_on_threads_and_serially() -> None:
    tasks = list(range(20))
    assert list(run_tasks(square, tasks, n_workers=4, progress=False)) == [x * x for x in tasks]
    assert list(run_tasks(square, tasks, n_workers=1, progress=False)) == [x * x for x in tasks]
    unordered = list(run_tasks(square, tasks, n_workers=4, ordered=False, progress=False))
    assert sorted(unordered) == [x * x for x in tasks]
    assert list(run_tasks(square, [], progress=False)) == []


def test_one_worker_runs_in_the_calling_thread() -> None:
    threads = list(run_tasks(lambda _: threading.get_ident(), [1, 2, 3], n_workers=1))
    assert set(threads) == {threading.get_ident()}


def test_a_failing_task_stops_the_run_and_sets_cancel() -> None:
    cancel = threading.Event()
    started: list[int] = []

    def task(x: int) -> int:
        started.append(x)
        if x == 0:
            raise ValueError("task 0 failed")
        time.sleep(0.01)
        return x

    with pytest.raises(ValueError, match="task 0 failed"):
        list(run_tasks(task, list(range(200)), n_workers=2, cancel=cancel, progress=False))
    assert cancel.is_set()
    assert len(started) < 200  # the queued tasks were dropped


def test_closing_the_iterator_early_sets_cancel() -> None:
    cancel = threading.Event()
    results = run_tasks(square, list(range(50)), n_workers=2, cancel=cancel, progress=False)
    assert next(results) == 0
    results.close()
    assert cancel.is_set()


def test_one_progress_bar_counts_failures(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = list(
        run_tasks(
            lambda x: x % 3 != 0,
            list(range(9)),
            n_workers=2,
            progress=True,
            description="checks",
            unit="check",
            failed=lambda ok: not ok,
        )
    )
    assert outcomes.count(False) == 3
    err = capsys.readouterr().err
    assert "checks" in err and "9/9" in err and "failed=3" in err


def test_workers_and_client_are_checked() -> None:
    assert resolve_workers(None, None, 1) == 1
    assert resolve_workers(3, None, 100) == 3
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match=r"n_workers: expected a whole number >= 1"):
            resolve_workers(bad, None, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"not both"):
        resolve_workers(2, object(), 10)
    with pytest.raises(TypeError, match=r"client: expected a dask\.distributed\.Client"):
        check_client(object())
    check_client(None)


class _Future:
    count = 0

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error
        _Future.count += 1
        self.key = f"task-{_Future.count}"

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


def test_a_client_runs_the_tasks_and_is_told_to_cancel_on_failure() -> None:
    pytest.importorskip("distributed")
    cancelled: list[Any] = []

    def client_map(function: Any, tasks: list[Any], pure: bool) -> list[_Future]:
        assert pure is False
        out = []
        for task in tasks:
            try:
                out.append(_Future(function(task)))
            except Exception as error:
                out.append(_Future(error=error))
        return out

    client = types.SimpleNamespace(map=client_map, cancel=cancelled.append)
    assert list(run_tasks(square, [1, 2, 3], client=client, progress=False)) == [1, 4, 9]

    def failing(x: int) -> int:
        if x == 2:
            raise RuntimeError("worker lost")
        return x

    with pytest.raises(RuntimeError, match="worker lost"):
        list(run_tasks(failing, [1, 2, 3], client=client, progress=False))
    # The futures not read yet (the failed one and the third) are cancelled; the first was
    # released once read.
    assert len(cancelled) == 1 and [f.key for f in cancelled[0]] == [
        f"task-{_Future.count - 1}",
        f"task-{_Future.count}",
    ]
