/* SPDX-License-Identifier: Apache-2.0
 *
 * WINDOW: materialises the child's rows, then computes each window function over them and
 * emits the rows in their input order with one more column per function.
 *
 * For a function, the row numbers are sorted (a stable merge sort) by its PARTITION BY
 * columns, then its ORDER BY columns; functions with the same partitioning and order share
 * one sorted order. One pass over that order finds the partitions and, within them, the
 * peers (rows with equal ORDER BY values), and computes:
 * - ranks and numbers from positions and peer groups;
 * - LAG/LEAD, FIRST/LAST/NTH_VALUE, MIN and MAX as the number of the row whose value is the
 *   result (copied when the rows are emitted). MIN/MAX keep a monotonic queue of candidates,
 *   which is linear because every supported frame's bounds only move forward: ROWS bounds
 *   by position, RANGE offset bounds by two cursors over the sorted keys (range_bounds),
 *   GROUPS bounds by two cursors over the peer groups (group_bounds);
 * - COUNT, SUM and AVG from running totals over the partition (128-bit for integers and
 *   decimals, exact by subtraction); floating-point sums are added up over the frame itself
 *   when it starts after the partition does (through a segment tree when it is wide), so a
 *   moving average gets no rounding from subtracting large totals.
 */
#include "sql/sql_int.h"
#include "sql/exec/sort_stable.h"
#include "sql/func/func.h"

#include <math.h>
#include <string.h>

#define SOURCE_NULL ((int64_t)-1)    /* a value result: NULL */
#define SOURCE_DEFAULT ((int64_t)-2) /* a value result: the LAG/LEAD default of the row itself */

typedef struct window_state {
    tn_exec_op op;
    tn_exec_rows rows;
    bool done;
    size_t next_batch;
    /* per function: its results by input row: int64 (numbers, counts, integer sums, source
     * rows of value functions), double, or tn_i128 (decimal sums) */
    void **results;
    uint8_t **nulls; /* per function: 1 = NULL result (numeric results only), or NULL */
    uint32_t **orders; /* per function: its sorted row order (shared: see order_owner) */
    int32_t *order_owner; /* the function whose order a function uses */
    int64_t bytes;
    tn_batch *out;
} window_state;

static const tn_vector *row_vec(const tn_exec_rows *rows, uint32_t r, uint32_t column)
{
    return &rows->batches[r / TN_BATCH_ROWS]->columns[column];
}

static bool row_valid(const tn_exec_rows *rows, uint32_t r, uint32_t column)
{
    return tn_vector_is_valid(row_vec(rows, r, column), r % TN_BATCH_ROWS);
}

/* Compares rows a and b on one column; NULLs equal each other and come last unless
 * nulls_first. */
static int compare_column(const tn_exec_rows *rows, uint32_t column, bool descending,
                          bool nulls_first, uint32_t a, uint32_t b)
{
    const tn_vector *va = row_vec(rows, a, column), *vb = row_vec(rows, b, column);
    uint32_t ra = a % TN_BATCH_ROWS, rb = b % TN_BATCH_ROWS;
    bool na = !tn_vector_is_valid(va, ra), nb = !tn_vector_is_valid(vb, rb);
    if (na || nb) {
        if (na && nb)
            return 0;
        return (na ? 1 : -1) * (nulls_first ? -1 : 1);
    }
    int c = tn_exec_compare_values(va, ra, vb, rb);
    return descending ? -c : c;
}

static int compare_partition(const tn_plan_window_func *f, const tn_exec_rows *rows, uint32_t a,
                             uint32_t b)
{
    for (uint32_t k = 0; k < f->partition_count; k++) {
        int c = compare_column(rows, f->partition[k], false, false, a, b);
        if (c)
            return c;
    }
    return 0;
}

static int compare_order(const tn_plan_window_func *f, const tn_exec_rows *rows, uint32_t a,
                         uint32_t b)
{
    for (uint32_t k = 0; k < f->order_count; k++) {
        const tn_plan_window_order *o = &f->order[k];
        int c = compare_column(rows, o->column, o->descending, o->nulls_first, a, b);
        if (c)
            return c;
    }
    return 0;
}

static int compare_rows(const tn_plan_window_func *f, const tn_exec_rows *rows, uint32_t a,
                        uint32_t b)
{
    int c = compare_partition(f, rows, a, b);
    return c ? c : compare_order(f, rows, a, b);
}

/* What compare_in_window needs: the function whose PARTITION BY and ORDER BY sort the rows. */
typedef struct window_order {
    const tn_plan_window_func *f;
    const tn_exec_rows *rows;
} window_order;

