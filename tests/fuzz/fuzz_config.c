/*  fuzz_config.c — libFuzzer harness: the hall config loader (broker/broker_config.h).
    The body is fuzz_config_one in fuzz_targets.c, which tests/test_fuzz_regress.c also runs
    on tests/fuzz/regressions/config/. Built and run by `make fuzz`. */
#include "fuzz_targets.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A broken promise is a finding like a crash: abort so libFuzzer saves the input.
    if (fuzz_config_one (data, size) != 0)
        abort ();
    return 0;
}
