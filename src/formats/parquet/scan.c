/* SPDX-License-Identifier: Apache-2.0
 *
 * Scans: which rows to read and decoding them in parallel.
 *
 * Planning drops row groups whose column-chunk statistics cannot satisfy the predicates, then
 * narrows each remaining row group to row ranges using the page index (ColumnIndex gives each
 * page's min/max/null facts, OffsetIndex its first row): pages of every projected column that
 * fall outside the ranges are then skipped without being decompressed.
 *
 * Decoding goes in windows of consecutive selected rows (bounded by an estimate of their
 * decoded size). A window is cut into pieces, one per row group it touches; each (piece,
 * output column) pair is one task on the worker pool, filling that column of the piece's
 * batches (and allocating its vectors, so that work is parallel too). Column readers live
 * across windows, so a row group larger than a window is read sequentially, and batches come
 * out in file order.
 *
 * Columns cost very different amounts (a column of long strings can be half of all the work),
 * and a window ends when its last task does, so tasks start largest first: each task's cost
 * is its rows times its column's cost per row, measured on the windows before (thread CPU
 * time) and first estimated from the column chunks' uncompressed sizes.
 */
#include "formats/parquet/reader_int.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

/* Decoded bytes one window may hold (per pool thread, at least the minimum), and bounds on
 * its rows. Small windows keep freed batches' memory hot for the next ones; enough per thread
 * keeps every thread busy even when a single column is read. */
#define WINDOW_BYTES_MIN ((int64_t)16 << 20)
#define WINDOW_BYTES_PER_THREAD ((int64_t)8 << 20)
#define WINDOW_MAX_ROWS ((int64_t)16 << 20)
#define WINDOW_FIRST_ROWS ((int64_t)64 << 10)
/* Estimated cost of a column before it was measured, in nanoseconds per row: a fixed part
 * plus a part per uncompressed byte (decompressing and copying dominate). */
#define COST_NS_PER_ROW 3.0
#define COST_NS_PER_BYTE 1.5
/* Largest page index accepted (they are a few bytes per page). */
#define MAX_INDEX_BYTES ((int64_t)64 << 20)

typedef struct rg_plan {
    uint32_t rg;
    int64_t *ranges;     /* [start, end) pairs in the row group's row numbers */
    uint32_t range_count;
    int64_t selected;    /* rows inside the ranges */
    bool full;           /* one range over every row: verify the chunks end with it */
} rg_plan;

/* The readers of one output column in one row group, kept between windows. */
typedef struct col_state {
    bool open;
    pq_chunk *chunks;     /* one per leaf of the output column */
    uint32_t chunk_count;
    pq_leaf_rows *rows;   /* nested columns: one per leaf */
    int64_t file_row;     /* row-group row the readers stand at */
    uint32_t range_idx;   /* current range of the plan */
    tn_arena arena;       /* offset index */
    int64_t pages_skipped;
} col_state;

/* A predicate the scan evaluates itself (late materialisation). */
typedef struct scan_filter {
    uint32_t col;         /* scan column */
    tn_parquet_predicate pred;
} scan_filter;

/* A row test of the options the scan applies (late materialisation). */
typedef struct scan_row_test {
    uint32_t col;  /* scan column */
    uint32_t idx;  /* index in the options */
    tn_parquet_row_test test;
} scan_row_test;

typedef struct piece {
    uint32_t plan;        /* index into plans */
    int64_t from, to;     /* selected rows of the plan, [from, to) */
    uint32_t batch_first; /* its first batch in the window */
    uint32_t batch_count;
} piece;

struct tn_parquet_scan {
    tn_parquet_file *file;
    tn_schema *schema;
    uint32_t *outs;       /* file output column of each scan column */
    uint32_t out_count;
    bool *dictionary;     /* per scan column: dictionary form allowed (NULL = none) */
    uint32_t batch_rows;
    tn_pool *pool;
    bool own_pool;
    tn_arena arena;       /* plans and ranges */
    rg_plan *plans;
    uint32_t plan_count;
    uint32_t plan_next;   /* first plan not fully produced */
    int64_t plan_done;    /* selected rows of plans[plan_next] produced */
    col_state **plan_cols; /* per plan: out_count states, NULL until started */
    double *col_cost;     /* per scan column: estimated decoding ns per row */
    int64_t window_rows;  /* rows of the next window */
    int64_t window_max;   /* what the windows grow to */
    tn_batch **ready;
    uint32_t ready_count, ready_pos;
    bool failed;
    tn_parquet_scan_stats stats;
    /* Late materialisation: the predicates the scan evaluates itself, on projected flat
     * columns. Those columns are decoded first, one after another, each only at the rows
     * that the ones before left; the other columns are then decoded only at the rows left
     * at the end, and batches come out holding just those rows. */
    scan_filter *filters;
    uint32_t filter_count;
    uint32_t *filter_cols;  /* scan columns the filters read, in the order they are decoded */
    uint32_t filter_col_count;
    bool *is_filter_col;    /* per scan column */
    scan_row_test *row_tests; /* tested after the predicates of their column */
    uint32_t row_test_count;
};

/* ------------------------------------------------------------------------------------------
 * Pruning
 * ---------------------------------------------------------------------------------------- */

/* A statistic as a comparable value. */
typedef struct stat_key {
    bool ok;
    tn_vector v; /* one row of the leaf's type */
} stat_key;

static bool is_bytes_physical(int32_t t)
{
    return t == TN_PARQUET_BYTE_ARRAY || t == TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
}

/* Whether min/max statistics of this leaf can be compared in its tarn type's order. */
static bool leaf_orderable(const tn_parquet_file *f, uint32_t leaf_idx)
{
    const pq_leaf *leaf = &f->leaves[leaf_idx];
    if (f->md.column_order_count > leaf_idx &&
        f->md.column_orders[leaf_idx] == TN_PARQUET_ORDER_UNKNOWN)
        return false;
    switch (leaf->conv) {
    case PQ_CONV_INT96:
    case PQ_CONV_F16:
    case PQ_CONV_UUID:
    case PQ_CONV_TIME_MILLIS:
    case PQ_CONV_TIME_MICROS:
    case PQ_CONV_TIME_NANOS:
    case PQ_CONV_BIN_DOUBLE:
        return false;
    default:
        return true;
    }
}

/* Compares a statistic with the predicate constant: <0, 0, >0; false when not comparable. */
static bool compare(const tn_vector *v, const tn_parquet_value *c, int *out)
{
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: {
        int64_t a = tn_vector_get_bool(v, 0);
        *out = (a > c->i) - (a < c->i);
        return true;
    }
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        int64_t a = tn_vector_i32(v)[0];
        *out = (a > c->i) - (a < c->i);
        return true;
    }
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        int64_t a = tn_vector_i64(v)[0];
        *out = (a > c->i) - (a < c->i);
        return true;
    }
    case TN_TYPE_DECIMAL: {
        tn_i128 a = tn_vector_get_decimal(v, 0);
        *out = (a > c->dec) - (a < c->dec);
        return true;
    }
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double a = v->type.id == TN_TYPE_REAL ? (double)tn_vector_f32(v)[0] : tn_vector_f64(v)[0];
        if (isnan(a) || isnan(c->d))
            return false;
        *out = (a > c->d) - (a < c->d);
        return true;
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        tn_str a = tn_vector_get_str(v, 0);
        int r = tn_str_cmp(a, c->s);
        *out = (r > 0) - (r < 0);
        return true;
    }
    default:
        return false;
    }
}

/* Facts about a chunk or a page. */
typedef struct stat_facts {
    const tn_vector *min, *max; /* NULL when unknown */
    bool null_count_known;
    int64_t null_count;
    bool all_null;
} stat_facts;

static bool may_match(const tn_parquet_predicate *p, const stat_facts *s)
{
    int c;
    switch (p->op) {
    case TN_PARQUET_OP_IS_NULL:
        return !(s->null_count_known && s->null_count == 0);
    case TN_PARQUET_OP_IS_NOT_NULL:
        return !s->all_null;
    default:
        break;
    }
    if (s->all_null)
        return false;
    switch (p->op) {
    case TN_PARQUET_OP_EQ:
        if (s->min && compare(s->min, &p->value, &c) && c > 0)
            return false;
        if (s->max && compare(s->max, &p->value, &c) && c < 0)
            return false;
        return true;
    case TN_PARQUET_OP_LT:
        return !(s->min && compare(s->min, &p->value, &c) && c >= 0);
    case TN_PARQUET_OP_LE:
        return !(s->min && compare(s->min, &p->value, &c) && c > 0);
    case TN_PARQUET_OP_GT:
        return !(s->max && compare(s->max, &p->value, &c) && c <= 0);
    case TN_PARQUET_OP_GE:
        return !(s->max && compare(s->max, &p->value, &c) && c < 0);
    default:
        return true;
    }
}

