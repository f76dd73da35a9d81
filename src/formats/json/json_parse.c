/* SPDX-License-Identifier: Apache-2.0
 *
 * The document parser of json.h: one JSON text into a read-only tree held in an arena, plus
 * the accessors and a compact writer. The parser is iterative (an explicit stack of open
 * containers), so nesting is bounded by TN_JSON_MAX_DEPTH and never by the C stack.
 *
 * Children are collected on a value stack while their container is open and copied into one
 * arena array when it closes, so a tree costs one node per value and no per-node malloc.
 */
#include "formats/json/json_int.h"

struct tn_json_doc {
    tn_arena arena; /* every node, string and array of the tree */
    tn_json root;
};

/* An open container while parsing. */
typedef struct parse_frame {
    uint8_t type; /* TN_JSON_ARRAY or TN_JSON_OBJECT */
    size_t start; /* index of its first child on the value stack */
    tn_str key;   /* the key this container is the value of, when in an object */
} parse_frame;

typedef struct parser {
    tn_arena *arena;
    tn_json *vals; /* values of the open containers, innermost last */
    tn_str *keys;  /* keys[i] belongs to vals[i] when its container is an object */
    size_t count;
    size_t cap;
} parser;

static int push(parser *ps, const tn_json *value, tn_str key)
{
    if (ps->count == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        tn_json *vals = tn_realloc(ps->vals, cap * sizeof *vals);
        if (!vals) return TN_ENOMEM;
        ps->vals = vals;
        tn_str *keys = tn_realloc(ps->keys, cap * sizeof *keys);
        if (!keys) return TN_ENOMEM;
        ps->keys = keys;
        ps->cap = cap;
    }
    ps->vals[ps->count] = *value;
    ps->keys[ps->count] = key;
    ps->count++;
    return 0;
}

/* Decodes the string body [p, q) into the arena, NUL-terminated. */
static bool arena_string(tn_arena *arena, const char *p, const char *q, bool escaped, tn_str *out)
{
    size_t n = (size_t)(q - p);
    char *s = tn_arena_alloc(arena, n + 1);
    if (!s) return false;
    size_t len = escaped ? tn_json_unescape(p, q, s) : (memcpy(s, p, n), n);
    s[len] = '\0';
    *out = tn_str_make(s, len);
    return true;
}

static void locate(const char *text, const char *pos, int64_t *line, int64_t *column)
{
    int64_t l = 1;
    const char *line_start = text;
    for (const char *c = text; c < pos; c++) {
        if (*c == '\n') {
            l++;
            line_start = c + 1;
        }
    }
    *line = l;
    *column = (int64_t)(pos - line_start) + 1;
}

static int syntax_error(tn_error *err, const char *text, const json_err *e)
{
    int64_t line, column;
    locate(text, e->pos, &line, &column);
    return tn_error_set_at(err, TN_EPARSE, NULL, line, column, "invalid JSON: %s", e->msg);
}

/* Parses into doc; see json.h. */
int tn_json_parse(const char *text, size_t len, tn_json_doc **out, tn_error *err)
{
    *out = NULL;
    const char *p = text;
    const char *end = text + len;
    json_err e = {0};
    parser ps = {0};
    parse_frame *frames = NULL;
    size_t depth = 0;
    tn_str key = {"", 0}; /* the key of the value about to be parsed, in an object */
    int rc = 0;

    tn_json_doc *doc = tn_calloc(1, sizeof *doc);
    if (!doc) return tn_error_set(err, TN_ENOMEM, "out of memory parsing JSON");
    tn_arena_init(&doc->arena, 0);
    ps.arena = &doc->arena;
    frames = tn_malloc(sizeof *frames * TN_JSON_MAX_DEPTH);
    if (!frames) goto oom;

value:
    p = json_skip_ws(p, end);
    if (p >= end) {
        json_fail_end(&e, p, "expected a value");
        goto syntax;
    }
    {
        tn_json node;
        memset(&node, 0, sizeof node);
        switch (*p) {
        case '{':
        case '[': {
            uint8_t type = *p == '{' ? TN_JSON_OBJECT : TN_JSON_ARRAY;
            if (depth >= TN_JSON_MAX_DEPTH) {
                json_fail(&e, p, "nesting deeper than 1024 levels");
                goto syntax;
            }
            frames[depth].type = type;
            frames[depth].start = ps.count;
            frames[depth].key = key;
            depth++;
            p = json_skip_ws(p + 1, end);
            if (p >= end) {
                json_fail_end(&e, p, "unexpected end of input");
                goto syntax;
            }
            if (*p == (type == TN_JSON_OBJECT ? '}' : ']')) {
                p++;
                goto close;
            }
            if (type == TN_JSON_OBJECT) goto key;
            goto value;
        }
        case '"': {
            bool escaped = false;
            const char *q = json_scan_string(p + 1, end, &escaped, &e);
            if (!q) goto syntax;
            node.type = TN_JSON_STRING;
            if (!arena_string(&doc->arena, p + 1, q - 1, escaped, &node.u.string)) goto oom;
            p = q;
            break;
        }
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9': {
            json_num num;
            const char *q = json_scan_number(p, end, &num, &e);
            if (!q) goto syntax;
            node.type = TN_JSON_NUMBER;
            node.is_integer = num.is_int;
            node.fits_int64 = json_num_int64(&num, &node.u.number.integer);
            node.u.number.real = tn_json_num_double(&num);
            char *t = tn_arena_strndup(&doc->arena, p, num.len);
            if (!t) goto oom;
            node.u.number.text = tn_str_make(t, num.len);
            p = q;
            break;
        }
        case 't':
        case 'f':
        case 'n': {
            const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
            size_t n = strlen(word);
            if ((size_t)(end - p) < n || memcmp(p, word, n) != 0) {
                if ((size_t)(end - p) < n && memcmp(p, word, (size_t)(end - p)) == 0)
                    json_fail_end(&e, p, "unexpected end of input");
                else
                    json_fail(&e, p, "invalid literal (expected true, false or null)");
                goto syntax;
            }
            node.type = *p == 'n' ? TN_JSON_NULL : TN_JSON_BOOL;
            node.boolean = *p == 't';
            p += n;
            break;
        }
        default:
            json_fail(&e, p,
                      "expected a value (object, array, string, number, true, false or "
                      "null)");
            goto syntax;
        }
        if (push(&ps, &node, key) != 0) goto oom;
        goto after;
    }