static int compare_in_window(const void *ctx, uint32_t a, uint32_t b)
{
    const window_order *wo = ctx;
    return compare_rows(wo->f, wo->rows, a, b);
}

static bool same_window(const tn_plan_window_func *a, const tn_plan_window_func *b)
{
    if (a->partition_count != b->partition_count || a->order_count != b->order_count)
        return false;
    for (uint32_t k = 0; k < a->partition_count; k++)
        if (a->partition[k] != b->partition[k])
            return false;
    for (uint32_t k = 0; k < a->order_count; k++)
        if (a->order[k].column != b->order[k].column ||
            a->order[k].descending != b->order[k].descending ||
            a->order[k].nulls_first != b->order[k].nulls_first)
            return false;
    return true;
}

static int account(window_state *s, int64_t bytes)
{
    int rc = tn_exec_memory_add(s->op.ctx, bytes);
    if (rc == 0)
        s->bytes += bytes;
    return rc;
}

static void *alloc_accounted(window_state *s, size_t bytes, int *rc)
{
    if (*rc)
        return NULL;
    if ((*rc = account(s, (int64_t)bytes)) != 0)
        return NULL;
    void *p = tn_malloc(bytes ? bytes : 1);
    if (!p)
        *rc = tn_error_set(s->op.ctx->err, TN_ENOMEM, "out of memory");
    return p;
}

/* Whether a function's results are numbers (else they are rows whose value is the result). */
static bool numeric_result(const tn_plan_window_func *f)
{
    return f->kind < TN_PLAN_WIN_LAG ||
           (f->kind >= TN_PLAN_WIN_COUNT_STAR && f->kind <= TN_PLAN_WIN_AVG);
}

static void free_accounted(window_state *s, void *p, size_t bytes)
{
    if (!p)
        return;
    tn_free(p);
    tn_exec_memory_add(s->op.ctx, -(int64_t)bytes);
    s->bytes -= (int64_t)bytes;
}

/* The frame [*fs, *fe) of position pos of a partition [ps, pe) whose peers are [qs, qe);
 * [rs, re) are the RANGE or GROUPS offset bounds (see range_bounds, group_bounds). */
static void frame_of(const tn_plan_window_func *f, int64_t pos, int64_t ps, int64_t pe,
                     int64_t qs, int64_t qe, int64_t rs, int64_t re, int64_t *fs, int64_t *fe)
{
    int64_t s, e;
    /* offsets may be as large as INT64_MAX: compared with the rows left, never added blindly */
    switch (f->frame_start) {
    case TN_PLAN_FRAME_PRECEDING: s = f->frame_rows ? pos - f->start_offset : rs; break;
    case TN_PLAN_FRAME_CURRENT_ROW: s = f->frame_rows ? pos : qs; break;
    case TN_PLAN_FRAME_FOLLOWING:
        s = !f->frame_rows ? rs : f->start_offset >= pe - pos ? pe : pos + f->start_offset;
        break;
    default: s = ps; break;
    }
    switch (f->frame_end) {
    case TN_PLAN_FRAME_PRECEDING: e = f->frame_rows ? pos - f->end_offset + 1 : re; break;
    case TN_PLAN_FRAME_CURRENT_ROW: e = f->frame_rows ? pos + 1 : qe; break;
    case TN_PLAN_FRAME_FOLLOWING:
        e = !f->frame_rows ? re : f->end_offset >= pe - pos ? pe : pos + f->end_offset + 1;
        break;
    default: e = pe; break;
    }
    *fs = s < ps ? ps : s > pe ? pe : s;
    *fe = e > pe ? pe : e < *fs ? *fs : e;
}

/* Sums of a partition's arguments up to each position: prefix[i] covers positions [ps, ps+i). */
typedef struct running {
    int64_t *count;
    tn_i128 *exact;  /* integer and decimal arguments */
    double *approx;  /* floating-point arguments */
    /* floating-point arguments, frames that start after the partition does: a segment tree
     * (node i sums nodes 2i and 2i+1; the leaves, from tree[size], are the arguments), so
     * that a wide frame (RANGE over a week of rows) costs O(log size) additions and no
     * subtraction of large totals; built on first use in a partition */
    double *tree;
    bool tree_built;
} running;

/* Frames up to this wide add their values up in order (as they always did) rather than
 * through the tree. */
#define SMALL_FRAME 32

static double arg_double(const tn_vector *v, uint32_t r)
{
    return v->type.id == TN_TYPE_REAL ? tn_vector_f32(v)[r] : tn_vector_f64(v)[r];
}

