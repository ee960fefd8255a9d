/*  fuzz_token.c — libFuzzer harness: QR tokens, UTF-8 and identifier checks
    (proto_token.h, proto_qr.h, broker_idcheck.h).
    The body is fuzz_token_one in fuzz_targets.c, which tests/test_fuzz_regress.c also runs
    on tests/fuzz/regressions/token/. Built and run by `make fuzz`. */
#include "fuzz_targets.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  A broken promise is a finding like a crash: abort so libFuzzer saves the input.
    if (fuzz_token_one (data, size) != 0)
        abort ();
    return 0;
}
