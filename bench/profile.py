"""Sample a server process with py-spy while a benchmark runs, and say where its time went.

py-spy reads the process from outside (no change to the server, no tracing overhead in it): every
greenlet runs on the process's one OS thread, so a sample is whatever greenlet was running. The raw
collapsed stacks are kept next to the figures (`<name>.txt`, one `frame;frame;… count` line per stack,
for a flame graph with any collapsed-stack viewer) and the summary lists the functions with the most
samples on top of the stack (self) and anywhere in it (total).
"""

from __future__ import annotations

import collections
import shutil
import signal
import subprocess
from pathlib import Path


class Profile:
    """`py-spy record` on `pid` from start() to stop(); stop() returns the summary."""

    def __init__(self, pid: int, out: Path, rate: int = 250, native: bool = False) -> None:
        # native: C frames too (the garbage collector, libev, the JSON encoder), at a higher sampling cost.
        self.pid, self.out, self.rate, self.native = pid, out, rate, native
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        spy = shutil.which("py-spy") or str(Path(__file__).resolve().parent.parent / ".venv/bin/py-spy")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([spy, "record", "--pid", str(self.pid), "--rate", str(self.rate),
                                      "--format", "raw", "--output", str(self.out),
                                      # C frames need the process paused for each sample
                                      *(["--native"] if self.native else ["--nonblocking"])],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self, top: int = 25) -> dict:
        if self.proc is None:
            return {}
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return {"error": "py-spy did not stop"}
        if not self.out.exists():
            return {"error": (err or b"").decode(errors="replace")[-500:]}
        return summarise(self.out.read_text(errors="replace"), top)


def _frame(raw: str) -> str:
    # py-spy's raw frames read "function (path/to/file.py:line)": keep the function and the file's last parts.
    name, _, where = raw.partition(" (")
    where = where.rstrip(")")
    path, _, _line = where.rpartition(":")
    short = "/".join(Path(path).parts[-2:]) if path else where
    return f"{name} ({short})"


def summarise(collapsed: str, top: int = 25) -> dict:
    """Return the samples' total and the `top` functions by self and by total share."""
    own: collections.Counter[str] = collections.Counter()
    anywhere: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_frame(f) for f in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            anywhere[frame] += samples

    def share(counter: collections.Counter[str]) -> list[list]:
        return [[name, round(100 * n / total, 1)] for name, n in counter.most_common(top)] if total else []

    return {"samples": total, "self_percent": share(own), "total_percent": share(anywhere)}
