/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_scan.c: the CSV tokenizer. Turns bytes into records of fields; everything else in the
 * plugin (sniffing, inference, the parallel parse) goes through tn_csv_next_record so that
 * all of them agree on where records and fields are.
 *
 * Quote rule: every quote character toggles "inside quotes", wherever it appears; inside
 * quotes a doubled quote is one literal quote (two toggles). This is RFC 4180 for
 * well-formed input and DuckDB's relaxed reading for stray quotes (`"a "b" c"` reads as
 * `a b c`). Because each quote toggles, the quote state at any byte is the parity of the
 * quotes before it, which is what lets csv_read.c split a block between threads at record
 * boundaries without parsing it first (tn_csv_next_boundary). With a separate escape
 * character or comment lines that parity no longer holds and csv_read.c finds boundaries
 * sequentially with this tokenizer instead.
 *
 * Special bytes are found 64 at a time (SSE2 compares on x86-64, a table elsewhere) so the
 * per-byte work is a few vector instructions and the per-field work is one bit scan.
 */
#include "formats/csv/csv_int.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------------------------
 * Scanner
 * ---------------------------------------------------------------------------------------- */

/* Sets the special bytes from the dialect and forgets any position. */
void tn_csv_scanner_init(tn_csv_scanner *sc, const tn_csv_dialect *d, const char *end)
{
    sc->end = end;
    sc->chunk = NULL;
    sc->valid_from = NULL;
    sc->mask = 0;
    sc->specials[0] = d->delimiter;
    sc->specials[1] = d->quote;
    sc->specials[2] = d->escape;
    sc->specials[3] = '\n';
    sc->specials[4] = '\r';
    memset(sc->table, 0, sizeof(sc->table));
    for (int i = 0; i < 5; i++)
        sc->table[(uint8_t)sc->specials[i]] = 1;
}

/* Bit i set when p[i] is special, for i in [0, 64). */
static inline uint64_t special_mask(const tn_csv_scanner *sc, const char *p)
{
#if defined(__SSE2__)
    const __m128i v_delim = _mm_set1_epi8(sc->specials[0]);
    const __m128i v_quote = _mm_set1_epi8(sc->specials[1]);
    const __m128i v_escape = _mm_set1_epi8(sc->specials[2]);
    const __m128i v_lf = _mm_set1_epi8('\n');
    const __m128i v_cr = _mm_set1_epi8('\r');
    uint64_t mask = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, v_delim), _mm_cmpeq_epi8(v, v_quote));
        hit = _mm_or_si128(hit, _mm_or_si128(_mm_cmpeq_epi8(v, v_lf), _mm_cmpeq_epi8(v, v_cr)));
        hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, v_escape));
        mask |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
    }
    return mask;
#else
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++)
        mask |= (uint64_t)sc->table[(uint8_t)p[i]] << i;
    return mask;
#endif
}

/* The scanner position lives in locals of the tokenizer (so in registers) and is saved in
 * the struct between records. `chunk` is the start of 64 bytes described by `mask`, whose
 * bits are the special bytes not consumed yet. */

/* The next special byte (clearing its bit), or sc->end. */
static inline __attribute__((always_inline)) const char *
next_special(const tn_csv_scanner *sc, const char **chunk, uint64_t *mask)
{
    uint64_t m = *mask;
    const char *c = *chunk;
    while (m == 0) {
        c += 64;
        if (c >= sc->end) {
            *chunk = c;
            *mask = 0;
            return sc->end;
        }
        m = special_mask(sc, c);
    }
    *chunk = c;
    *mask = m & (m - 1);
    const char *hit = c + __builtin_ctzll(m);
    return hit < sc->end ? hit : sc->end;
}

/* Forgets the special bytes before p (p > *chunk): bytes consumed as part of a pair. */
static inline __attribute__((always_inline)) void
skip_to(const tn_csv_scanner *sc, const char **chunk, uint64_t *mask, const char *p)
{
    size_t off = (size_t)(p - *chunk);
    if (off < 64) {
        *mask &= ~(uint64_t)0 << off;
    } else {
        *chunk = p;
        *mask = p < sc->end ? special_mask(sc, p) : 0;
    }
}

