/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_open.c: opening a CSV reader. Reads the first block, sniffs the dialect, tokenizes
 * the first record (the header candidate) and a sample of the records after it, votes the
 * column types, decides whether the first record is a header, names the columns, applies
 * opts->schema / all_varchar, and leaves the input positioned at the first data record for
 * csv_read.c. Also the reader's small callbacks (schema, describe, rejected, close).
 */
#include "formats/csv/csv_int.h"

#include <stdio.h>

/* ------------------------------------------------------------------------------------------
 * NULL strings
 * ---------------------------------------------------------------------------------------- */

/* Copies opts->null_strings (default: just ""). Returns 0 or TN_ENOMEM. */
int tn_csv_nulls_init(tn_csv_nulls *nulls, const tn_read_options *opts)
{
    memset(nulls, 0, sizeof(*nulls));
    if (!opts->null_strings) {
        nulls->empty_is_null = true;
        return 0;
    }
    if (opts->null_string_count) {
        nulls->strings = tn_calloc(opts->null_string_count, sizeof(tn_str));
        if (!nulls->strings)
            return TN_ENOMEM;
    }
    for (size_t i = 0; i < opts->null_string_count; i++) {
        const char *s = opts->null_strings[i];
        if (!s)
            continue;
        if (!*s) {
            nulls->empty_is_null = true;
            continue;
        }
        char *copy = tn_strdup(s);
        if (!copy) {
            tn_csv_nulls_free(nulls);
            return TN_ENOMEM;
        }
        nulls->strings[nulls->count++] = tn_str_c(copy);
    }
    return 0;
}

/* Frees the copies; accepts a zeroed struct. */
void tn_csv_nulls_free(tn_csv_nulls *nulls)
{
    if (!nulls)
        return;
    for (size_t i = 0; i < nulls->count; i++)
        tn_free((void *)nulls->strings[i].ptr);
    tn_free(nulls->strings);
    memset(nulls, 0, sizeof(*nulls));
}

/* ------------------------------------------------------------------------------------------
 * Open: sniff, header, inference, names
 * ---------------------------------------------------------------------------------------- */

/* The first record, kept as text because sampling may move the buffer. */
typedef struct first_row {
    uint32_t count;   /* fields */
    tn_str *values;   /* unescaped text, pointers into text */
    bool *quoted;
    tn_buf text;
} first_row;

static void first_row_free(first_row *fr)
{
    tn_free(fr->values);
    tn_free(fr->quoted);
    tn_buf_free(&fr->text);
    memset(fr, 0, sizeof(*fr));
}

/* Keeps the unescaped text of rec's fields (and whether each was quoted) in fr. Returns 0 or
 * TN_ENOMEM (fr is then freed by first_row_free). */
static int first_row_keep(first_row *fr, const tn_csv_dialect *d, const tn_csv_record *rec)
{
    tn_buf scratch = TN_BUF_INIT;
    fr->count = rec->field_count;
    fr->values = tn_calloc(rec->field_count ? rec->field_count : 1, sizeof(tn_str));
    fr->quoted = tn_calloc(rec->field_count ? rec->field_count : 1, sizeof(bool));
    if (!fr->values || !fr->quoted)
        return TN_ENOMEM;
    size_t *offs = tn_calloc(rec->field_count ? rec->field_count : 1, sizeof(size_t));
    if (!offs)
        return TN_ENOMEM;
    int rc = 0;
    for (uint32_t i = 0; i < rec->field_count; i++) {
        tn_str t;
        if ((rc = tn_csv_field_text(d, &rec->fields[i], &scratch, &t)) != 0)
            break;
        offs[i] = fr->text.len;
        fr->values[i].len = t.len;
        fr->quoted[i] = rec->fields[i].flags & TN_CSV_FIELD_QUOTED;
        if ((rc = tn_buf_append(&fr->text, t.ptr, t.len)) != 0)
            break;
    }
    if (!rc && !tn_buf_cstr(&fr->text))
        rc = TN_ENOMEM;
    if (!rc)
        for (uint32_t i = 0; i < rec->field_count; i++)
            fr->values[i].ptr = (fr->text.data ? fr->text.data : "") + offs[i];
    tn_free(offs);
    tn_buf_free(&scratch);
    return rc;
}

