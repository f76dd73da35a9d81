/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: inner joins in a good order. A region of inner joins and cross products (comma joins)
 * with the filters over them is flattened into its inputs ("leaves") and the conjuncts of
 * every WHERE, ON and residual condition. Conjuncts on one leaf become a filter on that leaf
 * (push_filters then moves it into the scan). The join tree is rebuilt greedily, left-deep:
 * start from the largest leaf (estimated rows after its filters: the fact table of a star
 * schema) or, when every leaf is small, from the smallest, then add the leaf joined by an
 * equality to the tree so far whose join keeps the fewest rows (the filtered dimensions
 * first, so later joins probe fewer rows; the smaller leaf among equals), and only when none
 * is joined, the smallest leaf as a cross product. (Starting from the smallest of large
 * tables would join two dimensions on a shared non-key column, customer and supplier on
 * their nation in TPC-H Q5, before the keys that keep the result small.) Each equality
 * between the two sides becomes a hash key, other conjuncts a residual at the first join that
 * sees all their columns, and the smaller side is put on the right, the build side of the
 * hash join. A projection on top restores the column order the operators above expect
 * (prune_columns removes it when it can).
 *
 * Conjuncts that are opaque (subqueries, volatile calls) stay in a filter over the region, in
 * the original column order. Estimates: the binder's (catalog statistics of lake tables,
 * Parquet footers, in-memory row counts), CSV/JSON files by size, 1000 when unknown; each
 * filter conjunct keeps a fixed fraction; an equality join is taken to be on a key of the
 * smaller table (join_estimate).
 */
#include "sql/optimizer/optimizer_int.h"

#include <sys/stat.h>

#define MAX_LEAVES        64
#define UNKNOWN_ROWS      1000.0
#define CSV_BYTES_PER_ROW 64.0
#define LARGE_INPUT_ROWS  10000.0 /* from here on the largest input starts the join order */

typedef struct leaf {
    tn_plan_op *op;
    uint32_t base;    /* first global column */
    double est;       /* estimated rows after its own filters */
    double base_rows; /* estimated rows before them */
} leaf;

typedef struct conj {
    tn_plan_expr *e; /* over global columns (or the region's layout when opaque) */
    uint64_t mask;   /* leaves it reads */
    bool opaque;
    bool placed;
} conj;

typedef struct region {
    tn_arena *arena;
    tn_plan *plan;
    leaf *leaves;
    uint32_t leaf_count, leaf_cap;
    conj *conjs;
    uint32_t conj_count, conj_cap;
    uint32_t column_count; /* global columns */
    uint32_t *col_leaf;    /* global column -> leaf */
    bool give_up;          /* something the rule cannot rebuild */
} region;

typedef struct tree {
    tn_plan_op *op;
    uint32_t *layout; /* position -> global column */
    uint64_t mask;
    double est;
} tree;

static int process(tn_arena *arena, tn_plan *plan, tn_plan_op **slot);

static bool is_join_node(const tn_plan_op *op)
{
    return op->kind == TN_PLAN_CROSS ||
           (op->kind == TN_PLAN_JOIN && op->join.type == TN_PLAN_JOIN_INNER);
}

static bool is_region_root(const tn_plan_op *op)
{
    while (op->kind == TN_PLAN_FILTER) op = op->children[0];
    return is_join_node(op);
}

static double base_estimate(const tn_plan_op *op)
{
    if (op->estimated_rows >= 0) return op->estimated_rows;
    if (op->kind == TN_PLAN_SCAN && op->scan.source == TN_PLAN_SOURCE_FILES) {
        double bytes = 0;
        for (uint32_t i = 0; i < op->scan.path_count; i++) {
            struct stat st;
            if (stat(op->scan.paths[i], &st) == 0) bytes += (double)st.st_size;
        }
        if (bytes > 0) return bytes / CSV_BYTES_PER_ROW + 1;
    }
    if (op->kind == TN_PLAN_FILTER) return base_estimate(op->children[0]) * 0.5;
    return UNKNOWN_ROWS;
}

