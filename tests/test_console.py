"""Host stdin -> guest console, with QEMU's Ctrl-A escapes."""
from __future__ import annotations

import os

from rvjit.machine.console import HostConsole


def _console():
    r, w = os.pipe()
    got: list[bytes] = []
    quits: list[bool] = []
    c = HostConsole(got.append, lambda: quits.append(True), fd=r)
    return c, w, got, quits


def test_bytes_reach_the_guest_and_ctrl_a_ctrl_a_sends_one_ctrl_a():
    c, w, got, quits = _console()
    os.write(w, b"ls\r\x01\x01z")
    c.poll()
    assert b"".join(got) == b"ls\r\x01z"
    assert not quits


def test_ctrl_a_x_quits_after_delivering_what_came_before():
    c, w, got, quits = _console()
    os.write(w, b"ab\x01")
    c.poll()
    os.write(w, b"xcd")
    c.poll()
    assert b"".join(got) == b"ab"
    assert quits == [True]


def test_closed_stdin_is_not_an_error():
    c, w, got, quits = _console()
    os.close(w)
    c.poll()
    c.wait(0.01)
    assert c.eof and not got and not quits
