/* SPDX-License-Identifier: Apache-2.0
 *
 * Runtime filters from hash join builds. Once a join has built its table, what it learned of
 * an integer key column (the range of the build values, and a bitmap of them when the range
 * holds many values no build row has) is handed to the scan that produces the probe side's
 * key, so rows that cannot match are dropped as soon as they are read, before the operators
 * between the scan and the join see them, and Parquet row groups and pages outside the range
 * are not read at all. join.c decides which keys get one and fills them; the scan turns their
 * ranges into Parquet predicates and hands the filters themselves to the Parquet scan
 * (tn_exec_join_filter_test), which tests each decoded vector of the key before it decodes
 * the other columns; the rest it applies to its batches (tn_exec_join_filters_apply).
 *
 * A filter is linked into the scan plan's list only while its join is open; the join builds
 * before it pulls its probe side, and in a parallel pipeline the main thread builds every join
 * before the workers start, so the scans only ever read a complete, unchanging list.
 */
#include "sql/sql_int.h"
#include "formats/parquet/parquet.h"

#define FILTER_HASH 0x9e3779b97f4a7c15ULL
#define DIRECT_BITS_MAX ((uint64_t)1 << 26) /* a value-indexed bitmap up to 8 MiB */
#define DIRECT_BITS_PER_KEY 64               /* ... and up to 8 bytes per build row */
#define HASHED_BITS_PER_KEY 16               /* two bits each: about 1.5% false positives */
#define HASHED_WORDS_MIN 8
#define HASHED_WORDS_MAX ((uint64_t)1 << 19) /* 4 MiB */
#define TRIAL_ROWS 65536 /* rows tested before a filter that drops little is turned off */

static bool integer_key(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: return true;
    default: return false;
    }
}

tn_plan_op *tn_exec_join_filter_target(tn_plan_op *op, uint32_t *column)
{
    /* Dropping a row whose key the join above cannot match is safe through these operators:
     * the key's value reaches the join unchanged, or as NULL (null-extended rows of outer
     * joins below), which does not match either. Anything that aggregates, limits, sorts
     * into a limit or is shared (CTE references) stops the search. */
    for (;;) {
        if (*column >= op->column_count)
            return NULL;
        switch (op->kind) {
        case TN_PLAN_SCAN: return integer_key(op->columns[*column].type) ? op : NULL;
        case TN_PLAN_FILTER: op = op->children[0]; break;
        case TN_PLAN_PROJECT: {
            const tn_plan_expr *e = op->project.exprs[*column];
            if (e->kind != TN_PLAN_EXPR_COLUMN ||
                !tn_type_eq(e->type, op->children[0]->columns[e->column].type))
                return NULL;
            *column = e->column;
            op = op->children[0];
            break;
        }
        case TN_PLAN_JOIN:
        case TN_PLAN_CROSS: {
            uint32_t left = op->children[0]->column_count;
            bool semi = op->kind == TN_PLAN_JOIN && (op->join.type == TN_PLAN_JOIN_SEMI ||
                                                     op->join.type == TN_PLAN_JOIN_ANTI);
            if (*column < left) {
                op = op->children[0];
            } else if (!semi && op->column_count == left + op->children[1]->column_count) {
                *column -= left;
                op = op->children[1];
            } else {
                return NULL;
            }
            break;
        }
        default: return NULL;
        }
    }
}

static inline int64_t key_at(const tn_vector *v, bool wide, uint32_t row)
{
    return wide ? tn_vector_i64(v)[row] : (int64_t)tn_vector_i32(v)[row];
}

static inline uint64_t hashed_mask(uint64_t h)
{
    return ((uint64_t)1 << ((h >> 20) & 63)) | ((uint64_t)1 << ((h >> 26) & 63));
}

