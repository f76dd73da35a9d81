/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_read.c: the CSV reader's parse (csv_open.c opens it: dialect, header, types, names).
 *
 * A block is the unconsumed part of a 16 MiB buffer, cut at the last complete record; the
 * partial record after it is carried to the front of the buffer for the next block. A block
 * is split into one segment per thread at record boundaries, found from the parity of the
 * quotes before each split point (see csv_scan.c; sequentially when an escape character or
 * comments break parity). Each thread tokenizes its segment and converts the fields straight
 * into the typed vectors of its own batches, noting rejected rows with line numbers relative
 * to the segment start. next then hands the batches out segment by segment, so in file
 * order, and reports each segment's rejects before its rows, once the line count of every
 * earlier segment, and so the absolute line number, is known. At most one block and its
 * batches are in memory.
 */
#include "formats/csv/csv_int.h"

#include <math.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

tn_csv_tuning tn_csv_tuning_current = {TN_CSV_BLOCK_SIZE, TN_CSV_MIN_SEGMENT};

/* ------------------------------------------------------------------------------------------
 * Row conversion (runs on the parsing threads)
 * ---------------------------------------------------------------------------------------- */

/* Notes a rejected record in the segment. reason is printf-formatted into the text buffer.
 * Returns 0 or TN_ENOMEM. */
static int note_reject(tn_csv_segment *seg, const tn_csv_record *rec, int64_t line, int64_t column,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int note_reject(tn_csv_segment *seg, const tn_csv_record *rec, int64_t line, int64_t column,
                       const char *fmt, ...)
{
    if (seg->reject_count == seg->reject_cap) {
        size_t cap = seg->reject_cap ? seg->reject_cap * 2 : 16;
        tn_csv_reject_note *notes = tn_realloc(seg->rejects, cap * sizeof(*notes));
        if (!notes)
            return TN_ENOMEM;
        seg->rejects = notes;
        seg->reject_cap = cap;
    }
    tn_csv_reject_note *note = &seg->rejects[seg->reject_count];
    note->line = line;
    note->column = column;
    note->reason_off = seg->text.len;
    va_list ap;
    va_start(ap, fmt);
    int rc = tn_buf_vprintf(&seg->text, fmt, ap);
    va_end(ap);
    if (rc || tn_buf_putc(&seg->text, '\0'))
        return TN_ENOMEM;
    size_t raw_len = (size_t)(rec->end - rec->start);
    if (raw_len > TN_CSV_REJECT_RAW_MAX)
        raw_len = TN_CSV_REJECT_RAW_MAX;
    note->raw_off = seg->text.len;
    note->raw_len = raw_len;
    if (tn_buf_append(&seg->text, rec->start, raw_len))
        return TN_ENOMEM;
    seg->reject_count++;
    return 0;
}

/* Room a VARCHAR vector keeps after its data so that copy_value may overshoot. */
#define COPY_SLACK 16

/* Copies a field value into vector data. Values up to 64 bytes move as whole unaligned
 * 16-byte words, overshooting by up to 15 bytes: the source has TN_CSV_PAD readable bytes
 * after any field and the destination keeps COPY_SLACK spare bytes. */
static inline void copy_value(char *dst, const char *src, size_t n)
{
#if defined(__SSE2__)
    if (n <= 64) {
        for (size_t i = 0; i < n; i += 16)
            _mm_storeu_si128((__m128i *)(void *)(dst + i),
                             _mm_loadu_si128((const __m128i *)(const void *)(src + i)));
        return;
    }
#endif
    memcpy(dst, src, n);
}

/* Grows VARCHAR data to hold `need` bytes. Returns 0, TN_ENOMEM or TN_ELIMIT. */
static int grow_data(tn_vector *v, size_t need)
{
    if (need > (size_t)INT32_MAX)
        return TN_ELIMIT;
    size_t cap = v->data_cap ? v->data_cap : 4096;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)INT32_MAX)
        cap = (size_t)INT32_MAX;
    char *data = tn_realloc(v->data, cap);
    if (!data)
        return TN_ENOMEM;
    v->data = data;
    v->data_cap = cap;
    return 0;
}

