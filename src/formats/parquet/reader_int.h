/* SPDX-License-Identifier: Apache-2.0
 *
 * The reader's private structures, shared by reader.c (footer, schema mapping, describe),
 * column.c (one column chunk: pages, levels, values into vectors), nested.c (JSON text of
 * lists and maps from repetition/definition levels) and scan.c (pruning, parallel decode).
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_READER_INT_H
#define TN_PARQUET_READER_INT_H

#include "formats/parquet/decode.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet.h"

/* Deepest nesting of the schema tree, and so the largest level: levels are decoded as bytes. */
#define TN_PQ_MAX_DEPTH 100
/* Level entries decoded per step (also the most values converted per step). */
#define TN_PQ_LEVEL_CHUNK 4096
/* Most level entries one nested leaf may contribute to one batch (lists of lists of a few
 * thousand rows): the JSON assembly keeps a small tree node per entry. */
#define TN_PQ_MAX_NESTED_ENTRIES ((size_t)1 << 23)
/* Largest uncompressed page accepted (uncompressed_page_size is an int32 anyway). */
#define TN_PQ_MAX_PAGE_BYTES ((size_t)1 << 30)

/* How a leaf's physical values become the values of its tarn type. */
typedef enum pq_conv {
    PQ_CONV_BOOL,       /* BOOLEAN -> BOOLEAN */
    PQ_CONV_I32,        /* INT32 -> INTEGER / DATE (same bits) */
    PQ_CONV_U32,        /* INT32 unsigned -> BIGINT */
    PQ_CONV_I64,        /* INT64 -> BIGINT / TIMESTAMP(MICROS) (same bits) */
    PQ_CONV_U64_DEC,    /* INT64 unsigned -> DECIMAL(20,0) */
    PQ_CONV_F32,        /* FLOAT -> REAL */
    PQ_CONV_F64,        /* DOUBLE -> DOUBLE */
    PQ_CONV_I32_DEC,    /* INT32 decimal -> DECIMAL */
    PQ_CONV_I64_DEC,    /* INT64 decimal -> DECIMAL */
    PQ_CONV_BIN_DEC,    /* big-endian two's complement bytes -> DECIMAL */
    PQ_CONV_BIN_DOUBLE, /* decimal of more than 38 digits in bytes -> DOUBLE */
    PQ_CONV_TS_MILLIS,  /* INT64 milliseconds -> microseconds */
    PQ_CONV_TS_NANOS,   /* INT64 nanoseconds -> microseconds (floor) */
    PQ_CONV_INT96,      /* Impala/Spark INT96 (nanos of day, Julian day) -> microseconds */
    PQ_CONV_F16,        /* FLBA(2) half float -> REAL */
    PQ_CONV_STRING,     /* bytes -> VARCHAR, UTF-8 checked */
    PQ_CONV_BLOB,       /* bytes -> BLOB */
    PQ_CONV_UUID,       /* FLBA(16) -> VARCHAR "8-4-4-4-12" */
    PQ_CONV_TIME_MILLIS, /* INT32 ms of day -> VARCHAR */
    PQ_CONV_TIME_MICROS, /* INT64 us of day -> VARCHAR */
    PQ_CONV_TIME_NANOS,  /* INT64 ns of day -> VARCHAR */
} pq_conv;

/* How a schema node is shown inside JSON text. */
typedef enum pq_json_kind {
    PQ_JSON_VALUE,  /* a primitive leaf */
    PQ_JSON_OBJECT, /* a group: {"field": ...} */
    PQ_JSON_LIST,   /* a LIST-annotated group: [...] */
    PQ_JSON_MAP,    /* a MAP-annotated group: {"key": value} */
} pq_json_kind;

typedef struct pq_node {
    const tn_parquet_schema_element *el;
    char *name;             /* NUL-terminated copy of el->name */
    int32_t parent;         /* node index, -1 for the root */
    uint32_t child_count;
    int32_t *children;      /* node indices, schema order */
    int16_t def;            /* max definition level at this node (cumulative) */
    int16_t rep;            /* max repetition level at this node (cumulative) */
    int32_t leaf;           /* leaf index, -1 for groups */
    uint8_t repetition;     /* tn_parquet_repetition (REQUIRED for the root) */
    uint8_t json;           /* pq_json_kind */
    bool list_element_is_repeated; /* LIST: the repeated child is the element (legacy forms) */
} pq_node;

