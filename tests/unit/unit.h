/*
 * unit.h: the CUnit runner shared by tests/unit/test_*.c. Each test file ends with
 *   UNIT_MAIN("module", UNIT(test_a), UNIT(test_b))
 * and becomes one binary that prints CUnit's summary and "unit <module>: N passed, N failed".
 */
#ifndef NVD_UNIT_H
#define NVD_UNIT_H

#include <CUnit/Basic.h>
#include <stdio.h>

struct unit_test {
        const char *name;
        void (*fn)(void);
};

/* clang-format would spread this one-line initializer over four lines. */
/* clang-format off */
#define UNIT(fn) {#fn, fn}
/* clang-format on */

static inline int unit_run(const char *suite_name, const struct unit_test *tests)
{
        if (CU_initialize_registry() != CUE_SUCCESS)
                return 2;
        CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
        for (const struct unit_test *t = tests; t->name != NULL; t++)
                CU_add_test(suite, t->name, t->fn);
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
        unsigned failed_tests = CU_get_number_of_tests_failed();
        unsigned run = CU_get_number_of_tests_run();
        unsigned failed_asserts = CU_get_number_of_failures();
        printf("unit %s: %u passed, %u failed\n", suite_name, run - failed_tests, failed_tests);
        CU_cleanup_registry();
        return (failed_tests || failed_asserts) ? 1 : 0;
}

#define UNIT_MAIN(suite_name, ...)                                                                 \
        int main(void)                                                                             \
        {                                                                                          \
                static const struct unit_test unit_tests_[] = {__VA_ARGS__, {NULL, NULL}};         \
                return unit_run(suite_name, unit_tests_);                                          \
        }

#endif