/* Decodes a raw statistic into key (key->ok false when unusable). */
static int stat_key_set(stat_key *key, const pq_leaf *leaf, bool has, tn_str raw)
{
    key->ok = false;
    if (!has)
        return 0;
    tn_vector_reset(&key->v);
    if (!pq_stat_value(leaf, raw, &key->v))
        return 0;
    if (key->v.type.id == TN_TYPE_REAL && isnan(tn_vector_f32(&key->v)[0]))
        return 0;
    if (key->v.type.id == TN_TYPE_DOUBLE && isnan(tn_vector_f64(&key->v)[0]))
        return 0;
    key->ok = true;
    return 0;
}

/* Makes both keys hold one value of `type`. */
static int keys_prepare(stat_key *kmin, stat_key *kmax, tn_type type)
{
    if (kmin->v.validity && tn_type_eq(kmin->v.type, type))
        return 0;
    if (kmin->v.validity)
        tn_vector_destroy(&kmin->v);
    if (kmax->v.validity)
        tn_vector_destroy(&kmax->v);
    memset(kmin, 0, sizeof(*kmin));
    memset(kmax, 0, sizeof(*kmax));
    if (tn_vector_init(&kmin->v, type, 1) != 0 || tn_vector_init(&kmax->v, type, 1) != 0)
        return TN_ENOMEM;
    return 0;
}

/* Row-group level: false when the chunk statistics rule every row out. */
static bool chunk_may_match(const tn_parquet_file *f, uint32_t rg, uint32_t leaf_idx,
                            const tn_parquet_predicate *p, stat_key *kmin, stat_key *kmax)
{
    const tn_parquet_column_metadata *m = &f->md.row_groups[rg].columns[leaf_idx].meta_data;
    const pq_leaf *leaf = &f->leaves[leaf_idx];
    if (!m->has_statistics)
        return true;
    const tn_parquet_statistics *st = &m->statistics;
    stat_facts s = {0};
    s.null_count_known = st->has_null_count && st->null_count >= 0;
    s.null_count = st->null_count;
    s.all_null = s.null_count_known && m->num_values > 0 && st->null_count >= m->num_values;
    if (leaf_orderable(f, leaf_idx)) {
        bool modern = st->has_min_value || st->has_max_value;
        bool legacy_ok = !leaf->unsigned_order && !is_bytes_physical(leaf->physical);
        if (modern) {
            stat_key_set(kmin, leaf, st->has_min_value, st->min_value);
            stat_key_set(kmax, leaf, st->has_max_value, st->max_value);
        } else if (legacy_ok) {
            stat_key_set(kmin, leaf, st->has_min, st->min);
            stat_key_set(kmax, leaf, st->has_max, st->max);
        } else {
            kmin->ok = kmax->ok = false;
        }
        s.min = kmin->ok ? &kmin->v : NULL;
        s.max = kmax->ok ? &kmax->v : NULL;
    }
    return may_match(p, &s);
}

static int read_index(const tn_parquet_file *f, int64_t offset, int64_t len, uint8_t **out,
                      tn_error *err)
{
    *out = NULL;
    if (offset < 0 || len <= 0 || len > MAX_INDEX_BYTES || (uint64_t)offset > f->src.size ||
        (uint64_t)len > f->src.size - (uint64_t)offset)
        return 1; /* unusable: ignore it */
    uint8_t *buf = tn_malloc((size_t)len);
    if (!buf)
        return tn_error_set(err, TN_ENOMEM, "out of memory reading a page index");
    int rc = f->src.read(f->src.ctx, (uint64_t)offset, buf, (size_t)len, err);
    if (rc != 0) {
        tn_free(buf);
        return pq_error_wrap(err, rc, f, -1, NULL);
    }
    *out = buf;
    return 0;
}

/* Loads the offset index of a chunk into arena; *oi NULL when there is none (or it is bad). */
static int load_offset_index(const tn_parquet_file *f, uint32_t rg, uint32_t leaf_idx,
                             tn_arena *arena, tn_parquet_offset_index **oi, tn_error *err)
{
    *oi = NULL;
    const tn_parquet_column_chunk *cc = &f->md.row_groups[rg].columns[leaf_idx];
    if (!cc->has_offset_index)
        return 0;
    uint8_t *buf;
    int rc = read_index(f, cc->offset_index_offset, cc->offset_index_length, &buf, err);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    tn_parquet_offset_index *idx = tn_arena_calloc(arena, sizeof(*idx));
    if (!idx) {
        tn_free(buf);
        return tn_error_set(err, TN_ENOMEM, "out of memory reading a page index");
    }
    tn_error ignored = {0};
    rc = tn_parquet_offset_index_decode(buf, (size_t)cc->offset_index_length, arena, idx,
                                        &ignored);
    tn_free(buf);
    if (rc == TN_ENOMEM)
        return tn_error_set(err, TN_ENOMEM, "out of memory reading a page index");
    /* A broken page index only costs the pruning it would have allowed. */
    if (rc == 0)
        *oi = idx;
    return 0;
}

/* Intersects sorted disjoint ranges a and b into out, which has room for a_count + b_count
 * ranges (the most an intersection can hold). Returns the ranges written. */
static uint32_t intersect(const int64_t *a, uint32_t a_count, const int64_t *b,
                          uint32_t b_count, int64_t *out)
{
    uint32_t i = 0, j = 0, n = 0;
    while (i < a_count && j < b_count) {
        int64_t lo = a[2 * i] > b[2 * j] ? a[2 * i] : b[2 * j];
        int64_t hi = a[2 * i + 1] < b[2 * j + 1] ? a[2 * i + 1] : b[2 * j + 1];
        if (lo < hi) {
            out[2 * n] = lo;
            out[2 * n + 1] = hi;
            n++;
        }
        if (a[2 * i + 1] < b[2 * j + 1])
            i++;
        else
            j++;
    }
    return n;
}

/* Page level: narrows plan->ranges with one predicate's page index. */
static int prune_pages(tn_parquet_scan *s, rg_plan *plan, uint32_t leaf_idx,
                       const tn_parquet_predicate *p, stat_key *kmin, stat_key *kmax,
                       tn_error *err)
{
    const tn_parquet_file *f = s->file;
    const tn_parquet_column_chunk *cc = &f->md.row_groups[plan->rg].columns[leaf_idx];
    if (!cc->has_column_index || !cc->has_offset_index || !leaf_orderable(f, leaf_idx))
        return 0;
    tn_arena tmp;
    tn_arena_init(&tmp, 0);
    int rc = 0;
    tn_parquet_offset_index *oi = NULL;
    uint8_t *buf = NULL;
    tn_parquet_column_index ci;
    int64_t *pages = NULL;
    rc = load_offset_index(f, plan->rg, leaf_idx, &tmp, &oi, err);
    if (rc != 0 || !oi)
        goto done;
    rc = read_index(f, cc->column_index_offset, cc->column_index_length, &buf, err);
    if (rc != 0) {
        rc = rc > 0 ? 0 : rc;
        goto done;
    }
    tn_error ignored = {0};
    rc = tn_parquet_column_index_decode(buf, (size_t)cc->column_index_length, &tmp, &ci,
                                        &ignored);
    if (rc != 0) {
        rc = rc == TN_ENOMEM ? tn_error_set(err, TN_ENOMEM, "out of memory") : 0;
        goto done;
    }
    if (ci.page_count != oi->page_count || ci.page_count == 0)
        goto done;
    const pq_leaf *leaf = &f->leaves[leaf_idx];
    int64_t rows = f->md.row_groups[plan->rg].num_rows;
    pages = tn_malloc((size_t)ci.page_count * 2 * sizeof(int64_t));
    /* The narrowed ranges get their own block: one range can become one per page. */
    int64_t *narrowed = tn_arena_alloc(&s->arena, ((size_t)ci.page_count + plan->range_count) *
                                                      2 * sizeof(int64_t));
    if (!pages || !narrowed) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < ci.page_count; i++) {
        int64_t lo = oi->page_locations[i].first_row_index;
        int64_t hi = i + 1 < oi->page_count ? oi->page_locations[i + 1].first_row_index : rows;
        if (lo < 0 || hi > rows || lo > hi || (n > 0 && lo < pages[2 * n - 1]))
            goto done; /* inconsistent: ignore the index */
        stat_facts st = {0};
        st.all_null = ci.null_pages[i];
        st.null_count_known = ci.has_null_counts;
        st.null_count = ci.has_null_counts ? ci.null_counts[i] : 0;
        if (!st.all_null) {
            stat_key_set(kmin, leaf, true, ci.min_values[i]);
            stat_key_set(kmax, leaf, true, ci.max_values[i]);
            st.min = kmin->ok ? &kmin->v : NULL;
            st.max = kmax->ok ? &kmax->v : NULL;
        }
        if (!may_match(p, &st) || lo == hi)
            continue;
        if (n > 0 && pages[2 * n - 1] == lo) {
            pages[2 * n - 1] = hi; /* merge with the previous page */
        } else {
            pages[2 * n] = lo;
            pages[2 * n + 1] = hi;
            n++;
        }
    }
    plan->range_count = intersect(plan->ranges, plan->range_count, pages, n, narrowed);
    plan->ranges = narrowed;