/* ------------------------------------------------------------------------------------------
 * Records
 * ---------------------------------------------------------------------------------------- */

/* Frees the field array; the record can be reused afterwards. */
void tn_csv_record_free(tn_csv_record *rec)
{
    if (!rec)
        return;
    tn_free(rec->fields);
    rec->fields = NULL;
    rec->field_cap = 0;
    rec->field_count = 0;
}

static int grow_fields(tn_csv_record *rec)
{
    uint32_t cap = rec->field_cap ? rec->field_cap * 2 : 64;
    if (cap < rec->field_cap)
        return TN_ENOMEM;
    tn_csv_field *fields = tn_realloc(rec->fields, (size_t)cap * sizeof(*fields));
    if (!fields)
        return TN_ENOMEM;
    rec->fields = fields;
    rec->field_cap = cap;
    return 0;
}

/* Field state while tokenizing: where it starts and what its quotes looked like. */
typedef struct field_state {
    const char *start;
    const char *qbeg; /* first byte inside the first quoted section */
    const char *qend; /* its closing quote */
    uint32_t flags;
} field_state;

static inline int push_field(tn_csv_record *rec, const field_state *fs, const char *end)
{
    if (rec->field_count == rec->field_cap) {
        int rc = grow_fields(rec);
        if (rc)
            return rc;
    }
    tn_csv_field *f = &rec->fields[rec->field_count++];
    if (!(fs->flags & TN_CSV_FIELD_QUOTED)) {
        f->ptr = fs->start;
        f->len = (uint32_t)(end - fs->start);
        f->flags = 0;
    } else if (!(fs->flags & TN_CSV_FIELD_RAW) && fs->qend + 1 == end) {
        f->ptr = fs->qbeg;
        f->len = (uint32_t)(fs->qend - fs->qbeg);
        f->flags = fs->flags;
    } else {
        /* Text after the closing quote (or before the opening one): keep the raw field. */
        f->ptr = fs->start;
        f->len = (uint32_t)(end - fs->start);
        f->flags = TN_CSV_FIELD_QUOTED | TN_CSV_FIELD_RAW | TN_CSV_FIELD_ESCAPED;
    }
    return 0;
}

