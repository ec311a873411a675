/* uart.h - C interface to the UART / result helpers implemented in crt0.S
 * (ns16550a at 0x10000000 on QEMU virt). */
#ifndef RVTEST_UART_H
#define RVTEST_UART_H

void rvtest_putc(int c);
void rvtest_puts(const char *s);
void rvtest_putdec(unsigned long v);
void rvtest_puthex(unsigned long v);

#endif
