/* SPDX-License-Identifier: Apache-2.0
 *
 * `tarn convert INPUT... OUTPUT`: reads any formats tarn reads and writes one file in the
 * format named by the output's extension or --to. Several inputs are concatenated under one
 * schema: columns are matched by name, a column missing from an input is NULL there, and a
 * column whose types differ takes the type both widen to (VARCHAR as the last resort).
 * Rejected rows are reported on stderr; they never stop the conversion (unless --strict).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <strings.h>

#define MAX_REPORTED_REJECTS 20

static const tn_cli_option convert_options[] = {
    {"to", 't', "FORMAT", "output format: csv, tsv, ndjson, json or parquet (default: from the "
                          "extension)"},
    {"compression", 'c', "CODEC", "Parquet: zstd (default), snappy, gzip, lz4 or none"},
    {"level", 0, "N", "Parquet: compression level (zstd 1-22, gzip 1-9)"},
    {"row-group-size", 0, "N", "Parquet: rows per row group (default: ~128 MiB of data)"},
    {"output-delimiter", 0, "CHAR", "CSV output: field delimiter (default , or tab for .tsv)"},
    {"no-output-header", 0, NULL, "CSV output: no header row"},
    {"json-array", 0, NULL, "JSON output: one array document instead of one object per line"},
    TN_CLI_READ_OPTIONS,
    {NULL, 0, NULL, NULL},
};

typedef struct reject_report {
    int64_t count;
} reject_report;

static void report_reject(void *ctx, const tn_reject *reject)
{
    reject_report *report = ctx;
    report->count++;
    if (report->count > MAX_REPORTED_REJECTS) return;
    fprintf(stderr, "tarn: warning: %s:%lld", reject->file ? reject->file : "",
            (long long)reject->line);
    if (reject->column > 0) fprintf(stderr, ":%lld", (long long)reject->column);
    if (reject->column_name) fprintf(stderr, " (%s)", reject->column_name);
    fprintf(stderr, ": row rejected: %s\n", reject->reason);
}

/* How one input's columns map onto the output schema. */
typedef struct input_map {
    int *source;      /* per output column: the input's column index, or -1 (all NULL) */
    bool identity;    /* same columns, same order, same types: batches pass through */
} input_map;

/* The common type of a column seen with types a and b. */
static tn_type common_type(tn_type a, tn_type b)
{
    if (tn_type_eq(a, b)) return a;
    if (tn_type_widens_to(a, b)) return b;
    if (tn_type_widens_to(b, a)) return a;
    bool a_int = a.id == TN_TYPE_INTEGER || a.id == TN_TYPE_BIGINT;
    bool b_int = b.id == TN_TYPE_INTEGER || b.id == TN_TYPE_BIGINT;
    bool a_num = a_int || a.id == TN_TYPE_REAL || a.id == TN_TYPE_DOUBLE || a.id == TN_TYPE_DECIMAL;
    bool b_num = b_int || b.id == TN_TYPE_REAL || b.id == TN_TYPE_DOUBLE || b.id == TN_TYPE_DECIMAL;
    if (a_num && b_num) return tn_type_make(TN_TYPE_DOUBLE);
    return tn_type_make(TN_TYPE_VARCHAR);
}

static int unify_schemas(tn_reader **readers, int count, tn_schema **out, tn_error *err)
{
    tn_schema *unified = tn_schema_copy(tn_reader_schema(readers[0]));
    if (!unified) return tn_error_set(err, TN_ENOMEM, "out of memory merging schemas");
    for (int i = 1; i < count; i++) {
        const tn_schema *s = tn_reader_schema(readers[i]);
        for (uint32_t c = 0; c < s->column_count; c++) {
            const tn_column *col = &s->columns[c];
            int at = tn_schema_find(unified, col->name);
            if (at < 0) {
                if (tn_schema_add(unified, col->name, col->type, true) < 0) {
                    tn_schema_unref(unified);
                    return tn_error_set(err, TN_ENOMEM, "out of memory merging schemas");
                }
                continue;
            }
            tn_column *u = &unified->columns[at];
            u->type = common_type(u->type, col->type);
            u->nullable = u->nullable || col->nullable;
        }
    }
    /* A column absent from some input holds NULLs there. */
    for (int i = 0; i < count; i++) {
        const tn_schema *s = tn_reader_schema(readers[i]);
        for (uint32_t c = 0; c < unified->column_count; c++)
            if (tn_schema_find(s, unified->columns[c].name) < 0) unified->columns[c].nullable = true;
    }
    *out = unified;
    return 0;
}