/* Whether a value counts as NULL for inference (quoted values never do for text). */
static bool value_is_null(const tn_csv_nulls *nulls, const char *p, size_t n, bool quoted)
{
    if (n == 0)
        return quoted ? false : nulls->empty_is_null;
    return !quoted && nulls->count && tn_csv_nulls_match(nulls, p, n);
}

/* Header auto-detection (DuckDB's rule): the first row is a header when some typed column
 * has a first value that does not convert to its type, when every column is VARCHAR, or
 * when there is no other row and none of its values is anything but text. */
static bool detect_header(const first_row *fr, const tn_type *types, uint32_t ncols,
                          bool drop_trailing, int64_t sample_rows, const tn_csv_nulls *nulls)
{
    uint32_t fc = fr->count;
    if (drop_trailing && fc == ncols + 1 && fr->values[fc - 1].len == 0)
        fc = ncols;
    if (fc != ncols)
        return true; /* a first line of another width: a title or header */
    if (sample_rows == 0) {
        for (uint32_t c = 0; c < ncols; c++) {
            tn_csv_vote vote;
            tn_csv_vote_init(&vote);
            if (tn_csv_trim(fr->values[c].ptr, fr->values[c].len).len == 0)
                return false;
            tn_csv_vote_value(&vote, fr->values[c].ptr, fr->values[c].len);
            if (tn_csv_vote_result(&vote).id != TN_TYPE_VARCHAR)
                return false;
        }
        return true;
    }
    bool all_varchar = true, all_empty = true;
    for (uint32_t c = 0; c < ncols; c++) {
        const tn_str v = fr->values[c];
        if (v.len)
            all_empty = false;
        if (types[c].id == TN_TYPE_VARCHAR)
            continue;
        all_varchar = false;
        if (value_is_null(nulls, v.ptr, v.len, fr->quoted[c]) ||
            tn_csv_trim(v.ptr, v.len).len == 0)
            continue;
        if (!tn_csv_value_fits(types[c], v.ptr, v.len))
            return true;
    }
    return all_varchar || all_empty;
}

/* Applies opts->schema: by header name when every schema column is found, else by
 * position when the counts match. */
static int apply_schema(tn_csv_reader *r, const tn_schema *schema, char **names, tn_type *types,
                        tn_error *err)
{
    uint32_t n = r->column_count;
    bool by_name = true;
    for (uint32_t i = 0; i < schema->column_count && by_name; i++) {
        bool found = false;
        for (uint32_t c = 0; c < n && !found; c++)
            found = tn_str_eq_nocase(tn_str_c(names[c]), tn_str_c(schema->columns[i].name));
        by_name = found;
    }
    if (by_name && schema->column_count > 0) {
        for (uint32_t i = 0; i < schema->column_count; i++)
            for (uint32_t c = 0; c < n; c++)
                if (tn_str_eq_nocase(tn_str_c(names[c]), tn_str_c(schema->columns[i].name))) {
                    types[c] = schema->columns[i].type;
                    break;
                }
        return 0;
    }
    if (schema->column_count != n)
        return tn_error_set_at(err, TN_EINVAL, r->path, 0, 0,
                               "the schema has %u columns but the file has %u; give one type "
                               "per column or name the columns as in the header",
                               schema->column_count, n);
    for (uint32_t c = 0; c < n; c++) {
        char *copy = tn_strdup(schema->columns[c].name);
        if (!copy)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        tn_free(names[c]);
        names[c] = copy;
        types[c] = schema->columns[c].type;
    }
    return 0;
}

/* Whether the reader can produce values of type t (a schema may carry anything). */
static bool type_supported(tn_type t)
{
    return t.id > TN_TYPE_INVALID && t.id < TN_TYPE_COUNT;
}

