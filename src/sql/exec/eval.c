/* SPDX-License-Identifier: Apache-2.0
 *
 * The vectorized expression evaluator: one call per expression node per batch. Column
 * references and constants are passed as (vector, selection) without copying; calls go to the
 * registry's implementation once per vector; comparisons, CASE, three-valued AND/OR/NOT,
 * IS NULL, IN and COALESCE are loops here with the type switch outside the loop. Filters
 * narrow a selection vector (AND narrows step by step, so later conjuncts only see rows the
 * earlier ones kept).
 */
#include "sql/sql_int.h"

#define R4(b) (b), (b) + 1, (b) + 2, (b) + 3
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b) R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)
#define R256(b) R64(b), R64((b) + 64), R64((b) + 128), R64((b) + 192)
const uint32_t tn_exec_identity[TN_BATCH_ROWS] = {R256(0),    R256(256),  R256(512),
                                                  R256(768),  R256(1024), R256(1280),
                                                  R256(1536), R256(1792)};
const uint32_t tn_exec_zeros[TN_BATCH_ROWS];

int tn_exec_eval_init(tn_exec_eval *ev, tn_exec_ctx *ctx)
{
    memset(ev, 0, sizeof *ev);
    ev->ctx = ctx;
    ev->slot_count = ctx->plan ? ctx->plan->slot_count : 0;
    if (ev->slot_count == 0)
        return 0;
    ev->slots = tn_calloc(ev->slot_count, sizeof *ev->slots);
    ev->aux = tn_calloc(ev->slot_count, sizeof *ev->aux);
    ev->caches = tn_calloc(ev->slot_count, sizeof *ev->caches);
    ev->ready = tn_calloc(ev->slot_count, 1);
    if (!ev->slots || !ev->aux || !ev->caches || !ev->ready) {
        tn_exec_eval_free(ev);
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    }
    return 0;
}

void tn_exec_eval_free(tn_exec_eval *ev)
{
    for (uint32_t i = 0; ev->slots && i < ev->slot_count; i++) {
        tn_vector_destroy(&ev->slots[i]);
        tn_vector_destroy(&ev->aux[i]);
        tn_func_cache_clear(&ev->caches[i]);
    }
    tn_free(ev->slots);
    tn_free(ev->aux);
    tn_free(ev->caches);
    tn_free(ev->ready);
    tn_exec_dict_cache_free(ev->dict_cache);
    memset(ev, 0, sizeof *ev);
}

static int oom(tn_exec_eval *ev)
{
    return tn_error_set(ev->ctx->err, TN_ENOMEM, "out of memory");
}

/* The slot's scratch vector with room for a batch, reset for new values. */
static int slot_vector(tn_exec_eval *ev, const tn_plan_expr *e, tn_vector **out)
{
    tn_vector *v = &ev->slots[e->slot];
    if (!ev->ready[e->slot] || !tn_type_eq(v->type, e->type)) {
        tn_vector_destroy(v);
        tn_type t = e->type.id == TN_TYPE_INVALID ? tn_type_make(TN_TYPE_BOOLEAN) : e->type;
        if (tn_vector_init(v, t, TN_BATCH_ROWS) != 0)
            return oom(ev);
        ev->ready[e->slot] = 1;
    } else {
        tn_vector_reset(v);
    }
    *out = v;
    return 0;
}

/* Writes a constant as row `row` of v (varlen rows in order). */
static int set_value(tn_vector *v, uint32_t row, const tn_plan_value *val)
{
    if (val->is_null || val->type.id == TN_TYPE_INVALID) {
        tn_vector_append_null(v, row);
        return 0;
    }
    switch ((tn_type_id)val->type.id) {
    case TN_TYPE_BOOLEAN: tn_vector_set_bool(v, row, val->b); break;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: tn_vector_i32(v)[row] = val->i32; break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: tn_vector_i64(v)[row] = val->i64; break;
    case TN_TYPE_REAL: tn_vector_f32(v)[row] = val->f32; break;
    case TN_TYPE_DOUBLE: tn_vector_f64(v)[row] = val->f64; break;
    case TN_TYPE_DECIMAL: tn_vector_set_decimal(v, row, val->i128); break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: return tn_vector_append_str(v, row, val->str.ptr, val->str.len);
    default: break;
    }
    return 0;
}

static int set_const(tn_vector *v, const tn_plan_value *val)
{
    return set_value(v, 0, val);
}

int tn_exec_gather(tn_vector *dst, uint32_t dst_row, const tn_vector *src, const uint32_t *sel,
                   uint32_t n)
{
    if (src->type.id == TN_TYPE_INVALID) {
        for (uint32_t i = 0; i < n; i++)
            tn_vector_append_null(dst, dst_row + i);
        return 0;
    }
    switch ((tn_type_id)dst->type.id) {
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        if (src->dict) {
            /* dictionary form: the rows' values are the entries they index */
            const tn_vector *entries = &src->dict->entries;
            const uint32_t *idx = tn_vector_indices(src);
            for (uint32_t i = 0; i < n; i++) {
                if (!tn_vector_is_valid(src, sel[i])) {
                    tn_vector_append_null(dst, dst_row + i);
                    continue;
                }
                tn_str s = tn_vector_get_str(entries, idx[sel[i]]);
                int rc = tn_vector_append_str(dst, dst_row + i, s.ptr, s.len);
                if (rc)
                    return rc;
            }
            return 0;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (!tn_vector_is_valid(src, sel[i])) {
                tn_vector_append_null(dst, dst_row + i);
                continue;
            }
            tn_str s = tn_vector_get_str(src, sel[i]);
            int rc = tn_vector_append_str(dst, dst_row + i, s.ptr, s.len);
            if (rc)
                return rc;
        }
        return 0;
    case TN_TYPE_BOOLEAN:
        for (uint32_t i = 0; i < n; i++)
            tn_vector_set_bool(dst, dst_row + i, tn_vector_get_bool(src, sel[i]));
        break;
    default: {
        size_t w = tn_type_width(dst->type);
        char *d = (char *)dst->values + (size_t)dst_row * w;
        const char *s = (const char *)src->values;
        switch (w) {
        case 4:
            for (uint32_t i = 0; i < n; i++)
                ((uint32_t *)d)[i] = ((const uint32_t *)s)[sel[i]];
            break;
        case 8:
            for (uint32_t i = 0; i < n; i++)
                ((uint64_t *)d)[i] = ((const uint64_t *)s)[sel[i]];
            break;
        case 16: /* DECIMAL: a fixed-size copy the compiler inlines */
            for (uint32_t i = 0; i < n; i++)
                memcpy(d + (size_t)i * 16, s + (size_t)sel[i] * 16, 16);
            break;
        default:
            for (uint32_t i = 0; i < n; i++)
                memcpy(d + (size_t)i * w, s + (size_t)sel[i] * w, w);
            break;
        }
        break;
    }
    }
    if (src->null_count) {
        for (uint32_t i = 0; i < n; i++)
            if (!tn_vector_is_valid(src, sel[i]))
                tn_vector_set_null(dst, dst_row + i);
    }
    return 0;
}

/* ---- comparisons ------------------------------------------------------------------------ */

static int cmp_double(double x, double y)
{
    /* NaN sorts after everything and equals itself, as in PostgreSQL */
    if (x != x)
        return y != y ? 0 : 1;
    if (y != y)
        return -1;
    return (x > y) - (x < y);
}

