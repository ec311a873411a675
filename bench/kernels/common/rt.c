/* Tiny bare-metal runtime: ns16550a UART output, CLINT mtime, minstret,
 * sifive_test finisher, and the few libc memory routines gcc may call. */
#include "rt.h"

#define UART_BASE      0x10000000UL
#define UART_THR       0
#define UART_LSR       5
#define UART_LSR_THRE  0x20
#define FINISHER_BASE  0x00100000UL
#define CLINT_MTIME    0x0200bff8UL

void rt_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while (!(uart[UART_LSR] & UART_LSR_THRE))
        ;
    uart[UART_THR] = (uint8_t)c;
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

void rt_put_dec(uint64_t v)
{
    char buf[24];
    int i = 0;
    do {
        buf[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        rt_putc(buf[--i]);
}

void rt_put_hex(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[16];
    int i = 0;
    do {
        buf[i++] = digits[v & 15];
        v >>= 4;
    } while (v);
    rt_puts("0x");
    while (i)
        rt_putc(buf[--i]);
}

uint64_t rt_mtime(void)
{
    return *(volatile uint64_t *)CLINT_MTIME;
}

uint64_t rt_instret(void)
{
    uint64_t v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}

void rt_exit(int code)
{
    volatile uint32_t *fin = (volatile uint32_t *)FINISHER_BASE;
    if (code == 0)
        *fin = 0x5555;                                   /* FINISHER_PASS */
    else
        *fin = ((uint32_t)(code & 0xffff) << 16) | 0x3333;   /* FINISHER_FAIL */
    for (;;)
        __asm__ volatile("wfi");
}

void rt_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
    rt_puts("\nBENCH-TRAP mcause=");
    rt_put_hex(mcause);
    rt_puts(" mepc=");
    rt_put_hex(mepc);
    rt_puts(" mtval=");
    rt_put_hex(mtval);
    rt_putc('\n');
    rt_exit(3);
}

/* The Makefile builds with -fno-tree-loop-distribute-patterns so these
 * loops are not turned back into calls to themselves. */
void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(uint64_t *)d = *(const uint64_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (((uintptr_t)d & 7) == 0) {
        uint64_t w = (uint8_t)c * 0x0101010101010101ULL;
        for (; n >= 8; n -= 8, d += 8)
            *(uint64_t *)d = w;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}