/* The general tokenizer (contract in csv_int.h). */
int tn_csv_next_record(tn_csv_scanner *sc, const tn_csv_dialect *d, const char *p, bool at_eof,
                       tn_csv_record *rec)
{
    const char *end = sc->end;
    const char delim = d->delimiter, quote = d->quote, escape = d->escape;
    int64_t lines = 0;
    int rc;

    rec->field_count = 0;
    /* Blank lines and comment lines before the record. */
    for (;;) {
        if (p >= end) {
            rec->start = rec->end = rec->next = end;
            rec->lead_lines = rec->lines = lines;
            return at_eof ? TN_CSV_END : TN_CSV_MORE;
        }
        char c = *p;
        if ((c == '\n' || c == '\r') && !d->blank_is_record) {
            if (c == '\r') {
                if (p + 1 >= end && !at_eof)
                    goto more;
                if (p + 1 < end && p[1] == '\n')
                    p++;
            }
            p++;
            lines++;
            continue;
        }
        if (d->comment && c == d->comment) {
            const char *s = p;
            while (s < end && *s != '\n' && *s != '\r')
                s++;
            if (s >= end) {
                if (!at_eof)
                    goto more;
                p = end;
                continue;
            }
            if (*s == '\r') {
                if (s + 1 >= end && !at_eof)
                    goto more;
                if (s + 1 < end && s[1] == '\n')
                    s++;
            }
            p = s + 1;
            lines++;
            continue;
        }
        break;
    }

    rec->start = p;
    rec->lead_lines = lines;
    field_state fs = {p, NULL, NULL, 0};

    /* Resume the scanner at p: keep its mask when p is inside the chunk it describes. */
    const char *chunk = sc->chunk;
    uint64_t mask;
    if (chunk && p >= sc->valid_from && p < chunk + 64) {
        mask = sc->mask & (~(uint64_t)0 << (p - chunk));
    } else {
        chunk = p;
        mask = special_mask(sc, p);
    }
    int status = TN_CSV_RECORD;
    const char *s;
    for (;;) {
        s = next_special(sc, &chunk, &mask);
        if (s >= end) {
            if (!at_eof)
                goto more;
            if ((rc = push_field(rec, &fs, end)) != 0)
                return rc;
            rec->end = rec->next = end;
            break;
        }
        char c = *s;
        if (c == delim) {
            if ((rc = push_field(rec, &fs, s)) != 0)
                return rc;
            fs.start = s + 1;
            fs.flags = 0;
            continue;
        }
        if (c == '\n' || c == '\r') {
            const char *next = s + 1;
            if (c == '\r') {
                if (next >= end && !at_eof)
                    goto more;
                if (next < end && *next == '\n')
                    next++;
            }
            if ((rc = push_field(rec, &fs, s)) != 0)
                return rc;
            rec->end = s;
            rec->next = next;
            lines++;
            break;
        }
        if (c != quote)
            continue; /* an escape character outside quotes is literal */
        if (fs.flags & TN_CSV_FIELD_QUOTED || s != fs.start) {
            fs.flags |= TN_CSV_FIELD_QUOTED | TN_CSV_FIELD_RAW;
        } else {
            fs.flags |= TN_CSV_FIELD_QUOTED;
            fs.qbeg = s + 1;
        }
        /* Inside quotes: only quotes, escapes and (for line counting) line breaks. */
        for (;;) {
            s = next_special(sc, &chunk, &mask);
            if (s >= end) {
                if (!at_eof)
                    goto more;
                /* The quote never closes: the record runs to the end of input. */
                fs.flags |= TN_CSV_FIELD_RAW;
                if ((rc = push_field(rec, &fs, end)) != 0)
                    return rc;
                rec->end = rec->next = end;
                status = TN_CSV_UNTERMINATED;
                break;
            }
            c = *s;
            if (c == quote) {
                if (escape == quote) {
                    if (s + 1 >= end && !at_eof)
                        goto more;
                    if (s + 1 < end && s[1] == quote) {
                        fs.flags |= TN_CSV_FIELD_ESCAPED;
                        skip_to(sc, &chunk, &mask, s + 2);
                        continue;
                    }
                }
                fs.qend = s;
                break;
            }
            if (c == escape) {
                if (s + 1 >= end && !at_eof)
                    goto more;
                if (s + 1 < end && (s[1] == quote || s[1] == escape)) {
                    fs.flags |= TN_CSV_FIELD_ESCAPED;
                    skip_to(sc, &chunk, &mask, s + 2);
                } /* else a lone escape is literal */
                continue;
            }
            if (c == '\n') {
                lines++;
            } else if (c == '\r') {
                if (s + 1 >= end && !at_eof)
                    goto more;
                if (!(s + 1 < end && s[1] == '\n'))
                    lines++; /* a CRLF counts once, at its LF */
            } /* a delimiter inside quotes is data */
        }
        if (status == TN_CSV_UNTERMINATED)
            break;
    }
    rec->lines = lines;
    sc->chunk = chunk;
    sc->mask = mask;
    sc->valid_from = rec->next;
    return status;

more:
    sc->chunk = NULL; /* the caller refills and retries from p */
    rec->start = rec->end = rec->next = p;
    rec->lead_lines = rec->lines = 0;
    rec->field_count = 0;
    return TN_CSV_MORE;
}

/* ------------------------------------------------------------------------------------------
 * Fast path: whole segments by bit masks (parity dialects)
 * ---------------------------------------------------------------------------------------- */

/* Bits set in x (no POPCNT instruction in the x86-64 baseline). */
static inline unsigned popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* Bit i of the result is the XOR of bits 0..i of x: 1 where an odd number of quotes has
 * been seen, that is, inside quotes. */
