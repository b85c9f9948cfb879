#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

__attribute__((format(printf, 4, 0))) static int
error_vset(struct error *err, int code, const char *suffix, const char *fmt, va_list ap)
{
        if (err == NULL || err->message != NULL)
                return -1;
        cleanup_free char *text = xvasprintf(fmt, ap);
        err->code = code;
        err->message = suffix ? xasprintf("%s: %s", text, suffix) : xstrdup(text);
        return -1;
}

int error_set(struct error *err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        error_vset(err, -1, NULL, fmt, ap);
        va_end(ap);
        return -1;
}

int error_set_errno(struct error *err, int code, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        error_vset(err, code, strerror(code), fmt, ap);
        va_end(ap);
        return -1;
}

int error_prefix(struct error *err, const char *fmt, ...)
{
        if (err == NULL || err->message == NULL)
                return -1;
        va_list ap;
        va_start(ap, fmt);
        cleanup_free char *prefix = xvasprintf(fmt, ap);
        va_end(ap);
        char *joined = xasprintf("%s: %s", prefix, err->message);
        free(err->message);
        err->message = joined;
        return -1;
}

bool error_is_set(const struct error *err)
{
        return err != NULL && err->message != NULL;
}

void error_clear(struct error *err)
{
        if (err == NULL)
                return;
        free(err->message);
        err->message = NULL;
        err->code = 0;
}
