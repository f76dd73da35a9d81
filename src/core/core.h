/* SPDX-License-Identifier: Apache-2.0
 *
 * core: the ground floor every other module stands on. Errors, allocation (with a
 * fail-every-Nth test mode), arenas, length-carrying strings, growable buffers, a hash table,
 * logging, time, a worker pool, and the logical types, schemas, vectors and batches that carry
 * data through tarn in the Arrow columnar layout.
 *
 * This is the one header other modules include from core. It depends on nothing above it.
 */
#ifndef TN_CORE_H
#define TN_CORE_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Errors
 *
 * A fallible function returns int: 0 on success, a negative TN_E* code on failure. The message
 * is written once, where the problem is found, into the caller's tn_error; callers pass the
 * code up without rewriting the message.
 * ---------------------------------------------------------------------------------------- */

#define TN_ERRNO_MAP(X)                                                                        \
    X(ENOMEM, "out of memory")                                                                 \
    X(EINVAL, "invalid argument")                                                              \
    X(EIO, "input/output error")                                                               \
    X(ENOENT, "no such file")                                                                  \
    X(EEXIST, "already exists")                                                                \
    X(EPARSE, "parse error")                                                                   \
    X(EFORMAT, "unrecognised or unsupported format")                                           \
    X(ECORRUPT, "corrupt data")                                                                \
    X(ETYPE, "type mismatch")                                                                  \
    X(EOVERFLOW, "value out of range")                                                         \
    X(EUNSUPPORTED, "not supported")                                                           \
    X(ELIMIT, "limit exceeded")                                                                \
    X(ECONFLICT, "concurrent modification")                                                    \
    X(EUSAGE, "usage error")                                                                   \
    X(EINTERNAL, "internal error")                                                             \
    X(ECANCELED, "cancelled")

enum tn__errno_index {
    TN__ERRNO_FIRST = 0,
#define TN__ERRNO_INDEX(name, msg) TN__IDX_##name,
    TN_ERRNO_MAP(TN__ERRNO_INDEX)
#undef TN__ERRNO_INDEX
        TN__ERRNO_COUNT
};

enum tn_errno {
    TN_OK = 0,
#define TN__ERRNO_CODE(name, msg) TN_##name = -(int)TN__IDX_##name,
    TN_ERRNO_MAP(TN__ERRNO_CODE)
#undef TN__ERRNO_CODE
};

/* Where and what went wrong. Zero-initialise (`tn_error err = {0};`) before use. */
typedef struct tn_error {
    int code;           /* 0 or a negative TN_E* code */
    int64_t line;       /* 1-based line in `file`, 0 when not about a line */
    int64_t column;     /* 1-based column (field position or character), 0 when unknown */
    char file[512];     /* file at fault, "" when none */
    char key[128];      /* column name, option or key at fault, "" when none */
    char message[1024]; /* one sentence: what is wrong and, where known, how to fix it */
} tn_error;

/* Human text for a code ("out of memory"); "unknown error" for codes outside the table. */
const char *tn_strerror(int code);
/* Symbolic name for a code ("ENOMEM"); "OK" for 0. */
const char *tn_error_name(int code);

/* Sets err (when not NULL) to `code` with a printf-style message; clears file, line, column and
 * key. Returns `code` so callers can write `return tn_error_set(err, TN_EPARSE, ...)`. */