int tn_exec_compare_values(const tn_vector *a, uint32_t ar, const tn_vector *b, uint32_t br)
{
    switch ((tn_type_id)a->type.id) {
    case TN_TYPE_BOOLEAN: return (int)tn_vector_get_bool(a, ar) - (int)tn_vector_get_bool(b, br);
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        int32_t x = tn_vector_i32(a)[ar], y = tn_vector_i32(b)[br];
        return (x > y) - (x < y);
    }
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        int64_t x = tn_vector_i64(a)[ar], y = tn_vector_i64(b)[br];
        return (x > y) - (x < y);
    }
    case TN_TYPE_REAL: return cmp_double(tn_vector_f32(a)[ar], tn_vector_f32(b)[br]);
    case TN_TYPE_DOUBLE: return cmp_double(tn_vector_f64(a)[ar], tn_vector_f64(b)[br]);
    case TN_TYPE_DECIMAL: {
        tn_i128 x = tn_vector_get_decimal(a, ar), y = tn_vector_get_decimal(b, br);
        return (x > y) - (x < y);
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: return tn_str_cmp(tn_vector_get_str(a, ar), tn_vector_get_str(b, br));
    default: return 0;
    }
}

/* result[op][cmp + 1] */
static const uint8_t cmp_table[6][3] = {
    {0, 1, 0}, /* EQ */
    {1, 0, 1}, /* NE */
    {1, 0, 0}, /* LT */
    {1, 1, 0}, /* LE */
    {0, 0, 1}, /* GT */
    {0, 1, 1}, /* GE */
};

#define CMP_LOOP(EXPR)                                                                         \
    for (uint32_t i = 0; i < n; i++) {                                                         \
        uint32_t li = l->sel[i], ri = r->sel[i];                                               \
        int c = (EXPR);                                                                        \
        cmp[i] = (int8_t)((c > 0) - (c < 0));                                                  \
    }

/* Three-way comparison of n value pairs into cmp[] (-1/0/1), type switch outside the loop. */
static void compare_rows(const tn_exec_arg *l, const tn_exec_arg *r, uint32_t n, int8_t *cmp)
{
    const tn_vector *a = l->vec, *b = r->vec;
    switch ((tn_type_id)a->type.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        const int32_t *x = tn_vector_i32(a), *y = tn_vector_i32(b);
        CMP_LOOP((x[li] > y[ri]) - (x[li] < y[ri]))
        break;
    }
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        const int64_t *x = tn_vector_i64(a), *y = tn_vector_i64(b);
        CMP_LOOP((x[li] > y[ri]) - (x[li] < y[ri]))
        break;
    }
    case TN_TYPE_DOUBLE: {
        const double *x = tn_vector_f64(a), *y = tn_vector_f64(b);
        CMP_LOOP(cmp_double(x[li], y[ri]))
        break;
    }
    case TN_TYPE_DECIMAL:
        if (tn_decimal_is_64(a->type) && tn_decimal_is_64(b->type)) {
            const int64_t *x = tn_vector_i64(a), *y = tn_vector_i64(b);
            CMP_LOOP((x[li] > y[ri]) - (x[li] < y[ri]))
        } else if (!tn_decimal_is_64(a->type) && !tn_decimal_is_64(b->type)) {
            const tn_i128 *x = tn_vector_i128(a), *y = tn_vector_i128(b);
            CMP_LOOP((x[li] > y[ri]) - (x[li] < y[ri]))
        } else {
            CMP_LOOP(tn_exec_compare_values(a, li, b, ri))
        }
        break;
    default:
        CMP_LOOP(tn_exec_compare_values(a, li, b, ri))
        break;
    }
}

static bool arg_valid(const tn_exec_arg *a, uint32_t i)
{
    return a->vec->null_count == 0 || tn_vector_is_valid(a->vec, a->sel[i]);
}

static bool arg_bool(const tn_exec_arg *a, uint32_t i)
{
    return tn_vector_get_bool(a->vec, a->sel[i]);
}

/* ---- subqueries ------------------------------------------------------------------------- */

/* Runs an uncorrelated subquery once and keeps its rows in the slot's aux vector. */
static int subquery_rows(tn_exec_eval *ev, const tn_plan_expr *e, tn_vector **out)
{
    tn_vector *aux = &ev->aux[e->slot];
    if (ev->ready[e->slot] == 2) {
        *out = aux;
        return 0;
    }
    /* A worker reads what the main thread ran before the workers started (read-only now). */
    const tn_exec_ctx *main = ev->ctx->main;
    if (main && main->eval.ready && main->eval.ready[e->slot] == 2) {
        *out = &main->eval.aux[e->slot];
        return 0;
    }
    tn_exec_op *op = NULL;
    tn_exec_rows rows;
    int rc = tn_exec_build(ev->ctx, e->subquery.query, &op);
    if (rc)
        return rc;
    rc = tn_exec_rows_init(&rows, NULL);
    if (rc == 0)
        rc = tn_exec_drain(op, &rows);
    tn_exec_close(op);
    if (rc) {
        tn_exec_rows_free(&rows);
        return rc;
    }
    tn_type t = e->subquery.query->columns[0].type;
    if (t.id == TN_TYPE_INVALID)
        t = tn_type_make(TN_TYPE_BOOLEAN);
    uint32_t cap = rows.row_count > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)rows.row_count;
    if (e->kind == TN_PLAN_EXPR_SUBQUERY && rows.row_count > 1) {
        tn_exec_rows_free(&rows);
        return tn_error_set_at(ev->ctx->err, TN_EINVAL, NULL, e->pos.line, e->pos.column,
                               "more than one row returned by a subquery used as an expression");
    }
    tn_vector_destroy(aux);
    rc = tn_vector_init(aux, t, cap ? cap : 1);
    uint32_t at = 0;
    for (size_t b = 0; rc == 0 && b < rows.batch_count; b++) {
        tn_batch *batch = rows.batches[b];
        rc = tn_exec_gather(aux, at, &batch->columns[0], tn_exec_identity, batch->row_count);
        at += batch->row_count;
    }
    /* a scalar subquery with no row is NULL; an empty IN list holds no NULL */
    if (rc == 0 && at == 0 && e->kind == TN_PLAN_EXPR_SUBQUERY)
        tn_vector_append_null(aux, 0);
    tn_exec_rows_free(&rows);
    if (rc)
        return tn_error_set(ev->ctx->err, rc, "out of memory");
    aux->capacity = at ? at : (e->kind == TN_PLAN_EXPR_SUBQUERY ? 1 : 0);
    ev->ready[e->slot] = 2;
    *out = aux;
    return 0;
}

/* The values of an IN subquery of one integer-like type, when the operand has that type too:
 * a hash set of the values themselves, so that a probe is a hash and a compare instead of
 * serialising the operand into a key. Open addressing with linear probing, at most half full.
 * NULL values are left out (the caller knows of them from the vector). */
typedef struct in_int_set {
    int64_t *values;
    uint8_t *used; /* per slot: 1 when it holds a value */
    size_t mask;   /* capacity - 1 */
} in_int_set;

static bool in_int_type(tn_type t)
{
    return t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_DATE || t.id == TN_TYPE_BIGINT ||
           t.id == TN_TYPE_TIMESTAMP || t.id == TN_TYPE_TIMESTAMPTZ ||
           (t.id == TN_TYPE_DECIMAL && tn_decimal_is_64(t));
}

/* Value `row` of v, whose values are 4 bytes wide when narrow, else 8. */
static int64_t in_int_value(const tn_vector *v, bool narrow, uint32_t row)
{
    return narrow ? tn_vector_i32(v)[row] : tn_vector_i64(v)[row];
}

static void in_int_set_free(void *arg)
{
    in_int_set *set = arg;
    if (!set)
        return;
    tn_free(set->values);
    tn_free(set->used);
    tn_free(set);
}

