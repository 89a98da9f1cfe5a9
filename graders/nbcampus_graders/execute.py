"""Running a submission's notebook in a sandboxed kernel, the way nbgrader's ``Execute`` does,
with the grader's guards around test cells and caps on output.

Per code cell it records, in ``cell.metadata.nbcampus``, whether it ran and how it ended (reply
status, timeout, output truncated, kernel died). A test cell counts only when its reply says ``ok``
and its end-of-cell marker is set: a learner who hides tracebacks (``showtraceback``), exits or
kills the kernel cannot make a test pass.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Any as AnyTrait
from traitlets import Integer

from .guard import GUARD, GUARD_RESULT, PRELUDE, marker_name, rewrite_test_cell
from .kernel import SandboxedKernelManager, ZygoteKernelManager

NOT_RUN = "not-run"


def record(cell: NotebookNode, **values: Any) -> None:
    cell.metadata.setdefault("nbcampus", {}).update(values)


class CampusExecute(Execute):
    """nbgrader's ``Execute`` preprocessor, with a sandboxed kernel and the grader's guards."""

    sandbox = AnyTrait(None, help="The Sandbox kernels run in (None: unsandboxed).")
    job_dir = AnyTrait(None, help="The private folder of this job.")
    zygote = AnyTrait(None, help="The worker's kernel zygote, if kernels are forked.")

    max_output_bytes = Integer(
        1_000_000, help="Output kept per cell; more is dropped and the cell marked truncated."
    ).tag(config=True)

    hard_output_bytes = Integer(
        20_000_000, help="Output received per cell after which the cell is interrupted."
    ).tag(config=True)

    job_timeout = Integer(
        600, help="Seconds one notebook may run in all; then its kernel is killed."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # the sandbox is thrown away: no graceful shutdown to wait for
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(**kwargs)
        self.repaired: list[str] = []
        self.kernel_died_at: int | None = None
        self._received: dict[int, int] = {}

    def create_kernel_manager(self) -> AsyncKernelManager:
        self.kernel_name = "python3"
        if self.zygote is not None:
            self.km = ZygoteKernelManager(
                kernel_name="python3",
                config=self.config,
                sandbox=self.sandbox,
                job_dir=Path(self.job_dir),
                zygote=self.zygote,
            )
            return self.km
        self.km = self.kernel_manager_class(
            kernel_name="python3",
            config=self.config,
            sandbox=self.sandbox,
            job_dir=Path(self.job_dir),
        )
        return self.km

    async def async_start_new_kernel_client(self):
        """Connect to the kernel and wait until it answers on shell and IOPub.

        jupyter_client's ``wait_for_ready`` waits a fixed 0.2 s for IOPub after each reply (most
        of a forked kernel's start-up); here we wait for IOPub's echo of our own request.
        """
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        deadline = asyncio.get_running_loop().time() + self.startup_timeout
        try:
            while True:
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"kernel did not answer in {self.startup_timeout} s")
                if not await ensure_async(self.km.is_alive()):
                    raise RuntimeError("kernel died before answering")
                msg_id = self.kc.kernel_info()
                if await self._echoed(msg_id):
                    break
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        return self.kc

    async def _echoed(self, msg_id: str) -> bool:
        """True once the shell replied to ``msg_id`` and IOPub carried its status."""
        try:
            reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=1))
        except Exception:
            return False
        if reply["parent_header"].get("msg_id") != msg_id:
            return False
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.05))
            except Exception:
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True

    # output caps ---------------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in content.get("data", {}).values()
        )
        size += sum(len(line) for line in content.get("traceback", []) or [])
        received = self._received.get(cell_index, 0) + size
        self._received[cell_index] = received
        cell = self.nb.cells[cell_index]
        if received > self.max_output_bytes:
            if not cell.metadata.get("nbcampus", {}).get("truncated"):
                record(cell, truncated=True)
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=f"\n[nbcampus: output beyond {self.max_output_bytes} bytes dropped]\n",
                    )
                )
            if received > self.hard_output_bytes and not cell.metadata["nbcampus"].get(
                "interrupted"
            ):
                record(cell, interrupted=True)
                asyncio.ensure_future(ensure_async(self.km.interrupt_kernel()))
            return None
        return super().output(outs, msg, display_id, cell_index)

    # silent requests -------------------------------------------------------------------------
    async def _silent(self, code: str, expressions: dict[str, str]) -> dict[str, Any]:
        msg_id = await ensure_async(
            self.kc.execute(code, silent=True, store_history=False, user_expressions=expressions)
        )
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None:
            return {}
        content = reply["content"]
        if content.get("status") != "ok":
            return {}
        return content.get("user_expressions", {})

    async def _guard(self) -> bool:
        """Run the guard; False when it did not answer as it must."""
        result = await self._silent(GUARD, {"repaired": GUARD_RESULT})
        value = result.get("repaired", {})
        if value.get("status") != "ok":
            return False
        text = value.get("data", {}).get("text/plain", "[]")
        if text != "[]":
            self.repaired.append(text)
        return True

    # the run -------------------------------------------------------------------------------
    async def run_notebook(self) -> NotebookNode:
        """Execute every code cell; never raises for what the submission does."""
        for cell in self.nb.cells:
            if cell.cell_type == "code":
                record(cell, status=NOT_RUN)
        self.reset_execution_trackers()
        try:
            await asyncio.wait_for(self._run(), timeout=self.job_timeout)
        except TimeoutError:
            self.kernel_died_at = self.kernel_died_at if self.kernel_died_at is not None else -1
            self.log.warning("notebook ran longer than %s s: stopped", self.job_timeout)
        return self.nb

    async def _run(self) -> None:
        async with self.async_setup_kernel(
            cwd=str(self.job_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ):
            msg_id = await ensure_async(self.kc.kernel_info())
            await self.async_wait_for_reply(msg_id)
            await self._silent(PRELUDE, {})
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                try:
                    await self._run_cell(index, cell)
                except DeadKernelError:
                    self.kernel_died_at = index
                    record(cell, status="kernel-died")
                    self.log.info("kernel died at cell %s", index)
                    break

    async def _run_cell(self, index: int, cell: NotebookNode) -> None:
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        original = cell.source
        token = secrets.token_hex(8)
        if test:
            if not await self._guard():
                record(cell, status="guard-failed")
                cell.outputs = []
                return
            rewritten = rewrite_test_cell(original, token)
            if rewritten is not None:
                cell.source = rewritten
        try:
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
        except CellTimeoutError:
            record(cell, status="timeout")
        finally:
            cell.source = original
        status = getattr(self, "_last_status", None)
        if cell.metadata["nbcampus"].get("status") == NOT_RUN:
            record(cell, status=status or "unknown")
        if test and rewritten is not None:
            found = await self._silent("", {"ran": f"globals().pop({marker_name(token)!r}, False)"})
            ran = found.get("ran", {}).get("data", {}).get("text/plain") == "True"
            record(cell, completed=ran)

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)
        self._last_status = kwargs["execute_reply"]["content"].get("status")
