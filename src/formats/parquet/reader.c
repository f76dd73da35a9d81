/* SPDX-License-Identifier: Apache-2.0
 *
 * Opening a Parquet file: byte sources (local file, memory), the footer (magic, length,
 * FileMetaData), the schema tree with its repetition/definition levels, and the mapping of
 * Parquet types to tarn types and of the tree to output columns (structs flattened to dotted
 * names, lists/maps/repeated fields as JSON text). Also `tarn inspect`'s description.
 *
 * Reading the column data is in column.c, nested.c and scan.c.
 */
#include "formats/parquet/reader_int.h"

#include "formats/parquet/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------- */

int pq_error(tn_error *err, int code, const tn_parquet_file *file, int64_t rg,
             const char *column, const char *fmt, ...)
{
    if (!err)
        return code;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *name = file ? file->src.name : NULL;
    if (rg >= 0 && column)
        tn_error_set_at(err, code, name, 0, 0, "row group %lld, column '%s': %s", (long long)rg,
                        column, msg);
    else if (column)
        tn_error_set_at(err, code, name, 0, 0, "column '%s': %s", column, msg);
    else if (rg >= 0)
        tn_error_set_at(err, code, name, 0, 0, "row group %lld: %s", (long long)rg, msg);
    else
        tn_error_set_at(err, code, name, 0, 0, "%s", msg);
    if (column)
        tn_error_set_key(err, column);
    return code;
}

int pq_error_wrap(tn_error *err, int code, const tn_parquet_file *file, int64_t rg,
                  const char *column)
{
    if (!err)
        return code;
    char msg[sizeof(err->message)];
    snprintf(msg, sizeof(msg), "%s", err->message[0] ? err->message : tn_strerror(code));
    return pq_error(err, code, file, rg, column, "%s", msg);
}

/* ------------------------------------------------------------------------------------------
 * Sources
 * ---------------------------------------------------------------------------------------- */

typedef struct file_source {
    int fd;
} file_source;

static int file_read(void *ctx, uint64_t offset, void *buf, size_t len, tn_error *err)
{
    file_source *fs = ctx;
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(fs->fd, p, len, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return tn_error_set(err, TN_EIO, "read failed at offset %llu: %s",
                                (unsigned long long)offset, strerror(errno));
        }
        if (n == 0)
            return tn_error_set(err, TN_EIO, "unexpected end of file at offset %llu",
                                (unsigned long long)offset);
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

static void file_close(void *ctx)
{
    file_source *fs = ctx;
    if (fs) {
        close(fs->fd);
        tn_free(fs);
    }
}

int tn_parquet_source_open_file(const char *path, tn_parquet_source *out, tn_error *err)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = errno == ENOENT ? TN_ENOENT : TN_EIO;
        return tn_error_set_at(err, code, path, 0, 0, "cannot open: %s", strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return tn_error_set_at(err, TN_EIO, path, 0, 0, "not a regular file");
    }
    file_source *fs = tn_malloc(sizeof(*fs));
    char *name = tn_strdup(path);
    if (!fs || !name) {
        tn_free(fs);
        tn_free(name);
        close(fd);
        return tn_error_set(err, TN_ENOMEM, "out of memory opening %s", path);
    }
    fs->fd = fd;
    out->ctx = fs;
    out->name = name;
    out->size = (uint64_t)st.st_size;
    out->read = file_read;
    out->close = file_close;
    return 0;
}

typedef struct mem_source {
    const uint8_t *data;
    size_t len;
} mem_source;

static int mem_read(void *ctx, uint64_t offset, void *buf, size_t len, tn_error *err)
{
    mem_source *ms = ctx;
    if (offset > ms->len || len > ms->len - offset)
        return tn_error_set(err, TN_EIO, "read of %zu bytes at offset %llu is past the end",
                            len, (unsigned long long)offset);
    memcpy(buf, ms->data + offset, len);
    return 0;
}

static void mem_close(void *ctx) { tn_free(ctx); }

