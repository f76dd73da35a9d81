/* SPDX-License-Identifier: Apache-2.0
 *
 * The scan operator: reads a source's batches and applies the filters the optimizer pushed
 * into it. Sources: files (Parquet through parquet.h with projection and row group/page
 * pruning from the simple pushed predicates; CSV/JSON through tn_reader, columns matched by
 * name across the files of a glob and cast when a later file inferred another type), a
 * session's in-memory table, or a lake table through tn_lake_scan. Batches are passed on
 * as "shell" batches whose vectors are borrowed from the source's batch, so nothing is copied;
 * pushed filters narrow the selection vector.
 *
 * In a parallel pipeline each worker has its own scan, and the workers share a morsel source
 * (tn_exec_morsels): a cursor over the scan's files handing out one Parquet row group, one
 * other file, one data file of a lake table, or one batch of a memory table at a time,
 * numbered in source order. Parquet files are opened once, by the worker that reaches them,
 * and closed when their last row group is done. A lake table is planned once (files pruned,
 * deletes loaded), by the main thread's scan; the workers read its files side by side.
 */
#include "sql/sql_int.h"
#include "formats/formats.h"
#include "formats/parquet/parquet.h"
#include "lake/lake.h"

#include <pthread.h>

/* A Parquet file being handed out in row groups, shared by the workers reading them. */
typedef struct morsel_file {
    tn_parquet_file *file;
    uint32_t path_idx;
    int refs; /* morsels not yet finished, plus one while row groups remain to hand out */
} morsel_file;

struct tn_exec_morsels {
    pthread_mutex_t lock;
    tn_plan_op *plan;
    uint32_t path_next;   /* next file to open */
    morsel_file *current; /* the Parquet file whose row groups are being handed out */
    uint32_t row_group_next;
    uint32_t row_group_count;
    size_t memory_next;   /* next batch of a memory table */
    tn_lake_scan *lake;   /* a lake table's plan, borrowed from the main thread's scan */
    size_t lake_next;     /* next data file of the lake scan */
    int64_t seq;          /* morsels handed out */
};

/* One unit of work: a row group of `file`, a whole other file (its reader, opened), a
 * memory batch, or a lake data file. */
typedef struct morsel {
    int64_t seq;
    morsel_file *file;
    uint32_t row_group;
    tn_reader *reader;
    uint32_t path_idx; /* the reader's file */
    size_t memory_idx;
    size_t lake_file;
} morsel;

typedef struct scan_state {
    tn_exec_op op;
    tn_schema *schema;       /* output schema */
    tn_batch shell;          /* output batch: vectors borrowed from `current` */
    tn_batch *current;       /* the source batch of the last chunk (owned, except MEMORY) */
    tn_vector *casted;       /* per output column: a cast copy when a file's type differs */
    uint32_t sel[TN_BATCH_ROWS];
    uint32_t path_idx;       /* next file */
    size_t memory_idx;       /* next batch of a memory table */
    tn_reader *reader;
    tn_parquet_file *pq_file;
    tn_parquet_scan *pq_scan;
    tn_lake_scan *lake_scan;
    tn_lake_file_scan *lake_file; /* a worker's lake morsel */
    int32_t *map;            /* output column -> column of the current file's batch, -1 NULL */
    tn_vector *nulls;        /* per output column: an all-NULL vector for missing columns */
    tn_vector *partition;    /* per output column that is a hive partition key: its value
                                for file `partition_file` on every row */
    uint32_t file_idx;       /* the path being read */
    int64_t partition_file;  /* the path the partition vectors hold; -1 none */
    tn_exec_morsels *morsels; /* a worker's: the shared morsel source, else NULL */
    morsel_file *morsel_file; /* the file of the Parquet morsel being read */
    bool memory_morsel;       /* a worker's memory batch is waiting to be returned */
    /* join filters the current Parquet scan applies itself (filter NULL: one it could not) */
    tn_exec_join_filter_push pushed[16];
    uint32_t pushed_count;
} scan_state;