/* The fraction of rows a filter conjunct keeps: a fixed guess per shape. */
static double selectivity(const tn_plan_expr *e)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_COMPARE:
        if (e->compare.op == TN_PLAN_CMP_EQ || e->compare.op == TN_PLAN_CMP_NOT_DISTINCT)
            return 0.1;
        if (e->compare.op == TN_PLAN_CMP_NE || e->compare.op == TN_PLAN_CMP_DISTINCT) return 0.9;
        return 0.3;
    case TN_PLAN_EXPR_IN_LIST:
        return e->in_list.negated ? 0.9 : 0.2;
    case TN_PLAN_EXPR_IS_NULL:
        return e->is_null.negated ? 0.9 : 0.1;
    case TN_PLAN_EXPR_CALL:
        /* a pattern match keeps few rows (LIKE '%green%') */
        if (e->call.func && e->call.func->name &&
            (strcmp(e->call.func->name, "like") == 0 || strcmp(e->call.func->name, "ilike") == 0))
            return 0.1;
        return 0.5;
    default:
        return 0.5;
    }
}

static int add_conj(region *r, tn_plan_expr *e, uint32_t base, uint32_t local_count)
{
    if (r->conj_count == r->conj_cap) {
        uint32_t cap = r->conj_cap ? r->conj_cap * 2 : 16;
        conj *nc = tn_arena_alloc(r->arena, cap * sizeof *nc);
        if (!nc) return TN_ENOMEM;
        if (r->conj_count) memcpy(nc, r->conjs, r->conj_count * sizeof *nc);
        r->conjs = nc;
        r->conj_cap = cap;
    }
    conj *c = &r->conjs[r->conj_count];
    memset(c, 0, sizeof *c);
    uint8_t *used = tn_arena_calloc(r->arena, local_count + 1);
    if (!used) return TN_ENOMEM;
    c->opaque = !tn_opt_expr_columns(e, used, local_count);
    if (c->opaque) {
        /* it stays over the region's columns, which only match here from column 0 on */
        if (base != 0) r->give_up = true;
        c->e = e;
        r->conj_count++;
        return 0;
    }
    uint32_t *map = tn_arena_alloc(r->arena, (local_count + 1) * sizeof *map);
    if (!map) return TN_ENOMEM;
    for (uint32_t i = 0; i < local_count; i++) {
        map[i] = base + i;
        if (used[i]) c->mask |= 1ull << r->col_leaf[base + i];
    }
    c->e = base ? tn_opt_expr_remap(r->arena, r->plan, e, map) : e;
    if (!c->e) return TN_ENOMEM;
    r->conj_count++;
    return 0;
}

static int add_condition(region *r, tn_plan_expr *cond, uint32_t base, uint32_t local_count)
{
    tn_plan_expr **list;
    int n = tn_opt_conjuncts(r->arena, cond, &list);
    if (n < 0) return TN_ENOMEM;
    for (int i = 0; i < n; i++) {
        int rc = add_conj(r, list[i], base, local_count);
        if (rc) return rc;
    }
    return 0;
}

/* First pass: the leaves and their global column ranges. */
static int collect_leaves(region *r, tn_plan_op *op, uint32_t base)
{
    int rc;
    if (op->kind == TN_PLAN_FILTER && is_region_root(op->children[0]))
        return collect_leaves(r, op->children[0], base);
    if (is_join_node(op)) {
        if ((rc = collect_leaves(r, op->children[0], base)) != 0) return rc;
        return collect_leaves(r, op->children[1], base + op->children[0]->column_count);
    }
    if (r->leaf_count == r->leaf_cap) {
        uint32_t cap = r->leaf_cap ? r->leaf_cap * 2 : 16;
        leaf *nl = tn_arena_alloc(r->arena, cap * sizeof *nl);
        if (!nl) return TN_ENOMEM;
        if (r->leaf_count) memcpy(nl, r->leaves, r->leaf_count * sizeof *nl);
        r->leaves = nl;
        r->leaf_cap = cap;
    }
    r->leaves[r->leaf_count].op = op;
    r->leaves[r->leaf_count].base = base;
    r->leaf_count++;
    return 0;
}

