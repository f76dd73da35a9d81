/* SPDX-License-Identifier: Apache-2.0
 *
 * Private to src/sql: the engine (session) structure, in-memory tables, and the interfaces the
 * stages share (binder -> plan -> optimizer -> executor). Nothing outside src/sql includes it.
 */
#ifndef TN_SQL_INT_H
#define TN_SQL_INT_H

#include "sql/sql.h"
#include "sql/plan.h"
#include "sql/parser/parser.h"

struct tn_lake;
struct tn_catalog;

/* A table kept in the session's memory: what CREATE TABLE makes when there is no project
 * (sqllogictest files, scratch work). Batches are dense (no selection). */
typedef struct tn_sql_table {
    char *name;
    tn_schema *schema;
    tn_batch **batches;
    size_t batch_count;
    size_t batch_cap;
    int64_t row_count;
} tn_sql_table;

typedef struct tn_sql_view {
    char *ns; /* its namespace (the default one for session views) */
    char *name;
    char *sql; /* the query text */
    char **column_names;
    uint32_t column_count;
} tn_sql_view;

struct tn_sql_engine {
    tn_sql_engine_options options;
    struct tn_lake *lake;       /* NULL without a project */
    struct tn_catalog *catalog; /* NULL without a project */
    char *default_namespace;
    tn_sql_table **tables;
    size_t table_count;
    size_t table_cap;
    tn_sql_view **views;
    size_t view_count;
    size_t view_cap;
    void *lake_cache; /* open lake tables (binder/lake_source.c) */
    int interrupted;  /* atomic: tn_sql_engine_interrupt was called during this statement */
};

tn_sql_table *tn_sql_engine_find_table(tn_sql_engine *engine, const char *name);
/* The view ns.name (ns NULL = the default namespace), or NULL. */
tn_sql_view *tn_sql_engine_find_view(tn_sql_engine *engine, const char *ns, const char *name);
/* Appends a dense batch to a memory table (takes ownership of batch). */
int tn_sql_table_append(tn_sql_table *table, tn_batch *batch, tn_error *err);
void tn_sql_table_free(tn_sql_table *table);

