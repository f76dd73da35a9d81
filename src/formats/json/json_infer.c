/* SPDX-License-Identifier: Apache-2.0
 *
 * Columns of a JSON reader and type inference: the key-path -> column map the row parser
 * looks keys up in, and the widening rules that turn the kinds of values seen in the sample
 * into one column type (see README.md, "Inference").
 */
#include "formats/json/json_int.h"

/* Prepares an empty column set. Returns 0 or TN_ENOMEM. */
int tn_json_cols_init(json_cols *cols)
{
    memset(cols, 0, sizeof *cols);
    cols->index = tn_hash_new(64);
    return cols->index ? 0 : TN_ENOMEM;
}

/* Frees names, the array and the index; leaves the set empty. Accepts a zeroed set. */
void tn_json_cols_free(json_cols *cols)
{
    for (uint32_t i = 0; i < cols->count; i++) tn_free(cols->cols[i].name);
    tn_free(cols->cols);
    tn_hash_free(cols->index);
    memset(cols, 0, sizeof *cols);
}

/* Appends a column named [name, name + len). Returns its index, TN_ENOMEM or TN_ELIMIT. */
int tn_json_cols_add(json_cols *cols, const char *name, size_t len)
{
    if (cols->count >= JSON_MAX_COLUMNS) return TN_ELIMIT;
    if (cols->count == cols->cap) {
        uint32_t cap = cols->cap ? cols->cap * 2 : 16;
        json_col *grown = tn_realloc(cols->cols, sizeof *grown * cap);
        if (!grown) return TN_ENOMEM;
        cols->cols = grown;
        cols->cap = cap;
    }
    /* Not tn_strndup: a key with an escaped NUL keeps all its bytes. */
    char *full = tn_malloc(len + 1);
    if (!full) return TN_ENOMEM;
    memcpy(full, name, len);
    full[len] = '\0';
    uint32_t idx = cols->count;
    if (tn_hash_put(cols->index, full, len, (void *)(uintptr_t)(idx + 1)) != 0) {
        tn_free(full);
        return TN_ENOMEM;
    }
    json_col *c = &cols->cols[idx];
    c->name = full;
    c->name_len = len;
    c->kinds = 0;
    c->plain = true;
    for (size_t i = 0; i < len; i++)
        if (tn_json_string_special[(unsigned char)name[i]]) c->plain = false;
    c->type = tn_type_make(TN_TYPE_VARCHAR);
    cols->count++;
    return (int)idx;
}

/* Drops the columns from index `keep` on. */
void tn_json_cols_truncate(json_cols *cols, uint32_t keep)
{
    while (cols->count > keep) {
        json_col *c = &cols->cols[--cols->count];
        tn_hash_remove(cols->index, c->name, c->name_len);
        tn_free(c->name);
        c->name = NULL;
    }
}

/* The widening lattice: integer -> double; date -> timestamp; anything else mixed, or any
 * string that is not a date/timestamp, or an array -> VARCHAR. Nulls never decide. */
tn_type tn_json_kinds_type(uint32_t kinds)
{
    uint32_t k = kinds & ~(uint32_t)JSON_KIND_NULL;
    if (k == 0) return tn_type_make(TN_TYPE_VARCHAR);
    if (k == JSON_KIND_BOOL) return tn_type_make(TN_TYPE_BOOLEAN);
    if (k == JSON_KIND_INT) return tn_type_make(TN_TYPE_BIGINT);
    if ((k & ~(uint32_t)(JSON_KIND_INT | JSON_KIND_DOUBLE)) == 0)
        return tn_type_make(TN_TYPE_DOUBLE);
    if (k == JSON_KIND_DATE) return tn_type_make(TN_TYPE_DATE);
    if ((k & ~(uint32_t)(JSON_KIND_DATE | JSON_KIND_TS)) == 0)
        return tn_type_make(TN_TYPE_TIMESTAMP);
    if (k == JSON_KIND_TSTZ) return tn_type_make(TN_TYPE_TIMESTAMPTZ);
    return tn_type_make(TN_TYPE_VARCHAR);
}

/* Quotes a value for a reject reason: 'text', cut to 48 bytes on a character boundary with
 * "..." appended, control bytes shown as '?'. */
void tn_json_quote_for_message(const char *s, size_t n, char *out, size_t out_size)
{
    size_t limit = 48;
    bool cut = false;
    if (n > limit) {
        n = limit;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
        cut = true;
    }
    size_t o = 0;
    if (out_size < 8) {
        if (out_size) out[0] = '\0';
        return;
    }
    out[o++] = '\'';
    for (size_t i = 0; i < n && o + 5 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    if (cut && o + 5 < out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = '\0';
}