int tn_error_set(tn_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As tn_error_set, also recording the location (file may be NULL; line/column 0 = unknown). */
int tn_error_set_at(tn_error *err, int code, const char *file, int64_t line, int64_t column,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int tn_error_vset(tn_error *err, int code, const char *fmt, va_list ap);
/* Records the key at fault (column name, option) on an error already set. */
void tn_error_set_key(tn_error *err, const char *key);
void tn_error_clear(tn_error *err);
/* Formats "file:line:column: message" (parts that are unknown are left out) into out.
 * Returns out. */
const char *tn_error_format(const tn_error *err, char *out, size_t out_size);

/* ------------------------------------------------------------------------------------------
 * Allocation
 *
 * Every allocation in tarn goes through these so that tests can make the Nth one fail and
 * prove that callers return TN_ENOMEM instead of crashing. They never abort.
 * ---------------------------------------------------------------------------------------- */

void *tn_malloc(size_t size);
void *tn_calloc(size_t count, size_t size); /* overflow-checked */
void *tn_realloc(void *ptr, size_t size);
void *tn_aligned_alloc(size_t alignment, size_t size); /* freed with tn_free */
void tn_free(void *ptr);                               /* accepts NULL */
/* Large zeroed blocks that grow and go whole (an aggregate's hash table, its per-group state
 * arrays): from TN_LARGE_MIN_BYTES on mapped on their own, so that freeing one gives its memory
 * back at once and growing one moves its pages instead of copying them. Such blocks carved
 * from the heap leave holes behind as a table grows, which stay resident and which later
 * blocks only partly fill. The caller keeps each block's size and passes it back.
 * tn_large_realloc (ptr NULL and old_size 0: a new block) keeps the contents; the bytes past
 * the old size read as zero, and pages never written take no memory. Both return NULL when
 * out of memory (ptr then unchanged). Only tn_large_free frees these blocks. */
#define TN_LARGE_MIN_BYTES ((size_t)1 << 20)
void *tn_large_calloc(size_t count, size_t size);
void *tn_large_realloc(void *ptr, size_t old_size, size_t size);
void tn_large_free(void *ptr, size_t size); /* accepts NULL */
char *tn_strdup(const char *s);
char *tn_strndup(const char *s, size_t n);

/* Test mode: from now on every Nth allocation fails (0 turns it off). Counts all threads.
 * The environment variable TARN_ALLOC_FAIL_EVERY sets it at the first allocation. */
void tn_alloc_fail_every(uint64_t n);
/* Allocations attempted since start (successful or failed). */
uint64_t tn_alloc_count(void);
/* From now on the heap, each worker thread's arena and each large block are advised to the
 * kernel for 2 MiB pages; the heap's first 256 KiB are faulted in at once (core/alloc.c says
 * why and how). For the command-line program, once, before other threads start; the C
 * library should keep freed memory and grow the heap 64 MiB at a time (see cli/main.c). */
void tn_alloc_use_huge_pages(void);
/* Sets up the C library's allocator as a program running tarn's work wants it: freed memory
 * kept for reuse, the heap grown 64 MiB at a time, 2 MiB pages (tn_alloc_use_huge_pages).
 * Called first thing by the command line and the test runners. */
void tn_alloc_configure_program(void);

/* ------------------------------------------------------------------------------------------
 * Arenas: many small allocations that die together (a statement, a batch, a run).
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_arena_chunk tn_arena_chunk;
typedef struct tn_arena {
    tn_arena_chunk *head; /* newest chunk first */
    size_t chunk_size;    /* default size of new chunks */
    size_t bytes_used;    /* bytes handed out since the last reset */
} tn_arena;

/* chunk_size 0 picks a default (64 KiB). Never fails: chunks are allocated on first use. */
void tn_arena_init(tn_arena *arena, size_t chunk_size);
/* Returns 16-byte aligned memory valid until the next reset/free, or NULL when out of memory. */
void *tn_arena_alloc(tn_arena *arena, size_t size);
void *tn_arena_calloc(tn_arena *arena, size_t size);
char *tn_arena_strndup(tn_arena *arena, const char *s, size_t n); /* NUL-terminated copy */
char *tn_arena_strdup(tn_arena *arena, const char *s);
/* Forgets everything allocated; keeps one chunk for reuse. */
void tn_arena_reset(tn_arena *arena);
void tn_arena_free(tn_arena *arena); /* accepts an arena that was never used */

/* ------------------------------------------------------------------------------------------
 * Strings: data strings carry their length; NUL-terminated strings are for names and paths.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_str {
    const char *ptr;
    size_t len;
} tn_str;

#define TN_STR_LIT(lit) ((tn_str){(lit), sizeof(lit) - 1})

static inline tn_str tn_str_make(const char *ptr, size_t len)
{
    tn_str s = {ptr, len};
    return s;
}
static inline tn_str tn_str_c(const char *cstr)
{
    tn_str s = {cstr, cstr ? strlen(cstr) : 0};
    return s;
}
static inline bool tn_str_eq(tn_str a, tn_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}
bool tn_str_eq_nocase(tn_str a, tn_str b); /* ASCII case-insensitive */
int tn_str_cmp(tn_str a, tn_str b);        /* bytewise, like memcmp then length */
tn_str tn_str_trim(tn_str s);              /* ASCII whitespace on both ends */
bool tn_str_has_suffix_nocase(const char *s, const char *suffix);

/* True when [p, p+n) is well-formed UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF). Fast path for ASCII. */
bool tn_utf8_valid(const char *p, size_t n);
/* Byte offset of the first invalid UTF-8 sequence, or n when valid. */
size_t tn_utf8_invalid_offset(const char *p, size_t n);

/* ------------------------------------------------------------------------------------------
 * Growable byte buffers
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
} tn_buf;

#define TN_BUF_INIT {NULL, 0, 0}

int tn_buf_reserve(tn_buf *buf, size_t extra); /* room for `extra` more bytes (+1 for NUL) */
int tn_buf_append(tn_buf *buf, const void *data, size_t len);
int tn_buf_append_cstr(tn_buf *buf, const char *s);
int tn_buf_putc(tn_buf *buf, char c);
int tn_buf_printf(tn_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tn_buf_vprintf(tn_buf *buf, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included, escaping as RFC 8259 requires. */
int tn_buf_append_json_string(tn_buf *buf, const char *s, size_t len);
/* NUL-terminates and returns data ("" for an empty buffer; never NULL unless out of memory). */
const char *tn_buf_cstr(tn_buf *buf);
static inline void tn_buf_clear(tn_buf *buf) { buf->len = 0; }
void tn_buf_free(tn_buf *buf); /* leaves an empty buffer */
/* Hands the bytes to the caller (free with tn_free) and leaves an empty buffer. */
char *tn_buf_detach(tn_buf *buf, size_t *len_out);

/* ------------------------------------------------------------------------------------------
 * Hashing and a hash table keyed by byte strings
 * ---------------------------------------------------------------------------------------- */

/* A fast, well-mixed 64-bit hash of n bytes. Deterministic across runs and machines. */
uint64_t tn_hash_bytes(const void *data, size_t n, uint64_t seed);
static inline uint64_t tn_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Open-addressing table from byte-string keys (copied into the table) to pointer values. */
typedef struct tn_hash tn_hash;

tn_hash *tn_hash_new(size_t capacity_hint); /* NULL when out of memory */
void tn_hash_free(tn_hash *hash);           /* accepts NULL; does not free values */
/* Inserts or replaces. Returns 0 or TN_ENOMEM (the table is unchanged then). */
int tn_hash_put(tn_hash *hash, const void *key, size_t key_len, void *value);
/* Returns true and sets *value (when not NULL) if key is present. */
bool tn_hash_get(const tn_hash *hash, const void *key, size_t key_len, void **value);
bool tn_hash_remove(tn_hash *hash, const void *key, size_t key_len);
size_t tn_hash_count(const tn_hash *hash);
/* Iteration: start with *pos = 0; returns false when done. Order is unspecified. The key is
 * valid until the table changes. */
bool tn_hash_next(const tn_hash *hash, size_t *pos, tn_str *key, void **value);

/* ------------------------------------------------------------------------------------------
 * Logging (stderr; level from TARN_LOG=error|warn|info|debug, default warn)
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_log_level {
    TN_LOG_ERROR = 0,
    TN_LOG_WARN = 1,
    TN_LOG_INFO = 2,
    TN_LOG_DEBUG = 3,
} tn_log_level;

void tn_log_set_level(tn_log_level level);
tn_log_level tn_log_get_level(void);
void tn_log(tn_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------------------------
 * Time
 * ---------------------------------------------------------------------------------------- */

int64_t tn_now_us(void);       /* wall clock, microseconds since the Unix epoch (UTC) */
int64_t tn_monotonic_ns(void); /* for measuring durations */

/* ------------------------------------------------------------------------------------------
 * Files: whole-file reads and atomic writes (temporary name, fsync, rename, fsync of the
 * folder), so that a file appears only when complete and a killed process leaves no half file.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_atomic_file {
    int fd;
    char *path;      /* final name; NULL for standard output */
    char *temp_path; /* the name written to until commit */
    char *buffer;    /* write buffer */
    size_t buffered;
    uint64_t bytes_written;
} tn_atomic_file;

/* Opens a temporary file beside `path` ("-" writes to standard output, committed on flush). */
int tn_atomic_file_open(tn_atomic_file *file, const char *path, tn_error *err);
int tn_atomic_file_write(tn_atomic_file *file, const void *data, size_t len, tn_error *err);
/* Flushes, fsyncs, renames over `path`, fsyncs the folder, closes. */
int tn_atomic_file_commit(tn_atomic_file *file, tn_error *err);
/* Closes and removes the temporary file; accepts a file already committed or aborted. */
void tn_atomic_file_abort(tn_atomic_file *file);

/* A group of atomic files that appear together, for writers of many files at once (a
 * partitioned COPY): each file is closed into the group unsynced, and the group commit syncs
 * them all with a few system calls, renames them all, then syncs the renames. */
typedef struct tn_file_group tn_file_group;

int tn_file_group_new(tn_file_group **out, tn_error *err);
/* Flushes and closes file under its temporary name, unsynced, and hands it to the group: it
 * appears at tn_file_group_commit. The file is closed afterwards either way (abort is a
 * no-op); on failure its temporary file is removed. Standard output is only flushed. */
int tn_file_group_add(tn_file_group *group, tn_atomic_file *file, tn_error *err);
/* Makes every file added so far durable and visible: syncs them, renames each over its path,
 * syncs the folders. On failure the files not yet renamed are removed. The group is empty
 * afterwards either way. */
int tn_file_group_commit(tn_file_group *group, tn_error *err);
/* Removes the temporary files of files not committed and frees the group. Accepts NULL. */
void tn_file_group_free(tn_file_group *group);
/* tn_file_group_add when group is set, else tn_atomic_file_commit. */
int tn_atomic_file_finish(tn_atomic_file *file, tn_file_group *group, tn_error *err);

/* Reads a whole (small) file into a tn_malloc'd buffer, NUL-terminated. */
int tn_file_read_all(const char *path, char **data, size_t *len, tn_error *err);
/* Reads `len` bytes at `offset` into a tn_malloc'd buffer; a range past the end is TN_ECORRUPT. */
int tn_file_read_range(const char *path, uint64_t offset, size_t len, char **data, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Worker pool: parallel-for over all cores. The calling thread works too, so a pool of N
 * threads runs N tasks at once with N-1 helper threads. A tn_pool_run issued from inside a
 * task runs its tasks inline on that thread (no deadlock, no oversubscription).
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_pool tn_pool;
typedef void (*tn_task_fn)(void *ctx, size_t task_idx, int worker_idx);

int tn_cpu_count(void); /* online cores, or TARN_THREADS when set; at least 1 */
/* threads 0 = tn_cpu_count(). */
int tn_pool_create(int threads, tn_pool **out);
void tn_pool_destroy(tn_pool *pool); /* accepts NULL */
int tn_pool_threads(const tn_pool *pool);
/* Runs fn(ctx, i, worker) for i in [0, task_count); worker is in [0, threads). Tasks are handed
 * out in index order. Blocks until all are done. pool NULL runs them inline. */
int tn_pool_run(tn_pool *pool, size_t task_count, tn_task_fn fn, void *ctx);
/* A process-wide pool created on first use (NULL when creation failed: run inline then). */
tn_pool *tn_pool_shared(void);

/* ------------------------------------------------------------------------------------------
 * Logical types
 * ---------------------------------------------------------------------------------------- */

typedef __int128 tn_i128;

typedef enum tn_type_id {
    TN_TYPE_INVALID = 0,
    TN_TYPE_BOOLEAN,     /* Arrow bit-packed booleans */
    TN_TYPE_INTEGER,     /* int32 */
    TN_TYPE_BIGINT,      /* int64 */
    TN_TYPE_REAL,        /* float */
    TN_TYPE_DOUBLE,      /* double */
    TN_TYPE_DECIMAL,     /* unscaled value: int64 for precision 1..18, tn_i128 for 19..38 */
    TN_TYPE_DATE,        /* int32 days since 1970-01-01 */
    TN_TYPE_TIMESTAMP,   /* int64 microseconds since the epoch, no time zone */
    TN_TYPE_TIMESTAMPTZ, /* int64 microseconds since the epoch, UTC */
    TN_TYPE_VARCHAR,     /* UTF-8; int32 offsets + bytes */
    TN_TYPE_BLOB,        /* bytes; int32 offsets + bytes */
    TN_TYPE_COUNT
} tn_type_id;

typedef struct tn_type {
    uint8_t id;        /* tn_type_id */
    uint8_t precision; /* DECIMAL only */
    uint8_t scale;     /* DECIMAL only */
} tn_type;

#define TN_DECIMAL_MAX_PRECISION 38
/* Widest DECIMAL precision whose values are stored as int64 (every 18-digit value fits). */
#define TN_DECIMAL_MAX_PRECISION_64 18

static inline tn_type tn_type_make(tn_type_id id)
{
    tn_type t = {(uint8_t)id, 0, 0};
    return t;
}
static inline tn_type tn_type_decimal(int precision, int scale)
{
    tn_type t = {TN_TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale};
    return t;
}
static inline bool tn_type_eq(tn_type a, tn_type b)
{
    return a.id == b.id && (a.id != TN_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale));
}
/* Whether a DECIMAL type's values are int64 (precision <= 18) rather than tn_i128. */
static inline bool tn_decimal_is_64(tn_type t)
{
    return t.precision <= TN_DECIMAL_MAX_PRECISION_64;
}
static inline bool tn_type_is_varlen(tn_type t)
{
    return t.id == TN_TYPE_VARCHAR || t.id == TN_TYPE_BLOB;
}
/* Bytes per value for fixed-width types; 0 for BOOLEAN (bits) and variable-length types. */
size_t tn_type_width(tn_type t);
/* "INTEGER", "DECIMAL(18,2)" ... into out; returns out. */
const char *tn_type_format(tn_type t, char *out, size_t out_size);
/* Parses a SQL type name (case-insensitive; INT, INT4, INT8, FLOAT, STRING, TEXT and the other
 * usual aliases accepted). Returns 0 or TN_EINVAL. */
int tn_type_parse(const char *name, tn_type *out);

/* ------------------------------------------------------------------------------------------
 * Schemas: named, typed, nullable columns. Reference-counted so batches can share one.
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_column {
    char *name;       /* owned, NUL-terminated UTF-8 */
    tn_type type;
    bool nullable;
    int32_t field_id; /* Iceberg/Parquet field id; 0 when unassigned */
} tn_column;

typedef struct tn_schema {
    uint32_t column_count;
    uint32_t column_cap;
    tn_column *columns;
    int refcount; /* atomic */
} tn_schema;

tn_schema *tn_schema_new(void); /* refcount 1; NULL when out of memory */
tn_schema *tn_schema_ref(tn_schema *schema);
void tn_schema_unref(tn_schema *schema); /* frees at zero; accepts NULL */
/* Appends a column (name copied). Returns 0 or TN_ENOMEM. */
int tn_schema_add(tn_schema *schema, const char *name, tn_type type, bool nullable);
tn_schema *tn_schema_copy(const tn_schema *schema);
int tn_schema_find(const tn_schema *schema, const char *name); /* index, or -1 */
bool tn_schema_eq(const tn_schema *a, const tn_schema *b);    /* names, types, nullability */

/* ------------------------------------------------------------------------------------------
 * Vectors: one column of a batch, in the Arrow layout.
 *
 * - validity: bitmap, bit i set = row i is valid (LSB first). Always allocated.
 * - fixed-width types: `values` holds capacity * width bytes (64-byte aligned).
 * - BOOLEAN: `values` is a bitmap like validity.
 * - VARCHAR/BLOB: `offsets` holds capacity + 1 int32 offsets into `data`; rows must be
 *   appended in order (tn_vector_append_str / tn_vector_append_null).
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_dictionary tn_dictionary;

typedef struct tn_vector {
    tn_type type;
    uint32_t capacity;   /* rows */
    uint32_t null_count; /* maintained by the setters below */
    uint8_t *validity;
    void *values;
    int32_t *offsets;
    char *data;
    size_t data_len;
    size_t data_cap;
    tn_dictionary *dict; /* dictionary form (VARCHAR/BLOB only): `values` holds uint32 indices
                            into dict->entries, offsets and data are unused; referenced by
                            the vector that owns its buffers, borrowed by shallow copies */
} tn_vector;