static void release_current(scan_state *s)
{
    if (s->current && s->op.plan->scan.source != TN_PLAN_SOURCE_MEMORY)
        tn_batch_free(s->current);
    s->current = NULL;
}

static void morsel_file_release(tn_exec_morsels *m, morsel_file *f)
{
    pthread_mutex_lock(&m->lock);
    bool last = --f->refs == 0;
    pthread_mutex_unlock(&m->lock);
    if (last) {
        tn_parquet_file_close(f->file);
        tn_free(f);
    }
}

static void close_file(scan_state *s)
{
    if (s->pq_scan) {
        tn_parquet_scan_stats st;
        tn_parquet_scan_get_stats(s->pq_scan, &st);
        tn_plan_scan_stats *ps = &s->op.plan->scan.stats;
        /* workers of a parallel scan add to the same plan */
        __atomic_add_fetch(&ps->row_groups, st.row_groups, __ATOMIC_RELAXED);
        __atomic_add_fetch(&ps->row_groups_pruned, st.row_groups_pruned, __ATOMIC_RELAXED);
        __atomic_add_fetch(&ps->pages_pruned, st.pages_pruned, __ATOMIC_RELAXED);
        __atomic_add_fetch(&ps->rows_pruned, st.rows_pruned, __ATOMIC_RELAXED);
    }
    tn_parquet_scan_close(s->pq_scan);
    s->pq_scan = NULL;
    s->pushed_count = 0;
    if (s->morsel_file) {
        morsel_file_release(s->morsels, s->morsel_file);
        s->morsel_file = NULL;
        s->pq_file = NULL;
    }
    tn_parquet_file_close(s->pq_file);
    s->pq_file = NULL;
    tn_reader_close(s->reader);
    s->reader = NULL;
    tn_lake_file_scan_close(s->lake_file);
    s->lake_file = NULL;
}

/* What the lake scan pruned so far, for EXPLAIN [ANALYZE]: after planning, at the end of
 * the data, at close, and when the workers of a parallel scan are done. */
static void copy_lake_stats(tn_plan_op *plan, const tn_lake_scan *lake)
{
    const tn_lake_scan_stats *st = lake ? tn_lake_scan_get_stats(lake) : NULL;
    if (!st)
        return;
    tn_plan_scan_stats *ps = &plan->scan.stats;
    ps->files = st->files_total;
    ps->files_skipped = st->files_skipped;
    ps->manifests = st->manifests_total;
    ps->manifests_skipped = st->manifests_skipped;
    ps->row_groups = st->row_groups;
    ps->row_groups_pruned = st->row_groups_pruned;
    ps->pages_pruned = st->pages_pruned;
    ps->rows_total = st->rows_total;
    ps->rows_pruned = st->rows_pruned;
}

static void lake_stats(scan_state *s)
{
    copy_lake_stats(s->op.plan, s->lake_scan);
}

static void scan_close(tn_exec_op *op)
{
    scan_state *s = (scan_state *)op;
    release_current(s);
    close_file(s);
    lake_stats(s);
    tn_lake_scan_close(s->lake_scan);
    for (uint32_t c = 0; s->schema && c < s->schema->column_count; c++) {
        if (s->casted)
            tn_vector_destroy(&s->casted[c]);
        if (s->nulls)
            tn_vector_destroy(&s->nulls[c]);
        if (s->partition)
            tn_vector_destroy(&s->partition[c]);
    }
    tn_free(s->casted);
    tn_free(s->nulls);
    tn_free(s->partition);
    tn_free(s->map);
    tn_free(s->shell.columns);
    tn_schema_unref(s->schema);
}

