/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable byte buffers (tn_buf): geometric growth, always one spare byte so the contents can
 * be NUL-terminated without another allocation, printf into the buffer, and JSON string
 * escaping used by every JSON writer in tarn.
 */
#include "core/core.h"

#include <stdio.h>

#define BUF_MIN_CAP 64

/* Ensures room for `extra` more bytes plus a NUL. Returns 0 or TN_ENOMEM (buffer unchanged). */
int tn_buf_reserve(tn_buf *buf, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(buf->len, extra, &need) || __builtin_add_overflow(need, 1, &need))
        return TN_ENOMEM;
    if (need <= buf->cap)
        return 0;
    /* Doubling keeps appends amortised O(1). */
    size_t cap = buf->cap < BUF_MIN_CAP ? BUF_MIN_CAP : buf->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *data = tn_realloc(buf->data, cap);
    if (!data)
        return TN_ENOMEM;
    buf->data = data;
    buf->cap = cap;
    return 0;
}

/* Appends len bytes. Returns 0 or TN_ENOMEM (buffer unchanged). */
int tn_buf_append(tn_buf *buf, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (buf->cap - buf->len <= len || !buf->data) {
        int rc = tn_buf_reserve(buf, len);
        if (rc)
            return rc;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return 0;
}

/* Appends a NUL-terminated string (without its NUL). Returns 0 or TN_ENOMEM. */
int tn_buf_append_cstr(tn_buf *buf, const char *s)
{
    return tn_buf_append(buf, s, strlen(s));
}

/* Appends one byte. Returns 0 or TN_ENOMEM. */
int tn_buf_putc(tn_buf *buf, char c)
{
    if (buf->cap - buf->len <= 1 || !buf->data) {
        int rc = tn_buf_reserve(buf, 1);
        if (rc)
            return rc;
    }
    buf->data[buf->len++] = c;
    return 0;
}

/* Appends vprintf-style output. Returns 0, TN_ENOMEM, or TN_EINVAL for a bad format. */
int tn_buf_vprintf(tn_buf *buf, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = buf->data ? buf->cap - buf->len : 0;
    int n = vsnprintf(room ? buf->data + buf->len : NULL, room, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        if (buf->data)
            buf->data[buf->len] = '\0';
        return TN_EINVAL;
    }
    if ((size_t)n < room) {
        buf->len += (size_t)n;
        va_end(ap2);
        return 0;
    }
    /* Did not fit: grow to the exact size and format again. */
    int rc = tn_buf_reserve(buf, (size_t)n);
    if (rc) {
        va_end(ap2);
        if (buf->data)
            buf->data[buf->len] = '\0';
        return rc;
    }
    vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap2);
    va_end(ap2);
    buf->len += (size_t)n;
    return 0;
}

/* Appends printf-style output. Returns 0, TN_ENOMEM or TN_EINVAL. */
int tn_buf_printf(tn_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tn_buf_vprintf(buf, fmt, ap);
    va_end(ap);
    return rc;
}

/* Bytes that need escaping in a JSON string: '"', '\\' and the controls below 0x20. */
static inline bool json_needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* Appends s as a JSON string literal with quotes (RFC 8259): '"' and '\\' escaped, controls as
 * \n \t \r \b \f or \u00XX, every other byte (including UTF-8 >= 0x80) copied as is.
 * Returns 0 or TN_ENOMEM (the buffer is then as it was before the call). */
int tn_buf_append_json_string(tn_buf *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t start_len = buf->len;
    /* Worst case is 6 bytes per input byte; reserving the common case up front avoids most
     * regrowth while escaping. */
    if (tn_buf_reserve(buf, len + 2))
        return TN_ENOMEM;
    buf->data[buf->len++] = '"';
    size_t run = 0; /* start of the current run of bytes copied verbatim */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!json_needs_escape(c))
            continue;
        if (tn_buf_append(buf, s + run, i - run))
            goto fail;
        run = i + 1;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t esc_len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\t': esc[1] = 't'; break;
        case '\r': esc[1] = 'r'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            esc_len = 6;
            break;
        }
        if (tn_buf_append(buf, esc, esc_len))
            goto fail;
    }
    if (tn_buf_append(buf, s + run, len - run) || tn_buf_putc(buf, '"'))
        goto fail;
    return 0;

fail:
    buf->len = start_len;
    return TN_ENOMEM;
}

/* NUL-terminates and returns the contents; "" (a static string) for a buffer never appended
 * to. Never NULL: the spare byte for the NUL is always reserved. Valid until the next change. */
const char *tn_buf_cstr(tn_buf *buf)
{
    if (!buf->data)
        return "";
    buf->data[buf->len] = '\0';
    return buf->data;
}

/* Frees the bytes and leaves an empty buffer; accepts an empty one. */
void tn_buf_free(tn_buf *buf)
{
    tn_free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

/* Hands the NUL-terminated bytes to the caller (free with tn_free) and leaves an empty buffer.
 * *len_out (when not NULL) gets the length. An empty buffer yields a fresh "" allocation;
 * NULL only when that allocation fails. */
char *tn_buf_detach(tn_buf *buf, size_t *len_out)
{
    char *data = buf->data;
    size_t len = buf->len;
    if (!data) {
        data = tn_malloc(1);
        if (!data) {
            if (len_out)
                *len_out = 0;
            return NULL;
        }
        len = 0;
    }
    data[len] = '\0';
    if (len_out)
        *len_out = len;
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    return data;
}
