/*  run_tests.c — registers every suite from tests.h and runs them with CUnit's basic
    interface. `run_tests [SUITE...]` runs only the named suites. Exits non-zero if any
    test failed or a suite could not be registered. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const struct {
    const char *name;
    int (*add) (void);
} s_suites[] = {
#define X(name) {#name, test_##name##_suite},
    TEST_SUITES (X)
#undef X
};

static int
s_wanted (const char *name, int argc, char **argv)
{
    if (argc <= 1)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], name) == 0)
            return 1;
    return 0;
}

int crash_campaign (int kills, unsigned seed, FILE *out);

int
main (int argc, char **argv)
{
    //  `run_tests --crash-campaign [--kills N] [--seed S]`: the campaign alone
    //  (scripts/crash-test).
    if (argc > 1 && strcmp (argv[1], "--crash-campaign") == 0) {
        int kills = 20;
        unsigned seed = 1;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (strcmp (argv[i], "--kills") == 0)
                kills = atoi (argv[i + 1]);
            else if (strcmp (argv[i], "--seed") == 0)
                seed = (unsigned)strtoul (argv[i + 1], NULL, 10);
        }
        return crash_campaign (kills, seed, stdout);
    }
    if (CU_initialize_registry () != CUE_SUCCESS)
        return 2;
    int bad = 0;
    for (size_t i = 0; i < sizeof s_suites / sizeof s_suites[0]; i++) {
        if (!s_wanted (s_suites[i].name, argc, argv))
            continue;
        if (s_suites[i].add () != 0) {
            fprintf (stderr, "run_tests: cannot register suite %s\n", s_suites[i].name);
            bad = 1;
        }
    }
    CU_basic_set_mode (CU_BRM_VERBOSE);
    CU_basic_run_tests ();
    unsigned failed = CU_get_number_of_failures ();
    unsigned suites_failed = CU_get_number_of_suites_failed ();
    unsigned tests_run = CU_get_number_of_tests_run ();
    CU_cleanup_registry ();
    if (tests_run == 0) {
        fprintf (stderr, "run_tests: no test ran\n");
        return 1;
    }
    return (failed || suites_failed || bad) ? 1 : 0;
}
