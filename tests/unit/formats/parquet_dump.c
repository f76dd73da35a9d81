/* SPDX-License-Identifier: Apache-2.0
 *
 * parquet_dump: a test helper that reads a Parquet file through tarn's reader and prints it
 * as NDJSON, for the conformance tests (tests/e2e/parquet_conformance.test.mjs compares its
 * output with DuckDB's and with the corpus' expected rows).
 *
 *   parquet_dump FILE            first line {"columns":[{"name","type","nested"}...]},
 *                                then one JSON array per row, values in column order
 *   parquet_dump --describe FILE the JSON `tarn inspect` shows
 *   parquet_dump --count FILE    decodes every column and prints the row count (timing)
 *
 * Values: numbers as JSON numbers (DECIMAL and 64-bit integers as exact number text),
 * strings, dates and timestamps as strings, BLOBs as strings with \xHH escapes, lists and
 * maps as the JSON text the reader builds (embedded, not quoted). Exit status 1 on error,
 * with the message on stderr.
 */
#include "formats/parquet/reader_int.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    bool describe = argc == 3 && strcmp(argv[1], "--describe") == 0;
    bool count_only = argc == 3 && strcmp(argv[1], "--count") == 0;
    int threads = 0;
    const char *env = getenv("PARQUET_DUMP_THREADS");
    if (env)
        threads = atoi(env);
    if (argc != 2 && !describe && !count_only) {
        fprintf(stderr, "usage: parquet_dump [--describe | --count] FILE.parquet\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    tn_error err = {0};
    tn_parquet_source src;
    tn_parquet_file *file = NULL;
    tn_parquet_scan *scan = NULL;
    tn_buf line = TN_BUF_INIT;
    int rc = tn_parquet_source_open_file(path, &src, &err);
    if (rc == 0)
        rc = tn_parquet_file_open(&src, &file, &err);
    if (rc == 0 && describe) {
        rc = tn_parquet_file_describe(file, &line);
        if (rc == 0)
            printf("%s\n", tn_buf_cstr(&line));
        goto done;
    }
    tn_parquet_scan_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.threads = threads;
    if (rc == 0)
        rc = tn_parquet_scan_open(file, &opts, &scan, &err);
    if (rc != 0)
        goto done;
    if (count_only) {
        int64_t rows = 0;
        for (;;) {
            tn_batch *batch = NULL;
            rc = tn_parquet_scan_next(scan, &batch, &err);
            if (rc != 0 || !batch)
                break;
            rows += batch->row_count;
            tn_batch_free(batch);
        }
        if (rc == 0)
            printf("%lld\n", (long long)rows);
        goto done;
    }
    const tn_schema *schema = tn_parquet_scan_schema(scan);
    tn_buf_append_cstr(&line, "{\"columns\":[");
    for (uint32_t c = 0; c < schema->column_count; c++) {
        char type[64];
        if (c)
            tn_buf_putc(&line, ',');
        tn_buf_append_cstr(&line, "{\"name\":");
        tn_buf_append_json_string(&line, schema->columns[c].name,
                                  strlen(schema->columns[c].name));
        tn_buf_printf(&line, ",\"type\":\"%s\",\"nested\":%s}",
                      tn_type_format(schema->columns[c].type, type, sizeof(type)),
                      file->outs[c].nested ? "true" : "false");
    }
    tn_buf_append_cstr(&line, "]}");
    printf("%s\n", tn_buf_cstr(&line));
    for (;;) {
        tn_batch *batch = NULL;
        rc = tn_parquet_scan_next(scan, &batch, &err);
        if (rc != 0 || !batch)
            break;
        for (uint32_t r = 0; r < batch->row_count; r++) {
            tn_buf_clear(&line);
            tn_buf_putc(&line, '[');
            for (uint32_t c = 0; c < schema->column_count; c++) {
                const tn_vector *v = &batch->columns[c];
                if (c)
                    tn_buf_putc(&line, ',');
                if (file->outs[c].nested && tn_vector_is_valid(v, r)) {
                    tn_str s = tn_vector_get_str(v, r);
                    tn_buf_append(&line, s.ptr, s.len);
                } else {
                    pq_json_value(v, r, &line);
                }
            }
            tn_buf_putc(&line, ']');
            fwrite(line.data, 1, line.len, stdout);
            fputc('\n', stdout);
        }
        tn_batch_free(batch);
    }
done:
    if (rc != 0) {
        char msg[2048];
        fprintf(stderr, "%s\n", tn_error_format(&err, msg, sizeof(msg)));
    }
    tn_buf_free(&line);
    tn_parquet_scan_close(scan);
    tn_parquet_file_close(file);
    return rc == 0 ? 0 : 1;
}