/* A pushed filter `column op constant` as a Parquet predicate, when it is one. */
static bool to_parquet_predicate(const tn_plan_op *plan, const tn_plan_expr *f,
                                 tn_parquet_predicate *out)
{
    const tn_plan_expr *col = NULL, *val = NULL;
    int op;
    if (f->kind == TN_PLAN_EXPR_IS_NULL && f->is_null.operand->kind == TN_PLAN_EXPR_COLUMN) {
        out->column = plan->scan.projection[f->is_null.operand->column];
        out->op = f->is_null.negated ? TN_PARQUET_OP_IS_NOT_NULL : TN_PARQUET_OP_IS_NULL;
        memset(&out->value, 0, sizeof out->value);
        return true;
    }
    if (f->kind != TN_PLAN_EXPR_COMPARE)
        return false;
    tn_plan_cmp cmp = f->compare.op;
    if (f->compare.left->kind == TN_PLAN_EXPR_COLUMN && f->compare.right->kind == TN_PLAN_EXPR_CONST) {
        col = f->compare.left;
        val = f->compare.right;
    } else if (f->compare.right->kind == TN_PLAN_EXPR_COLUMN &&
               f->compare.left->kind == TN_PLAN_EXPR_CONST) {
        col = f->compare.right;
        val = f->compare.left;
        /* mirror the operator */
        if (cmp == TN_PLAN_CMP_LT) cmp = TN_PLAN_CMP_GT;
        else if (cmp == TN_PLAN_CMP_GT) cmp = TN_PLAN_CMP_LT;
        else if (cmp == TN_PLAN_CMP_LE) cmp = TN_PLAN_CMP_GE;
        else if (cmp == TN_PLAN_CMP_GE) cmp = TN_PLAN_CMP_LE;
    } else {
        return false;
    }
    switch (cmp) {
    case TN_PLAN_CMP_EQ: op = TN_PARQUET_OP_EQ; break;
    case TN_PLAN_CMP_LT: op = TN_PARQUET_OP_LT; break;
    case TN_PLAN_CMP_LE: op = TN_PARQUET_OP_LE; break;
    case TN_PLAN_CMP_GT: op = TN_PARQUET_OP_GT; break;
    case TN_PLAN_CMP_GE: op = TN_PARQUET_OP_GE; break;
    default: return false;
    }
    const tn_plan_value *v = &val->value;
    if (v->is_null || !tn_type_eq(v->type, col->type))
        return false;
    memset(&out->value, 0, sizeof out->value);
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN: out->value.i = v->b; break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: out->value.i = v->i32; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: out->value.i = v->i64; break;
    case TN_TYPE_REAL: out->value.d = v->f32; break;
    case TN_TYPE_DOUBLE: out->value.d = v->f64; break;
    case TN_TYPE_DECIMAL: out->value.dec = v->i128; break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: out->value.s = v->str; break;
    default: return false;
    }
    out->column = plan->scan.projection[col->column];
    out->op = op;
    return true;
}

/* Opens a Parquet file, or a reader for another format (*pq NULL then). */
static int open_path(tn_plan_op *plan, const char *path, tn_parquet_file **pq, tn_reader **reader,
                     tn_error *err)
{
    const tn_format *fmt = NULL;
    int rc = tn_format_detect(path, plan->scan.format, &fmt, err);
    if (rc)
        return rc;
    if (fmt == &tn_format_parquet) {
        tn_parquet_source src;
        if ((rc = tn_parquet_source_open_file(path, &src, err)) != 0)
            return rc;
        return tn_parquet_file_open(&src, pq, err);
    }
    return tn_reader_open(path, plan->scan.read_options, reader, err);
}

/* The hive partition key source column sc holds (binder/hive.c), or -1. */
static int source_partition_key(const tn_plan_op *plan, uint32_t sc)
{
    for (uint32_t k = 0; k < plan->scan.partition_key_count; k++)
        if (plan->scan.partition_columns[k] == sc)
            return (int)k;
    return -1;
}

static int partition_key(const tn_plan_op *plan, uint32_t c)
{
    return source_partition_key(plan, plan->scan.projection[c]);
}