typedef struct pq_leaf {
    int32_t node;           /* schema node */
    char *path;             /* dotted path, NUL-terminated */
    int32_t physical;       /* tn_parquet_type */
    int32_t type_length;    /* FIXED_LEN_BYTE_ARRAY width */
    int16_t max_def, max_rep;
    tn_type type;           /* the tarn type the values become */
    uint8_t conv;           /* pq_conv */
    int32_t scale;          /* decimal scale (PQ_CONV_BIN_DOUBLE) */
    bool unsigned_order;    /* unsigned integer: deprecated min/max fields are unusable */
    int32_t out;            /* output column it belongs to */
} pq_leaf;

/* One column of the file's output schema: a flat leaf, or a subtree shown as JSON. */
typedef struct pq_out {
    bool nested;
    int32_t node;           /* the leaf's node, or the subtree's root */
    uint32_t leaf_first;    /* leaves [leaf_first, leaf_first + leaf_count) */
    uint32_t leaf_count;
} pq_out;

struct tn_parquet_file {
    tn_parquet_source src;
    tn_arena arena;             /* metadata lists, nodes, names */
    uint8_t *footer;            /* footer bytes (metadata strings point here) */
    uint64_t data_end;          /* first byte of the footer: column data lies before it */
    tn_parquet_file_metadata md;
    bool schema_only;           /* opened by tn_parquet_file_open_schema: md has no row groups */
    pq_node *nodes;
    uint32_t node_count;
    pq_leaf *leaves;
    uint32_t leaf_count;
    pq_out *outs;
    uint32_t out_count;
    tn_schema *schema;
};

/* ------------------------------------------------------------------------------------------
 * Column chunks (column.c)
 * ---------------------------------------------------------------------------------------- */

/* Reads one leaf of one row group: pages in order, levels in windows of TN_PQ_LEVEL_CHUNK. */
typedef struct pq_chunk {
    const tn_parquet_file *file;
    const pq_leaf *leaf;
    uint32_t rg;
    const tn_parquet_column_metadata *meta;
    int64_t rg_rows;            /* rows the row group declares */
    uint8_t *buf;               /* a slice of the column chunk's bytes, read as pages need */
    size_t buf_len;             /* bytes in the whole column chunk */
    size_t buf_cap;             /* bytes buf can hold (plus TN_PARQUET_SLACK) */
    size_t slice_start;         /* chunk offset of buf[0] */
    size_t slice_len;           /* chunk bytes in buf */
    uint64_t buf_offset;        /* file offset of the chunk's first byte */
    size_t pos;                 /* chunk offset of the next page header */
    int64_t values_seen;        /* level entries of the pages started so far */
    int64_t row;                /* rows consumed (started, for nested leaves) */
    int64_t pages_skipped;      /* data pages passed over through the offset index */
    /* dictionary */
    bool has_dict;
    tn_parquet_dictionary dict;
    uint8_t *dict_page;         /* decompressed dictionary page (owned) */
    size_t dict_cap;
    bool dict_utf8_ok;          /* every entry checked as UTF-8 */
    tn_dictionary *shared_dict; /* the dictionary as handed out with vectors (referenced) */
    /* current data page */
    int32_t page_left;          /* level entries not yet decoded */
    int32_t page_values;        /* num_values of the page */
    bool page_dict;             /* values are dictionary indices */
    uint8_t *page_buf;          /* decompression buffer (reused) */
    size_t page_cap;
    tn_parquet_rle def_dec, rep_dec;
    tn_parquet_values vals;
    bool vals_live;
    /* level window */
    uint8_t defs[TN_PQ_LEVEL_CHUNK];
    uint8_t reps[TN_PQ_LEVEL_CHUNK];
    uint32_t lv_pos, lv_len;
    bool defs_all_present;      /* flat leaves: every level of the window is max_def, and
                                 * defs[] was not written */
    /* value scratch */
    uint8_t *scratch;           /* physical values of one step */
    tn_str *strs;               /* byte-array values of one step */
    uint32_t *indices;          /* dictionary indices of one step */
    tn_vector tmp;              /* nested leaves: one step's values in the leaf's type */
    bool tmp_live;
    /* offset index, when pages are skipped */
    const tn_parquet_offset_index *oi;
    uint32_t oi_next;           /* next page location to use */
    tn_error *err;
} pq_chunk;