static int build_map(const tn_schema *input, const tn_schema *output, input_map *map)
{
    map->source = tn_calloc(output->column_count ? output->column_count : 1, sizeof(int));
    if (!map->source) return TN_ENOMEM;
    map->identity = input->column_count == output->column_count;
    for (uint32_t c = 0; c < output->column_count; c++) {
        map->source[c] = tn_schema_find(input, output->columns[c].name);
        if (map->source[c] != (int)c ||
            !tn_type_eq(input->columns[c].type, output->columns[c].type))
            map->identity = false;
    }
    return 0;
}

/* Rebuilds batch under the output schema: vectors of matching type move over without a copy,
 * others are cast, missing columns are NULL. Takes ownership of `batch`. */
static int remap_batch(tn_batch *batch, const input_map *map, tn_schema *output, tn_batch **out,
                       tn_error *err)
{
    *out = NULL;
    uint32_t rows = batch->row_count;
    tn_batch *result = tn_batch_new(output, rows ? rows : 1);
    if (!result) {
        tn_batch_free(batch);
        return tn_error_set(err, TN_ENOMEM, "out of memory converting a batch");
    }
    for (uint32_t c = 0; c < output->column_count; c++) {
        tn_vector *dst = &result->columns[c];
        int s = map->source[c];
        if (s < 0) {
            for (uint32_t r = 0; r < rows; r++) tn_vector_append_null(dst, r);
            continue;
        }
        tn_vector *src = &batch->columns[s];
        if (tn_type_eq(src->type, output->columns[c].type)) {
            tn_vector moved = *dst;
            *dst = *src;
            *src = moved;
            continue;
        }
        tn_vector cast;
        int rc = tn_vector_cast(src, rows, output->columns[c].type, false, &cast, err);
        if (rc < 0) {
            tn_batch_free(result);
            tn_batch_free(batch);
            return rc;
        }
        tn_vector_destroy(dst);
        *dst = cast;
    }
    result->row_count = rows;
    tn_batch_free(batch);
    *out = result;
    return 0;
}

static int fill_write_options(const tn_cli_command *cmd, const tn_cli_args *args,
                              tn_write_options *w)
{
    memset(w, 0, sizeof *w);
    const char *to = tn_cli_get(args, "to");
    if (to && strcasecmp(to, "tsv") == 0) {
        w->format = "csv";
        w->delimiter = '\t';
    } else {
        w->format = to;
    }
    w->compression = tn_cli_get(args, "compression");
    if (w->compression) {
        static const char *const codecs[] = {"zstd", "snappy", "gzip", "lz4", "none", NULL};
        bool known = false;
        for (size_t i = 0; codecs[i]; i++) known |= strcasecmp(codecs[i], w->compression) == 0;
        if (!known)
            return tn_cli_usage_error(cmd, "unknown compression '%s' (use zstd, snappy, gzip, "
                                           "lz4 or none)", w->compression);
    }
    const char *level = tn_cli_get(args, "level");
    if (level) {
        char *end = NULL;
        long n = strtol(level, &end, 10);
        if (!end || *end || n < 1 || n > 22)
            return tn_cli_usage_error(cmd, "--level takes a number from 1 to 22, not '%s'", level);
        w->compression_level = (int)n;
    }
    const char *group = tn_cli_get(args, "row-group-size");
    if (group) {
        char *end = NULL;
        long long n = strtoll(group, &end, 10);
        if (!end || *end || n < 1)
            return tn_cli_usage_error(cmd, "--row-group-size takes a positive number of rows, "
                                           "not '%s'", group);
        w->row_group_rows = n;
    }
    const char *delimiter = tn_cli_get(args, "output-delimiter");
    if (delimiter) {
        if (strcmp(delimiter, "\\t") == 0 || strcasecmp(delimiter, "tab") == 0)
            w->delimiter = '\t';
        else if (strlen(delimiter) == 1)
            w->delimiter = delimiter[0];
        else
            return tn_cli_usage_error(cmd, "--output-delimiter takes one character, not '%s'",
                                      delimiter);
    }
    w->no_header = tn_cli_flag(args, "no-output-header");
    w->json_array = tn_cli_flag(args, "json-array");
    return 0;
}