int tn_parquet_source_memory(const void *data, size_t len, const char *name,
                             tn_parquet_source *out, tn_error *err)
{
    memset(out, 0, sizeof(*out));
    mem_source *ms = tn_malloc(sizeof(*ms));
    char *copy = tn_strdup(name ? name : "(memory)");
    if (!ms || !copy) {
        tn_free(ms);
        tn_free(copy);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    ms->data = data;
    ms->len = len;
    out->ctx = ms;
    out->name = copy;
    out->size = len;
    out->read = mem_read;
    out->close = mem_close;
    return 0;
}

void tn_parquet_source_close(tn_parquet_source *src)
{
    if (!src)
        return;
    if (src->close)
        src->close(src->ctx);
    tn_free(src->name);
    memset(src, 0, sizeof(*src));
}

/* ------------------------------------------------------------------------------------------
 * Type mapping
 * ---------------------------------------------------------------------------------------- */

static bool is_bytes_type(int32_t t)
{
    return t == TN_PARQUET_BYTE_ARRAY || t == TN_PARQUET_FIXED_LEN_BYTE_ARRAY;
}

/* Decimal annotation, from the logical type or the converted type. */
static bool decimal_of(const tn_parquet_schema_element *el, int32_t *precision, int32_t *scale)
{
    if (el->logical.kind == TN_PARQUET_LT_DECIMAL) {
        *precision = el->logical.precision;
        *scale = el->logical.scale;
    } else if (el->logical.kind == TN_PARQUET_LT_NONE && el->has_converted_type &&
               el->converted_type == TN_PARQUET_CT_DECIMAL) {
        *precision = el->has_precision ? el->precision : 0;
        *scale = el->has_scale ? el->scale : 0;
    } else {
        return false;
    }
    return *precision >= 1 && *scale >= 0 && *scale <= *precision;
}

static void set_leaf(pq_leaf *leaf, tn_type type, int conv)
{
    leaf->type = type;
    leaf->conv = (uint8_t)conv;
}

/* Chooses the tarn type of a leaf and how its values get there. */
static void map_leaf(pq_leaf *leaf, const tn_parquet_schema_element *el)
{
    const int32_t t = leaf->physical;
    const tn_parquet_logical_type *lt = &el->logical;
    const int ct = el->has_converted_type ? el->converted_type : -1;
    const bool legacy = lt->kind == TN_PARQUET_LT_NONE; /* converted_type decides */
    int32_t precision = 0, scale = 0;

    if (decimal_of(el, &precision, &scale)) {
        leaf->scale = scale;
        int p = precision > TN_DECIMAL_MAX_PRECISION ? TN_DECIMAL_MAX_PRECISION : precision;
        int s = scale > p ? p : scale;
        if (t == TN_PARQUET_INT32) {
            set_leaf(leaf, tn_type_decimal(p, s), PQ_CONV_I32_DEC);
            return;
        }
        if (t == TN_PARQUET_INT64) {
            set_leaf(leaf, tn_type_decimal(p, s), PQ_CONV_I64_DEC);
            return;
        }
        if (is_bytes_type(t)) {
            if (precision > TN_DECIMAL_MAX_PRECISION)
                set_leaf(leaf, tn_type_make(TN_TYPE_DOUBLE), PQ_CONV_BIN_DOUBLE);
            else
                set_leaf(leaf, tn_type_decimal(p, s), PQ_CONV_BIN_DEC);
            return;
        }
    }

    switch (t) {
    case TN_PARQUET_BOOLEAN:
        set_leaf(leaf, tn_type_make(TN_TYPE_BOOLEAN), PQ_CONV_BOOL);
        return;
    case TN_PARQUET_FLOAT:
        set_leaf(leaf, tn_type_make(TN_TYPE_REAL), PQ_CONV_F32);
        return;
    case TN_PARQUET_DOUBLE:
        set_leaf(leaf, tn_type_make(TN_TYPE_DOUBLE), PQ_CONV_F64);
        return;
    case TN_PARQUET_INT96:
        set_leaf(leaf, tn_type_make(TN_TYPE_TIMESTAMP), PQ_CONV_INT96);
        return;
    case TN_PARQUET_INT32:
        if (lt->kind == TN_PARQUET_LT_DATE || (legacy && ct == TN_PARQUET_CT_DATE)) {
            set_leaf(leaf, tn_type_make(TN_TYPE_DATE), PQ_CONV_I32);
            return;
        }
        if ((lt->kind == TN_PARQUET_LT_TIME && lt->unit == TN_PARQUET_MILLIS) ||
            (legacy && ct == TN_PARQUET_CT_TIME_MILLIS)) {
            set_leaf(leaf, tn_type_make(TN_TYPE_VARCHAR), PQ_CONV_TIME_MILLIS);
            return;
        }
        if ((lt->kind == TN_PARQUET_LT_INTEGER && !lt->is_signed && lt->bit_width == 32) ||
            (legacy && ct == TN_PARQUET_CT_UINT_32)) {
            leaf->unsigned_order = true;
            set_leaf(leaf, tn_type_make(TN_TYPE_BIGINT), PQ_CONV_U32);
            return;
        }
        if ((lt->kind == TN_PARQUET_LT_INTEGER && !lt->is_signed) ||
            (legacy && (ct == TN_PARQUET_CT_UINT_8 || ct == TN_PARQUET_CT_UINT_16)))
            leaf->unsigned_order = true; /* small unsigned values fit INTEGER as they are */
        set_leaf(leaf, tn_type_make(TN_TYPE_INTEGER), PQ_CONV_I32);
        return;
    case TN_PARQUET_INT64:
        if (lt->kind == TN_PARQUET_LT_TIMESTAMP) {
            tn_type ty = tn_type_make(lt->is_adjusted_to_utc ? TN_TYPE_TIMESTAMPTZ
                                                              : TN_TYPE_TIMESTAMP);
            if (lt->unit == TN_PARQUET_MILLIS)
                set_leaf(leaf, ty, PQ_CONV_TS_MILLIS);
            else if (lt->unit == TN_PARQUET_NANOS)
                set_leaf(leaf, ty, PQ_CONV_TS_NANOS);
            else if (lt->unit == TN_PARQUET_MICROS)
                set_leaf(leaf, ty, PQ_CONV_I64);
            else
                set_leaf(leaf, tn_type_make(TN_TYPE_BIGINT), PQ_CONV_I64);
            return;
        }
        if (legacy && ct == TN_PARQUET_CT_TIMESTAMP_MILLIS) {
            set_leaf(leaf, tn_type_make(TN_TYPE_TIMESTAMP), PQ_CONV_TS_MILLIS);
            return;
        }
        if (legacy && ct == TN_PARQUET_CT_TIMESTAMP_MICROS) {
            set_leaf(leaf, tn_type_make(TN_TYPE_TIMESTAMP), PQ_CONV_I64);
            return;
        }
        if (lt->kind == TN_PARQUET_LT_TIME || (legacy && ct == TN_PARQUET_CT_TIME_MICROS)) {
            int conv = lt->kind == TN_PARQUET_LT_TIME && lt->unit == TN_PARQUET_NANOS
                           ? PQ_CONV_TIME_NANOS
                           : PQ_CONV_TIME_MICROS;
            set_leaf(leaf, tn_type_make(TN_TYPE_VARCHAR), conv);
            return;
        }
        if ((lt->kind == TN_PARQUET_LT_INTEGER && !lt->is_signed) ||
            (legacy && ct == TN_PARQUET_CT_UINT_64)) {
            leaf->unsigned_order = true;
            set_leaf(leaf, tn_type_decimal(20, 0), PQ_CONV_U64_DEC);
            return;
        }
        set_leaf(leaf, tn_type_make(TN_TYPE_BIGINT), PQ_CONV_I64);
        return;
    case TN_PARQUET_FIXED_LEN_BYTE_ARRAY:
        if (lt->kind == TN_PARQUET_LT_FLOAT16 && leaf->type_length == 2) {
            set_leaf(leaf, tn_type_make(TN_TYPE_REAL), PQ_CONV_F16);
            return;
        }
        if (lt->kind == TN_PARQUET_LT_UUID && leaf->type_length == 16) {
            set_leaf(leaf, tn_type_make(TN_TYPE_VARCHAR), PQ_CONV_UUID);
            return;
        }
        break;
    default:
        break;
    }
    /* Byte arrays: text when annotated as text, bytes otherwise. */
    bool text = lt->kind == TN_PARQUET_LT_STRING || lt->kind == TN_PARQUET_LT_ENUM ||
                lt->kind == TN_PARQUET_LT_JSON ||
                (legacy && (ct == TN_PARQUET_CT_UTF8 || ct == TN_PARQUET_CT_ENUM ||
                            ct == TN_PARQUET_CT_JSON));
    if (text)
        set_leaf(leaf, tn_type_make(TN_TYPE_VARCHAR), PQ_CONV_STRING);
    else
        set_leaf(leaf, tn_type_make(TN_TYPE_BLOB), PQ_CONV_BLOB);
}

/* ------------------------------------------------------------------------------------------
 * Schema tree
 * ---------------------------------------------------------------------------------------- */

typedef struct tree_builder {
    tn_parquet_file *file;
    uint32_t next;     /* next schema element */
    tn_error *err;
} tree_builder;

static bool is_group(const tn_parquet_schema_element *el)
{
    if (el->has_num_children && el->num_children > 0)
        return true;
    return !el->has_type;
}

static int build_node(tree_builder *b, int32_t parent, int depth, int32_t *out_idx)
{
    tn_parquet_file *f = b->file;
    if (b->next >= f->md.schema_count)
        return pq_error(b->err, TN_ECORRUPT, f, -1, NULL,
                        "corrupt schema: a group declares more children than the schema has "
                        "elements");
    if (depth > TN_PQ_MAX_DEPTH)
        return pq_error(b->err, TN_ELIMIT, f, -1, NULL,
                        "schema nests deeper than %d levels", TN_PQ_MAX_DEPTH);
    uint32_t idx = b->next++;
    const tn_parquet_schema_element *el = &f->md.schema[idx];
    pq_node *n = &f->nodes[idx];
    n->el = el;
    n->parent = parent;
    n->leaf = -1;
    n->name = tn_arena_strndup(&f->arena, el->name.ptr ? el->name.ptr : "", el->name.len);
    if (!n->name)
        return pq_error(b->err, TN_ENOMEM, f, -1, NULL, "out of memory reading the schema");
    if (parent < 0) {
        n->repetition = TN_PARQUET_REQUIRED;
    } else {
        int32_t r = el->has_repetition ? el->repetition : TN_PARQUET_REQUIRED;
        if (r < TN_PARQUET_REQUIRED || r > TN_PARQUET_REPEATED)
            return pq_error(b->err, TN_ECORRUPT, f, -1, n->name,
                            "corrupt schema: repetition type %d", (int)r);
        n->repetition = (uint8_t)r;
        const pq_node *p = &f->nodes[parent];
        n->def = (int16_t)(p->def + (r != TN_PARQUET_REQUIRED));
        n->rep = (int16_t)(p->rep + (r == TN_PARQUET_REPEATED));
    }
    *out_idx = (int32_t)idx;
    if (!is_group(el)) {
        if (parent < 0)
            return pq_error(b->err, TN_ECORRUPT, f, -1, NULL,
                            "corrupt schema: the root is not a group");
        n->json = PQ_JSON_VALUE;
        n->leaf = (int32_t)f->leaf_count++;
        return 0;
    }
    int32_t count = el->has_num_children ? el->num_children : 0;
    if (count < 0 || (uint32_t)count > f->md.schema_count - b->next)
        return pq_error(b->err, TN_ECORRUPT, f, -1, n->name,
                        "corrupt schema: group declares %d children", (int)count);
    n->child_count = (uint32_t)count;
    n->children = tn_arena_alloc(&f->arena, (size_t)(count ? count : 1) * sizeof(int32_t));
    if (!n->children)
        return pq_error(b->err, TN_ENOMEM, f, -1, NULL, "out of memory reading the schema");
    for (int32_t i = 0; i < count; i++) {
        int rc = build_node(b, (int32_t)idx, depth + 1, &n->children[i]);
        if (rc != 0)
            return rc;
    }
    /* How the group shows in JSON. */
    n->json = PQ_JSON_OBJECT;
    const tn_parquet_logical_type *lt = &el->logical;
    int ct = el->has_converted_type ? el->converted_type : -1;
    if (count == 1) {
        const pq_node *c = &f->nodes[n->children[0]];
        bool child_repeated = c->repetition == TN_PARQUET_REPEATED;
        if (child_repeated && (lt->kind == TN_PARQUET_LT_LIST || ct == TN_PARQUET_CT_LIST)) {
            n->json = PQ_JSON_LIST;
            /* The backward-compatibility rules of LogicalTypes.md: when is the repeated
             * field itself the element? */
            if (c->leaf >= 0 || c->child_count != 1) {
                n->list_element_is_repeated = true;
            } else {
                size_t nl = strlen(n->name);
                n->list_element_is_repeated =
                    strcmp(c->name, "array") == 0 ||
                    (strncmp(c->name, n->name, nl) == 0 && strcmp(c->name + nl, "_tuple") == 0);
            }
        } else if (child_repeated && c->leaf < 0 && c->child_count >= 1 &&
                   c->child_count <= 2 &&
                   (lt->kind == TN_PARQUET_LT_MAP || ct == TN_PARQUET_CT_MAP ||
                    ct == TN_PARQUET_CT_MAP_KEY_VALUE)) {
            n->json = PQ_JSON_MAP;
        }
    }
    return 0;
}

/* Leaves of the subtree at node idx: [*first, *first + *count). */
static void subtree_leaves(const tn_parquet_file *f, int32_t idx, uint32_t *first,
                           uint32_t *count)
{
    const pq_node *n = &f->nodes[idx];
    if (n->leaf >= 0) {
        *first = (uint32_t)n->leaf;
        *count = 1;
        return;
    }
    /* Depth-first order keeps a subtree's leaves contiguous. */
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t i = 0; i < n->child_count; i++) {
        uint32_t cf, cc;
        subtree_leaves(f, n->children[i], &cf, &cc);
        if (cc == 0)
            continue;
        lo = cf < lo ? cf : lo;
        hi = cf + cc > hi ? cf + cc : hi;
    }
    *first = lo == UINT32_MAX ? 0 : lo;
    *count = lo == UINT32_MAX ? 0 : hi - lo;
}

