#include "nvidia-docker-plugin/driver_caps.h"

#include <string.h>

#include "common/xalloc.h"

/* The words, in alphabetical order (the order of canonical suffixes). */
static const struct driver_caps_word {
        const char *word;
        unsigned bit;
} caps_words[] = {
    {"compat32", DRIVER_CAP_COMPAT32}, /* 32-bit libraries too */
    {"compute", DRIVER_CAP_COMPUTE},   /* CUDA, OpenCL */
    {"display", DRIVER_CAP_DISPLAY},   /* an X server on the GPU */
    {"graphics", DRIVER_CAP_GRAPHICS}, /* OpenGL, EGL, GLES, Vulkan */
    {"utility", DRIVER_CAP_UTILITY},   /* nvidia-smi, NVML */
    {"video", DRIVER_CAP_VIDEO},       /* NVENC, NVDEC */
};
#define CAPS_WORD_COUNT (sizeof(caps_words) / sizeof(caps_words[0]))

static bool word_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
}

static unsigned word_bit(const char *word, size_t len)
{
        for (size_t i = 0; i < CAPS_WORD_COUNT; i++)
                if (strlen(caps_words[i].word) == len && memcmp(caps_words[i].word, word, len) == 0)
                        return caps_words[i].bit;
        return 0;
}

int driver_caps_parse(const char *list, unsigned *caps, struct strv *unknown, struct error *err)
{
        unsigned out = 0;
        bool any = false;
        const char *p = list ? list : "";
        while (*p != '\0') {
                const char *end = strchrnul(p, ',');
                const char *a = p, *b = end;
                while (a < b && (*a == ' ' || *a == '\t'))
                        a++;
                while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                        b--;
                size_t len = (size_t)(b - a);
                p = *end ? end + 1 : end;
                if (len == 0)
                        continue;
                bool valid = len <= DRIVER_CAPS_WORD_MAX;
                for (size_t i = 0; valid && i < len; i++)
                        valid = word_char(a[i]);
                if (!valid) {
                        cleanup_free char *shown = xstrndup(a, len < 64 ? len : 64);
                        for (char *c = shown; *c; c++)
                                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                                        *c = '?';
                        return error_set(err, "invalid capability: %s", shown);
                }
                any = true;
                if (len == 3 && memcmp(a, "all", 3) == 0) {
                        out |= DRIVER_CAP_ALL;
                        continue;
                }
                unsigned bit = word_bit(a, len);
                if (bit != 0)
                        out |= bit;
                else if (unknown != NULL)
                        strv_push_owned(unknown, xstrndup(a, len));
        }
        *caps = any ? out : DRIVER_CAP_REQUEST_DEFAULT;
        return 0;
}

unsigned driver_caps_close(unsigned caps)
{
        if (caps & DRIVER_CAP_VIDEO)
                caps |= DRIVER_CAP_COMPUTE;
        if (caps & DRIVER_CAP_DISPLAY)
                caps |= DRIVER_CAP_GRAPHICS;
        return caps & DRIVER_CAP_ALL;
}

void driver_caps_words(unsigned caps, struct strv *out)
{
        for (size_t i = 0; i < CAPS_WORD_COUNT; i++)
                if (caps & caps_words[i].bit)
                        strv_push(out, caps_words[i].word);
}

char *driver_caps_suffix(unsigned caps)
{
        caps = driver_caps_close(caps);
        if (caps == DRIVER_CAP_ALL)
                return xstrdup("");
        struct strv words = STRV_INIT;
        driver_caps_words(caps, &words);
        char *suffix = strv_join(&words, "-");
        strv_destroy(&words);
        return suffix;
}

bool driver_caps_from_suffix(const char *suffix, size_t len, unsigned *caps)
{
        unsigned out = 0;
        size_t last = 0; /* index + 1 of the previous word in caps_words */
        const char *p = suffix, *end = suffix + len;
        if (len == 0)
                return false;
        while (p <= end) {
                const char *dash = memchr(p, '-', (size_t)(end - p));
                const char *stop = dash ? dash : end;
                size_t i;
                for (i = 0; i < CAPS_WORD_COUNT; i++)
                        if (strlen(caps_words[i].word) == (size_t)(stop - p) &&
                            memcmp(caps_words[i].word, p, (size_t)(stop - p)) == 0)
                                break;
                if (i == CAPS_WORD_COUNT || i + 1 <= last)
                        return false; /* unknown, repeated or out of order */
                last = i + 1;
                out |= caps_words[i].bit;
                if (dash == NULL)
                        break;
                p = dash + 1;
        }
        if (out == DRIVER_CAP_ALL || driver_caps_close(out) != out)
                return false;
        *caps = out;
        return true;
}
