/* The real console (ns16550a at HOST_UART) and the sifive_test finisher, used from M and HS mode
 * with physical addresses (satp = Bare in HS). */
#include "hvdemo.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void con_putc(char c)
{
    volatile unsigned char *uart = (volatile unsigned char *)HOST_UART;
    while (!(uart[UART_LSR] & UART_LSR_THRE))
        ;
    uart[UART_THR] = (unsigned char)c;
}

void con_puts(const char *s)
{
    while (*s) {
        if (*s == '\n')
            con_putc('\r');
        con_putc(*s++);
    }
}

void con_puthex(unsigned long v)
{
    con_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        con_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void con_putdec(unsigned long v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        con_putc(buf[--n]);
}

void finisher_exit(unsigned code)
{
    volatile unsigned *finisher = (volatile unsigned *)TEST_FINISHER;
    *finisher = code ? ((code << 16) | 0x3333) : 0x5555;
    for (;;)
        __asm__ volatile("wfi");
}
