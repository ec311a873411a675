/* G-stage (guest-physical -> host-physical) page tables, Sv39x4 (hypervisor.adoc
 * "Guest Physical Address Translation").  Each guest's 2 MiB of RAM at GPA 0x80000000 is mapped
 * with 4 KiB leaves onto its own host region; nothing else is mapped, so every other GPA (the
 * emulated UART in particular) raises a guest-page fault into HS-mode. */
#include "riscv.h"
#include "hvdemo.h"

#define SV39X4_ROOT_ENTRIES 2048        /* 41-bit GPA: the root is 4x larger, 16 KiB aligned */
#define PT_ENTRIES 512

/* Aligning the type (not only the array) pads it to 32 KiB, so that every guest's root is
 * 16 KiB aligned: hgatp.PPN[1:0] read as zero in the paged modes. */
struct gstage_tables {
    unsigned long root[SV39X4_ROOT_ENTRIES];
    unsigned long l1[PT_ENTRIES];
    unsigned long l0[PT_ENTRIES];
} __attribute__((aligned(16384)));

static struct gstage_tables gstage[NR_GUESTS];

static unsigned long pte_table(const void *next)
{
    return (((unsigned long)next >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

unsigned long gstage_build(unsigned guest, unsigned long ram_hpa)
{
    struct gstage_tables *t = &gstage[guest - 1];
    unsigned long gpa = GUEST_RAM_GPA;

    /* Sv39x4 splits a GPA as VPN[2] = gpa[40:30] (11 bits), VPN[1] = gpa[29:21],
     * VPN[0] = gpa[20:12]. */
    t->root[(gpa >> 30) & 0x7ff] = pte_table(t->l1);
    t->l1[(gpa >> 21) & 0x1ff] = pte_table(t->l0);
    for (unsigned long i = 0; i < GUEST_RAM_SIZE / PAGE_SIZE; i++) {
        unsigned long hpa = ram_hpa + i * PAGE_SIZE;
        /* G-stage accesses count as U-mode accesses: leaves need U=1.  A and D are preset so
         * the hart never needs to update them (Svade or Svadu alike). */
        t->l0[((gpa >> 12) & 0x1ff) + i] = ((hpa >> PAGE_SHIFT) << PTE_PPN_SHIFT) |
            PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
    }
    __asm__ volatile("fence rw, rw" ::: "memory");
    return (unsigned long)t->root;
}

/* The software view of the same mapping, used when the hart reports htval = 0. */
int gpa_to_hpa(const struct vcpu *v, unsigned long gpa, unsigned long *hpa)
{
    if (gpa < GUEST_RAM_GPA || gpa - GUEST_RAM_GPA >= GUEST_RAM_SIZE)
        return 0;
    *hpa = v->ram_hpa + (gpa - GUEST_RAM_GPA);
    return 1;
}
