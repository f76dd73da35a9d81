/* SPDX-License-Identifier: Apache-2.0
 *
 * json: tarn's own RFC 8259 parser for whole JSON documents (table metadata, API bodies,
 * settings). A document is parsed into a small read-only tree that lives in one arena and
 * dies with tn_json_free. The bulk NDJSON/JSON reader of the formats module does not build
 * trees: it shares this parser's lexer and writes straight into vectors.
 *
 * Conformance (see README.md): every text RFC 8259 accepts is accepted, everything else is
 * rejected with a line:column; strings must be valid UTF-8 and \u escapes must pair their
 * surrogates (a lone surrogate is an error); nesting deeper than TN_JSON_MAX_DEPTH is an
 * error; a leading byte order mark is an error. Duplicate keys are kept in the tree;
 * tn_json_get returns the last one ("last wins").
 */
#ifndef TN_JSON_H
#define TN_JSON_H

#include "core/core.h"

/* Deepest nesting of arrays and objects accepted (the document itself is depth 1). */
#define TN_JSON_MAX_DEPTH 1024

typedef enum tn_json_type {
    TN_JSON_NULL = 0,
    TN_JSON_BOOL,
    TN_JSON_NUMBER,
    TN_JSON_STRING,
    TN_JSON_ARRAY,
    TN_JSON_OBJECT,
} tn_json_type;

typedef struct tn_json tn_json;
typedef struct tn_json_member tn_json_member;

/* One value of a parsed document. Read the fields directly or through the accessors below;
 * everything is owned by the document. */
struct tn_json {
    uint8_t type;    /* tn_json_type */
    bool boolean;    /* BOOL: the value */
    bool is_integer; /* NUMBER: an integer literal (no fraction or exponent) */
    bool fits_int64; /* NUMBER: an integer literal within int64 (then `integer` is set) */
    uint32_t count;  /* ARRAY: items, OBJECT: members */
    union {
        tn_str string; /* STRING: decoded UTF-8 (may contain NUL bytes); NUL-terminated */
        struct {
            tn_str text;     /* the literal as written */
            double real;     /* correctly rounded; overflow gives +-inf, underflow 0 */
            int64_t integer; /* when fits_int64 */
        } number;
        tn_json *items;          /* ARRAY */
        tn_json_member *members; /* OBJECT, in document order, duplicates kept */
    } u;
};

struct tn_json_member {
    tn_str key; /* decoded UTF-8, NUL-terminated */
    tn_json value;
};

typedef struct tn_json_doc tn_json_doc;

/* Parses the whole of [text, text + len) as one JSON text (surrounding whitespace allowed).
 * On success *out owns a document (free with tn_json_free). On failure returns TN_EPARSE
 * with err's line and column (1-based, in bytes) at the problem (nesting past
 * TN_JSON_MAX_DEPTH included), or TN_ENOMEM. `text` need not be NUL-terminated and is not
 * kept. */
int tn_json_parse(const char *text, size_t len, tn_json_doc **out, tn_error *err);
/* Checks [text, text + len) without building anything. Same return codes as tn_json_parse. */
int tn_json_validate(const char *text, size_t len, tn_error *err);
void tn_json_free(tn_json_doc *doc); /* accepts NULL */
/* The root value; valid until tn_json_free. */
const tn_json *tn_json_root(const tn_json_doc *doc);

/* Accessors. All accept NULL and values of the wrong type (they then return NULL, 0 or
 * false), so lookups can be chained: tn_json_get(tn_json_get(root, "a"), "b"). */
tn_json_type tn_json_type_of(const tn_json *value); /* TN_JSON_NULL for NULL */
/* The member named key in an object (the last one when the key is repeated), or NULL. */
const tn_json *tn_json_get(const tn_json *object, const char *key);
const tn_json *tn_json_get_n(const tn_json *object, const char *key, size_t key_len);
size_t tn_json_count(const tn_json *value);                  /* items or members */
const tn_json *tn_json_at(const tn_json *array, size_t idx); /* array item, or NULL */
/* Member idx of an object (document order): its key through *key, the value returned. */
const tn_json *tn_json_member_at(const tn_json *object, size_t idx, tn_str *key);
bool tn_json_is_null(const tn_json *value); /* true only for a JSON null */
bool tn_json_bool(const tn_json *value, bool *out);
/* An integer literal within int64 (1.0 and 1e3 are not integers here). */
bool tn_json_int64(const tn_json *value, int64_t *out);
bool tn_json_double(const tn_json *value, double *out); /* any number */
/* A string's decoded bytes; false when not a string. */
bool tn_json_string(const tn_json *value, tn_str *out);
/* A string's bytes as a NUL-terminated C string, or NULL (not a string). */
const char *tn_json_cstr(const tn_json *value);

/* Appends value as compact JSON text (no whitespace; numbers as written; strings escaped as
 * RFC 8259 requires). Returns 0 or TN_ENOMEM. */
int tn_json_write(const tn_json *value, tn_buf *out);

#endif /* TN_JSON_H */
