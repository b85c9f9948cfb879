/* Placeholder (replaced by the run-path work). */
#include "nvidia-docker/run_module.h"

#include <stdio.h>

int run_module_main(const struct run_request *request)
{
        (void)request;
        fprintf(stderr, "nvidia-docker: the run path is not built yet\n");
        return 1;
}
