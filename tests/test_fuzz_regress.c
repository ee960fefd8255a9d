/*  test_fuzz_regress.c — every input in tests/fuzz/regressions/<harness>/ through the same
    harness body the fuzzer runs, in the sanitizer build of `make test`: whatever `make fuzz`
    once found stays fixed, and the nastiest hand-made inputs (truncated frames, deep
    nesting, huge lengths, invalid UTF-8, a config with 33 services) are run on every build.

    An input the project does not handle yet is marked by a file beside it named
    `<input>.known` whose first line says what goes wrong and where; the suite skips it with
    CU_PASS ("KNOWN BUG: ...") and prints that line. Delete the .known file with the fix.

    The harness bodies are compiled into this file by including tests/fuzz/fuzz_targets.c:
    the test build compiles the .c files directly in tests/ only, and including it keeps that rule
   untouched while run_tests runs exactly the code the libFuzzer harnesses run (see
   tests/fuzz/README.md). */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"
#include "tests.h"

#include "fuzz/fuzz_targets.c"

typedef int (*s_harness_fn) (const uint8_t *data, size_t size);

//  Reads a whole file (any bytes); caller frees. NULL if it cannot be read.
static uint8_t *
s_slurp (const char *path, size_t *size)
{
    FILE *f = fopen (path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    struct stat st;
    if (fstat (fileno (f), &st) == 0 && st.st_size >= 0) {
        data = malloc ((size_t)st.st_size + 1);
        if (data && fread (data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free (data);
            data = NULL;
        }
        *size = (size_t)st.st_size;
    }
    fclose (f);
    return data;
}

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

//  Runs `one` on every input of tests/fuzz/regressions/<harness>/, in name order.
static void
s_run_dir (const char *harness, s_harness_fn one)
{
    char rel[128];
    snprintf (rel, sizeof rel, "tests/fuzz/regressions/%s", harness);
    char dir[1024];
    snprintf (dir, sizeof dir, "%s", test_src (rel));
    DIR *d = opendir (dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL (d);
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *ent;
    while ((ent = readdir (d))) {
        size_t len = strlen (ent->d_name);
        if (ent->d_name[0] == '.' || (len > 6 && strcmp (ent->d_name + len - 6, ".known") == 0))
            continue;
        char **grown = realloc (names, (nnames + 1) * sizeof *names);
        CU_ASSERT_PTR_NOT_NULL_FATAL (grown);
        names = grown;
        names[nnames] = strdup (ent->d_name);
        CU_ASSERT_PTR_NOT_NULL_FATAL (names[nnames]);
        nnames++;
    }
    closedir (d);
    qsort (names, nnames, sizeof *names, s_compare_names);

    for (size_t i = 0; i < nnames; i++) {
        char path[1400], known[1500];
        snprintf (path, sizeof path, "%s/%s", dir, names[i]);
        snprintf (known, sizeof known, "%s.known", path);
        size_t ksize = 0;
        uint8_t *why = s_slurp (known, &ksize);
        if (why) {
            why[ksize] = 0;
            why[strcspn ((char *)why, "\n")] = 0;
            printf ("\n    KNOWN BUG, skipped: %s/%s: %s\n    ", harness, names[i], (char *)why);
            CU_PASS ("KNOWN BUG: input skipped until the bug in its .known file is fixed");
            free (why);
            continue;
        }
        size_t size = 0;
        uint8_t *data = s_slurp (path, &size);
        CU_ASSERT_PTR_NOT_NULL (data);
        if (!data)
            continue;
        int rc = one (data, size);
        if (rc != 0)
            fprintf (stderr, "\n    %s/%s broke a promise (see above)\n", harness, names[i]);
        CU_ASSERT_EQUAL (rc, 0);
        free (data);
    }
    //  An empty folder would pass silently: each harness keeps at least one input.
    CU_ASSERT (nnames >= 1);
    for (size_t i = 0; i < nnames; i++)
        free (names[i]);
    free (names);
}

static void
test_request (void)
{
    s_run_dir ("request", fuzz_request_one);
}

static void
test_frames (void)
{
    s_run_dir ("frames", fuzz_frames_one);
}

static void
test_config (void)
{
    s_run_dir ("config", fuzz_config_one);
}

static void
test_calendar (void)
{
    s_run_dir ("calendar", fuzz_calendar_one);
}

static void
test_token (void)
{
    s_run_dir ("token", fuzz_token_one);
}

int
test_fuzz_regress_suite (void)
{
    CU_pSuite suite = CU_add_suite ("fuzz_regress", NULL, NULL);
    if (!suite)
        return -1;
    if (!CU_add_test (suite, "request: protocol decoder and validator", test_request) ||
        !CU_add_test (suite, "frames: lock-board parser and decoder", test_frames) ||
        !CU_add_test (suite, "config: hall config loader", test_config) ||
        !CU_add_test (suite, "calendar: calendar loader", test_calendar) ||
        !CU_add_test (suite, "token: tokens, UTF-8, identifier checks", test_token))
        return -1;
    return 0;
}
