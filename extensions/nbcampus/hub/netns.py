"""Network namespaces of learners' jails, seen from the hub: find a jail's, make sockets in it.

A socket belongs to the network namespace its creating thread was in when it was made, for its
whole life, whatever thread later uses it. So the hub makes a socket "inside" a jail by having
one helper thread enter the jail's namespace (``setns``, which needs CAP_SYS_ADMIN: the hub runs
as root for isolation anyway), create the socket, and come back. The hub's event loop then
listens, accepts and connects with it as with any other socket: no process, no file and no
route of the host is put into the jail.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import psutil

CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)
#: the one thread that enters jails' namespaces; sockets are made one at a time (microseconds)
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nbcampus-netns")


class NamespaceError(RuntimeError):
    """A jail's network namespace could not be found or entered."""


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise NamespaceError(f"setns: {os.strerror(err)}")


def can_enter_namespaces() -> bool:
    """Whether this process may enter other network namespaces (root, or CAP_SYS_ADMIN)."""
    if os.geteuid() != 0 or not hasattr(_libc, "setns"):
        return False
    try:
        with open("/proc/self/status") as f:
            caps = next(line for line in f if line.startswith("CapEff:"))
    except (OSError, StopIteration):
        return False
    return bool(int(caps.split()[1], 16) & (1 << 21))  # CAP_SYS_ADMIN


class NetworkNamespace:
    """A network namespace, held open by a file descriptor, in which sockets can be made."""

    def __init__(self, fd: int):
        self._fd = fd

    @classmethod
    def of_process(cls, pid: int) -> NetworkNamespace:
        """The network namespace process ``pid`` is in now."""
        return cls(os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC))

    @property
    def inode(self) -> int:
        return os.fstat(self._fd).st_ino

    def _make(self, family: int) -> socket.socket:
        host = _host_fd()
        _setns(self._fd)
        try:
            return socket.socket(family, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        finally:
            _setns(host)

    async def socket(self, family: int = socket.AF_INET) -> socket.socket:
        """A new non-blocking TCP socket of this namespace."""
        sock = await asyncio.get_running_loop().run_in_executor(_executor, self._make, family)
        sock.setblocking(False)
        return sock

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._fd = -1


_host: int | None = None


def _host_fd() -> int:
    """The hub's own network namespace, where the helper thread comes back to."""
    global _host
    if _host is None:
        _host = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    return _host


def host_namespace_inode() -> int:
    return os.stat("/proc/self/ns/net").st_ino


async def jail_namespace(bwrap_pid: int, timeout: float = 10.0) -> NetworkNamespace:
    """The network namespace of the jail bubblewrap process ``bwrap_pid`` started.

    bwrap (as root) stays in the host's namespaces and clones the jail's init with new ones: the
    first child whose namespace differs from the host's is the jail's, from its first moment.
    """
    host = host_namespace_inode()
    deadline = time.monotonic() + timeout
    while True:
        try:
            for child in psutil.Process(bwrap_pid).children():
                try:
                    ns = NetworkNamespace.of_process(child.pid)
                except OSError:
                    continue
                if ns.inode != host:
                    return ns
                ns.close()
        except psutil.NoSuchProcess:
            raise NamespaceError(f"the jail (bwrap pid {bwrap_pid}) exited") from None
        if time.monotonic() > deadline:
            raise NamespaceError(f"no network namespace of jail {bwrap_pid} in {timeout} s")
        await asyncio.sleep(0.002)