static tn_i128 arg_exact(const tn_vector *v, uint32_t r)
{
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_INTEGER: return tn_vector_i32(v)[r];
    case TN_TYPE_BIGINT: return tn_vector_i64(v)[r];
    default: {
        tn_plan_value value;
        tn_exec_value_from_vector(NULL, v, r, &value); /* fixed width: no arena needed */
        return value.i128;
    }
    }
}

/* RANGE frames with an offset. The ORDER BY key of each sorted position is mapped to an
 * integer that ascends with the window's order (doubles by their bits, negated for DESC); a
 * bound's target (the key plus or minus the offset, mapped the same way) ascends with the
 * position too, so the two cursors chasing the targets only move forward and the frames
 * keep the forward-only bounds that MIN/MAX and the running totals rely on. Rows with a NULL
 * key sit at one end of their partition; their frame bounds are their peers'. */
typedef enum range_domain {
    RANGE_EXACT,  /* INTEGER, BIGINT, DECIMAL: unscaled, tn_i128 */
    RANGE_DOUBLE, /* REAL, DOUBLE */
    RANGE_TIME,   /* DATE, TIMESTAMP: microseconds, offsets are intervals */
} range_domain;

#define RANGE_FAR (((tn_i128)INT64_MAX << 64) | (tn_i128)UINT64_MAX) /* past every key */
#define US_PER_DAY INT64_C(86400000000)

typedef struct range_frame {
    range_domain domain;
    uint32_t column;    /* the ORDER BY key's column */
    bool descending;
    tn_i128 *key;       /* per sorted position with a non-NULL key: the mapped key */
    int64_t ns, ne;     /* the partition's positions with a non-NULL key */
    int64_t start, end; /* cursors: the first key >= the start target, > the end target */
} range_frame;

/* The mapped form of a double: its bits, reordered so that integer order is numeric order
 * (-0 taken as 0; NaN above infinity, as the sort puts it). */
static tn_i128 double_rank(double d)
{
    d += 0.0;
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    u = u >> 63 ? ~u : u | (UINT64_C(1) << 63);
    return (tn_i128)u;
}

/* The key of sorted row r, or the target of a bound with offset off added in direction sign
 * (+1, -1, or 0 for the key itself), mapped as the range_frame comment says. */
static int range_point(const range_frame *rf, const tn_exec_rows *rows, uint32_t r,
                       const tn_plan_value *off, int sign, tn_exec_ctx *ctx, const char *text,
                       tn_i128 *out)
{
    const tn_vector *v = row_vec(rows, r, rf->column);
    uint32_t i = r % TN_BATCH_ROWS;
    tn_i128 m;
    switch (rf->domain) {
    case RANGE_EXACT: {
        tn_i128 x = arg_exact(v, i);
        if (sign) {
            tn_i128 d = off->type.id == TN_TYPE_BIGINT ? (tn_i128)off->i64 : off->i128;
            /* past the widest key is as good as any farther target */
            if (__builtin_add_overflow(x, sign * d, &x))
                x = sign > 0 ? RANGE_FAR : -RANGE_FAR;
        }
        m = x;
        break;
    }
    case RANGE_DOUBLE: m = double_rank(arg_double(v, i) + (sign ? sign * off->f64 : 0.0)); break;
    default: {
        int64_t t;
        if (v->type.id == TN_TYPE_DATE) {
            if (__builtin_mul_overflow((int64_t)tn_vector_i32(v)[i], US_PER_DAY, &t))
                return tn_error_set(ctx->err, TN_EOVERFLOW,
                                    "date out of range for the RANGE frame of %s", text);
        } else {
            t = tn_vector_i64(v)[i];
        }
        if (sign && !tn_func_add_interval(t, sign * off->interval.months,
                                          sign * off->interval.days,
                                          sign * off->interval.micros, &t))
            return tn_error_set(ctx->err, TN_EOVERFLOW,
                                "timestamp out of range in the RANGE frame of %s", text);
        m = t;
        break;
    }
    }
    *out = rf->descending ? -m : m;
    return 0;
}

/* Maps the keys of a partition [ps, pe) and resets the cursors. */
static int range_partition(range_frame *rf, const tn_exec_rows *rows, const uint32_t *order,
                           bool nulls_first, int64_t ps, int64_t pe, tn_exec_ctx *ctx,
                           const char *text)
{
    rf->ns = ps;
    rf->ne = pe;
    if (nulls_first)
        while (rf->ns < pe && !row_valid(rows, order[rf->ns], rf->column))
            rf->ns++;
    else
        while (rf->ne > ps && !row_valid(rows, order[rf->ne - 1], rf->column))
            rf->ne--;
    for (int64_t p = rf->ns; p < rf->ne; p++) {
        int rc = range_point(rf, rows, order[p], NULL, 0, ctx, text, &rf->key[p]);
        if (rc)
            return rc;
    }
    rf->start = rf->end = rf->ns;
    return 0;
}

