/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON reader: rows -> batches. It reads through tn_input (so .gz and .zst work), tells
 * NDJSON from a JSON document by content, samples rows to infer the schema, then loads:
 *
 * - NDJSON: big chunks (16 MiB) cut at a newline are split into segments at newlines and
 *   parsed in parallel on the worker pool, each segment into its own batches; batches are
 *   handed out in file order and rejected lines are reported afterwards, in order, with
 *   exact line numbers (each segment counts its lines; a prefix sum places them).
 * - a document (an array of objects, one object, any other value): read sequentially, one
 *   array element at a time, so memory holds one element and one chunk, never the file.
 *
 * The bytes read while sampling are kept (up to 256 MiB) so the load starts from memory;
 * past that the input is opened again. See README.md for the detection and inference rules.
 */
#include "formats/json/json_int.h"

#include <stdio.h>
#include <strings.h>

#define CHUNK_BYTES    ((size_t)16 << 20)  /* NDJSON bytes parsed per parallel round */
#define SEGMENT_MIN    ((size_t)1 << 20)   /* smallest segment worth a task */
#define READ_STEP      ((size_t)1 << 20)   /* bytes asked for when more input is needed */
#define FIRST_BUFFER   ((size_t)64 << 10)  /* first buffer size; doubles as data arrives */
#define RETAIN_MAX     ((size_t)256 << 20) /* sample bytes kept to re-read from memory */
#define FIRST_LINE_MAX ((size_t)64 << 20)  /* longest first line looked at for detection */
#define ELEMENT_MAX    ((size_t)1 << 30)   /* largest single document element */
#define RAW_MAX        4096                /* bytes of a rejected record kept */
#define PAD            64                  /* slack after the data in the buffer */

typedef enum json_layout {
    LAYOUT_NDJSON = 0,
    LAYOUT_ARRAY,  /* one array document whose elements are rows */
    LAYOUT_OBJECT, /* one object document: one row */
    LAYOUT_VALUE,  /* any other document: one row, column `value` */
} json_layout;

static const char *const layout_names[] = {"ndjson", "array", "object", "value"};

/* Decompressed input with a window of bytes in memory. Offsets, never pointers, survive a
 * read: reading may move the window. */
typedef struct json_source {
    char *path;
    tn_input *in;
    char *buf;
    size_t len; /* bytes in buf */
    size_t cap;
    size_t pos; /* first byte not consumed */
    bool eof;
    bool retain;    /* keep every byte from the start (sampling) */
    bool dropped;   /* retention given up: rewinding reopens the input */
    int64_t line;   /* line of buf[pos], 1-based */
    int64_t column; /* characters between the start of that line and buf[pos] */
} json_source;

typedef struct json_pending_reject {
    int64_t line; /* within the segment (0-based) until placed */
    int64_t column;
    int col_idx; /* column at fault, -1 when none */
    char *reason;
    char *raw;
    size_t raw_len;
} json_pending_reject;

/* One parallel task's share of an NDJSON chunk and what it produced. */
typedef struct json_segment {
    const char *start;
    const char *end;
    int64_t lines;
    tn_batch **batches;
    size_t batch_count;
    size_t batch_cap;
    json_pending_reject *rejects;
    size_t reject_count;
    size_t reject_cap;
    int rc;
} json_segment;

typedef enum doc_state {
    DOC_START = 0, /* before the document */
    DOC_FIRST,     /* after '[' */
    DOC_NEXT,      /* after an array element */
    DOC_END,       /* after the document: only whitespace may follow */
    DOC_DONE,
} doc_state;

typedef struct json_reader {
    json_source src;
    tn_read_options opts;
    json_layout layout;
    bool records; /* rows are objects; otherwise column `value` holds each value */
    bool forced_ndjson;
    int64_t sample_rows;
    uint32_t batch_rows;
    json_cols cols;
    tn_schema *schema;
    int64_t rejected;
    size_t bom; /* bytes of a UTF-8 byte order mark at the start */
    /* NDJSON engine */
    tn_pool *pool;
    bool own_pool;
    int worker_count;
    json_row *workers;
    json_segment *segs;
    size_t seg_cap;
    char *next_buf; /* the chunk being read while the current one is parsed */
    size_t next_len;
    size_t next_cap;
    bool next_eof;
    bool prefetch; /* this round reads the next chunk */
    int next_rc;
    tn_error next_err;
    tn_batch **queue;
    size_t queue_len;
    size_t queue_head;
    size_t queue_cap;
    /* document engine */
    json_row doc_row;
    doc_state doc;
    bool pending; /* an element to parse again in a fresh batch (text limit) */
    size_t pending_start;
    size_t pending_end;
    int64_t pending_line;
    int64_t pending_column;
    bool done;
} json_reader;

/* ------------------------------------------------------------------------------------------
 * Source
 * ---------------------------------------------------------------------------------------- */

static int source_open(json_source *s, tn_error *err)
{
    s->len = s->pos = 0;
    s->eof = false;
    s->line = 1;
    s->column = 0;
    return tn_input_open(s->path, &s->in, err);
}

