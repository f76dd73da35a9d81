/* SPDX-License-Identifier: Apache-2.0
 *
 * Lists, maps and repeated fields as JSON text. The leaves of one output column come with
 * their repetition and definition levels (Dremel's shredding); each leaf is replayed into a
 * small tree per row that mirrors the schema (groups are objects with one slot per field,
 * repeated fields are arrays of elements), all leaves of the column filling the same tree.
 * The tree is then printed, applying the LIST and MAP conventions of LogicalTypes.md (with
 * their backward-compatibility rules for two-level lists), so a MAP prints as {"k": v} and a
 * LIST as [...].
 *
 * Levels are checked against the schema as they are replayed: an element index that skips
 * ahead, a row that starts with a non-zero repetition level or a leaf whose rows disagree
 * with another's is TN_ECORRUPT, never a wild write.
 */
#include "formats/parquet/reader_int.h"

typedef enum jkind { J_OBJ = 1, J_ARR, J_VAL } jkind;

typedef struct jnode {
    uint8_t kind;           /* jkind */
    uint32_t count, cap;    /* J_OBJ: slots (= fields); J_ARR: elements */
    struct jnode **items;
    uint32_t leaf;          /* J_VAL: which leaf's text */
    uint32_t value;         /* J_VAL: index of the value in that leaf's text */
} jnode;

typedef struct assembler {
    const tn_parquet_file *file;
    const pq_out *out;
    pq_leaf_rows *rows;
    tn_arena arena;
    jnode **roots;          /* one slot per row */
    uint32_t n;
    tn_buf line;
    tn_error *err;
} assembler;

static int nomem(assembler *a)
{
    return pq_error(a->err, TN_ENOMEM, a->file, -1, NULL, "out of memory building JSON text");
}

static int bad_levels(assembler *a, uint32_t leaf, const char *what)
{
    return pq_error(a->err, TN_ECORRUPT, a->file, -1, a->file->leaves[leaf].path,
                    "repetition/definition levels do not fit the schema: %s", what);
}

static jnode *new_node(assembler *a, uint8_t kind, uint32_t slots)
{
    jnode *j = tn_arena_calloc(&a->arena, sizeof(jnode));
    if (!j)
        return NULL;
    j->kind = kind;
    if (slots) {
        j->items = tn_arena_calloc(&a->arena, slots * sizeof(jnode *));
        if (!j->items)
            return NULL;
        j->count = kind == J_OBJ ? slots : 0;
        j->cap = slots;
    }
    return j;
}

static int arr_push(assembler *a, jnode *arr)
{
    if (arr->count == arr->cap) {
        uint32_t cap = arr->cap ? arr->cap * 2 : 4;
        jnode **items = tn_arena_alloc(&a->arena, cap * sizeof(jnode *));
        if (!items)
            return TN_ENOMEM;
        if (arr->count)
            memcpy(items, arr->items, arr->count * sizeof(jnode *));
        arr->items = items;
        arr->cap = cap;
    }
    arr->items[arr->count++] = NULL;
    return 0;
}

