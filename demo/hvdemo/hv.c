/* The HS-mode hypervisor: guest creation, exits (hypercalls, MMIO faults, timer), scheduling and
 * the world switch between the two guests. */
#include "riscv.h"
#include "hvdemo.h"

extern char hs_trap_vector[], hs_stack_top[], guest_image_start[], guest_image_end[];
void hs_enter_guest(struct vcpu *v) __attribute__((noreturn));
void hs_main(void) __attribute__((noreturn));
struct vcpu *hs_trap(struct vcpu *v);
void hs_self_trap_report(void) __attribute__((noreturn));

static struct vcpu vcpus[NR_GUESTS];
static struct vcpu *current;
static int fence_on_switch;          /* VMIDs unusable: flush on every world switch */
static unsigned long world_switches, timeslices;

static const unsigned long guest_ram_hpa[NR_GUESTS] = { GUEST1_RAM_HPA, GUEST2_RAM_HPA };
/* Guest 2 sees a clock far ahead of the host's (VS-mode `time` = mtime + htimedelta). */
static const unsigned long guest_htimedelta[NR_GUESTS] = { 0, 0x100000000000UL };

void *memset(void *dst, int c, unsigned long n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, unsigned long n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

static void mcall_set_timer(unsigned long when)
{
    register unsigned long a0 __asm__("a0") = when;
    register unsigned long a7 __asm__("a7") = MCALL_SET_TIMER;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}

static void report_trap_csrs(void)
{
    con_puts("  scause=");
    con_puthex(csr_read(scause));
    con_puts(" sepc=");
    con_puthex(csr_read(sepc));
    con_puts(" stval=");
    con_puthex(csr_read(stval));
    con_puts("\n  htval=");
    con_puthex(csr_read(htval));
    con_puts(" htinst=");
    con_puthex(csr_read(htinst));
    con_puts(" hstatus=");
    con_puthex(csr_read(hstatus));
    con_puts("\n");
}

void hv_fatal(struct vcpu *v, const char *why)
{
    con_puts("hvdemo: FATAL: ");
    con_puts(why);
    if (v) {
        con_puts(" (guest ");
        con_putdec(v->id);
        con_puts(")");
    }
    con_puts("\n");
    report_trap_csrs();
    finisher_exit(1);
}

void hs_self_trap_report(void)
{
    hv_fatal(0, "trap taken from HS-mode itself");
}

/* Guest console output arrives one character per MMIO exit; print whole lines, prefixed. */
void vcpu_line_out(struct vcpu *v, char c)
{
    if (c == '\r')
        return;
    if (c != '\n' && v->line_len < sizeof(v->line) - 1) {
        v->line[v->line_len++] = c;
        return;
    }
    v->line[v->line_len] = 0;
    con_puts(v->id == 1 ? "[g1] " : "[g2] ");
    con_puts(v->line);
    con_puts("\n");
    v->line_len = 0;
    v->lines++;
    if (c != '\n')
        vcpu_line_out(v, c);
}

/* ---- world switch (hypervisor.adoc "Memory-Management Fences": zero vsatp, swap hgatp, then
 *      write the new vsatp) ---- */
static void vcpu_save_csrs(struct vcpu *v)
{
    v->vsstatus = csr_read(vsstatus);
    v->vsie = csr_read(vsie);
    v->vstvec = csr_read(vstvec);
    v->vsscratch = csr_read(vsscratch);
    v->vsepc = csr_read(vsepc);
    v->vscause = csr_read(vscause);
    v->vstval = csr_read(vstval);
    v->vsatp = csr_read(vsatp);
    v->hvip = csr_read(hvip);
}

static void vcpu_load_csrs(struct vcpu *v)
{
    csr_write(vsatp, 0);
    csr_write(hgatp, v->hgatp);
    if (fence_on_switch)
        hfence_gvma_all();
    csr_write(vsatp, v->vsatp);
    if (fence_on_switch)
        hfence_vvma_all();          /* VS-stage entries of the other guest share our VMID */
    csr_write(vsstatus, v->vsstatus);
    csr_write(vsie, v->vsie);
    csr_write(vstvec, v->vstvec);
    csr_write(vsscratch, v->vsscratch);
    csr_write(vsepc, v->vsepc);
    csr_write(vscause, v->vscause);
    csr_write(vstval, v->vstval);
    csr_write(hvip, v->hvip);
    csr_write(htimedelta, v->htimedelta);
}

/* The guest's virtual timer: pending while guest time >= its deadline, delivered by hvip.VSTIP
 * (delegated to VS through hideleg, where it arrives as a supervisor timer interrupt, cause 5). */
static void vcpu_update_vstip(struct vcpu *v)
{
    unsigned long guest_now = read_time() + v->htimedelta;
    if (v->deadline <= guest_now) {
        if (!(csr_read(hvip) & MIP_VSTIP))
            v->vstip_injections++;
        csr_set(hvip, MIP_VSTIP);
    } else {
        csr_clear(hvip, MIP_VSTIP);
    }
}

static void finish(void) __attribute__((noreturn));
static void finish(void)
{
    int ok = 1;
    for (int i = 0; i < NR_GUESTS; i++) {
        struct vcpu *v = &vcpus[i];
        con_puts("hvdemo: guest ");
        con_putdec(v->id);
        con_puts(": ");
        con_putdec(v->lines);
        con_puts(" lines, ");
        con_putdec(v->mmio_exits);
        con_puts(" MMIO exits (");
        con_putdec(v->htinst_decodes);
        con_puts(" via htinst, ");
        con_putdec(v->hlvx_decodes);
        con_puts(" via HLVX), ");
        con_putdec(v->hypercalls);
        con_puts(" hypercalls, ");
        con_putdec(v->vstip_injections);
        con_puts(" VSTIP injections\n");
        if (v->lines < TICKS_WANTED || v->vstip_injections == 0)
            ok = 0;
    }
    con_puts("hvdemo: ");
    con_putdec(world_switches);
    con_puts(" world switches in ");
    con_putdec(timeslices);
    con_puts(" time slices\n");
    if (!ok) {
        con_puts("hvdemo: FAIL: a guest did not finish its work\n");
        finisher_exit(4);
    }
    con_puts("hvdemo: both guests done\n");
    finisher_exit(0);
}

static struct vcpu *pick_next(struct vcpu *v)
{
    struct vcpu *other = &vcpus[v->id % NR_GUESTS];
    if (!other->done)
        return other;
    if (!v->done)
        return v;
    finish();
}

/* SBI-style hypercalls (ecall from VS-mode, cause 10). */
static struct vcpu *hypercall(struct vcpu *v)
{
    unsigned long eid = v->x[17], fid = v->x[16];
    struct vcpu *next = v;

    v->pc += 4;
    v->hypercalls++;
    if (eid == SBI_EXT_HVDEMO && fid == 0) {            /* get guest id */
        v->x[10] = 0;
        v->x[11] = v->id;
    } else if (eid == SBI_EXT_TIME && fid == 0) {       /* set_timer: also clears the pending */
        v->deadline = v->x[10];
        v->x[10] = 0;
    } else if (eid == SBI_EXT_SRST && fid == 0) {       /* system_reset: this guest is done */
        v->x[10] = 0;
        v->done = 1;
        next = pick_next(v);
    } else {
        v->x[10] = (unsigned long)SBI_ERR_NOT_SUPPORTED;
    }
    return next;
}

struct vcpu *hs_trap(struct vcpu *v)
{
    unsigned long cause = csr_read(scause);
    struct vcpu *next = v;

    v->pc = csr_read(sepc);
    if (!(csr_read(hstatus) & HSTATUS_SPV))
        hv_fatal(v, "trap into HS with hstatus.SPV = 0 while a guest was running");

    if (cause == (CAUSE_INTERRUPT | IRQ_S_TIMER)) {
        timeslices++;
        mcall_set_timer(read_time() + TIME_SLICE);
        next = pick_next(v);
    } else if (cause == EXC_ECALL_VS) {
        next = hypercall(v);
    } else if (cause == EXC_LOAD_GUEST_PAGE_FAULT || cause == EXC_STORE_GUEST_PAGE_FAULT) {
        if (!vuart_handle_fault(v, cause))
            hv_fatal(v, "guest-page fault outside the emulated UART");
    } else {
        hv_fatal(v, "unexpected trap from a guest");
    }

    if (next != current) {
        vcpu_save_csrs(current);
        vcpu_load_csrs(next);
        current = next;
        world_switches++;
    }
    vcpu_update_vstip(next);
    csr_write(sepc, next->pc);
    return next;
}

static void probe_hgatp(unsigned long root)
{
    unsigned long want = HGATP_MODE_SV39X4 | HGATP_VMID_MASK | (root >> PAGE_SHIFT);
    csr_write(hgatp, want);
    unsigned long got = csr_read(hgatp);
    csr_write(hgatp, 0);
    if ((got & HGATP_MODE_MASK) != HGATP_MODE_SV39X4)
        hv_fatal(0, "hgatp does not accept Sv39x4");
    unsigned long vmid_bits = (got & HGATP_VMID_MASK) >> HGATP_VMID_SHIFT;
    con_puts("hvdemo: hgatp VMID field mask ");
    con_puthex(vmid_bits);
    con_puts("\n");
    fence_on_switch = (vmid_bits & 3) != 3;   /* VMIDs 1 and 2 need the two low bits */
}

void hs_main(void)
{
    con_puts("hvdemo: HS-mode hypervisor starting two guests\n");
    csr_write(stvec, (unsigned long)hs_trap_vector);
    csr_write(sscratch, 0);

    csr_write(hedeleg, 0);                          /* every guest exception comes to us */
    csr_write(hideleg, 1UL << IRQ_VS_TIMER);        /* the virtual timer goes to the guest */
    csr_write(hie, 0);
    csr_write(hvip, 0);
    csr_write(hcounteren, COUNTEREN_TM);            /* guests may read `time` */
    csr_clear(hstatus, HSTATUS_VTSR | HSTATUS_VTW | HSTATUS_VTVM | HSTATUS_HU);
    csr_set(hstatus, HSTATUS_SPVP);
    csr_write(sie, MIP_STIP);                       /* HS takes the time-slice interrupt; SIE=0 */
    if (!vuart_selftest())
        hv_fatal(0, "MMIO decoder self-test failed");

    unsigned long image_size = (unsigned long)(guest_image_end - guest_image_start);
    for (unsigned i = 0; i < NR_GUESTS; i++) {
        struct vcpu *v = &vcpus[i];
        v->id = i + 1;
        v->ram_hpa = guest_ram_hpa[i];
        v->hv_sp = (unsigned long)hs_stack_top;
        v->pc = GUEST_RAM_GPA;
        v->deadline = ~0UL;
        v->htimedelta = guest_htimedelta[i];
        memset((void *)v->ram_hpa, 0, GUEST_RAM_SIZE);
        memcpy((void *)v->ram_hpa, guest_image_start, image_size);
        __asm__ volatile("fence.i" ::: "memory");
        unsigned long root = gstage_build(v->id, v->ram_hpa);
        if (i == 0)
            probe_hgatp(root);
        unsigned long vmid = fence_on_switch ? 0 : v->id;
        v->hgatp = HGATP_MODE_SV39X4 | (vmid << HGATP_VMID_SHIFT) | (root >> PAGE_SHIFT);

        con_puts("hvdemo: guest ");
        con_putdec(v->id);
        con_puts(": GPA ");
        con_puthex(GUEST_RAM_GPA);
        con_puts(" -> HPA ");
        con_puthex(v->ram_hpa);
        con_puts(" (2 MiB), hgatp ");
        con_puthex(v->hgatp);
        con_puts("\n");
    }
    hfence_gvma_all();                              /* the new G-stage tables, every VMID */

    current = &vcpus[0];
    vcpu_load_csrs(current);
    mcall_set_timer(read_time() + TIME_SLICE);
    vcpu_update_vstip(current);

    /* SRET into VS-mode: hstatus.SPV = 1, sstatus.SPP = S. */
    csr_set(hstatus, HSTATUS_SPV);
    csr_set(sstatus, MSTATUS_SPP);
    csr_clear(sstatus, MSTATUS_SPIE | MSTATUS_SIE);
    csr_write(sepc, current->pc);
    hs_enter_guest(current);
}