/* Reads at least `want` more bytes unless the input ends first. */
static int source_read(json_source *s, size_t want, tn_error *err)
{
    if (s->eof) return 0;
    if (s->retain && s->len + want > RETAIN_MAX && strcmp(s->path, "-") != 0) {
        s->retain = false;
        s->dropped = true;
    }
    if (!s->retain && s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    size_t got = 0;
    while (got < want) {
        /* Grow only when the room is used up, doubling: a small file never costs a
         * chunk-sized buffer, a large one settles at about a chunk. */
        if (s->cap < s->len + PAD + 4096) {
            size_t cap = s->cap ? s->cap * 2 : FIRST_BUFFER;
            size_t need = s->len + (want - got) + PAD;
            if (cap > need && need > s->len + PAD + 4096) cap = need;
            while (cap < s->len + PAD + 4096) cap *= 2;
            char *grown = tn_realloc(s->buf, cap);
            if (!grown) return tn_error_set(err, TN_ENOMEM, "out of memory reading %s", s->path);
            s->buf = grown;
            s->cap = cap;
        }
        int64_t n = tn_input_read(s->in, s->buf + s->len, s->cap - PAD - s->len, err);
        if (n < 0) return (int)n;
        if (n == 0) {
            s->eof = true;
            break;
        }
        s->len += (size_t)n;
        got += (size_t)n;
    }
    return 0;
}

/* Moves pos to `to`, keeping line and column up to date. */
static void source_advance(json_source *s, size_t to)
{
    const char *p = s->buf + s->pos;
    const char *end = s->buf + to;
    const char *last_nl = NULL;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) {
        s->line++;
        last_nl = q;
    }
    if (last_nl) {
        s->column = 0;
        p = last_nl + 1;
    }
    for (; p < end; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) s->column++;
    s->pos = to;
}

/* Skips whitespace, reading as needed. Returns 0 (pos at content or at the end) or an error. */
static int source_skip_ws(json_source *s, tn_error *err)
{
    for (;;) {
        const char *p = s->buf + s->pos;
        const char *q = json_skip_ws(p, s->buf + s->len);
        source_advance(s, (size_t)(q - s->buf));
        if (s->pos < s->len || s->eof) return 0;
        int rc = source_read(s, READ_STEP, err);
        if (rc) return rc;
    }
}

/* Skips a UTF-8 byte order mark at the very start (editors on some systems write one). */
static int source_skip_bom(json_reader *rd, tn_error *err)
{
    json_source *s = &rd->src;
    while (s->len - s->pos < 3 && !s->eof) {
        int rc = source_read(s, READ_STEP, err);
        if (rc) return rc;
    }
    rd->bom = 0;
    if (s->len - s->pos >= 3 && memcmp(s->buf + s->pos, "\xEF\xBB\xBF", 3) == 0) {
        s->pos += 3;
        rd->bom = 3;
    }
    return 0;
}

/* Back to the first byte for the load after sampling. */
static int source_rewind(json_reader *rd, tn_error *err)
{
    json_source *s = &rd->src;
    s->retain = false;
    if (!s->dropped) {
        s->pos = 0;
        s->line = 1;
        s->column = 0;
    } else {
        tn_input_close(s->in);
        s->in = NULL;
        s->dropped = false;
        int rc = source_open(s, err);
        if (rc) return rc;
    }
    return source_skip_bom(rd, err);
}

/* Code points in [p, q), for 1-based character columns. */
static int64_t count_chars(const char *p, const char *q)
{
    int64_t n = 0;
    for (; p < q; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) n++;
    return n;
}

/* ------------------------------------------------------------------------------------------
 * Layout detection
 * ---------------------------------------------------------------------------------------- */

typedef enum line_class {
    LINE_COMPLETE = 0, /* one whole valid value */
    LINE_INCOMPLETE,   /* a valid start that continues on later lines */
    LINE_INVALID,
} line_class;

static line_class classify_line(const char *p, const char *end)
{
    json_err e = {0};
    bool oom = false;
    const char *q = tn_json_scan_value(p, end, 0, NULL, &oom, &e);
    if (!q) return e.incomplete ? LINE_INCOMPLETE : LINE_INVALID;
    return json_skip_ws(q, end) == end ? LINE_COMPLETE : LINE_INVALID;
}

/* Finds the end of the line starting at offset `from` (reading as needed, up to
 * FIRST_LINE_MAX). Returns the offset of its '\n' or of the end of input; *found tells
 * whether the line is complete in memory. */
static int find_line_end(json_source *s, size_t from, size_t *line_end, bool *found, tn_error *err)
{
    size_t scanned = from;
    for (;;) {
        const char *nl = memchr(s->buf + scanned, '\n', s->len - scanned);
        if (nl) {
            *line_end = (size_t)(nl - s->buf);
            *found = true;
            return 0;
        }
        scanned = s->len;
        if (s->eof) {
            *line_end = s->len;
            *found = true;
            return 0;
        }
        if (s->len - from > FIRST_LINE_MAX) {
            *found = false;
            return 0;
        }
        int rc = source_read(s, READ_STEP, err);
        if (rc) return rc;
    }
}

/* Offset of the next non-whitespace byte at or after `from` (reading as needed), or len. */
static int find_content(json_source *s, size_t from, size_t *at, tn_error *err)
{
    for (;;) {
        const char *q = json_skip_ws(s->buf + from, s->buf + s->len);
        from = (size_t)(q - s->buf);
        if (from < s->len || s->eof) {
            *at = from;
            return 0;
        }
        int rc = source_read(s, READ_STEP, err);
        if (rc) return rc;
    }
}

static bool has_ndjson_name(const char *path)
{
    static const char *const names[] = {".ndjson", ".jsonl"};
    static const char *const zips[] = {"", ".gz", ".zst", ".zstd"};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 4; j++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "%s%s", names[i], zips[j]);
            if (tn_str_has_suffix_nocase(path, suffix)) return true;
        }
    }
    return false;
}

/* Decides NDJSON or document from the first line(s); see README.md. Leaves pos at 0 with
 * retention on (the sample reads from there). */
