"""Exception and interrupt causes (privileged spec, 3.1.15 "Machine Cause Register")."""
from __future__ import annotations

from enum import IntEnum


class Exc(IntEnum):
    INSN_ADDR_MISALIGNED = 0
    INSN_ACCESS_FAULT = 1
    ILLEGAL_INSN = 2
    BREAKPOINT = 3
    LOAD_ADDR_MISALIGNED = 4
    LOAD_ACCESS_FAULT = 5
    STORE_ADDR_MISALIGNED = 6
    STORE_ACCESS_FAULT = 7
    ECALL_U = 8
    ECALL_S = 9
    ECALL_VS = 10
    ECALL_M = 11
    INSN_PAGE_FAULT = 12
    LOAD_PAGE_FAULT = 13
    STORE_PAGE_FAULT = 15
    INSN_GUEST_PAGE_FAULT = 20
    LOAD_GUEST_PAGE_FAULT = 21
    VIRTUAL_INSN = 22
    STORE_GUEST_PAGE_FAULT = 23


class Irq(IntEnum):
    SSI = 1
    VSSI = 2
    MSI = 3
    STI = 5
    VSTI = 6
    MTI = 7
    SEI = 9
    VSEI = 10
    MEI = 11
    SGEI = 12


class Priv(IntEnum):
    U = 0
    S = 1
    M = 3