/* Fills output column c, partition key `key`, with the value of file s->file_idx. */
static int fill_partition(scan_state *s, uint32_t c, uint32_t key)
{
    tn_plan_op *plan = s->op.plan;
    tn_error *err = s->op.ctx->err;
    const char *v = plan->scan.partition_values[(size_t)s->file_idx *
                                                    plan->scan.partition_key_count + key];
    size_t len = v ? strlen(v) : 0;
    tn_type type = s->schema->columns[c].type;
    if (v && type.id == TN_TYPE_VARCHAR && plan->scan.dictionary && plan->scan.dictionary[c]) {
        /* one value: a one-entry dictionary, so that a GROUP BY or a filter above works on
         * the entry once instead of on every row */
        tn_str one = tn_str_make(v, len);
        tn_dictionary *dict = tn_dictionary_new(type, &one, 1);
        tn_vector_destroy(&s->partition[c]);
        int rc = dict ? tn_vector_init_dict(&s->partition[c], dict, TN_BATCH_ROWS) : TN_ENOMEM;
        tn_dictionary_unref(dict);
        if (rc)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        memset(tn_vector_indices(&s->partition[c]), 0, TN_BATCH_ROWS * sizeof(uint32_t));
        return 0;
    }
    tn_vector text;
    if (tn_vector_init(&text, tn_type_make(TN_TYPE_VARCHAR), TN_BATCH_ROWS) != 0)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < TN_BATCH_ROWS; i++) {
        if (!v) {
            tn_vector_append_null(&text, i);
        } else if (tn_vector_append_str(&text, i, v, len) != 0) {
            tn_vector_destroy(&text);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
    }
    tn_vector_destroy(&s->partition[c]);
    if (type.id == TN_TYPE_VARCHAR) {
        s->partition[c] = text;
        return 0;
    }
    int rc = tn_vector_cast(&text, TN_BATCH_ROWS, type, false, &s->partition[c], err);
    tn_vector_destroy(&text);
    return rc;
}

/* Maps the output columns onto the open file's and opens the Parquet scan of row groups
 * [rg_first, rg_first + rg_count) (count 0 = all; 1 thread for a worker's morsel). */
