/* SPDX-License-Identifier: Apache-2.0
 *
 * Logging to standard error: "tarn: warning: message". The level comes from TARN_LOG
 * (error|warn|info|debug, default warn), read at first use. Each message is formatted in full
 * and written with one write(2) so that lines from different threads do not interleave.
 */
#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

static _Atomic int log_level = TN_LOG_WARN;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
    const char *s = getenv("TARN_LOG");
    if (!s || !*s)
        return;
    static const struct {
        const char *name;
        tn_log_level level;
    } names[] = {
        {"error", TN_LOG_ERROR}, {"warn", TN_LOG_WARN},   {"warning", TN_LOG_WARN},
        {"info", TN_LOG_INFO},   {"debug", TN_LOG_DEBUG},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            atomic_store(&log_level, (int)names[i].level);
            return;
        }
    }
}

/* Sets the level; messages above it are dropped. Overrides TARN_LOG. */
void tn_log_set_level(tn_log_level level)
{
    pthread_once(&log_once, read_env); /* so the environment cannot override this later */
    atomic_store(&log_level, (int)level);
}

/* Current level (TARN_LOG, or the last tn_log_set_level). */
tn_log_level tn_log_get_level(void)
{
    pthread_once(&log_once, read_env);
    return (tn_log_level)atomic_load(&log_level);
}

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* nowhere left to report a failure to report */
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Writes "tarn: <level>: <message>\n" to stderr when level is enabled. A newline is added
 * unless the message ends with one. */
void tn_log(tn_log_level level, const char *fmt, ...)
{
    if ((int)level > (int)tn_log_get_level())
        return;
    static const char *const prefix[] = {"tarn: error: ", "tarn: warning: ", "tarn: info: ",
                                         "tarn: debug: "};
    const char *pre = (unsigned)level <= TN_LOG_DEBUG ? prefix[level] : "tarn: ";
    size_t pre_len = strlen(pre);

    char stack[2048];
    char *line = stack;
    size_t cap = sizeof stack;
    memcpy(line, pre, pre_len);
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(line + pre_len, cap - pre_len - 1, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    size_t len = pre_len + (size_t)n;
    if (len + 1 >= cap) {
        /* Too long for the stack: format again on the heap, or keep the truncated text. */
        char *heap = tn_malloc(len + 2);
        if (heap) {
            memcpy(heap, pre, pre_len);
            vsnprintf(heap + pre_len, len + 1 - pre_len, fmt, ap2);
            line = heap;
            cap = len + 2;
        } else {
            len = cap - 2;
        }
    }
    va_end(ap2);
    if (len == 0 || line[len - 1] != '\n')
        line[len++] = '\n';
    write_all(line, len);
    if (line != stack)
        tn_free(line);
}