/* ------------------------------------------------------------------------------------------
 * Binder (binder/)
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_binder tn_binder;

/* Binds a query into a logical plan in `arena`. Errors carry the line and column. */
int tn_bind_query(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                  const tn_sql_query *query, tn_plan_op **out, tn_error *err);
/* Binds a standalone constant expression list row (INSERT ... VALUES helpers). */
int tn_bind_type_name(const tn_sql_type_name *tn, tn_type *out, tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Optimizer (optimizer/): each rule rewrites the plan in place.
 * ---------------------------------------------------------------------------------------- */

int tn_opt_fold_constants(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                          tn_plan_op **root, tn_error *err);
int tn_opt_push_filters(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
int tn_opt_join_order(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
int tn_opt_prune_columns(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
int tn_opt_lake_predicates(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
int tn_opt_footer_count(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
/* COPY ... TO 'dir' (PARTITION_BY (cols)): rows written into hive folders
 * (copy_partitioned.c). */
typedef enum tn_copy_overwrite {
    TN_COPY_OVERWRITE_NONE,   /* a non-empty folder is an error */
    TN_COPY_OVERWRITE_ALL,    /* OVERWRITE: the folder's contents removed first */
    TN_COPY_OVERWRITE_IGNORE, /* OVERWRITE_OR_IGNORE: files of the same name replaced */
} tn_copy_overwrite;

/* How a partitioned COPY names and fills its files (COPY options, as DuckDB's). */
typedef struct tn_copy_layout {
    tn_copy_overwrite overwrite;
    const char *filename_pattern; /* FILENAME_PATTERN; NULL = "data_{i}": {i} is the file's
                                     number in its folder, {uuid} ({uuidv4}, {uuidv7}) a new
                                     UUID; a pattern with neither gets the number appended */
    bool write_partition_columns; /* WRITE_PARTITION_COLUMNS: the PARTITION_BY columns are
                                     also written into the files */
    uint32_t max_open_files;      /* writers open at once; 0 = 100 */
    int64_t flush_threshold_rows; /* rows waiting for a writer before they are written; 0 =
                                     524,288 */
    int64_t memory_limit;         /* the session's: a quarter of it bounds the bytes the
                                     writers stage (at most 128 MiB); 0 = no limit */
} tn_copy_layout;

typedef struct tn_copy_partitions tn_copy_partitions;
struct tn_write_options;
/* Checks the folder and the PARTITION_BY columns against the query's schema, empties the
 * folder for OVERWRITE and creates it. dir must outlive the writer (opts and layout are
 * copied). 0 or an error set in err. */
int tn_copy_partitions_open(const char *dir, const tn_schema *schema,
                            const tn_sql_ident_list *by, const tn_copy_layout *layout,
                            const struct tn_write_options *opts, tn_copy_partitions **out,
                            tn_error *err);
/* Writes a batch of the query's rows into their partitions' files. */
int tn_copy_partitions_write(tn_copy_partitions *cp, const tn_batch *b, tn_error *err);
/* Makes every file appear and frees cp (also on error); *rows is the rows written. */
int tn_copy_partitions_finish(tn_copy_partitions *cp, int64_t *rows, tn_error *err);
void tn_copy_partitions_abort(tn_copy_partitions *cp); /* accepts NULL; no file appears */

/* Drops the paths of hive-partitioned file scans whose partition values fail the pushed
 * filters (optimizer/hive_partitions.c). */
int tn_opt_hive_partitions(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                           tn_plan_op **root, tn_error *err);
int tn_opt_aggregate_below_join(tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                                tn_error *err);
/* Marks the scan columns that may flow in dictionary form (dictionary_columns.c); runs last. */
int tn_opt_dictionary_columns(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err);
/* Runs every rule in order. */
int tn_optimize(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan, tn_plan_op **root,
                tn_error *err);

/* ------------------------------------------------------------------------------------------
 * Executor (exec/)
 * ---------------------------------------------------------------------------------------- */

#include "sql/func/func.h"

/* A batch flowing between operators: rows sel[0..count) of batch (sel never NULL). The batch
 * and the selection belong to the operator that produced them and are valid until its next
 * call. */
typedef struct tn_exec_chunk {
    tn_batch *batch;
    const uint32_t *sel;
    uint32_t count;
} tn_exec_chunk;

typedef struct tn_exec_ctx tn_exec_ctx;

/* Per-thread expression evaluation state: one scratch vector per plan slot. */
typedef struct tn_exec_dict_cache tn_exec_dict_cache;

typedef struct tn_exec_eval {
    tn_exec_ctx *ctx;
    tn_vector *slots;
    tn_vector *aux;
    tn_func_cache *caches;
    uint8_t *ready; /* slot vector initialised */
    uint32_t slot_count;
    tn_exec_dict_cache *dict_cache; /* per-entry filter results (exec/dictionary.c) */
} tn_exec_eval;

/* The shared state of one parallel pipeline run (exec/parallel.c). */
typedef struct tn_exec_run tn_exec_run;

/* A query's execution context. The main thread has one; each worker of a parallel pipeline
 * has a copy with its own error slot, arena and evaluator that points back to the main one
 * (memory accounting is query-wide). */
struct tn_exec_ctx {
    tn_sql_engine *engine;
    tn_arena *arena;
    tn_plan *plan;
    tn_error *err;
    int64_t now_us;
    bool sqlite_compat;
    int64_t memory_used; /* bytes materialised by operators (atomic, on the main context) */
    int64_t memory_limit;
    bool analyze;
    int threads;         /* workers a pipeline may run on; <= 1 runs everything serially */
    tn_exec_ctx *main;   /* a worker's: the query's main context; NULL on the main one */
    tn_exec_run *run;    /* a worker's: the parallel run it belongs to; NULL on the main */
    int worker_idx;      /* a worker's index in its run */
    int64_t morsel_seq;  /* a worker's: sequence number of the morsel its scan is reading */
    tn_exec_eval eval;   /* this thread's */
};

extern const uint32_t tn_exec_identity[TN_BATCH_ROWS];
extern const uint32_t tn_exec_zeros[TN_BATCH_ROWS];

int tn_exec_eval_init(tn_exec_eval *ev, tn_exec_ctx *ctx);
/* Runs every uncorrelated subquery of plan (and its inputs) once on the main context, before
 * a parallel run starts, so that it runs with all workers and only once; the workers then
 * read its rows. A subquery that fails is left to fail where its rows are needed, so an error
 * shows only if the query would have met it. */
void tn_exec_eval_subqueries_ahead(tn_exec_ctx *ctx, tn_plan_op *plan);
void tn_exec_eval_free(tn_exec_eval *ev);
/* Evaluates e over the chunk's selected rows: out row i is the value for in->sel[i]. The
 * result is valid until e's slot is evaluated again. */
int tn_exec_eval_expr(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                      tn_exec_arg *out);
/* Makes *one a batch of one row and no columns: the input over which tn_exec_eval_const
 * evaluates expressions that read no column (VALUES rows, range() bounds, constants being
 * folded). Returns 0 or TN_ENOMEM; tn_exec_const_input_free releases it (also after a failed
 * init). */
int tn_exec_const_input_init(tn_batch *one);
void tn_exec_const_input_free(tn_batch *one);
/* Evaluates e, which reads no column, over the one row of `one`: out row 0 is its value, valid
 * as tn_exec_eval_expr's. */
int tn_exec_eval_const(tn_exec_eval *ev, tn_batch *one, const tn_plan_expr *e, tn_exec_arg *out);
/* Narrows a selection to the rows where cond is TRUE: writes the kept row numbers (of
 * in->batch) to sel_out (room for in->count) and their count. */
int tn_exec_eval_filter(tn_exec_eval *ev, const tn_plan_expr *cond, const tn_exec_chunk *in,
                        uint32_t *sel_out, uint32_t *count_out);

/* A filter condition over a column in dictionary form (exec/dictionary.c): evaluated once per
 * dictionary entry (cached by condition and dictionary), rows selected by index. Returns 1
 * when cond is not a handled shape over such a column (nothing done), else as
 * tn_exec_eval_filter. */
int tn_exec_dict_filter(tn_exec_eval *ev, const tn_plan_expr *cond, const tn_exec_chunk *in,
                        uint32_t *sel_out, uint32_t *count_out);
void tn_exec_dict_cache_free(tn_exec_dict_cache *cache); /* accepts NULL */

/* Copies n values (vec rows sel[0..n)) into dst rows dst_row.. (varlen in order). */
int tn_exec_gather(tn_vector *dst, uint32_t dst_row, const tn_vector *src, const uint32_t *sel,
                   uint32_t n);
/* Compares two values of the same type (NULLs not handled): <0, 0, >0. */
int tn_exec_compare_values(const tn_vector *a, uint32_t ar, const tn_vector *b, uint32_t br);
/* Appends a normalised key for the value (NULL has its own tag) to buf. */
int tn_exec_key_append(tn_buf *buf, const tn_vector *v, uint32_t row);
/* Accounts bytes of materialised data; TN_ELIMIT with a clear message past the limit. */
int tn_exec_memory_add(tn_exec_ctx *ctx, int64_t bytes);
/* The result schema of a plan operator (new reference). */
tn_schema *tn_exec_schema(const tn_plan_op *op);
/* Sets out to the value of a 1-row vector (arena copies of strings). */
int tn_exec_value_from_vector(tn_arena *arena, const tn_vector *v, uint32_t row,
                              tn_plan_value *out);

typedef struct tn_exec_op tn_exec_op;
struct tn_exec_op {
    int (*next)(tn_exec_op *op, tn_exec_chunk *out); /* out->count 0 with batch NULL = end */
    void (*close)(tn_exec_op *op);
    tn_plan_op *plan;
    tn_exec_ctx *ctx;
    tn_exec_op *children[2];
    int64_t rows;
    int64_t ns;
};

/* Allocates an operator's zeroed state of `size` bytes, which starts with its tn_exec_op, set
 * up for plan with next and close (NULL: nothing to release) and stored in *out, so that the
 * caller's close cleans up whatever later setup fails. NULL with ctx->err set when out of
 * memory. */
void *tn_exec_op_alloc(tn_exec_ctx *ctx, tn_plan_op *plan, size_t size,
                       int (*next)(tn_exec_op *, tn_exec_chunk *), void (*close)(tn_exec_op *),
                       tn_exec_op **out);

/* What VALUES and range() share: an operator writing one batch of the plan's columns at a
 * time, from expressions evaluated over the one-row input `empty`. */
typedef struct tn_exec_const_source {
    tn_exec_op op;
    tn_batch *batch;
    tn_batch empty; /* tn_exec_const_input_init */
} tn_exec_const_source;
/* Allocates a state of `size` bytes starting with a tn_exec_const_source, set up for plan with
 * `next` (close frees it whole). *out is set even on failure, so the caller's close cleans up. */
int tn_exec_const_source_open(tn_exec_ctx *ctx, tn_plan_op *plan, size_t size,
                              int (*next)(tn_exec_op *, tn_exec_chunk *), tn_exec_op **out);

/* Builds the operator tree for a plan. */
int tn_exec_build(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
/* Pulls the next chunk, timing it for EXPLAIN ANALYZE. */
int tn_exec_next(tn_exec_op *op, tn_exec_chunk *out);
void tn_exec_close(tn_exec_op *op); /* closes the tree; accepts NULL */

/* Operators (one per file). */
int tn_exec_scan_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_filter_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_project_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_aggregate_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_join_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_sort_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_limit_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_window_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_series_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_setop_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);
int tn_exec_values_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out);

/* A materialised row set: dense batches. */
typedef struct tn_exec_rows {
    tn_schema *schema;
    tn_batch **batches;
    size_t batch_count;
    size_t batch_cap;
    int64_t row_count;
    int64_t bytes;             /* accounted with tn_exec_memory_add ... */
    tn_exec_ctx *accounted_to; /* ... on this query context; given back when freed */
} tn_exec_rows;

int tn_exec_rows_init(tn_exec_rows *rows, tn_schema *schema);
/* Appends the chunk's selected rows (copied). */
int tn_exec_rows_append(tn_exec_ctx *ctx, tn_exec_rows *rows, const tn_exec_chunk *chunk);
/* Empties the rows but keeps the first batch (and its accounted bytes) for the next appends,
 * so a queue refilled for every input chunk does not allocate and clear a batch each time.
 * The batches handed out before are invalid afterwards. */
void tn_exec_rows_rewind(tn_exec_rows *rows);
/* Frees the rows and gives their accounted bytes back to the query's memory budget. */
void tn_exec_rows_free(tn_exec_rows *rows);
/* Drains an operator into rows. */
int tn_exec_drain(tn_exec_op *op, tn_exec_rows *rows);

/* ------------------------------------------------------------------------------------------
 * Parallel pipelines (exec/parallel.c)
 *
 * A pipeline breaker (aggregate, sort, the build side of a join) asks how many workers its
 * input can run on; when more than one, tn_exec_parallel_run splits the input's scan into
 * morsels (Parquet row groups, files, batches of a memory table) and runs one instance of
 * the input's operators per worker of the core pool, each handing its chunks to the
 * breaker's sink with its own context. The breaker then merges what the workers gathered.
 * ---------------------------------------------------------------------------------------- */

/* Receives one chunk of worker wctx->worker_idx's pipeline. Runs on that worker's thread,
 * concurrently with the other workers' calls. */
typedef int (*tn_exec_sink_fn)(void *arg, tn_exec_ctx *wctx, const tn_exec_chunk *chunk);

/* Workers to run input's pipeline on: ctx->threads when the pipeline can be split into
 * morsels, else 1 (also always 1 on a worker and for EXPLAIN ANALYZE's serial sections). */
int tn_exec_parallel_workers(tn_exec_ctx *ctx, tn_exec_op *input);
/* Runs input's pipeline on `workers` workers, feeding every chunk to sink. First builds the
 * hash tables of the joins on the pipeline's probe path (once, with the main operators).
 * Stops all workers at the first error and returns it (copied into ctx->err). */
int tn_exec_parallel_run(tn_exec_ctx *ctx, tn_exec_op *input, int workers, tn_exec_sink_fn sink,
                         void *arg);
/* What the run shares for plan operator `plan` (a morsel source, a built join), or NULL. */
void *tn_exec_run_shared(const tn_exec_run *run, const tn_plan_op *plan);
/* Whether a worker of the run failed, so the others should stop (false for NULL). */
bool tn_exec_run_stopped(const tn_exec_run *run);
/* Records that worker wctx's scan took morsel `seq` (morsels are numbered in source order). */
void tn_exec_run_morsel_taken(tn_exec_ctx *wctx, int64_t seq);
/* The operator that runs `input`, the root of a query, as a parallel pipeline whose chunks
 * come out in the serial executor's order (on dedicated threads, through a bounded queue).
 * *out is input itself when the pipeline cannot be split, on a worker, or under EXPLAIN
 * ANALYZE. The exchange owns input; on error *out is still to be closed. */
int tn_exec_exchange_open(tn_exec_ctx *ctx, tn_exec_op *input, tn_exec_op **out);

/* A hash table from serialised keys to 32-bit ids (exec/key_table.c): the aggregate's
 * groups and DISTINCT sets, the join's build keys. */
typedef struct tn_exec_key_slot tn_exec_key_slot;
typedef struct tn_exec_keys {
    tn_exec_key_slot *slots; /* NULL until initialised */
    size_t mask;             /* capacity - 1 */
    size_t count;
    char *bytes;             /* keys longer than a slot holds */
    size_t bytes_len, bytes_cap;
} tn_exec_keys;

int tn_exec_keys_init(tn_exec_keys *t, size_t hint); /* 0 or TN_ENOMEM */
void tn_exec_keys_free(tn_exec_keys *t);             /* accepts a zeroed table */
/* Looks key up; when absent inserts it with new_id. Sets *id to the key's id and returns 1
 * when inserted, 0 when found, TN_ENOMEM (table unchanged). */
int tn_exec_keys_upsert(tn_exec_keys *t, const void *key, size_t len, uint32_t new_id,
                        uint32_t *id);
/* As tn_exec_keys_upsert with the caller's hash of the key: a table must be filled with one
 * hash function throughout (tn_exec_keys_upsert's is tn_exec_keys_hash). */
int tn_exec_keys_upsert_hashed(tn_exec_keys *t, const void *key, size_t len, uint64_t hash,
                               uint32_t new_id, uint32_t *id);
uint64_t tn_exec_keys_hash(const void *key, size_t len);
/* Upserts n keys at once: key i is bytes[off[i] .. off[i + 1]) with hash[i] (the caller's
 * hash function, as for tn_exec_keys_upsert_hashed). Sets ids[i]; new keys get the ids
 * next_id, next_id + 1 ... in order and their indexes are listed in fresh[]. Their slots are
 * prefetched first so that the probes' cache misses overlap. Returns the number of keys
 * inserted or TN_ENOMEM (the keys before the failing one stay inserted). */
int tn_exec_keys_upsert_batch(tn_exec_keys *t, const uint8_t *bytes, const uint32_t *off,
                              const uint64_t *hash, uint32_t n, uint32_t next_id, uint32_t *ids,
                              uint32_t *fresh);
/* Grows the table so that `extra` more keys go in without growing it again (so slots
 * prefetched before the inserts stay valid). 0 or TN_ENOMEM. */
int tn_exec_keys_reserve(tn_exec_keys *t, size_t extra);
/* Starts loading the slot where a key of this hash is probed first (a hint only). */
void tn_exec_keys_prefetch(const tn_exec_keys *t, uint64_t hash);
/* Looks key up without inserting: true with *id when present. */
bool tn_exec_keys_find(const tn_exec_keys *t, const void *key, size_t len, uint32_t *id);
/* Iterates the entries in no particular order (start with *pos = 0). */
bool tn_exec_keys_next(const tn_exec_keys *t, size_t *pos, tn_str *key, uint32_t *id);
int64_t tn_exec_keys_memory(const tn_exec_keys *t); /* bytes held */
/* A zeroed array of count * size bytes for a hash table (tn_free frees it). A large one asks
 * for transparent huge pages first: hash tables touch every page at random, and with 4 KiB
 * pages the first touch of each is a page fault, a large share of an aggregate's time. NULL
 * when out of memory. */
void *tn_exec_table_calloc(size_t count, size_t size);

/* A scan's morsel source, shared by the workers of a run (exec/scan.c). scan is the main
 * thread's instance of the scan operator; a lake scan's plan is borrowed from it. */
typedef struct tn_exec_morsels tn_exec_morsels;
int tn_exec_morsels_new(tn_exec_ctx *ctx, tn_exec_op *scan, tn_exec_morsels **out);
/* Whether an open scan is worth splitting into morsels for several workers: false for a lake
 * scan of one data file, which reads faster alone (its Parquet reader then uses the pool), and
 * for a memory table or a single Parquet file of a few thousand rows. */
bool tn_exec_scan_splits(const tn_exec_op *scan);
void tn_exec_morsels_free(tn_exec_morsels *m); /* accepts NULL */
/* Builds a join's hash table with the main operators so workers can probe it (join.c). */
int tn_exec_join_prepare(tn_exec_op *join);

/* A runtime filter from a hash join's build side (exec/join_filter.c): the range of one
 * integer key column's build values and, when that range is worth it, a bitmap of them
 * (indexed by value - min, or a hash of the value with two bits per key). A probe row whose
 * key fails it has no match, so the probe side's scan drops it right after reading, and
 * Parquet row groups and pages outside the range are pruned. Only a join that drops
 * unmatched probe rows (INNER, RIGHT, SEMI) makes one, and only for a key column that reaches
 * a scan unchanged (through filters, column projections and either side of other joins).
 * Owned by the building join, linked into the scan plan's list while the join is open. */
typedef struct tn_exec_join_filter tn_exec_join_filter;
struct tn_exec_join_filter {
    tn_exec_join_filter *next; /* the scan's next filter */
    tn_plan_op *scan;          /* the scan it is linked into */
    const tn_plan_op *join;    /* the join that made it */
    uint32_t column;           /* the scan's output column tested */
    uint32_t shift;            /* hashed bitmap: 64 - log2(words) */
    int64_t min;               /* build key range */
    uint64_t span;             /* max - min */
    uint64_t *bits;            /* NULL: the range only */
    bool hashed;               /* bits by hash (two per key in one word), else by value - min */
    int64_t bytes;             /* accounted for the bitmap */
    int64_t tested;            /* atomic: rows tested */
    int64_t dropped;           /* atomic: of those, rows dropped */
    bool off;                  /* atomic: drops too few rows to be worth testing */
    bool ambiguous;            /* atomic: another open instance of the join has its own */
};

/* The scan whose output column *column reaches op's output column *column unchanged, in a way
 * that lets a filter on it drop only rows the join above would drop anyway; NULL if none.
 * Updates *column to the scan's column. */
tn_plan_op *tn_exec_join_filter_target(tn_plan_op *op, uint32_t *column);
/* Builds the bitmap of f (range set) from n build key values: keys[i] of each of `parts`
 * vectors of rows[i] rows, NULL rows skipped; chooses direct or hashed bits, or none when
 * the range alone is as good. 0 or TN_ENOMEM (f then has the range only). */
int tn_exec_join_filter_fill(tn_exec_ctx *ctx, tn_exec_join_filter *f,
                             const tn_vector *const *keys, const uint32_t *rows, size_t parts,
                             uint64_t valid);
/* Links f (join set) into the scan's list. When another open instance of the same join (a
 * CTE read twice) already linked one there, neither is used: the two build sides may differ.
 * Returns whether f was linked. */
bool tn_exec_join_filter_link(tn_exec_join_filter *f, tn_plan_op *scan);
/* Unlinks f from its scan and frees its bitmap (the struct is the caller's). */
void tn_exec_join_filter_release(tn_exec_ctx *ctx, tn_exec_join_filter *f);
/* Applies the scan's join filters to chunk rows sel[0..count) of batch b (the scan's output
 * columns), writing the rows kept to out (may be sel). Returns how many are kept. */
uint32_t tn_exec_join_filters_apply(tn_plan_op *scan, const tn_batch *b, const uint32_t *sel,
                                    uint32_t count, uint32_t *out);
/* A join filter the Parquet scan applies itself (tn_parquet_row_test), to the rows of source
 * column `column` it decodes, before it decodes the other columns. Exactly one of a scan's
 * pushed filters counts the rows tested, for EXPLAIN ANALYZE. */
typedef struct tn_exec_join_filter_push {
    tn_exec_join_filter *filter;
    uint32_t column;  /* source column index (then mapped to the file's) */
    bool counts_rows;
} tn_exec_join_filter_push;
/* The scan's join filters a Parquet scan can apply: unambiguous ones on columns whose stored
 * type is the key's. At most cap; returns how many (counts_rows left false). */
uint32_t tn_exec_join_filters_push(tn_plan_op *scan, tn_exec_join_filter_push *out, uint32_t cap);
/* tn_parquet_row_test's test for ctx, a tn_exec_join_filter_push: one filter over a decoded
 * vector of its key, with its trial and the scan's EXPLAIN ANALYZE counts. */
uint32_t tn_exec_join_filter_test(void *ctx, const tn_vector *v, const uint32_t *in, uint32_t n,
                                  uint32_t *out);
/* tn_exec_join_filters_apply without the filters in pushed[0..pushed_count) (applied by the
 * Parquet scan already). */
uint32_t tn_exec_join_filters_apply_except(tn_plan_op *scan, const tn_batch *b,
                                           const uint32_t *sel, uint32_t count, uint32_t *out,
                                           const tn_exec_join_filter_push *pushed,
                                           uint32_t pushed_count);
/* The key ranges of the scan's join filters as Parquet predicates (GE min, LE max) over
 * source column indexes, as the scan's own pushed filters are; at most cap. Returns how many. */
struct tn_parquet_predicate;
uint32_t tn_exec_join_filters_predicates(const tn_plan_op *scan, struct tn_parquet_predicate *out,
                                         uint32_t cap);

#endif /* TN_SQL_INT_H */
