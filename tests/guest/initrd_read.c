/* initrd_read.c - a bare-metal guest finds the -initrd file through the device tree, as a
 * hypervisor booted with a raw disk image as its initrd does: a1 at entry holds the address
 * of the flattened device tree (the reset ROM passes it with -bios none); /chosen's
 * linux,initrd-start and linux,initrd-end (one cell, as QEMU 7.2 writes them, or two) give
 * the range [start, end).  The program prints the range and the FNV-1a 64 hash of its bytes
 * but the last 8, and passes when those 8 bytes (little-endian) hold that hash: the file is
 * then all there, byte for byte.  Without -initrd it prints "initrd: none" and passes.
 *
 * Devicetree Specification v0.4, chapter 5 (header, structure block tokens). */
#include "uart.h"

#define FDT_MAGIC       0xd00dfeedU
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

typedef const volatile unsigned char *bytes;

static unsigned long be(bytes p, int n)
{
    unsigned long v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static int streq(bytes a, const char *b)
{
    while (*b && *a == (unsigned char)*b) {
        a++;
        b++;
    }
    return *a == 0 && *b == 0;
}

static unsigned long align4(unsigned long v)
{
    return (v + 3) & ~3UL;
}

/* /chosen's linux,initrd-start/end into *start and *end; 0 if absent, <0 on a bad tree. */
static int find_initrd(bytes fdt, unsigned long *start, unsigned long *end)
{
    if (be(fdt, 4) != FDT_MAGIC)
        return -1;
    bytes structs = fdt + be(fdt + 8, 4);
    bytes strings = fdt + be(fdt + 12, 4);
    unsigned long off = 0;
    int depth = 0, in_chosen = 0, found = 0;
    for (;;) {
        unsigned long token = be(structs + off, 4);
        off += 4;
        if (token == FDT_BEGIN_NODE) {
            bytes name = structs + off;
            unsigned long len = 0;
            while (name[len])
                len++;
            off = align4(off + len + 1);
            depth++;
            if (depth == 2 && streq(name, "chosen"))
                in_chosen = 1;
        } else if (token == FDT_END_NODE) {
            if (depth == 2)
                in_chosen = 0;
            depth--;
        } else if (token == FDT_PROP) {
            unsigned long len = be(structs + off, 4);
            bytes name = strings + be(structs + off + 4, 4);
            bytes value = structs + off + 8;
            off = align4(off + 8 + len);
            if (!in_chosen || depth != 2 || (len != 4 && len != 8))
                continue;
            if (streq(name, "linux,initrd-start")) {
                *start = be(value, len);
                found |= 1;
            } else if (streq(name, "linux,initrd-end")) {
                *end = be(value, len);
                found |= 2;
            }
        } else if (token == FDT_END) {
            return found == 3;
        } else if (token != FDT_NOP) {
            return -2;
        }
    }
}

static unsigned long fnv1a64(bytes p, unsigned long n)
{
    unsigned long h = 0xcbf29ce484222325UL;
    for (unsigned long i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3UL;
    }
    return h;
}

static unsigned long le64(bytes p)
{
    unsigned long v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int main(long hartid, unsigned long dtb)
{
    unsigned long start = 0, end = 0;
    (void)hartid;
    int r = find_initrd((bytes)dtb, &start, &end);
    if (r < 0)
        return 1;
    if (r == 0) {
        rvtest_puts("initrd: none\n");
        return 0;
    }
    if (end < start + 8)
        return 2;
    unsigned long hash = fnv1a64((bytes)start, end - start - 8);
    rvtest_puts("initrd ");
    rvtest_puthex(start);
    rvtest_puts(" ");
    rvtest_putdec(end - start);
    rvtest_puts(" bytes fnv1a ");
    rvtest_puthex(hash);
    rvtest_puts("\n");
    return hash == le64((bytes)end - 8) ? 0 : 3;
}