int tn_vector_init(tn_vector *v, tn_type type, uint32_t capacity); /* all rows valid, zeroed */
/* Like tn_vector_init (validity all set, offsets[0] = 0, BOOLEAN bits clear), but fixed-width
 * values and offsets[1..] are left unset: only for producers that write every row before it
 * is read (and set the rest of a partly filled vector themselves). */
int tn_vector_init_uninit(tn_vector *v, tn_type type, uint32_t capacity);
void tn_vector_destroy(tn_vector *v);                              /* accepts zeroed vector */
/* Makes rows empty again (validity all set, varlen data emptied). */
void tn_vector_reset(tn_vector *v);

static inline bool tn_vector_is_valid(const tn_vector *v, uint32_t row)
{
    return (v->validity[row >> 3] >> (row & 7)) & 1;
}
static inline void tn_vector_set_null(tn_vector *v, uint32_t row)
{
    if (tn_vector_is_valid(v, row)) {
        v->validity[row >> 3] &= (uint8_t) ~(1u << (row & 7));
        v->null_count++;
    }
}
static inline void tn_vector_set_valid(tn_vector *v, uint32_t row)
{
    if (!tn_vector_is_valid(v, row)) {
        v->validity[row >> 3] |= (uint8_t)(1u << (row & 7));
        v->null_count--;
    }
}
static inline int32_t *tn_vector_i32(const tn_vector *v) { return (int32_t *)v->values; }
static inline int64_t *tn_vector_i64(const tn_vector *v) { return (int64_t *)v->values; }
static inline float *tn_vector_f32(const tn_vector *v) { return (float *)v->values; }
static inline double *tn_vector_f64(const tn_vector *v) { return (double *)v->values; }
static inline tn_i128 *tn_vector_i128(const tn_vector *v) { return (tn_i128 *)v->values; }
/* Row `row` of a DECIMAL vector of either width, widened. For cold paths; hot loops read
 * tn_vector_i64 or tn_vector_i128 by tn_decimal_is_64. */