/* The RANGE offset bounds [*rs, *re) of position pos, whose peers are [qs, qe). */
static int range_bounds(range_frame *rf, const tn_plan_window_func *f, const tn_exec_rows *rows,
                        const uint32_t *order, int64_t pos, int64_t qs, int64_t qe,
                        tn_exec_ctx *ctx, int64_t *rs, int64_t *re)
{
    if (pos < rf->ns || pos >= rf->ne) {
        *rs = qs;
        *re = qe;
        return 0;
    }
    int direction = rf->descending ? -1 : 1;
    tn_i128 target;
    int rc = 0;
    if (f->frame_start == TN_PLAN_FRAME_PRECEDING || f->frame_start == TN_PLAN_FRAME_FOLLOWING) {
        int sign = f->frame_start == TN_PLAN_FRAME_PRECEDING ? -direction : direction;
        rc = range_point(rf, rows, order[pos], &f->start_value, sign, ctx, f->text, &target);
        while (rc == 0 && rf->start < rf->ne && rf->key[rf->start] < target)
            rf->start++;
    }
    if (rc == 0 && (f->frame_end == TN_PLAN_FRAME_PRECEDING ||
                    f->frame_end == TN_PLAN_FRAME_FOLLOWING)) {
        int sign = f->frame_end == TN_PLAN_FRAME_PRECEDING ? -direction : direction;
        rc = range_point(rf, rows, order[pos], &f->end_value, sign, ctx, f->text, &target);
        while (rc == 0 && rf->end < rf->ne && rf->key[rf->end] <= target)
            rf->end++;
    }
    *rs = rf->start;
    *re = rf->end;
    return rc;
}

/* GROUPS frames: a cursor on the first row of a peer group, which only moves forward. */
typedef struct group_cursor {
    int64_t pos; /* the group's first position (pe past the last group) */
    int64_t idx; /* its number in the partition, from 0 */
} group_cursor;

static void group_next(const tn_plan_window_func *f, const tn_exec_rows *rows,
                       const uint32_t *order, int64_t pe, group_cursor *c)
{
    int64_t q = c->pos + 1;
    while (q < pe && compare_order(f, rows, order[c->pos], order[q]) == 0)
        q++;
    c->pos = q;
    c->idx++;
}

/* The GROUPS offset bounds [*rs, *re) of a row of peer group gi of a partition ending at pe:
 * from the first row of group gi -/+ start offset to the last of group gi -/+ end offset.
 * Group numbers are compared as differences from gi, so offsets up to INT64_MAX cannot
 * overflow. */
static void group_bounds(const tn_plan_window_func *f, const tn_exec_rows *rows,
                         const uint32_t *order, int64_t pe, int64_t gi, group_cursor *start,
                         group_cursor *end, int64_t *rs, int64_t *re)
{
    if (f->frame_start == TN_PLAN_FRAME_PRECEDING || f->frame_start == TN_PLAN_FRAME_FOLLOWING) {
        int64_t ds = f->frame_start == TN_PLAN_FRAME_PRECEDING ? -f->start_offset
                                                               : f->start_offset;
        while (start->pos < pe && start->idx - gi < ds)
            group_next(f, rows, order, pe, start);
    }
    if (f->frame_end == TN_PLAN_FRAME_PRECEDING || f->frame_end == TN_PLAN_FRAME_FOLLOWING) {
        int64_t de = f->frame_end == TN_PLAN_FRAME_PRECEDING ? -f->end_offset : f->end_offset;
        while (end->pos < pe && end->idx - gi <= de)
            group_next(f, rows, order, pe, end);
    }
    *rs = start->pos;
    *re = end->pos;
}

/* Builds the segment tree of run over the partition's sorted positions [ps, pe). */
static void sum_tree_build(double *tree, const tn_exec_rows *rows, const uint32_t *order,
                           uint32_t arg, int64_t ps, int64_t pe)
{
    int64_t size = pe - ps;
    for (int64_t i = 0; i < size; i++) {
        uint32_t r = order[ps + i];
        tree[size + i] = row_valid(rows, r, arg) ? arg_double(row_vec(rows, r, arg), r % TN_BATCH_ROWS)
                                                  : 0.0;
    }
    for (int64_t i = size - 1; i >= 1; i--)
        tree[i] = tree[2 * i] + tree[2 * i + 1];
}