/* Second pass: the conjuncts, over global columns. */
static int collect_conjuncts(region *r, tn_plan_op *op, uint32_t base)
{
    int rc;
    if (op->kind == TN_PLAN_FILTER && is_region_root(op->children[0])) {
        if ((rc = add_condition(r, op->filter.condition, base, op->column_count)) != 0) return rc;
        return collect_conjuncts(r, op->children[0], base);
    }
    if (!is_join_node(op)) return 0;
    uint32_t lc = op->children[0]->column_count;
    if ((rc = collect_conjuncts(r, op->children[0], base)) != 0 ||
        (rc = collect_conjuncts(r, op->children[1], base + lc)) != 0)
        return rc;
    if (op->kind != TN_PLAN_JOIN) return 0;
    for (uint32_t k = 0; k < op->join.key_count; k++) {
        /* a key pair is the equality left = right over the join's columns */
        tn_plan_expr *eq = tn_plan_expr_new(r->arena, r->plan, TN_PLAN_EXPR_COMPARE,
                                            tn_type_make(TN_TYPE_BOOLEAN));
        uint32_t *rmap =
            tn_arena_alloc(r->arena, (op->children[1]->column_count + 1) * sizeof *rmap);
        if (!eq || !rmap) return TN_ENOMEM;
        for (uint32_t i = 0; i < op->children[1]->column_count; i++) rmap[i] = lc + i;
        eq->compare.op = TN_PLAN_CMP_EQ;
        eq->compare.left = op->join.left_keys[k];
        eq->compare.right = tn_opt_expr_remap(r->arena, r->plan, op->join.right_keys[k], rmap);
        if (!eq->compare.right) return TN_ENOMEM;
        if ((rc = add_conj(r, eq, base, op->column_count)) != 0) return rc;
    }
    if (op->join.residual) return add_condition(r, op->join.residual, base, op->column_count);
    return 0;
}

/* The leaves a part of a conjunct reads. */
static uint64_t expr_mask(region *r, const tn_plan_expr *e)
{
    uint8_t *used = tn_arena_calloc(r->arena, r->column_count + 1);
    if (!used) return ~0ull;
    tn_opt_expr_columns(e, used, r->column_count);
    uint64_t m = 0;
    for (uint32_t i = 0; i < r->column_count; i++)
        if (used[i]) m |= 1ull << r->col_leaf[i];
    return m;
}

/* Position of each global column in a layout (UINT32_MAX when absent). */
static uint32_t *positions(region *r, const uint32_t *layout, uint32_t count)
{
    uint32_t *pos = tn_arena_alloc(r->arena, (r->column_count + 1) * sizeof *pos);
    if (!pos) return NULL;
    for (uint32_t i = 0; i < r->column_count; i++) pos[i] = UINT32_MAX;
    for (uint32_t i = 0; i < count; i++) pos[layout[i]] = i;
    return pos;
}

/* Wraps leaf i in a filter with its own conjuncts and estimates its rows. */
static int filter_leaf(region *r, uint32_t i, tree *out)
{
    leaf *l = &r->leaves[i];
    uint32_t n = l->op->column_count;
    tn_plan_expr **mine = tn_arena_alloc(r->arena, (r->conj_count + 1) * sizeof *mine);
    uint32_t *map = tn_arena_alloc(r->arena, (r->column_count + 1) * sizeof *map);
    uint32_t count = 0;
    if (!mine || !map) return TN_ENOMEM;
    for (uint32_t g = 0; g < r->column_count; g++) map[g] = g >= l->base ? g - l->base : 0;
    l->est = base_estimate(l->op);
    l->base_rows = l->est;
    for (uint32_t c = 0; c < r->conj_count; c++) {
        conj *cj = &r->conjs[c];
        bool here = cj->mask == (1ull << i) || (cj->mask == 0 && i == 0);
        if (cj->opaque || cj->placed || !here) continue;
        if (!(mine[count] = tn_opt_expr_remap(r->arena, r->plan, cj->e, map))) return TN_ENOMEM;
        count++;
        cj->placed = true;
        l->est *= selectivity(cj->e);
    }
    tn_plan_op *op = l->op;
    if (count) {
        tn_plan_op *f = tn_plan_op_new(r->arena, TN_PLAN_FILTER, n);
        if (!f) return TN_ENOMEM;
        memcpy(f->columns, op->columns, n * sizeof *f->columns);
        f->children[0] = op;
        f->child_count = 1;
        if (!(f->filter.condition = tn_opt_and(r->arena, r->plan, mine, count))) return TN_ENOMEM;
        f->estimated_rows = l->est;
        op = f;
    }
    out->op = op;
    out->layout = tn_arena_alloc(r->arena, (n + 1) * sizeof *out->layout);
    if (!out->layout) return TN_ENOMEM;
    for (uint32_t k = 0; k < n; k++) out->layout[k] = l->base + k;
    out->mask = 1ull << i;
    out->est = l->est;
    return 0;
}

