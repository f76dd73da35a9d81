/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule: common sub-expressions computed once. When the expressions of an aggregate (group
 * keys, arguments, FILTER conditions) or of a projection share a sub-expression that is more
 * than a column or a constant, a projection is put below the operator that computes each
 * shared sub-expression once per chunk as a new column, and every use reads that column.
 * TPC-H Q1 computes `l_extendedprice * (1 - l_discount)` for two sums, once on its own and
 * once inside `... * (1 + l_tax)`: with the rule, the DECIMAL product is computed once.
 *
 * The new column keeps the expression's exact type (a DECIMAL keeps its precision and
 * scale), so the values above are bit for bit those the operator computed before.
 *
 * Which sub-expressions qualify:
 * - deterministic ones: no volatile call (random()), no subquery and no outer reference;
 *   now() and current_date are already constants here (fold_constants.c);
 * - evaluated on every row at least once: the new column is computed for every input row,
 *   so a use that only some rows reach (a CASE branch, an operand after the first of
 *   AND/OR/COALESCE, an IN list item, the argument of an aggregate with FILTER) does not
 *   count as a reason, or `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` would divide by zero.
 *   Such uses are still rewritten when another use is unconditional: the value is the same.
 * The largest shared sub-expressions are taken first; a smaller one that only occurs inside
 * them is then no longer shared. The new projection passes on only the input columns the
 * rewritten expressions still read.
 *
 * Runs after prune_columns.c, so the input is already narrowed to what the operator reads.
 */
#include "sql/optimizer/optimizer_int.h"
#include "sql/func/func.h"

#include <stdio.h>
#include <stdlib.h>

/* One node of the operator's expression trees, in pre-order: a subtree is the nodes
 * [i, i + size). */
typedef struct cse_node {
    tn_plan_expr **at; /* where the node hangs (a root slot or an operand slot) */
    uint64_t hash;     /* structural: equal trees hash equal */
    uint32_t size;     /* nodes in the subtree */
    bool conditional;  /* evaluated only on some rows */
    bool eligible;     /* may become a shared column */
    bool dead;         /* inside a subtree already replaced by a column */
} cse_node;

typedef struct cse_walk {
    tn_arena *arena;
    cse_node *nodes;
    uint32_t count;
    uint32_t cap;
} cse_walk;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = mix(h, b[i]);
    return h;
}

static uint64_t hash_type(uint64_t h, tn_type t)
{
    return mix(mix(mix(h, t.id), (uint64_t)t.precision), (uint64_t)t.scale);
}

static bool same_value(const tn_plan_value *a, const tn_plan_value *b)
{
    if (!tn_type_eq(a->type, b->type) || a->is_null != b->is_null) return false;
    if (a->is_null) return true;
    switch (a->type.id) {
    case TN_TYPE_BOOLEAN:
        return a->b == b->b;
    case TN_TYPE_INTEGER:
    case TN_TYPE_DATE:
        return a->i32 == b->i32;
    case TN_TYPE_BIGINT:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        return a->i64 == b->i64;
    case TN_TYPE_REAL:
        return memcmp(&a->f32, &b->f32, sizeof a->f32) == 0; /* -0.0 and NaNs stay apart */
    case TN_TYPE_DOUBLE:
        return memcmp(&a->f64, &b->f64, sizeof a->f64) == 0;
    case TN_TYPE_DECIMAL:
        return a->i128 == b->i128;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        return a->str.len == b->str.len &&
               (a->str.len == 0 || memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0);
    case TN_PLAN_TYPE_INTERVAL:
        return a->interval.months == b->interval.months && a->interval.days == b->interval.days &&
               a->interval.micros == b->interval.micros;
    default:
        return false;
    }
}

static bool same_expr(const tn_plan_expr *a, const tn_plan_expr *b);

static bool same_list(tn_plan_expr *const *a, tn_plan_expr *const *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!same_expr(a[i], b[i])) return false;
    return true;
}