/* Checks the dialect characters against each other. */
static int check_dialect(const tn_csv_dialect *d, tn_error *err)
{
    const char *bad = NULL;
    if (d->delimiter == '\n' || d->delimiter == '\r')
        bad = "the delimiter cannot be a line break";
    else if (d->quote == '\n' || d->quote == '\r')
        bad = "the quote cannot be a line break";
    else if (d->escape == '\n' || d->escape == '\r')
        bad = "the escape cannot be a line break";
    else if (d->delimiter && d->delimiter == d->quote)
        bad = "the delimiter and the quote must differ";
    else if (d->delimiter && d->delimiter == d->escape)
        bad = "the delimiter and the escape must differ";
    else if (d->comment && (d->comment == d->quote || d->comment == d->delimiter ||
                            d->comment == '\n' || d->comment == '\r'))
        bad = "the comment character must differ from the delimiter and the quote";
    if (bad)
        return tn_error_set(err, TN_EINVAL, "%s", bad);
    return 0;
}

/* Temporaries of one open, freed together. */
typedef struct open_work {
    uint32_t ncols;
    char **names;       /* final column names */
    tn_type *types;     /* final column types */
    tn_csv_vote *votes; /* per column */
    first_row first;    /* the header candidate, as text */
    tn_csv_record rec;
    tn_csv_scanner sc;
    tn_buf scratch;
    bool empty;         /* no record at all */
    bool rereadable;    /* the input can be read again from the start */
    int64_t sampled;    /* records sampled after the first */
} open_work;

static void open_work_free(open_work *w)
{
    if (w->names)
        for (uint32_t c = 0; c < w->ncols; c++)
            tn_free(w->names[c]);
    tn_free(w->names);
    tn_free(w->types);
    tn_free(w->votes);
    first_row_free(&w->first);
    tn_csv_record_free(&w->rec);
    tn_buf_free(&w->scratch);
}

/* Takes the dialect characters, NULL strings, batch size and threads from opts. */
static int init_reader(tn_csv_reader *r, const char *path, const tn_read_options *opts,
                       tn_error *err)
{
    r->path = tn_strdup(path);
    if (!r->path)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_csv_dialect *d = &r->dialect;
    d->delimiter = opts->delimiter;
    d->quote = opts->quote ? opts->quote : '"';
    d->escape = opts->escape ? opts->escape : d->quote;
    d->comment = opts->comment;
    int rc = check_dialect(d, err);
    if (rc)
        return rc;
    if ((rc = tn_csv_nulls_init(&r->nulls, opts)) != 0)
        return tn_error_set(err, rc, "out of memory");
    r->strict = opts->strict;
    r->batch_rows = opts->batch_rows ? opts->batch_rows : TN_BATCH_ROWS;
    r->on_reject = opts->on_reject;
    r->reject_ctx = opts->reject_ctx;
    r->threads = opts->threads > 0 ? opts->threads : tn_cpu_count();
    r->min_segment = tn_csv_tuning_current.min_segment ? tn_csv_tuning_current.min_segment : 1;
    if (r->threads > 1)
        r->pool = tn_pool_shared();
    if (!r->pool)
        r->threads = 1;
    return 0;
}

/* Opens the input, reads until the first record is complete and the sniffing window is in
 * the buffer, and sniffs the dialect and the column count. */