int tn_exec_join_filter_fill(tn_exec_ctx *ctx, tn_exec_join_filter *f,
                             const tn_vector *const *keys, const uint32_t *rows, size_t parts,
                             uint64_t valid)
{
    uint64_t words;
    if (f->span < DIRECT_BITS_MAX && f->span / DIRECT_BITS_PER_KEY < valid) {
        f->hashed = false;
        words = f->span / 64 + 1;
    } else {
        f->hashed = true;
        words = HASHED_WORDS_MIN;
        while (words < HASHED_WORDS_MAX && words * 64 < valid * HASHED_BITS_PER_KEY)
            words *= 2;
        f->shift = 64 - (uint32_t)__builtin_ctzll(words);
    }
    int64_t bytes = (int64_t)(words * sizeof *f->bits);
    int rc = tn_exec_memory_add(ctx, bytes);
    if (rc)
        return rc;
    f->bits = tn_calloc(words, sizeof *f->bits);
    if (!f->bits) {
        tn_exec_memory_add(ctx, -bytes);
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    }
    f->bytes = bytes;
    uint64_t *bits = f->bits, lo = (uint64_t)f->min;
    for (size_t p = 0; p < parts; p++) {
        const tn_vector *v = keys[p];
        bool wide = tn_type_width(v->type) == 8;
        for (uint32_t r = 0; r < rows[p]; r++) {
            if (v->null_count && !tn_vector_is_valid(v, r))
                continue;
            uint64_t x = (uint64_t)key_at(v, wide, r);
            if (x - lo > f->span)
                continue; /* its row has a NULL in another key column: it never matches */
            if (f->hashed) {
                uint64_t h = x * FILTER_HASH;
                bits[h >> f->shift] |= hashed_mask(h);
            } else {
                uint64_t d = x - lo;
                bits[d >> 6] |= (uint64_t)1 << (d & 63);
            }
        }
    }
    if (!f->hashed) {
        /* keys that fill their range: the range test alone is as good */
        uint64_t set = 0;
        for (uint64_t w = 0; w < words; w++)
            set += (uint64_t)__builtin_popcountll(bits[w]);
        if (set >= f->span + 1 - (f->span + 1) / 8) {
            tn_free(f->bits);
            f->bits = NULL;
            tn_exec_memory_add(ctx, -f->bytes);
            f->bytes = 0;
        }
    }
    return 0;
}

bool tn_exec_join_filter_link(tn_exec_join_filter *f, tn_plan_op *scan)
{
    for (tn_exec_join_filter *g = scan->scan.join_filters; g; g = g->next)
        if (g->join == f->join && g->column == f->column) {
            __atomic_store_n(&g->ambiguous, true, __ATOMIC_RELAXED);
            return false;
        }
    /* filters with a bitmap, the likelier to drop rows, are tested first: the later ones
     * see fewer rows */
    tn_exec_join_filter **at = &scan->scan.join_filters;
    if (!f->bits)
        while (*at)
            at = &(*at)->next;
    f->scan = scan;
    f->next = *at;
    *at = f;
    return true;
}

void tn_exec_join_filter_release(tn_exec_ctx *ctx, tn_exec_join_filter *f)
{
    if (!f)
        return;
    for (tn_exec_join_filter **p = f->scan ? &f->scan->scan.join_filters : NULL; p && *p;
         p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    f->scan = NULL;
    tn_free(f->bits);
    f->bits = NULL;
    if (f->bytes)
        tn_exec_memory_add(ctx, -f->bytes);
    f->bytes = 0;
}

/* One filter over rows sel[0..n) of the values (int64_t when wide, else int32_t); the kept
 * rows go to out (may be sel). The width is a constant of each call site, so the loops
 * specialise, and the values are read through a local pointer (out's stores cannot move it). */
static inline __attribute__((always_inline)) uint32_t
apply_width(const tn_exec_join_filter *f, const uint64_t *bits, const void *values, bool wide,
            const uint32_t *sel, uint32_t n, uint32_t *out)
{
    const int64_t *x64 = values;
    const int32_t *x32 = values;
    uint64_t lo = (uint64_t)f->min, span = f->span;
    uint32_t m = 0;
#define KEY(row) (wide ? (uint64_t)x64[row] : (uint64_t)(int64_t)x32[row])
    if (!bits) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = sel[i];
            uint64_t d = KEY(row) - lo;
            out[m] = row;
            m += d <= span;
        }
    } else if (!f->hashed) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = sel[i];
            uint64_t d = KEY(row) - lo;
            bool in = d <= span;
            d = in ? d : 0;
            out[m] = row;
            m += in & (uint32_t)(bits[d >> 6] >> (d & 63));
        }
    } else {
        uint32_t shift = f->shift;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t row = sel[i];
            uint64_t x = KEY(row);
            uint64_t h = x * FILTER_HASH, mask = hashed_mask(h);
            out[m] = row;
            m += (x - lo <= span) & ((bits[h >> shift] & mask) == mask);
        }
    }
#undef KEY
    return m;
}

/* One filter over rows sel[0..count) of its key vector v; the kept rows go to out (may be
 * sel). A filter turned off or ambiguous keeps every row. */
static uint32_t apply_one(tn_exec_join_filter *f, const tn_vector *v, const uint32_t *sel,
                          uint32_t count, uint32_t *out)
{
    if (__atomic_load_n(&f->off, __ATOMIC_RELAXED) ||
        __atomic_load_n(&f->ambiguous, __ATOMIC_RELAXED)) {
        if (out != sel)
            memcpy(out, sel, count * sizeof *out);
        return count;
    }
    const uint64_t *bits = f->bits;
    uint32_t before = count;
    if (tn_type_width(v->type) == 8)
        count = apply_width(f, bits, v->values, true, sel, count, out);
    else
        count = apply_width(f, bits, v->values, false, sel, count, out);
    if (v->null_count) {
        uint32_t m = 0;
        for (uint32_t i = 0; i < count; i++) {
            out[m] = out[i];
            m += tn_vector_is_valid(v, out[i]);
        }
        count = m;
    }
    /* a filter that drops few rows costs more than it saves: after a trial, off (its
     * range still prunes row groups) */
    int64_t tested = __atomic_add_fetch(&f->tested, before, __ATOMIC_RELAXED);
    int64_t dropped = __atomic_add_fetch(&f->dropped, before - count, __ATOMIC_RELAXED);
    if (tested >= TRIAL_ROWS && dropped < tested / 16)
        __atomic_store_n(&f->off, true, __ATOMIC_RELAXED);
    return count;
}