done:
    tn_free(pages);
    tn_free(buf);
    tn_arena_free(&tmp);
    return rc;
}

static int plan_scan(tn_parquet_scan *s, const tn_parquet_scan_options *opts, tn_error *err)
{
    const tn_parquet_file *f = s->file;
    const tn_parquet_file_metadata *md = &f->md;
    s->plans = tn_arena_calloc(&s->arena, (md->row_group_count ? md->row_group_count : 1) *
                                              sizeof(rg_plan));
    if (!s->plans)
        return tn_error_set(err, TN_ENOMEM, "out of memory planning a scan");
    stat_key kmin = {0}, kmax = {0};
    int rc = 0;
    uint32_t first = 0, end = md->row_group_count;
    if (opts->row_group_count) {
        first = opts->row_group_first < end ? opts->row_group_first : end;
        end = end - first > opts->row_group_count ? first + opts->row_group_count : end;
    }
    s->stats.row_groups = end - first;
    for (uint32_t g = first; g < end; g++) {
        int64_t rows = md->row_groups[g].num_rows;
        s->stats.rows_total += rows;
        rg_plan *plan = &s->plans[s->plan_count];
        plan->rg = g;
        bool keep = rows > 0;
        for (uint32_t i = 0; i < opts->predicate_count && keep; i++) {
            const tn_parquet_predicate *p = &opts->predicates[i];
            const pq_out *o = &f->outs[p->column];
            if (o->nested)
                continue;
            const pq_leaf *leaf = &f->leaves[o->leaf_first];
            if (keys_prepare(&kmin, &kmax, leaf->type) != 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory planning a scan");
                goto done;
            }
            keep = chunk_may_match(f, g, o->leaf_first, p, &kmin, &kmax);
        }
        if (!keep) {
            if (rows > 0)
                s->stats.row_groups_pruned++;
            s->stats.rows_pruned += rows;
            continue;
        }
        plan->ranges = tn_arena_alloc(&s->arena, 2 * sizeof(int64_t));
        if (!plan->ranges) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory planning a scan");
            goto done;
        }
        plan->ranges[0] = 0;
        plan->ranges[1] = rows;
        plan->range_count = 1;
        for (uint32_t i = 0; i < opts->predicate_count && plan->range_count > 0; i++) {
            const tn_parquet_predicate *p = &opts->predicates[i];
            const pq_out *o = &f->outs[p->column];
            if (o->nested)
                continue;
            const pq_leaf *leaf = &f->leaves[o->leaf_first];
            if (keys_prepare(&kmin, &kmax, leaf->type) != 0) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory planning a scan");
                goto done;
            }
            rc = prune_pages(s, plan, o->leaf_first, p, &kmin, &kmax, err);
            if (rc != 0)
                goto done;
        }
        plan->selected = 0;
        for (uint32_t i = 0; i < plan->range_count; i++)
            plan->selected += plan->ranges[2 * i + 1] - plan->ranges[2 * i];
        plan->full = plan->range_count == 1 && plan->ranges[0] == 0 && plan->ranges[1] == rows;
        s->stats.rows_pruned += rows - plan->selected;
        if (plan->selected == 0) {
            s->stats.row_groups_pruned++;
            continue;
        }
        s->plan_count++;
    }
