/*
 * volume_bench: times Docker volume plugin requests over a unix socket, one connection per
 * request like Docker's plugin client. Prints the median, min and max in milliseconds.
 *   volume_bench SOCKET warm NAME RUNS   time Mount of an existing volume
 *   volume_bench SOCKET cold NAME RUNS   Remove (untimed), then time Create: a full build
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One POST; returns 0 if the reply is 200 with "Err":null. */
static int post(const char *socket_path, const char *call, const char *name)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                perror("connect");
                exit(1);
        }
        char body[512], request[1024];
        int body_len = snprintf(body, sizeof(body), "{\"Name\":\"%s\"}", name);
        int len = snprintf(request, sizeof(request),
                           "POST /VolumeDriver.%s HTTP/1.1\r\nHost: plugin\r\n"
                           "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                           "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                           call, body_len, body);
        if (write(fd, request, (size_t)len) != len) {
                perror("write");
                exit(1);
        }
        char reply[4096];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof(reply) - 1 && (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
                got += (size_t)n;
        reply[got] = '\0';
        close(fd);
        return strstr(reply, " 200 ") != NULL && strstr(reply, "\"Err\":null") != NULL ? 0 : -1;
}

static int compare(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
        if (argc != 5 || (strcmp(argv[2], "warm") != 0 && strcmp(argv[2], "cold") != 0)) {
                fprintf(stderr, "usage: volume_bench SOCKET warm|cold NAME RUNS\n");
                return 2;
        }
        const char *socket_path = argv[1], *name = argv[3];
        bool cold = strcmp(argv[2], "cold") == 0;
        int runs = atoi(argv[4]);
        if (runs < 1)
                return 2;
        double *times = calloc((size_t)runs, sizeof(double));
        if (!cold && post(socket_path, "Create", name) < 0) {
                fprintf(stderr, "Create %s failed\n", name);
                return 1;
        }
        for (int i = 0; i < runs; i++) {
                if (cold && post(socket_path, "Remove", name) < 0) {
                        fprintf(stderr, "Remove %s failed\n", name);
                        return 1;
                }
                double start = now_ms();
                if (post(socket_path, cold ? "Create" : "Mount", name) < 0) {
                        fprintf(stderr, "%s %s failed\n", cold ? "Create" : "Mount", name);
                        return 1;
                }
                times[i] = now_ms() - start;
        }
        qsort(times, (size_t)runs, sizeof(double), compare);
        double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        printf("%s: median %.3f ms, min %.3f ms, max %.3f ms over %d runs\n",
               cold ? "cold build (Create)" : "warm mount (Mount)", median, times[0],
               times[runs - 1], runs);
        free(times);
        return 0;
}
