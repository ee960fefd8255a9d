/*  test_readme_it.c — README.md as a newcomer meets it: every command block runs as written
    against a demo hall started for it, the commands the demo prints are README.md's, and
    the walkthrough runs twice in a row on a hall whose web kiosk was used. The work is
    scripts/check-readme's (a person can run it too); this runs it on the programs under
    test, in a clone and on ports of its own. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tests.h"

static void
test_readme_blocks (void)
{
    char cmd[1200];
    snprintf (cmd, sizeof cmd, "'%s' 2>&1", test_src ("scripts/check-readme"));
    int status;
    char *out = test_run (cmd, &status);
    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "README.md blocks ran"));
    CU_ASSERT_PTR_NOT_NULL (out && strstr (out, "the walkthrough ran twice"));
    if (status != 0)
        fprintf (stderr, "\n%s\n", out ? out : "(no output)");
    free (out);
}

int
test_readme_it_suite (void)
{
    CU_pSuite s = CU_add_suite ("readme_it", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test (s, "README.md's blocks as written on a demo; the walkthrough twice",
                 test_readme_blocks);
    return 0;
}