static int start_file(scan_state *s, uint32_t rg_first, uint32_t rg_count)
{
    tn_plan_op *plan = s->op.plan;
    tn_error *err = s->op.ctx->err;
    int rc;
    const tn_schema *fs = s->pq_file ? tn_parquet_file_schema(s->pq_file)
                                     : tn_reader_schema(s->reader);
    /* match output columns by name: a glob's files may differ in column order or presence */
    uint32_t proj_cols[1024];
    bool proj_dict[1024];
    uint32_t nproj = 0;
    for (uint32_t c = 0; c < s->schema->column_count; c++) {
        int key = plan->scan.partition_key_count ? partition_key(plan, c) : -1;
        if (key >= 0) {
            s->map[c] = -2;
            if (s->partition_file != s->file_idx && (rc = fill_partition(s, c, (uint32_t)key)) != 0)
                return rc;
            continue;
        }
        const char *name = plan->scan.source_columns[plan->scan.projection[c]].name;
        int idx = tn_schema_find(fs, name);
        if (idx < 0) {
            s->map[c] = -1;
            continue;
        }
        if (s->pq_file && nproj < 1024) {
            s->map[c] = (int32_t)nproj;
            /* a file whose type differs is cast, which wants the plain layout */
            proj_dict[nproj] = plan->scan.dictionary && plan->scan.dictionary[c] &&
                               tn_type_eq(fs->columns[idx].type, s->schema->columns[c].type);
            proj_cols[nproj++] = (uint32_t)idx;
        } else {
            s->map[c] = idx;
        }
    }
    s->partition_file = s->file_idx;
    if (s->pq_file) {
        tn_parquet_predicate preds[64];
        uint32_t np = 0;
        for (uint32_t f = 0; f < plan->scan.filter_count && np < 64; f++) {
            tn_parquet_predicate p;
            /* a partition key's values are not the file's, even under the same name */
            if (to_parquet_predicate(plan, plan->scan.filters[f], &p) &&
                source_partition_key(plan, p.column) < 0) {
                /* the predicate's column is a source index: map it to this file's index */
                int idx = tn_schema_find(fs, plan->scan.source_columns[p.column].name);
                if (idx < 0 || !tn_type_eq(fs->columns[idx].type, plan->scan.source_columns[p.column].type))
                    continue;
                p.column = (uint32_t)idx;
                preds[np++] = p;
            }
        }
        /* the key ranges of joins above, as the pushed filters' predicates */
        tn_parquet_predicate ranges[16];
        uint32_t nr = tn_exec_join_filters_predicates(plan, ranges, 16);
        for (uint32_t f = 0; f < nr && np < 64; f++) {
            if (source_partition_key(plan, ranges[f].column) >= 0)
                continue;
            int idx = tn_schema_find(fs, plan->scan.source_columns[ranges[f].column].name);
            if (idx < 0 || !tn_type_eq(fs->columns[idx].type, plan->scan.source_columns[ranges[f].column].type))
                continue;
            ranges[f].column = (uint32_t)idx;
            preds[np++] = ranges[f];
        }
        /* the join filters themselves, tested as the key column is decoded, before the
         * other columns are */
        tn_parquet_row_test tests[16];
        uint32_t nt = 0;
        uint32_t npush = tn_exec_join_filters_push(plan, s->pushed, 16);
        for (uint32_t f = 0; f < npush; f++) {
            tn_exec_join_filter_push *p = &s->pushed[f];
            if (source_partition_key(plan, p->column) >= 0)
                continue;
            int idx = tn_schema_find(fs, plan->scan.source_columns[p->column].name);
            if (idx < 0 || !tn_type_eq(fs->columns[idx].type, plan->scan.source_columns[p->column].type))
                continue;
            s->pushed[nt] = *p;
            tests[nt++] = (tn_parquet_row_test){.column = (uint32_t)idx,
                                                .test = tn_exec_join_filter_test};
        }
        for (uint32_t f = 0; f < nt; f++)
            tests[f].ctx = &s->pushed[f];
        tn_parquet_scan_options o = {0};
        o.row_tests = tests;
        o.row_test_count = nt;
        o.columns = proj_cols;
        o.column_count = nproj;
        o.predicates = preds;
        o.predicate_count = np;
        o.row_group_first = rg_first;
        o.row_group_count = rg_count;
        o.threads = s->morsels ? 1 : 0;
        o.dictionary = plan->scan.dictionary ? proj_dict : NULL;
        if (nproj == 0) {
            /* COUNT(*) reads no column, but rows still need counting: read the first one */
            proj_cols[0] = 0;
            proj_dict[0] = false;
            o.column_count = fs->column_count ? 1 : 0;
        }
        rc = tn_parquet_scan_open(s->pq_file, &o, &s->pq_scan, err);
        if (rc)
            return rc;
        /* the rows tested are counted by the filter tested first: the one whose column the
         * Parquet scan decodes first (columns go in the order of their first predicate) */
        uint32_t first = nt, first_at = UINT32_MAX;
        for (uint32_t f = 0; f < nt; f++) {
            if (!tn_parquet_scan_row_test_applied(s->pq_scan, f)) {
                s->pushed[f].filter = NULL; /* applied below, in scan_next */
                continue;
            }
            uint32_t at = 0;
            while (at < np && preds[at].column != tests[f].column)
                at++;
            if (at < first_at)
                first = f, first_at = at;
        }
        if (first < nt)
            s->pushed[first].counts_rows = true;
        s->pushed_count = nt;
    }
    return 0;
}

static int open_next_file(scan_state *s, bool *done)
{
    tn_plan_op *plan = s->op.plan;
    close_file(s);
    if (s->path_idx >= plan->scan.path_count) {
        *done = true;
        return 0;
    }
    s->file_idx = s->path_idx;
    const char *path = plan->scan.paths[s->path_idx++];
    plan->scan.stats.files++;
    int rc = open_path(plan, path, &s->pq_file, &s->reader, s->op.ctx->err);
    return rc ? rc : start_file(s, 0, 0);
}

/* Inputs with fewer rows than this run on one thread: starting the workers and building
 * their pipelines costs more than the rows do (sqlite/select5, joins of tables of ten rows,
 * ran three times slower on two threads). */