/* Whether an unplaced conjunct is an equality between the tree and leaf j. */
static bool joins(region *r, const tree *t, uint32_t j)
{
    uint64_t bit = 1ull << j;
    for (uint32_t c = 0; c < r->conj_count; c++) {
        const conj *cj = &r->conjs[c];
        if (cj->opaque || cj->placed || !(cj->mask & bit) || !(cj->mask & t->mask) ||
            (cj->mask & ~(t->mask | bit)))
            continue;
        if (cj->e->kind == TN_PLAN_EXPR_COMPARE && cj->e->compare.op == TN_PLAN_CMP_EQ) return true;
    }
    return false;
}

/* Estimated rows of the tree joined with leaf j on their unplaced equalities. An equality
 * between leaf a and leaf j is taken to match a key of the smaller of the two tables (before
 * filters), so its distinct values are that table's rows: out = |tree| * |j| / distinct
 * (lineitem with filtered orders keeps orders' fraction of lineitem; lineitem with supplier
 * keeps all of it). With several equalities the most selective counts. No equality: the
 * cross product. */
static double join_estimate(region *r, const leaf *leaves, const tree *t, uint32_t j)
{
    uint64_t bit = 1ull << j;
    double distinct = 0;
    for (uint32_t c = 0; c < r->conj_count; c++) {
        const conj *cj = &r->conjs[c];
        if (cj->opaque || cj->placed || !(cj->mask & bit) || !(cj->mask & t->mask) ||
            (cj->mask & ~(t->mask | bit)) || cj->e->kind != TN_PLAN_EXPR_COMPARE ||
            cj->e->compare.op != TN_PLAN_CMP_EQ)
            continue;
        uint64_t other = cj->mask & ~bit;
        if (other & (other - 1))
            continue; /* reads several leaves of the tree: no simple key */
        double d = leaves[__builtin_ctzll(other)].base_rows;
        if (leaves[j].base_rows < d)
            d = leaves[j].base_rows;
        if (d > distinct)
            distinct = d;
    }
    if (distinct < 1)
        return t->est * leaves[j].est;
    return t->est * leaves[j].est / distinct;
}

/* Joins two trees, placing every conjunct whose leaves are now all present. */
static int join_trees(region *r, const tree *left, const tree *right, bool equi, double join_est,
                      tree *out)
{
    uint32_t lc = left->op->column_count, rc_ = right->op->column_count;
    tn_plan_op *j = tn_plan_op_new(r->arena, TN_PLAN_JOIN, lc + rc_);
    uint32_t *layout = tn_arena_alloc(r->arena, (lc + rc_ + 1) * sizeof *layout);
    tn_plan_expr **lk = tn_arena_alloc(r->arena, (r->conj_count + 1) * sizeof *lk);
    tn_plan_expr **rk = tn_arena_alloc(r->arena, (r->conj_count + 1) * sizeof *rk);
    tn_plan_expr **rest = tn_arena_alloc(r->arena, (r->conj_count + 1) * sizeof *rest);
    if (!j || !layout || !lk || !rk || !rest) return TN_ENOMEM;
    memcpy(j->columns, left->op->columns, lc * sizeof *j->columns);
    memcpy(j->columns + lc, right->op->columns, rc_ * sizeof *j->columns);
    memcpy(layout, left->layout, lc * sizeof *layout);
    memcpy(layout + lc, right->layout, rc_ * sizeof *layout);
    uint32_t *lpos = positions(r, left->layout, lc);
    uint32_t *rpos = positions(r, right->layout, rc_);
    uint32_t *jpos = positions(r, layout, lc + rc_);
    if (!lpos || !rpos || !jpos) return TN_ENOMEM;
    uint64_t mask = left->mask | right->mask;
    uint32_t keys = 0, rest_count = 0;
    double est = equi ? join_est : left->est * right->est;
    for (uint32_t c = 0; c < r->conj_count; c++) {
        conj *cj = &r->conjs[c];
        if (cj->opaque || cj->placed || (cj->mask & ~mask)) continue;
        cj->placed = true;
        tn_plan_expr *e = cj->e;
        if (e->kind == TN_PLAN_EXPR_COMPARE && e->compare.op == TN_PLAN_CMP_EQ) {
            uint64_t a = expr_mask(r, e->compare.left), b = expr_mask(r, e->compare.right);
            const tn_plan_expr *le = NULL, *re = NULL;
            if (a && b && !(a & ~left->mask) && !(b & ~right->mask)) {
                le = e->compare.left;
                re = e->compare.right;
            } else if (a && b && !(b & ~left->mask) && !(a & ~right->mask)) {
                le = e->compare.right;
                re = e->compare.left;
            }
            if (le) {
                lk[keys] = tn_opt_expr_remap(r->arena, r->plan, le, lpos);
                rk[keys] = tn_opt_expr_remap(r->arena, r->plan, re, rpos);
                if (!lk[keys] || !rk[keys]) return TN_ENOMEM;
                keys++;
                continue;
            }
        }
        if (!(rest[rest_count] = tn_opt_expr_remap(r->arena, r->plan, e, jpos))) return TN_ENOMEM;
        rest_count++;
        est *= selectivity(e);
    }
    j->children[0] = left->op;
    j->children[1] = right->op;
    j->child_count = 2;
    if (keys == 0 && rest_count == 0) {
        j->kind = TN_PLAN_CROSS;
    } else {
        j->join.type = TN_PLAN_JOIN_INNER;
        j->join.left_keys = lk;
        j->join.right_keys = rk;
        j->join.key_count = keys;
        j->join.residual = tn_opt_and(r->arena, r->plan, rest, rest_count);
        if (rest_count && !j->join.residual) return TN_ENOMEM;
    }
    j->estimated_rows = est;
    out->op = j;
    out->layout = layout;
    out->mask = mask;
    out->est = est;
    return 0;
}