/* The sum of the partition's positions [a, b) (relative to its start) from its tree. */
static double sum_tree_query(const double *tree, int64_t size, int64_t a, int64_t b)
{
    double sum = 0;
    for (a += size, b += size; a < b; a >>= 1, b >>= 1) {
        if (a & 1)
            sum += tree[a++];
        if (b & 1)
            sum += tree[--b];
    }
    return sum;
}

/* Computes function k over every partition of its sorted order. */
static int compute(window_state *s, uint32_t k)
{
    const tn_plan_window_func *f = &s->op.plan->window.funcs[k];
    const tn_exec_rows *rows = &s->rows;
    const uint32_t *order = s->orders[k];
    int64_t n = rows->row_count;
    tn_exec_ctx *ctx = s->op.ctx;
    int64_t *out_i = s->results[k];
    double *out_d = s->results[k];
    tn_i128 *out_x = s->results[k];
    uint8_t *nulls = s->nulls[k];
    bool is_double = f->type.id == TN_TYPE_DOUBLE;
    bool is_decimal = f->type.id == TN_TYPE_DECIMAL;
    int rc = 0;
    running run = {0};
    int64_t *queue = NULL;
    bool totals = f->kind == TN_PLAN_WIN_COUNT || f->kind == TN_PLAN_WIN_COUNT_STAR ||
                  f->kind == TN_PLAN_WIN_SUM || f->kind == TN_PLAN_WIN_AVG;
    bool float_arg = f->arg >= 0 && (rows->schema->columns[f->arg].type.id == TN_TYPE_DOUBLE ||
                                     rows->schema->columns[f->arg].type.id == TN_TYPE_REAL);
    if (totals) {
        run.count = alloc_accounted(s, (size_t)(n + 1) * sizeof *run.count, &rc);
        if (f->kind == TN_PLAN_WIN_SUM || f->kind == TN_PLAN_WIN_AVG) {
            if (float_arg)
                run.approx = alloc_accounted(s, (size_t)(n + 1) * sizeof *run.approx, &rc);
            if (float_arg && f->frame_start != TN_PLAN_FRAME_UNBOUNDED_PRECEDING)
                run.tree = alloc_accounted(s, (size_t)2 * (n + 1) * sizeof *run.tree, &rc);
            else
                run.exact = alloc_accounted(s, (size_t)(n + 1) * sizeof *run.exact, &rc);
        }
    }
    if (f->kind == TN_PLAN_WIN_MIN || f->kind == TN_PLAN_WIN_MAX)
        queue = alloc_accounted(s, (size_t)(n + 1) * sizeof *queue, &rc);
    range_frame range = {0};
    bool range_offsets = !f->frame_rows && !f->frame_groups && f->kind >= TN_PLAN_WIN_FIRST_VALUE &&
                         (f->start_value.type.id != TN_TYPE_INVALID ||
                          f->end_value.type.id != TN_TYPE_INVALID);
    if (range_offsets) {
        tn_type_id key = (tn_type_id)rows->schema->columns[f->order[0].column].type.id;
        range.domain = key == TN_TYPE_REAL || key == TN_TYPE_DOUBLE ? RANGE_DOUBLE
                       : key == TN_TYPE_DATE || key == TN_TYPE_TIMESTAMP ||
                               key == TN_TYPE_TIMESTAMPTZ
                           ? RANGE_TIME
                           : RANGE_EXACT;
        range.column = f->order[0].column;
        range.descending = f->order[0].descending;
        range.key = alloc_accounted(s, (size_t)(n + 1) * sizeof *range.key, &rc);
    }
    for (int64_t ps = 0; rc == 0 && ps < n;) {
        int64_t pe = ps + 1;
        while (pe < n && compare_partition(f, rows, order[ps], order[pe]) == 0)
            pe++;
        if (totals) {
            run.count[0] = 0;
            if (run.exact)
                run.exact[0] = 0;
            if (run.approx)
                run.approx[0] = 0;
            run.tree_built = false;
            for (int64_t i = ps; i < pe; i++) {
                uint32_t r = order[i];
                int64_t j = i - ps;
                bool valid = f->arg < 0 || row_valid(rows, r, (uint32_t)f->arg);
                run.count[j + 1] = run.count[j] + valid;
                if (run.exact)
                    run.exact[j + 1] = run.exact[j] +
                        (valid ? arg_exact(row_vec(rows, r, (uint32_t)f->arg), r % TN_BATCH_ROWS) : 0);
                if (run.approx)
                    run.approx[j + 1] = run.approx[j] +
                        (valid ? arg_double(row_vec(rows, r, (uint32_t)f->arg), r % TN_BATCH_ROWS) : 0);
            }
        }
        if (range_offsets && rc == 0)
            rc = range_partition(&range, rows, order, f->order[0].nulls_first, ps, pe, ctx,
                                 f->text);
        int64_t qs = ps, qe = ps, dense = 0;
        group_cursor group_start = {ps, 0}, group_end = {ps, 0};
        int64_t qhead = 0, qtail = 0, pushed = ps; /* MIN/MAX: queue[qhead..qtail) */
        for (int64_t pos = ps; pos < pe && rc == 0; pos++) {
            uint32_t r = order[pos];
            if (pos == qe) {
                qs = pos;
                qe = pos + 1;
                while (qe < pe && compare_order(f, rows, order[qs], order[qe]) == 0)
                    qe++;
                dense++;
            }
            int64_t size = pe - ps;
            switch (f->kind) {
            case TN_PLAN_WIN_ROW_NUMBER: out_i[r] = pos - ps + 1; break;
            case TN_PLAN_WIN_RANK: out_i[r] = qs - ps + 1; break;
            case TN_PLAN_WIN_DENSE_RANK: out_i[r] = dense; break;
            case TN_PLAN_WIN_PERCENT_RANK:
                out_d[r] = size > 1 ? (double)(qs - ps) / (double)(size - 1) : 0.0;
                break;
            case TN_PLAN_WIN_CUME_DIST: out_d[r] = (double)(qe - ps) / (double)size; break;
            case TN_PLAN_WIN_NTILE: {
                /* the first size % buckets buckets hold one row more */
                int64_t buckets = f->param, i = pos - ps;
                int64_t q = size / buckets, extra = size % buckets;
                if (q == 0)
                    out_i[r] = i + 1;
                else if (i < extra * (q + 1))
                    out_i[r] = i / (q + 1) + 1;
                else
                    out_i[r] = extra + (i - extra * (q + 1)) / q + 1;
                break;
            }
            case TN_PLAN_WIN_LAG:
            case TN_PLAN_WIN_LEAD: {
                int64_t at = f->kind == TN_PLAN_WIN_LAG ? pos - f->param : pos + f->param;
                out_i[r] = at >= ps && at < pe ? (int64_t)order[at]
                           : f->default_value >= 0 ? SOURCE_DEFAULT
                                                   : SOURCE_NULL;
                break;
            }
            default: {
                int64_t fs, fe, rs = 0, re = 0;
                if (range_offsets &&
                    (rc = range_bounds(&range, f, rows, order, pos, qs, qe, ctx, &rs, &re)) != 0)
                    break;
                if (f->frame_groups)
                    group_bounds(f, rows, order, pe, dense - 1, &group_start, &group_end, &rs,
                                 &re);
                frame_of(f, pos, ps, pe, qs, qe, rs, re, &fs, &fe);
                switch (f->kind) {
                case TN_PLAN_WIN_FIRST_VALUE: out_i[r] = fs < fe ? order[fs] : SOURCE_NULL; break;
                case TN_PLAN_WIN_LAST_VALUE: out_i[r] = fs < fe ? order[fe - 1] : SOURCE_NULL; break;
                case TN_PLAN_WIN_NTH_VALUE:
                    out_i[r] = fe - fs >= f->param ? order[fs + f->param - 1] : SOURCE_NULL;
                    break;
                case TN_PLAN_WIN_MIN:
                case TN_PLAN_WIN_MAX: {
                    uint32_t col = (uint32_t)f->arg;
                    int want = f->kind == TN_PLAN_WIN_MIN ? 1 : -1;
                    for (; pushed < fe; pushed++) {
                        if (!row_valid(rows, order[pushed], col))
                            continue;
                        /* drop candidates the new value beats: they can never be the result */
                        while (qtail > qhead &&
                               compare_column(rows, col, false, false, order[queue[qtail - 1]],
                                              order[pushed]) * want >= 0)
                            qtail--;
                        queue[qtail++] = pushed;
                    }
                    while (qtail > qhead && queue[qhead] < fs)
                        qhead++;
                    out_i[r] = qtail > qhead ? (int64_t)order[queue[qhead]] : SOURCE_NULL;
                    break;
                }
                default: {
                    int64_t a = fs - ps, b = fe - ps;
                    int64_t count = run.count[b] - run.count[a];
                    if (f->kind == TN_PLAN_WIN_COUNT || f->kind == TN_PLAN_WIN_COUNT_STAR) {
                        out_i[r] = count;
                        break;
                    }
                    nulls[r] = count == 0;
                    if (count == 0)
                        break;
                    double sum_d = 0;
                    tn_i128 sum_x = 0;
                    if (run.approx) {
                        if (a == 0) {
                            sum_d = run.approx[b];
                        } else if (b - a > SMALL_FRAME && run.tree) {
                            if (!run.tree_built) {
                                sum_tree_build(run.tree, rows, order, (uint32_t)f->arg, ps, pe);
                                run.tree_built = true;
                            }
                            sum_d = sum_tree_query(run.tree, pe - ps, a, b);
                        } else {
                            for (int64_t i = fs; i < fe; i++)
                                if (row_valid(rows, order[i], (uint32_t)f->arg))
                                    sum_d += arg_double(row_vec(rows, order[i], (uint32_t)f->arg),
                                                        order[i] % TN_BATCH_ROWS);
                        }
                    } else {
                        sum_x = run.exact[b] - run.exact[a];
                    }
                    if (f->kind == TN_PLAN_WIN_AVG) {
                        out_d[r] = (run.approx ? sum_d : (double)sum_x) / (double)count;
                    } else if (is_double) {
                        out_d[r] = sum_d;
                    } else if (is_decimal) {
                        out_x[r] = sum_x;
                    } else if (sum_x > INT64_MAX || sum_x < INT64_MIN) {
                        rc = tn_error_set(ctx->err, TN_EOVERFLOW,
                                          "integer out of range in %s: cast the argument to "
                                          "DECIMAL or DOUBLE", f->text);
                    } else {
                        out_i[r] = (int64_t)sum_x;
                    }
                    break;
                }
                }
            }
            }
        }
        ps = pe;
    }
    free_accounted(s, run.count, (size_t)(n + 1) * sizeof *run.count);
    free_accounted(s, run.exact, (size_t)(n + 1) * sizeof *run.exact);
    free_accounted(s, run.approx, (size_t)(n + 1) * sizeof *run.approx);
    free_accounted(s, run.tree, (size_t)2 * (n + 1) * sizeof *run.tree);
    free_accounted(s, queue, (size_t)(n + 1) * sizeof *queue);
    free_accounted(s, range.key, (size_t)(n + 1) * sizeof *range.key);
    return rc;
}