static int open_and_sniff(tn_csv_reader *r, bool memory, const void *mem, size_t mem_len,
                          const tn_read_options *opts, open_work *w, tn_error *err)
{
    tn_csv_source *src = &r->src;
    tn_csv_dialect *d = &r->dialect;
    size_t block = tn_csv_tuning_current.block_size;
    int rc = memory ? tn_csv_source_open_memory(src, mem, mem_len, block, err)
                    : tn_csv_source_open(src, r->path, block, err);
    if (rc)
        return rc;
    r->compression = src->in ? tn_input_compression(src->in) : NULL;
    /* A pipe cannot be read twice: then only what the first buffer holds is sampled. */
    w->rereadable =
        !src->in || (strcmp(r->path, "-") != 0 && tn_input_file_size(src->in) >= 0);

    tn_csv_dialect probe = *d;
    if (!probe.delimiter)
        probe.delimiter = ',';
    for (;;) {
        tn_csv_scanner_init(&w->sc, &probe, src->buf + src->len);
        rc = tn_csv_next_record(&w->sc, &probe, src->buf + src->start, src->eof, &w->rec);
        if (rc < 0)
            return tn_error_set(err, rc, "out of memory");
        if (rc != TN_CSV_MORE)
            break;
        if ((rc = tn_csv_source_read_further(src, err)) != 0)
            return rc;
    }
    /* The sniffer looks at the first TN_CSV_SNIFF_BYTES whatever the block size, so that the
     * dialect never depends on how the input is buffered. */
    while (!src->eof && src->len - src->start < TN_CSV_SNIFF_BYTES)
        if ((rc = tn_csv_source_read_further(src, err)) != 0)
            return rc;

    tn_csv_sniffed sniffed;
    rc = tn_csv_sniff_dialect(src->buf + src->start, src->len - src->start, src->eof, d,
                              opts->delimiter != 0, opts->escape != 0, &sniffed);
    if (rc)
        return tn_error_set(err, rc, "out of memory");
    r->line_ending = tn_csv_sniff_line_ending(src->buf + src->start, src->len - src->start);
    r->drop_trailing = sniffed.drop_trailing;
    r->parity = d->escape == d->quote && !d->comment;
    w->ncols = sniffed.column_count;
    return 0;
}

/* Votes the values of one sampled record. */
static int vote_record(const tn_csv_reader *r, open_work *w)
{
    const tn_csv_record *rec = &w->rec;
    uint32_t nf = rec->field_count;
    if (r->drop_trailing && nf == w->ncols + 1 && rec->fields[nf - 1].len == 0)
        nf = w->ncols;
    if (nf != w->ncols)
        return 0; /* a ragged row does not vote */
    for (uint32_t c = 0; c < w->ncols; c++) {
        const tn_csv_field *f = &rec->fields[c];
        tn_str text;
        int rc = tn_csv_field_text(&r->dialect, f, &w->scratch, &text);
        if (rc)
            return rc;
        if (!value_is_null(&r->nulls, text.ptr, text.len, f->flags & TN_CSV_FIELD_QUOTED))
            tn_csv_vote_value(&w->votes[c], text.ptr, text.len);
    }
    return 0;
}

/* Tokenizes the first record (kept as text) and votes over the sample of records after it,
 * refilling the buffer as needed. */
static int sample(tn_csv_reader *r, const tn_read_options *opts, open_work *w, tn_error *err)
{
    tn_csv_source *src = &r->src;
    const tn_csv_dialect *d = &r->dialect;
    tn_csv_scanner_init(&w->sc, d, src->buf + src->len);
    int st = tn_csv_next_record(&w->sc, d, src->buf + src->start, src->eof, &w->rec);
    if (st < 0)
        return tn_error_set(err, st, "out of memory");
    w->empty = st == TN_CSV_END || st == TN_CSV_MORE;
    if (w->empty)
        w->ncols = opts->schema && opts->schema->column_count ? opts->schema->column_count : 1;
    w->names = tn_calloc(w->ncols, sizeof(char *));
    w->types = tn_calloc(w->ncols, sizeof(tn_type));
    w->votes = tn_calloc(w->ncols, sizeof(tn_csv_vote));
    if (!w->names || !w->types || !w->votes)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t c = 0; c < w->ncols; c++)
        tn_csv_vote_init(&w->votes[c]);
    if (w->empty)
        return 0;
    int rc = first_row_keep(&w->first, d, &w->rec);
    if (rc)
        return tn_error_set(err, rc, "out of memory");
    if (st == TN_CSV_UNTERMINATED)
        return 0; /* the first record runs to the end */

    int64_t limit = opts->sample_rows == 0 ? TN_SAMPLE_DEFAULT : opts->sample_rows;
    const char *p = w->rec.next;
    while (limit < 0 || w->sampled < limit) {
        st = tn_csv_next_record(&w->sc, d, p, src->eof, &w->rec);
        if (st < 0)
            return tn_error_set(err, st, "out of memory");
        if (st == TN_CSV_MORE) {
            if (!w->rereadable)
                break;
            src->start = (size_t)(p - src->buf);
            if ((rc = tn_csv_source_fill(src, err)) != 0)
                return rc;
            tn_csv_scanner_init(&w->sc, d, src->buf + src->len);
            p = src->buf + src->start;
            continue;
        }
        if (st != TN_CSV_RECORD)
            break;
        p = w->rec.next;
        w->sampled++;
        if ((rc = vote_record(r, w)) != 0)
            return tn_error_set(err, rc, "out of memory");
    }
    return 0;
}