static int add_out(tn_parquet_file *f, int32_t node, bool nested, const char *name,
                   tn_error *err)
{
    pq_out *o = &f->outs[f->out_count];
    o->nested = nested;
    o->node = node;
    subtree_leaves(f, node, &o->leaf_first, &o->leaf_count);
    if (o->leaf_count == 0)
        return 0; /* an empty group has nothing to read */
    const pq_node *n = &f->nodes[node];
    tn_type type;
    bool nullable;
    int32_t field_id = n->el->has_field_id ? n->el->field_id : 0;
    if (nested) {
        type = tn_type_make(TN_TYPE_VARCHAR);
        nullable = n->def > 0;
    } else {
        const pq_leaf *leaf = &f->leaves[n->leaf];
        type = leaf->type;
        nullable = leaf->max_def > 0;
    }
    for (uint32_t i = 0; i < o->leaf_count; i++)
        f->leaves[o->leaf_first + i].out = (int32_t)f->out_count;
    if (tn_schema_add(f->schema, name, type, nullable) != 0)
        return pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory building the schema");
    f->schema->columns[f->schema->column_count - 1].field_id = field_id;
    f->out_count++;
    return 0;
}

/* Walks the tree: plain groups are flattened, repeated and LIST/MAP groups become JSON. */
static int collect_outs(tn_parquet_file *f, int32_t idx, const char *prefix, tn_error *err)
{
    const pq_node *n = &f->nodes[idx];
    for (uint32_t i = 0; i < n->child_count; i++) {
        const pq_node *c = &f->nodes[n->children[i]];
        char *name = prefix ? tn_arena_alloc(&f->arena, strlen(prefix) + strlen(c->name) + 2)
                            : c->name;
        if (!name)
            return pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory building the schema");
        if (prefix)
            sprintf(name, "%s.%s", prefix, c->name);
        int rc;
        if (c->leaf >= 0) {
            f->leaves[c->leaf].path = name;
            rc = add_out(f, n->children[i], c->repetition == TN_PARQUET_REPEATED, name, err);
        } else if (c->repetition == TN_PARQUET_REPEATED || c->json == PQ_JSON_LIST ||
                   c->json == PQ_JSON_MAP) {
            rc = add_out(f, n->children[i], true, name, err);
        } else {
            rc = collect_outs(f, n->children[i], name, err);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Leaf paths for leaves inside JSON columns (used in messages): the dotted path. */
static int name_leaves(tn_parquet_file *f, tn_error *err)
{
    for (uint32_t i = 0; i < f->node_count; i++) {
        pq_node *n = &f->nodes[i];
        if (n->leaf < 0 || f->leaves[n->leaf].path)
            continue;
        size_t len = 0, parts = 0;
        for (int32_t k = (int32_t)i; k > 0; k = f->nodes[k].parent) {
            len += strlen(f->nodes[k].name);
            parts++;
        }
        len += parts > 0 ? parts - 1 : 0; /* the dots */
        char *path = tn_arena_alloc(&f->arena, len + 1);
        if (!path)
            return pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory building the schema");
        size_t pos = len;
        path[len] = '\0';
        for (int32_t k = (int32_t)i; k > 0; k = f->nodes[k].parent) {
            size_t l = strlen(f->nodes[k].name);
            pos -= l;
            memcpy(path + pos, f->nodes[k].name, l);
            if (pos > 0)
                path[--pos] = '.';
        }
        f->leaves[n->leaf].path = path;
    }
    return 0;
}

static int build_schema(tn_parquet_file *f, tn_error *err)
{
    const tn_parquet_file_metadata *md = &f->md;
    if (md->schema_count == 0)
        return pq_error(err, TN_ECORRUPT, f, -1, NULL, "corrupt footer: the schema is empty");
    f->node_count = md->schema_count;
    f->nodes = tn_arena_calloc(&f->arena, md->schema_count * sizeof(pq_node));
    if (!f->nodes)
        return pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory reading the schema");
    tree_builder b = {f, 0, err};
    int32_t root;
    int rc = build_node(&b, -1, 0, &root);
    if (rc != 0)
        return rc;
    if (b.next != md->schema_count)
        return pq_error(err, TN_ECORRUPT, f, -1, NULL,
                        "corrupt schema: %u elements but the tree uses %u",
                        md->schema_count, b.next);
    f->leaves = tn_arena_calloc(&f->arena, (f->leaf_count ? f->leaf_count : 1) * sizeof(pq_leaf));
    f->outs = tn_arena_calloc(&f->arena, (f->leaf_count ? f->leaf_count : 1) * sizeof(pq_out));
    f->schema = tn_schema_new();
    if (!f->leaves || !f->outs || !f->schema)
        return pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory reading the schema");
    for (uint32_t i = 0; i < f->node_count; i++) {
        const pq_node *n = &f->nodes[i];
        if (n->leaf < 0)
            continue;
        pq_leaf *leaf = &f->leaves[n->leaf];
        leaf->node = (int32_t)i;
        leaf->physical = n->el->type;
        leaf->type_length = n->el->has_type_length ? n->el->type_length : 0;
        leaf->max_def = n->def;
        leaf->max_rep = n->rep;
        leaf->out = -1;
        if (leaf->physical < TN_PARQUET_BOOLEAN ||
            leaf->physical > TN_PARQUET_FIXED_LEN_BYTE_ARRAY)
            return pq_error(err, TN_ECORRUPT, f, -1, n->name,
                            "corrupt schema: unknown physical type %d", (int)leaf->physical);
        if (leaf->physical == TN_PARQUET_FIXED_LEN_BYTE_ARRAY && leaf->type_length <= 0)
            return pq_error(err, TN_ECORRUPT, f, -1, n->name,
                            "corrupt schema: FIXED_LEN_BYTE_ARRAY of length %d",
                            (int)leaf->type_length);
        map_leaf(leaf, n->el);
    }
    rc = collect_outs(f, root, NULL, err);
    if (rc != 0)
        return rc;
    return name_leaves(f, err);
}

/* ------------------------------------------------------------------------------------------
 * Opening
 * ---------------------------------------------------------------------------------------- */

static int check_row_groups(tn_parquet_file *f, tn_error *err)
{
    const tn_parquet_file_metadata *md = &f->md;
    int64_t total = 0;
    for (uint32_t g = 0; g < md->row_group_count; g++) {
        const tn_parquet_row_group *rg = &md->row_groups[g];
        if (rg->num_rows < 0)
            return pq_error(err, TN_ECORRUPT, f, g, NULL, "negative row count %lld",
                            (long long)rg->num_rows);
        if (__builtin_add_overflow(total, rg->num_rows, &total))
            return pq_error(err, TN_ECORRUPT, f, g, NULL,
                            "row counts add up past 2^63 (%lld in this row group)",
                            (long long)rg->num_rows);
        if (rg->column_count != f->leaf_count)
            return pq_error(err, TN_ECORRUPT, f, g, NULL,
                            "has %u column chunks but the schema has %u columns",
                            rg->column_count, f->leaf_count);
        for (uint32_t c = 0; c < rg->column_count; c++) {
            const tn_parquet_column_chunk *cc = &rg->columns[c];
            const char *name = f->leaves[c].path;
            if (cc->encrypted)
                return pq_error(err, TN_EFORMAT, f, -1, NULL,
                                "encrypted Parquet files are not supported");
            if (cc->has_file_path && cc->file_path.len > 0)
                return pq_error(err, TN_EUNSUPPORTED, f, g, name,
                                "column data in another file ('%.*s') is not supported",
                                (int)(cc->file_path.len > 200 ? 200 : cc->file_path.len),
                                cc->file_path.ptr);
            if (!cc->has_meta_data)
                return pq_error(err, TN_ECORRUPT, f, g, name, "column chunk has no metadata");
            if (cc->meta_data.type != f->leaves[c].physical)
                return pq_error(err, TN_ECORRUPT, f, g, name,
                                "column chunk type %s differs from the schema's %s",
                                tn_parquet_type_name(cc->meta_data.type),
                                tn_parquet_type_name(f->leaves[c].physical));
        }
    }
    return 0;
}

/* Footer bytes read first when only the schema is wanted: a few hundred columns' worth. */
#define SCHEMA_PREFIX_BYTES ((uint32_t)16 << 10)

static int file_open(tn_parquet_source *src, tn_parquet_file **out, bool schema_only,
                     tn_error *err)
{
    *out = NULL;
    tn_parquet_file *f = tn_calloc(1, sizeof(*f));
    if (!f) {
        tn_parquet_source_close(src);
        return tn_error_set(err, TN_ENOMEM, "out of memory opening a Parquet file");
    }
    f->src = *src;
    memset(src, 0, sizeof(*src));
    tn_arena_init(&f->arena, 0);
    int rc;
    uint8_t head[4], tail[8];
    if (f->src.size < 12) {
        rc = pq_error(err, TN_EFORMAT, f, -1, NULL,
                      "not a Parquet file: %llu bytes is too small (a Parquet file has at "
                      "least 12)", (unsigned long long)f->src.size);
        goto fail;
    }
    if ((rc = f->src.read(f->src.ctx, 0, head, 4, err)) != 0 ||
        (rc = f->src.read(f->src.ctx, f->src.size - 8, tail, 8, err)) != 0) {
        rc = pq_error_wrap(err, rc, f, -1, NULL);
        goto fail;
    }
    if (memcmp(tail + 4, "PARE", 4) == 0 || memcmp(head, "PARE", 4) == 0) {
        rc = pq_error(err, TN_EFORMAT, f, -1, NULL, "encrypted Parquet files are not supported");
        goto fail;
    }
    if (memcmp(head, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0) {
        rc = pq_error(err, TN_EFORMAT, f, -1, NULL,
                      "not a Parquet file: the %s magic bytes \"PAR1\" are missing",
                      memcmp(head, "PAR1", 4) != 0 ? "leading" : "trailing");
        goto fail;
    }
    uint32_t footer_len;
    memcpy(&footer_len, tail, 4);
    if ((uint64_t)footer_len > f->src.size - 12 || footer_len == 0) {
        rc = pq_error(err, TN_ECORRUPT, f, -1, NULL,
                      "corrupt footer: its length %u does not fit in a file of %llu bytes "
                      "(the file may be truncated)", footer_len,
                      (unsigned long long)f->src.size);
        goto fail;
    }
    f->data_end = f->src.size - 8 - footer_len;
    f->schema_only = schema_only;
    /* The schema and num_rows open the footer; the row groups after them are nearly all of
     * it (117 KiB for 81 row groups of 13 columns). Reading only the start spares the copy
     * and the page faults of memory that would never be looked at; a schema that does not
     * fit is read again with the whole footer. */
    uint32_t want = schema_only && footer_len > SCHEMA_PREFIX_BYTES ? SCHEMA_PREFIX_BYTES
                                                                    : footer_len;
    for (;;) {
        tn_free(f->footer);
        f->footer = tn_malloc(want);
        if (!f->footer) {
            rc = pq_error(err, TN_ENOMEM, f, -1, NULL, "out of memory reading the footer");
            goto fail;
        }
        if ((rc = f->src.read(f->src.ctx, f->data_end, f->footer, want, err)) != 0) {
            rc = pq_error_wrap(err, rc, f, -1, NULL);
            goto fail;
        }
        rc = schema_only ? tn_parquet_file_schema_decode(f->footer, want, &f->arena, &f->md, err)
                         : tn_parquet_file_metadata_decode(f->footer, want, &f->arena, &f->md,
                                                           err);
        if (rc == 0 || want == footer_len)
            break;
        tn_error_clear(err);
        want = footer_len;
    }
    if (rc != 0) {
        rc = pq_error_wrap(err, rc, f, -1, NULL);
        goto fail;
    }
    if (f->md.encrypted) {
        rc = pq_error(err, TN_EFORMAT, f, -1, NULL, "encrypted Parquet files are not supported");
        goto fail;
    }
    if ((rc = build_schema(f, err)) != 0 || (!schema_only && (rc = check_row_groups(f, err)) != 0))
        goto fail;
    *out = f;
    return 0;
fail:
    tn_parquet_file_close(f);
    return rc;
}

int tn_parquet_file_open(tn_parquet_source *src, tn_parquet_file **out, tn_error *err)
{
    return file_open(src, out, false, err);
}

int tn_parquet_file_open_schema(tn_parquet_source *src, tn_parquet_file **out, tn_error *err)
{
    return file_open(src, out, true, err);
}

void tn_parquet_file_close(tn_parquet_file *file)
{
    if (!file)
        return;
    tn_schema_unref(file->schema);
    tn_arena_free(&file->arena);
    tn_free(file->footer);
    tn_parquet_source_close(&file->src);
    tn_free(file);
}

const tn_schema *tn_parquet_file_schema(const tn_parquet_file *file) { return file->schema; }

int64_t tn_parquet_file_num_rows(const tn_parquet_file *file)
{
    if (file->schema_only)
        return file->md.num_rows;
    /* The row groups are what is read; the footer's total is only a claim. */
    int64_t n = 0;
    for (uint32_t g = 0; g < file->md.row_group_count; g++)
        n += file->md.row_groups[g].num_rows;
    return n;
}

int tn_parquet_file_count_rows(const char *path, int64_t *rows, tn_error *err)
{
    *rows = 0;
    tn_parquet_source src;
    tn_parquet_file *f = NULL;
    int rc = tn_parquet_source_open_file(path, &src, err);
    if (rc == 0 && (rc = tn_parquet_file_open_schema(&src, &f, err)) == 0)
        *rows = f->md.num_rows;
    tn_parquet_file_close(f);
    return rc;
}

uint32_t tn_parquet_file_row_group_count(const tn_parquet_file *file)
{
    return file->md.row_group_count;
}

const char *tn_parquet_file_name(const tn_parquet_file *file) { return file->src.name; }

/* ------------------------------------------------------------------------------------------
 * Describe
 * ---------------------------------------------------------------------------------------- */

static int json_str(tn_buf *b, tn_str s)
{
    return tn_buf_append_json_string(b, s.ptr ? s.ptr : "", s.len);
}

/* Appends a statistic as JSON text (null when it cannot be shown). */
static int describe_stat(tn_buf *b, const pq_leaf *leaf, bool has, tn_str raw)
{
    if (!has)
        return tn_buf_append_cstr(b, "null");
    tn_vector v;
    if (tn_vector_init(&v, leaf->type, 1) != 0)
        return TN_ENOMEM;
    int rc;
    if (pq_stat_value(leaf, raw, &v))
        rc = pq_json_value(&v, 0, b);
    else
        rc = tn_buf_append_cstr(b, "null");
    tn_vector_destroy(&v);
    return rc;
}

int tn_parquet_file_describe(const tn_parquet_file *file, tn_buf *b)
{
    const tn_parquet_file_metadata *md = &file->md;
    int rc = tn_buf_append_cstr(b, "{\"created_by\":");
    rc |= md->has_created_by ? json_str(b, md->created_by) : tn_buf_append_cstr(b, "null");
    rc |= tn_buf_printf(b, ",\"num_rows\":%lld,\"format_version\":%d,\"row_groups\":[",
                        (long long)md->num_rows, (int)md->version);
    for (uint32_t g = 0; g < md->row_group_count && rc == 0; g++) {
        const tn_parquet_row_group *rg = &md->row_groups[g];
        rc |= tn_buf_printf(b, "%s{\"rows\":%lld,\"bytes\":%lld,\"columns\":[", g ? "," : "",
                            (long long)rg->num_rows, (long long)rg->total_byte_size);
        for (uint32_t c = 0; c < rg->column_count && rc == 0; c++) {
            const tn_parquet_column_metadata *m = &rg->columns[c].meta_data;
            const pq_leaf *leaf = &file->leaves[c];
            rc |= tn_buf_append_cstr(b, c ? ",{\"name\":" : "{\"name\":");
            rc |= tn_buf_append_json_string(b, leaf->path, strlen(leaf->path));
            rc |= tn_buf_printf(b, ",\"physical_type\":\"%s\",\"codec\":\"%s\",\"encodings\":[",
                                tn_parquet_type_name(m->type), tn_codec_name(m->codec));
            for (uint32_t e = 0; e < m->encoding_count; e++)
                rc |= tn_buf_printf(b, "%s\"%s\"", e ? "," : "",
                                    tn_parquet_encoding_name(m->encodings[e]));
            rc |= tn_buf_printf(b, "],\"compressed_bytes\":%lld,\"uncompressed_bytes\":%lld",
                                (long long)m->total_compressed_size,
                                (long long)m->total_uncompressed_size);
            const tn_parquet_statistics *st = &m->statistics;
            bool has_stats = m->has_statistics;
            if (has_stats && st->has_null_count)
                rc |= tn_buf_printf(b, ",\"null_count\":%lld", (long long)st->null_count);
            else
                rc |= tn_buf_append_cstr(b, ",\"null_count\":null");
            /* min_value/max_value follow the column order; the deprecated min/max used
             * signed comparison, which is right only for signed numbers. */
            bool modern = has_stats && (st->has_min_value || st->has_max_value);
            bool legacy_ok = !leaf->unsigned_order && !is_bytes_type(leaf->physical) &&
                             leaf->physical != TN_PARQUET_INT96;
            tn_str none = {NULL, 0};
            rc |= tn_buf_append_cstr(b, ",\"min\":");
            if (modern)
                rc |= describe_stat(b, leaf, st->has_min_value, st->min_value);
            else
                rc |= describe_stat(b, leaf, has_stats && legacy_ok && st->has_min,
                                    has_stats ? st->min : none);
            rc |= tn_buf_append_cstr(b, ",\"max\":");
            if (modern)
                rc |= describe_stat(b, leaf, st->has_max_value, st->max_value);
            else
                rc |= describe_stat(b, leaf, has_stats && legacy_ok && st->has_max,
                                    has_stats ? st->max : none);
            rc |= tn_buf_putc(b, '}');
        }
        rc |= tn_buf_append_cstr(b, "]}");
    }
    rc |= tn_buf_append_cstr(b, "],\"key_value_metadata\":{");
    for (uint32_t i = 0; i < md->key_value_count && rc == 0; i++) {
        const tn_parquet_key_value *kv = &md->key_value_metadata[i];
        if (i)
            rc |= tn_buf_putc(b, ',');
        rc |= json_str(b, kv->key);
        rc |= tn_buf_putc(b, ':');
        rc |= kv->has_value ? json_str(b, kv->value) : tn_buf_append_cstr(b, "null");
    }
    rc |= tn_buf_putc(b, '}');
    rc |= tn_buf_putc(b, '}');
    return rc ? TN_ENOMEM : 0;
}
