/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn inspect FILE...`: reads every row of each file (so the counts are exact) and shows
 * the detected format and dialect, the inferred schema, the row count, the rejected rows with
 * up to ten problems, and a few sample rows; as a table or as JSON for scripts.
 */
#include "cli/cli.h"
#include "formats/json/json.h"

#include <stdlib.h>
#include <strings.h>

#define MAX_PROBLEMS 10
#define DEFAULT_SAMPLE_ROWS 5
#define MAX_CELL_WIDTH 32

static const tn_cli_option inspect_options[] = {
    {"format", 'f', "FORMAT", "output as 'table' (default) or 'json'"},
    {"rows", 'n', "N", "sample rows to show (default 5)"},
    TN_CLI_READ_OPTIONS,
    {NULL, 0, NULL, NULL},
};

typedef struct problem {
    char *file;
    int64_t line;
    int64_t column;
    char *column_name;
    char *reason;
} problem;

typedef struct problem_log {
    problem items[MAX_PROBLEMS];
    int count;
    bool out_of_memory;
} problem_log;

static void collect_problem(void *ctx, const tn_reject *reject)
{
    problem_log *log = ctx;
    if (log->count == MAX_PROBLEMS) return;
    problem *p = &log->items[log->count];
    p->file = tn_strdup(reject->file ? reject->file : "");
    p->reason = tn_strdup(reject->reason ? reject->reason : "");
    p->column_name = reject->column_name ? tn_strdup(reject->column_name) : NULL;
    p->line = reject->line;
    p->column = reject->column;
    if (!p->file || !p->reason) {
        tn_free(p->file);
        tn_free(p->reason);
        tn_free(p->column_name);
        log->out_of_memory = true;
        return;
    }
    log->count++;
}

static void problem_log_free(problem_log *log)
{
    for (int i = 0; i < log->count; i++) {
        tn_free(log->items[i].file);
        tn_free(log->items[i].reason);
        tn_free(log->items[i].column_name);
    }
    log->count = 0;
}

/* What one file turned out to hold. */
typedef struct inspection {
    const char *path;
    const tn_format *format;
    tn_schema *schema;
    tn_buf details; /* the format's JSON description */
    int64_t rows;
    int64_t rejected;
    problem_log problems;
    tn_batch *sample; /* the first rows, copied */
    tn_error error;
    bool failed;
} inspection;

static void inspection_free(inspection *in)
{
    tn_schema_unref(in->schema);
    tn_buf_free(&in->details);
    problem_log_free(&in->problems);
    tn_batch_free(in->sample);
}

static int keep_sample_rows(inspection *in, const tn_batch *batch, uint32_t wanted,
                            tn_error *err)
{
    if (!in->sample) {
        in->sample = tn_batch_new(batch->schema, wanted ? wanted : 1);
        if (!in->sample) return tn_error_set(err, TN_ENOMEM, "out of memory keeping sample rows");
    }
    for (uint32_t r = 0; r < batch->row_count && in->sample->row_count < wanted; r++) {
        uint32_t dst = in->sample->row_count;
        for (uint32_t c = 0; c < batch->schema->column_count; c++) {
            int rc = tn_vector_copy_row(&in->sample->columns[c], dst, &batch->columns[c], r);
            if (rc < 0) return tn_error_set(err, rc, "out of memory keeping sample rows");
        }
        in->sample->row_count++;
    }
    return 0;
}

static void inspect_one(const char *path, const tn_cli_read_setup *setup, uint32_t sample_rows,
                        inspection *in)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    tn_read_options options = setup->options;
    options.on_reject = collect_problem;
    options.reject_ctx = &in->problems;
    tn_reader *reader = NULL;
    tn_cli_progress progress;
    tn_cli_progress_start(&progress);
    int rc = tn_reader_open(path, &options, &reader, &in->error);
    if (rc < 0) goto fail;
    in->format = tn_reader_format(reader);
    in->schema = tn_schema_ref((tn_schema *)tn_reader_schema(reader));
    for (;;) {
        tn_batch *batch = NULL;
        rc = tn_reader_next(reader, &batch, &in->error);
        if (rc < 0) goto fail;
        if (!batch) break;
        in->rows += batch->row_count;
        if (in->sample == NULL || in->sample->row_count < sample_rows)
            rc = keep_sample_rows(in, batch, sample_rows, &in->error);
        tn_batch_free(batch);
        if (rc < 0) goto fail;
        tn_cli_progress_update(&progress, path, tn_reader_progress(reader), in->rows);
    }
    tn_cli_progress_finish(&progress);
    in->rejected = tn_reader_rejected(reader);
    rc = tn_reader_describe(reader, &in->details);
    if (rc < 0) {
        tn_error_set(&in->error, rc, "out of memory describing '%s'", path);
        goto fail;
    }
    tn_reader_close(reader);
    return;
fail:
    tn_cli_progress_finish(&progress);
    in->failed = true;
    if (reader) in->rejected = tn_reader_rejected(reader);
    tn_reader_close(reader);
}

/* ---- JSON output ------------------------------------------------------------------------ */

static bool type_is_json_number(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
    case TN_TYPE_DECIMAL:
        return true;
    default:
        return false;
    }
}

static int append_json_value(tn_buf *out, const tn_vector *v, uint32_t row, tn_buf *scratch)
{
    if (!tn_vector_is_valid(v, row)) return tn_buf_append_cstr(out, "null");
    if (v->type.id == TN_TYPE_BOOLEAN)
        return tn_buf_append_cstr(out, tn_vector_get_bool(v, row) ? "true" : "false");
    tn_buf_clear(scratch);
    int rc = tn_vector_format_value(v, row, scratch);
    if (rc < 0) return rc;
    bool number = type_is_json_number(v->type);
    if (v->type.id == TN_TYPE_DOUBLE || v->type.id == TN_TYPE_REAL) {
        double d = v->type.id == TN_TYPE_DOUBLE ? tn_vector_f64(v)[row] : tn_vector_f32(v)[row];
        number = d == d && d - d == 0; /* finite: JSON has no inf or nan */
    }
    if (number) return tn_buf_append(out, scratch->data, scratch->len);
    return tn_buf_append_json_string(out, scratch->data ? scratch->data : "", scratch->len);
}

static int append_json_inspection(tn_buf *out, const inspection *in)
{
    char type_name[64];
    tn_buf scratch = TN_BUF_INIT;
    int rc = tn_buf_append_cstr(out, "{\"file\":");
    rc |= tn_buf_append_json_string(out, in->path, strlen(in->path));
    if (in->failed) {
        char text[2048];
        tn_error_format(&in->error, text, sizeof text);
        rc |= tn_buf_append_cstr(out, ",\"error\":");
        rc |= tn_buf_append_json_string(out, text, strlen(text));
    }
    if (in->format) {
        rc |= tn_buf_printf(out, ",\"format\":\"%s\"", in->format->name);
        bool parquet = strcmp(in->format->name, "parquet") == 0;
        if (in->details.len) {
            rc |= tn_buf_printf(out, ",\"%s\":", parquet ? "parquet" : "dialect");
            rc |= tn_buf_append(out, in->details.data, in->details.len);
        }
    }
    rc |= tn_buf_append_cstr(out, ",\"columns\":[");
    for (uint32_t c = 0; in->schema && c < in->schema->column_count; c++) {
        const tn_column *col = &in->schema->columns[c];
        rc |= tn_buf_append_cstr(out, c ? ",{\"name\":" : "{\"name\":");
        rc |= tn_buf_append_json_string(out, col->name, strlen(col->name));
        rc |= tn_buf_printf(out, ",\"type\":\"%s\",\"nullable\":%s}",
                            tn_type_format(col->type, type_name, sizeof type_name),
                            col->nullable ? "true" : "false");
    }
    rc |= tn_buf_printf(out, "],\"rows\":%lld,\"rejected\":%lld,\"problems\":[",
                        (long long)in->rows, (long long)in->rejected);
    for (int i = 0; i < in->problems.count; i++) {
        const problem *p = &in->problems.items[i];
        rc |= tn_buf_append_cstr(out, i ? ",{\"file\":" : "{\"file\":");
        rc |= tn_buf_append_json_string(out, p->file, strlen(p->file));
        rc |= tn_buf_printf(out, ",\"line\":%lld,\"column\":", (long long)p->line);
        if (p->column_name)
            rc |= tn_buf_append_json_string(out, p->column_name, strlen(p->column_name));
        else if (p->column > 0)
            rc |= tn_buf_printf(out, "%lld", (long long)p->column);
        else
            rc |= tn_buf_append_cstr(out, "null");
        rc |= tn_buf_printf(out, ",\"position\":%lld,\"reason\":", (long long)p->column);
        rc |= tn_buf_append_json_string(out, p->reason, strlen(p->reason));
        rc |= tn_buf_append_cstr(out, "}");
    }
    rc |= tn_buf_append_cstr(out, "],\"sample\":[");
    for (uint32_t r = 0; in->sample && r < in->sample->row_count; r++) {
        rc |= tn_buf_append_cstr(out, r ? ",{" : "{");
        for (uint32_t c = 0; c < in->schema->column_count; c++) {
            const char *name = in->schema->columns[c].name;
            if (c) rc |= tn_buf_putc(out, ',');
            rc |= tn_buf_append_json_string(out, name, strlen(name));
            rc |= tn_buf_putc(out, ':');
            rc |= append_json_value(out, &in->sample->columns[c], r, &scratch);
        }
        rc |= tn_buf_putc(out, '}');
    }
    rc |= tn_buf_append_cstr(out, "]}");
    tn_buf_free(&scratch);
    return rc ? TN_ENOMEM : 0;
}

/* ---- Table output ----------------------------------------------------------------------- */

/* Display width of UTF-8 text, counting code points (good enough for a terminal table). */
static size_t display_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Copies at most max_width code points of s into out, with "…" when cut; control characters
 * become spaces so a value cannot break the table. */
static void cell_text(const char *s, size_t n, size_t max_width, tn_buf *out)
{
    tn_buf_clear(out);
    size_t width = display_width(s, n);
    size_t keep = width > max_width ? max_width - 1 : width;
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch & 0xC0) != 0x80) {
            if (seen == keep) break;
            seen++;
        }
        tn_buf_putc(out, ch < 0x20 ? ' ' : (char)ch);
    }
    if (width > max_width) tn_buf_append_cstr(out, "\xE2\x80\xA6");
}

static void print_padded(const char *s, size_t len, size_t width, bool right)
{
    size_t w = display_width(s, len);
    size_t pad = width > w ? width - w : 0;
    if (right) printf("%*s", (int)pad, "");
    fwrite(s, 1, len, stdout);
    if (!right) printf("%*s", (int)pad, "");
}

static bool type_aligns_right(tn_type t)
{
    return type_is_json_number(t) || t.id == TN_TYPE_DOUBLE || t.id == TN_TYPE_REAL;
}

static void print_sample_table(const inspection *in)
{
    const tn_schema *schema = in->schema;
    const tn_batch *sample = in->sample;
    if (!sample || sample->row_count == 0 || schema->column_count == 0) return;
    uint32_t cols = schema->column_count, rows = sample->row_count;
    tn_buf *cells = tn_calloc((size_t)cols * (rows + 1), sizeof(tn_buf));
    size_t *widths = tn_calloc(cols, sizeof(size_t));
    if (!cells || !widths) goto done;
    tn_buf value = TN_BUF_INIT;
    for (uint32_t c = 0; c < cols; c++) {
        cell_text(schema->columns[c].name, strlen(schema->columns[c].name), MAX_CELL_WIDTH,
                  &cells[c]);
        widths[c] = display_width(cells[c].data, cells[c].len);
        for (uint32_t r = 0; r < rows; r++) {
            tn_buf *cell = &cells[(size_t)(r + 1) * cols + c];
            tn_buf_clear(&value);
            if (tn_vector_is_valid(&sample->columns[c], r))
                tn_vector_format_value(&sample->columns[c], r, &value);
            else
                tn_buf_append_cstr(&value, "NULL");
            cell_text(value.data ? value.data : "", value.len, MAX_CELL_WIDTH, cell);
            size_t w = display_width(cell->data ? cell->data : "", cell->len);
            if (w > widths[c]) widths[c] = w;
        }
    }
    tn_buf_free(&value);
    for (uint32_t r = 0; r <= rows; r++) {
        printf("  ");
        for (uint32_t c = 0; c < cols; c++) {
            tn_buf *cell = &cells[(size_t)r * cols + c];
            if (c) printf(" | ");
            bool right = r > 0 && type_aligns_right(schema->columns[c].type);
            /* The last column needs no padding on the right: no trailing blanks. */
            print_padded(cell->data ? cell->data : "", cell->len,
                         c + 1 == cols && !right ? 0 : widths[c], right);
        }
        printf("\n");
        if (r == 0) {
            printf("  ");
            for (uint32_t c = 0; c < cols; c++) {
                if (c) printf("-+-");
                for (size_t k = 0; k < widths[c]; k++) putchar('-');
            }
            printf("\n");
        }
    }
done:
    for (size_t i = 0; cells && i < (size_t)cols * (rows + 1); i++) tn_buf_free(&cells[i]);
    tn_free(cells);
    tn_free(widths);
}

/* ---- Parquet row groups as a table ---------------------------------------------------- */

#define MAX_STAT_WIDTH 24

enum {
    RG_GROUP, RG_ROWS, RG_BYTES, RG_COLUMN, RG_TYPE, RG_CODEC, RG_ENCODINGS, RG_COMPRESSED,
    RG_UNCOMPRESSED, RG_NULLS, RG_MIN, RG_MAX, RG_FIELDS
};

static const char *const row_group_headers[RG_FIELDS] = {
    "group", "rows", "bytes", "column", "type", "codec", "encodings", "compressed",
    "uncompressed", "nulls", "min", "max",
};

/* Numbers read right-aligned. */
static const bool row_group_right[RG_FIELDS] = {
    [RG_GROUP] = true, [RG_ROWS] = true, [RG_BYTES] = true, [RG_COMPRESSED] = true,
    [RG_UNCOMPRESSED] = true, [RG_NULLS] = true,
};

static int64_t json_member_int(const tn_json *object, const char *key)
{
    int64_t v = -1;
    tn_json_int64(tn_json_get(object, key), &v);
    return v;
}

/* A member shown as a cell: strings as their text, numbers and other values as JSON, absent
 * or null as empty; cut to max_width code points. */
static void json_cell(const tn_json *value, size_t max_width, tn_buf *scratch, tn_buf *cell)
{
    tn_str text;
    tn_buf_clear(scratch);
    if (!value || tn_json_is_null(value))
        return;
    if (tn_json_string(value, &text))
        tn_buf_append(scratch, text.ptr, text.len);
    else
        tn_json_write(value, scratch);
    cell_text(scratch->data ? scratch->data : "", scratch->len, max_width, cell);
}

/* Prints the row groups of a Parquet file, one line per column chunk: the group's number,
 * rows and bytes on its first line, then each chunk's type, codec, encodings, sizes, null
 * count and bounds, in aligned columns. */
static void print_row_groups(const tn_json *groups)
{
    size_t lines = 0;
    for (size_t g = 0; g < tn_json_count(groups); g++) {
        size_t n = tn_json_count(tn_json_get(tn_json_at(groups, g), "columns"));
        lines += n ? n : 1;
    }
    tn_buf *cells = tn_calloc((lines + 1) * RG_FIELDS, sizeof(tn_buf));
    if (!cells)
        return;
    size_t widths[RG_FIELDS];
    for (int f = 0; f < RG_FIELDS; f++)
        tn_buf_append_cstr(&cells[f], row_group_headers[f]);
    tn_buf scratch = TN_BUF_INIT;
    char number[32];
    size_t line = 1;
    for (size_t g = 0; g < tn_json_count(groups); g++) {
        const tn_json *group = tn_json_at(groups, g);
        const tn_json *columns = tn_json_get(group, "columns");
        tn_buf *row = &cells[line * RG_FIELDS];
        tn_buf_printf(&row[RG_GROUP], "%zu", g);
        tn_buf_append_cstr(&row[RG_ROWS], tn_cli_thousands(json_member_int(group, "rows"), number));
        tn_buf_append_cstr(&row[RG_BYTES], tn_cli_bytes(json_member_int(group, "bytes"), number));
        size_t count = tn_json_count(columns);
        for (size_t c = 0; c < count; c++) {
            const tn_json *col = tn_json_at(columns, c);
            row = &cells[(line + c) * RG_FIELDS];
            json_cell(tn_json_get(col, "name"), MAX_CELL_WIDTH, &scratch, &row[RG_COLUMN]);
            json_cell(tn_json_get(col, "physical_type"), MAX_CELL_WIDTH, &scratch, &row[RG_TYPE]);
            json_cell(tn_json_get(col, "codec"), MAX_CELL_WIDTH, &scratch, &row[RG_CODEC]);
            const tn_json *encodings = tn_json_get(col, "encodings");
            tn_buf_clear(&scratch);
            for (size_t e = 0; e < tn_json_count(encodings); e++) {
                tn_str name;
                if (!tn_json_string(tn_json_at(encodings, e), &name))
                    continue;
                if (scratch.len)
                    tn_buf_putc(&scratch, ',');
                tn_buf_append(&scratch, name.ptr, name.len);
            }
            cell_text(scratch.data ? scratch.data : "", scratch.len, MAX_CELL_WIDTH,
                      &row[RG_ENCODINGS]);
            tn_buf_append_cstr(&row[RG_COMPRESSED],
                               tn_cli_bytes(json_member_int(col, "compressed_bytes"), number));
            tn_buf_append_cstr(&row[RG_UNCOMPRESSED],
                               tn_cli_bytes(json_member_int(col, "uncompressed_bytes"), number));
            int64_t nulls = json_member_int(col, "null_count");
            if (nulls >= 0)
                tn_buf_append_cstr(&row[RG_NULLS], tn_cli_thousands(nulls, number));
            json_cell(tn_json_get(col, "min"), MAX_STAT_WIDTH, &scratch, &row[RG_MIN]);
            json_cell(tn_json_get(col, "max"), MAX_STAT_WIDTH, &scratch, &row[RG_MAX]);
        }
        line += count ? count : 1;
    }
    tn_buf_free(&scratch);
    for (int f = 0; f < RG_FIELDS; f++) {
        widths[f] = 0;
        for (size_t r = 0; r <= lines; r++) {
            const tn_buf *cell = &cells[r * RG_FIELDS + f];
            size_t w = display_width(cell->data ? cell->data : "", cell->len);
            if (w > widths[f])
                widths[f] = w;
        }
    }
    printf("\n  row groups (%zu):\n", tn_json_count(groups));
    for (size_t r = 0; r <= lines; r++) {
        /* Trailing empty cells are not padded: no blanks at the end of a line. */
        int last = RG_FIELDS - 1;
        while (last > 0 && cells[r * RG_FIELDS + last].len == 0)
            last--;
        printf("  ");
        for (int f = 0; f <= last; f++) {
            const tn_buf *cell = &cells[r * RG_FIELDS + f];
            bool right = r > 0 && row_group_right[f];
            if (f)
                printf("  ");
            print_padded(cell->data ? cell->data : "", cell->len,
                         f == last && !right ? 0 : widths[f], right);
        }
        printf("\n");
    }
    for (size_t i = 0; i < (lines + 1) * RG_FIELDS; i++)
        tn_buf_free(&cells[i]);
    tn_free(cells);
}

/* Prints key/value metadata one pair a line, long values cut (Arrow schemas are base64). */
static void print_key_values(const tn_json *object)
{
    size_t count = tn_json_count(object);
    if (count == 0)
        return;
    size_t key_width = 0;
    for (size_t i = 0; i < count; i++) {
        tn_str key;
        tn_json_member_at(object, i, &key);
        size_t w = display_width(key.ptr, key.len);
        if (w > key_width)
            key_width = w < MAX_CELL_WIDTH ? w : MAX_CELL_WIDTH;
    }
    printf("\n  metadata:\n");
    tn_buf scratch = TN_BUF_INIT, cell = TN_BUF_INIT;
    for (size_t i = 0; i < count; i++) {
        tn_str key;
        const tn_json *value = tn_json_member_at(object, i, &key);
        cell_text(key.ptr, key.len, MAX_CELL_WIDTH, &cell);
        printf("  ");
        print_padded(cell.data ? cell.data : "", cell.len, key_width, false);
        json_cell(value, 2 * MAX_CELL_WIDTH, &scratch, &cell);
        if (cell.len)
            printf("  %.*s", (int)cell.len, cell.data);
        printf("\n");
    }
    tn_buf_free(&scratch);
    tn_buf_free(&cell);
}

/* Prints the format's description: scalar members on one "dialect" line (delimiter ',',
 * header yes, ...); Parquet row groups and key/value metadata as tables below it, other
 * nested members as compact JSON. */
static void print_details(const inspection *in)
{
    if (!in->details.len) return;
    tn_json_doc *doc = NULL;
    tn_error err = {0};
    if (tn_json_parse(in->details.data, in->details.len, &doc, &err) < 0) {
        printf("  details   %.*s\n", (int)in->details.len, in->details.data);
        return;
    }
    const tn_json *root = tn_json_root(doc);
    bool parquet = strcmp(in->format->name, "parquet") == 0;
    tn_buf line = TN_BUF_INIT, nested = TN_BUF_INIT;
    for (size_t i = 0; i < tn_json_count(root); i++) {
        tn_str key;
        const tn_json *value = tn_json_member_at(root, i, &key);
        tn_json_type type = tn_json_type_of(value);
        if (parquet && type == TN_JSON_ARRAY && tn_str_eq(key, TN_STR_LIT("row_groups")))
            continue; /* printed after the line */
        if (parquet && type == TN_JSON_OBJECT && tn_str_eq(key, TN_STR_LIT("key_value_metadata")))
            continue;
        if (type == TN_JSON_OBJECT || type == TN_JSON_ARRAY) {
            tn_buf_printf(&nested, "  %-9.*s ", (int)key.len, key.ptr);
            tn_json_write(value, &nested);
            tn_buf_putc(&nested, '\n');
            continue;
        }
        if (type == TN_JSON_NULL) continue;
        if (line.len) tn_buf_append_cstr(&line, ", ");
        tn_buf_printf(&line, "%.*s ", (int)key.len, key.ptr);
        tn_str text;
        bool flag;
        if (tn_json_string(value, &text)) {
            bool visible = text.len == 1 && text.ptr[0] > ' ' && text.ptr[0] < 127;
            if (text.len == 1 && text.ptr[0] == '\t')
                tn_buf_append_cstr(&line, "tab");
            else if (visible)
                tn_buf_printf(&line, "'%c'", text.ptr[0]);
            else
                tn_buf_append(&line, text.ptr, text.len);
        } else if (tn_json_bool(value, &flag)) {
            tn_buf_append_cstr(&line, flag ? "yes" : "no");
        } else {
            tn_json_write(value, &line);
        }
    }
    if (line.len) printf("  details   %.*s\n", (int)line.len, line.data);
    if (nested.len) fwrite(nested.data, 1, nested.len, stdout);
    if (parquet) {
        const tn_json *groups = tn_json_get(root, "row_groups");
        if (tn_json_type_of(groups) == TN_JSON_ARRAY && tn_json_count(groups))
            print_row_groups(groups);
        const tn_json *kv = tn_json_get(root, "key_value_metadata");
        if (tn_json_type_of(kv) == TN_JSON_OBJECT)
            print_key_values(kv);
        printf("\n");
    }
    tn_buf_free(&line);
    tn_buf_free(&nested);
    tn_json_free(doc);
}

static void print_table_inspection(const inspection *in)
{
    char count[32], type_name[64];
    printf("%s\n", in->path);
    if (in->format) {
        printf("  format    %s\n", in->format->name);
        print_details(in);
    }
    if (in->failed) {
        char text[2048];
        printf("  error     %s\n", tn_error_format(&in->error, text, sizeof text));
    }
    if (in->schema) {
        printf("  rows      %s\n", tn_cli_thousands(in->rows, count));
        printf("  rejected  %s\n", tn_cli_thousands(in->rejected, count));
        size_t name_width = 6;
        for (uint32_t c = 0; c < in->schema->column_count; c++) {
            size_t w = display_width(in->schema->columns[c].name,
                                     strlen(in->schema->columns[c].name));
            if (w > name_width) name_width = w;
        }
        if (name_width > 40) name_width = 40;
        printf("\n  %-*s  %-16s %s\n", (int)name_width, "column", "type", "nullable");
        for (uint32_t c = 0; c < in->schema->column_count; c++) {
            const tn_column *col = &in->schema->columns[c];
            printf("  ");
            print_padded(col->name, strlen(col->name), name_width, false);
            printf("  %-16s %s\n", tn_type_format(col->type, type_name, sizeof type_name),
                   col->nullable ? "yes" : "no");
        }
    }
    if (in->problems.count) {
        printf("\n  problems (first %d of %s):\n", in->problems.count,
               tn_cli_thousands(in->rejected, count));
        for (int i = 0; i < in->problems.count; i++) {
            const problem *p = &in->problems.items[i];
            printf("    %s:%lld", p->file, (long long)p->line);
            if (p->column > 0) printf(":%lld", (long long)p->column);
            if (p->column_name) printf(" (%s)", p->column_name);
            printf(": %s\n", p->reason);
        }
    }
    if (in->sample && in->sample->row_count) {
        printf("\n  sample (first %u rows):\n", in->sample->row_count);
        print_sample_table(in);
    }
}

static int run_inspect(const tn_cli_command *cmd, tn_cli_args *args)
{
    tn_cli_read_setup setup;
    int rc = tn_cli_read_setup_init(cmd, args, &setup);
    if (rc) return rc;
    const char *output = tn_cli_get(args, "format");
    bool json = false;
    if (output) {
        if (strcasecmp(output, "json") == 0)
            json = true;
        else if (strcasecmp(output, "table") != 0)
            return tn_cli_usage_error(cmd, "--format takes 'table' or 'json', not '%s'", output);
    }
    uint32_t sample_rows = DEFAULT_SAMPLE_ROWS;
    const char *rows_arg = tn_cli_get(args, "rows");
    if (rows_arg) {
        char *end = NULL;
        long n = strtol(rows_arg, &end, 10);
        if (!end || *end || n < 0 || n > 10000)
            return tn_cli_usage_error(cmd, "--rows takes a number from 0 to 10000, not '%s'",
                                      rows_arg);
        sample_rows = (uint32_t)n;
    }
    char **paths = NULL;
    int path_count = 0;
    rc = tn_cli_expand_inputs(args->positional, args->positional_count, &paths, &path_count);
    if (rc) return rc;

    int exit_code = TN_EXIT_OK;
    tn_buf out = TN_BUF_INIT;
    if (json && path_count > 1) tn_buf_putc(&out, '[');
    for (int i = 0; i < path_count; i++) {
        inspection in;
        inspect_one(paths[i], &setup, sample_rows, &in);
        if (in.failed) {
            int code = tn_cli_fail(&in.error);
            if (code > exit_code) exit_code = code;
        }
        if (json) {
            if (i) tn_buf_putc(&out, ',');
            if (append_json_inspection(&out, &in) < 0) exit_code = TN_EXIT_INTERNAL;
        } else if (!in.failed || in.schema) {
            if (i) printf("\n");
            print_table_inspection(&in);
        }
        if (in.problems.out_of_memory) exit_code = TN_EXIT_INTERNAL;
        inspection_free(&in);
    }
    if (json) {
        if (path_count > 1) tn_buf_putc(&out, ']');
        tn_buf_putc(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
    }
    tn_buf_free(&out);
    tn_cli_paths_free(paths, path_count);
    if (fflush(stdout) != 0) return TN_EXIT_USER;
    return exit_code;
}

const tn_cli_command tn_cmd_inspect = {
    .name = "inspect",
    .usage = "FILE...",
    .summary = "show the format, schema, row count and problems of data files",
    .details = "Reads every row of each FILE (CSV, TSV, NDJSON, JSON or Parquet; .gz and .zst\n"
               "are decompressed on the fly), so the counts are exact. Rows that do not fit the\n"
               "inferred schema are counted as rejected and the first ten are listed with file,\n"
               "line, column and reason. FILE may be a glob or a folder.",
    .options = inspect_options,
    .min_positional = 1,
    .run = run_inspect,
};
