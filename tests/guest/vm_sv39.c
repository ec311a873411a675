/* vm_sv39.c - Sv39 page-table walks at every level, misaligned superpages,
 * canonical-address checks (see common/vm_levels.h). */
#define VM_LEVELS 3
#define VM_SATP_MODE SATP_SV39
#include "vm_levels.h"
