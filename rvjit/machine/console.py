"""The host side of the serial console with -nographic: host stdin goes to the guest's UART
and Ctrl-A is the escape key as in QEMU (Ctrl-A X quits, Ctrl-A Ctrl-A sends a Ctrl-A).

The terminal, if stdin is one, is put in raw mode while the machine runs (so keys reach the
guest one by one, Ctrl-C included) and restored afterwards."""
from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable

CTRL_A = 0x01


class HostConsole:
    def __init__(self, deliver: Callable[[bytes], None], quit: Callable[[], None],
                 fd: int | None = None) -> None:
        self.deliver = deliver
        self.quit = quit
        if fd is None:
            try:
                fd = sys.stdin.fileno()
            except (AttributeError, ValueError, OSError):
                fd = -1
        self.fd = fd
        self.saved = None
        self.escape = False
        self.eof = fd < 0

    def __enter__(self) -> HostConsole:
        if self.fd >= 0 and os.isatty(self.fd):
            import termios
            import tty
            self.saved = termios.tcgetattr(self.fd)
            tty.setraw(self.fd, termios.TCSANOW)
        return self

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            import termios
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            self.saved = None

    def wait(self, timeout: float) -> None:
        """Sleep up to `timeout` seconds, waking early when input arrives."""
        if self.eof:
            if timeout > 0:
                select.select([], [], [], timeout)
            return
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            self.poll()

    def poll(self) -> None:
        if self.eof:
            return
        try:
            r, _, _ = select.select([self.fd], [], [], 0)
            if not r:
                return
            data = os.read(self.fd, 4096)
        except OSError:
            self.eof = True
            return
        if not data:
            self.eof = True     # stdin closed: the guest simply gets no more input
            return
        out = bytearray()
        for b in data:
            if self.escape:
                self.escape = False
                if b in (ord("x"), ord("X")):
                    if out:
                        self.deliver(bytes(out))
                    self.quit()
                    return
                if b == CTRL_A:
                    out.append(CTRL_A)
                continue            # other escape commands (monitor, etc.) are ignored
            if b == CTRL_A:
                self.escape = True
                continue
            out.append(b)
        if out:
            self.deliver(bytes(out))