static int run_convert(const tn_cli_command *cmd, tn_cli_args *args)
{
    if (args->positional_count < 2)
        return tn_cli_usage_error(cmd, "name at least one INPUT and the OUTPUT file");
    tn_cli_read_setup setup;
    int rc = tn_cli_read_setup_init(cmd, args, &setup);
    if (rc) return rc;
    tn_write_options write_options;
    rc = fill_write_options(cmd, args, &write_options);
    if (rc) return rc;
    const char *output_path = args->positional[args->positional_count - 1];

    reject_report report = {0};
    setup.options.on_reject = report_reject;
    setup.options.reject_ctx = &report;

    char **paths = NULL;
    int path_count = 0;
    rc = tn_cli_expand_inputs(args->positional, args->positional_count - 1, &paths, &path_count);
    if (rc) return rc;

    tn_error err = {0};
    tn_reader **readers = tn_calloc((size_t)path_count, sizeof *readers);
    input_map *maps = tn_calloc((size_t)path_count, sizeof *maps);
    tn_schema *schema = NULL;
    tn_writer *writer = NULL;
    int64_t rows = 0;
    tn_cli_progress progress;
    tn_cli_progress_start(&progress);
    if (!readers || !maps) {
        rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < path_count; i++) {
        /* The output must not be one of the inputs: it would be replaced while being read. */
        if (strcmp(paths[i], output_path) == 0) {
            rc = tn_error_set(&err, TN_EUSAGE, "the output '%s' is also an input; write to "
                                               "another file", output_path);
            goto fail;
        }
        rc = tn_reader_open(paths[i], &setup.options, &readers[i], &err);
        if (rc < 0) goto fail;
    }
    rc = unify_schemas(readers, path_count, &schema, &err);
    if (rc < 0) goto fail;
    for (int i = 0; i < path_count; i++) {
        if (build_map(tn_reader_schema(readers[i]), schema, &maps[i]) < 0) {
            rc = tn_error_set(&err, TN_ENOMEM, "out of memory");
            goto fail;
        }
    }
    rc = tn_writer_open(output_path, schema, &write_options, &writer, &err);
    if (rc < 0) goto fail;
    for (int i = 0; i < path_count; i++) {
        for (;;) {
            tn_batch *batch = NULL;
            rc = tn_reader_next(readers[i], &batch, &err);
            if (rc < 0) goto fail;
            if (!batch) break;
            if (!maps[i].identity) {
                rc = remap_batch(batch, &maps[i], schema, &batch, &err);
                if (rc < 0) goto fail;
            }
            rows += batch->row_count;
            rc = tn_writer_write(writer, batch, &err);
            tn_batch_free(batch);
            if (rc < 0) goto fail;
            tn_cli_progress_update(&progress, paths[i], tn_reader_progress(readers[i]), rows);
        }
        tn_reader_close(readers[i]);
        readers[i] = NULL;
    }
    rc = tn_writer_finish(writer, &err);
    writer = NULL;
    if (rc < 0) goto fail;
    tn_cli_progress_finish(&progress);
    if (report.count > MAX_REPORTED_REJECTS)
        fprintf(stderr, "tarn: warning: ... and %lld more rejected rows\n",
                (long long)(report.count - MAX_REPORTED_REJECTS));
    if (progress.enabled || report.count) {
        char count[32], rejected[32];
        fprintf(stderr, "tarn: wrote %s rows to %s", tn_cli_thousands(rows, count), output_path);
        if (report.count)
            fprintf(stderr, " (%s rows rejected)", tn_cli_thousands(report.count, rejected));
        fprintf(stderr, "\n");
    }
    rc = 0;
fail:
    tn_cli_progress_finish(&progress);
    tn_writer_abort(writer);
    for (int i = 0; readers && i < path_count; i++) tn_reader_close(readers[i]);
    for (int i = 0; maps && i < path_count; i++) tn_free(maps[i].source);
    tn_free(readers);
    tn_free(maps);
    tn_schema_unref(schema);
    tn_cli_paths_free(paths, path_count);
    if (rc < 0) return tn_cli_fail(&err);
    return TN_EXIT_OK;
}

const tn_cli_command tn_cmd_convert = {
    .name = "convert",
    .usage = "INPUT... OUTPUT",
    .summary = "convert files between CSV, NDJSON/JSON and Parquet",
    .details = "Reads every INPUT (a file, a glob or a folder; .gz and .zst are decompressed on\n"
               "the fly) and writes OUTPUT in the format of its extension (.csv .tsv .ndjson\n"
               ".jsonl .json .parquet) or of --to. Several inputs are concatenated: columns are\n"
               "matched by name and types widened to fit all of them. Rows that do not fit are\n"
               "reported on stderr and left out. OUTPUT appears only when complete; '-' writes\n"
               "to standard output.",
    .options = convert_options,
    .min_positional = 2,
    .run = run_convert,
};