done:
    if (kmin.v.validity)
        tn_vector_destroy(&kmin.v);
    if (kmax.v.validity)
        tn_vector_destroy(&kmax.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Column readers
 * ---------------------------------------------------------------------------------------- */

static void col_state_close(col_state *cs)
{
    for (uint32_t i = 0; i < cs->chunk_count; i++) {
        if (cs->chunks)
            pq_chunk_free(&cs->chunks[i]);
        if (cs->rows)
            pq_leaf_rows_free(&cs->rows[i]);
    }
    tn_free(cs->chunks);
    tn_free(cs->rows);
    tn_arena_free(&cs->arena);
    int64_t skipped = cs->pages_skipped;
    memset(cs, 0, sizeof(*cs));
    cs->pages_skipped = skipped;
}

static int col_state_open(tn_parquet_scan *s, const rg_plan *plan, uint32_t col,
                          col_state *cs, tn_error *err)
{
    const tn_parquet_file *f = s->file;
    const pq_out *o = &f->outs[s->outs[col]];
    tn_arena_init(&cs->arena, 0);
    cs->open = true;
    cs->chunks = tn_calloc(o->leaf_count, sizeof(pq_chunk));
    if (o->nested)
        cs->rows = tn_calloc(o->leaf_count, sizeof(pq_leaf_rows));
    if (!cs->chunks || (o->nested && !cs->rows))
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a column");
    cs->chunk_count = o->leaf_count;
    for (uint32_t i = 0; i < o->leaf_count; i++) {
        tn_parquet_offset_index *oi = NULL;
        if (!plan->full && !o->nested) {
            int rc = load_offset_index(f, plan->rg, o->leaf_first + i, &cs->arena, &oi, err);
            if (rc != 0)
                return rc;
        }
        int rc = pq_chunk_open(&cs->chunks[i], f, plan->rg, o->leaf_first + i, oi, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Passes over n rows of the column. */
static int col_skip(tn_parquet_scan *s, const pq_out *o, col_state *cs, int64_t n,
                    tn_error *err)
{
    if (!o->nested)
        return pq_chunk_skip_flat(&cs->chunks[0], n);
    while (n > 0) {
        uint32_t k = n > TN_PQ_LEVEL_CHUNK ? TN_PQ_LEVEL_CHUNK : (uint32_t)n;
        for (uint32_t i = 0; i < cs->chunk_count; i++) {
            pq_leaf_rows_clear(&cs->rows[i]);
            int rc = pq_chunk_read_nested(&cs->chunks[i], k, &cs->rows[i]);
            if (rc != 0)
                return rc;
        }
        n -= k;
    }
    (void)s;
    (void)err;
    return 0;
}

/* Reads n rows of the column into v from row `row`. */
static int col_read(tn_parquet_scan *s, const pq_out *o, col_state *cs, tn_vector *v,
                    uint32_t row, uint32_t n, tn_error *err)
{
    if (!o->nested && v->dict)
        return pq_chunk_read_dict(&cs->chunks[0], v, row, n);
    if (!o->nested)
        return pq_chunk_read_flat(&cs->chunks[0], v, row, n);
    for (uint32_t i = 0; i < cs->chunk_count; i++) {
        pq_leaf_rows_clear(&cs->rows[i]);
        int rc = pq_chunk_read_nested(&cs->chunks[i], n, &cs->rows[i]);
        if (rc != 0)
            return rc;
    }
    return pq_nested_assemble(s->file, o, cs->rows, n, v, row, err);
}

/* ------------------------------------------------------------------------------------------
 * Windows
 * ---------------------------------------------------------------------------------------- */

/* A task and its estimated cost, for ordering. */
typedef struct task_slot {
    double cost;
    size_t task;
} task_slot;

typedef struct window {
    tn_parquet_scan *scan;
    piece *pieces;
    uint32_t piece_count;
    tn_batch **batches;
    uint32_t batch_count;
    tn_error *errors; /* one per task (task = piece * out_count + column) */
    task_slot *order; /* tasks in the order they start: largest estimated cost first */
    double *cost;     /* per task: measured thread CPU nanoseconds */
    /* Late materialisation: per batch, the rows (batch row numbers, ascending) still
     * selected, batch_rows slots each; NULL when the scan has no filters. */
    uint32_t *sel;
    uint32_t *sel_count;
} window;

/* CPU time of the calling thread, in nanoseconds (0 where the clock is missing). */
static double thread_ns(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0)
        return 0;
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Column `col` of a batch, its vector allocated on first use (by the task that fills it).
 * The task writes every row of the batch, so the values are not zeroed first (that would
 * touch every buffer twice); only the rows past the batch's end are, as tn_vector_init would
 * leave them. */
static int batch_column(tn_parquet_scan *s, tn_batch *b, uint32_t col, col_state *cs,
                        tn_vector **out, tn_error *err)
{
    tn_vector *v = &b->columns[col];
    tn_dictionary *dict = !v->validity && s->dictionary && s->dictionary[col] &&
                                  !s->file->outs[s->outs[col]].nested
                              ? pq_chunk_dictionary(&cs->chunks[0])
                              : NULL;
    if (dict) {
        if (tn_vector_init_dict(v, dict, s->batch_rows) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory allocating a batch");
    } else if (!v->validity) {
        if (tn_vector_init_uninit(v, s->schema->columns[col].type, s->batch_rows) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory allocating a batch");
        /* Filtered batches are mostly short: zeroing their tails would cost more than
         * decoding their rows, and they are only read below their row count. */
        if (s->filter_col_count > 0) {
            *out = v;
            return 0;
        }
        uint32_t rows = b->row_count, cap = v->capacity;
        size_t width = tn_type_width(v->type);
        if (rows < cap && v->offsets)
            memset(v->offsets + rows + 1, 0, (size_t)(cap - rows) * sizeof(int32_t));
        else if (rows < cap && width)
            memset((uint8_t *)v->values + (size_t)rows * width, 0, (size_t)(cap - rows) * width);
    }
    *out = v;
    return 0;
}

/* First of the n ascending entries of a at or above x. */
static uint32_t lower_bound(const uint32_t *a, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* pq_chunk_read_flat_sel for a vector in dictionary form: the stretch's n rows are read as
 * indices at rows [row, row + n) (row <= the stretch's first row in the batch, so nothing
 * kept is overwritten), then the m kept rows sel[i] - sel_base are moved down to [row,
 * row + m). Indices are cheap to read whole; a page the writer fell back to PLAIN turns the
 * vector plain (pq_chunk_read_dict), and the kept strings are then moved down the same way. */
static int read_dict_sel(pq_chunk *c, tn_vector *v, uint32_t row, uint32_t n, const uint32_t *sel,
                         uint32_t m, uint32_t sel_base)
{
    /* the rows before `row` are the ones kept so far, and v->null_count counts their NULLs */
    uint32_t nulls_kept = v->null_count;
    int rc = pq_chunk_read_dict(c, v, row, n);
    if (rc != 0)
        return rc;
    if (v->dict && v->null_count == nulls_kept) {
        /* no NULL in the stretch: every row of it is valid already, only indices move */
        uint32_t *idx = tn_vector_indices(v);
        for (uint32_t k = 0; k < m; k++)
            idx[row + k] = idx[row + (sel[k] - sel_base)];
        return 0;
    }
    if (v->dict) {
        uint32_t *idx = tn_vector_indices(v);
        for (uint32_t k = 0; k < m; k++) {
            uint32_t from = row + (sel[k] - sel_base), to = row + k;
            idx[to] = idx[from];
            if (tn_vector_is_valid(v, from))
                v->validity[to >> 3] |= (uint8_t)(1u << (to & 7));
            else
                v->validity[to >> 3] &= (uint8_t) ~(1u << (to & 7));
        }
    } else {
        /* the source offsets first: moving a string down overwrites offsets it still needs */
        int32_t start[TN_BATCH_ROWS], end[TN_BATCH_ROWS];
        bool valid[TN_BATCH_ROWS];
        for (uint32_t k = 0; k < m; k++) {
            uint32_t from = row + (sel[k] - sel_base);
            start[k] = v->offsets[from];
            end[k] = v->offsets[from + 1];
            valid[k] = tn_vector_is_valid(v, from);
        }
        for (uint32_t k = 0; k < m; k++) {
            uint32_t to = row + k;
            int32_t at = v->offsets[to], len = end[k] - start[k];
            if (len > 0)
                memmove(v->data + at, v->data + start[k], (size_t)len);
            v->offsets[to + 1] = at + len;
            if (valid[k])
                v->validity[to >> 3] |= (uint8_t)(1u << (to & 7));
            else
                v->validity[to >> 3] &= (uint8_t) ~(1u << (to & 7));
        }
        v->data_len = (size_t)v->offsets[row + m];
    }
    /* rows past the kept ones are valid again for the next stretch, and the count of NULLs
     * covers exactly the rows kept so far */
    for (uint32_t i = row + m; i < row + n; i++)
        v->validity[i >> 3] |= (uint8_t)(1u << (i & 7));
    uint32_t nulls = 0;
    for (uint32_t i = 0; i < row + m; i++)
        nulls += !tn_vector_is_valid(v, i);
    v->null_count = nulls;
    return 0;
}

static int read_piece(tn_parquet_scan *s, const piece *pc, uint32_t col, const window *w,
                      tn_error *err)
{
    tn_batch **batches = w->batches;
    const rg_plan *plan = &s->plans[pc->plan];
    const pq_out *o = &s->file->outs[s->outs[col]];
    col_state *cs = &s->plan_cols[pc->plan][col];
    int rc;
    if (!cs->open) {
        rc = col_state_open(s, plan, col, cs, err);
        if (rc != 0)
            return rc;
    }
    int64_t produce = pc->to - pc->from, done = 0;
    while (produce > 0) {
        if (cs->range_idx >= plan->range_count)
            return tn_error_set(err, TN_EINTERNAL, "scan ran past its row ranges");
        int64_t start = plan->ranges[2 * cs->range_idx];
        int64_t end = plan->ranges[2 * cs->range_idx + 1];
        if (cs->file_row < start) {
            rc = col_skip(s, o, cs, start - cs->file_row, err);
            if (rc != 0)
                return rc;
            cs->file_row = start;
        }
        int64_t k = end - cs->file_row;
        if (k > produce)
            k = produce;
        /* Split at batch boundaries. */
        int64_t left = k;
        while (left > 0) {
            uint32_t b = (uint32_t)(done / s->batch_rows);
            uint32_t r = (uint32_t)(done % s->batch_rows);
            uint32_t n = s->batch_rows - r;
            if ((int64_t)n > left)
                n = (uint32_t)left;
            tn_vector *v = NULL;
            if (w->sel && !o->nested) {
                /* Only the rows of this stretch still selected, packed from the first. */
                uint32_t bi = pc->batch_first + b;
                const uint32_t *bs = w->sel + (size_t)bi * s->batch_rows;
                uint32_t lo = lower_bound(bs, w->sel_count[bi], r);
                uint32_t hi = lower_bound(bs, w->sel_count[bi], r + n);
                if (hi > lo) {
                    rc = batch_column(s, batches[bi], col, cs, &v, err);
                    if (rc != 0)
                        return rc;
                }
                if (v && v->dict)
                    rc = read_dict_sel(&cs->chunks[0], v, lo, n, bs + lo, hi - lo, r);
                else
                    rc = pq_chunk_read_flat_sel(&cs->chunks[0], v, lo, n, bs + lo, hi - lo, r);
            } else {
                rc = batch_column(s, batches[pc->batch_first + b], col, cs, &v, err);
                if (rc != 0)
                    return rc;
                rc = col_read(s, o, cs, v, r, n, err);
            }
            if (rc != 0)
                return rc;
            done += n;
            left -= n;
        }
        cs->file_row += k;
        produce -= k;
        if (cs->file_row == end)
            cs->range_idx++;
    }
    if (pc->to == plan->selected) {
        if (plan->full) {
            for (uint32_t i = 0; i < cs->chunk_count; i++) {
                rc = pq_chunk_check_end(&cs->chunks[i]);
                if (rc != 0)
                    return rc;
            }
        }
        for (uint32_t i = 0; i < cs->chunk_count; i++)
            cs->pages_skipped += cs->chunks[i].pages_skipped;
        col_state_close(cs);
    }
    return 0;
}

static void window_task(void *ctx, size_t start_idx, int worker_idx)
{
    (void)worker_idx;
    window *w = ctx;
    tn_parquet_scan *s = w->scan;
    size_t task = w->order[start_idx].task;
    const piece *pc = &w->pieces[task / s->out_count];
    uint32_t col = (uint32_t)(task % s->out_count);
    if (w->sel && s->is_filter_col[col])
        return; /* read by the piece's filter task */
    double t0 = thread_ns();
    read_piece(s, pc, col, w, &w->errors[task]);
    w->cost[task] = thread_ns() - t0;
}

/* ------------------------------------------------------------------------------------------
 * Late materialisation
 * ---------------------------------------------------------------------------------------- */

/* Whether the scan can evaluate p itself with exactly SQL's result: comparisons of integers,
 * dates, timestamps, decimals, booleans and strings (bytewise), and NULL tests. Floats are
 * left to the engine (NaN and -0.0 have their own rules there). */
static bool filter_supported(const tn_parquet_predicate *p, tn_type t)
{
    if (p->op == TN_PARQUET_OP_IS_NULL || p->op == TN_PARQUET_OP_IS_NOT_NULL)
        return true;
    switch (t.id) {
    case TN_TYPE_BOOLEAN:
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
    case TN_TYPE_DECIMAL:
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        return p->op >= TN_PARQUET_OP_EQ && p->op <= TN_PARQUET_OP_GE;
    default:
        return false;
    }
}

/* One comparison loop per operator: rows in[i] (i < n; in NULL = rows 0..n-1) of v that
 * are valid and compare true go to out. */
#define FILTER_LOOPS(LOAD, C, LESS)                                                            \
    do {                                                                                       \
        switch (p->op) {                                                                       \
        case TN_PARQUET_OP_EQ: FILTER_LOOP(LOAD, !(LESS(x, C)) && !(LESS(C, x))); break;       \
        case TN_PARQUET_OP_LT: FILTER_LOOP(LOAD, LESS(x, C)); break;                           \
        case TN_PARQUET_OP_LE: FILTER_LOOP(LOAD, !(LESS(C, x))); break;                        \
        case TN_PARQUET_OP_GT: FILTER_LOOP(LOAD, LESS(C, x)); break;                           \
        case TN_PARQUET_OP_GE: FILTER_LOOP(LOAD, !(LESS(x, C))); break;                        \
        default: break;                                                                        \
        }                                                                                      \
    } while (0)
#define FILTER_LOOP(LOAD, TEST)                                                                \
    do {                                                                                       \
        if (!in && !nulls) {                                                                   \
            for (uint32_t r = 0; r < n; r++) {                                                 \
                LOAD;                                                                          \
                out[m] = r;                                                                    \
                m += (uint32_t)(TEST);                                                         \
            }                                                                                  \
        } else {                                                                               \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                uint32_t r = in ? in[i] : i;                                                   \
                LOAD;                                                                          \
                out[m] = r;                                                                    \
                m += (uint32_t)((!nulls || tn_vector_is_valid(v, r)) && (TEST));               \
            }                                                                                  \
        }                                                                                      \
    } while (0)
#define LESS_NUM(a, b) ((a) < (b))
#define LESS_STR(a, b) (tn_str_cmp((a), (b)) < 0)

static uint32_t filter_rows(const tn_parquet_predicate *p, const tn_vector *v,
                            const uint32_t *in, uint32_t n, uint32_t *out)
{
    uint32_t m = 0;
    bool nulls = v->null_count > 0;
    if (p->op == TN_PARQUET_OP_IS_NULL || p->op == TN_PARQUET_OP_IS_NOT_NULL) {
        bool want_valid = p->op == TN_PARQUET_OP_IS_NOT_NULL;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = in ? in[i] : i;
            out[m] = r;
            m += (uint32_t)(tn_vector_is_valid(v, r) == want_valid);
        }
        return m;
    }
    switch (v->type.id) {
    case TN_TYPE_BOOLEAN: {
        const int64_t c = p->value.i;
        FILTER_LOOPS(int64_t x = tn_vector_get_bool(v, r), c, LESS_NUM);
        break;
    }
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE: {
        const int32_t *a = tn_vector_i32(v);
        const int64_t c = p->value.i;
        FILTER_LOOPS(int64_t x = a[r], c, LESS_NUM);
        break;
    }
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        const int64_t *a = tn_vector_i64(v);
        const int64_t c = p->value.i;
        FILTER_LOOPS(int64_t x = a[r], c, LESS_NUM);
        break;
    }
    case TN_TYPE_DECIMAL: {
        /* By the vector's width, so both decimal representations compare exactly. */
        const tn_i128 c = p->value.dec;
        if (tn_type_width(v->type) == sizeof(int64_t)) {
            const int64_t *a = tn_vector_i64(v);
            FILTER_LOOPS(tn_i128 x = a[r], c, LESS_NUM);
        } else {
            const tn_i128 *a = tn_vector_i128(v);
            FILTER_LOOPS(tn_i128 x = a[r], c, LESS_NUM);
        }
        break;
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB: {
        const tn_str c = p->value.s;
        FILTER_LOOPS(tn_str x = tn_vector_get_str(v, r), c, LESS_STR);
        break;
    }
    default:
        /* filter_supported let nothing else through: keep every row. */
        for (uint32_t i = 0; i < n; i++)
            out[m++] = in ? in[i] : i;
        break;
    }
    return m;
}

#undef FILTER_LOOPS
#undef FILTER_LOOP
#undef LESS_NUM
#undef LESS_STR

/* Integer-like columns (integers, dates, timestamps, decimals): all the comparisons on one
 * column become one range [*lo, *hi], tested in one pass with one unsigned compare. False
 * when some predicate of the column is not a comparison of such a column. */
static bool column_range(const tn_parquet_scan *s, uint32_t col, tn_i128 *lo, tn_i128 *hi)
{
    const tn_i128 max = (tn_i128)(((unsigned __int128)1 << 127) - 1), min = -max - 1;
    tn_i128 a = min, b = max;
    tn_type t = s->schema->columns[col].type;
    bool dec = t.id == TN_TYPE_DECIMAL;
    if (!(dec || t.id == TN_TYPE_INTEGER || t.id == TN_TYPE_DATE || t.id == TN_TYPE_BIGINT ||
          t.id == TN_TYPE_TIMESTAMP || t.id == TN_TYPE_TIMESTAMPTZ))
        return false;
    for (uint32_t i = 0; i < s->filter_count; i++) {
        const scan_filter *f = &s->filters[i];
        if (f->col != col)
            continue;
        tn_i128 c = dec ? f->pred.value.dec : (tn_i128)f->pred.value.i;
        switch (f->pred.op) {
        case TN_PARQUET_OP_EQ: a = c > a ? c : a; b = c < b ? c : b; break;
        case TN_PARQUET_OP_GE: a = c > a ? c : a; break;
        case TN_PARQUET_OP_GT:
            if (c == max)
                return *lo = 1, *hi = 0, true;
            a = c + 1 > a ? c + 1 : a;
            break;
        case TN_PARQUET_OP_LE: b = c < b ? c : b; break;
        case TN_PARQUET_OP_LT:
            if (c == min)
                return *lo = 1, *hi = 0, true;
            b = c - 1 < b ? c - 1 : b;
            break;
        default: return false;
        }
    }
    *lo = a;
    *hi = b;
    return true;
}

/* Rows in[i] (i < n; in NULL = rows 0..n-1) of v that are valid and within [lo, hi] go to
 * out; returns how many. */
static uint32_t filter_range(const tn_vector *v, tn_i128 lo, tn_i128 hi, const uint32_t *in,
                             uint32_t n, uint32_t *out)
{
    size_t w = tn_type_width(v->type);
    tn_i128 tmin = w == 4 ? INT32_MIN : w == 8 ? INT64_MIN : lo;
    tn_i128 tmax = w == 4 ? INT32_MAX : w == 8 ? INT64_MAX : hi;
    lo = lo > tmin ? lo : tmin;
    hi = hi < tmax ? hi : tmax;
    if (lo > hi)
        return 0;
    bool nulls = v->null_count > 0;
    uint32_t m = 0;
#define RANGE_LOOP(T, U, LO, SPAN)                                                             \
    do {                                                                                       \
        const T *a = (const T *)v->values;                                                     \
        if (!in && !nulls) {                                                                   \
            for (uint32_t r = 0; r < n; r++) {                                                 \
                out[m] = r;                                                                    \
                m += (uint32_t)((U)a[r] - (U)(LO) <= (SPAN));                                  \
            }                                                                                  \
        } else {                                                                               \
            for (uint32_t i = 0; i < n; i++) {                                                 \
                uint32_t r = in ? in[i] : i;                                                   \
                out[m] = r;                                                                    \
                m += (uint32_t)((!nulls || tn_vector_is_valid(v, r)) &&                        \
                                (U)a[r] - (U)(LO) <= (SPAN));                                  \
            }                                                                                  \
        }                                                                                      \
    } while (0)
    if (w == 4) {
        uint32_t span = (uint32_t)((int32_t)hi) - (uint32_t)((int32_t)lo);
        RANGE_LOOP(int32_t, uint32_t, (int32_t)lo, span);
    } else if (w == 8) {
        uint64_t span = (uint64_t)((int64_t)hi) - (uint64_t)((int64_t)lo);
        RANGE_LOOP(int64_t, uint64_t, (int64_t)lo, span);
    } else {
        unsigned __int128 span = (unsigned __int128)hi - (unsigned __int128)lo;
        RANGE_LOOP(tn_i128, unsigned __int128, lo, span);
    }
#undef RANGE_LOOP
    return m;
}

/* Keeps rows keep[0..m) (ascending) of the first n rows of v, moved to rows [0, m). Rows
 * from m on are valid again but their values are left as they are: a filtered batch is
 * only read below its row count. */
static void vector_keep(tn_vector *v, const uint32_t *keep, uint32_t m, uint32_t n)
{
    if (v->null_count > 0) {
        uint32_t nulls = 0;
        for (uint32_t j = 0; j < m; j++) {
            bool valid = tn_vector_is_valid(v, keep[j]);
            if (valid)
                v->validity[j >> 3] |= (uint8_t)(1u << (j & 7));
            else
                v->validity[j >> 3] &= (uint8_t) ~(1u << (j & 7));
            nulls += !valid;
        }
        for (uint32_t j = m; j < n; j++)
            v->validity[j >> 3] |= (uint8_t)(1u << (j & 7));
        v->null_count = nulls;
    }
    if (tn_type_is_varlen(v->type)) {
        /* Bytes only move towards the start; each row's bounds are read before the offset
         * slot they sit in can be overwritten (slot j + 1 is written at step j, and step j
         * reads slots keep[j] >= j and keep[j] + 1). */
        int32_t *off = v->offsets;
        size_t pos = 0;
        int32_t next_start = m > 0 ? off[keep[0]] : 0;
        for (uint32_t j = 0; j < m; j++) {
            int32_t start = next_start, end = off[keep[j] + 1];
            if (j + 1 < m)
                next_start = off[keep[j + 1]];
            size_t len = (size_t)(end - start);
            if (len && pos != (size_t)start)
                memmove(v->data + pos, v->data + start, len);
            pos += len;
            off[j + 1] = (int32_t)pos;
        }
        v->data_len = pos;
        return;
    }
    if (v->type.id == TN_TYPE_BOOLEAN) {
        for (uint32_t j = 0; j < m; j++)
            tn_vector_set_bool(v, j, tn_vector_get_bool(v, keep[j]));
        return;
    }
    size_t w = tn_type_width(v->type);
    uint8_t *vals = v->values;
    if (w == 4) {
        for (uint32_t j = 0; j < m; j++)
            memcpy(vals + (size_t)j * 4, vals + (size_t)keep[j] * 4, 4);
    } else if (w == 8) {
        for (uint32_t j = 0; j < m; j++)
            memcpy(vals + (size_t)j * 8, vals + (size_t)keep[j] * 8, 8);
    } else {
        for (uint32_t j = 0; j < m; j++)
            memmove(vals + (size_t)j * w, vals + (size_t)keep[j] * w, w);
    }
}

/* The filter task of a piece: decodes the filter columns one after another, each at the
 * rows still selected, and narrows the batches' selections with their predicates. */
static int filter_piece(tn_parquet_scan *s, const piece *pc, window *w, tn_error *err)
{
    uint32_t keep[TN_BATCH_ROWS], tmp[TN_BATCH_ROWS];
    for (uint32_t f = 0; f < s->filter_col_count; f++) {
        uint32_t col = s->filter_cols[f];
        int rc = read_piece(s, pc, col, w, err);
        if (rc != 0)
            return rc;
        for (uint32_t b = 0; b < pc->batch_count; b++) {
            uint32_t bi = pc->batch_first + b;
            uint32_t n = w->sel_count[bi];
            if (n == 0)
                continue;
            tn_batch *batch = w->batches[bi];
            const tn_vector *v = &batch->columns[col];
            /* The column's rows [0, n) are the selected rows, in order. */
            uint32_t *in = NULL;
            uint32_t m = n;
            tn_i128 lo, hi;
            if (column_range(s, col, &lo, &hi)) {
                m = filter_range(v, lo, hi, NULL, n, keep);
                in = keep;
            }
            for (uint32_t i = 0; i < s->filter_count && m > 0 && !in; i++) {
                if (s->filters[i].col != col)
                    continue;
                uint32_t *dst = in == keep ? tmp : keep;
                m = filter_rows(&s->filters[i].pred, v, in, m, dst);
                in = dst;
            }
            uint32_t compared = m;
            for (uint32_t i = 0; i < s->row_test_count && m > 0; i++) {
                const scan_row_test *t = &s->row_tests[i];
                if (t->col != col)
                    continue;
                if (!in) {
                    for (uint32_t j = 0; j < n; j++)
                        keep[j] = j;
                    in = keep;
                }
                m = t->test.test(t->test.ctx, v, in, m, in);
            }
            /* When nearly every row passes, picking the survivors out of the other columns
             * costs more than decoding them all: the batch keeps its rows and the caller's
             * filter drops the few others. Rows a row test dropped must go: the caller does
             * not test them again. */
            if (!in || m == n || (m == compared && (uint64_t)m * 8 >= (uint64_t)n * 7))
                continue;
            /* Drop the rows from the selection and from the filter columns decoded so far. */
            uint32_t *sel = w->sel + (size_t)bi * s->batch_rows;
            for (uint32_t j = 0; j < m; j++)
                sel[j] = sel[in[j]];
            for (uint32_t g = 0; g <= f; g++)
                vector_keep(&batch->columns[s->filter_cols[g]], in, m, n);
            w->sel_count[bi] = m;
        }
    }
    return 0;
}

static void filter_task(void *ctx, size_t piece_idx, int worker_idx)
{
    (void)worker_idx;
    window *w = ctx;
    tn_parquet_scan *s = w->scan;
    const piece *pc = &w->pieces[piece_idx];
    size_t task = piece_idx * s->out_count + s->filter_cols[0];
    filter_piece(s, pc, w, &w->errors[task]);
}

static int by_cost_descending(const void *a, const void *b)
{
    const task_slot *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    /* Equal costs keep file order. */
    return x->task < y->task ? -1 : x->task > y->task;
}

/* Fills w->order with the tasks, largest estimated cost first. */
static void order_tasks(const tn_parquet_scan *s, window *w, size_t tasks)
{
    for (size_t t = 0; t < tasks; t++) {
        const piece *pc = &w->pieces[t / s->out_count];
        w->order[t].cost = (double)(pc->to - pc->from) * s->col_cost[t % s->out_count];
        w->order[t].task = t;
    }
    qsort(w->order, tasks, sizeof(task_slot), by_cost_descending);
}

/* Folds the measured task times into the columns' costs per row (half old, half new, so one
 * preempted task does not reorder everything). */
static void learn_costs(tn_parquet_scan *s, const window *w, size_t tasks)
{
    for (size_t t = 0; t < tasks; t++) {
        const piece *pc = &w->pieces[t / s->out_count];
        int64_t rows = pc->to - pc->from;
        if (rows <= 0 || w->cost[t] <= 0)
            continue;
        double *c = &s->col_cost[t % s->out_count];
        *c = 0.5 * *c + 0.5 * w->cost[t] / (double)rows;
    }
}

/* A batch whose vectors the decoding tasks allocate (batch_column). NULL when out of memory. */
static tn_batch *batch_shell(tn_parquet_scan *s, uint32_t rows)
{
    tn_batch *b = tn_calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->columns = tn_calloc(s->out_count ? s->out_count : 1, sizeof(tn_vector));
    if (!b->columns) {
        tn_free(b);
        return NULL;
    }
    b->schema = tn_schema_ref(s->schema);
    b->capacity = s->batch_rows;
    b->row_count = rows;
    return b;
}

static void free_batches(tn_batch **b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        tn_batch_free(b[i]);
}

/* Runs the filter tasks of a window (one per piece): afterwards every batch holds its
 * selected rows in the filter columns, its row count says how many, and w->sel says which
 * rows they were, for the other columns to read. */
static int filter_window(tn_parquet_scan *s, window *w, size_t tasks, tn_error *err)
{
    w->sel = tn_malloc((size_t)w->batch_count * s->batch_rows * sizeof(uint32_t));
    w->sel_count = tn_malloc((w->batch_count ? w->batch_count : 1) * sizeof(uint32_t));
    if (!w->sel || !w->sel_count)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t b = 0; b < w->batch_count; b++) {
        uint32_t rows = w->batches[b]->row_count;
        uint32_t *sel = w->sel + (size_t)b * s->batch_rows;
        for (uint32_t i = 0; i < rows; i++)
            sel[i] = i;
        w->sel_count[b] = rows;
    }
    int rc = tn_pool_run(s->pool, w->piece_count, filter_task, w);
    if (rc != 0)
        return tn_error_set(err, rc, "could not run the decoding tasks");
    for (size_t t = 0; t < tasks; t++) {
        if (w->errors[t].code != 0) {
            *err = w->errors[t];
            return w->errors[t].code;
        }
    }
    for (uint32_t b = 0; b < w->batch_count; b++)
        w->batches[b]->row_count = w->sel_count[b];
    return 0;
}

/* Decodes the next window into s->ready. */
static int run_window(tn_parquet_scan *s, tn_error *err)
{
    window w;
    memset(&w, 0, sizeof(w));
    w.scan = s;
    int rc = 0;
    /* Cut the window into pieces. */
    uint32_t max_pieces = s->plan_count - s->plan_next;
    w.pieces = tn_calloc(max_pieces ? max_pieces : 1, sizeof(piece));
    if (!w.pieces)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    int64_t budget = s->window_rows;
    uint32_t plan = s->plan_next;
    int64_t done = s->plan_done;
    uint32_t batch_count = 0;
    while (plan < s->plan_count && budget > 0) {
        int64_t left = s->plans[plan].selected - done;
        int64_t take = left < budget ? left : budget;
        piece *pc = &w.pieces[w.piece_count++];
        pc->plan = plan;
        pc->from = done;
        pc->to = done + take;
        pc->batch_first = batch_count;
        pc->batch_count = (uint32_t)((take + s->batch_rows - 1) / s->batch_rows);
        batch_count += pc->batch_count;
        budget -= take;
        if (take == left) {
            plan++;
            done = 0;
        } else {
            done += take;
        }
    }
    w.batches = tn_calloc(batch_count ? batch_count : 1, sizeof(tn_batch *));
    size_t tasks = (size_t)w.piece_count * s->out_count;
    w.errors = tn_calloc(tasks ? tasks : 1, sizeof(tn_error));
    w.order = tn_malloc((tasks ? tasks : 1) * sizeof(task_slot));
    w.cost = tn_calloc(tasks ? tasks : 1, sizeof(double));
    if (!w.batches || !w.errors || !w.order || !w.cost) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < w.piece_count; i++) {
        const piece *pc = &w.pieces[i];
        if (!s->plan_cols[pc->plan]) {
            s->plan_cols[pc->plan] = tn_calloc(s->out_count ? s->out_count : 1, sizeof(col_state));
            if (!s->plan_cols[pc->plan]) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto done;
            }
        }
        int64_t rows = pc->to - pc->from;
        for (uint32_t b = 0; b < pc->batch_count; b++) {
            int64_t r = rows - (int64_t)b * s->batch_rows;
            tn_batch *batch = batch_shell(s, (uint32_t)(r < s->batch_rows ? r : s->batch_rows));
            if (!batch) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto done;
            }
            w.batches[pc->batch_first + b] = batch;
            w.batch_count++;
        }
    }
    if (tasks > 0 && s->filter_col_count > 0) {
        rc = filter_window(s, &w, tasks, err);
        if (rc != 0)
            goto done;
    }
    if (tasks > 0) {
        order_tasks(s, &w, tasks);
        rc = tn_pool_run(s->pool, tasks, window_task, &w);
        if (rc != 0) {
            tn_error_set(err, rc, "could not run the decoding tasks");
            goto done;
        }
        learn_costs(s, &w, tasks);
        for (size_t t = 0; t < tasks; t++) {
            if (w.errors[t].code != 0) {
                *err = w.errors[t];
                rc = w.errors[t].code;
                goto done;
            }
        }
    }
    if (w.sel) {
        /* Batches whose rows were all filtered out are not handed on. */
        uint32_t kept = 0;
        for (uint32_t b = 0; b < w.batch_count; b++) {
            if (w.batches[b]->row_count == 0)
                tn_batch_free(w.batches[b]);
            else
                w.batches[kept++] = w.batches[b];
        }
        w.batch_count = kept;
    }
    /* Finished plans free their column states. */
    for (uint32_t p = s->plan_next; p < plan; p++) {
        if (s->plan_cols[p]) {
            for (uint32_t c = 0; c < s->out_count; c++) {
                s->stats.pages_pruned += s->plan_cols[p][c].pages_skipped;
                col_state_close(&s->plan_cols[p][c]);
            }
            tn_free(s->plan_cols[p]);
            s->plan_cols[p] = NULL;
        }
    }
    s->plan_next = plan;
    s->plan_done = done;
    if (s->window_rows < s->window_max)
        s->window_rows = s->window_rows * 2 < s->window_max ? s->window_rows * 2 : s->window_max;
    s->ready = w.batches;
    s->ready_count = w.batch_count;
    s->ready_pos = 0;
    w.batches = NULL;
done:
    if (w.batches)
        free_batches(w.batches, w.batch_count);
    tn_free(w.batches);
    tn_free(w.errors);
    tn_free(w.order);
    tn_free(w.cost);
    tn_free(w.pieces);
    tn_free(w.sel);
    tn_free(w.sel_count);
    return rc;
}

/* The row tests on projected columns, tested after their column's predicates (their columns
 * are decoded first, in the order their first predicate or test came). */
static int plan_row_tests(tn_parquet_scan *s, const tn_parquet_scan_options *opts,
                          tn_error *err)
{
    if (opts->row_test_count == 0)
        return 0;
    s->row_tests = tn_arena_alloc(&s->arena, opts->row_test_count * sizeof(scan_row_test));
    if (!s->row_tests)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
    for (uint32_t i = 0; i < opts->row_test_count; i++) {
        const tn_parquet_row_test *t = &opts->row_tests[i];
        uint32_t col = 0;
        while (col < s->out_count && s->outs[col] != t->column)
            col++;
        if (col == s->out_count || !t->test)
            continue;
        s->row_tests[s->row_test_count++] = (scan_row_test){.col = col, .idx = i, .test = *t};
        if (!s->is_filter_col[col]) {
            s->is_filter_col[col] = true;
            s->filter_cols[s->filter_col_count++] = col;
        }
    }
    return 0;
}

/* Chooses the predicates the scan evaluates itself: those on projected flat columns that
 * filter_supported accepts. Nested columns in the projection turn it off (their rows cannot
 * be passed over one by one). */
static int plan_filters(tn_parquet_scan *s, const tn_parquet_scan_options *opts,
                        tn_error *err)
{
    if ((opts->predicate_count == 0 && opts->row_test_count == 0) || s->out_count == 0 ||
        s->batch_rows > TN_BATCH_ROWS)
        return 0;
    for (uint32_t i = 0; i < s->out_count; i++)
        if (s->file->outs[s->outs[i]].nested)
            return 0;
    s->filters = tn_arena_alloc(&s->arena, (opts->predicate_count + 1) * sizeof(scan_filter));
    s->filter_cols = tn_arena_alloc(&s->arena, s->out_count * sizeof(uint32_t));
    s->is_filter_col = tn_arena_calloc(&s->arena, s->out_count * sizeof(bool));
    if (!s->filters || !s->filter_cols || !s->is_filter_col)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
    for (uint32_t i = 0; i < opts->predicate_count; i++) {
        const tn_parquet_predicate *p = &opts->predicates[i];
        uint32_t col = 0;
        while (col < s->out_count && s->outs[col] != p->column)
            col++;
        if (col == s->out_count || !filter_supported(p, s->schema->columns[col].type))
            continue;
        scan_filter *f = &s->filters[s->filter_count++];
        f->col = col;
        f->pred = *p;
        if (tn_type_is_varlen(s->schema->columns[col].type) && p->value.s.len > 0) {
            /* The constant is borrowed only for tn_parquet_scan_open. */
            char *copy = tn_arena_alloc(&s->arena, p->value.s.len);
            if (!copy)
                return tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
            memcpy(copy, p->value.s.ptr, p->value.s.len);
            f->pred.value.s = tn_str_make(copy, p->value.s.len);
        }
        if (!s->is_filter_col[col]) {
            s->is_filter_col[col] = true;
            s->filter_cols[s->filter_col_count++] = col;
        }
    }
    return plan_row_tests(s, opts, err);
}

/* ------------------------------------------------------------------------------------------
 * Public entry points
 * ---------------------------------------------------------------------------------------- */

int tn_parquet_scan_open(tn_parquet_file *file, const tn_parquet_scan_options *opts,
                         tn_parquet_scan **out, tn_error *err)
{
    *out = NULL;
    tn_parquet_scan_options none;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        opts = &none;
    }
    for (uint32_t i = 0; opts->columns && i < opts->column_count; i++) {
        if (opts->columns[i] >= file->out_count)
            return tn_error_set(err, TN_EINVAL, "projected column %u does not exist (the file "
                                "has %u columns)", opts->columns[i], file->out_count);
    }
    for (uint32_t i = 0; i < opts->predicate_count; i++) {
        if (opts->predicates[i].column >= file->out_count)
            return tn_error_set(err, TN_EINVAL, "predicate column %u does not exist (the file "
                                "has %u columns)", opts->predicates[i].column, file->out_count);
    }
    tn_parquet_scan *s = tn_calloc(1, sizeof(*s));
    if (!s)
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
    tn_arena_init(&s->arena, 0);
    s->file = file;
    s->batch_rows = opts->batch_rows ? opts->batch_rows : TN_BATCH_ROWS;
    int rc = 0;
    s->out_count = opts->columns ? opts->column_count : file->out_count;
    s->outs = tn_arena_alloc(&s->arena, (s->out_count ? s->out_count : 1) * sizeof(uint32_t));
    s->schema = tn_schema_new();
    if (!s->outs || !s->schema) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
        goto fail;
    }
    for (uint32_t i = 0; i < s->out_count; i++) {
        s->outs[i] = opts->columns ? opts->columns[i] : i;
        const tn_column *col = &file->schema->columns[s->outs[i]];
        if (tn_schema_add(s->schema, col->name, col->type, col->nullable) != 0) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
            goto fail;
        }
        s->schema->columns[i].field_id = col->field_id;
    }
    if (opts->dictionary) {
        s->dictionary = tn_arena_alloc(&s->arena, (s->out_count ? s->out_count : 1) * sizeof(bool));
        if (!s->dictionary) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
            goto fail;
        }
        memcpy(s->dictionary, opts->dictionary, s->out_count * sizeof(bool));
    }
    if ((rc = plan_scan(s, opts, err)) != 0)
        goto fail;
    if ((rc = plan_filters(s, opts, err)) != 0)
        goto fail;
    /* the scan's own predicates compare decoded values: their columns come out plain */
    for (uint32_t i = 0; s->dictionary && s->is_filter_col && i < s->out_count; i++)
        if (s->is_filter_col[i])
            s->dictionary[i] = false;
    s->plan_cols = tn_calloc(s->plan_count ? s->plan_count : 1, sizeof(col_state *));
    if (!s->plan_cols) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
        goto fail;
    }
    if (opts->threads == 1) {
        s->pool = NULL;
    } else if (opts->threads > 1) {
        rc = tn_pool_create(opts->threads, &s->pool);
        if (rc != 0) {
            rc = tn_error_set(err, rc, "could not start %d threads", opts->threads);
            goto fail;
        }
        s->own_pool = true;
    } else {
        s->pool = tn_pool_shared();
    }
    /* Window size from the decoded bytes a row of the projection takes; first estimates of
     * the columns' costs from their own share. */
    s->col_cost = tn_arena_calloc(&s->arena, (s->out_count ? s->out_count : 1) * sizeof(double));
    if (!s->col_cost) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory opening a scan");
        goto fail;
    }
    int64_t bytes = 0, rows = 0;
    for (uint32_t g = 0; g < file->md.row_group_count; g++) {
        const tn_parquet_row_group *rg = &file->md.row_groups[g];
        rows += rg->num_rows;
        for (uint32_t i = 0; i < s->out_count; i++) {
            const pq_out *o = &file->outs[s->outs[i]];
            for (uint32_t l = 0; l < o->leaf_count; l++) {
                int64_t u = rg->columns[o->leaf_first + l].meta_data.total_uncompressed_size;
                if (u > 0 && __builtin_add_overflow(bytes, u, &bytes))
                    bytes = INT64_MAX / 2;
                if (u > 0)
                    s->col_cost[i] += (double)u;
            }
        }
    }
    for (uint32_t i = 0; i < s->out_count; i++)
        s->col_cost[i] = COST_NS_PER_ROW +
                         COST_NS_PER_BYTE * (rows > 0 ? s->col_cost[i] / (double)rows : 0);
    int64_t per_row = rows > 0 ? bytes / rows + (int64_t)s->out_count * 8 + 1 : 64;
    int threads = s->pool ? tn_pool_threads(s->pool) : 1;
    int64_t budget = WINDOW_BYTES_PER_THREAD * threads;
    if (budget < WINDOW_BYTES_MIN)
        budget = WINDOW_BYTES_MIN;
    int64_t w = budget / per_row;
    if (w > WINDOW_MAX_ROWS)
        w = WINDOW_MAX_ROWS;
    w -= w % s->batch_rows;
    if (w < s->batch_rows)
        w = s->batch_rows;
    s->window_max = w;
    /* Start small and double: a footer that claims billions of rows in a tiny file then
     * costs one small window before the data runs out, not gigabytes of empty batches. */
    s->window_rows = WINDOW_FIRST_ROWS - WINDOW_FIRST_ROWS % s->batch_rows;
    if (s->window_rows < s->batch_rows)
        s->window_rows = s->batch_rows;
    if (s->window_rows > w)
        s->window_rows = w;
    *out = s;
    return 0;
