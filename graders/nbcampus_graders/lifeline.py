"""Grading processes live no longer than the process that owns them (the service, or
``nbcampus grader``), even when it is killed with SIGKILL and has no chance to clean up.

Why they would outlive it: multiprocessing's forkserver stops when every holder of its "alive"
pipe is gone, and each pool worker holds that pipe (and the write end of its own task queue, so
it never sees end-of-file and waits for tasks forever); the resource tracker stops when every
holder of its pipe is gone, and the forkserver and workers hold it. So an orphaned worker keeps
the forkserver and the tracker alive, and its sandboxes with it.

The lifeline breaks that chain at the workers: each one watches its owner through a pidfd
(Linux 5.3+; woken by the kernel the moment the owner dies, no polling) and kills itself
then. Its sandboxes follow at once (bubblewrap's ``--die-with-parent`` and their own PID
namespace), the forkserver sees its alive pipe close and exits, the resource tracker sees end of
file and exits.
"""

from __future__ import annotations

import os
import select
import signal
import threading

#: seconds between two looks at the owner where pidfds are not available
POLL_SECONDS = 1.0


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with(owner: int) -> threading.Thread:
    """Kill this process (SIGKILL) as soon as process ``owner`` has ended.

    Returns the daemon thread that watches; if ``owner`` is already gone, this process dies now.
    """
    try:
        pidfd = os.pidfd_open(owner)
    except ProcessLookupError:
        _die()
        raise  # not reached: SIGKILL is not caught
    except (AttributeError, OSError):  # no pidfds (old kernel, other system): poll instead
        pidfd = None

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])  # readable once the owner has exited
        else:
            while _alive(owner):
                threading.Event().wait(POLL_SECONDS)
        _die()

    thread = threading.Thread(target=watch, name="nbcampus-lifeline", daemon=True)
    thread.start()
    return thread
