/* SPDX-License-Identifier: Apache-2.0
 *
 * The writer's private structures, shared by writer.c (staging, row groups, page index,
 * footer, the atomic file, background flushing, threads) and writer_chunk.c (one column
 * chunk: values, levels, dictionary, statistics, page headers, compression).
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_WRITER_INT_H
#define TN_PARQUET_WRITER_INT_H

#include "formats/parquet/encode.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_write.h"

#include <pthread.h>
#include <zstd.h>

/* How a tarn column is stored: fixed for the file. */
typedef struct column_plan {
    const char *name;
    tn_type type;
    int32_t physical; /* tn_parquet_type */
    uint32_t width;   /* staged bytes per value; 0 for BYTE_ARRAY */
    bool nullable;
    int32_t field_id;
} column_plan;

/* One column's rows of a row group, in physical form. */
typedef struct column_stage {
    tn_buf values;     /* fixed width: width bytes per row (null rows hold zeros) */
    tn_buf data;       /* BYTE_ARRAY bytes */
    uint32_t *offsets; /* BYTE_ARRAY: rows + 1 offsets into data (kept under 4 GiB) */
    size_t offsets_cap;
    tn_buf defs;       /* nullable: one byte per row, 1 = present */
    size_t nulls;
} column_stage;

/* The rows of one row group: filled by the caller's thread, then flushed. There are two, so
 * that the next row group fills while the last one is encoded. */
typedef struct stage_set {
    column_stage *columns; /* column_count */
    size_t rows;
    size_t bytes;          /* PLAIN-size estimate, for row_group_bytes */
    bool sized;            /* buffers were reserved for a whole row group */
} stage_set;

/* A value bound: fixed-width values inline, byte arrays by pointer (valid during a flush). */
typedef struct value_bound {
    const uint8_t *ptr;
    uint32_t len;
    uint8_t fixed[16];
} value_bound;

/* Statistics of a page or a chunk. */
typedef struct value_stats {
    int64_t null_count;
    int64_t nan_count;
    bool has_minmax; /* at least one comparable (non-null, non-NaN) value */
    bool too_long;   /* a byte-array bound passed STATS_MAX_BYTES */
    value_bound min, max;
} value_stats;

/* One encoded page of the row group being flushed. */
typedef struct page_buf {
    int32_t type;         /* tn_parquet_page_type */
    int32_t encoding;
    size_t levels_len;    /* data page v2: definition-level bytes at the start */
    tn_buf packed;        /* the bytes written to the file (compressed) */
    int32_t uncompressed; /* payload length before compression */
    uint32_t num_values;  /* rows (nulls included) */
    uint32_t num_nulls;
    int64_t first_row;
    value_stats stats;
} page_buf;

/* A data page as the page index needs it, kept until the end of the file. */
typedef struct page_entry {
    int64_t offset;
    int32_t size; /* header included */
    int64_t first_row;
    int64_t null_count;
    bool null_page;
    uint32_t min_off, min_len, max_off, max_len; /* into the arena copy `bounds` */
} page_entry;

/* A column chunk's page index inputs, kept until the end of the file. */
typedef struct chunk_index {
    uint32_t page_count;
    page_entry *pages;
    const uint8_t *bounds;
    bool column_index_ok; /* false when a bound was too long or a page was all NaN */
} chunk_index;

/* Step 1's output for one column of the row group, and its reusable work space. */
typedef struct chunk_work {
    uint32_t page_count; /* slots used in pages, the dictionary slot included */
    uint32_t page_cap;
    page_buf *pages;     /* [0] is the dictionary page when has_dict, then the data pages */
    bool has_dict;
    uint32_t dict_pages, plain_pages;
    value_stats stats;
    tn_parquet_dict dict;
    uint32_t *indices;   /* one page's dictionary indices */
    size_t indices_cap;
    uint32_t *stamp;     /* per dictionary entry: the last page whose bounds saw it */
    size_t stamp_cap;
    uint32_t stamp_id;
    tn_buf body;         /* one page's uncompressed payload */
    tn_buf scratch;      /* one page's present values, compacted */
    int rc;
    tn_error err;
} chunk_work;

typedef struct pq_writer {
    tn_atomic_file file;
    bool file_open;
    int64_t offset; /* bytes written so far */
    tn_schema *schema;
    uint32_t column_count;
    column_plan *plans;
    stage_set sets[2];
    int fill;                   /* index of the set being filled */
    const stage_set *flushing;  /* the set the encoder tasks read */
    int64_t rows_staged;        /* all rows given so far (for messages) */

    int codec;      /* tn_codec_id */
    int level;      /* 0 = the codec's default */
    int64_t row_group_rows;
    int64_t row_group_bytes;
    int64_t page_bytes;
    bool data_page_v2;
    bool dictionary;

    bool lean;        /* one set, flushed on the caller's thread, buffers freed after */
    tn_file_group *file_group; /* NULL: finish commits the file itself */
    tn_pool *pool;    /* for flushes on the caller's thread; NULL = run inline */
    bool own_pool;
    tn_pool *bg_pool; /* for the flusher thread: never the shared pool (see flush_filled) */
    bool own_bg_pool;
    int workers;      /* threads of either pool: one ZSTD context each */
    ZSTD_CCtx **zstd; /* one per worker, created on first use */

    chunk_work *work; /* column_count, reused per row group */

    /* Background flushing: one thread encodes and writes a full row group (with the pool)
     * while the caller fills the other set. */
    bool bg_started;
    pthread_t bg_thread;
    pthread_mutex_t bg_lock;
    pthread_cond_t bg_cond;
    stage_set *bg_job; /* set to flush, NULL when idle */
    bool bg_quit;
    int bg_rc;         /* first background failure, reported by the next call */
    tn_error bg_err;

    tn_arena meta;                   /* footer and page-index data */
    tn_parquet_row_group *row_groups;
    chunk_index **indexes;           /* [row group][column] */
    uint32_t row_group_count, row_group_cap;
    int64_t total_rows;
    tn_parquet_key_value *kv;
    uint32_t kv_count;
} pq_writer;

/* A bound's bytes, wherever they are kept. */
static inline const uint8_t *pq_bound_bytes(const value_bound *b)
{
    return b->ptr ? b->ptr : b->fixed;
}

/* Compares two PLAIN-encoded values of the column in its sort order (parquet.thrift
 * ColumnOrder): <0, 0 or >0. */
int pq_compare_values(const column_plan *p, const uint8_t *a, size_t alen, const uint8_t *b,
                      size_t blen);

/* Pool task: encodes and compresses column c of the row group w->flushing into w->work[c]
 * (pages, statistics, dictionary). Sets w->work[c].rc and .err; never fails otherwise. */
void pq_encode_chunk(void *w, size_t c, int worker);

/* Fills Statistics from chunk statistics, its bounds copied into w->meta. Returns 0 or
 * TN_ENOMEM. */
int pq_chunk_statistics(pq_writer *w, const column_plan *p, const value_stats *s,
                        tn_parquet_statistics *out);

/* Encodes the page header of pg into hdr (replacing its contents). Returns 0 or TN_ENOMEM
 * (message in err). */
int pq_page_header_encode(const pq_writer *w, const page_buf *pg, bool nullable, tn_buf *hdr,
                          tn_error *err);

#endif /* TN_PARQUET_WRITER_INT_H */
