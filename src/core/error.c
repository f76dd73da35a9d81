/* SPDX-License-Identifier: Apache-2.0
 *
 * Error codes and messages. The code table is the TN_ERRNO_MAP X-macro in core.h; this file
 * turns it into text and fills tn_error records, the one place where a message is written.
 * Every message is truncated safely to the fixed-size fields of tn_error.
 */
#include "core/core.h"

#include <stdio.h>

/* Text and name per table index; index 0 is TN_OK. */
static const char *const error_text[TN__ERRNO_COUNT] = {
    [0] = "success",
#define ERROR_TEXT(name, msg) [TN__IDX_##name] = msg,
    TN_ERRNO_MAP(ERROR_TEXT)
#undef ERROR_TEXT
};

static const char *const error_names[TN__ERRNO_COUNT] = {
    [0] = "OK",
#define ERROR_NAME(name, msg) [TN__IDX_##name] = #name,
    TN_ERRNO_MAP(ERROR_NAME)
#undef ERROR_NAME
};

/* Maps a code to its table index, or -1 outside the table. */
static int error_index(int code)
{
    if (code > 0 || code <= -(int)TN__ERRNO_COUNT)
        return -1;
    return -code;
}

/* Human text for a code; "unknown error" for codes outside the table. */
const char *tn_strerror(int code)
{
    int idx = error_index(code);
    return idx < 0 ? "unknown error" : error_text[idx];
}

/* Symbolic name for a code ("ENOMEM"); "OK" for 0, "EUNKNOWN" outside the table. */
const char *tn_error_name(int code)
{
    int idx = error_index(code);
    return idx < 0 ? "EUNKNOWN" : error_names[idx];
}

/* Copies src into a fixed field, truncating and always NUL-terminating. */
static void copy_field(char *dst, size_t dst_size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= dst_size)
        n = dst_size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Sets err to code with a vprintf-style message; clears the location and key. Returns code.
 * err may be NULL (the message is then dropped). */
int tn_error_vset(tn_error *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->line = 0;
    err->column = 0;
    err->file[0] = '\0';
    err->key[0] = '\0';
    if (fmt) {
        /* vsnprintf truncates and terminates; a negative result (encoding error) leaves a
         * message that still names the code. */
        if (vsnprintf(err->message, sizeof err->message, fmt, ap) < 0)
            copy_field(err->message, sizeof err->message, tn_strerror(code));
    } else {
        copy_field(err->message, sizeof err->message, tn_strerror(code));
    }
    return code;
}

/* Sets err (when not NULL) to code with a printf-style message. Returns code. */
int tn_error_set(tn_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

/* As tn_error_set, also recording file (may be NULL), line and column (0 = unknown). */
int tn_error_set_at(tn_error *err, int code, const char *file, int64_t line, int64_t column,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tn_error_vset(err, code, fmt, ap);
    va_end(ap);
    if (err) {
        copy_field(err->file, sizeof err->file, file);
        err->line = line;
        err->column = column;
    }
    return code;
}

/* Records the key at fault (NULL clears it); err may be NULL. */
void tn_error_set_key(tn_error *err, const char *key)
{
    if (err)
        copy_field(err->key, sizeof err->key, key);
}

/* Resets err to "no error"; err may be NULL. */
void tn_error_clear(tn_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->line = 0;
    err->column = 0;
    err->file[0] = '\0';
    err->key[0] = '\0';
    err->message[0] = '\0';
}

/* Formats "file:line:column: message" into out (unknown parts left out; an empty message is
 * replaced by the code's text). out_size 0 writes nothing. Returns out. */
const char *tn_error_format(const tn_error *err, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return out;
    out[0] = '\0';
    if (!err)
        return out;
    const char *msg = err->message[0] ? err->message : tn_strerror(err->code);
    char where[600] = "";
    size_t w = 0;
    if (err->file[0]) {
        w = (size_t)snprintf(where, sizeof where, "%s", err->file);
        if (err->line > 0)
            w += (size_t)snprintf(where + w, sizeof where - w, ":%lld", (long long)err->line);
        if (err->line > 0 && err->column > 0)
            w += (size_t)snprintf(where + w, sizeof where - w, ":%lld", (long long)err->column);
    } else if (err->line > 0) {
        w = (size_t)snprintf(where, sizeof where, "line %lld", (long long)err->line);
        if (err->column > 0)
            w += (size_t)snprintf(where + w, sizeof where - w, ":%lld", (long long)err->column);
    }
    if (w)
        snprintf(out, out_size, "%s: %s", where, msg);
    else
        snprintf(out, out_size, "%s", msg);
    return out;
}