/* Makes room for `need` bytes of VARCHAR data. Returns 0, TN_ENOMEM or TN_ELIMIT. */
static inline int reserve_data(tn_vector *v, size_t need)
{
    if (need <= v->data_cap && v->data)
        return 0;
    return grow_data(v, need);
}

static const char *type_name(tn_type t, char *buf, size_t n)
{
    return tn_type_format(t, buf, n);
}

/* Why a value was rejected: "'2024-13-45' is not a valid DATE", long values cut short. */
static int reject_value(tn_csv_segment *seg, const tn_csv_record *rec, int64_t line, uint32_t col,
                        tn_type t, const char *p, size_t n)
{
    char tname[64];
    type_name(t, tname, sizeof(tname));
    int shown = n > 80 ? 77 : (int)n;
    return note_reject(seg, rec, line, (int64_t)col + 1, "'%.*s%s' is not a valid %s", shown, p,
                       n > 80 ? "..." : "", tname);
}

/* tn_csv_parse_timestamp for a column whose neighbouring values mostly share their minute:
 * "YYYY-MM-DD HH:MM" is parsed once per segment and kept, and a value of that prefix plus
 * ":SS" costs a compare and two digits. tn_parse_timestamp reads such a value as its prefix
 * plus the seconds, so the result is the same. */
static inline bool parse_timestamp_by_minute(tn_csv_segment *seg, const char *p, size_t n,
                                             int64_t *micros)
{
    if (n != 19 || p[16] != ':')
        return tn_csv_parse_timestamp(p, n, micros);
    unsigned tens = (unsigned)(p[17] - '0'), ones = (unsigned)(p[18] - '0');
    if (tens > 5 || ones > 9)
        return false; /* not seconds 00-59: no reading accepts it */
    uint64_t lo, hi;
    memcpy(&lo, p, 8);
    memcpy(&hi, p + 8, 8);
    if (!seg->minute_known || lo != seg->minute_text[0] || hi != seg->minute_text[1]) {
        int64_t base;
        bool zone = false;
        if (!tn_parse_timestamp(p, 16, &base, &zone))
            return false;
        seg->minute_text[0] = lo;
        seg->minute_text[1] = hi;
        seg->minute_micros = base;
        seg->minute_known = true;
    }
    *micros = seg->minute_micros + (int64_t)(tens * 10 + ones) * INT64_C(1000000);
    return true;
}

/* Outcome of converting one record. */
enum { ROW_OK = 0, ROW_REJECTED = 1 };

/* Converts the fields of rec into row `row` of batch b. Returns ROW_OK, ROW_REJECTED (the
 * reject is noted and the row left unset), or a negative error code. */