static inline tn_i128 tn_vector_get_decimal(const tn_vector *v, uint32_t row)
{
    if (tn_decimal_is_64(v->type))
        return ((const int64_t *)v->values)[row];
    return ((const tn_i128 *)v->values)[row];
}
/* Stores an unscaled value into row `row` of a DECIMAL vector of either width; the value must
 * fit the vector's precision (so it fits int64 when the vector is 64-bit). */
static inline void tn_vector_set_decimal(tn_vector *v, uint32_t row, tn_i128 x)
{
    if (tn_decimal_is_64(v->type))
        ((int64_t *)v->values)[row] = (int64_t)x;
    else
        ((tn_i128 *)v->values)[row] = x;
}
static inline bool tn_vector_get_bool(const tn_vector *v, uint32_t row)
{
    return (((const uint8_t *)v->values)[row >> 3] >> (row & 7)) & 1;
}
static inline void tn_vector_set_bool(tn_vector *v, uint32_t row, bool value)
{
    uint8_t *bits = (uint8_t *)v->values;
    if (value)
        bits[row >> 3] |= (uint8_t)(1u << (row & 7));
    else
        bits[row >> 3] &= (uint8_t) ~(1u << (row & 7));
}
static inline tn_str tn_vector_get_str(const tn_vector *v, uint32_t row)
{
    assert(v->dict == NULL); /* dictionary form reaches only dictionary-aware code */
    int32_t start = v->offsets[row];
    /* A vector of only empty strings may have no data buffer; NULL + 0 is undefined in C. */
    return tn_str_make(v->data ? v->data + start : "", (size_t)(v->offsets[row + 1] - start));
}
/* Appends bytes as row `row` of a VARCHAR/BLOB vector; rows before it must already be set.
 * Returns 0, TN_ENOMEM, or TN_ELIMIT when the vector's data would pass 2 GiB. */