/* Decides the header, the names and the types, and builds the schema. */
static int decide_columns(tn_csv_reader *r, const tn_read_options *opts, open_work *w,
                          tn_error *err)
{
    const uint32_t ncols = w->ncols;
    const first_row *first = &w->first;
    int rc;
    for (uint32_t c = 0; c < ncols; c++)
        w->types[c] = tn_csv_vote_result(&w->votes[c]);
    bool header = false;
    if (!w->empty) {
        if (opts->header == TN_HEADER_YES)
            header = true;
        else if (opts->header == TN_HEADER_AUTO)
            header = detect_header(first, w->types, ncols, r->drop_trailing, w->sampled,
                                   &r->nulls);
    }
    if (header) {
        /* The first record, re-tokenized from its kept text, names the columns. */
        rc = tn_csv_make_names_text(first->values, first->count, ncols, w->names);
    } else {
        /* The first record is data: it votes too. */
        if (!w->empty && (first->count == ncols || (r->drop_trailing && first->count == ncols + 1)))
            for (uint32_t c = 0; c < ncols; c++)
                if (!value_is_null(&r->nulls, first->values[c].ptr, first->values[c].len,
                                   first->quoted[c]))
                    tn_csv_vote_value(&w->votes[c], first->values[c].ptr, first->values[c].len);
        for (uint32_t c = 0; c < ncols; c++)
            w->types[c] = w->empty ? tn_type_make(TN_TYPE_VARCHAR)
                                   : tn_csv_vote_result(&w->votes[c]);
        rc = tn_csv_make_names_text(NULL, 0, ncols, w->names);
    }
    if (rc)
        return tn_error_set(err, rc, "out of memory");
    r->header = header;
    r->column_count = ncols;
    if (opts->all_varchar)
        for (uint32_t c = 0; c < ncols; c++)
            w->types[c] = tn_type_make(TN_TYPE_VARCHAR);
    if (opts->schema && (rc = apply_schema(r, opts->schema, w->names, w->types, err)) != 0)
        return rc;

    r->schema = tn_schema_new();
    r->type_ids = tn_calloc(ncols ? ncols : 1, 1);
    r->types = tn_calloc(ncols ? ncols : 1, sizeof(tn_type));
    if (!r->schema || !r->type_ids || !r->types)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t c = 0; c < ncols; c++) {
        if (!type_supported(w->types[c]))
            return tn_error_set(err, TN_EINVAL, "unsupported type for column %s", w->names[c]);
        if ((rc = tn_schema_add(r->schema, w->names[c], w->types[c], true)) != 0)
            return tn_error_set(err, rc, "out of memory");
        r->types[c] = w->types[c];
        r->type_ids[c] = w->types[c].id;
    }
    return 0;
}

/* Goes back to the first data record: the start of the input, after the header if any. */
static int position_at_data(tn_csv_reader *r, open_work *w, tn_error *err)
{
    tn_csv_source *src = &r->src;
    const tn_csv_dialect *d = &r->dialect;
    int rc;
    if (!tn_csv_source_restart(src) && (rc = tn_csv_source_rewind(src, r->path, err)) != 0)
        return rc;
    r->line = 1;
    if (r->header) {
        for (;;) {
            tn_csv_scanner_init(&w->sc, d, src->buf + src->len);
            int st = tn_csv_next_record(&w->sc, d, src->buf + src->start, src->eof, &w->rec);
            if (st < 0)
                return tn_error_set(err, st, "out of memory");
            if (st != TN_CSV_MORE)
                break;
            if ((rc = tn_csv_source_read_further(src, err)) != 0)
                return rc;
        }
        r->line += w->rec.lines;
        src->start = (size_t)(w->rec.next - src->buf);
    }
    /* From here on a one-column file reads an empty line as a NULL value. */
    r->dialect.blank_is_record = w->ncols == 1;
    if (w->empty)
        r->finished = true; /* nothing but blank or comment lines */
    return 0;
}

