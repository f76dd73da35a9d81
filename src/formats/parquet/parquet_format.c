/* SPDX-License-Identifier: Apache-2.0
 *
 * The Parquet format plugin: binds tn_format's callbacks to the Parquet reader (parquet.h)
 * and writer (parquet_write.h). Parquet needs random access, so the reader opens the path
 * itself (pread) instead of going through the host's sequential tn_input. The read option
 * `schema` does not apply: a Parquet file carries its own types.
 */
#include "formats/parquet/parquet.h"
#include "formats/parquet/parquet_write.h"

static const char *const parquet_extensions[] = {".parquet", ".pq", NULL};

/* "PAR1" at the very start. Encrypted-footer files start with "PARE"; claim them too so the
 * reader can say why it cannot read them. */
static int parquet_probe(const char *head, size_t len)
{
    if (len >= 4 && (memcmp(head, "PAR1", 4) == 0 || memcmp(head, "PARE", 4) == 0))
        return 100;
    return 0;
}

typedef struct parquet_reader {
    tn_parquet_file *file;
    tn_parquet_scan *scan;
} parquet_reader;

static void parquet_reader_close(void *state)
{
    parquet_reader *r = state;
    if (!r)
        return;
    tn_parquet_scan_close(r->scan);
    tn_parquet_file_close(r->file);
    tn_free(r);
}

static int parquet_reader_open(const char *path, const tn_read_options *opts, void **state,
                               tn_error *err)
{
    *state = NULL;
    parquet_reader *r = tn_calloc(1, sizeof(*r));
    if (!r)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening %s", path);
    tn_parquet_source src;
    int rc = tn_parquet_source_open_file(path, &src, err);
    if (rc == 0)
        rc = tn_parquet_file_open(&src, &r->file, err);
    if (rc == 0) {
        tn_parquet_scan_options so;
        memset(&so, 0, sizeof(so));
        so.batch_rows = opts ? opts->batch_rows : 0;
        so.threads = opts ? opts->threads : 0;
        rc = tn_parquet_scan_open(r->file, &so, &r->scan, err);
    }
    if (rc != 0) {
        parquet_reader_close(r);
        return rc;
    }
    *state = r;
    return 0;
}

static const tn_schema *parquet_reader_schema(void *state)
{
    parquet_reader *r = state;
    return tn_parquet_scan_schema(r->scan);
}

static int parquet_reader_next(void *state, tn_batch **out, tn_error *err)
{
    parquet_reader *r = state;
    return tn_parquet_scan_next(r->scan, out, err);
}

static int parquet_reader_describe(void *state, tn_buf *json)
{
    parquet_reader *r = state;
    return tn_parquet_file_describe(r->file, json);
}

/* Parquet rows are typed by the file: nothing is ever rejected row by row. */
static int64_t parquet_reader_rejected(void *state)
{
    (void)state;
    return 0;
}

const tn_format tn_format_parquet = {
    .abi_version = TN_FORMAT_ABI_VERSION,
    .name = "parquet",
    .extensions = parquet_extensions,
    .aliases = NULL,
    .probe = parquet_probe,
    .reader_open = parquet_reader_open,
    .reader_schema = parquet_reader_schema,
    .reader_next = parquet_reader_next,
    .reader_describe = parquet_reader_describe,
    .reader_rejected = parquet_reader_rejected,
    .reader_close = parquet_reader_close,
    .writer_open = tn_parquet_writer_open,
    .writer_write = tn_parquet_writer_write,
    .writer_finish = tn_parquet_writer_finish,
    .writer_abort = tn_parquet_writer_abort,
    .writer_buffered = tn_parquet_writer_buffered,
    .writer_flush = tn_parquet_writer_flush,
};