#define PARALLEL_MIN_ROWS (4 * TN_BATCH_ROWS)

bool tn_exec_scan_splits(const tn_exec_op *scan)
{
    const scan_state *s = (const scan_state *)scan;
    const tn_plan_op *plan = scan->plan;
    if (s->lake_scan)
        return tn_lake_scan_file_count(s->lake_scan) > 1;
    if (plan->scan.source == TN_PLAN_SOURCE_MEMORY)
        return plan->scan.memory->row_count >= PARALLEL_MIN_ROWS;
    /* one Parquet file whose row count the binder read from its footer */
    return !(plan->scan.path_count == 1 && plan->scan.counted_path &&
             plan->scan.counted_rows < PARALLEL_MIN_ROWS);
}

int tn_exec_morsels_new(tn_exec_ctx *ctx, tn_exec_op *scan, tn_exec_morsels **out)
{
    tn_exec_morsels *m = tn_calloc(1, sizeof *m);
    if (!m)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    pthread_mutex_init(&m->lock, NULL);
    m->plan = scan->plan;
    m->lake = ((scan_state *)scan)->lake_scan;
    *out = m;
    return 0;
}

void tn_exec_morsels_free(tn_exec_morsels *m)
{
    if (!m)
        return;
    /* the workers' file scans are closed: their stats are all in */
    copy_lake_stats(m->plan, m->lake);
    if (m->current) {
        morsel_file *f = m->current;
        m->current = NULL;
        morsel_file_release(m, f);
    }
    pthread_mutex_destroy(&m->lock);
    tn_free(m);
}

/* Takes the next morsel; *got false at the end. Opening a Parquet file's footer happens
 * under the lock: the row groups cannot be handed out before it is read. */
static int take_morsel(tn_exec_morsels *m, tn_exec_ctx *ctx, morsel *out, bool *got)
{
    tn_plan_op *plan = m->plan;
    int rc = 0;
    *got = false;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&m->lock);
    for (;;) {
        if (plan->scan.source == TN_PLAN_SOURCE_MEMORY) {
            tn_sql_table *t = plan->scan.memory;
            while (m->memory_next < t->batch_count && t->batches[m->memory_next]->row_count == 0)
                m->memory_next++;
            if (m->memory_next < t->batch_count) {
                out->memory_idx = m->memory_next++;
                *got = true;
            }
            break;
        }
        if (plan->scan.source == TN_PLAN_SOURCE_LAKE) {
            /* the worker opens the file, outside the lock */
            if (m->lake_next < tn_lake_scan_file_count(m->lake)) {
                out->lake_file = m->lake_next++;
                *got = true;
            }
            break;
        }
        if (m->current && m->row_group_next < m->row_group_count) {
            out->file = m->current;
            out->row_group = m->row_group_next++;
            m->current->refs++;
            *got = true;
            break;
        }
        if (m->current) {
            morsel_file *f = m->current;
            m->current = NULL;
            if (--f->refs == 0) {
                tn_parquet_file_close(f->file);
                tn_free(f);
            }
        }
        if (m->path_next >= plan->scan.path_count)
            break;
        uint32_t path_idx = m->path_next++;
        __atomic_add_fetch(&plan->scan.stats.files, 1, __ATOMIC_RELAXED);
        tn_parquet_file *pq = NULL;
        tn_reader *reader = NULL;
        if ((rc = open_path(plan, plan->scan.paths[path_idx], &pq, &reader, ctx->err)) != 0)
            break;
        if (reader) {
            /* other formats: the worker that takes it reads the whole file */
            out->reader = reader;
            out->path_idx = path_idx;
            *got = true;
            break;
        }
        morsel_file *f = tn_calloc(1, sizeof *f);
        if (!f) {
            tn_parquet_file_close(pq);
            rc = tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
            break;
        }
        f->file = pq;
        f->path_idx = path_idx;
        f->refs = 1;
        m->current = f;
        m->row_group_next = 0;
        m->row_group_count = tn_parquet_file_row_group_count(pq);
    }
    if (*got)
        out->seq = m->seq++;
    pthread_mutex_unlock(&m->lock);
    return rc;
}