static int compute_all(window_state *s)
{
    tn_exec_ctx *ctx = s->op.ctx;
    const tn_plan_op *plan = s->op.plan;
    int rc = tn_exec_drain(s->op.children[0], &s->rows);
    if (rc)
        return rc;
    if (!s->rows.schema && !(s->rows.schema = tn_exec_schema(plan->children[0])))
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    int64_t n = s->rows.row_count;
    if (n > UINT32_MAX)
        return tn_error_set(ctx->err, TN_ELIMIT, "window functions over more than %u rows",
                            UINT32_MAX);
    uint32_t fc = plan->window.func_count;
    s->results = tn_calloc(fc, sizeof *s->results);
    s->nulls = tn_calloc(fc, sizeof *s->nulls);
    s->orders = tn_calloc(fc, sizeof *s->orders);
    s->order_owner = tn_calloc(fc, sizeof *s->order_owner);
    if (!s->results || !s->nulls || !s->orders || !s->order_owner)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    uint32_t *tmp = NULL;
    for (uint32_t k = 0; rc == 0 && k < fc; k++) {
        const tn_plan_window_func *f = &plan->window.funcs[k];
        size_t width = f->type.id == TN_TYPE_DECIMAL && numeric_result(f) ? sizeof(tn_i128) : 8;
        s->results[k] = alloc_accounted(s, (size_t)n * width, &rc);
        if (numeric_result(f))
            s->nulls[k] = alloc_accounted(s, (size_t)n, &rc);
        if (rc)
            break;
        if (s->nulls[k])
            memset(s->nulls[k], 0, (size_t)n);
        s->order_owner[k] = (int32_t)k;
        for (uint32_t j = 0; j < k; j++)
            if (same_window(&plan->window.funcs[j], f)) {
                s->order_owner[k] = s->order_owner[j];
                s->orders[k] = s->orders[j];
                break;
            }
        if (!s->orders[k]) {
            s->orders[k] = alloc_accounted(s, (size_t)n * sizeof(uint32_t), &rc);
            if (!tmp)
                tmp = alloc_accounted(s, (size_t)n * sizeof(uint32_t), &rc);
            if (rc)
                break;
            for (int64_t i = 0; i < n; i++)
                s->orders[k][i] = (uint32_t)i;
            if (f->partition_count || f->order_count) {
                window_order wo = {f, &s->rows};
                tn_exec_sort_stable(s->orders[k], tmp, (size_t)n, compare_in_window, &wo);
            }
        }
        rc = compute(s, k);
    }
    free_accounted(s, tmp, (size_t)n * sizeof(uint32_t));
    return rc;
}

