"""NS16550A UART (QEMU virt's serial port at 0x10000000): transmit to the host's stdout,
receive from queued host input, and the interrupt-identification logic of the 16550."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

# Register offsets.
RBR_THR_DLL = 0
IER_DLM = 1
IIR_FCR = 2
LCR = 3
MCR = 4
LSR = 5
MSR = 6
SCR = 7

LCR_DLAB = 0x80
LSR_DR = 0x01
LSR_THRE = 0x20
LSR_TEMT = 0x40
IER_RDI = 0x01
IER_THRI = 0x02
IIR_NONE = 0x01
IIR_THRI = 0x02
IIR_RDI = 0x04
IIR_FIFO = 0xC0


class Uart16550:
    def __init__(self, output: Callable[[bytes], None],
                 set_irq: Callable[[bool], None] | None = None) -> None:
        self.output = output
        self.set_irq = set_irq or (lambda level: None)
        self.reset()

    def reset(self) -> None:
        """The power-on state: interrupts off, LCR, MCR and scratch 0, divisor 12, the
        receive queue empty."""
        self.rx: deque[int] = deque()
        self.ier = self.lcr = self.mcr = self.scr = self.fcr = 0
        self.dll, self.dlm = 12, 0
        self.thr_empty_pending = False

    def feed(self, data: bytes) -> None:
        """Host input arriving on the serial line."""
        self.rx.extend(data)
        self._update_irq()

    def _iir(self) -> int:
        fifo = IIR_FIFO if self.fcr & 1 else 0
        if self.ier & IER_RDI and self.rx:
            return IIR_RDI | fifo
        if self.ier & IER_THRI and self.thr_empty_pending:
            return IIR_THRI | fifo
        return IIR_NONE | fifo

    def _update_irq(self) -> None:
        self.set_irq(not self._iir() & IIR_NONE)

    def read(self, offset: int, size: int) -> int:
        if offset == RBR_THR_DLL:
            if self.lcr & LCR_DLAB:
                return self.dll
            v = self.rx.popleft() if self.rx else 0
            self._update_irq()
            return v
        if offset == IER_DLM:
            return self.dlm if self.lcr & LCR_DLAB else self.ier
        if offset == IIR_FCR:
            iir = self._iir()
            if iir & 0x0F == IIR_THRI:
                self.thr_empty_pending = False   # reading IIR clears a THRE interrupt
                self._update_irq()
            return iir
        if offset == LCR:
            return self.lcr
        if offset == MCR:
            return self.mcr
        if offset == LSR:
            return LSR_THRE | LSR_TEMT | (LSR_DR if self.rx else 0)
        if offset == MSR:
            return 0xB0      # CTS, DSR, DCD asserted
        if offset == SCR:
            return self.scr
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        value &= 0xFF
        if offset == RBR_THR_DLL:
            if self.lcr & LCR_DLAB:
                self.dll = value
            else:
                self.output(bytes([value]))
                self.thr_empty_pending = True
                self._update_irq()
        elif offset == IER_DLM:
            if self.lcr & LCR_DLAB:
                self.dlm = value
            else:
                self.ier = value & 0x0F
                if self.ier & IER_THRI:
                    self.thr_empty_pending = True
                self._update_irq()
        elif offset == IIR_FCR:
            self.fcr = value
            if value & 2:
                self.rx.clear()
            self._update_irq()
        elif offset == LCR:
            self.lcr = value
        elif offset == MCR:
            self.mcr = value
        elif offset == SCR:
            self.scr = value