/* A worker's next batch: from its current morsel, taking the next morsel when it is done. */
static int morsel_next(scan_state *s, tn_batch **out)
{
    tn_plan_op *plan = s->op.plan;
    tn_exec_ctx *ctx = s->op.ctx;
    int rc;
    for (;;) {
        if (s->memory_morsel) {
            s->memory_morsel = false;
            *out = plan->scan.memory->batches[s->memory_idx];
            return 0;
        }
        if (s->pq_scan || s->reader || s->lake_file) {
            rc = s->pq_scan  ? tn_parquet_scan_next(s->pq_scan, out, ctx->err)
                 : s->reader ? tn_reader_next(s->reader, out, ctx->err)
                             : tn_lake_file_scan_next(s->lake_file, out, ctx->err);
            if (rc || *out)
                return rc;
            close_file(s);
        }
        if (tn_exec_run_stopped(ctx->run))
            return 0; /* another worker failed: the query ends with its error */
        morsel m;
        bool got = false;
        if ((rc = take_morsel(s->morsels, ctx, &m, &got)) != 0 || !got)
            return rc;
        tn_exec_run_morsel_taken(ctx, m.seq);
        if (plan->scan.source == TN_PLAN_SOURCE_MEMORY) {
            s->memory_idx = m.memory_idx;
            s->memory_morsel = true;
            continue;
        }
        if (plan->scan.source == TN_PLAN_SOURCE_LAKE) {
            if ((rc = tn_lake_scan_open_file(s->morsels->lake, m.lake_file, &s->lake_file,
                                             ctx->err)) != 0)
                return rc;
            continue;
        }
        if (m.file) {
            s->morsel_file = m.file;
            s->pq_file = m.file->file;
            s->file_idx = m.file->path_idx;
            if ((rc = start_file(s, m.row_group, 1)) != 0)
                return rc;
            continue;
        }
        s->reader = m.reader;
        s->file_idx = m.path_idx;
        if ((rc = start_file(s, 0, 0)) != 0)
            return rc;
    }
}

static int source_next(scan_state *s, tn_batch **out)
{
    tn_plan_op *plan = s->op.plan;
    tn_error *err = s->op.ctx->err;
    int rc;
    *out = NULL;
    if (s->morsels)
        return morsel_next(s, out);
    switch (plan->scan.source) {
    case TN_PLAN_SOURCE_MEMORY: {
        tn_sql_table *t = plan->scan.memory;
        while (s->memory_idx < t->batch_count) {
            tn_batch *b = t->batches[s->memory_idx++];
            if (b->row_count) {
                *out = b;
                return 0;
            }
        }
        return 0;
    }
    case TN_PLAN_SOURCE_LAKE:
        rc = tn_lake_scan_next(s->lake_scan, out, err);
        if (rc == 0 && !*out)
            lake_stats(s);
        return rc;
    case TN_PLAN_SOURCE_FILES:
        for (;;) {
            if (!s->pq_scan && !s->reader) {
                bool done = false;
                if ((rc = open_next_file(s, &done)) != 0)
                    return rc;
                if (done)
                    return 0;
            }
            if (s->pq_scan)
                rc = tn_parquet_scan_next(s->pq_scan, out, err);
            else
                rc = tn_reader_next(s->reader, out, err);
            if (rc)
                return rc;
            if (*out)
                return 0;
            close_file(s);
        }
    }
    return 0;
}