/* Writes function k's results for input rows [first, first + count) into v. */
static int emit_results(window_state *s, uint32_t k, tn_vector *v, uint32_t first,
                        uint32_t count)
{
    const tn_plan_window_func *f = &s->op.plan->window.funcs[k];
    if (numeric_result(f)) {
        const uint8_t *nulls = s->nulls[k];
        if (f->type.id == TN_TYPE_DOUBLE)
            memcpy(tn_vector_f64(v), (const double *)s->results[k] + first, count * sizeof(double));
        else if (f->type.id == TN_TYPE_DECIMAL)
            for (uint32_t i = 0; i < count; i++)
                tn_vector_i128(v)[i] = ((const tn_i128 *)s->results[k])[first + i];
        else
            memcpy(tn_vector_i64(v), (const int64_t *)s->results[k] + first, count * sizeof(int64_t));
        for (uint32_t i = 0; i < count; i++)
            if (nulls[first + i])
                tn_vector_set_null(v, i);
        return 0;
    }
    const int64_t *src = s->results[k];
    for (uint32_t i = 0; i < count; i++) {
        int64_t from = src[first + i];
        int rc;
        if (from == SOURCE_NULL) {
            tn_vector_append_null(v, i);
            continue;
        }
        uint32_t row = from == SOURCE_DEFAULT ? first + i : (uint32_t)from;
        uint32_t column = from == SOURCE_DEFAULT ? (uint32_t)f->default_value : (uint32_t)f->arg;
        if ((rc = tn_vector_copy_row(v, i, row_vec(&s->rows, row, column), row % TN_BATCH_ROWS)) != 0)
            return tn_error_set(s->op.ctx->err, rc, "%s", tn_strerror(rc));
    }
    return 0;
}