static int convert_row(const tn_csv_reader *r, tn_csv_segment *seg, tn_batch *b, uint32_t row,
                       const tn_csv_record *rec, int64_t line)
{
    const uint32_t ncols = r->column_count;
    const tn_csv_nulls *nulls = &r->nulls;
    const tn_csv_field *fields = rec->fields;
    int rc;
    uint32_t c;

    for (c = 0; c < ncols; c++) {
        const tn_csv_field *f = &fields[c];
        tn_vector *v = &b->columns[c];
        const uint8_t type = r->type_ids[c];

        if (type == TN_TYPE_VARCHAR) {
            if (!(f->flags & TN_CSV_FIELD_QUOTED) &&
                (f->len == 0 ? nulls->empty_is_null
                             : nulls->count && tn_csv_nulls_match(nulls, f->ptr, f->len))) {
                tn_vector_set_null(v, row);
                v->offsets[row + 1] = v->offsets[row];
                continue;
            }
            size_t start = (size_t)v->offsets[row];
            /* COPY_SLACK more than the value: short copies move whole 16-byte words. */
            if ((rc = reserve_data(v, start + f->len + COPY_SLACK)) != 0)
                goto fail;
            char *dst = v->data + start;
            size_t len;
            if (f->flags & TN_CSV_FIELD_ESCAPED)
                len = tn_csv_unescape(&r->dialect, f->ptr, f->len,
                                      !(f->flags & TN_CSV_FIELD_RAW), dst);
            else {
                copy_value(dst, f->ptr, f->len);
                len = f->len;
            }
            if (!seg->utf8_ok && !tn_utf8_valid(dst, len)) {
                rc = note_reject(seg, rec, line, (int64_t)c + 1, "invalid UTF-8");
                goto reject;
            }
            v->offsets[row + 1] = (int32_t)(start + len);
            v->data_len = start + len;
            continue;
        }

        /* Other types: unescape if needed, NULL check, trim, parse. */
        const char *p = f->ptr;
        size_t n = f->len;
        if (f->flags & TN_CSV_FIELD_ESCAPED) {
            tn_str text;
            if ((rc = tn_csv_field_text(&r->dialect, f, &seg->scratch, &text)) != 0)
                goto fail;
            p = text.ptr;
            n = text.len;
        }
        if (n && (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t')) {
            if (nulls->count && tn_csv_nulls_match(nulls, p, n)) {
                tn_vector_set_null(v, row);
                continue;
            }
            tn_str t = tn_csv_trim(p, n);
            p = t.ptr;
            n = t.len;
        }
        if (n == 0 || (nulls->count && tn_csv_nulls_match(nulls, p, n))) {
            tn_vector_set_null(v, row);
            if (type == TN_TYPE_BLOB)
                v->offsets[row + 1] = v->offsets[row];
            continue;
        }
        bool ok;
        switch (type) {
        case TN_TYPE_INTEGER:
            ok = tn_csv_parse_int32(p, n, &tn_vector_i32(v)[row]);
            break;
        case TN_TYPE_BIGINT:
            ok = tn_csv_parse_int64(p, n, &tn_vector_i64(v)[row]);
            break;
        case TN_TYPE_DOUBLE:
            ok = tn_csv_parse_double(p, n, &tn_vector_f64(v)[row]);
            break;
        case TN_TYPE_TIMESTAMP:
        case TN_TYPE_TIMESTAMPTZ:
            ok = parse_timestamp_by_minute(seg, p, n, &tn_vector_i64(v)[row]);
            break;
        case TN_TYPE_DATE:
            ok = tn_parse_date(p, n, &tn_vector_i32(v)[row]);
            break;
        case TN_TYPE_BOOLEAN: {
            bool value;
            ok = tn_parse_bool(p, n, &value);
            if (ok)
                tn_vector_set_bool(v, row, value);
            break;
        }
        case TN_TYPE_REAL: {
            double d;
            ok = tn_parse_double(p, n, &d);
            if (ok) {
                float fv = (float)d;
                ok = !(isinf(fv) && !isinf(d));
                tn_vector_f32(v)[row] = fv;
            }
            break;
        }
        case TN_TYPE_DECIMAL: {
            tn_i128 dec;
            ok = tn_parse_decimal(p, n, r->types[c].precision, r->types[c].scale, &dec);
            if (ok)
                tn_vector_set_decimal(v, row, dec);
            break;
        }
        case TN_TYPE_BLOB: {
            /* Raw bytes: the untrimmed, unescaped text. */
            const char *bp = f->ptr;
            size_t bn = f->len;
            if (f->flags & TN_CSV_FIELD_ESCAPED) {
                tn_str text;
                if ((rc = tn_csv_field_text(&r->dialect, f, &seg->scratch, &text)) != 0)
                    goto fail;
                bp = text.ptr;
                bn = text.len;
            }
            size_t start = (size_t)v->offsets[row];
            if ((rc = reserve_data(v, start + bn)) != 0)
                goto fail;
            memcpy(v->data + start, bp, bn);
            v->offsets[row + 1] = (int32_t)(start + bn);
            v->data_len = start + bn;
            ok = true;
            break;
        }
        default:
            ok = false;
            break;
        }
        if (!ok) {
            rc = reject_value(seg, rec, line, c, r->types[c], p, n);
            goto reject;
        }
    }
    return ROW_OK;

reject:
    if (rc)
        goto fail;
    rc = ROW_REJECTED;
fail:
    /* Undo what the row set so the next record can take its place. */
    for (uint32_t k = 0; k < ncols && k <= c; k++) {
        tn_vector *v = &b->columns[k];
        tn_vector_set_valid(v, row);
        if (tn_type_is_varlen(v->type))
            v->data_len = (size_t)v->offsets[row];
    }
    return rc;
}

/* Appends batch b (finished, row_count set) to the segment. */
static int push_batch(tn_csv_segment *seg, tn_batch *b)
{
    if (seg->batch_count == seg->batch_cap) {
        size_t cap = seg->batch_cap ? seg->batch_cap * 2 : 16;
        tn_batch **batches = tn_realloc(seg->batches, cap * sizeof(*batches));
        if (!batches)
            return TN_ENOMEM;
        seg->batches = batches;
        seg->batch_cap = cap;
    }
    seg->batches[seg->batch_count++] = b;
    return 0;
}

/* A new batch whose VARCHAR columns already hold the bytes the last full batch of this
 * segment needed, so that growing them rarely copies. NULL when out of memory. */
static tn_batch *new_batch(const tn_csv_reader *r, tn_csv_segment *seg)
{
    tn_batch *b = tn_batch_new(r->schema, r->batch_rows);
    if (!b)
        return NULL;
    for (uint32_t c = 0; c < r->column_count; c++)
        if (seg->data_hint[c] && reserve_data(&b->columns[c], seg->data_hint[c]) != 0) {
            tn_batch_free(b);
            return NULL;
        }
    return b;
}

/* Parses segment `idx` of the current block (a pool task). */
static void parse_segment(void *ctx, size_t idx, int worker_idx)
{
    tn_csv_reader *r = ctx;
    tn_csv_segment *seg = &r->segs[idx];
    const char *begin = r->block + r->splits[idx];
    const char *end = r->block + r->splits[idx + 1];
    tn_csv_scanner sc;
    tn_batch *b = NULL;
    uint32_t row = 0;
    int rc = 0;

    if (!seg->data_hint) {
        seg->data_hint = tn_calloc(r->column_count ? r->column_count : 1, sizeof(size_t));
        if (!seg->data_hint) {
            seg->error = TN_ENOMEM;
            return;
        }
    }
    /* Delimiters, quotes and line ends are ASCII and never inside a multi-byte sequence,
     * so when the segment is valid UTF-8 every field is. */
    seg->utf8_ok = tn_csv_utf8_valid(begin, (size_t)(end - begin));
    tn_csv_fast fx;
    if (r->parity)
        tn_csv_fast_init(&fx, &r->dialect, begin, end);
    else
        tn_csv_scanner_init(&sc, &r->dialect, end);
    const char *p = begin;
    for (;;) {
        /* Segment ends are record boundaries, so nothing here is incomplete. */
        int st = r->parity ? tn_csv_fast_next(&fx, &r->dialect, &seg->rec)
                           : tn_csv_next_record(&sc, &r->dialect, p, true, &seg->rec);
        if (st < 0) {
            rc = st;
            break;
        }
        const tn_csv_record *rec = &seg->rec;
        if (st == TN_CSV_END) {
            seg->lines += rec->lines;
            break;
        }
        int64_t line = seg->lines + rec->lead_lines;
        seg->lines += rec->lines;
        p = rec->next;
        if (st == TN_CSV_UNTERMINATED) {
            rc = note_reject(seg, rec, line, 0,
                             "unterminated quote: the record runs to the end of the file");
            break;
        }
        uint32_t nf = rec->field_count;
        if (nf != r->column_count &&
            !(r->drop_trailing && nf == r->column_count + 1 && rec->fields[nf - 1].len == 0 &&
              !rec->fields[nf - 1].flags)) {
            if ((rc = note_reject(seg, rec, line, 0, "expected %u field%s, found %u",
                                  r->column_count, r->column_count == 1 ? "" : "s", nf)) != 0)
                break;
            if (r->strict)
                break;
            continue;
        }
        if (!b) {
            b = new_batch(r, seg);
            if (!b) {
                rc = TN_ENOMEM;
                break;
            }
            row = 0;
        }
        rc = convert_row(r, seg, b, row, rec, line);
        if (rc == ROW_REJECTED) {
            rc = 0;
            if (r->strict)
                break;
            continue;
        }
        if (rc)
            break;
        if (++row == b->capacity) {
            b->row_count = row;
            /* The next batch reserves what this one needed, plus an eighth. */
            for (uint32_t c = 0; c < r->column_count; c++)
                if (tn_type_is_varlen(r->types[c])) {
                    size_t used = b->columns[c].data_len;
                    seg->data_hint[c] = used + used / 8 + COPY_SLACK;
                }
            if ((rc = push_batch(seg, b)) != 0)
                break;
            b = NULL;
        }
    }
    if (b) {
        if (!rc && row > 0) {
            b->row_count = row;
            rc = push_batch(seg, b);
            if (!rc)
                b = NULL;
        }
        tn_batch_free(b);
    }
    seg->error = rc;
}

/* One task of a block run: task 0 reads ahead when reading_ahead is set (it comes first so
 * that the read starts at once), the others parse segments. */
static void block_task(void *ctx, size_t idx, int worker_idx)
{
    tn_csv_reader *r = ctx;
    if (r->reading_ahead) {
        if (idx == 0) {
            tn_csv_source_ahead_read(&r->src);
            return;
        }
        idx--;
    }
    parse_segment(ctx, idx, worker_idx);
}

/* Counts quotes in chunk `idx` of the block (a pool task, parity mode). */
static void count_quotes_task(void *ctx, size_t idx, int worker_idx)
{
    tn_csv_reader *r = ctx;
    size_t n = r->block_len, t = r->seg_count;
    size_t from = n * idx / t, to = n * (idx + 1) / t;
    r->chunk_quotes[idx] = tn_csv_count_byte(r->block + from, to - from, r->dialect.quote);
}

/* ------------------------------------------------------------------------------------------
 * Blocks
 * ---------------------------------------------------------------------------------------- */

static void segment_clear(tn_csv_segment *seg)
{
    for (size_t i = seg->next_batch; i < seg->batch_count; i++)
        tn_batch_free(seg->batches[i]);
    seg->batch_count = 0;
    seg->next_batch = 0;
    seg->reject_count = 0;
    tn_buf_clear(&seg->text);
    seg->lines = 0;
    seg->error = 0;
    seg->reported = false;
}

static void segment_free(tn_csv_segment *seg)
{
    segment_clear(seg);
    tn_free(seg->batches);
    tn_free(seg->data_hint);
    tn_free(seg->rejects);
    tn_buf_free(&seg->text);
    tn_buf_free(&seg->scratch);
    tn_csv_record_free(&seg->rec);
}

/* Makes sure `count` segments and their bookkeeping exist. */
static int ensure_segments(tn_csv_reader *r, size_t count)
{
    if (count <= r->seg_alloc)
        return 0;
    tn_csv_segment *segs = tn_realloc(r->segs, count * sizeof(*segs));
    if (!segs)
        return TN_ENOMEM;
    r->segs = segs;
    memset(segs + r->seg_alloc, 0, (count - r->seg_alloc) * sizeof(*segs));
    r->seg_alloc = count;
    size_t *splits = tn_realloc(r->splits, (count + 1) * sizeof(*splits));
    if (!splits)
        return TN_ENOMEM;
    r->splits = splits;
    uint64_t *quotes = tn_realloc(r->chunk_quotes, count * sizeof(*quotes));
    if (!quotes)
        return TN_ENOMEM;
    r->chunk_quotes = quotes;
    return 0;
}

/* Where the block's complete records end and where each segment starts, by quote parity.
 * Returns the block end (0: no complete record yet). */
static int split_by_parity(tn_csv_reader *r, size_t n, bool at_eof, size_t t, size_t *block_end)
{
    r->block_len = n;
    r->seg_count = t;
    int rc = tn_pool_run(t > 1 ? r->pool : NULL, t, count_quotes_task, r);
    if (rc)
        return rc;
    uint64_t total = 0;
    for (size_t i = 0; i < t; i++)
        total += r->chunk_quotes[i];
    size_t bend = at_eof ? n : tn_csv_last_boundary(r->block, n, r->dialect.quote, total);
    *block_end = bend;
    if (bend == 0)
        return 0;
    uint64_t before = 0;
    r->splits[0] = 0;
    for (size_t i = 1; i < t; i++) {
        before += r->chunk_quotes[i - 1];
        size_t from = n * i / t;
        size_t s = from >= bend ? bend
                                : tn_csv_next_boundary(r->block, from, bend, n, r->dialect.quote,
                                                       before & 1);
        if (s < r->splits[i - 1])
            s = r->splits[i - 1];
        r->splits[i] = s;
    }
    r->splits[t] = bend;
    return 0;
}

/* The same, by tokenizing records one after another (escape characters or comments). */
static int split_sequential(tn_csv_reader *r, size_t n, bool at_eof, size_t t, size_t *block_end)
{
    tn_csv_scanner sc;
    tn_csv_record *rec = &r->segs[0].rec;
    tn_csv_scanner_init(&sc, &r->dialect, r->block + n);
    const char *p = r->block;
    size_t k = 1;
    r->splits[0] = 0;
    for (;;) {
        int st = tn_csv_next_record(&sc, &r->dialect, p, at_eof, rec);
        if (st < 0)
            return st;
        if (st == TN_CSV_MORE || st == TN_CSV_END)
            break;
        p = rec->next;
        if (st == TN_CSV_UNTERMINATED)
            break;
        size_t pos = (size_t)(p - r->block);
        while (k < t && pos >= n * k / t)
            r->splits[k++] = pos;
    }
    size_t bend = at_eof ? n : (size_t)(p - r->block);
    while (k < t)
        r->splits[k++] = bend;
    r->splits[t] = bend;
    r->seg_count = t;
    *block_end = bend;
    return 0;
}

/* Reads and parses the next block into the segments. Sets r->finished at the end of input. */
static int parse_next_block(tn_csv_reader *r, tn_error *err)
{
    tn_csv_source *src = &r->src;
    size_t block_end = 0;
    for (;;) {
        int rc = tn_csv_source_fill(src, err);
        if (rc)
            return rc;
        size_t n = src->len - src->start;
        if (n == 0 && src->eof) {
            r->finished = true;
            r->seg_count = 0;
            return 0;
        }
        r->block = src->buf + src->start;
        size_t t = (size_t)r->threads;
        size_t by_size = n / r->min_segment;
        if (t > by_size)
            t = by_size ? by_size : 1;
        if ((rc = ensure_segments(r, t)) != 0)
            return tn_error_set(err, rc, "out of memory");
        for (size_t i = 0; i < t; i++)
            segment_clear(&r->segs[i]);
        rc = r->parity ? split_by_parity(r, n, src->eof, t, &block_end)
                       : split_sequential(r, n, src->eof, t, &block_end);
        if (rc)
            return tn_error_set(err, rc, "out of memory finding record boundaries");
        if (block_end > 0)
            break;
        /* Not one complete record in the buffer: make it bigger and read on. */
        if (src->start > 0)
            continue; /* the fill will compact first */
        if ((rc = tn_csv_source_grow(src, err)) != 0) {
            tn_error_set_at(err, rc, r->path, r->line, 0,
                            "the record starting at line %lld is longer than %zu MiB; is a "
                            "quote left unclosed?",
                            (long long)r->line, TN_CSV_MAX_RECORD >> 20);
            return rc;
        }
    }
    /* With helper threads, one of them reads (and decompresses) the next block meanwhile. */
    r->reading_ahead = r->pool && tn_csv_source_ahead_begin(src, block_end);
    size_t tasks = r->seg_count + r->reading_ahead;
    int rc = tn_pool_run(tasks > 1 ? r->pool : NULL, tasks, block_task, r);
    if (rc)
        return tn_error_set(err, rc, "could not run the parsing threads");
    if (r->reading_ahead) {
        tn_csv_source_ahead_end(src);
        if (src->eof && src->len == 0 && !src->ahead_rc)
            r->finished = true;
    } else {
        src->start += block_end;
        if (src->eof && src->start == src->len)
            r->finished = true;
    }
    r->cur_seg = 0;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Handing out
 * ---------------------------------------------------------------------------------------- */

static int fail_sticky(tn_csv_reader *r, tn_error *err, int rc)
{
    r->sticky = rc;
    if (err && err != &r->sticky_err)
        r->sticky_err = *err;
    return rc;
}

/* Reports the segment's rejects (absolute lines), or with strict turns the first into an
 * error. */
static int report_rejects(tn_csv_reader *r, tn_csv_segment *seg, tn_error *err)
{
    for (size_t i = 0; i < seg->reject_count; i++) {
        const tn_csv_reject_note *note = &seg->rejects[i];
        int64_t line = r->line + note->line;
        const char *reason = seg->text.data + note->reason_off;
        const char *name = note->column > 0 && note->column <= r->column_count
                               ? r->schema->columns[note->column - 1].name
                               : NULL;
        if (r->strict) {
            const char *hint = note->column > 0
                                   ? "set the column type with --schema or drop --strict to "
                                     "quarantine such rows"
                                   : "fix the row or drop --strict to quarantine such rows";
            tn_error_set_at(err, TN_EPARSE, r->path, line, note->column, "%s%s%s%s; %s",
                            name ? "column " : "", name ? name : "", name ? ": " : "", reason,
                            hint);
            if (name)
                tn_error_set_key(err, name);
            r->rejected++;
            return TN_EPARSE;
        }
        r->rejected++;
        if (r->on_reject) {
            tn_reject rej = {
                .file = r->path,
                .line = line,
                .column = note->column,
                .column_name = name,
                .reason = reason,
                .raw = tn_str_make(seg->text.data + note->raw_off, note->raw_len),
            };
            r->on_reject(r->reject_ctx, &rej);
        }
    }
    return 0;
}

/* reader_next callback: the next batch in file order (the caller owns it), or *out = NULL at
 * the end. Reports each segment's rejects first; with strict, the first reject is TN_EPARSE
 * once the rows before it are out. An error is returned again by every later call. */
int tn_csv_reader_next(void *state, tn_batch **out, tn_error *err)
{
    tn_csv_reader *r = state;
    *out = NULL;
    if (r->sticky) {
        if (err)
            *err = r->sticky_err;
        return r->sticky;
    }
    for (;;) {
        while (r->cur_seg < r->seg_count) {
            tn_csv_segment *seg = &r->segs[r->cur_seg];
            if (!seg->reported && !r->strict) {
                seg->reported = true;
                int rc = report_rejects(r, seg, err);
                if (rc)
                    return fail_sticky(r, err, rc);
            }
            if (seg->next_batch < seg->batch_count) {
                *out = seg->batches[seg->next_batch++];
                return 0;
            }
            if (seg->error) {
                int rc = seg->error;
                tn_error_set_at(err, rc, r->path, r->line, 0,
                                rc == TN_ELIMIT
                                    ? "a column's text in one batch passes 2 GiB; read with "
                                      "smaller batches"
                                    : "out of memory while parsing");
                return fail_sticky(r, err, rc);
            }
            if (r->strict && seg->reject_count) {
                int rc = report_rejects(r, seg, err);
                return fail_sticky(r, err, rc);
            }
            r->line += seg->lines;
            r->cur_seg++;
        }
        if (r->finished)
            return 0;
        int rc = parse_next_block(r, err);
        if (rc)
            return fail_sticky(r, err, rc);
    }
}

/* Frees everything the reader holds; accepts NULL. */
void tn_csv_reader_free(tn_csv_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->seg_alloc; i++)
        segment_free(&r->segs[i]);
    tn_free(r->segs);
    tn_free(r->splits);
    tn_free(r->chunk_quotes);
    tn_csv_source_close(&r->src);
    tn_schema_unref(r->schema);
    tn_free(r->type_ids);
    tn_free(r->types);
    tn_csv_nulls_free(&r->nulls);
    tn_free(r->path);
    tn_free(r);
}
