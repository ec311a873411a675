/* hello.c - smallest C guest: print a greeting on the ns16550a UART and
 * return 0 (crt0 then prints "PASS" and signals the sifive_test finisher). */
#include "uart.h"

int main(void)
{
    rvtest_puts("Hello from rvjit guest\n");
    return 0;
}
