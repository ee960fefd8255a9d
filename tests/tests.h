/*  tests.h — how test files plug into run_tests.

    Each tests/test_<module>.c defines one `int test_<module>_suite (void)` that adds a CUnit
    suite (CU_add_suite + CU_add_test) and returns 0, and run_tests.c lists it in its table.
    Helpers shared by several suites live in test_util.h. */
#ifndef TESTS_H
#define TESTS_H

#include <CUnit/CUnit.h>

#define TEST_SUITES(X)     \
    X (proto)              \
    X (wire)               \
    X (text)               \
    X (token)              \
    X (qr)                 \
    X (slip)               \
    X (config)             \
    X (idcheck)            \
    X (calendar)           \
    X (holidays)           \
    X (fuzz_regress)       \
    X (store)              \
    X (idem)               \
    X (numbering)          \
    X (policy)             \
    X (estimate)           \
    X (broker_it)          \
    X (case_it)            \
    X (rating_it)          \
    X (notify_it)          \
    X (calendar_it)        \
    X (crash_it)           \
    X (badinput_it)        \
    X (auth_it)            \
    X (store_integrity_it) \
    X (limits_it)          \
    X (crash_campaign)     \
    X (cli_it)             \
    X (lockboard)          \
    X (lockboard_sim)      \
    X (vault_store)        \
    X (vault_config)       \
    X (vault_it)           \
    X (vault_faults_it)    \
    X (vault_staff_it)     \
    X (pickup_it)          \
    X (vault_crash_it)     \
    X (vault_boards_it)    \
    X (vault_keys_it)      \
    X (vault_camera_it)    \
    X (display_it)         \
    X (monitor_it)         \
    X (report)             \
    X (report_it)          \
    X (index)              \
    X (appt_it)            \
    X (policy_rules)       \
    X (privacy_it)         \
    X (idtype_it)          \
    X (mirror_it)          \
    X (web_it)             \
    X (sim_it)             \
    X (spec)               \
    X (readme_it)          \
    X (deploy_it)          \
    X (district)           \
    X (district_it)

#define X(name) int test_##name##_suite (void);
TEST_SUITES (X)
#undef X

#endif