key:
    if (*p != '"') {
        json_fail(&e, p, "expected a string key");
        goto syntax;
    }
    {
        bool escaped = false;
        const char *q = json_scan_string(p + 1, end, &escaped, &e);
        if (!q) goto syntax;
        if (!arena_string(&doc->arena, p + 1, q - 1, escaped, &key)) goto oom;
        p = json_skip_ws(q, end);
        if (p >= end || *p != ':') {
            if (p >= end)
                json_fail_end(&e, p, "expected ':' after the key");
            else
                json_fail(&e, p, "expected ':' after the key");
            goto syntax;
        }
        p++;
        goto value;
    }

close : {
    parse_frame *f = &frames[--depth];
    size_t n = ps.count - f->start;
    tn_json node;
    memset(&node, 0, sizeof node);
    node.type = f->type;
    node.count = (uint32_t)n;
    if (n > UINT32_MAX) {
        json_fail(&e, p, "too many items in one container");
        goto syntax;
    }
    if (f->type == TN_JSON_ARRAY) {
        if (n) {
            node.u.items = tn_arena_alloc(&doc->arena, n * sizeof(tn_json));
            if (!node.u.items) goto oom;
            memcpy(node.u.items, ps.vals + f->start, n * sizeof(tn_json));
        }
    } else if (n) {
        node.u.members = tn_arena_alloc(&doc->arena, n * sizeof(tn_json_member));
        if (!node.u.members) goto oom;
        for (size_t i = 0; i < n; i++) {
            node.u.members[i].key = ps.keys[f->start + i];
            node.u.members[i].value = ps.vals[f->start + i];
        }
    }
    ps.count = f->start;
    if (push(&ps, &node, f->key) != 0) goto oom;
}

after:
    if (depth == 0) {
        p = json_skip_ws(p, end);
        if (p < end) {
            json_fail(&e, p, "unexpected content after the JSON value");
            goto syntax;
        }
        doc->root = ps.vals[0];
        tn_free(ps.vals);
        tn_free(ps.keys);
        tn_free(frames);
        *out = doc;
        return 0;
    }
    p = json_skip_ws(p, end);
    if (p >= end) {
        json_fail_end(&e, p, "unexpected end of input");
        goto syntax;
    }
    if (*p == ',') {
        p = json_skip_ws(p + 1, end);
        if (p >= end) {
            json_fail_end(&e, p, "unexpected end of input");
            goto syntax;
        }
        if (frames[depth - 1].type == TN_JSON_OBJECT) goto key;
        goto value;
    }
    if (*p == (frames[depth - 1].type == TN_JSON_OBJECT ? '}' : ']')) {
        p++;
        goto close;
    }
    json_fail(&e, p,
              frames[depth - 1].type == TN_JSON_OBJECT
                  ? "expected ',' or '}' after an object member"
                  : "expected ',' or ']' after an array item");
    goto syntax;

syntax:
    rc = syntax_error(err, text, &e);
    goto fail;
oom:
    rc = tn_error_set(err, TN_ENOMEM, "out of memory parsing JSON");
fail:
    tn_free(ps.vals);
    tn_free(ps.keys);
    tn_free(frames);
    tn_json_free(doc);
    return rc;
}

/* Validates without a tree; see json.h. */
int tn_json_validate(const char *text, size_t len, tn_error *err)
{
    json_err e = {0};
    bool oom = false;
    const char *end = text + len;
    const char *p = tn_json_scan_value(text, end, 0, NULL, &oom, &e);
    if (p) {
        p = json_skip_ws(p, end);
        if (p == end) return 0;
        json_fail(&e, p, "unexpected content after the JSON value");
    }
    return syntax_error(err, text, &e);
}

