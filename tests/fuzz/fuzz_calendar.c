/*  fuzz_calendar.c — libFuzzer harness: the working-day calendar loader
    (broker/broker_calendar.h).
    The body is fuzz_calendar_one in fuzz_targets.c, which tests/test_fuzz_regress.c also runs
    on tests/fuzz/regressions/calendar/. Built and run by `make fuzz`. */
#include "fuzz_targets.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A broken promise is a finding like a crash: abort so libFuzzer saves the input.
    if (fuzz_calendar_one (data, size) != 0)
        abort ();
    return 0;
}