uint32_t tn_exec_join_filter_test(void *ctx, const tn_vector *v, const uint32_t *in, uint32_t n,
                                  uint32_t *out)
{
    tn_exec_join_filter_push *p = ctx;
    tn_plan_scan_stats *stats = &p->filter->scan->scan.stats;
    uint32_t m = apply_one(p->filter, v, in, n, out);
    if (p->counts_rows)
        __atomic_add_fetch(&stats->join_filter_rows, n, __ATOMIC_RELAXED);
    __atomic_add_fetch(&stats->join_filter_dropped, n - m, __ATOMIC_RELAXED);
    return m;
}

uint32_t tn_exec_join_filters_apply(tn_plan_op *scan, const tn_batch *b, const uint32_t *sel,
                                    uint32_t count, uint32_t *out)
{
    return tn_exec_join_filters_apply_except(scan, b, sel, count, out, NULL, 0);
}

uint32_t tn_exec_join_filters_apply_except(tn_plan_op *scan, const tn_batch *b,
                                           const uint32_t *sel, uint32_t count, uint32_t *out,
                                           const tn_exec_join_filter_push *pushed,
                                           uint32_t pushed_count)
{
    uint32_t in = count;
    bool tested = false;
    for (tn_exec_join_filter *f = scan->scan.join_filters; f && count; f = f->next) {
        bool done = false;
        for (uint32_t i = 0; i < pushed_count && !done; i++)
            done = pushed[i].filter == f;
        if (done)
            continue;
        tested = true;
        if (__atomic_load_n(&f->off, __ATOMIC_RELAXED) ||
            __atomic_load_n(&f->ambiguous, __ATOMIC_RELAXED))
            continue;
        count = apply_one(f, &b->columns[f->column], sel, count, out);
        sel = out;
    }
    /* the rows kept are in out even when no filter ran */
    if (sel != out)
        memcpy(out, sel, count * sizeof *out);
    if (tested) {
        __atomic_add_fetch(&scan->scan.stats.join_filter_rows, in, __ATOMIC_RELAXED);
        __atomic_add_fetch(&scan->scan.stats.join_filter_dropped, in - count, __ATOMIC_RELAXED);
    }
    return count;
}

uint32_t tn_exec_join_filters_push(tn_plan_op *scan, tn_exec_join_filter_push *out, uint32_t cap)
{
    uint32_t n = 0;
    for (tn_exec_join_filter *f = scan->scan.join_filters; f && n < cap; f = f->next) {
        if (__atomic_load_n(&f->ambiguous, __ATOMIC_RELAXED))
            continue;
        /* the scan tests the stored values: only when they are the key's type */
        uint32_t source = scan->scan.projection[f->column];
        if (!tn_type_eq(scan->scan.source_columns[source].type, scan->columns[f->column].type))
            continue;
        out[n++] = (tn_exec_join_filter_push){.filter = f, .column = source};
    }
    return n;
}

uint32_t tn_exec_join_filters_predicates(const tn_plan_op *scan, tn_parquet_predicate *out,
                                         uint32_t cap)
{
    uint32_t n = 0;
    for (const tn_exec_join_filter *f = scan->scan.join_filters; f && n + 2 <= cap; f = f->next) {
        if (__atomic_load_n(&f->ambiguous, __ATOMIC_RELAXED))
            continue;
        uint32_t source = scan->scan.projection[f->column];
        /* the predicates compare the stored values: only when they are the key's type */
        if (!tn_type_eq(scan->scan.source_columns[source].type, scan->columns[f->column].type))
            continue;
        int64_t lo = f->min, hi = (int64_t)((uint64_t)f->min + f->span);
        if (tn_type_width(scan->columns[f->column].type) == 4) {
            /* a BIGINT range over an INTEGER column (widened for the join) */
            lo = lo < INT32_MIN ? INT32_MIN : lo > INT32_MAX ? INT32_MAX : lo;
            hi = hi < INT32_MIN ? INT32_MIN : hi > INT32_MAX ? INT32_MAX : hi;
        }
        out[n] = (tn_parquet_predicate){.column = source, .op = TN_PARQUET_OP_GE};
        out[n++].value.i = lo;
        out[n] = (tn_parquet_predicate){.column = source, .op = TN_PARQUET_OP_LE};
        out[n++].value.i = hi;
    }
    return n;
}