static bool same_expr(const tn_plan_expr *a, const tn_plan_expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || !tn_type_eq(a->type, b->type)) return false;
    switch (a->kind) {
    case TN_PLAN_EXPR_CONST:
        return same_value(&a->value, &b->value);
    case TN_PLAN_EXPR_COLUMN:
        return a->column == b->column;
    case TN_PLAN_EXPR_CALL:
        return a->call.func == b->call.func && a->call.arg_count == b->call.arg_count &&
               same_list(a->call.args, b->call.args, a->call.arg_count);
    case TN_PLAN_EXPR_CAST:
        return a->cast.try_cast == b->cast.try_cast && same_expr(a->cast.operand, b->cast.operand);
    case TN_PLAN_EXPR_CASE:
        return a->case_expr.when_count == b->case_expr.when_count &&
               same_list(a->case_expr.conditions, b->case_expr.conditions,
                         a->case_expr.when_count) &&
               same_list(a->case_expr.results, b->case_expr.results, a->case_expr.when_count) &&
               same_expr(a->case_expr.else_result, b->case_expr.else_result);
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        return a->logical.count == b->logical.count &&
               same_list(a->logical.operands, b->logical.operands, a->logical.count);
    case TN_PLAN_EXPR_NOT:
        return same_expr(a->unary.operand, b->unary.operand);
    case TN_PLAN_EXPR_IS_NULL:
        return a->is_null.negated == b->is_null.negated &&
               same_expr(a->is_null.operand, b->is_null.operand);
    case TN_PLAN_EXPR_IS_BOOL:
        return a->is_bool.value == b->is_bool.value && a->is_bool.negated == b->is_bool.negated &&
               same_expr(a->is_bool.operand, b->is_bool.operand);
    case TN_PLAN_EXPR_COMPARE:
        return a->compare.op == b->compare.op && same_expr(a->compare.left, b->compare.left) &&
               same_expr(a->compare.right, b->compare.right);
    case TN_PLAN_EXPR_IN_LIST:
        return a->in_list.negated == b->in_list.negated && a->in_list.count == b->in_list.count &&
               same_expr(a->in_list.operand, b->in_list.operand) &&
               same_list(a->in_list.items, b->in_list.items, a->in_list.count);
    default:
        return false; /* subqueries and outer references are never shared */
    }
}

/* Types a column of the new projection can hold. */
static bool vector_type(tn_type t)
{
    return t.id != TN_TYPE_INVALID && t.id != TN_PLAN_TYPE_INTERVAL;
}

static int walk(cse_walk *w, tn_plan_expr **at, bool conditional);

static int walk_list(cse_walk *w, tn_plan_expr **list, uint32_t count, uint32_t first_conditional,
                     bool conditional, uint64_t *h, bool *ok)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t child = w->count;
        int rc = walk(w, &list[i], conditional || i >= first_conditional);
        if (rc) return rc;
        *h = mix(*h, w->nodes[child].hash);
        *ok &= w->nodes[child].eligible;
    }
    return 0;
}