/* Frees a document; accepts NULL. */
void tn_json_free(tn_json_doc *doc)
{
    if (!doc) return;
    tn_arena_free(&doc->arena);
    tn_free(doc);
}

/* The root value. */
const tn_json *tn_json_root(const tn_json_doc *doc)
{
    return doc ? &doc->root : NULL;
}

/* The value's type; TN_JSON_NULL for NULL. */
tn_json_type tn_json_type_of(const tn_json *value)
{
    return value ? (tn_json_type)value->type : TN_JSON_NULL;
}

/* Member lookup, last duplicate wins. */
const tn_json *tn_json_get_n(const tn_json *object, const char *key, size_t key_len)
{
    if (!object || object->type != TN_JSON_OBJECT || !key) return NULL;
    for (size_t i = object->count; i-- > 0;) {
        const tn_json_member *m = &object->u.members[i];
        if (m->key.len == key_len && memcmp(m->key.ptr, key, key_len) == 0) return &m->value;
    }
    return NULL;
}

/* Member lookup by NUL-terminated key. */
const tn_json *tn_json_get(const tn_json *object, const char *key)
{
    return key ? tn_json_get_n(object, key, strlen(key)) : NULL;
}

/* Items of an array or members of an object; 0 otherwise. */
size_t tn_json_count(const tn_json *value)
{
    if (!value || (value->type != TN_JSON_ARRAY && value->type != TN_JSON_OBJECT)) return 0;
    return value->count;
}

/* Array item idx, or NULL. */
const tn_json *tn_json_at(const tn_json *array, size_t idx)
{
    if (!array || array->type != TN_JSON_ARRAY || idx >= array->count) return NULL;
    return &array->u.items[idx];
}

/* Object member idx in document order, or NULL. */
const tn_json *tn_json_member_at(const tn_json *object, size_t idx, tn_str *key)
{
    if (!object || object->type != TN_JSON_OBJECT || idx >= object->count) return NULL;
    if (key) *key = object->u.members[idx].key;
    return &object->u.members[idx].value;
}

/* True for a JSON null. */
bool tn_json_is_null(const tn_json *value)
{
    return value && value->type == TN_JSON_NULL;
}

/* A boolean's value. */
bool tn_json_bool(const tn_json *value, bool *out)
{
    if (!value || value->type != TN_JSON_BOOL) return false;
    *out = value->boolean;
    return true;
}

/* An integer literal within int64. */
bool tn_json_int64(const tn_json *value, int64_t *out)
{
    if (!value || value->type != TN_JSON_NUMBER || !value->fits_int64) return false;
    *out = value->u.number.integer;
    return true;
}

/* Any number as a double. */
bool tn_json_double(const tn_json *value, double *out)
{
    if (!value || value->type != TN_JSON_NUMBER) return false;
    *out = value->u.number.real;
    return true;
}

/* A string's decoded bytes. */
bool tn_json_string(const tn_json *value, tn_str *out)
{
    if (!value || value->type != TN_JSON_STRING) return false;
    *out = value->u.string;
    return true;
}

/* A string as a C string, or NULL. */
const char *tn_json_cstr(const tn_json *value)
{
    if (!value || value->type != TN_JSON_STRING) return NULL;
    return value->u.string.ptr;
}

static int write_value(const tn_json *v, tn_buf *out, int depth)
{
    int rc = 0;
    switch (v->type) {
    case TN_JSON_NULL:
        return tn_buf_append(out, "null", 4);
    case TN_JSON_BOOL:
        return v->boolean ? tn_buf_append(out, "true", 4) : tn_buf_append(out, "false", 5);
    case TN_JSON_NUMBER:
        return tn_buf_append(out, v->u.number.text.ptr, v->u.number.text.len);
    case TN_JSON_STRING:
        return tn_buf_append_json_string(out, v->u.string.ptr, v->u.string.len);
    case TN_JSON_ARRAY:
        if ((rc = tn_buf_putc(out, '['))) return rc;
        for (uint32_t i = 0; i < v->count; i++) {
            if (i && (rc = tn_buf_putc(out, ','))) return rc;
            if ((rc = write_value(&v->u.items[i], out, depth + 1))) return rc;
        }
        return tn_buf_putc(out, ']');
    case TN_JSON_OBJECT:
        if ((rc = tn_buf_putc(out, '{'))) return rc;
        for (uint32_t i = 0; i < v->count; i++) {
            const tn_json_member *m = &v->u.members[i];
            if (i && (rc = tn_buf_putc(out, ','))) return rc;
            if ((rc = tn_buf_append_json_string(out, m->key.ptr, m->key.len))) return rc;
            if ((rc = tn_buf_putc(out, ':'))) return rc;
            if ((rc = write_value(&m->value, out, depth + 1))) return rc;
        }
        return tn_buf_putc(out, '}');
    default:
        return TN_EINVAL;
    }
}

/* Compact serialisation; see json.h. The recursion is bounded by the parser's depth limit. */
int tn_json_write(const tn_json *value, tn_buf *out)
{
    if (!value) return tn_buf_append(out, "null", 4);
    return write_value(value, out, 0);
}
