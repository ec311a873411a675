/* Tiny bare-metal runtime for the bench kernels (QEMU virt machine). */
#ifndef RT_H
#define RT_H

#include <stdint.h>
#include <stddef.h>

void rt_putc(char c);
void rt_puts(const char *s);
void rt_put_dec(uint64_t v);
void rt_put_hex(uint64_t v);            /* "0x" + lowercase hex, no padding */
uint64_t rt_mtime(void);                /* CLINT mtime, 10 MHz */
uint64_t rt_instret(void);              /* minstret CSR */
void rt_exit(int code) __attribute__((noreturn));   /* sifive_test finisher */
void rt_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval) __attribute__((noreturn));

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