/* Prepares to read leaf `leaf_idx` of row group rg: reads the start of the chunk's bytes
 * (the rest is read page by page, a slice at a time) and its dictionary page. oi (may be
 * NULL) enables skipping pages. Returns 0 or an error (err set, naming file, row group and
 * column). Free with pq_chunk_free, also on error. */
int pq_chunk_open(pq_chunk *c, const tn_parquet_file *file, uint32_t rg, uint32_t leaf_idx,
                  const tn_parquet_offset_index *oi, tn_error *err);
void pq_chunk_free(pq_chunk *c);
/* Flat leaves: the next n rows into rows [row, row+n) of v (of the leaf's type). */
int pq_chunk_read_flat(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n);
/* Flat leaves: passes over the next n rows but keeps rows sel[i] - sel_base (i < m,
 * ascending, each below n), writing them to rows [row, row+m) of v (v may be NULL when m is
 * 0). Pages holding no kept row are not decompressed; m == n is pq_chunk_read_flat. */
int pq_chunk_read_flat_sel(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n,
                           const uint32_t *sel, uint32_t m, uint32_t sel_base);
/* The chunk's dictionary as vectors in dictionary form share it (built on the first call;
 * borrowed), or NULL when the chunk's values cannot be handed out that way: not a flat
 * VARCHAR/BLOB leaf of byte arrays, no dictionary page, entries that are not UTF-8, or out of
 * memory (then the values are simply read plain). */
tn_dictionary *pq_chunk_dictionary(pq_chunk *c);
/* Flat leaves with pq_chunk_dictionary: the next n rows as indices into rows [row, row+n) of
 * v, a dictionary-form vector over that dictionary (NULL rows index its NULL entry). A page
 * that is not dictionary-encoded (a writer's fallback to PLAIN) flattens v and the rows from
 * there on are read plain. */
int pq_chunk_read_dict(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n);
/* Flat leaves: passes over n rows (skipping whole pages through the offset index). */
int pq_chunk_skip_flat(pq_chunk *c, int64_t n);
/* After the last row: TN_ECORRUPT when the chunk holds more values than the rows read. */
int pq_chunk_check_end(pq_chunk *c);

/* Level entries and JSON text of n rows of a nested leaf. */
typedef struct pq_leaf_rows {
    uint8_t *defs, *reps;       /* one per level entry */
    size_t count, cap;
    tn_buf text;                /* JSON text of the present values, back to back */
    uint32_t *ends;             /* end offset in text of each present value */
    size_t values, values_cap;
} pq_leaf_rows;

void pq_leaf_rows_clear(pq_leaf_rows *r);
void pq_leaf_rows_free(pq_leaf_rows *r);
/* Nested leaves: the level entries and values of the next n rows, appended to out. */
int pq_chunk_read_nested(pq_chunk *c, uint32_t n, pq_leaf_rows *out);

/* Formats row `row` of v as JSON (a number, true/false, or a string literal). */
int pq_json_value(const tn_vector *v, uint32_t row, tn_buf *out);

/* ------------------------------------------------------------------------------------------
 * Nested columns (nested.c)
 * ---------------------------------------------------------------------------------------- */

/* Builds the JSON text of n rows of output column `out` from the rows of its leaves
 * (rows[i] for leaf out->leaf_first + i) and appends them to v (VARCHAR) from row `row`.
 * Returns 0, TN_ECORRUPT (levels that do not fit the schema) or TN_ENOMEM. */
int pq_nested_assemble(const tn_parquet_file *file, const pq_out *out, pq_leaf_rows *rows,
                       uint32_t n, tn_vector *v, uint32_t row, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Shared helpers (reader.c)
 * ---------------------------------------------------------------------------------------- */

/* Sets err to code with "row group R, column 'C': <message>" and the file name. */
int pq_error(tn_error *err, int code, const tn_parquet_file *file, int64_t rg,
             const char *column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Prefixes an error already set by a decoder with the file, row group and column. */
int pq_error_wrap(tn_error *err, int code, const tn_parquet_file *file, int64_t rg,
                  const char *column);

/* Converts one PLAIN-encoded statistic value of `leaf` into its tarn value, written to v at
 * row 0 (v has the leaf's type, capacity >= 1). false when it cannot be decoded. */
bool pq_stat_value(const pq_leaf *leaf, tn_str raw, tn_vector *v);

#endif /* TN_PARQUET_READER_INT_H */
