"""The processes ``techmarket demo`` runs together: the web server and the background worker.

The demo must behave like production, where imports are checked and response clocks tick in a separate
``techmarket worker`` (ADR 0002). Running huey "immediately" inside the web process instead would check an
import during the upload request and never run the periodic jobs (reminders, escalations, index rebuilds),
so the demo starts the real consumer next to gunicorn: gunicorn's several workers enqueue into the same
SQLite queue file (each write its own short transaction) and the one consumer takes from it. They run as children of the demo command and stop
together: Ctrl+C (or SIGTERM, or either child dying) ends both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Child:
    """One process to run: a name, its argument vector and the signal that stops it gracefully."""

    name: str
    argv: tuple[str, ...]
    stop_signal: int = signal.SIGTERM


def techmarket_argv(*arguments: str) -> tuple[str, ...]:
    """The ``techmarket`` command with ``arguments``, run by this very interpreter (same virtualenv)."""
    return (sys.executable, "-m", "techmarket", *arguments)


def demo_children(*, port: int, worker: bool = True) -> list[Child]:
    """The web server on 127.0.0.1:``port`` and, unless ``worker`` is False, the task worker."""
    children = [Child("web", techmarket_argv("serve", "--bind", f"127.0.0.1:{port}"))]
    if worker:
        # huey finishes the task in hand on SIGINT (SIGTERM would abandon it); gunicorn is graceful on SIGTERM.
        children.append(Child("worker", techmarket_argv("worker"), stop_signal=signal.SIGINT))
    return children


def run_together(
    children: Sequence[Child], *, env: Mapping[str, str] | None = None, grace: float = STOP_GRACE_SECONDS
) -> int:
    """Start every child, wait until one exits or we are interrupted, then stop the others.

    Returns the exit status of the first child to end (0 after Ctrl+C/SIGTERM). Each child gets its stop
    signal, then SIGKILL after ``grace`` seconds.
    """
    environment = dict(os.environ if env is None else env)
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        for child in children:
            process = subprocess.Popen(child.argv, env=environment)  # noqa: S603 (fixed argv, no shell)
            started.append((process, child.stop_signal))
        while not stopping:
            ended = [process for process, _signal in started if process.poll() is not None]
            if ended:
                status = ended[0].returncode or 0
                break
            time.sleep(POLL_SECONDS)
    finally:
        _stop_all(started, grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def _stop_all(processes: Sequence[tuple[subprocess.Popen[bytes], int]], grace: float) -> None:
    for process, stop_signal in processes:
        if process.poll() is None:
            process.send_signal(stop_signal)
    deadline = time.monotonic() + grace
    for process, _signal in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