/* Opens a reader over the file at path, or (memory) over mem_len bytes at mem, then named
 * path in messages. */
static int reader_open(const char *path, bool memory, const void *mem, size_t mem_len,
                       const tn_read_options *opts, void **state, tn_error *err)
{
    static const tn_read_options defaults = {0};
    if (!opts)
        opts = &defaults;
    *state = NULL;
    open_work w = {0};
    int rc;
    tn_csv_reader *r = tn_calloc(1, sizeof(*r));
    if (!r)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    if ((rc = init_reader(r, path, opts, err)) != 0 ||
        (rc = open_and_sniff(r, memory, mem, mem_len, opts, &w, err)) != 0 ||
        (rc = sample(r, opts, &w, err)) != 0 || (rc = decide_columns(r, opts, &w, err)) != 0 ||
        (rc = position_at_data(r, &w, err)) != 0)
        goto fail;
    open_work_free(&w);
    *state = r;
    return 0;

fail:
    open_work_free(&w);
    tn_csv_reader_free(r);
    if (err && err->code == 0)
        tn_error_set(err, rc, "could not open %s as CSV", path);
    return rc;
}

/* reader_open callback: opens path (through tn_input) and infers the schema; *state owns
 * everything. Returns 0, or a TN_E* code with err set (TN_EINVAL for bad options or schema). */
int tn_csv_reader_open(const char *path, const tn_read_options *opts, void **state,
                       tn_error *err)
{
    return reader_open(path, false, NULL, 0, opts, state, err);
}

/* As tn_csv_reader_open over bytes in memory (borrowed until close). */
int tn_csv_reader_open_memory(const char *name, const void *data, size_t len,
                              const tn_read_options *opts, void **state, tn_error *err)
{
    return reader_open(name ? name : "<memory>", true, data, len, opts, state, err);
}

/* reader_schema callback: the schema, owned by the reader. */
const tn_schema *tn_csv_reader_schema(void *state)
{
    return ((tn_csv_reader *)state)->schema;
}

/* reader_rejected callback: rows rejected (reported) so far. */
int64_t tn_csv_reader_rejected(void *state)
{
    return ((tn_csv_reader *)state)->rejected;
}

/* reader_close callback: frees the reader and batches not handed out; accepts NULL. */
void tn_csv_reader_close(void *state)
{
    tn_csv_reader_free(state);
}

static int append_char_json(tn_buf *json, const char *key, char c, bool comma)
{
    int rc = tn_buf_printf(json, "%s\"%s\":", comma ? "," : "", key);
    if (rc)
        return rc;
    if (!c)
        return tn_buf_append_cstr(json, "null");
    return tn_buf_append_json_string(json, &c, 1);
}

/* reader_describe callback: appends {"delimiter":..,"quote":..,"escape":..,"header":..,
 * "line_ending":..,"bom":..,"compression":..,"comment":..}. Returns 0 or TN_ENOMEM. */
int tn_csv_reader_describe(void *state, tn_buf *json)
{
    tn_csv_reader *r = state;
    if (tn_buf_putc(json, '{') || append_char_json(json, "delimiter", r->dialect.delimiter, false) ||
        append_char_json(json, "quote", r->dialect.quote, true) ||
        append_char_json(json, "escape", r->dialect.escape, true) ||
        tn_buf_printf(json, ",\"header\":%s,\"line_ending\":\"%s\",\"bom\":%s",
                      r->header ? "true" : "false", r->line_ending ? r->line_ending : "none",
                      r->src.bom ? "true" : "false") ||
        tn_buf_append_cstr(json, ",\"compression\":"))
        return TN_ENOMEM;
    int rc = r->compression
                 ? tn_buf_append_json_string(json, r->compression, strlen(r->compression))
                 : tn_buf_append_cstr(json, "null");
    if (rc || append_char_json(json, "comment", r->dialect.comment, true) ||
        tn_buf_putc(json, '}'))
        return TN_ENOMEM;
    return 0;
}