static int detect_layout(json_reader *rd, bool *empty, tn_error *err)
{
    json_source *s = &rd->src;
    int rc;
    *empty = false;
    s->retain = true;
    if ((rc = source_skip_bom(rd, err))) return rc;
    size_t first;
    if ((rc = find_content(s, s->pos, &first, err))) return rc;
    if (first >= s->len) {
        *empty = true;
        rd->layout = LAYOUT_NDJSON;
        return 0;
    }
    char first_char = s->buf[first];
    rd->layout = first_char == '['   ? LAYOUT_ARRAY
                 : first_char == '{' ? LAYOUT_OBJECT
                                     : LAYOUT_VALUE;
    if (rd->forced_ndjson) {
        rd->layout = LAYOUT_NDJSON;
        return 0;
    }
    size_t end1;
    bool found;
    if ((rc = find_line_end(s, first, &end1, &found, err))) return rc;
    if (!found) return 0; /* a first line past 64 MiB: a document */
    line_class c1 = classify_line(s->buf + first, s->buf + end1);
    if (c1 == LINE_INCOMPLETE) return 0;
    size_t second;
    if ((rc = find_content(s, end1, &second, err))) return rc;
    if (second >= s->len) return 0; /* one line only: a document */
    if (c1 == LINE_COMPLETE) {
        rd->layout = LAYOUT_NDJSON;
        return 0;
    }
    /* A bad first line: NDJSON with a broken record if the next line is a whole value. */
    size_t end2;
    if ((rc = find_line_end(s, second, &end2, &found, err))) return rc;
    if (found && classify_line(s->buf + second, s->buf + end2) == LINE_COMPLETE)
        rd->layout = LAYOUT_NDJSON;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Document elements
 * ---------------------------------------------------------------------------------------- */

static int doc_syntax_error(json_reader *rd, const char *what, int64_t line, int64_t column,
                            tn_error *err)
{
    return tn_error_set_at(err, TN_EPARSE, rd->src.path, line, column,
                           "invalid JSON document: %s (if the file holds one JSON value per "
                           "line, name it .ndjson or pass format ndjson)",
                           what);
}

/* Where p (inside the element that starts at `start` on elem_line/elem_column) is. */
static void locate_in_element(const char *start, const char *p, int64_t elem_line,
                              int64_t elem_column, int64_t *line, int64_t *column)
{
    int64_t l = elem_line;
    const char *line_start = NULL;
    for (const char *q = start; q < p && (q = memchr(q, '\n', (size_t)(p - q))) != NULL; q++) {
        l++;
        line_start = q + 1;
    }
    *line = l;
    *column = line_start ? count_chars(line_start, p) + 1 : elem_column + count_chars(start, p) + 1;
}

/* The next row-sized piece of the document: an array element, the object, or the value.
 * Returns 1 with the element's offsets and position, 0 at the end, or a negative code (a
 * document syntax error is TN_EPARSE with line and column). */
static int doc_next(json_reader *rd, size_t *elem_start, size_t *elem_end, int64_t *elem_line,
                    int64_t *elem_column, tn_error *err)
{
    json_source *s = &rd->src;
    int rc;
    for (;;) {
        if (rd->doc == DOC_DONE) return 0;
        if ((rc = source_skip_ws(s, err))) return rc;
        bool at_end = s->pos >= s->len;
        char c = at_end ? '\0' : s->buf[s->pos];
        switch (rd->doc) {
        case DOC_START:
            if (at_end) return doc_syntax_error(rd, "no value", s->line, s->column + 1, err);
            if (rd->layout == LAYOUT_ARRAY) {
                if (c != '[')
                    return doc_syntax_error(rd, "expected '['", s->line, s->column + 1, err);
                source_advance(s, s->pos + 1);
                rd->doc = DOC_FIRST;
                continue;
            }
            break; /* the whole object or value is the element */
        case DOC_FIRST:
            if (c == ']') {
                source_advance(s, s->pos + 1);
                rd->doc = DOC_END;
                continue;
            }
            break;
        case DOC_NEXT:
            if (c == ']') {
                source_advance(s, s->pos + 1);
                rd->doc = DOC_END;
                continue;
            }
            if (c != ',')
                return doc_syntax_error(rd,
                                        at_end ? "unexpected end of input inside the array"
                                               : "expected ',' or ']' after an array element",
                                        s->line, s->column + 1, err);
            source_advance(s, s->pos + 1);
            if ((rc = source_skip_ws(s, err))) return rc;
            if (s->pos < s->len && (s->buf[s->pos] == ']' || s->buf[s->pos] == ','))
                return doc_syntax_error(rd, "expected a value after ','", s->line, s->column + 1,
                                        err);
            break;
        case DOC_END:
            if (!at_end)
                return doc_syntax_error(rd, "unexpected content after the JSON document", s->line,
                                        s->column + 1, err);
            rd->doc = DOC_DONE;
            return 0;
        case DOC_DONE:
            return 0;
        }
        if (s->pos >= s->len)
            return doc_syntax_error(rd, "unexpected end of input inside the array", s->line,
                                    s->column + 1, err);
        /* An element: get all of it into memory. */
        const char *q = NULL;
        for (;;) {
            if (rd->layout == LAYOUT_VALUE) {
                q = s->eof ? s->buf + s->len : NULL; /* a value document is the whole input */
            } else {
                q = tn_json_find_value_end(s->buf + s->pos, s->buf + s->len);
                if (!q && s->eof) q = s->buf + s->len; /* the parser reports what is wrong */
            }
            if (q) break;
            if (s->len - s->pos > ELEMENT_MAX)
                return tn_error_set_at(err, TN_ELIMIT, s->path, s->line, s->column + 1,
                                       "a JSON document element is larger than 1 GiB");
            size_t want = s->len - s->pos;
            if (want < READ_STEP) want = READ_STEP;
            if ((rc = source_read(s, want, err))) return rc;
        }
        *elem_start = s->pos;
        *elem_end = (size_t)(q - s->buf);
        *elem_line = s->line;
        *elem_column = s->column;
        source_advance(s, *elem_end);
        rd->doc = rd->layout == LAYOUT_ARRAY ? DOC_NEXT : DOC_END;
        return 1;
    }
}

/* ------------------------------------------------------------------------------------------
 * Rejects
 * ---------------------------------------------------------------------------------------- */

static const char *value_kind_name(unsigned first)
{
    switch (first) {
    case '[':
        return "an array";
    case '"':
        return "a string";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    default:
        return "a number";
    }
}

/* The reason and position of a failed row. */
static void row_problem(const json_row *r, json_row_status st, char *reason, size_t reason_size,
                        const char **pos, int *col_idx)
{
    *col_idx = -1;
    switch (st) {
    case JSON_ROW_SYNTAX:
        snprintf(reason, reason_size, "invalid JSON: %s", r->syn.msg);
        *pos = r->syn.pos;
        break;
    case JSON_ROW_TYPE:
        snprintf(reason, reason_size, "%s", r->reason);
        *pos = r->reason_pos;
        *col_idx = r->reason_col;
        break;
    default:
        snprintf(reason, reason_size, "expected a JSON object, found %s",
                 value_kind_name(r->top_kind));
        *pos = NULL;
        break;
    }
}

static size_t raw_length(const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n > 0 && p[n - 1] == '\r') n--;
    if (n > RAW_MAX) {
        n = RAW_MAX;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80) n--;
    }
    return n;
}