static bool in_int_set_has(const in_int_set *set, int64_t x)
{
    size_t j = (size_t)tn_hash_u64((uint64_t)x) & set->mask;
    while (set->used[j]) {
        if (set->values[j] == x)
            return true;
        j = (j + 1) & set->mask;
    }
    return false;
}

/* The set of the non-NULL values of rows[0, count); NULL when out of memory. */
static in_int_set *in_int_set_build(const tn_vector *rows, uint32_t count)
{
    size_t cap = 16;
    while (cap < (size_t)count * 2)
        cap *= 2;
    in_int_set *set = tn_calloc(1, sizeof *set);
    if (!set)
        return NULL;
    set->values = tn_malloc(cap * sizeof *set->values);
    set->used = tn_calloc(cap, 1);
    set->mask = cap - 1;
    if (!set->values || !set->used) {
        in_int_set_free(set);
        return NULL;
    }
    bool narrow = tn_type_width(rows->type) == 4;
    for (uint32_t r = 0; r < count; r++) {
        if (!tn_vector_is_valid(rows, r))
            continue;
        int64_t x = in_int_value(rows, narrow, r);
        size_t j = (size_t)tn_hash_u64((uint64_t)x) & set->mask;
        while (set->used[j] && set->values[j] != x)
            j = (j + 1) & set->mask;
        set->values[j] = x;
        set->used[j] = 1;
    }
    return set;
}

typedef struct ahead_walk {
    tn_exec_eval *ev;
} ahead_walk;

static int run_ahead(void *arg, tn_plan_expr *e)
{
    ahead_walk *w = arg;
    if (e->subquery.param_count || !e->subquery.query)
        return 0;
    tn_vector *rows;
    if (subquery_rows(w->ev, e, &rows) != 0)
        tn_error_clear(w->ev->ctx->err); /* reported where the rows are needed, if they are */
    return 0;
}

static void ahead_op(ahead_walk *w, tn_plan_op *op)
{
    tn_plan_for_each_subquery(op, run_ahead, w);
    for (uint32_t c = 0; c < op->child_count; c++)
        if (op->children[c])
            ahead_op(w, op->children[c]);
    if (op->kind == TN_PLAN_CTE_REF && op->cte_ref.query)
        ahead_op(w, op->cte_ref.query);
}

/* Runs the uncorrelated subqueries of plan on the main thread (see sql_int.h). */
void tn_exec_eval_subqueries_ahead(tn_exec_ctx *ctx, tn_plan_op *plan)
{
    if (ctx->main || !ctx->eval.ready)
        return;
    ahead_walk w = {&ctx->eval};
    ahead_op(&w, plan);
}

/* ---- correlated subqueries -------------------------------------------------------------- */

/* The results of a correlated subquery so far, one per distinct tuple of param values (and
 * IN operand): the query runs once per tuple, not once per row. Kept in the slot's cache. */
typedef struct correlated_cache {
    tn_hash *seen;          /* key -> result index + 1 */
    tn_plan_value *results; /* the subquery's value, or the IN/EXISTS truth value */
    uint32_t count;
    uint32_t cap;
} correlated_cache;

static void correlated_cache_free(void *data)
{
    correlated_cache *c = data;
    if (!c)
        return;
    tn_hash_free(c->seen);
    tn_free(c->results);
    tn_free(c);
}

/* Runs the query of e once with the params as they are set, and computes its result for the
 * IN operand value (a.vec row ar; unused otherwise). */
static int correlated_run(tn_exec_eval *ev, const tn_plan_expr *e, const tn_vector *operand,
                          uint32_t operand_row, tn_plan_value *out)
{
    tn_exec_op *op = NULL;
    tn_exec_rows rows;
    int rc = tn_exec_build(ev->ctx, e->subquery.query, &op);
    if (rc) {
        tn_exec_close(op);
        return rc;
    }
    rc = tn_exec_rows_init(&rows, NULL);
    if (rc == 0)
        rc = tn_exec_drain(op, &rows);
    tn_exec_close(op);
    memset(out, 0, sizeof *out);
    out->type = e->type;
    if (rc == 0 && e->kind == TN_PLAN_EXPR_EXISTS) {
        out->b = (rows.row_count > 0) != e->subquery.negated;
    } else if (rc == 0 && e->kind == TN_PLAN_EXPR_SUBQUERY) {
        if (rows.row_count > 1)
            rc = tn_error_set_at(ev->ctx->err, TN_EINVAL, NULL, e->pos.line, e->pos.column,
                                 "more than one row returned by a subquery used as an "
                                 "expression");
        else if (rows.row_count == 0)
            out->is_null = true;
        else
            for (size_t b = 0; b < rows.batch_count; b++)
                if (rows.batches[b]->row_count) {
                    rc = tn_exec_value_from_vector(ev->ctx->arena, &rows.batches[b]->columns[0],
                                                   0, out);
                    out->type = e->type;
                }
    } else if (rc == 0) {
        /* x IN (rows): TRUE on a match; else NULL when x or any row is NULL; else FALSE */
        bool found = false, saw_null = false;
        bool x_null = !tn_vector_is_valid(operand, operand_row);
        for (size_t b = 0; b < rows.batch_count && !found; b++) {
            const tn_vector *col = &rows.batches[b]->columns[0];
            for (uint32_t r = 0; r < rows.batches[b]->row_count && !found; r++) {
                if (x_null || !tn_vector_is_valid(col, r))
                    saw_null = true;
                else if (tn_exec_compare_values(col, r, operand, operand_row) == 0)
                    found = true;
            }
        }
        out->is_null = !found && saw_null;
        out->b = found != e->subquery.negated;
    }
    tn_exec_rows_free(&rows);
    return rc;
}

/* A subquery with params: per row, the key of its param values (and IN operand) finds the
 * result of an earlier run or runs the query with the params set to that row's values. */
static int correlated_eval(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                           tn_exec_arg *out)
{
    uint32_t n = in->count, pc = e->subquery.param_count;
    tn_exec_arg args[65];
    int rc;
    if (pc > 64)
        return tn_error_set_at(ev->ctx->err, TN_ELIMIT, NULL, e->pos.line, e->pos.column,
                               "a subquery may reference at most 64 outer columns");
    for (uint32_t p = 0; p < pc; p++)
        if ((rc = tn_exec_eval_expr(ev, e->subquery.params[p]->source, in, &args[p])) != 0)
            return rc;
    bool with_operand = e->kind == TN_PLAN_EXPR_IN_QUERY;
    if (with_operand && (rc = tn_exec_eval_expr(ev, e->subquery.operand, in, &args[pc])) != 0)
        return rc;
    tn_func_cache *fc = &ev->caches[e->slot];
    if (!fc->data) {
        correlated_cache *c = tn_calloc(1, sizeof *c);
        if (!c || !(c->seen = tn_hash_new(64))) {
            tn_free(c);
            return oom(ev);
        }
        fc->data = c;
        fc->free_fn = correlated_cache_free;
    }
    correlated_cache *c = fc->data;
    uint32_t idx[TN_BATCH_ROWS];
    tn_buf key = TN_BUF_INIT;
    rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        tn_buf_clear(&key);
        for (uint32_t p = 0; p < pc + with_operand && rc == 0; p++)
            rc = tn_exec_key_append(&key, args[p].vec, args[p].sel[i]);
        if (rc) {
            rc = oom(ev);
            break;
        }
        void *hit;
        if (tn_hash_get(c->seen, key.data, key.len, &hit)) {
            idx[i] = (uint32_t)(uintptr_t)hit - 1;
            continue;
        }
        if (c->count == c->cap) {
            uint32_t cap = c->cap ? c->cap * 2 : 16;
            tn_plan_value *nr = tn_realloc(c->results, cap * sizeof *nr);
            if (!nr) {
                rc = oom(ev);
                break;
            }
            c->results = nr;
            c->cap = cap;
        }
        /* the params' values for this run, in this thread's slots (read by OUTER) */
        for (uint32_t p = 0; p < pc && rc == 0; p++) {
            const tn_plan_param *pp = e->subquery.params[p];
            tn_vector *pv = &ev->slots[pp->slot];
            tn_type t = pp->source->type.id == TN_TYPE_INVALID ? tn_type_make(TN_TYPE_BOOLEAN)
                                                                : pp->source->type;
            if (!ev->ready[pp->slot] || !tn_type_eq(pv->type, t)) {
                tn_vector_destroy(pv);
                if (tn_vector_init(pv, t, 1) != 0) {
                    rc = oom(ev);
                    break;
                }
                ev->ready[pp->slot] = 1;
            } else {
                tn_vector_reset(pv);
            }
            if (tn_exec_gather(pv, 0, args[p].vec, &args[p].sel[i], 1) != 0)
                rc = oom(ev);
        }
        if (rc)
            break;
        const tn_vector *opv = with_operand ? args[pc].vec : NULL;
        uint32_t opr = with_operand ? args[pc].sel[i] : 0;
        if ((rc = correlated_run(ev, e, opv, opr, &c->results[c->count])) != 0)
            break;
        idx[i] = c->count++;
        if (tn_hash_put(c->seen, key.data, key.len, (void *)(uintptr_t)c->count) != 0)
            rc = oom(ev);
    }
    tn_buf_free(&key);
    if (rc)
        return rc;
    tn_vector *v;
    if ((rc = slot_vector(ev, e, &v)) != 0)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        if (set_value(v, i, &c->results[idx[i]]) != 0)
            return oom(ev);
    out->vec = v;
    out->sel = tn_exec_identity;
    return 0;
}

