"""The one parallel runner of msk: many independent tasks, one progress bar.

Tasks run on a local thread pool by default (the core releases the GIL while it integrates or
solves, so threads run in parallel and give the same numbers as a serial run), serially in the
calling thread with ``n_workers=1``, or on a Dask cluster when ``client`` is a
``dask.distributed.Client`` (an optional dependency; the workers need msk installed).
:mod:`msk.study` (sweeps and cohorts), :mod:`msk.spine` (``compare`` and ``sweep``) and the
``msk`` command (equilibrium run files) all run through :func:`run_tasks`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, TypeVar

if TYPE_CHECKING:
    import threading
    from concurrent.futures import Future

__all__ = ["check_client", "reduced_scalars", "resolve_workers", "run_tasks", "show_progress"]

Task = TypeVar("Task")
Result = TypeVar("Result")


def reduced_scalars(reduce: Callable[[Any], Mapping[str, Any]], value: Any) -> dict[str, float]:
    """Call a task's ``reduce`` on its result and check that it gave names to numbers.

    Parameters
    ----------
    reduce : callable
        The user's reducer (``msk.study`` episodes, lifetime cohorts).
    value : object
        What it summarises (a :class:`msk.Results`, a lifetime Dataset).

    Returns
    -------
    dict of str to float

    Raises
    ------
    TypeError
        Not a mapping, a key that is not a non-empty string, or a value that is not a number.
    """
    summary = reduce(value)
    if not hasattr(summary, "items"):
        raise TypeError(
            f"reduce: expected a dict of names to numbers, got {type(summary).__name__}"
        )
    scalars: dict[str, float] = {}
    for name, number in summary.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"reduce: expected string keys, got {name!r}")
        try:
            scalars[name] = float(number)
        except (TypeError, ValueError):
            raise TypeError(
                f"reduce: {name!r}: expected a number, got {type(number).__name__} {number!r}"
            ) from None
    return scalars


def show_progress(progress: Optional[bool]) -> bool:
    """Whether to draw a progress bar.

    Parameters
    ----------
    progress : bool or None
        ``True``/``False``: always/never; ``None``: when stderr is a terminal.

    Returns
    -------
    bool

    Raises
    ------
    Nothing
    """
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


def resolve_workers(n_workers: Optional[int], client: Any, n_tasks: int) -> int:
    """The number of local threads to use.

    Parameters
    ----------
    n_workers : int or None
        Threads asked for; ``None``: one per CPU, at most one per task.
    client : dask.distributed.Client or None
        A Dask client (then ``n_workers`` must be None).
    n_tasks : int
        Number of tasks.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        Both ``n_workers`` and ``client`` are given, or ``n_workers`` is not a whole number >= 1.
    """
    import numpy as np

    if client is not None and n_workers is not None:
        raise ValueError("give n_workers (local threads) or client (Dask), not both")
    if n_workers is None:
        return max(1, min(os.cpu_count() or 1, n_tasks))
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or n_workers < 1:
        raise ValueError(f"n_workers: expected a whole number >= 1 or None, got {n_workers!r}")
    return int(n_workers)


def check_client(client: Any) -> None:
    """Check that ``client`` can run tasks: a Dask client, with dask.distributed installed.

    Parameters
    ----------
    client : object or None
        What the caller passed as ``client=`` (None: nothing to check).

    Returns
    -------
    None

    Raises
    ------
    TypeError
        ``client`` has no ``map`` method.
    ImportError
        dask.distributed is not installed.
    """
    if client is None:
        return
    if not callable(getattr(client, "map", None)):
        raise TypeError(f"client: expected a dask.distributed.Client, got {type(client).__name__}")
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "client=: running on Dask needs dask.distributed, which is not installed "
            "(pip install 'dask[distributed]', or msk[parallel]); without client= the tasks go "
            "to a local thread pool"
        ) from error


def run_tasks(
    function: Callable[[Task], Result],
    tasks: Sequence[Task],
    *,
    n_workers: Optional[int] = None,
    client: Any = None,
    progress: Optional[bool] = None,
    description: str = "",
    unit: str = "task",
    ordered: bool = True,
    failed: Optional[Callable[[Result], bool]] = None,
    cancel: Optional[threading.Event] = None,
    recomputed: Optional[Callable[[int, int], Any]] = None,
) -> Iterator[Result]:
    """Run ``function(task)`` for every task; yield the results as they come.

    Parameters
    ----------
    function : callable
        ``function(task) -> result``. For Dask it is pickled to the workers, with the tasks.
    tasks : sequence
        The tasks, length n.
    n_workers : int, optional
        Local threads (default: one per CPU, at most n); ``1`` runs in the calling thread.
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead (give either this or ``n_workers``).
    progress : bool, optional
        Show one tqdm bar of finished tasks on stderr; ``None``: when stderr is a terminal.
    description, unit : str
        Label of the bar and name of a task in it (``"equilibria"``, ``"posture"``).
    ordered : bool
        Yield in task order (results wait for the tasks before them); ``False``: in order of
        completion (the results must then say which task they are).
    failed : callable, optional
        ``failed(result) -> bool``: results counted as failures in the bar (``failed=N``).
    cancel : threading.Event, optional
        Set when the run stops early (an exception in a task or in the caller, Ctrl-C, or the
        caller closing the iterator), so that running local tasks that watch it can stop.
    recomputed : callable, optional
        On Dask: ``recomputed(i, count)`` when task ``i`` finishes after the scheduler had to
        start it again ``count`` times because the worker holding it was lost (a worker that
        dies is replaced by the cluster, its tasks go to other workers; the Dask setting
        ``distributed.scheduler.allowed-failures`` bounds the count). Never called on threads.

    Returns
    -------
    iterator
        The n results (a generator: the tasks start at the first ``next``).

    Raises
    ------
    Exception
        The first exception a task raises, as raised: the queued tasks are dropped and the
        running ones finish (or stop, if they watch ``cancel``).
    ValueError, TypeError, ImportError
        Bad ``n_workers`` or ``client`` (see :func:`resolve_workers`, :func:`check_client`).
    """
    from tqdm.auto import tqdm

    workers = resolve_workers(n_workers, client, len(tasks))
    check_client(client)
    bar = tqdm(
        total=len(tasks),
        desc=description or None,
        unit=unit,
        disable=not show_progress(progress),
        file=sys.stderr,
    )
    n_failed = 0

    def done(result: Result) -> Result:
        nonlocal n_failed
        if failed is not None and failed(result):
            n_failed += 1
            bar.set_postfix(failed=n_failed, refresh=False)
        bar.update()
        return result

    try:
        if client is not None:
            yield from _on_dask(function, tasks, client, ordered, done, recomputed)
        elif workers == 1:
            for task in tasks:
                yield done(function(task))
        else:
            yield from _on_threads(function, tasks, workers, ordered, done, cancel)
    except BaseException:
        if cancel is not None:
            cancel.set()
        raise
    finally:
        bar.close()


def _on_threads(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    ordered: bool,
    done: Callable[[Any], Any],
    cancel: Optional[threading.Event],
) -> Iterator[Any]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="msk") as pool:
        futures: list[Future[Any]] = [pool.submit(function, task) for task in tasks]
        try:
            for future in futures if ordered else as_completed(futures):
                yield done(future.result())
        except BaseException:
            # Ctrl-C, a failed task or the caller stopping: run nothing more.
            if cancel is not None:
                cancel.set()
            for future in futures:
                future.cancel()
            raise


def _on_dask(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    client: Any,
    ordered: bool,
    done: Callable[[Any], Any],
    recomputed: Optional[Callable[[int, int], Any]] = None,
) -> Iterator[Any]:
    from distributed import as_completed as dask_as_completed

    futures = client.map(function, list(tasks), pure=False)
    position = {future.key: i for i, future in enumerate(futures)}
    held = dict(enumerate(futures))

    def lost_workers(keys: list[Any], dask_scheduler: Any = None) -> dict[Any, int]:
        # Runs on the scheduler (defined here so that it is pickled by value: the scheduler
        # need not have msk installed). A task's `suspicious` counts the workers that died
        # while they held it.
        tasks_ = dask_scheduler.tasks
        return {k: int(getattr(tasks_.get(k), "suspicious", 0) or 0) for k in keys}

    n = len(futures)
    iterator = (held[i] for i in range(n)) if ordered else dask_as_completed(futures)
    del futures
    try:
        for future in iterator:
            result = future.result()
            if recomputed is not None:
                count = client.run_on_scheduler(lost_workers, [future.key]).get(future.key, 0)
                if count:
                    recomputed(position[future.key], count)
            # Released once read: a worker lost later does not make the cluster run it again.
            held.pop(position[future.key], None)
            yield done(result)
    except BaseException:
        client.cancel(list(held.values()))
        raise
