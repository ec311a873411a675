/* reset_reboot.c - a guest-requested system reset (the sifive_test device's 0x7777, which
 * OpenSBI writes for an SBI SRST cold or warm reboot) restarts the virt machine as QEMU does:
 * every hart starts again at the reset vector (0x1000), which passes a0 = hartid and
 * a1 = the device tree again; the devices are back in their power-on state; RAM keeps what
 * the guest wrote outside the loaded images, while the images themselves (this program's
 * .data) are written again, as QEMU's loader restores the blobs it registered (-kernel,
 * -bios, -initrd, the device tree) on every reset.
 *
 * Boot 1 marks a RAM word outside the image, changes a .data word and some device registers,
 * and asks for the reset.  Boot 2 finds the mark and checks the above.  With -no-reboot the
 * machine exits after boot 1 instead (status 0, as QEMU). */
#include "uart.h"

#define FINISHER        0x100000UL
#define FINISHER_RESET  0x7777
#define UART_SCR        0x10000007UL      /* ns16550a scratch register: 0 after reset */
#define PLIC_PRIO10     (0xc000000UL + 4 * 10)
#define MARK_ADDR       0x80f00000UL      /* RAM beyond this program's image and stack */
#define MARK            0x5245424f4f54UL  /* "REBOOT" */
#define FDT_MAGIC       0xd00dfeedU

static volatile unsigned long data_word = 0x1111;

#define REG32(a) (*(volatile unsigned int *)(a))
#define REG8(a)  (*(volatile unsigned char *)(a))

static unsigned int be32(const volatile unsigned char *p)
{
    return (unsigned int)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int first_boot(void)
{
    *(volatile unsigned long *)MARK_ADDR = MARK;
    data_word = 0x2222;
    REG8(UART_SCR) = 0x5a;
    REG32(PLIC_PRIO10) = 3;
    rvtest_puts("boot 1: reset\n");
    REG32(FINISHER) = FINISHER_RESET;
    for (volatile int i = 0; i < 1000000; i++)
        ;
    rvtest_puts("no reset\n");
    return 1;
}

int main(long hartid, unsigned long dtb)
{
    volatile unsigned long *mark = (volatile unsigned long *)MARK_ADDR;
    if (*mark != MARK)
        return first_boot();
    *mark = 0;
    rvtest_puts("boot 2\n");
    if (hartid != 0)
        return 2;
    if (be32((const volatile unsigned char *)dtb) != FDT_MAGIC)
        return 3;
    if (REG8(UART_SCR) != 0)
        return 4;
    if (REG32(PLIC_PRIO10) != 0)
        return 5;
    if (data_word != 0x1111)
        return 6;
    return 0;
}
