/* selftest_fail.S - deliberately failing program: tests 1..6 pass and
 * test 7 fails, so the harness must see "FAIL 7" and exit status 7.
 * Proves that a failing guest is reported as a failure. */
#include "rvtest.h"

RVTEST_CODE_BEGIN
        TEST_RR_OP(1, add, 3, 1, 2)
        TEST_RR_OP(2, sub, -1, 1, 2)
        TEST_IMM_OP(3, addi, 10, 5, 5)
        TEST_RR_OP(4, xor, 0, 7, 7)
        TEST_RR_OP(5, or, 7, 5, 2)
        TEST_RR_OP(6, and, 0, 5, 2)
        /* wrong on purpose: 2 + 2 is not 5 */
        TEST_RR_OP(7, add, 5, 2, 2)
        TEST_RR_OP(8, add, 4, 2, 2)
        RVTEST_PASS
