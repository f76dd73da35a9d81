/* SPDX-License-Identifier: Apache-2.0
 *
 * The scan operator: reads a source's batches and applies the filters the optimizer pushed
 * into it. Sources: files (Parquet through parquet.h with projection and row group/page
 * pruning from the simple pushed predicates; CSV/JSON through tn_reader, columns matched by
 * name across the files of a glob and cast when a later file inferred another type), a
 * session's in-memory table, or a lake table through tn_lake_scan. Batches are passed on
 * as "shell" batches whose vectors are borrowed from the source's batch, so nothing is copied;
 * pushed filters narrow the selection vector.
 */
#include "sql/sql_int.h"
#include "formats/formats.h"
#include "formats/parquet/parquet.h"
#include "lake/lake.h"

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
    int32_t *map;            /* output column -> column of the current file's batch, -1 NULL */
    tn_vector *nulls;        /* per output column: an all-NULL vector for missing columns */
} scan_state;

static void release_current(scan_state *s)
{
    if (s->current && s->op.plan->scan.source != TN_PLAN_SOURCE_MEMORY)
        tn_batch_free(s->current);
    s->current = NULL;
}

static void close_file(scan_state *s)
{
    if (s->pq_scan) {
        tn_parquet_scan_stats st;
        tn_parquet_scan_get_stats(s->pq_scan, &st);
        tn_plan_scan_stats *ps = &s->op.plan->scan.stats;
        ps->row_groups += st.row_groups;
        ps->row_groups_pruned += st.row_groups_pruned;
        ps->pages_pruned += st.pages_pruned;
        ps->rows_pruned += st.rows_pruned;
    }
    tn_parquet_scan_close(s->pq_scan);
    s->pq_scan = NULL;
    tn_parquet_file_close(s->pq_file);
    s->pq_file = NULL;
    tn_reader_close(s->reader);
    s->reader = NULL;
}

static void scan_close(tn_exec_op *op)
{
    scan_state *s = (scan_state *)op;
    release_current(s);
    close_file(s);
    if (s->lake_scan) {
        const tn_lake_scan_stats *st = tn_lake_scan_get_stats(s->lake_scan);
        if (st) {
            op->plan->scan.stats.files = st->files_total;
            op->plan->scan.stats.files_skipped = st->files_skipped;
        }
    }
    tn_lake_scan_close(s->lake_scan);
    for (uint32_t c = 0; s->schema && c < s->schema->column_count; c++) {
        if (s->casted)
            tn_vector_destroy(&s->casted[c]);
        if (s->nulls)
            tn_vector_destroy(&s->nulls[c]);
    }
    tn_free(s->casted);
    tn_free(s->nulls);
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

static int open_next_file(scan_state *s, bool *done)
{
    tn_plan_op *plan = s->op.plan;
    tn_error *err = s->op.ctx->err;
    close_file(s);
    if (s->path_idx >= plan->scan.path_count) {
        *done = true;
        return 0;
    }
    const char *path = plan->scan.paths[s->path_idx++];
    plan->scan.stats.files++;
    const tn_schema *fs = NULL;
    int rc;
    const tn_format *fmt = NULL;
    rc = tn_format_detect(path, plan->scan.format, &fmt, err);
    if (rc)
        return rc;
    if (fmt == &tn_format_parquet) {
        tn_parquet_source src;
        if ((rc = tn_parquet_source_open_file(path, &src, err)) != 0)
            return rc;
        if ((rc = tn_parquet_file_open(&src, &s->pq_file, err)) != 0)
            return rc;
        fs = tn_parquet_file_schema(s->pq_file);
    } else {
        if ((rc = tn_reader_open(path, plan->scan.read_options, &s->reader, err)) != 0)
            return rc;
        fs = tn_reader_schema(s->reader);
    }
    /* match output columns by name: a glob's files may differ in column order or presence */
    uint32_t proj_cols[1024];
    uint32_t nproj = 0;
    for (uint32_t c = 0; c < s->schema->column_count; c++) {
        const char *name = plan->scan.source_columns[plan->scan.projection[c]].name;
        int idx = tn_schema_find(fs, name);
        if (idx < 0) {
            s->map[c] = -1;
            continue;
        }
        if (s->pq_file && nproj < 1024) {
            s->map[c] = (int32_t)nproj;
            proj_cols[nproj++] = (uint32_t)idx;
        } else {
            s->map[c] = idx;
        }
    }
    if (s->pq_file) {
        tn_parquet_predicate preds[64];
        uint32_t np = 0;
        for (uint32_t f = 0; f < plan->scan.filter_count && np < 64; f++) {
            tn_parquet_predicate p;
            if (to_parquet_predicate(plan, plan->scan.filters[f], &p)) {
                /* the predicate's column is a source index: map it to this file's index */
                int idx = tn_schema_find(fs, plan->scan.source_columns[p.column].name);
                if (idx < 0 || !tn_type_eq(fs->columns[idx].type, plan->scan.source_columns[p.column].type))
                    continue;
                p.column = (uint32_t)idx;
                preds[np++] = p;
            }
        }
        tn_parquet_scan_options o = {0};
        o.columns = proj_cols;
        o.column_count = nproj;
        o.predicates = preds;
        o.predicate_count = np;
        if (nproj == 0) {
            /* COUNT(*) reads no column, but rows still need counting: read the first one */
            proj_cols[0] = 0;
            o.column_count = fs->column_count ? 1 : 0;
        }
        rc = tn_parquet_scan_open(s->pq_file, &o, &s->pq_scan, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int source_next(scan_state *s, tn_batch **out)
{
    tn_plan_op *plan = s->op.plan;
    tn_error *err = s->op.ctx->err;
    int rc;
    *out = NULL;
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
        return tn_lake_scan_next(s->lake_scan, out, err);
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
    scan_state *s = tn_calloc(1, sizeof *s);
    if (!s)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->op.next = scan_next;
    s->op.close = scan_close;
    s->op.plan = plan;
    s->op.ctx = ctx;
    *out = &s->op;
    uint32_t n = plan->column_count;
    s->schema = tn_exec_schema(plan);
    s->shell.columns = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->casted = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->nulls = tn_calloc(n ? n : 1, sizeof(tn_vector));
    s->map = tn_calloc(n ? n : 1, sizeof(int32_t));
    if (!s->schema || !s->shell.columns || !s->casted || !s->nulls || !s->map)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->shell.schema = s->schema;
    if (plan->scan.source == TN_PLAN_SOURCE_LAKE) {
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
        int rc = tn_lake_scan_open(plan->scan.lake_table, &o, &s->lake_scan, ctx->err);
        if (rc)
            return rc;
    }
    return 0;
}
