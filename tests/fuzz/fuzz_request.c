/*  fuzz_request.c — libFuzzer harness: the protocol decoder and validator
    (protocol/proto_msg.h).
    The body is fuzz_request_one in fuzz_targets.c, which tests/test_fuzz_regress.c also runs
    on tests/fuzz/regressions/request/. Built and run by `make fuzz`. */
#include "fuzz_targets.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A broken promise is a finding like a crash: abort so libFuzzer saves the input.
    if (fuzz_request_one (data, size) != 0)
        abort ();
    return 0;
}