static inline uint64_t prefix_xor(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

/* Bits below offset n (n in [0, 64]). */
static inline uint64_t low_bits(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

/* Computes the masks of the chunk at fx->chunk; the quote state carries over. */
static inline void fast_load(tn_csv_fast *fx, char delim, char quote)
{
    const char *c = fx->chunk;
    uint64_t q = 0, dm = 0, lf = 0, cr = 0;
#if defined(__SSE2__)
    const __m128i vq = _mm_set1_epi8(quote), vd = _mm_set1_epi8(delim);
    const __m128i vlf = _mm_set1_epi8('\n'), vcr = _mm_set1_epi8('\r');
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(c + 16 * k));
        q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << (16 * k);
        dm |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) << (16 * k);
        lf |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vlf)) << (16 * k);
        cr |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vcr)) << (16 * k);
    }
#else
    for (int i = 0; i < 64; i++) {
        q |= (uint64_t)(c[i] == quote) << i;
        dm |= (uint64_t)(c[i] == delim) << i;
        lf |= (uint64_t)(c[i] == '\n') << i;
        cr |= (uint64_t)(c[i] == '\r') << i;
    }
#endif
    /* A CR followed by a LF is not a line end by itself (the LF is); byte 64 is readable. */
    uint64_t lf_after = (lf >> 1) | ((uint64_t)(c[64] == '\n') << 63);
    uint64_t breaks = lf | (cr & ~lf_after);
    uint64_t inside = prefix_xor(q) ^ fx->carry;
    fx->carry = (uint64_t)((int64_t)inside >> 63);
    uint64_t valid = low_bits((size_t)(fx->end - c));
    fx->term = breaks & ~inside & valid;
    fx->pending = ((dm & ~inside) & valid) | fx->term;
    fx->quotes = q & valid;
    fx->quoted_breaks = breaks & inside & valid;
}

/* Starts the bit-mask tokenizer on a segment (contract in csv_int.h). */
void tn_csv_fast_init(tn_csv_fast *fx, const tn_csv_dialect *d, const char *begin,
                      const char *end)
{
    memset(fx, 0, sizeof(*fx));
    fx->end = end;
    fx->pos = begin;
    fx->chunk = begin;
    tn_csv_scanner_init(&fx->sc, d, end);
    if (begin < end)
        fast_load(fx, d->delimiter, d->quote);
    else
        fx->done = true;
}

/* Quoted line breaks before position p of the current chunk. */
static inline int64_t breaks_before(const tn_csv_fast *fx, const char *p)
{
    uint64_t m = fx->quoted_breaks & low_bits((size_t)(p - fx->chunk));
    return fx->breaks_before + (m ? popcount64(m) : 0);
}

/* The flags and text of a field with quotes in it, as the general tokenizer sets them. */
static inline void classify_quoted(tn_csv_field *f, const char *fs, const char *fe, char quote)
{
    const char *qbeg = NULL, *qend = NULL;
    uint32_t flags = TN_CSV_FIELD_QUOTED;
    bool inside = false;
    for (const char *p = fs; p < fe; p++) {
        if (*p != quote)
            continue;
        if (!inside) {
            if (qbeg || p != fs)
                flags |= TN_CSV_FIELD_RAW;
            else
                qbeg = p + 1;
            inside = true;
        } else if (p + 1 < fe && p[1] == quote) {
            flags |= TN_CSV_FIELD_ESCAPED;
            p++;
        } else {
            qend = p;
            inside = false;
        }
    }
    if (!(flags & TN_CSV_FIELD_RAW) && qend && qend + 1 == fe) {
        f->ptr = qbeg;
        f->len = (uint32_t)(qend - qbeg);
        f->flags = flags;
    } else {
        f->ptr = fs;
        f->len = (uint32_t)(fe - fs);
        f->flags = TN_CSV_FIELD_QUOTED | TN_CSV_FIELD_RAW | TN_CSV_FIELD_ESCAPED;
    }
}