/* Replays one leaf's level entries into the row trees. */
static int replay_leaf(assembler *a, uint32_t li)
{
    const tn_parquet_file *f = a->file;
    const pq_leaf *leaf = &f->leaves[a->out->leaf_first + li];
    const pq_leaf_rows *r = &a->rows[li];
    const uint32_t leaf_idx = a->out->leaf_first + li;

    /* The path from the column's root node down to the leaf, with each step's slot. */
    int32_t path[TN_PQ_MAX_DEPTH + 2];
    uint32_t slot_of[TN_PQ_MAX_DEPTH + 2];
    int depth = 0;
    for (int32_t k = leaf->node;; k = f->nodes[k].parent) {
        if (depth >= TN_PQ_MAX_DEPTH + 1)
            return bad_levels(a, leaf_idx, "schema too deep");
        path[depth++] = k;
        if (k == a->out->node)
            break;
    }
    for (int i = 0; i < depth / 2; i++) {
        int32_t t = path[i];
        path[i] = path[depth - 1 - i];
        path[depth - 1 - i] = t;
    }
    for (int i = 0; i + 1 < depth; i++) {
        const pq_node *p = &f->nodes[path[i]];
        slot_of[i] = 0;
        for (uint32_t c = 0; c < p->child_count; c++) {
            if (p->children[c] == path[i + 1])
                slot_of[i] = c;
        }
    }

    const pq_node *top = &f->nodes[a->out->node];
    const int parent_def = top->parent >= 0 ? f->nodes[top->parent].def : 0;
    uint32_t idx[TN_PQ_MAX_DEPTH + 2] = {0};
    int64_t row = -1;
    uint32_t value = 0;
    for (size_t e = 0; e < r->count; e++) {
        uint8_t rep = r->reps[e], def = r->defs[e];
        if (rep == 0) {
            row++;
            memset(idx, 0, sizeof(idx));
        } else {
            if (row < 0)
                return bad_levels(a, leaf_idx, "a row starts with a non-zero repetition level");
            idx[rep]++;
            for (int k = rep + 1; k <= leaf->max_rep; k++)
                idx[k] = 0;
        }
        if (row >= (int64_t)a->n)
            return bad_levels(a, leaf_idx, "more rows than the other columns");
        /* The column's root lies under flattened groups: when one of them is null, so is
         * the whole value (even a list, which is otherwise at least empty). */
        if (def < parent_def)
            continue;
        jnode **slot = &a->roots[row];
        for (int p = 0; p < depth; p++) {
            const pq_node *nd = &f->nodes[path[p]];
            if (nd->repetition == TN_PARQUET_REPEATED) {
                if (!*slot && !(*slot = new_node(a, J_ARR, 0)))
                    return nomem(a);
                if ((*slot)->kind != J_ARR)
                    return bad_levels(a, leaf_idx, "a list where a value was");
                if (def < nd->def)
                    break; /* an empty list */
                jnode *arr = *slot;
                uint32_t ei = idx[nd->rep];
                if (ei == arr->count) {
                    if (arr_push(a, arr) != 0)
                        return nomem(a);
                } else if (ei > arr->count) {
                    return bad_levels(a, leaf_idx, "a list element index skips ahead");
                }
                slot = &arr->items[ei];
            } else if (nd->repetition == TN_PARQUET_OPTIONAL && def < nd->def) {
                break; /* null here */
            }
            if (nd->leaf >= 0) {
                if (def != leaf->max_def)
                    break;
                if (value >= r->values)
                    return bad_levels(a, leaf_idx, "more present values than decoded");
                if (!*slot && !(*slot = new_node(a, J_VAL, 0)))
                    return nomem(a);
                (*slot)->kind = J_VAL;
                (*slot)->leaf = li;
                (*slot)->value = value++;
                break;
            }
            if (!*slot && !(*slot = new_node(a, J_OBJ, nd->child_count)))
                return nomem(a);
            if ((*slot)->kind != J_OBJ)
                return bad_levels(a, leaf_idx, "a group where a list was");
            slot = &(*slot)->items[slot_of[p]];
        }
    }
    if (row + 1 != (int64_t)a->n)
        return bad_levels(a, leaf_idx, "fewer rows than the other columns");
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Printing
 * ---------------------------------------------------------------------------------------- */

static int print_value(assembler *a, int32_t node, const jnode *j);

static int print_text(assembler *a, const jnode *j)
{
    const pq_leaf_rows *r = &a->rows[j->leaf];
    uint32_t start = j->value ? r->ends[j->value - 1] : 0;
    return tn_buf_append(&a->line, r->text.data + start, r->ends[j->value] - start);
}

static int print_array(assembler *a, int32_t node, const jnode *arr)
{
    int rc = tn_buf_putc(&a->line, '[');
    for (uint32_t i = 0; arr && i < arr->count && rc == 0; i++) {
        if (i)
            rc = tn_buf_putc(&a->line, ',');
        if (rc == 0)
            rc = print_value(a, node, arr->items[i]);
    }
    return rc ? rc : tn_buf_putc(&a->line, ']');
}

/* A map key must be a JSON string: string keys are printed as they are, others quoted. */
static int print_key(assembler *a, int32_t node, const jnode *j)
{
    if (j && j->kind == J_VAL) {
        const pq_leaf_rows *r = &a->rows[j->leaf];
        uint32_t start = j->value ? r->ends[j->value - 1] : 0;
        const char *t = r->text.data + start;
        size_t len = r->ends[j->value] - start;
        if (len > 0 && t[0] == '"')
            return tn_buf_append(&a->line, t, len);
        return tn_buf_append_json_string(&a->line, t, len);
    }
    size_t mark = a->line.len;
    int rc = print_value(a, node, j);
    if (rc != 0)
        return rc;
    /* A complex key: its JSON text, as a string. */
    size_t len = a->line.len - mark;
    char *copy = tn_malloc(len ? len : 1);
    if (!copy)
        return TN_ENOMEM;
    memcpy(copy, a->line.data + mark, len);
    a->line.len = mark;
    rc = tn_buf_append_json_string(&a->line, copy, len);
    tn_free(copy);
    return rc;
}

static int print_value(assembler *a, int32_t node, const jnode *j)
{
    const pq_node *nd = &a->file->nodes[node];
    if (!j)
        return tn_buf_append_cstr(&a->line, "null");
    if (j->kind == J_VAL)
        return print_text(a, j);
    if (j->kind != J_OBJ)
        return tn_buf_append_cstr(&a->line, "null");
    int rc = 0;
    if (nd->json == PQ_JSON_LIST) {
        const pq_node *rep = &a->file->nodes[nd->children[0]];
        const jnode *arr = j->items[0];
        rc = tn_buf_putc(&a->line, '[');
        for (uint32_t i = 0; arr && i < arr->count && rc == 0; i++) {
            if (i)
                rc = tn_buf_putc(&a->line, ',');
            if (rc != 0)
                break;
            const jnode *e = arr->items[i];
            if (nd->list_element_is_repeated)
                rc = print_value(a, nd->children[0], e);
            else
                rc = print_value(a, rep->children[0], e && e->kind == J_OBJ ? e->items[0] : NULL);
        }
        return rc ? rc : tn_buf_putc(&a->line, ']');
    }
    if (nd->json == PQ_JSON_MAP) {
        const pq_node *kv = &a->file->nodes[nd->children[0]];
        const jnode *arr = j->items[0];
        rc = tn_buf_putc(&a->line, '{');
        for (uint32_t i = 0; arr && i < arr->count && rc == 0; i++) {
            const jnode *e = arr->items[i];
            if (i)
                rc = tn_buf_putc(&a->line, ',');
            const jnode *key = e && e->kind == J_OBJ ? e->items[0] : NULL;
            if (rc == 0)
                rc = print_key(a, kv->children[0], key);
            if (rc == 0)
                rc = tn_buf_putc(&a->line, ':');
            if (rc == 0) {
                if (kv->child_count > 1)
                    rc = print_value(a, kv->children[1],
                                     e && e->kind == J_OBJ ? e->items[1] : NULL);
                else
                    rc = tn_buf_append_cstr(&a->line, "null");
            }
        }
        return rc ? rc : tn_buf_putc(&a->line, '}');
    }
    rc = tn_buf_putc(&a->line, '{');
    for (uint32_t i = 0; i < nd->child_count && rc == 0; i++) {
        const pq_node *c = &a->file->nodes[nd->children[i]];
        if (i)
            rc = tn_buf_putc(&a->line, ',');
        if (rc == 0)
            rc = tn_buf_append_json_string(&a->line, c->name, strlen(c->name));
        if (rc == 0)
            rc = tn_buf_putc(&a->line, ':');
        if (rc == 0) {
            if (c->repetition == TN_PARQUET_REPEATED)
                rc = print_array(a, nd->children[i], j->items[i]);
            else
                rc = print_value(a, nd->children[i], j->items[i]);
        }
    }
    return rc ? rc : tn_buf_putc(&a->line, '}');
}

int pq_nested_assemble(const tn_parquet_file *file, const pq_out *out, pq_leaf_rows *rows,
                       uint32_t n, tn_vector *v, uint32_t row, tn_error *err)
{
    assembler a;
    memset(&a, 0, sizeof(a));
    a.file = file;
    a.out = out;
    a.rows = rows;
    a.n = n;
    a.err = err;
    tn_arena_init(&a.arena, 0);
    int rc = 0;
    a.roots = tn_arena_calloc(&a.arena, (n ? n : 1) * sizeof(jnode *));
    if (!a.roots) {
        rc = nomem(&a);
        goto done;
    }
    for (uint32_t li = 0; li < out->leaf_count; li++) {
        rc = replay_leaf(&a, li);
        if (rc != 0)
            goto done;
    }
    const pq_node *root = &file->nodes[out->node];
    for (uint32_t i = 0; i < n; i++) {
        tn_buf_clear(&a.line);
        if (!a.roots[i]) {
            tn_vector_append_null(v, row + i);
            continue;
        }
        if (root->repetition == TN_PARQUET_REPEATED)
            rc = print_array(&a, out->node, a.roots[i]);
        else
            rc = print_value(&a, out->node, a.roots[i]);
        if (rc != 0) {
            rc = nomem(&a);
            goto done;
        }
        rc = tn_vector_append_str(v, row + i, a.line.data ? a.line.data : "", a.line.len);
        if (rc != 0) {
            rc = pq_error(err, rc, file, -1, NULL, "%s",
                          rc == TN_ENOMEM ? "out of memory" : "JSON text of a batch passes 2 GiB");
            goto done;
        }
    }
done:
    tn_buf_free(&a.line);
    tn_arena_free(&a.arena);
    return rc;
}