/* Appends the subtree at *at in pre-order; fills hash, size and eligibility bottom-up. */
static int walk(cse_walk *w, tn_plan_expr **at, bool conditional)
{
    if (w->count == w->cap) {
        uint32_t nc = w->cap ? w->cap * 2 : 64;
        cse_node *nn = tn_arena_alloc(w->arena, nc * sizeof *nn);
        if (!nn) return TN_ENOMEM;
        if (w->count) memcpy(nn, w->nodes, w->count * sizeof *nn);
        w->nodes = nn;
        w->cap = nc;
    }
    uint32_t self = w->count++;
    tn_plan_expr *e = *at;
    uint64_t h = hash_type(mix(0x5eed, e->kind), e->type);
    bool ok = vector_type(e->type);
    int rc = 0;
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
        if (e->value.is_null)
            h = mix(h, 1);
        else if (e->value.type.id == TN_TYPE_VARCHAR || e->value.type.id == TN_TYPE_BLOB)
            h = hash_bytes(h, e->value.str.ptr, e->value.str.len);
        else if (e->value.type.id == TN_TYPE_DECIMAL)
            h = hash_bytes(h, &e->value.i128, sizeof e->value.i128);
        else if (e->value.type.id == TN_TYPE_DOUBLE || e->value.type.id == TN_TYPE_BIGINT ||
                 e->value.type.id == TN_TYPE_TIMESTAMP || e->value.type.id == TN_TYPE_TIMESTAMPTZ)
            h = hash_bytes(h, &e->value.i64, sizeof e->value.i64);
        else if (e->value.type.id == TN_TYPE_BOOLEAN)
            h = mix(h, e->value.b);
        else
            h = hash_bytes(h, &e->value.i32, sizeof e->value.i32);
        break;
    case TN_PLAN_EXPR_COLUMN:
        h = mix(h, e->column);
        break;
    case TN_PLAN_EXPR_CALL:
        h = hash_bytes(h, &e->call.func, sizeof e->call.func);
        ok &= !e->call.func->volatile_result;
        rc = walk_list(w, e->call.args, e->call.arg_count, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_CAST:
        h = mix(h, e->cast.try_cast);
        rc = walk_list(w, &e->cast.operand, 1, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_CASE:
        /* only the first condition sees every row */
        for (uint32_t i = 0; i < e->case_expr.when_count && rc == 0; i++) {
            if ((rc = walk_list(w, &e->case_expr.conditions[i], 1, i == 0 ? 1 : 0, conditional, &h,
                                &ok)) == 0)
                rc = walk_list(w, &e->case_expr.results[i], 1, 0, conditional, &h, &ok);
        }
        if (rc == 0 && e->case_expr.else_result)
            rc = walk_list(w, &e->case_expr.else_result, 1, 0, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_AND:
    case TN_PLAN_EXPR_OR:
    case TN_PLAN_EXPR_COALESCE:
        rc = walk_list(w, e->logical.operands, e->logical.count, 1, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_NOT:
        rc = walk_list(w, &e->unary.operand, 1, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_IS_NULL:
        h = mix(h, e->is_null.negated);
        rc = walk_list(w, &e->is_null.operand, 1, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_IS_BOOL:
        h = mix(mix(h, e->is_bool.value), e->is_bool.negated);
        rc = walk_list(w, &e->is_bool.operand, 1, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_COMPARE:
        h = mix(h, e->compare.op);
        if ((rc = walk_list(w, &e->compare.left, 1, UINT32_MAX, conditional, &h, &ok)) == 0)
            rc = walk_list(w, &e->compare.right, 1, UINT32_MAX, conditional, &h, &ok);
        break;
    case TN_PLAN_EXPR_IN_LIST:
        h = mix(h, e->in_list.negated);
        if ((rc = walk_list(w, &e->in_list.operand, 1, UINT32_MAX, conditional, &h, &ok)) == 0)
            rc = walk_list(w, e->in_list.items, e->in_list.count, 0, conditional, &h, &ok);
        break;
    default:
        /* subqueries and outer references: not looked into, never shared, and nothing
         * around them either */
        ok = false;
        break;
    }
    if (rc) return rc;
    cse_node *n = &w->nodes[self];
    n->at = at;
    n->hash = h;
    n->size = w->count - self;
    n->conditional = conditional;
    n->eligible = ok;
    n->dead = false;
    return 0;
}

typedef struct cse_rule {
    tn_arena *arena;
    tn_plan *plan;
    uint32_t shared; /* columns made so far: their names count up */
} cse_rule;

/* A candidate in the order they are tried: largest first, equal trees (equal hashes)
 * adjacent, then in the order they were written. */
typedef struct cse_candidate {
    uint32_t size;
    uint64_t hash;
    uint32_t node;
} cse_candidate;

static int by_size_then_hash(const void *pa, const void *pb)
{
    const cse_candidate *a = pa, *b = pb;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    return a->node < b->node ? -1 : 1;
}

/* Rough instructions per row, measured with callgrind on TPC-H Q1 (one thread): a dense
 * projection's copy of a column (a string is appended value by value to a new vector), and
 * the work of one node (a DECIMAL operation narrows and rescales 128-bit values). A
 * projection that must copy Q1's two strings and four DECIMALs per row would cost more than
 * sharing its product saves; one that passes them on is worth it. */
static uint64_t copy_cost(tn_type t)
{
    if (tn_type_is_varlen(t)) return 70;
    return tn_type_width(t) > 8 ? 14 : 4;
}

/* The types the projection writes at the input rows' positions (as exec/project.c does). */
static bool written_in_place(tn_type t)
{
    size_t w = tn_type_width(t);
    return !tn_type_is_varlen(t) && t.id != TN_TYPE_BOOLEAN && (w == 4 || w == 8 || w == 16);
}

static uint64_t node_cost(const tn_plan_expr *e)
{
    switch (e->kind) {
    case TN_PLAN_EXPR_CONST:
    case TN_PLAN_EXPR_COLUMN:
        return 0;
    case TN_PLAN_EXPR_CALL:
    case TN_PLAN_EXPR_CAST:
        if (tn_type_is_varlen(e->type)) return 40;
        return e->type.id == TN_TYPE_DECIMAL ? 18 : 4;
    default:
        return tn_type_is_varlen(e->type) ? 40 : 8;
    }
}

static void kill_subtree(cse_walk *w, uint32_t i)
{
    for (uint32_t k = i; k < i + w->nodes[i].size; k++) w->nodes[k].dead = true;
}

/* Rewrites the expressions at roots[0..count) (over `input`'s columns) to share their common
 * sub-expressions through a new projection over *input. Leaves everything alone when nothing
 * is shared. `conditional[i]` says root i is evaluated only on some rows. */
static int share(cse_rule *r, tn_plan_op **input, tn_plan_expr ***roots, const bool *conditional,
                 uint32_t count)
{
    tn_plan_op *child = *input;
    uint32_t cn = child->column_count;
    /* an operator reading its row in ways the column lists do not show (a correlated
     * subquery) keeps its layout */
    uint8_t *seen = tn_arena_calloc(r->arena, cn + 1);
    if (!seen) return TN_ENOMEM;
    for (uint32_t i = 0; i < count; i++)
        if (!tn_opt_expr_columns(*roots[i], seen, cn)) return 0;
    cse_walk w = {r->arena, NULL, 0, 0};
    int rc;
    for (uint32_t i = 0; i < count; i++)
        if ((rc = walk(&w, roots[i], conditional[i])) != 0) return rc;
    cse_candidate *order = tn_arena_alloc(r->arena, (w.count + 1) * sizeof *order);
    uint32_t m = 0;
    if (!order) return TN_ENOMEM;
    for (uint32_t i = 0; i < w.count; i++) {
        tn_plan_expr *e = *w.nodes[i].at;
        if (w.nodes[i].eligible && e->kind != TN_PLAN_EXPR_COLUMN && e->kind != TN_PLAN_EXPR_CONST)
            order[m++] = (cse_candidate){w.nodes[i].size, w.nodes[i].hash, i};
    }
    if (m < 2) return 0;
    qsort(order, m, sizeof *order, by_size_then_hash);

    /* 1. which trees become shared columns: def_of[node] names the column an occurrence
     *    reads, the first occurrence of each is its definition */
    uint32_t *def_of = tn_arena_alloc(r->arena, (w.count + 1) * sizeof *def_of);
    uint32_t *lead_of = tn_arena_alloc(r->arena, (m + 1) * sizeof *lead_of);
    uint32_t *uses = tn_arena_alloc(r->arena, (m + 1) * sizeof *uses);
    uint32_t *group = tn_arena_alloc(r->arena, (m + 1) * sizeof *group);
    bool *taken = tn_arena_calloc(r->arena, m + 1);
    if (!def_of || !lead_of || !uses || !group || !taken) return TN_ENOMEM;
    for (uint32_t i = 0; i < w.count; i++) def_of[i] = UINT32_MAX;
    uint32_t def_count = 0;
    for (uint32_t a = 0; a < m; a++) {
        if (taken[a] || w.nodes[order[a].node].dead) continue;
        const cse_node *lead = &w.nodes[order[a].node];
        /* the live occurrences equal to this one */
        uint32_t g = 0;
        bool everywhere = false;
        for (uint32_t b = a; b < m; b++) {
            const cse_node *o = &w.nodes[order[b].node];
            if (o->size != lead->size || o->hash != lead->hash) break;
            if (taken[b] || o->dead || !same_expr(*o->at, *lead->at)) continue;
            group[g++] = b;
            everywhere |= !o->conditional;
        }
        if (g < 2 || !everywhere) continue;
        uint64_t work = 0;
        for (uint32_t k = order[a].node; k < order[a].node + lead->size; k++)
            work += node_cost(*w.nodes[k].at);
        /* a cheap expression (x * x on DOUBLE) costs less to recompute than to copy */
        if ((uint64_t)(g - 1) * work <= copy_cost((*lead->at)->type)) continue;
        lead_of[def_count] = order[a].node;
        uses[def_count] = g;
        for (uint32_t k = 0; k < g; k++) {
            taken[group[k]] = true;
            def_of[order[group[k]].node] = def_count;
            kill_subtree(&w, order[group[k]].node);
        }
        def_count++;
    }
    if (def_count == 0) return 0;

    /* 2. worth it? The projection copies every column it passes on and every shared
     *    value, which costs as much as a cheap operation per row. */
    uint8_t *used = tn_arena_calloc(r->arena, cn + def_count + 1);
    uint32_t *map = tn_arena_alloc(r->arena, (cn + def_count + 1) * sizeof *map);
    if (!used || !map) return TN_ENOMEM;
    for (uint32_t i = 0; i < w.count; i++) {
        const tn_plan_expr *e = *w.nodes[i].at;
        if (w.nodes[i].dead) continue;
        if (e->kind == TN_PLAN_EXPR_COLUMN && e->column < cn)
            used[e->column] = 1;
        else if (e->kind == TN_PLAN_EXPR_IN_QUERY)
            tn_opt_expr_columns(e, used, cn); /* its operand, which walk() does not enter */
    }
    /* When every shared value is fixed-width the projection passes the other columns on
     * without copying them (exec/project.c) and writes each shared value once. */
    bool passes_on = true;
    for (uint32_t d = 0; d < def_count; d++)
        passes_on = passes_on && written_in_place((*w.nodes[lead_of[d]].at)->type);
    uint64_t saved = 0, spent = 0;
    for (uint32_t d = 0; d < def_count; d++) {
        uint32_t lead = lead_of[d];
        spent += passes_on ? 2 : copy_cost((*w.nodes[lead].at)->type);
        for (uint32_t k = lead; k < lead + w.nodes[lead].size; k++)
            saved += (uint64_t)(uses[d] - 1) * node_cost(*w.nodes[k].at);
    }
    for (uint32_t c = 0; c < cn && !passes_on; c++)
        if (used[c]) spent += copy_cost(child->columns[c].type);
    if (saved <= spent) return 0;

    /* 3. the rewrite: definitions are taken before their first occurrence is replaced */
    tn_plan_expr **defs = tn_arena_alloc(r->arena, (def_count + 1) * sizeof *defs);
    if (!defs) return TN_ENOMEM;
    for (uint32_t d = 0; d < def_count; d++) defs[d] = *w.nodes[lead_of[d]].at;
    for (uint32_t i = 0; i < w.count; i++) {
        if (def_of[i] == UINT32_MAX) continue;
        tn_plan_expr *old = *w.nodes[i].at;
        /* placed after the input's columns for now, moved by the remap below */
        tn_plan_expr *ref = tn_opt_column(r->arena, r->plan, cn + def_of[i], old->type);
        if (!ref) return TN_ENOMEM;
        ref->pos = old->pos;
        ref->name = old->name;
        *w.nodes[i].at = ref;
    }

    /* 4. the projection: the input columns still read, then the shared values */
    uint32_t kept = 0;
    for (uint32_t c = 0; c < cn; c++)
        if (used[c]) map[c] = kept++;
    tn_plan_op *proj = tn_plan_op_new(r->arena, TN_PLAN_PROJECT, kept + def_count);
    if (!proj) return TN_ENOMEM;
    proj->project.exprs = tn_arena_alloc(r->arena, (kept + def_count + 1) * sizeof(tn_plan_expr *));
    if (!proj->project.exprs) return TN_ENOMEM;
    for (uint32_t c = 0; c < cn; c++) {
        if (!used[c]) continue;
        proj->columns[map[c]] = child->columns[c];
        if (!(proj->project.exprs[map[c]] =
                  tn_opt_column(r->arena, r->plan, c, child->columns[c].type)))
            return TN_ENOMEM;
    }
    for (uint32_t d = 0; d < def_count; d++) {
        char name[32];
        snprintf(name, sizeof name, "cse%u", ++r->shared);
        tn_plan_column *col = &proj->columns[kept + d];
        if (!(col->name = tn_arena_strdup(r->arena, name))) return TN_ENOMEM;
        col->type = defs[d]->type;
        col->nullable = true;
        proj->project.exprs[kept + d] = defs[d];
        map[cn + d] = kept + d;
    }
    proj->children[0] = child;
    proj->child_count = 1;
    proj->estimated_rows = child->estimated_rows;
    for (uint32_t i = 0; i < count; i++) {
        tn_plan_expr *c = tn_opt_expr_remap(r->arena, r->plan, *roots[i], map);
        if (!c) return TN_ENOMEM;
        *roots[i] = c;
    }
    *input = proj;
    return 0;
}

static int share_aggregate(cse_rule *r, tn_plan_op *op)
{
    uint32_t n = op->aggregate.group_count + 2 * op->aggregate.agg_count, count = 0;
    tn_plan_expr ***roots = tn_arena_alloc(r->arena, (n + 1) * sizeof *roots);
    bool *conditional = tn_arena_alloc(r->arena, n + 1);
    if (!roots || !conditional) return TN_ENOMEM;
    for (uint32_t k = 0; k < op->aggregate.group_count; k++) {
        conditional[count] = false;
        roots[count++] = &op->aggregate.groups[k];
    }
    for (uint32_t a = 0; a < op->aggregate.agg_count; a++) {
        tn_plan_agg *agg = &op->aggregate.aggs[a];
        if (agg->filter) {
            conditional[count] = false;
            roots[count++] = &agg->filter;
        }
        if (agg->arg) {
            /* with FILTER the argument need only be computed for the rows that pass */
            conditional[count] = agg->filter != NULL;
            roots[count++] = &agg->arg;
        }
    }
    return share(r, &op->children[0], roots, conditional, count);
}

static int share_project(cse_rule *r, tn_plan_op *op)
{
    uint32_t n = op->column_count;
    tn_plan_expr ***roots = tn_arena_alloc(r->arena, (n + 1) * sizeof *roots);
    bool *conditional = tn_arena_calloc(r->arena, n + 1);
    if (!roots || !conditional) return TN_ENOMEM;
    for (uint32_t i = 0; i < n; i++) roots[i] = &op->project.exprs[i];
    return share(r, &op->children[0], roots, conditional, n);
}

static int rewrite(void *ctx, tn_plan_op **slot)
{
    cse_rule *r = ctx;
    tn_plan_op *op = *slot;
    int rc = 0;
    /* children first: a projection put below op is not looked at again */
    for (uint32_t i = 0; i < op->child_count && rc == 0; i++) rc = rewrite(r, &op->children[i]);
    if (rc == 0 && op->kind == TN_PLAN_CTE_REF && op->cte_ref.query)
        rc = rewrite(r, &op->cte_ref.query);
    if (rc == 0) rc = tn_opt_for_each_subplan(op, rewrite, r);
    if (rc) return rc;
    if (op->kind == TN_PLAN_AGGREGATE) return share_aggregate(r, op);
    if (op->kind == TN_PLAN_PROJECT) return share_project(r, op);
    return 0;
}

int tn_opt_common_subexpressions(tn_arena *arena, tn_plan *plan, tn_plan_op **root, tn_error *err)
{
    cse_rule r = {arena, plan, 0};
    int rc = rewrite(&r, root);
    if (rc) return tn_error_set(err, rc, "out of memory while sharing common sub-expressions");
    return 0;
}

bool tn_opt_same_expr(const tn_plan_expr *a, const tn_plan_expr *b)
{
    return same_expr(a, b);
}