static int scan_next(tn_exec_op *op, tn_exec_chunk *out)
{
    scan_state *s = (scan_state *)op;
    tn_plan_op *plan = op->plan;
    tn_exec_ctx *ctx = op->ctx;
    int rc;
    for (;;) {
        release_current(s);
        tn_batch *b = NULL;
        if ((rc = source_next(s, &b)) != 0)
            return rc;
        if (!b) {
            out->batch = NULL;
            out->count = 0;
            return 0;
        }
        s->current = b;
        uint32_t rows = b->row_count;
        for (uint32_t c = 0; c < s->schema->column_count; c++) {
            const tn_vector *src;
            if (plan->scan.source == TN_PLAN_SOURCE_FILES) {
                if (s->map[c] == -2) {
                    s->shell.columns[c] = s->partition[c];
                    continue;
                }
                if (s->map[c] < 0) {
                    tn_vector *nv = &s->nulls[c];
                    if (nv->capacity < rows) {
                        tn_vector_destroy(nv);
                        if (tn_vector_init(nv, s->schema->columns[c].type, TN_BATCH_ROWS) != 0)
                            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
                        for (uint32_t i = 0; i < TN_BATCH_ROWS; i++)
                            tn_vector_append_null(nv, i);
                    }
                    s->shell.columns[c] = *nv;
                    continue;
                }
                src = &b->columns[s->map[c]];
            } else if (plan->scan.source == TN_PLAN_SOURCE_MEMORY) {
                src = &b->columns[plan->scan.projection[c]];
            } else {
                src = &b->columns[c];
            }
            if (!tn_type_eq(src->type, s->schema->columns[c].type)) {
                tn_vector_destroy(&s->casted[c]);
                rc = tn_vector_cast(src, rows, s->schema->columns[c].type, false, &s->casted[c],
                                    ctx->err);
                if (rc)
                    return rc;
                src = &s->casted[c];
            }
            s->shell.columns[c] = *src;
        }
        s->shell.row_count = rows;
        s->shell.capacity = rows;
        tn_exec_chunk in = {&s->shell, tn_exec_identity, rows};
        uint32_t count = rows;
        const uint32_t *sel = tn_exec_identity;
        if (plan->scan.filter_count) {
            tn_exec_chunk cur = in;
            for (uint32_t f = 0; f < plan->scan.filter_count && count > 0; f++) {
                cur.count = count;
                rc = tn_exec_eval_filter(&ctx->eval, plan->scan.filters[f], &cur, s->sel, &count);
                if (rc)
                    return rc;
                cur.sel = s->sel;
            }
            sel = s->sel;
        }
        if (plan->scan.join_filters && count > 0) {
            count = tn_exec_join_filters_apply_except(plan, &s->shell, sel, count, s->sel,
                                                      s->pushed, s->pushed_count);
            sel = s->sel;
        }
        if (count == 0)
            continue;
        out->batch = &s->shell;
        out->sel = sel;
        out->count = count;
        return 0;
    }
}

int tn_exec_scan_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    scan_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, scan_next, scan_close, out);
    if (!s)
        return TN_ENOMEM;
    uint32_t n = plan->column_count;
    s->schema = tn_exec_schema(plan);
    s->shell.columns = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->casted = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->nulls = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->map = tn_calloc(n ? n : 1, sizeof(int32_t));
    s->partition = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->partition_file = -1;
    if (!s->schema || !s->shell.columns || !s->casted || !s->nulls || !s->map || !s->partition)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->shell.schema = s->schema;
    s->morsels = tn_exec_run_shared(ctx->run, plan);
    if (plan->scan.source == TN_PLAN_SOURCE_LAKE && !s->morsels) {
        const char **names = tn_arena_alloc(ctx->arena, (n ? n : 1) * sizeof *names);
        if (!names)
            return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
        for (uint32_t c = 0; c < n; c++)
            names[c] = plan->scan.source_columns[plan->scan.projection[c]].name;
        tn_lake_scan_options o = {0};
        o.columns = names;
        o.column_count = n;
        if (n == 0) {
            /* COUNT(*): read one column so rows are counted */
            names[0] = plan->scan.source_columns[0].name;
            o.column_count = plan->scan.source_column_count ? 1 : 0;
        }
        o.predicates = plan->scan.lake_predicates;
        o.predicate_count = plan->scan.lake_predicate_count;
        int rc = tn_lake_scan_open(plan->scan.lake_table, &o, &s->lake_scan, ctx->err);
        if (rc)
            return rc;
        lake_stats(s);
    }
    return 0;
}