/* Reports one reject now (the document engine runs on the caller's thread). */
static int report_reject(json_reader *rd, int64_t line, int64_t column, int col_idx,
                         const char *reason, const char *raw, size_t raw_len, tn_error *err)
{
    const char *col_name = col_idx >= 0 ? rd->cols.cols[col_idx].name : NULL;
    if (rd->opts.strict) {
        int rc = tn_error_set_at(err, TN_EPARSE, rd->src.path, line, column, "%s", reason);
        if (col_name) tn_error_set_key(err, col_name);
        return rc;
    }
    rd->rejected++;
    if (rd->opts.on_reject) {
        tn_reject rj;
        rj.file = rd->src.path;
        rj.line = line;
        rj.column = column;
        rj.column_name = col_name;
        rj.reason = reason;
        rj.raw = tn_str_make(raw, raw_len);
        rd->opts.on_reject(rd->opts.reject_ctx, &rj);
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * NDJSON: parallel chunks
 * ---------------------------------------------------------------------------------------- */

static void segment_clear(json_segment *sg)
{
    for (size_t i = 0; i < sg->batch_count; i++) tn_batch_free(sg->batches[i]);
    for (size_t i = 0; i < sg->reject_count; i++) {
        tn_free(sg->rejects[i].reason);
        tn_free(sg->rejects[i].raw);
    }
    sg->batch_count = 0;
    sg->reject_count = 0;
    sg->rc = 0;
    sg->lines = 0;
}

static void segment_free(json_segment *sg)
{
    segment_clear(sg);
    tn_free(sg->batches);
    tn_free(sg->rejects);
}

static int segment_push_batch(json_segment *sg, tn_batch *b)
{
    if (sg->batch_count == sg->batch_cap) {
        size_t cap = sg->batch_cap ? sg->batch_cap * 2 : 16;
        tn_batch **grown = tn_realloc(sg->batches, sizeof *grown * cap);
        if (!grown) return TN_ENOMEM;
        sg->batches = grown;
        sg->batch_cap = cap;
    }
    sg->batches[sg->batch_count++] = b;
    return 0;
}

static int segment_add_reject(json_segment *sg, const json_row *r, json_row_status st, int64_t line,
                              const char *p, const char *le)
{
    if (sg->reject_count == sg->reject_cap) {
        size_t cap = sg->reject_cap ? sg->reject_cap * 2 : 16;
        json_pending_reject *grown = tn_realloc(sg->rejects, sizeof *grown * cap);
        if (!grown) return TN_ENOMEM;
        sg->rejects = grown;
        sg->reject_cap = cap;
    }
    char reason[512];
    const char *pos;
    int col_idx;
    row_problem(r, st, reason, sizeof reason, &pos, &col_idx);
    json_pending_reject *pr = &sg->rejects[sg->reject_count];
    pr->line = line;
    pr->column = pos ? count_chars(p, pos) + 1 : 0;
    pr->col_idx = col_idx;
    pr->raw_len = raw_length(p, le);
    pr->reason = tn_strdup(reason);
    pr->raw = tn_malloc(pr->raw_len + 1);
    if (!pr->reason || !pr->raw) {
        tn_free(pr->reason);
        tn_free(pr->raw);
        return TN_ENOMEM;
    }
    memcpy(pr->raw, p, pr->raw_len);
    pr->raw[pr->raw_len] = '\0';
    sg->reject_count++;
    return 0;
}

/* A row whose text alone passes the 2 GiB a column of one batch can hold is rejected. */
static json_row_status too_large(json_row *r)
{
    snprintf(r->reason, sizeof r->reason,
             "the row holds more than 2 GiB of text in one column, more than a batch can hold");
    r->reason_pos = NULL;
    r->reason_col = -1;
    return JSON_ROW_TYPE;
}

/* Gives the text columns of a new batch the room the previous batch of this worker used, so
 * they are not grown by doubling (and copied) about ten times per batch. */
static void presize_text(json_row *r, tn_batch *b)
{
    uint32_t n = b->schema->column_count;
    if (r->text_hint_count != n) return;
    for (uint32_t c = 0; c < n; c++) {
        tn_vector *v = &b->columns[c];
        size_t want = r->text_hint[c];
        if (want == 0 || v->data || !tn_type_is_varlen(v->type)) continue;
        want += want / 8 + 64;
        if (want > (size_t)INT32_MAX) continue;
        v->data = tn_malloc(want); /* when this fails, appending grows it as usual */
        if (v->data) v->data_cap = want;
    }
}

/* Remembers how much text each column of a full batch held. */
static void remember_text(json_row *r, const tn_batch *b)
{
    uint32_t n = b->schema->column_count;
    if (r->text_hint_count != n) {
        size_t *grown = tn_realloc(r->text_hint, sizeof *grown * (n ? n : 1));
        if (!grown) return;
        r->text_hint = grown;
        r->text_hint_count = n;
    }
    for (uint32_t c = 0; c < n; c++) r->text_hint[c] = b->columns[c].data_len;
}

/* Parses the lines of one segment into its own batches (runs on a pool worker). */
static void parse_segment(json_reader *rd, json_segment *sg, json_row *r)
{
    const char *p = sg->start;
    const char *end = sg->end;
    int64_t line = 0;
    tn_batch *b = NULL;
    while (p < end) {
        const char *le = end;
        if (!b) {
            b = tn_batch_new(rd->schema, rd->batch_rows);
            if (!b) {
                sg->rc = TN_ENOMEM;
                break;
            }
            r->batch = b;
            presize_text(r, b);
        }
        json_row_status st = tn_json_row_parse_line(r, p, end, &le);
        if (st == JSON_ROW_OK) {
            if (b->row_count == b->capacity) {
                remember_text(r, b);
                if (segment_push_batch(sg, b) != 0) {
                    sg->rc = TN_ENOMEM;
                    break;
                }
                b = NULL;
            }
        } else if (st == JSON_ROW_FATAL && r->fatal_code == TN_ELIMIT && b->row_count > 0) {
            /* The batch's text is full: hand it on and retry the line in a fresh batch. */
            if (segment_push_batch(sg, b) != 0) {
                sg->rc = TN_ENOMEM;
                break;
            }
            b = NULL;
            continue;
        } else if (st == JSON_ROW_FATAL && r->fatal_code != TN_ELIMIT) {
            sg->rc = r->fatal_code;
            break;
        } else if (st != JSON_ROW_BLANK) {
            if (st == JSON_ROW_FATAL) st = too_large(r);
            if (segment_add_reject(sg, r, st, line, p, le) != 0) {
                sg->rc = TN_ENOMEM;
                break;
            }
        }
        line++;
        p = le < end ? le + 1 : end;
    }
    if (b && sg->rc == 0 && b->row_count > 0) {
        if (segment_push_batch(sg, b) == 0)
            b = NULL;
        else
            sg->rc = TN_ENOMEM;
    }
    tn_batch_free(b);
    sg->lines = line;
    r->batch = NULL;
}

/* Fills the prefetch buffer with the next chunk while the current one is parsed (runs as
 * task 0 of the parallel round). */
static void prefetch_task(json_reader *rd)
{
    json_source *s = &rd->src;
    size_t target = rd->next_len + CHUNK_BYTES;
    while (rd->next_len < target) {
        int64_t n = tn_input_read(s->in, rd->next_buf + rd->next_len,
                                  rd->next_cap - PAD - rd->next_len, &rd->next_err);
        if (n < 0) {
            rd->next_rc = (int)n;
            return;
        }
        if (n == 0) {
            rd->next_eof = true;
            return;
        }
        rd->next_len += (size_t)n;
    }
}

static void segment_task(void *ctx, size_t task_idx, int worker_idx)
{
    json_reader *rd = ctx;
    if (rd->prefetch) {
        if (task_idx == 0) {
            prefetch_task(rd);
            return;
        }
        task_idx--;
    }
    /* An index past our workers only comes from a run nested in another pool's task, which
     * runs every task inline on one thread: any one row parser is then safe. */
    if (worker_idx < 0 || worker_idx >= rd->worker_count) worker_idx = 0;
    parse_segment(rd, &rd->segs[task_idx], &rd->workers[worker_idx]);
}

static int queue_push(json_reader *rd, tn_batch *b)
{
    if (rd->queue_len == rd->queue_cap) {
        size_t cap = rd->queue_cap ? rd->queue_cap * 2 : 64;
        tn_batch **grown = tn_realloc(rd->queue, sizeof *grown * cap);
        if (!grown) return TN_ENOMEM;
        rd->queue = grown;
        rd->queue_cap = cap;
    }
    rd->queue[rd->queue_len++] = b;
    return 0;
}

/* Parses the complete lines in memory into the queue, reading the next chunk meanwhile;
 * sets done at the end of input. */
static int ndjson_next_chunk(json_reader *rd, tn_error *err)
{
    json_source *s = &rd->src;
    int rc;
    if (s->len - s->pos < SEGMENT_MIN && !s->eof)
        if ((rc = source_read(s, CHUNK_BYTES, err))) return rc;
    if (s->pos >= s->len) {
        rd->done = true;
        return 0;
    }
    /* The chunk ends after its last newline; the partial line waits for the next one. */
    size_t region;
    for (;;) {
        const char *base = s->buf + s->pos;
        size_t avail = s->len - s->pos;
        if (s->eof) {
            region = avail;
            break;
        }
        const char *nl = memrchr(base, '\n', avail);
        if (nl) {
            region = (size_t)(nl - base) + 1;
            break;
        }
        if ((rc = source_read(s, avail, err))) return rc; /* one line longer than a chunk */
    }

    /* The bytes after the region start the next chunk, read while this one is parsed. */
    size_t tail = s->len - s->pos - region;
    rd->prefetch = !s->eof;
    if (rd->prefetch) {
        size_t need = tail + CHUNK_BYTES + PAD;
        if (need > rd->next_cap) {
            char *grown = tn_realloc(rd->next_buf, need);
            if (!grown) return tn_error_set(err, TN_ENOMEM, "out of memory reading %s", s->path);
            rd->next_buf = grown;
            rd->next_cap = need;
        }
        memcpy(rd->next_buf, s->buf + s->pos + region, tail);
        rd->next_len = tail;
        rd->next_eof = false;
        rd->next_rc = 0;
    }

    const char *start = s->buf + s->pos;
    const char *stop = start + region;
    size_t want = region / SEGMENT_MIN;
    size_t max_segs = (size_t)rd->worker_count * 4;
    if (want > max_segs) want = max_segs;
    if (want < 1) want = 1;
    if (want > rd->seg_cap) {
        json_segment *grown = tn_realloc(rd->segs, sizeof *grown * want);
        if (!grown) return tn_error_set(err, TN_ENOMEM, "out of memory reading %s", s->path);
        memset(grown + rd->seg_cap, 0, sizeof *grown * (want - rd->seg_cap));
        rd->segs = grown;
        rd->seg_cap = want;
    }
    size_t nseg = 0;
    const char *p = start;
    for (size_t k = 0; k < want && p < stop; k++) {
        const char *target = start + (region * (k + 1)) / want;
        const char *e;
        if (k + 1 == want || target >= stop) {
            e = stop;
        } else {
            if (target < p) target = p;
            const char *nl = memchr(target, '\n', (size_t)(stop - target));
            e = nl ? nl + 1 : stop;
        }
        json_segment *sg = &rd->segs[nseg++];
        segment_clear(sg);
        sg->start = p;
        sg->end = e;
        p = e;
    }

    size_t tasks = nseg + (rd->prefetch ? 1 : 0);
    if (tasks == 1 || !rd->pool)
        for (size_t i = 0; i < tasks; i++) segment_task(rd, i, 0);
    else
        tn_pool_run(rd->pool, tasks, segment_task, rd);

    rc = 0;
    for (size_t i = 0; i < nseg; i++) {
        if (rd->segs[i].rc) {
            rc = rd->segs[i].rc;
            break;
        }
    }
    if (rc) {
        for (size_t i = 0; i < nseg; i++) segment_clear(&rd->segs[i]);
        return tn_error_set_at(err, rc, s->path, s->line, 0,
                               rc == TN_ENOMEM ? "out of memory reading JSON"
                                               : "a JSON column holds more than 2 GiB of text in "
                                                 "one batch; use fewer rows per batch");
    }
    if (rd->prefetch && rd->next_rc) {
        for (size_t i = 0; i < nseg; i++) segment_clear(&rd->segs[i]);
        *err = rd->next_err;
        return rd->next_rc;
    }

    int64_t line = s->line;
    rc = 0;
    for (size_t i = 0; i < nseg; i++) {
        json_segment *sg = &rd->segs[i];
        for (size_t j = 0; j < sg->reject_count && rc == 0; j++) {
            json_pending_reject *pr = &sg->rejects[j];
            rc = report_reject(rd, line + pr->line, pr->column, pr->col_idx, pr->reason, pr->raw,
                               pr->raw_len, err);
        }
        line += sg->lines;
        for (size_t j = 0; j < sg->batch_count && rc == 0; j++) {
            if (queue_push(rd, sg->batches[j]) != 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory reading %s", s->path);
                break;
            }
            sg->batches[j] = NULL;
        }
        segment_clear(sg);
    }
    if (rc) {
        for (size_t i = 0; i < nseg; i++) segment_clear(&rd->segs[i]);
        return rc;
    }
    s->line = line;
    s->column = 0;
    if (rd->prefetch) {
        /* The prefetched chunk becomes the window; the old window is the next prefetch. */
        char *old = s->buf;
        size_t old_cap = s->cap;
        s->buf = rd->next_buf;
        s->cap = rd->next_cap;
        s->len = rd->next_len;
        s->pos = 0;
        s->eof = rd->next_eof;
        rd->next_buf = old;
        rd->next_cap = old_cap;
    } else {
        s->pos += region;
    }
    if (s->eof && s->pos >= s->len) rd->done = true;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Sampling and schema
 * ---------------------------------------------------------------------------------------- */

static bool sample_more(const json_reader *rd, int64_t rows)
{
    return rd->sample_rows < 0 || rows < rd->sample_rows;
}

static int sample_ndjson(json_reader *rd, tn_error *err)
{
    json_source *s = &rd->src;
    json_row r;
    int rc = 0;
    tn_json_row_init(&r, &rd->cols, JSON_ROW_INFER, true);
    rd->records = true;
    bool decided = false;
    int64_t rows = 0;
    size_t off = s->pos;
    while (sample_more(rd, rows)) {
        const char *nl = memchr(s->buf + off, '\n', s->len - off);
        while (!nl && !s->eof) {
            size_t rel = off - s->pos;
            if ((rc = source_read(s, READ_STEP + (s->len - off), err))) goto out;
            off = s->pos + rel;
            nl = memchr(s->buf + off, '\n', s->len - off);
        }
        const char *le = nl ? nl : s->buf + s->len;
        if (!nl && le == s->buf + off) break;
        json_row_status st = tn_json_row_parse(&r, s->buf + off, le);
        if (st == JSON_ROW_FATAL) {
            rc = tn_error_set(err, r.fatal_code, "out of memory sampling %s", s->path);
            goto out;
        }
        if (st != JSON_ROW_BLANK) rows++;
        if (!decided && st == JSON_ROW_OK) decided = true;
        if (!decided && st == JSON_ROW_NOT_OBJECT) {
            rd->records = false;
            break;
        }
        if (!nl) break;
        off = (size_t)(nl - s->buf) + 1;
    }
    if (rd->cols.count == 0) rd->records = false;
out:
    tn_json_row_free(&r);
    return rc;
}

static int sample_document(json_reader *rd, tn_error *err)
{
    json_source *s = &rd->src;
    json_row r;
    int rc = 0;
    tn_json_row_init(&r, &rd->cols, JSON_ROW_INFER, true);
    rd->records = rd->layout != LAYOUT_VALUE;
    rd->doc = DOC_START;
    int64_t rows = 0;
    while (rd->records && sample_more(rd, rows)) {
        size_t es, ee;
        int64_t el, ec;
        rc = doc_next(rd, &es, &ee, &el, &ec, err);
        if (rc <= 0) break;
        rc = 0;
        json_row_status st = tn_json_row_parse(&r, s->buf + es, s->buf + ee);
        if (st == JSON_ROW_FATAL) {
            rc = tn_error_set(err, r.fatal_code, "out of memory sampling %s", s->path);
            break;
        }
        if (st == JSON_ROW_SYNTAX) {
            int64_t line, column;
            locate_in_element(s->buf + es, r.syn.pos, el, ec, &line, &column);
            rc = doc_syntax_error(rd, r.syn.msg, line, column, err);
            break;
        }
        if (st == JSON_ROW_NOT_OBJECT) rd->records = false;
        rows++;
    }
    if (rc == 0 && rd->cols.count == 0) rd->records = false;
    if (!rd->records) rd->layout = LAYOUT_VALUE;
    tn_json_row_free(&r);
    return rc;
}

/* Builds the schema and the final column map from the sample (or the given schema). */
static int build_schema(json_reader *rd, tn_error *err)
{
    json_cols final;
    int rc = tn_json_cols_init(&final);
    if (rc) return tn_error_set(err, rc, "out of memory");
    rd->schema = tn_schema_new();
    if (!rd->schema) goto oom;
    if (rd->opts.schema && rd->records) {
        for (uint32_t i = 0; i < rd->opts.schema->column_count; i++) {
            const tn_column *c = &rd->opts.schema->columns[i];
            if (tn_json_cols_add(&final, c->name, strlen(c->name)) < 0) goto oom;
            final.cols[i].type = c->type;
            if (tn_schema_add(rd->schema, c->name, c->type, true) != 0) goto oom;
        }
    } else if (rd->records) {
        for (uint32_t i = 0; i < rd->cols.count; i++) {
            const json_col *c = &rd->cols.cols[i];
            /* A key seen only as null whose other rows hold objects ("a": null next to
             * "a": {"b": 1}) is the object's absence, not a column of its own. */
            if ((c->kinds & ~(uint32_t)JSON_KIND_NULL) == 0) {
                bool is_parent = false;
                for (uint32_t j = 0; j < rd->cols.count && !is_parent; j++) {
                    const json_col *o = &rd->cols.cols[j];
                    is_parent = o->name_len > c->name_len && o->name[c->name_len] == '.' &&
                                memcmp(o->name, c->name, c->name_len) == 0;
                }
                if (is_parent) continue;
            }
            tn_type type =
                rd->opts.all_varchar ? tn_type_make(TN_TYPE_VARCHAR) : tn_json_kinds_type(c->kinds);
            int idx = tn_json_cols_add(&final, c->name, c->name_len);
            if (idx < 0) goto oom;
            final.cols[idx].type = type;
            final.cols[idx].kinds = c->kinds;
            if (tn_schema_add(rd->schema, c->name, type, true) != 0) goto oom;
        }
    } else {
        if (tn_json_cols_add(&final, "value", 5) < 0) goto oom;
        final.cols[0].type = tn_type_make(TN_TYPE_VARCHAR);
        if (tn_schema_add(rd->schema, "value", tn_type_make(TN_TYPE_VARCHAR), true) != 0) goto oom;
    }
    tn_json_cols_free(&rd->cols);
    rd->cols = final;
    return 0;
oom:
    tn_json_cols_free(&final);
    return tn_error_set(err, TN_ENOMEM, "out of memory building the schema of %s", rd->src.path);
}

/* ------------------------------------------------------------------------------------------
 * The plugin callbacks
 * ---------------------------------------------------------------------------------------- */

static void reader_free(json_reader *rd)
{
    if (!rd) return;
    for (size_t i = rd->queue_head; i < rd->queue_len; i++) tn_batch_free(rd->queue[i]);
    tn_free(rd->queue);
    for (size_t i = 0; i < rd->seg_cap; i++) segment_free(&rd->segs[i]);
    tn_free(rd->segs);
    for (int i = 0; i < rd->worker_count; i++) tn_json_row_free(&rd->workers[i]);
    tn_free(rd->workers);
    if (rd->own_pool) tn_pool_destroy(rd->pool);
    tn_json_row_free(&rd->doc_row);
    tn_json_cols_free(&rd->cols);
    tn_schema_unref(rd->schema);
    tn_input_close(rd->src.in);
    tn_free(rd->src.buf);
    tn_free(rd->next_buf);
    tn_free(rd->src.path);
    tn_free(rd);
}

static int setup_engine(json_reader *rd, tn_error *err)
{
    int threads = rd->opts.threads > 0 ? rd->opts.threads : tn_cpu_count();
    if (rd->layout == LAYOUT_NDJSON && threads > 1) {
        if (rd->opts.threads <= 0) {
            rd->pool = tn_pool_shared();
        } else {
            int rc = tn_pool_create(threads, &rd->pool);
            if (rc) return tn_error_set(err, rc, "cannot start %d reader threads", threads);
            rd->own_pool = true;
        }
    }
    rd->worker_count = rd->pool ? tn_pool_threads(rd->pool) : 1;
    if (rd->worker_count < 1) rd->worker_count = 1;
    if (rd->layout == LAYOUT_NDJSON) {
        rd->workers = tn_calloc((size_t)rd->worker_count, sizeof *rd->workers);
        if (!rd->workers) {
            rd->worker_count = 0;
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        for (int i = 0; i < rd->worker_count; i++)
            tn_json_row_init(&rd->workers[i], &rd->cols, JSON_ROW_LOAD, rd->records);
    } else {
        rd->worker_count = 0;
        tn_json_row_init(&rd->doc_row, &rd->cols, JSON_ROW_LOAD, rd->records);
        rd->doc = DOC_START;
    }
    return 0;
}

/* Opens a reader (reader_open of tn_format_json): detects the layout, samples, fixes the
 * schema and rewinds. Returns 0 with *state set, or a negative code with err set. */
int tn_json_reader_open(const char *path, const tn_read_options *opts, void **state, tn_error *err)
{
    *state = NULL;
    json_reader *rd = tn_calloc(1, sizeof *rd);
    if (!rd) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc;
    if (opts) rd->opts = *opts;
    rd->sample_rows = rd->opts.sample_rows == 0 ? TN_SAMPLE_DEFAULT : rd->opts.sample_rows;
    if (rd->sample_rows < 0) rd->sample_rows = -1;
    rd->batch_rows = rd->opts.batch_rows ? rd->opts.batch_rows : TN_BATCH_ROWS;
    rd->forced_ndjson = (rd->opts.format && (strcasecmp(rd->opts.format, "ndjson") == 0 ||
                                             strcasecmp(rd->opts.format, "jsonl") == 0)) ||
                        has_ndjson_name(path);
    rd->src.path = tn_strdup(path);
    if (!rd->src.path) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = tn_json_cols_init(&rd->cols))) {
        rc = tn_error_set(err, rc, "out of memory");
        goto fail;
    }
    if ((rc = source_open(&rd->src, err))) goto fail;
    bool empty;
    if ((rc = detect_layout(rd, &empty, err))) goto fail;
    if (empty && !rd->forced_ndjson) {
        /* RFC 8259: a JSON text holds one value; an empty one is not valid JSON. NDJSON (by
         * name or option) holds zero or more lines, so there it means zero rows. */
        rc = tn_error_set_at(err, TN_EPARSE, path, 1, 1,
                             "'%s' holds no JSON value (it is empty or only whitespace; name it "
                             ".ndjson or use --input-format ndjson to read it as zero rows)",
                             path);
        goto fail;
    }
    if (empty) {
        rd->records = rd->opts.schema != NULL;
    } else if (rd->opts.schema) {
        rd->records = rd->layout != LAYOUT_VALUE;
    } else if (rd->layout == LAYOUT_NDJSON) {
        rc = sample_ndjson(rd, err);
    } else {
        rc = sample_document(rd, err);
    }
    if (rc) goto fail;
    if ((rc = build_schema(rd, err))) goto fail;
    if ((rc = source_rewind(rd, err))) goto fail;
    if ((rc = setup_engine(rd, err))) goto fail;
    *state = rd;
    return 0;
fail:
    reader_free(rd);
    return rc;
}

/* The schema (owned by the reader). */
const tn_schema *tn_json_reader_schema(void *state)
{
    return ((json_reader *)state)->schema;
}

static int document_next(json_reader *rd, tn_batch **out, tn_error *err)
{
    json_source *s = &rd->src;
    tn_batch *b = NULL;
    int rc = 0;
    while (!rd->done) {
        if (!b) {
            b = tn_batch_new(rd->schema, rd->batch_rows);
            if (!b) return tn_error_set(err, TN_ENOMEM, "out of memory reading %s", s->path);
            rd->doc_row.batch = b;
        }
        if (b->row_count == b->capacity) break;
        size_t es, ee;
        int64_t el, ec;
        if (rd->pending) {
            /* An element that did not fit in the previous batch; still in the buffer. */
            es = rd->pending_start;
            ee = rd->pending_end;
            el = rd->pending_line;
            ec = rd->pending_column;
            rd->pending = false;
        } else {
            rc = doc_next(rd, &es, &ee, &el, &ec, err);
            if (rc < 0) goto fail;
            if (rc == 0) {
                rd->done = true;
                break;
            }
            rc = 0;
        }
        const char *e = s->buf + es;
        json_row_status st = tn_json_row_parse(&rd->doc_row, e, s->buf + ee);
        if (st == JSON_ROW_OK || st == JSON_ROW_BLANK) continue;
        if (st == JSON_ROW_FATAL && rd->doc_row.fatal_code == TN_ELIMIT) {
            if (b->row_count > 0) {
                rd->pending = true;
                rd->pending_start = es;
                rd->pending_end = ee;
                rd->pending_line = el;
                rd->pending_column = ec;
                break;
            }
            st = too_large(&rd->doc_row);
        }
        if (st == JSON_ROW_FATAL) {
            rc = tn_error_set_at(err, rd->doc_row.fatal_code, s->path, el, 0,
                                 "out of memory reading JSON");
            goto fail;
        }
        char reason[512];
        const char *pos;
        int col_idx;
        row_problem(&rd->doc_row, st, reason, sizeof reason, &pos, &col_idx);
        int64_t line = el, column = 0;
        if (pos) locate_in_element(e, pos, el, ec, &line, &column);
        if (st == JSON_ROW_SYNTAX) {
            rc = doc_syntax_error(rd, rd->doc_row.syn.msg, line, column, err);
            goto fail;
        }
        rc = report_reject(rd, line, column, col_idx, reason, e, raw_length(e, s->buf + ee), err);
        if (rc) goto fail;
    }
    if (b && b->row_count == 0) {
        tn_batch_free(b);
        b = NULL;
    }
    rd->doc_row.batch = NULL;
    *out = b;
    return 0;
fail:
    rd->doc_row.batch = NULL;
    tn_batch_free(b);
    return rc;
}

/* The next batch (the caller owns it) or *out = NULL at the end. */
int tn_json_reader_next(void *state, tn_batch **out, tn_error *err)
{
    json_reader *rd = state;
    *out = NULL;
    if (rd->layout != LAYOUT_NDJSON) return document_next(rd, out, err);
    while (rd->queue_head == rd->queue_len) {
        rd->queue_head = rd->queue_len = 0;
        if (rd->done) return 0;
        int rc = ndjson_next_chunk(rd, err);
        if (rc) return rc;
    }
    *out = rd->queue[rd->queue_head++];
    return 0;
}

/* Appends {"layout":...,"records":...,"compression":...}. */
int tn_json_reader_describe(void *state, tn_buf *json)
{
    json_reader *rd = state;
    const char *compression = tn_input_compression(rd->src.in);
    return tn_buf_printf(json, "{\"layout\":\"%s\",\"records\":%s,\"compression\":\"%s\"}",
                         layout_names[rd->layout], rd->records ? "true" : "false",
                         compression ? compression : "none");
}

/* Rows rejected so far. */
int64_t tn_json_reader_rejected(void *state)
{
    return ((json_reader *)state)->rejected;
}

/* Frees the reader and its pending batches. */
void tn_json_reader_close(void *state)
{
    reader_free(state);
}
