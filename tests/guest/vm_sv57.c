/* vm_sv57.c - Sv57 page-table walks at every level, misaligned superpages,
 * canonical-address checks (see common/vm_levels.h). */
#define VM_LEVELS 5
#define VM_SATP_MODE SATP_SV57
#include "vm_levels.h"