int tn_vector_append_str(tn_vector *v, uint32_t row, const char *ptr, size_t len);
/* Marks row `row` NULL; for VARCHAR/BLOB it also appends an empty value in order. */
void tn_vector_append_null(tn_vector *v, uint32_t row);
/* Copies row `src_row` of src into row `dst_row` of dst (same type; varlen in order). */
int tn_vector_copy_row(tn_vector *dst, uint32_t dst_row, const tn_vector *src, uint32_t src_row);

/* ------------------------------------------------------------------------------------------
 * Dictionaries (dictionary.c): the distinct values of a VARCHAR/BLOB column (a Parquet column
 * chunk's dictionary), shared by the vectors in dictionary form that index it. Consumers that
 * understand the form evaluate a predicate or map a group key once per entry instead of once
 * per row; every other consumer sees plain vectors (tn_vector_flatten).
 * ---------------------------------------------------------------------------------------- */

struct tn_dictionary {
    tn_vector entries; /* count + 1 rows: the values, then one NULL row; the NULL rows of a
                          vector in dictionary form index entry `count`, so per-entry results
                          cover NULL as well */
    uint32_t count;    /* values */
    uint64_t id;       /* unique in the process and never reused: caches key on it */
    int refcount;      /* atomic */
};

/* A dictionary of `count` values (copied) of a VARCHAR/BLOB type, refcount 1. NULL when out of
 * memory or past the 2 GiB a vector holds. */