static int window_next(tn_exec_op *op, tn_exec_chunk *out)
{
    window_state *s = (window_state *)op;
    const tn_plan_op *plan = op->plan;
    int rc;
    if (!s->done) {
        if ((rc = compute_all(s)) != 0)
            return rc;
        s->done = true;
    }
    if (s->next_batch >= s->rows.batch_count) {
        out->batch = NULL;
        out->count = 0;
        return 0;
    }
    const tn_batch *in = s->rows.batches[s->next_batch];
    uint32_t first = (uint32_t)(s->next_batch * TN_BATCH_ROWS), count = in->row_count;
    uint32_t input_columns = plan->column_count - plan->window.func_count;
    tn_batch_reset(s->out);
    for (uint32_t c = 0; c < input_columns; c++)
        if ((rc = tn_exec_gather(&s->out->columns[c], 0, &in->columns[c], tn_exec_identity, count)) != 0)
            return tn_error_set(op->ctx->err, rc, "%s", tn_strerror(rc));
    for (uint32_t k = 0; k < plan->window.func_count; k++)
        if ((rc = emit_results(s, k, &s->out->columns[input_columns + k], first, count)) != 0)
            return rc;
    s->next_batch++;
    s->out->row_count = count;
    out->batch = s->out;
    out->sel = tn_exec_identity;
    out->count = count;
    return 0;
}

static void window_close(tn_exec_op *op)
{
    window_state *s = (window_state *)op;
    uint32_t fc = op->plan->window.func_count;
    for (uint32_t k = 0; k < fc; k++) {
        if (s->results)
            tn_free(s->results[k]);
        if (s->nulls)
            tn_free(s->nulls[k]);
        if (s->orders && s->order_owner && s->order_owner[k] == (int32_t)k)
            tn_free(s->orders[k]);
    }
    tn_free(s->results);
    tn_free(s->nulls);
    tn_free(s->orders);
    tn_free(s->order_owner);
    tn_exec_rows_free(&s->rows);
    if (s->bytes)
        tn_exec_memory_add(op->ctx, -s->bytes);
    tn_batch_free(s->out);
}

int tn_exec_window_open(tn_exec_ctx *ctx, tn_plan_op *plan, tn_exec_op **out)
{
    window_state *s = tn_exec_op_alloc(ctx, plan, sizeof *s, window_next, window_close, out);
    if (!s)
        return TN_ENOMEM;
    tn_exec_rows_init(&s->rows, NULL);
    tn_schema *schema = tn_exec_schema(plan);
    if (!schema)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    s->out = tn_batch_new(schema, TN_BATCH_ROWS);
    tn_schema_unref(schema);
    if (!s->out)
        return tn_error_set(ctx->err, TN_ENOMEM, "out of memory");
    return tn_exec_build(ctx, plan->children[0], &s->op.children[0]);
}
