/* Placeholder front end (replaced by the argv reader work): passes everything to docker. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
        (void)argc;
        argv[0] = "docker";
        execvp("docker", argv);
        perror("nvidia-docker: cannot run docker");
        return 1;
}