tn_dictionary *tn_dictionary_new(tn_type type, const tn_str *values, uint32_t count);
tn_dictionary *tn_dictionary_ref(tn_dictionary *dict);
void tn_dictionary_unref(tn_dictionary *dict); /* frees at zero; accepts NULL */

/* Prepares v as a dictionary-form vector of `capacity` rows over dict (takes a reference):
 * validity all set, indices unset. Returns 0, TN_EINVAL (dict not VARCHAR/BLOB) or TN_ENOMEM
 * (v is then zeroed). tn_vector_destroy drops the reference. */
int tn_vector_init_dict(tn_vector *v, tn_dictionary *dict, uint32_t capacity);
static inline uint32_t *tn_vector_indices(const tn_vector *v) { return (uint32_t *)v->values; }
/* Turns rows [0, rows) of a dictionary-form vector v (which owns its buffers) into the plain
 * layout in place; NULL rows and the rows after `rows` become empty. A plain vector is left as
 * it is. Returns 0, TN_ENOMEM or TN_ELIMIT (v is unchanged then). */
int tn_vector_flatten(tn_vector *v, uint32_t rows);

/* ------------------------------------------------------------------------------------------
 * Batches: a schema plus one vector per column, at most `capacity` rows (TN_BATCH_ROWS).
 * ---------------------------------------------------------------------------------------- */