/* The next record of the segment, exactly as tn_csv_next_record(.., at_eof = true) returns it. */
int tn_csv_fast_next(tn_csv_fast *fx, const tn_csv_dialect *d, tn_csv_record *rec)
{
    const char quote = d->quote, delim = d->delimiter;
    int64_t lead = 0;
    const char *start = fx->pos, *fs = start;
    rec->field_count = 0;
    if (fx->done) {
        rec->start = rec->end = rec->next = fx->end;
        rec->lead_lines = rec->lines = 0;
        return TN_CSV_END;
    }
    /* The build disables strict aliasing, so every store through a pointer could change *fx:
     * keep the hot state in locals and write it back on the way out. */
    const char *chunk = fx->chunk;
    uint64_t pending = fx->pending, term = fx->term, quotes = fx->quotes;
    const char *last_quote = fx->last_quote;
    tn_csv_field *fields = rec->fields;
    uint32_t count = 0, cap = rec->field_cap;
    int status;
    for (;;) {
        while (pending == 0) {
            if (quotes)
                last_quote = chunk + 63 - __builtin_clzll(quotes);
            if (fx->quoted_breaks)
                fx->breaks_before += popcount64(fx->quoted_breaks);
            chunk += 64;
            fx->chunk = chunk;
            if (chunk >= fx->end) {
                /* The segment ends without a line end: blank lines only, or a last record
                 * without one (or in an unclosed quote), which the general tokenizer takes. */
                fx->done = true;
                fx->pos = fx->end;
                fx->last_quote = last_quote;
                rec->field_count = 0;
                if (start >= fx->end) {
                    rec->start = rec->end = rec->next = fx->end;
                    rec->lead_lines = rec->lines = lead;
                    return TN_CSV_END;
                }
                status = tn_csv_next_record(&fx->sc, d, start, true, rec);
                if (status > 0) {
                    rec->lead_lines += lead;
                    rec->lines += lead;
                }
                return status;
            }
            fast_load(fx, delim, quote);
            pending = fx->pending;
            term = fx->term;
            quotes = fx->quotes;
        }
        size_t off = (size_t)__builtin_ctzll(pending);
        const char *p = chunk + off;
        bool is_term = (term >> off) & 1;
        pending &= pending - 1;
        /* A quote in [fs, p)? The last quote before p, in this chunk or an earlier one. */
        uint64_t qm = quotes & low_bits(off);
        const char *lq = qm ? chunk + 63 - __builtin_clzll(qm) : last_quote;
        bool has_quote = lq && lq >= fs;
        const char *fe = p;
        if (is_term) {
            if (*p == '\n' && p > start && p[-1] == '\r')
                fe = p - 1; /* CRLF: the text ends before the CR */
            if (count == 0 && fe == start && !has_quote && !d->blank_is_record) {
                /* A blank line before the record. */
                lead++;
                fx->breaks_mark = fx->quoted_breaks ? breaks_before(fx, p) : fx->breaks_before;
                start = fs = p + 1;
                continue;
            }
        }
        if (count == cap) {
            rec->field_count = count;
            int rc = grow_fields(rec);
            if (rc) {
                status = rc;
                break;
            }
            fields = rec->fields;
            cap = rec->field_cap;
        }
        tn_csv_field *f = &fields[count++];
        if (has_quote) {
            classify_quoted(f, fs, fe, quote);
        } else {
            f->ptr = fs;
            f->len = (uint32_t)(fe - fs);
            f->flags = 0;
        }
        if (!is_term) {
            fs = p + 1;
            continue;
        }
        int64_t breaks = fx->quoted_breaks ? breaks_before(fx, p) : fx->breaks_before;
        rec->start = start;
        rec->end = fe;
        rec->next = p + 1;
        rec->lead_lines = lead;
        rec->lines = lead + (breaks - fx->breaks_mark) + 1;
        fx->breaks_mark = breaks;
        fx->pos = p + 1;
        status = TN_CSV_RECORD;
        break;
    }
    rec->field_count = count;
    fx->pending = pending;
    fx->last_quote = last_quote;
    return status;
}

/* Resolves quotes and escapes of p[0, len) into out; returns the length written. */
size_t tn_csv_unescape(const tn_csv_dialect *d, const char *p, size_t len, bool in_quotes,
                       char *out)
{
    const char quote = d->quote, escape = d->escape;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == quote) {
            if (in_quotes && escape == quote && i + 1 < len && p[i + 1] == quote) {
                out[o++] = quote;
                i++;
            } else {
                in_quotes = !in_quotes;
            }
            continue;
        }
        if (in_quotes && escape != quote && c == escape && i + 1 < len &&
            (p[i + 1] == quote || p[i + 1] == escape)) {
            out[o++] = p[i + 1];
            i++;
            continue;
        }
        out[o++] = c;
    }
    return o;
}