/* Rebuilds the region rooted at *slot. */
static int rebuild(region *r, tn_plan_op **slot)
{
    tn_plan_op *root = *slot;
    tree *leaves = tn_arena_calloc(r->arena, r->leaf_count * sizeof *leaves);
    if (!leaves) return TN_ENOMEM;
    int rc;
    for (uint32_t i = 0; i < r->leaf_count; i++)
        if ((rc = filter_leaf(r, i, &leaves[i])) != 0) return rc;
    /* A large input (a fact table) is the probe side all the way up: every hash table is
     * built on a smaller input, and a key join keeps the size of its larger side. When every
     * input is small, the most selective one starts: each intermediate result stays tiny. */
    uint32_t start = 0, largest = 0;
    for (uint32_t i = 1; i < r->leaf_count; i++) {
        if (leaves[i].est < leaves[start].est) start = i;
        if (leaves[i].est > leaves[largest].est) largest = i;
    }
    if (leaves[largest].est >= LARGE_INPUT_ROWS) start = largest;
    tree cur = leaves[start];
    for (uint32_t step = 1; step < r->leaf_count; step++) {
        /* the joined leaf that keeps the result smallest (the most selective join first,
         * so every later join probes fewer rows); among equals the smaller leaf */
        int best = -1;
        bool best_joined = false;
        double best_est = 0;
        for (uint32_t j = 0; j < r->leaf_count; j++) {
            if (cur.mask & (1ull << j)) continue;
            bool joined = joins(r, &cur, j);
            double est = join_estimate(r, r->leaves, &cur, j);
            bool better;
            if (best < 0 || joined != best_joined)
                better = best < 0 || joined;
            else if (est < best_est * 0.999 || est > best_est * 1.001)
                better = est < best_est;
            else
                better = leaves[j].est < leaves[best].est;
            if (better) {
                best = (int)j;
                best_joined = joined;
                best_est = est;
            }
        }
        tree next;
        const tree *add = &leaves[best];
        /* the smaller input is the build side (the right child) */
        if (add->est <= cur.est)
            rc = join_trees(r, &cur, add, best_joined, best_est, &next);
        else
            rc = join_trees(r, add, &cur, best_joined, best_est, &next);
        if (rc) return rc;
        cur = next;
    }
    tn_plan_op *top = cur.op;
    bool identity = true;
    for (uint32_t i = 0; i < r->column_count; i++) identity &= cur.layout[i] == i;
    if (!identity) {
        tn_plan_op *p = tn_plan_op_new(r->arena, TN_PLAN_PROJECT, r->column_count);
        uint32_t *pos = positions(r, cur.layout, r->column_count);
        if (!p || !pos) return TN_ENOMEM;
        p->project.exprs =
            tn_arena_alloc(r->arena, (r->column_count + 1) * sizeof *p->project.exprs);
        if (!p->project.exprs) return TN_ENOMEM;
        for (uint32_t i = 0; i < r->column_count; i++) {
            p->columns[i] = root->columns[i];
            p->project.exprs[i] =
                tn_opt_column(r->arena, r->plan, pos[i], top->columns[pos[i]].type);
            if (!p->project.exprs[i]) return TN_ENOMEM;
        }
        p->children[0] = top;
        p->child_count = 1;
        p->estimated_rows = cur.est;
        top = p;
    }
    tn_plan_expr **opaque = tn_arena_alloc(r->arena, (r->conj_count + 1) * sizeof *opaque);
    uint32_t opaque_count = 0;
    if (!opaque) return TN_ENOMEM;
    for (uint32_t c = 0; c < r->conj_count; c++)
        if (r->conjs[c].opaque) opaque[opaque_count++] = r->conjs[c].e;
    if (opaque_count) {
        tn_plan_op *f = tn_plan_op_new(r->arena, TN_PLAN_FILTER, r->column_count);
        if (!f) return TN_ENOMEM;
        memcpy(f->columns, root->columns, r->column_count * sizeof *f->columns);
        f->children[0] = top;
        f->child_count = 1;
        f->filter.condition = tn_opt_and(r->arena, r->plan, opaque, opaque_count);
        if (!f->filter.condition) return TN_ENOMEM;
        f->estimated_rows = cur.est * 0.5;
        top = f;
    }
    *slot = top;
    return 0;
}

