"""A progress bar for a terminal: lines done of the total, rows per second, time left."""

from __future__ import annotations

import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """`update(done)` redraws one line on `stream` (stderr: stdout keeps the report)."""

    def __init__(self, stream: TextIO, total: int, *, start: int = 0, width: int = 30) -> None:
        self.stream = stream
        self.total = max(total, 0)
        self.start = start
        self.width = width
        self.t0 = time.monotonic()

    def line(self, done: int) -> str:
        elapsed = time.monotonic() - self.t0
        rate = (done - self.start) / elapsed if elapsed > 0 else 0.0
        left = self.total - done
        eta = _clock(left / rate) if rate > 0 else "?"
        share = done / self.total if self.total else 1.0
        filled = int(self.width * min(share, 1.0))
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {done}/{self.total} lines {share:6.1%}  {rate:,.0f} rows/s  ETA {eta}"

    def update(self, done: int) -> None:
        self.stream.write("\r" + self.line(done))
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
