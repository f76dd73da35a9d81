/* SPDX-License-Identifier: Apache-2.0
 *
 * Filters over string columns in dictionary form (tn_vector.dict): the condition is evaluated
 * once per dictionary entry, by the ordinary evaluator over the dictionary's values, and the
 * rows are then selected by looking their index up in the per-entry results, one branch-free
 * loop. The results are cached per thread by (condition, dictionary id), so the many batches
 * of a row group that share its column chunk's dictionary evaluate it once. The entry after
 * the last value is NULL, and NULL rows index it, so the same lookup gives NULL's result
 * (IS NULL, NOT ...). optimizer/dictionary_columns.c lets only the shapes handled here reach
 * a filter in dictionary form.
 */
#include "sql/sql_int.h"

/* Conditions x dictionaries remembered per thread: a query has few filters over dictionary
 * columns, and a worker reads one row group (one dictionary per column) at a time. */
#define DICT_FILTER_CACHE 8

typedef struct dict_filter_entry {
    const tn_plan_expr *cond;
    uint64_t dict_id;  /* 0: unused */
    uint8_t *keep;     /* count + 1 bytes: 1 where the entry (the last one: NULL) passes */
    size_t keep_cap;
} dict_filter_entry;

struct tn_exec_dict_cache {
    dict_filter_entry entries[DICT_FILTER_CACHE];
    uint32_t next;       /* the entry replaced next (round robin) */
    tn_vector *columns;  /* the batch the dictionary's values are evaluated in */
    uint32_t column_cap;
    uint32_t sel[TN_BATCH_ROWS];
};

void tn_exec_dict_cache_free(tn_exec_dict_cache *cache)
{
    if (!cache)
        return;
    for (uint32_t i = 0; i < DICT_FILTER_CACHE; i++)
        tn_free(cache->entries[i].keep);
    tn_free(cache->columns);
    tn_free(cache);
}

/* The one column a condition of a handled shape reads; false for anything else. */
static bool only_column(const tn_plan_expr *e, uint32_t *col)
{
    const tn_plan_expr *c;
    switch (e->kind) {
    case TN_PLAN_EXPR_NOT:
        return only_column(e->unary.operand, col);
    case TN_PLAN_EXPR_IS_NULL:
        c = e->is_null.operand;
        break;
    case TN_PLAN_EXPR_COMPARE:
        c = e->compare.left->kind == TN_PLAN_EXPR_COLUMN ? e->compare.left : e->compare.right;
        break;
    case TN_PLAN_EXPR_IN_LIST:
        c = e->in_list.operand;
        break;
    case TN_PLAN_EXPR_CALL:
        if (e->call.arg_count == 0)
            return false;
        c = e->call.args[0];
        break;
    default:
        return false;
    }
    if (c->kind != TN_PLAN_EXPR_COLUMN)
        return false;
    *col = c->column;
    return true;
}

/* keep[e] = whether entry e of d passes cond (column col), for every entry and the NULL one. */
static int entry_results(tn_exec_eval *ev, tn_exec_dict_cache *cache, const tn_plan_expr *cond,
                         uint32_t col, const tn_dictionary *d, uint8_t *keep)
{
    uint32_t total = d->count + 1;
    if (cache->column_cap < col + 1) {
        tn_vector *cols = tn_calloc(col + 1, sizeof *cols);
        if (!cols)
            return TN_ENOMEM;
        tn_free(cache->columns);
        cache->columns = cols;
        cache->column_cap = col + 1;
    }
    memset(keep, 0, total);
    tn_batch shell = {0};
    shell.columns = cache->columns;
    for (uint32_t first = 0; first < total; first += TN_BATCH_ROWS) {
        uint32_t n = total - first < TN_BATCH_ROWS ? total - first : TN_BATCH_ROWS;
        /* a window of the values: TN_BATCH_ROWS is a multiple of 8, so the validity bits of
         * the window start on a byte */
        tn_vector w = d->entries;
        w.capacity = n;
        w.validity = d->entries.validity + first / 8;
        w.offsets = d->entries.offsets + first;
        w.null_count = first + n == total ? 1 : 0;
        cache->columns[col] = w;
        shell.row_count = shell.capacity = n;
        tn_exec_chunk chunk = {&shell, tn_exec_identity, n};
        uint32_t m = 0;
        int rc = tn_exec_eval_filter(ev, cond, &chunk, cache->sel, &m);
        if (rc)
            return rc;
        for (uint32_t i = 0; i < m; i++)
            keep[first + cache->sel[i]] = 1;
    }
    return 0;
}

int tn_exec_dict_filter(tn_exec_eval *ev, const tn_plan_expr *cond, const tn_exec_chunk *in,
                        uint32_t *sel_out, uint32_t *count_out)
{
    uint32_t col;
    if (!only_column(cond, &col))
        return 1;
    const tn_vector *v = &in->batch->columns[col];
    const tn_dictionary *d = v->dict;
    if (!d)
        return 1;
    if (!ev->dict_cache && !(ev->dict_cache = tn_calloc(1, sizeof *ev->dict_cache)))
        return tn_error_set(ev->ctx->err, TN_ENOMEM, "out of memory");
    tn_exec_dict_cache *cache = ev->dict_cache;
    dict_filter_entry *hit = NULL;
    for (uint32_t i = 0; i < DICT_FILTER_CACHE && !hit; i++)
        if (cache->entries[i].dict_id == d->id && cache->entries[i].cond == cond)
            hit = &cache->entries[i];
    if (!hit) {
        hit = &cache->entries[cache->next];
        cache->next = (cache->next + 1) % DICT_FILTER_CACHE;
        hit->dict_id = 0;
        size_t need = (size_t)d->count + 1;
        if (hit->keep_cap < need) {
            tn_free(hit->keep);
            hit->keep_cap = 0;
            if (!(hit->keep = tn_malloc(need)))
                return tn_error_set(ev->ctx->err, TN_ENOMEM, "out of memory");
            hit->keep_cap = need;
        }
        int rc = entry_results(ev, cache, cond, col, d, hit->keep);
        if (rc)
            return rc == TN_ENOMEM ? tn_error_set(ev->ctx->err, rc, "out of memory") : rc;
        hit->cond = cond;
        hit->dict_id = d->id;
    }
    const uint8_t *keep = hit->keep;
    const uint32_t *idx = tn_vector_indices(v);
    const uint32_t *sel = in->sel;
    uint32_t m = 0;
    for (uint32_t i = 0; i < in->count; i++) {
        uint32_t r = sel[i];
        sel_out[m] = r;
        m += keep[idx[r]];
    }
    *count_out = m;
    return 0;
}
