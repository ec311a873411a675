/* vm_sv48.c - Sv48 page-table walks at every level, misaligned superpages,
 * canonical-address checks (see common/vm_levels.h). */
#define VM_LEVELS 4
#define VM_SATP_MODE SATP_SV48
#include "vm_levels.h"