static int region_rule(tn_arena *arena, tn_plan *plan, tn_plan_op **slot)
{
    region r;
    memset(&r, 0, sizeof r);
    r.arena = arena;
    r.plan = plan;
    tn_plan_op *root = *slot;
    int rc = collect_leaves(&r, root, 0);
    if (rc) return rc;
    /* the leaves are plans of their own: order the joins inside them first (a leaf is never
     * a region itself, so it keeps its place in the tree) */
    for (uint32_t i = 0; i < r.leaf_count; i++)
        if ((rc = process(arena, plan, &r.leaves[i].op)) != 0) return rc;
    if (r.leaf_count > MAX_LEAVES)
        return 0; /* keep the binder's tree: push_filters still makes hash joins of it */
    r.column_count = root->column_count;
    r.col_leaf = tn_arena_alloc(arena, (r.column_count + 1) * sizeof *r.col_leaf);
    if (!r.col_leaf) return TN_ENOMEM;
    for (uint32_t i = 0; i < r.leaf_count; i++)
        for (uint32_t k = 0; k < r.leaves[i].op->column_count; k++)
            r.col_leaf[r.leaves[i].base + k] = i;
    if ((rc = collect_conjuncts(&r, root, 0)) != 0) return rc;
    if (r.give_up) return 0;
    return rebuild(&r, slot);
}

static int subplan(void *ctx, tn_plan_op **root)
{
    void **args = ctx;
    return process(args[0], args[1], root);
}

static int process(tn_arena *arena, tn_plan *plan, tn_plan_op **slot)
{
    int rc;
    /* a WHERE over an outer join first gives the preserved side its own conjuncts, so a
     * region of inner joins below sees them */
    if ((*slot)->kind == TN_PLAN_FILTER && (*slot)->children[0]->kind == TN_PLAN_JOIN &&
        (rc = tn_opt_filter_through_outer_join(arena, plan, slot)) != 0)
        return rc;
    tn_plan_op *op = *slot;
    void *args[2] = {arena, plan};
    if ((rc = tn_opt_for_each_subplan(op, subplan, args)) != 0) return rc;
    if (is_region_root(op)) return region_rule(arena, plan, slot);
    for (uint32_t i = 0; i < op->child_count; i++)
        if ((rc = process(arena, plan, &op->children[i])) != 0) return rc;
    if (op->kind == TN_PLAN_CTE_REF && op->cte_ref.query)
        return process(arena, plan, &op->cte_ref.query);
    return 0;
}

int tn_opt_join_order(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    int rc = process(arena, plan, root);
    if (rc) return tn_error_set(err, rc, "out of memory while ordering joins");
    return 0;
}