#define TN_BATCH_ROWS 2048

typedef struct tn_batch {
    tn_schema *schema;  /* referenced */
    uint32_t row_count;
    uint32_t capacity;
    tn_vector *columns; /* schema->column_count vectors */
} tn_batch;

/* capacity 0 = TN_BATCH_ROWS. Takes a reference on schema. NULL when out of memory. */
tn_batch *tn_batch_new(tn_schema *schema, uint32_t capacity);
void tn_batch_free(tn_batch *batch); /* accepts NULL */
void tn_batch_reset(tn_batch *batch);

/* ------------------------------------------------------------------------------------------
 * Text <-> values. Shared by the readers (CSV, JSON) and by casts so that "what parses as a
 * DATE" has one answer everywhere. Parsers take (ptr, len), need no NUL, and accept exactly
 * the whole input (no surrounding whitespace).
 * ---------------------------------------------------------------------------------------- */

/* true/false/t/f/yes/no/y/n, case-insensitive. Not 1/0: inference must keep 0/1 columns as
 * integers (casts from VARCHAR accept 1/0 on their own). */
bool tn_parse_bool(const char *p, size_t n, bool *out);
bool tn_parse_int64(const char *p, size_t n, int64_t *out); /* optional sign, digits only */
bool tn_parse_int32(const char *p, size_t n, int32_t *out);
/* Decimal or scientific notation, inf/infinity/nan (case-insensitive), correctly rounded. */
bool tn_parse_double(const char *p, size_t n, double *out);
/* Exact decimal text ("-12.50") into an unscaled value of the given scale; false when it has
 * more fractional digits than `scale` (non-zero ones) or more than `precision` digits. */
