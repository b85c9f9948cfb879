/*
 * recorder: stands in for docker at the end of the wrapper's exec. Writes its arguments, one
 * per line (argv[0] first), to the file named by $NVD_RECORD (or stdout), and exits 0.
 * Tests set NV_DOCKER to it to see the final argv; benchmarks to time the wrapper alone.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
        const char *path = getenv("NVD_RECORD");
        FILE *out = stdout;
        if (path != NULL && path[0] != '\0')
                out = fopen(path, "w");
        if (out == NULL)
                return 2;
        for (int i = 0; i < argc; i++)
                fprintf(out, "%s\n", argv[i]);
        return fclose(out) == 0 ? 0 : 2;
}
