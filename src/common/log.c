#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "nvidia-docker";

void stdio_ensure_open(void)
{
        for (int fd = 0; fd < 3; fd++) {
                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
                if (opened >= 0 && opened != fd) /* lower ones are open by now: it is fd */
                        close(opened);
        }
}

void log_init(const char *program)
{
        if (program != NULL && program[0] != '\0')
                log_program = program;
}

__attribute__((format(printf, 2, 0))) static void log_vline(const char *prefix, const char *fmt,
                                                            va_list ap)
{
        char stamp[32] = "";
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm) != NULL)
                strftime(stamp, sizeof(stamp), "%Y/%m/%d %H:%M:%S", &tm);
        /* One buffered write per line, so lines of concurrent processes do not interleave. */
        char line[4096];
        int n = snprintf(line, sizeof(line), "%s | %s %s", log_program, stamp, prefix);
        if (n < 0)
                return;
        if ((size_t)n < sizeof(line))
                vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
        fprintf(stderr, "%s\n", line);
        fflush(stderr);
}

void log_msg(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_vline("", fmt, ap);
        va_end(ap);
}

void log_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_vline("Error: ", fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_vline("Warning: ", fmt, ap);
        va_end(ap);
}