bool tn_parse_decimal(const char *p, size_t n, int precision, int scale, tn_i128 *out);
/* Digits before and after the point of a plain decimal literal; false if not one. */
bool tn_decimal_shape(const char *p, size_t n, int *int_digits, int *frac_digits);
bool tn_parse_date(const char *p, size_t n, int32_t *days); /* YYYY-MM-DD */
/* YYYY-MM-DD[(T| )HH:MM[:SS[.ffffff]]][Z|±HH[:MM]|±HHMM]. *has_zone tells whether an offset or
 * Z was given; the result is then converted to UTC. A date alone is midnight. */
bool tn_parse_timestamp(const char *p, size_t n, int64_t *micros, bool *has_zone);

/* Formatting into out (at least TN_FORMAT_MAX bytes); returns the length written. */
#define TN_FORMAT_MAX 64
size_t tn_format_int64(int64_t v, char *out);
size_t tn_format_double(double v, char *out); /* shortest text that reads back exactly */
size_t tn_format_float(float v, char *out);
size_t tn_format_decimal(tn_i128 v, int scale, char *out);
size_t tn_format_date(int32_t days, char *out);                       /* YYYY-MM-DD */
size_t tn_format_timestamp(int64_t micros, bool with_zone, char *out); /* "2024-01-02 03:04:05[.ffffff][+00]" */

/* Calendar helpers (proleptic Gregorian). */
int32_t tn_days_from_civil(int64_t year, unsigned month, unsigned day);
void tn_civil_from_days(int32_t days, int64_t *year, unsigned *month, unsigned *day);

/* Appends row `row` of v as text the way CSV output and `tarn inspect` show it. Returns 0, 1
 * for a NULL row (nothing appended), or a negative code. */
int tn_vector_format_value(const tn_vector *v, uint32_t row, tn_buf *out);

/* ------------------------------------------------------------------------------------------
 * Casts between types. A value that cannot be represented is an error with the row named,
 * or NULL when `try_cast` is set. dst is initialised by the call (capacity = rows).
 * ---------------------------------------------------------------------------------------- */

int tn_vector_cast(const tn_vector *src, uint32_t rows, tn_type to, bool try_cast,
                   tn_vector *dst, tn_error *err);
/* Whether every value of `from` fits `to` without loss (INTEGER->BIGINT, REAL->DOUBLE,
 * DECIMAL(p,s)->DECIMAL(p+k,s), DATE->TIMESTAMP, and anything but BLOB -> VARCHAR as text).
 * The rule inference and file concatenation widen by. Iceberg schema evolution allows fewer
 * promotions (no -> VARCHAR) and keeps its own rule in the lake. */
bool tn_type_widens_to(tn_type from, tn_type to);

/* ------------------------------------------------------------------------------------------
 * Arrow C Data Interface export (struct layout from the Arrow specification).
 * ---------------------------------------------------------------------------------------- */

struct ArrowSchema;
struct ArrowArray;
/* Exports a batch as a struct array whose children are the columns. Takes ownership of batch
 * (its buffers are handed over, not copied); the release callbacks free it. On error the batch
 * is still owned by the caller and the out structs are untouched. */
int tn_batch_export_arrow(tn_batch *batch, struct ArrowSchema *out_schema,
                          struct ArrowArray *out_array, tn_error *err);

#endif /* TN_CORE_H */