/* The unescaped text of f (in scratch when it needed unescaping). Returns 0 or TN_ENOMEM. */
int tn_csv_field_text(const tn_csv_dialect *d, const tn_csv_field *f, tn_buf *scratch,
                      tn_str *out)
{
    if (!(f->flags & TN_CSV_FIELD_ESCAPED)) {
        *out = tn_str_make(f->ptr, f->len);
        return 0;
    }
    tn_buf_clear(scratch);
    if (tn_buf_reserve(scratch, f->len))
        return TN_ENOMEM;
    size_t n = tn_csv_unescape(d, f->ptr, f->len, !(f->flags & TN_CSV_FIELD_RAW), scratch->data);
    scratch->len = n;
    *out = tn_str_make(scratch->data, n);
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Bulk helpers for the parallel parse
 * ---------------------------------------------------------------------------------------- */

/* Number of bytes equal to q. */
uint64_t tn_csv_count_byte(const char *p, size_t n, char q)
{
    uint64_t count = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* Per-byte counters (each compare adds 0 or 1 through subtracting -1), summed into 64-bit
     * lanes before they can overflow. */
    const __m128i vq = _mm_set1_epi8(q), zero = _mm_setzero_si128();
    __m128i total = zero;
    while (i + 16 <= n) {
        __m128i lanes = zero;
        size_t stop = n - i > 255 * 16 ? i + 255 * 16 : n;
        for (; i + 16 <= stop; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, vq));
        }
        total = _mm_add_epi64(total, _mm_sad_epu8(lanes, zero));
    }
    count = (uint64_t)_mm_cvtsi128_si64(total) +
            (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(total, total));
#endif
    for (; i < n; i++)
        count += p[i] == q;
    return count;
}

/* Offset of the first byte >= 0x80 in [p, p+n), or n. */
static size_t first_high_byte(const char *p, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        int m = _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    for (; i < n; i++)
        if ((uint8_t)p[i] >= 0x80)
            return i;
    return n;
}

/* Whether any byte is >= 0x80. */
bool tn_csv_has_high_bytes(const char *p, size_t n)
{
    return first_high_byte(p, n) < n;
}

/* tn_utf8_valid with a 16-bytes-at-a-time skip over ASCII. */
bool tn_csv_utf8_valid(const char *p, size_t n)
{
    size_t i = 0;
    for (;;) {
        i += first_high_byte(p + i, n - i);
        if (i >= n)
            return true;
        /* A run of non-ASCII bytes ends at an ASCII byte, which never belongs to a sequence:
         * the run is valid exactly when the core validator says so. */
        size_t j = i + 1;
        while (j < n && (uint8_t)p[j] >= 0x80)
            j++;
        if (!tn_utf8_valid(p + i, j - i))
            return false;
        i = j;
    }
}

/* First record boundary at or after `from` by quote parity, or limit. */
size_t tn_csv_next_boundary(const char *d, size_t from, size_t limit, size_t data_len, char quote,
                            bool in_quotes)
{
    for (size_t i = from; i < limit; i++) {
        char c = d[i];
        if (c == quote) {
            in_quotes = !in_quotes;
        } else if (!in_quotes && c == '\n') {
            return i + 1;
        } else if (!in_quotes && c == '\r') {
            if (i + 1 >= data_len)
                return limit; /* unknown whether a LF follows */
            return d[i + 1] == '\n' ? (i + 2 <= limit ? i + 2 : limit) : i + 1;
        }
    }
    return limit;
}

/* Last record boundary in [0, n) by quote parity, or 0. */
size_t tn_csv_last_boundary(const char *d, size_t n, char quote, uint64_t quote_count)
{
    bool in_quotes = quote_count & 1; /* state at the end of the data */
    for (size_t i = n; i-- > 0;) {
        char c = d[i];
        if (c == quote) {
            in_quotes = !in_quotes; /* now the state before byte i */
            continue;
        }
        if (in_quotes)
            continue;
        if (c == '\n')
            return i + 1;
        if (c == '\r' && i + 1 < n && d[i + 1] != '\n')
            return i + 1;
    }
    return 0;
}
