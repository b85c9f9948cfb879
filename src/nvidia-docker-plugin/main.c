/* Placeholder (replaced by the plugin work). */
#include <stdio.h>

int main(void)
{
        printf("NVIDIA Docker plugin: %s\n", NVD_VERSION);
        return 0;
}