/* ---- casts ------------------------------------------------------------------------------ */

#define MICROS_PER_DAY INT64_C(86400000000)

static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static tn_i128 pow10_i128(int k)
{
    tn_i128 v = 1;
    while (k-- > 0)
        v *= 10;
    return v;
}

/* One typed loop over the selected rows: out[i] = EXPR(x), x = src[sel[i]]; BAD accumulates
 * the rows the loop cannot convert exactly as tn_vector_cast would. An integer (below 2^63)
 * times a power of ten up to 10^18 cannot overflow 128 bits, so only the precision is
 * checked. */
#define CAST_LOOP(TS, TD, EXPR, BAD)                                                           \
    do {                                                                                       \
        const TS *src_values = (const TS *)a->vec->values;                                     \
        TD *dst_values = (TD *)v->values;                                                      \
        for (uint32_t i = 0; i < n; i++) {                                                     \
            TS x = src_values[a->sel[i]];                                                      \
            bad |= (BAD);                                                                      \
            dst_values[i] = (EXPR);                                                            \
        }                                                                                      \
    } while (0)

/* The casts between numeric and date/time types that widen (INTEGER -> BIGINT/DOUBLE/DECIMAL,
 * BIGINT -> DOUBLE/DECIMAL, REAL -> DOUBLE, DATE -> TIMESTAMP[TZ], DECIMAL -> DOUBLE or a
 * DECIMAL of a larger scale) as one loop into the slot's vector, instead of a cast per row
 * into a fresh vector. Returns 1 when done, 0 when the general cast must run (another pair of
 * types, or a value the loop cannot convert: the general cast then gives the same values, or
 * the error), or a negative error code. */
static int cast_widening(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_arg *a,
                         uint32_t n, tn_exec_arg *out)
{
    tn_type from = a->vec->type, to = e->type;
    tn_vector *v;
    bool bad = false;
    int rc;
    switch ((tn_type_id)from.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_BIGINT:
    case TN_TYPE_REAL:
    case TN_TYPE_DATE:
    case TN_TYPE_DECIMAL: break;
    default: return 0;
    }
    switch ((tn_type_id)to.id) {
    case TN_TYPE_BIGINT:
    case TN_TYPE_DOUBLE:
    case TN_TYPE_DECIMAL:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: break;
    default: return 0;
    }
    tn_i128 lim = 0, f = 1;
    if (to.id == TN_TYPE_DECIMAL) {
        int from_scale = from.id == TN_TYPE_DECIMAL ? from.scale : 0;
        if (to.scale < from_scale || to.scale - from_scale > 18 || to.precision > 38)
            return 0;
        lim = pow10_i128(to.precision);
        f = pow10_i128(to.scale - from_scale);
    }
    if ((rc = slot_vector(ev, e, &v)) != 0)
        return rc;
    int64_t f64 = (int64_t)f;
    /* Into a DECIMAL: the product is formed in 128 bits and checked against the precision,
     * so storing it into an int64 (precision <= 18) loses nothing once BAD is clear. */
#define TO_DEC_EXPR(x) ((tn_i128)(int64_t)(x) * f64)
#define TO_DEC_BAD(x)                                                                          \
    (((tn_i128)(int64_t)(x) != (x)) | (TO_DEC_EXPR(x) >= lim) | (TO_DEC_EXPR(x) <= -lim))
    if (from.id == TN_TYPE_INTEGER && to.id == TN_TYPE_BIGINT)
        CAST_LOOP(int32_t, int64_t, (int64_t)x, false);
    else if (from.id == TN_TYPE_INTEGER && to.id == TN_TYPE_DOUBLE)
        CAST_LOOP(int32_t, double, (double)x, false);
    else if (from.id == TN_TYPE_BIGINT && to.id == TN_TYPE_DOUBLE)
        CAST_LOOP(int64_t, double, (double)x, false);
    else if (from.id == TN_TYPE_REAL && to.id == TN_TYPE_DOUBLE)
        CAST_LOOP(float, double, (double)x, false);
    else if (from.id == TN_TYPE_INTEGER && to.id == TN_TYPE_DECIMAL && tn_decimal_is_64(to))
        CAST_LOOP(int32_t, int64_t, (int64_t)TO_DEC_EXPR(x), TO_DEC_BAD(x));
    else if (from.id == TN_TYPE_INTEGER && to.id == TN_TYPE_DECIMAL)
        CAST_LOOP(int32_t, tn_i128, TO_DEC_EXPR(x), TO_DEC_BAD(x));
    else if (from.id == TN_TYPE_BIGINT && to.id == TN_TYPE_DECIMAL && tn_decimal_is_64(to))
        CAST_LOOP(int64_t, int64_t, (int64_t)TO_DEC_EXPR(x), TO_DEC_BAD(x));
    else if (from.id == TN_TYPE_BIGINT && to.id == TN_TYPE_DECIMAL)
        CAST_LOOP(int64_t, tn_i128, TO_DEC_EXPR(x), TO_DEC_BAD(x));
    else if (from.id == TN_TYPE_DECIMAL && to.id == TN_TYPE_DECIMAL) {
        bool from64 = tn_decimal_is_64(from), to64 = tn_decimal_is_64(to);
        if (from64 && to64)
            CAST_LOOP(int64_t, int64_t, (int64_t)TO_DEC_EXPR(x), TO_DEC_BAD(x));
        else if (from64)
            CAST_LOOP(int64_t, tn_i128, TO_DEC_EXPR(x), TO_DEC_BAD(x));
        else if (to64)
            CAST_LOOP(tn_i128, int64_t, (int64_t)TO_DEC_EXPR(x), TO_DEC_BAD(x));
        else
            CAST_LOOP(tn_i128, tn_i128, TO_DEC_EXPR(x), TO_DEC_BAD(x));
    } else if (from.id == TN_TYPE_DECIMAL && to.id == TN_TYPE_DOUBLE && from.scale <= 22) {
        /* both operands exact, so one correctly rounded division, as the general cast */
        if (tn_decimal_is_64(from))
            CAST_LOOP(int64_t, double, (double)x / exact_pow10[from.scale],
                      (x > (INT64_C(1) << 53)) | (x < -(INT64_C(1) << 53)));
        else
            CAST_LOOP(tn_i128, double, (double)x / exact_pow10[from.scale],
                      (x > ((tn_i128)1 << 53)) | (x < -((tn_i128)1 << 53)));
    }
#undef TO_DEC_BAD
#undef TO_DEC_EXPR
    else if (from.id == TN_TYPE_DATE &&
             (to.id == TN_TYPE_TIMESTAMP || to.id == TN_TYPE_TIMESTAMPTZ))
        CAST_LOOP(int32_t, int64_t, (int64_t)x * MICROS_PER_DAY,
                  ((int64_t)x > INT64_MAX / MICROS_PER_DAY) |
                      ((int64_t)x < INT64_MIN / MICROS_PER_DAY));
    else
        return 0;
    if (a->vec->null_count) {
        for (uint32_t i = 0; i < n; i++)
            if (!tn_vector_is_valid(a->vec, a->sel[i]))
                tn_vector_set_null(v, i);
    }
    if (bad)
        return 0; /* NULL rows' values are unspecified: the general cast skips them */
    out->vec = v;
    out->sel = tn_exec_identity;
    return 1;
}

