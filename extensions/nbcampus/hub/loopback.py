"""Which TCP ports on the host's loopback accept a connection from a learner's server.

Where learners' servers share the host's network (no network namespace of their own), anything
listening on 127.0.0.1 is theirs to talk to: a PostgreSQL with ``trust`` authentication, Redis,
other learners' kernels. The scan runs where a server would run (inside a jail when there are
jails, so that firewall rules by uid count): it lists the listening sockets of /proc/net/tcp and
tcp6 and tries to connect to each on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: run as ``python -c``: prints the sorted list of loopback ports that accepted a connection
SCAN = r"""
import json, socket
ports = set()
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(name).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        fields = line.split()
        if fields[3] == "0A":  # LISTEN
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
open_ports = []
for port in sorted(ports):
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(family)
        s.settimeout(0.5)
        try:
            s.connect((host, port))
        except OSError:
            continue
        finally:
            s.close()
        open_ports.append(port)
        break
print(json.dumps(open_ports))
"""


class ScanFailed(RuntimeError):
    """The loopback scan could not run."""


def reachable_loopback_ports(prefix: list[str] | None = None, timeout: float = 60) -> list[int]:
    """Loopback ports that accept a TCP connection from ``prefix + [python, -c, SCAN]``
    (``prefix``: a jail's command, ending in ``--``; none: this process's own view)."""
    command = [*(prefix or []), sys.executable, "-c", SCAN]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        raise ScanFailed(f"loopback scan failed to run: {e}") from None
    if result.returncode != 0:
        raise ScanFailed(f"loopback scan failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
