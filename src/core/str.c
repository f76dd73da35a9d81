/* SPDX-License-Identifier: Apache-2.0
 *
 * Length-carrying string helpers (tn_str) and the strict UTF-8 validator. The validator runs
 * on every text field every reader produces, so its ASCII path checks 16 bytes per step and
 * only multi-byte sequences take the slower, exact path (Unicode Table 3-7: no overlong forms,
 * no surrogates D800-DFFF, nothing past U+10FFFF).
 */
#include "core/core.h"

static inline unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline bool ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* True when a and b are equal ignoring ASCII case (other bytes compare exactly). */
bool tn_str_eq_nocase(tn_str a, tn_str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        if (ascii_lower((unsigned char)a.ptr[i]) != ascii_lower((unsigned char)b.ptr[i]))
            return false;
    }
    return true;
}

/* Bytewise comparison (unsigned), then shorter first: <0, 0 or >0. */
int tn_str_cmp(tn_str a, tn_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0)
        return c;
    return a.len < b.len ? -1 : (a.len > b.len ? 1 : 0);
}

/* s without ASCII whitespace (space, \t \n \r \v \f) on either end; shares s's bytes. */
tn_str tn_str_trim(tn_str s)
{
    while (s.len && ascii_space((unsigned char)s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len && ascii_space((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

/* True when NUL-terminated s ends with suffix, ignoring ASCII case. */
bool tn_str_has_suffix_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (m > n)
        return false;
    return tn_str_eq_nocase(tn_str_make(s + n - m, m), tn_str_make(suffix, m));
}

/* Unaligned 8-byte load; compilers turn the memcpy into one instruction. */
static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define HIGH_BITS 0x8080808080808080ULL

/* Length of the valid multi-byte sequence at p[0..avail), or 0 when it is invalid or
 * truncated. p[0] is known to be >= 0x80. */
static inline size_t utf8_sequence(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0xC2) /* continuation byte, or C0/C1 (always overlong) */
        return 0;
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3)
            return 0;
        /* The second byte's range excludes overlongs (E0) and surrogates (ED). */
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
        unsigned char hi = c == 0xED ? 0x9F : 0xBF;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4)
            return 0;
        /* F0 would be overlong below 90; F4 passes U+10FFFF above 8F. */
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0; /* F5..FF never appear in UTF-8 */
}

/* Byte offset of the first invalid (or truncated) UTF-8 sequence in [p, p+n), or n when the
 * whole range is valid. */
size_t tn_utf8_invalid_offset(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path: two words at a time, then one. */
        while (i + 16 <= n && ((load64(s + i) | load64(s + i + 8)) & HIGH_BITS) == 0)
            i += 16;
        if (i + 8 <= n && (load64(s + i) & HIGH_BITS) == 0)
            i += 8;
        while (i < n && s[i] < 0x80)
            i++;
        /* Non-ASCII: validate sequences until ASCII resumes, then go back to words. */
        while (i < n && s[i] >= 0x80) {
            size_t len = utf8_sequence(s + i, n - i);
            if (len == 0)
                return i;
            i += len;
        }
    }
    return n;
}

/* True when [p, p+n) is well-formed UTF-8. */
bool tn_utf8_valid(const char *p, size_t n)
{
    return tn_utf8_invalid_offset(p, n) == n;
}