/* ---- the evaluator ---------------------------------------------------------------------- */

static int eval_bool_chunk(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                           tn_exec_arg *out);

int tn_exec_eval_expr(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                      tn_exec_arg *out)
{
    uint32_t n = in->count;
    tn_vector *v;
    int rc;
    switch (e->kind) {
    case TN_PLAN_EXPR_COLUMN:
        out->vec = &in->batch->columns[e->column];
        out->sel = in->sel;
        return 0;
    case TN_PLAN_EXPR_CONST:
        v = &ev->slots[e->slot];
        if (!ev->ready[e->slot]) {
            tn_type t = e->type.id == TN_TYPE_INVALID || e->type.id == TN_PLAN_TYPE_INTERVAL
                            ? tn_type_make(TN_TYPE_BOOLEAN)
                            : e->type;
            if (tn_vector_init(v, t, 1) != 0 || set_const(v, &e->value) != 0)
                return oom(ev);
            ev->ready[e->slot] = 1;
        }
        out->vec = v;
        out->sel = tn_exec_zeros;
        return 0;
    case TN_PLAN_EXPR_CALL: {
        tn_exec_arg args[64];
        if (e->call.arg_count > 64)
            return tn_error_set_at(ev->ctx->err, TN_ELIMIT, NULL, e->pos.line, e->pos.column,
                                   "too many arguments (at most 64)");
        for (uint32_t k = 0; k < e->call.arg_count; k++) {
            rc = tn_exec_eval_expr(ev, e->call.args[k], in, &args[k]);
            if (rc)
                return rc;
        }
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        if (e->call.func->nulls == TN_FUNC_STRICT) {
            for (uint32_t k = 0; k < e->call.arg_count; k++) {
                if (args[k].vec->null_count == 0)
                    continue;
                for (uint32_t i = 0; i < n; i++)
                    if (!tn_vector_is_valid(args[k].vec, args[k].sel[i]))
                        tn_vector_set_null(v, i);
            }
        }
        tn_func_ctx fctx = {ev->ctx->err, e->pos, &ev->caches[e->slot], ev->ctx->sqlite_compat,
                            ev->ctx->now_us};
        rc = e->call.func->impl(&fctx, n, args, e->call.arg_count, v);
        if (rc) {
            if (ev->ctx->err->code == 0)
                tn_error_set_at(ev->ctx->err, rc, NULL, e->pos.line, e->pos.column, "%s",
                                tn_strerror(rc));
            return rc;
        }
        out->vec = v;
        out->sel = tn_exec_identity;
        return 0;
    }
    case TN_PLAN_EXPR_CAST: {
        tn_exec_arg a;
        if ((rc = tn_exec_eval_expr(ev, e->cast.operand, in, &a)) != 0)
            return rc;
        if (tn_type_eq(a.vec->type, e->type) && e->cast.operand->type.id != TN_TYPE_INVALID) {
            *out = a;
            return 0;
        }
        if (e->cast.operand->type.id != TN_TYPE_INVALID) {
            if ((rc = cast_widening(ev, e, &a, n, out)) != 0)
                return rc < 0 ? rc : 0;
        }
        tn_vector *aux = &ev->aux[e->slot];
        const tn_vector *src = a.vec;
        if (a.sel != tn_exec_identity || e->cast.operand->type.id == TN_TYPE_INVALID) {
            tn_type st = e->cast.operand->type.id == TN_TYPE_INVALID ? e->type : a.vec->type;
            if (!tn_type_eq(aux->type, st) || aux->capacity < TN_BATCH_ROWS) {
                tn_vector_destroy(aux);
                if (tn_vector_init(aux, st, TN_BATCH_ROWS) != 0)
                    return oom(ev);
            } else {
                tn_vector_reset(aux);
            }
            if (e->cast.operand->type.id == TN_TYPE_INVALID) {
                for (uint32_t i = 0; i < n; i++)
                    tn_vector_append_null(aux, i);
                v = &ev->slots[e->slot];
                tn_vector_destroy(v);
                ev->ready[e->slot] = 0;
                if (slot_vector(ev, e, &v) != 0)
                    return oom(ev);
                for (uint32_t i = 0; i < n; i++)
                    tn_vector_append_null(v, i);
                out->vec = v;
                out->sel = tn_exec_identity;
                return 0;
            }
            if ((rc = tn_exec_gather(aux, 0, a.vec, a.sel, n)) != 0)
                return oom(ev);
            src = aux;
        }
        v = &ev->slots[e->slot];
        tn_vector_destroy(v);
        ev->ready[e->slot] = 0;
        rc = tn_vector_cast(src, n, e->type, e->cast.try_cast, v, ev->ctx->err);
        if (rc) {
            ev->ctx->err->line = e->pos.line;
            ev->ctx->err->column = e->pos.column;
            return rc;
        }
        out->vec = v;
        out->sel = tn_exec_identity;
        return 0;
    }
    case TN_PLAN_EXPR_CASE: {
        /* Each branch is evaluated only on the rows still undecided, so a guard such as
         * CASE WHEN x = 0 THEN 0 ELSE 1 / x END never divides by zero. */
        uint32_t rem[TN_BATCH_ROWS], sub_sel[TN_BATCH_ROWS], m = n;
        uint16_t branch[TN_BATCH_ROWS];
        uint32_t pos_in_branch[TN_BATCH_ROWS];
        tn_exec_arg results[66];
        uint32_t when_count = e->case_expr.when_count;
        if (when_count > 64)
            return tn_error_set_at(ev->ctx->err, TN_ELIMIT, NULL, e->pos.line, e->pos.column,
                                   "CASE with more than 64 branches is not supported");
        for (uint32_t i = 0; i < n; i++) {
            rem[i] = i;
            branch[i] = UINT16_MAX;
        }
        for (uint32_t w = 0; w <= when_count && m > 0; w++) {
            const tn_plan_expr *res = w < when_count ? e->case_expr.results[w]
                                                     : e->case_expr.else_result;
            uint32_t take[TN_BATCH_ROWS], t = 0, keep = 0;
            for (uint32_t k = 0; k < m; k++)
                sub_sel[k] = in->sel[rem[k]];
            tn_exec_chunk sub = {in->batch, sub_sel, m};
            if (w < when_count) {
                tn_exec_arg c;
                if ((rc = tn_exec_eval_expr(ev, e->case_expr.conditions[w], &sub, &c)) != 0)
                    return rc;
                for (uint32_t k = 0; k < m; k++) {
                    if (arg_valid(&c, k) && arg_bool(&c, k))
                        take[t++] = rem[k];
                    else
                        rem[keep++] = rem[k];
                }
            } else {
                memcpy(take, rem, m * sizeof *take);
                t = m;
                keep = 0;
            }
            m = keep;
            if (t == 0 || !res)
                continue;
            for (uint32_t k = 0; k < t; k++)
                sub_sel[k] = in->sel[take[k]];
            sub.count = t;
            if ((rc = tn_exec_eval_expr(ev, res, &sub, &results[w])) != 0)
                return rc;
            /* keep the branch's vector: slots differ per branch expression */
            for (uint32_t k = 0; k < t; k++) {
                branch[take[k]] = (uint16_t)w;
                pos_in_branch[take[k]] = k;
            }
        }
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (branch[i] == UINT16_MAX) {
                tn_vector_append_null(v, i);
                continue;
            }
            const tn_exec_arg *r = &results[branch[i]];
            uint32_t s = r->sel[pos_in_branch[i]];
            if ((rc = tn_exec_gather(v, i, r->vec, &s, 1)) != 0)
                return oom(ev);
        }
        out->vec = v;
        out->sel = tn_exec_identity;
        return 0;
    }
    case TN_PLAN_EXPR_COALESCE: {
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        tn_exec_arg args[64];
        uint32_t cnt = e->logical.count > 64 ? 64 : e->logical.count;
        for (uint32_t k = 0; k < cnt; k++)
            if ((rc = tn_exec_eval_expr(ev, e->logical.operands[k], in, &args[k])) != 0)
                return rc;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t k = 0;
            while (k < cnt && !arg_valid(&args[k], i))
                k++;
            if (k == cnt) {
                tn_vector_append_null(v, i);
                continue;
            }
            uint32_t s = args[k].sel[i];
            if ((rc = tn_exec_gather(v, i, args[k].vec, &s, 1)) != 0)
                return oom(ev);
        }
        out->vec = v;
        out->sel = tn_exec_identity;
        return 0;
    }
    default:
        return eval_bool_chunk(ev, e, in, out);
    }
}