fail:
    tn_parquet_scan_close(s);
    return rc;
}

const tn_schema *tn_parquet_scan_schema(const tn_parquet_scan *scan) { return scan->schema; }

int tn_parquet_scan_next(tn_parquet_scan *s, tn_batch **out, tn_error *err)
{
    *out = NULL;
    if (s->failed)
        return tn_error_set(err, TN_EINVAL, "the scan of %s failed earlier", s->file->src.name);
    while (s->ready_pos == s->ready_count) {
        tn_free(s->ready);
        s->ready = NULL;
        s->ready_count = s->ready_pos = 0;
        if (s->plan_next >= s->plan_count)
            return 0;
        int rc = run_window(s, err);
        if (rc != 0) {
            s->failed = true;
            return rc;
        }
    }
    *out = s->ready[s->ready_pos];
    s->ready[s->ready_pos++] = NULL;
    s->stats.rows_read += (*out)->row_count;
    return 0;
}

void tn_parquet_scan_get_stats(const tn_parquet_scan *scan, tn_parquet_scan_stats *out)
{
    *out = scan->stats;
}

bool tn_parquet_scan_row_test_applied(const tn_parquet_scan *scan, uint32_t i)
{
    for (uint32_t t = 0; t < scan->row_test_count; t++)
        if (scan->row_tests[t].idx == i)
            return true;
    return false;
}

void tn_parquet_scan_close(tn_parquet_scan *s)
{
    if (!s)
        return;
    if (s->ready) {
        for (uint32_t i = s->ready_pos; i < s->ready_count; i++)
            tn_batch_free(s->ready[i]);
        tn_free(s->ready);
    }
    if (s->plan_cols) {
        for (uint32_t p = 0; p < s->plan_count; p++) {
            if (!s->plan_cols[p])
                continue;
            for (uint32_t c = 0; c < s->out_count; c++)
                col_state_close(&s->plan_cols[p][c]);
            tn_free(s->plan_cols[p]);
        }
        tn_free(s->plan_cols);
    }
    if (s->own_pool)
        tn_pool_destroy(s->pool);
    tn_schema_unref(s->schema);
    tn_arena_free(&s->arena);
    tn_free(s);
}