int tn_exec_const_input_init(tn_batch *one)
{
    memset(one, 0, sizeof *one);
    one->schema = tn_schema_new();
    if (!one->schema)
        return TN_ENOMEM;
    one->row_count = 1;
    one->capacity = 1;
    return 0;
}

void tn_exec_const_input_free(tn_batch *one)
{
    tn_schema_unref(one->schema);
    one->schema = NULL;
}

int tn_exec_eval_const(tn_exec_eval *ev, tn_batch *one, const tn_plan_expr *e, tn_exec_arg *out)
{
    tn_exec_chunk in = {one, tn_exec_zeros, 1};
    return tn_exec_eval_expr(ev, e, &in, out);
}

/* Boolean-valued kinds. */
static int eval_bool_chunk(tn_exec_eval *ev, const tn_plan_expr *e, const tn_exec_chunk *in,
                           tn_exec_arg *out)
{
    uint32_t n = in->count;
    tn_vector *v;
    int rc;
    tn_exec_arg a, b;
    switch (e->kind) {
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR: {
        bool is_and = e->kind == TN_PLAN_EXPR_AND;
        /* state per row: 0 false, 1 true, 2 null; start at the identity of the operator */
        uint8_t st[TN_BATCH_ROWS];
        memset(st, is_and ? 1 : 0, n);
        for (uint32_t k = 0; k < e->logical.count; k++) {
            if ((rc = tn_exec_eval_expr(ev, e->logical.operands[k], in, &a)) != 0)
                return rc;
            for (uint32_t i = 0; i < n; i++) {
                uint8_t x = arg_valid(&a, i) ? (uint8_t)arg_bool(&a, i) : 2;
                if (is_and)
                    st[i] = (st[i] == 0 || x == 0) ? 0 : (st[i] == 2 || x == 2) ? 2 : 1;
                else
                    st[i] = (st[i] == 1 || x == 1) ? 1 : (st[i] == 2 || x == 2) ? 2 : 0;
            }
        }
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (st[i] == 2)
                tn_vector_set_null(v, i);
            else
                tn_vector_set_bool(v, i, st[i]);
        }
        break;
    }
    case TN_PLAN_EXPR_NOT:
        if ((rc = tn_exec_eval_expr(ev, e->unary.operand, in, &a)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (!arg_valid(&a, i))
                tn_vector_set_null(v, i);
            else
                tn_vector_set_bool(v, i, !arg_bool(&a, i));
        }
        break;
    case TN_PLAN_EXPR_IS_NULL:
        if ((rc = tn_exec_eval_expr(ev, e->is_null.operand, in, &a)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++)
            tn_vector_set_bool(v, i, arg_valid(&a, i) == e->is_null.negated);
        break;
    case TN_PLAN_EXPR_IS_BOOL:
        if ((rc = tn_exec_eval_expr(ev, e->is_bool.operand, in, &a)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            bool r = arg_valid(&a, i) && arg_bool(&a, i) == e->is_bool.value;
            tn_vector_set_bool(v, i, r != e->is_bool.negated);
        }
        break;
    case TN_PLAN_EXPR_COMPARE: {
        if ((rc = tn_exec_eval_expr(ev, e->compare.left, in, &a)) != 0)
            return rc;
        if ((rc = tn_exec_eval_expr(ev, e->compare.right, in, &b)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        int8_t cmp[TN_BATCH_ROWS];
        compare_rows(&a, &b, n, cmp);
        tn_plan_cmp op = e->compare.op;
        if (op == TN_PLAN_CMP_DISTINCT || op == TN_PLAN_CMP_NOT_DISTINCT) {
            for (uint32_t i = 0; i < n; i++) {
                bool va = arg_valid(&a, i), vb = arg_valid(&b, i);
                bool same = (!va && !vb) || (va && vb && cmp[i] == 0);
                tn_vector_set_bool(v, i, same == (op == TN_PLAN_CMP_NOT_DISTINCT));
            }
            break;
        }
        const uint8_t *tab = cmp_table[op];
        uint8_t *bits = v->values;
        memset(bits, 0, (n + 7) / 8);
        for (uint32_t i = 0; i < n; i++)
            bits[i >> 3] |= (uint8_t)(tab[cmp[i] + 1] << (i & 7));
        if (a.vec->null_count || b.vec->null_count)
            for (uint32_t i = 0; i < n; i++)
                if (!arg_valid(&a, i) || !arg_valid(&b, i))
                    tn_vector_set_null(v, i);
        break;
    }
    case TN_PLAN_EXPR_IN_LIST: {
        if ((rc = tn_exec_eval_expr(ev, e->in_list.operand, in, &a)) != 0)
            return rc;
        uint8_t st[TN_BATCH_ROWS]; /* 0 no match, 1 match, 2 null seen */
        memset(st, 0, n);
        int8_t cmp[TN_BATCH_ROWS];
        for (uint32_t k = 0; k < e->in_list.count; k++) {
            if ((rc = tn_exec_eval_expr(ev, e->in_list.items[k], in, &b)) != 0)
                return rc;
            compare_rows(&a, &b, n, cmp);
            for (uint32_t i = 0; i < n; i++) {
                if (st[i] == 1)
                    continue;
                if (!arg_valid(&b, i))
                    st[i] = 2;
                else if (cmp[i] == 0)
                    st[i] = 1;
            }
        }
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (!arg_valid(&a, i) || st[i] == 2)
                tn_vector_set_null(v, i);
            else
                tn_vector_set_bool(v, i, (st[i] == 1) != e->in_list.negated);
        }
        break;
    }
    case TN_PLAN_EXPR_OUTER: {
        /* the enclosing query's current value, set by correlated_eval on this thread */
        uint32_t slot = e->outer.param->slot;
        if (!ev->ready[slot])
            return tn_error_set_at(ev->ctx->err, TN_EINTERNAL, NULL, e->pos.line,
                                   e->pos.column, "outer reference read before it was set");
        out->vec = &ev->slots[slot];
        out->sel = tn_exec_zeros;
        return 0;
    }
    case TN_PLAN_EXPR_SUBQUERY: {
        tn_vector *rows;
        if (e->subquery.param_count)
            return correlated_eval(ev, e, in, out);
        if ((rc = subquery_rows(ev, e, &rows)) != 0)
            return rc;
        out->vec = rows;
        out->sel = tn_exec_zeros;
        return 0;
    }
    case TN_PLAN_EXPR_EXISTS: {
        tn_vector *rows;
        if (e->subquery.param_count)
            return correlated_eval(ev, e, in, out);
        if ((rc = subquery_rows(ev, e, &rows)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        bool any = rows->capacity > 0;
        for (uint32_t i = 0; i < n; i++)
            tn_vector_set_bool(v, i, any != e->subquery.negated);
        break;
    }
    case TN_PLAN_EXPR_IN_QUERY: {
        tn_vector *rows;
        if (e->subquery.param_count)
            return correlated_eval(ev, e, in, out);
        if ((rc = subquery_rows(ev, e, &rows)) != 0)
            return rc;
        if ((rc = tn_exec_eval_expr(ev, e->subquery.operand, in, &a)) != 0)
            return rc;
        if ((rc = slot_vector(ev, e, &v)) != 0)
            return rc;
        /* A hash set of the subquery's values, built on first use. */
        tn_func_cache *cache = &ev->caches[e->slot];
        bool has_null = rows->null_count > 0;
        if (in_int_type(rows->type) && tn_type_eq(rows->type, a.vec->type)) {
            if (!cache->data) {
                if (!(cache->data = in_int_set_build(rows, rows->capacity)))
                    return oom(ev);
                cache->free_fn = in_int_set_free;
            }
            const in_int_set *set = cache->data;
            bool narrow = tn_type_width(a.vec->type) == 4;
            for (uint32_t i = 0; i < n; i++) {
                if (!arg_valid(&a, i)) {
                    if (rows->capacity == 0)
                        tn_vector_set_bool(v, i, e->subquery.negated);
                    else
                        tn_vector_set_null(v, i);
                    continue;
                }
                bool found = in_int_set_has(set, in_int_value(a.vec, narrow, a.sel[i]));
                if (!found && has_null)
                    tn_vector_set_null(v, i);
                else
                    tn_vector_set_bool(v, i, found != e->subquery.negated);
            }
            break;
        }
        tn_buf key = TN_BUF_INIT;
        if (!cache->data) {
            tn_hash *set = tn_hash_new(rows->capacity * 2 + 8);
            if (!set)
                return oom(ev);
            for (uint32_t r = 0; r < rows->capacity; r++) {
                tn_buf_clear(&key);
                if (tn_exec_key_append(&key, rows, r) != 0 ||
                    tn_hash_put(set, key.data, key.len, NULL) != 0) {
                    tn_hash_free(set);
                    tn_buf_free(&key);
                    return oom(ev);
                }
            }
            cache->data = set;
            cache->free_fn = (void (*)(void *))tn_hash_free;
        }
        tn_hash *set = cache->data;
        for (uint32_t i = 0; i < n; i++) {
            if (!arg_valid(&a, i)) {
                if (rows->capacity == 0)
                    tn_vector_set_bool(v, i, e->subquery.negated);
                else
                    tn_vector_set_null(v, i);
                continue;
            }
            tn_buf_clear(&key);
            if (tn_exec_key_append(&key, a.vec, a.sel[i]) != 0) {
                tn_buf_free(&key);
                return oom(ev);
            }
            bool found = tn_hash_get(set, key.data, key.len, NULL);
            if (!found && has_null)
                tn_vector_set_null(v, i);
            else
                tn_vector_set_bool(v, i, found != e->subquery.negated);
        }
        tn_buf_free(&key);
        break;
    }
    default:
        return tn_error_set(ev->ctx->err, TN_EINTERNAL, "unknown expression kind %d", e->kind);
    }
    out->vec = v;
    out->sel = tn_exec_identity;
    return 0;
}

/* ---- filters ---------------------------------------------------------------------------- */

/* The rows of `in` where EXPR (over x = the operand's value, c = the constant) holds, into
 * sel_out; NULL operands never qualify. One branch-free loop per type and operator. */
#define SELECT_LOOP(T, C, EXPR)                                                                \
    do {                                                                                       \
        const T *vals = (const T *)a.vec->values;                                              \
        const T c = (C);                                                                       \
        const uint32_t *asel = a.sel, *isel = in->sel;                                         \
        if (a.vec->null_count == 0 && asel == tn_exec_identity && isel == tn_exec_identity) {  \
            /* a whole batch: no indirection */                                                \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                T x = vals[i];                                                                 \
                sel_out[m] = i;                                                                \
                m += (EXPR);                                                                   \
            }                                                                                  \
        } else if (a.vec->null_count == 0) {                                                   \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                T x = vals[asel[i]];                                                           \
                sel_out[m] = isel[i];                                                          \
                m += (EXPR);                                                                   \
            }                                                                                  \
        } else {                                                                               \
            const uint8_t *valid = a.vec->validity;                                            \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                uint32_t r = asel[i];                                                          \
                T x = vals[r];                                                                 \
                sel_out[m] = isel[i];                                                          \
                m += (uint32_t)(EXPR) & ((valid[r >> 3] >> (r & 7)) & 1u);                     \
            }                                                                                  \
        }                                                                                      \
    } while (0)

#define SELECT_OPS(T, C)                                                                       \
    switch (op) {                                                                              \
    case TN_PLAN_CMP_EQ: SELECT_LOOP(T, C, x == c); break;                                     \
    case TN_PLAN_CMP_NE: SELECT_LOOP(T, C, x != c); break;                                     \
    case TN_PLAN_CMP_LT: SELECT_LOOP(T, C, x < c); break;                                      \
    case TN_PLAN_CMP_LE: SELECT_LOOP(T, C, x <= c); break;                                     \
    case TN_PLAN_CMP_GT: SELECT_LOOP(T, C, x > c); break;                                      \
    case TN_PLAN_CMP_GE: SELECT_LOOP(T, C, x >= c); break;                                     \
    default: return 0;                                                                         \
    }

static tn_plan_cmp mirror_cmp(tn_plan_cmp op)
{
    switch (op) {
    case TN_PLAN_CMP_LT: return TN_PLAN_CMP_GT;
    case TN_PLAN_CMP_LE: return TN_PLAN_CMP_GE;
    case TN_PLAN_CMP_GT: return TN_PLAN_CMP_LT;
    case TN_PLAN_CMP_GE: return TN_PLAN_CMP_LE;
    default: return op;
    }
}

/* A filter `expr op constant` (the constant on either side, not NULL) over fixed-width
 * values, or `expr = / <> constant` over text, straight into the selection vector, without
 * the boolean vector and the three-way comparison of the general path. Returns 1 when done,
 * 0 when the general path must run, or a negative error code. */
static int filter_compare_const(tn_exec_eval *ev, const tn_plan_expr *cond,
                                const tn_exec_chunk *in, uint32_t *sel_out, uint32_t *count_out)
{
    if (cond->kind != TN_PLAN_EXPR_COMPARE)
        return 0;
    const tn_plan_expr *operand, *konst;
    tn_plan_cmp op = cond->compare.op;
    if (cond->compare.right->kind == TN_PLAN_EXPR_CONST) {
        operand = cond->compare.left;
        konst = cond->compare.right;
    } else if (cond->compare.left->kind == TN_PLAN_EXPR_CONST) {
        operand = cond->compare.right;
        konst = cond->compare.left;
        op = mirror_cmp(op);
    } else {
        return 0;
    }
    const tn_plan_value *k = &konst->value;
    if (op > TN_PLAN_CMP_GE || k->is_null || k->type.id != operand->type.id ||
        (k->type.id == TN_TYPE_DECIMAL && k->type.scale != operand->type.scale))
        return 0;
    switch ((tn_type_id)k->type.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
    case TN_TYPE_DECIMAL: break;
    case TN_TYPE_DOUBLE:
        if (k->f64 != k->f64)
            return 0;
        break;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        if (op != TN_PLAN_CMP_EQ && op != TN_PLAN_CMP_NE)
            return 0;
        break;
    default: return 0;
    }
    tn_exec_arg a;
    int rc = tn_exec_eval_expr(ev, operand, in, &a);
    if (rc)
        return rc;
    if (a.vec->type.id != k->type.id ||
        (k->type.id == TN_TYPE_DECIMAL && a.vec->type.scale != k->type.scale))
        return 0; /* evaluated again by the general path: expressions have no side effects */
    uint32_t n = in->count, m = 0;
    switch ((tn_type_id)k->type.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: SELECT_OPS(int32_t, k->i32) break;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: SELECT_OPS(int64_t, k->i64) break;
    case TN_TYPE_DECIMAL:
        if (!tn_decimal_is_64(a.vec->type))
            SELECT_OPS(tn_i128, k->i128)
        else if ((tn_i128)(int64_t)k->i128 == k->i128)
            SELECT_OPS(int64_t, (int64_t)k->i128)
        else
            return 0; /* a constant past int64 against 64-bit values: the general path */
        break;
    case TN_TYPE_DOUBLE:
        /* NaN sorts after every number and equals itself (cmp_double); c is not NaN */
        switch (op) {
        case TN_PLAN_CMP_EQ: SELECT_LOOP(double, k->f64, x == c); break;
        case TN_PLAN_CMP_NE: SELECT_LOOP(double, k->f64, x != c); break;
        case TN_PLAN_CMP_LT: SELECT_LOOP(double, k->f64, x < c); break;
        case TN_PLAN_CMP_LE: SELECT_LOOP(double, k->f64, x <= c); break;
        case TN_PLAN_CMP_GT: SELECT_LOOP(double, k->f64, (x > c) | (x != x)); break;
        case TN_PLAN_CMP_GE: SELECT_LOOP(double, k->f64, (x >= c) | (x != x)); break;
        default: return 0;
        }
        break;
    default: {
        /* text equality: lengths first, bytes only when they agree */
        const tn_vector *v = a.vec;
        const char *cp = k->str.ptr;
        int32_t clen = (int32_t)k->str.len;
        bool want = op == TN_PLAN_CMP_EQ;
        if ((size_t)clen != k->str.len)
            return 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = a.sel[i];
            int32_t start = v->offsets[r], len = v->offsets[r + 1] - start;
            bool eq = len == clen && (clen == 0 || memcmp(v->data + start, cp, (size_t)clen) == 0);
            sel_out[m] = in->sel[i];
            m += (eq == want) & (v->null_count == 0 || tn_vector_is_valid(v, r));
        }
        break;
    }
    }
    *count_out = m;
    return 1;
}

int tn_exec_eval_filter(tn_exec_eval *ev, const tn_plan_expr *cond, const tn_exec_chunk *in,
                        uint32_t *sel_out, uint32_t *count_out)
{
    int rc;
    if ((rc = tn_exec_dict_filter(ev, cond, in, sel_out, count_out)) != 1)
        return rc;
    if ((rc = filter_compare_const(ev, cond, in, sel_out, count_out)) != 0)
        return rc < 0 ? rc : 0;
    if (cond->kind == TN_PLAN_EXPR_AND) {
        /* narrow step by step: each conjunct sees only the rows kept so far */
        uint32_t tmp[TN_BATCH_ROWS];
        tn_exec_chunk cur = *in;
        uint32_t count = in->count;
        memcpy(tmp, in->sel, count * sizeof *tmp);
        cur.sel = tmp;
        for (uint32_t k = 0; k < cond->logical.count && count > 0; k++) {
            cur.count = count;
            if ((rc = tn_exec_eval_filter(ev, cond->logical.operands[k], &cur, sel_out, &count)) != 0)
                return rc;
            memcpy(tmp, sel_out, count * sizeof *tmp);
        }
        memcpy(sel_out, tmp, count * sizeof *tmp);
        *count_out = count;
        return 0;
    }
    tn_exec_arg a;
    if ((rc = tn_exec_eval_expr(ev, cond, in, &a)) != 0)
        return rc;
    uint32_t m = 0, n = in->count;
    if (a.sel == tn_exec_identity) {
        /* a computed boolean vector: 64 rows per word, only the TRUE ones visited */
        const uint8_t *bits = a.vec->values, *valid = a.vec->validity;
        bool nulls = a.vec->null_count != 0;
        for (uint32_t w = 0; w * 64 < n; w++) {
            uint32_t bytes = n - w * 64 >= 64 ? 8 : (n - w * 64 + 7) / 8;
            uint64_t word = 0, ok = ~UINT64_C(0);
            memcpy(&word, bits + w * 8, bytes);
            if (nulls)
                memcpy(&ok, valid + w * 8, bytes);
            word &= ok;
            if (n - w * 64 < 64)
                word &= (UINT64_C(1) << (n - w * 64)) - 1;
            while (word) {
                sel_out[m++] = in->sel[w * 64 + (uint32_t)__builtin_ctzll(word)];
                word &= word - 1;
            }
        }
        *count_out = m;
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        sel_out[m] = in->sel[i];
        m += arg_valid(&a, i) && arg_bool(&a, i);
    }
    *count_out = m;
    return 0;
}

int tn_exec_key_append(tn_buf *buf, const tn_vector *v, uint32_t row)
{
    if (!tn_vector_is_valid(v, row))
        return tn_buf_putc(buf, 0);
    int rc = tn_buf_putc(buf, 1);
    if (rc)
        return rc;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN: return tn_buf_putc(buf, (char)tn_vector_get_bool(v, row));
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        tn_str s = tn_vector_get_str(v, row);
        uint32_t len = (uint32_t)s.len;
        rc = tn_buf_append(buf, &len, sizeof len);
        return rc ? rc : tn_buf_append(buf, s.ptr, s.len);
    }
    case TN_TYPE_DOUBLE: {
        double d = tn_vector_f64(v)[row];
        if (d == 0)
            d = 0; /* -0.0 and 0.0 are one key */
        if (d != d)
            d = __builtin_nan("");
        return tn_buf_append(buf, &d, sizeof d);
    }
    case TN_TYPE_REAL: {
        float f = tn_vector_f32(v)[row];
        if (f == 0)
            f = 0;
        if (f != f)
            f = __builtin_nanf("");
        return tn_buf_append(buf, &f, sizeof f);
    }
    default: {
        size_t w = tn_type_width(v->type);
        return tn_buf_append(buf, (const char *)v->values + (size_t)row * w, w);
    }
    }
}
