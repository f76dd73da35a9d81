/* SPDX-License-Identifier: Apache-2.0
 *
 * The row parser: one JSON value (an NDJSON line, an array element, a whole document) into
 * one row, with no tree in between. Objects become rows: each key path (nested objects
 * flattened to "a.b") is looked up in the reader's column map, with a fast path that guesses
 * the column after the previous one (rows usually repeat the key order), and each value is
 * converted straight into that column's vector.
 *
 * INFER mode runs the same code during sampling but records the kinds of values seen and
 * adds new key paths as columns; a sampled row that turns out bad leaves no trace.
 *
 * A row that fails (bad syntax, a value that does not fit its column) is rolled back: every
 * vector is left as before the row, so the batch stays consistent without copying.
 */
#include "formats/json/json_int.h"

#include <stdio.h>

/* Sets up a row parser over `cols`. Returns 0 or TN_ENOMEM. */
int tn_json_row_init(json_row *row, json_cols *cols, json_row_mode mode, bool records)
{
    memset(row, 0, sizeof *row);
    row->cols = cols;
    row->mode = mode;
    row->records = records;
    return 0;
}

/* Frees the parser's buffers; accepts a zeroed parser. */
void tn_json_row_free(json_row *row)
{
    tn_free(row->stamp);
    tn_free(row->obs);
    tn_free(row->text_hint);
    tn_buf_free(&row->scratch);
    tn_buf_free(&row->key);
    tn_buf_free(&row->path);
    tn_buf_free(&row->text);
    memset(row, 0, sizeof *row);
}

static const char *fatal(json_row *r, int code, const char *pos)
{
    if (!r->fatal_code) r->fatal_code = code;
    return json_fail(&r->syn, pos, code == TN_ENOMEM ? "out of memory" : "value too large");
}

/* Records the first value that does not fit its column. */
static void type_error(json_row *r, int col, const char *pos, const char *value, size_t len,
                       const char *what)
{
    if (r->reason_pos) return;
    char type_name[40];
    char quoted[80];
    const json_col *c = &r->cols->cols[col];
    tn_type_format(c->type, type_name, sizeof type_name);
    if (what) {
        snprintf(r->reason, sizeof r->reason, "%s is not a valid %s (key %.100s)", what, type_name,
                 c->name);
    } else {
        tn_json_quote_for_message(value, len, quoted, sizeof quoted);
        snprintf(r->reason, sizeof r->reason, "%s is not a valid %s (key %.100s)", quoted,
                 type_name, c->name);
    }
    r->reason_pos = pos;
    r->reason_col = col;
}

/* ------------------------------------------------------------------------------------------
 * INFER: kinds seen in the current row, merged into the columns when the row is good.
 * ---------------------------------------------------------------------------------------- */

static bool observe(json_row *r, int col, uint32_t kind)
{
    if (r->obs_count == r->obs_cap) {
        uint32_t cap = r->obs_cap ? r->obs_cap * 2 : 32;
        json_obs *grown = tn_realloc(r->obs, sizeof *grown * cap);
        if (!grown) {
            r->fatal_code = TN_ENOMEM;
            return false;
        }
        r->obs = grown;
        r->obs_cap = cap;
    }
    r->obs[r->obs_count].col = (uint32_t)col;
    r->obs[r->obs_count].kind = kind;
    r->obs_count++;
    return true;
}

static uint32_t classify_string(const char *s, size_t n)
{
    /* Only strings shaped like an ISO date are worth the date parsers' time. */
    if (n < 8 || n > 64 || (unsigned)(s[0] - '0') > 9) return JSON_KIND_STRING;
    int32_t days;
    if (tn_parse_date(s, n, &days)) return JSON_KIND_DATE;
    int64_t micros;
    bool has_zone = false;
    if (tn_parse_timestamp(s, n, &micros, &has_zone))
        return has_zone ? JSON_KIND_TSTZ : JSON_KIND_TS;
    return JSON_KIND_STRING;
}

/* ------------------------------------------------------------------------------------------
 * LOAD: writing one value into its column.
 * ---------------------------------------------------------------------------------------- */

/* Marks col as set in this row. A repeated key overwrites (last wins): a variable-length
 * value is simply appended again at the row's start offset. */
static inline tn_vector *begin_set(json_row *r, int col, uint32_t row)
{
    tn_vector *v = &r->batch->columns[col];
    if (r->stamp[col] == r->row_id) {
        tn_vector_set_valid(v, row);
    } else {
        r->stamp[col] = r->row_id;
        r->set_count++;
    }
    return v;
}

static bool put_null(json_row *r, int col)
{
    if (r->mode == JSON_ROW_INFER) return observe(r, col, JSON_KIND_NULL);
    uint32_t row = r->batch->row_count;
    tn_vector *v = begin_set(r, col, row);
    tn_vector_append_null(v, row);
    return true;
}

/* Copies n bytes without a call for the short strings most values are: two overlapping
 * loads and stores of the widest size that fits, never past either end. */
JSON_INLINE void copy_short(char *dst, const char *src, size_t n)
{
    if (n > 32) {
        memcpy(dst, src, n);
    } else if (n >= 16) {
        uint64_t a, b, c, d;
        memcpy(&a, src, 8);
        memcpy(&b, src + 8, 8);
        memcpy(&c, src + n - 16, 8);
        memcpy(&d, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + 8, &b, 8);
        memcpy(dst + n - 16, &c, 8);
        memcpy(dst + n - 8, &d, 8);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n > 0) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

JSON_INLINE bool put_varlen(json_row *r, int col, const char *s, size_t n, const char *pos)
{
    uint32_t row = r->batch->row_count;
    tn_vector *v = begin_set(r, col, row);
    size_t start = (size_t)v->offsets[row];
    if (n <= v->data_cap - start && start + n <= (size_t)INT32_MAX) {
        /* Room already there: append without the call (validity was set by begin_set or
         * is still the initial "valid"). */
        if (n) copy_short(v->data + start, s, n);
        v->offsets[row + 1] = (int32_t)(start + n);
        v->data_len = start + n;
        return true;
    }
    int rc = tn_vector_append_str(v, row, s, n);
    if (rc != 0) {
        fatal(r, rc, pos);
        return false;
    }
    return true;
}

/* Timestamps of neighbouring rows mostly share their minute, so "YYYY-MM-DD HH:MM" is
 * parsed once and kept: a value of that prefix plus ":SS" (n == 19) then costs a compare
 * and two digits. The result is tn_parse_timestamp's, which reads the same prefix the same
 * way and adds the seconds. False when the value does not have that shape. */
JSON_INLINE bool timestamp_by_minute(json_row *r, const char *s, int64_t *micros)
{
    unsigned tens = (unsigned)(s[17] - '0'), ones = (unsigned)(s[18] - '0');
    if (s[16] != ':' || tens > 5 || ones > 9) return false;
    uint64_t lo = json_load8(s), hi = json_load8(s + 8);
    if (!r->minute_known || lo != r->minute_text[0] || hi != r->minute_text[1]) {
        int64_t base;
        bool has_zone = false;
        if (!tn_parse_timestamp(s, 16, &base, &has_zone)) return false;
        r->minute_text[0] = lo;
        r->minute_text[1] = hi;
        r->minute_micros = base;
        r->minute_known = true;
    }
    *micros = r->minute_micros + (int64_t)(tens * 10 + ones) * INT64_C(1000000);
    return true;
}

/* The same for dates: the last "YYYY-MM-DD" parsed and its day number. */
JSON_INLINE bool date_cached(json_row *r, const char *s, int32_t *days)
{
    uint64_t lo = json_load8(s);
    uint16_t hi;
    memcpy(&hi, s + 8, 2);
    if (r->day_known && lo == r->day_text[0] && hi == (uint16_t)r->day_text[1]) {
        *days = r->day_number;
        return true;
    }
    if (!tn_parse_date(s, 10, days)) return false;
    r->day_text[0] = lo;
    r->day_text[1] = hi;
    r->day_number = *days;
    r->day_known = true;
    return true;
}

/* A decoded JSON string into column col. */
static bool put_string(json_row *r, int col, const char *s, size_t n, const char *pos)
{
    if (r->mode == JSON_ROW_INFER) return observe(r, col, classify_string(s, n));
    tn_vector *v = &r->batch->columns[col];
    uint32_t row = r->batch->row_count;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        return put_varlen(r, col, s, n, pos);
    case TN_TYPE_DATE: {
        int32_t days;
        if (n != 10 || !date_cached(r, s, &days)) break;
        begin_set(r, col, row);
        tn_vector_i32(v)[row] = days;
        return true;
    }
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ: {
        int64_t micros;
        bool has_zone = false;
        if (n == 19 && timestamp_by_minute(r, s, &micros)) {
            begin_set(r, col, row);
            tn_vector_i64(v)[row] = micros;
            return true;
        }
        if (!tn_parse_timestamp(s, n, &micros, &has_zone)) break;
        /* A zoned value in a column without zone would silently shift: refuse it. */
        if (has_zone && v->type.id == TN_TYPE_TIMESTAMP) break;
        begin_set(r, col, row);
        tn_vector_i64(v)[row] = micros;
        return true;
    }
    case TN_TYPE_BOOLEAN: {
        bool b;
        if (!tn_parse_bool(s, n, &b)) break;
        begin_set(r, col, row);
        tn_vector_set_bool(v, row, b);
        return true;
    }
    case TN_TYPE_INTEGER: {
        int32_t i;
        if (!tn_parse_int32(s, n, &i)) break;
        begin_set(r, col, row);
        tn_vector_i32(v)[row] = i;
        return true;
    }
    case TN_TYPE_BIGINT: {
        int64_t i;
        if (!tn_parse_int64(s, n, &i)) break;
        begin_set(r, col, row);
        tn_vector_i64(v)[row] = i;
        return true;
    }
    case TN_TYPE_REAL:
    case TN_TYPE_DOUBLE: {
        double d;
        if (!tn_parse_double(s, n, &d)) break;
        begin_set(r, col, row);
        if (v->type.id == TN_TYPE_REAL)
            tn_vector_f32(v)[row] = (float)d;
        else
            tn_vector_f64(v)[row] = d;
        return true;
    }
    case TN_TYPE_DECIMAL: {
        tn_i128 dec;
        if (!tn_parse_decimal(s, n, v->type.precision, v->type.scale, &dec)) break;
        begin_set(r, col, row);
        tn_vector_set_decimal(v, row, dec);
        return true;
    }
    default:
        break;
    }
    type_error(r, col, pos, s, n, NULL);
    return true;
}

static bool put_number(json_row *r, int col, const json_num *num, const char *pos)
{
    if (r->mode == JSON_ROW_INFER) {
        int64_t i;
        return observe(r, col, json_num_int64(num, &i) ? JSON_KIND_INT : JSON_KIND_DOUBLE);
    }
    tn_vector *v = &r->batch->columns[col];
    uint32_t row = r->batch->row_count;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BIGINT: {
        int64_t i;
        if (!json_num_int64(num, &i)) break;
        begin_set(r, col, row);
        tn_vector_i64(v)[row] = i;
        return true;
    }
    case TN_TYPE_DOUBLE:
        begin_set(r, col, row);
        tn_vector_f64(v)[row] = json_num_double(num);
        return true;
    case TN_TYPE_INTEGER: {
        int64_t i;
        if (!json_num_int64(num, &i) || i < INT32_MIN || i > INT32_MAX) break;
        begin_set(r, col, row);
        tn_vector_i32(v)[row] = (int32_t)i;
        return true;
    }
    case TN_TYPE_REAL:
        begin_set(r, col, row);
        tn_vector_f32(v)[row] = (float)json_num_double(num);
        return true;
    case TN_TYPE_DECIMAL: {
        tn_i128 dec;
        if (!tn_parse_decimal(num->text, num->len, v->type.precision, v->type.scale, &dec)) break;
        begin_set(r, col, row);
        tn_vector_set_decimal(v, row, dec);
        return true;
    }
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        return put_varlen(r, col, num->text, num->len, pos);
    default:
        break;
    }
    type_error(r, col, pos, num->text, num->len, NULL);
    return true;
}

static bool put_bool(json_row *r, int col, bool value, const char *pos)
{
    if (r->mode == JSON_ROW_INFER) return observe(r, col, JSON_KIND_BOOL);
    tn_vector *v = &r->batch->columns[col];
    uint32_t row = r->batch->row_count;
    switch ((tn_type_id)v->type.id) {
    case TN_TYPE_BOOLEAN:
        begin_set(r, col, row);
        tn_vector_set_bool(v, row, value);
        return true;
    case TN_TYPE_VARCHAR:
    case TN_TYPE_BLOB:
        return put_varlen(r, col, value ? "true" : "false", value ? 4 : 5, pos);
    default:
        type_error(r, col, pos, value ? "true" : "false", value ? 4 : 5, NULL);
        return true;
    }
}

/* An array value: kept as compact JSON text in a VARCHAR column. */
static const char *put_array(json_row *r, int col, const char *p, const char *end, int depth)
{
    bool oom = false;
    const char *q;
    if (r->mode == JSON_ROW_INFER) {
        q = tn_json_scan_value(p, end, depth, NULL, &oom, &r->syn);
        if (q && !observe(r, col, JSON_KIND_ARRAY)) return fatal(r, TN_ENOMEM, p);
        return q;
    }
    tn_vector *v = &r->batch->columns[col];
    if (!tn_type_is_varlen(v->type)) {
        q = tn_json_scan_value(p, end, depth, NULL, &oom, &r->syn);
        if (q) type_error(r, col, p, NULL, 0, "an array");
        return q;
    }
    tn_buf_clear(&r->text);
    q = tn_json_scan_value(p, end, depth, &r->text, &oom, &r->syn);
    if (!q) return oom ? fatal(r, TN_ENOMEM, p) : NULL;
    if (!put_varlen(r, col, r->text.data, r->text.len, p)) return NULL;
    return q;
}

/* ------------------------------------------------------------------------------------------
 * Keys and values
 * ---------------------------------------------------------------------------------------- */

/* Equality of two byte strings of length n without a call; keys are short, so one or two
 * overlapping word loads usually decide. */
JSON_INLINE bool same_bytes(const char *a, const char *b, size_t n)
{
    uint64_t x, y, u, v;
    if (n >= 8) {
        while (n > 16) {
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y) return false;
            a += 8;
            b += 8;
            n -= 8;
        }
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return x == y && u == v;
    }
    if (n >= 4) {
        uint32_t x4, y4, u4, v4;
        memcpy(&x4, a, 4);
        memcpy(&y4, b, 4);
        memcpy(&u4, a + n - 4, 4);
        memcpy(&v4, b + n - 4, 4);
        return x4 == y4 && u4 == v4;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return false;
    return true;
}

/* The column of a key path when the guess missed: -1 when it has none (ignored), -2 on a
 * fatal error. */
static int resolve_slow(json_row *r, const char *name, size_t len)
{
    json_cols *cs = r->cols;
    void *found;
    if (tn_hash_get(cs->index, name, len, &found)) {
        uint32_t idx = (uint32_t)((uintptr_t)found - 1);
        r->guess = idx + 1;
        return (int)idx;
    }
    if (r->mode != JSON_ROW_INFER) return -1;
    int idx = tn_json_cols_add(cs, name, len);
    if (idx == TN_ELIMIT) {
        if (!cs->warned_limit)
            tn_log(TN_LOG_WARN,
                   "JSON input has more than %d distinct keys; the others are "
                   "ignored",
                   JSON_MAX_COLUMNS);
        cs->warned_limit = true;
        return -1;
    }
    if (idx < 0) {
        r->fatal_code = idx;
        return -2;
    }
    r->guess = (uint32_t)idx + 1;
    return idx;
}

/* The column of a key path: the column after the previous key is tried first, because rows
 * mostly repeat one key order. */
JSON_INLINE int resolve(json_row *r, const char *name, size_t len)
{
    uint32_t g = r->guess;
    if (g < r->cols->count) {
        const json_col *c = &r->cols->cols[g];
        if (c->name_len == len && same_bytes(c->name, name, len)) {
            r->guess = g + 1;
            return (int)g;
        }
    }
    return resolve_slow(r, name, len);
}

/* json_skip_ws that notes a newline crossed, for tn_json_row_parse_line. */
JSON_INLINE const char *skip_ws_in_row(json_row *r, const char *p, const char *end)
{
    while (p < end && (unsigned char)*p <= ' ' && json_is_ws((unsigned char)*p)) {
        if (*p == '\n') r->crossed_line = true;
        p++;
    }
    return p;
}

/* An array or other value checked by the validating scanner, which skips newlines itself. */
static void note_newline(json_row *r, const char *p, const char *q)
{
    if (r->one_line && q && memchr(p, '\n', (size_t)(q - p))) r->crossed_line = true;
}

/* One non-object value at p (p at its first byte) into column col (-1: check only). */
JSON_INLINE const char *parse_value(json_row *r, const char *p, const char *end, int col, int depth)
{
    const char *q;
    switch (*p) {
    case '"': {
        bool escaped = false;
        q = json_scan_string(p + 1, end, &escaped, &r->syn);
        if (!q || col < 0) return q;
        const char *s = p + 1;
        size_t n = (size_t)(q - 1 - s);
        if (escaped) {
            if (tn_buf_reserve(&r->scratch, n) != 0) return fatal(r, TN_ENOMEM, p);
            n = tn_json_unescape(s, q - 1, r->scratch.data);
            s = r->scratch.data;
        }
        if (!put_string(r, col, s, n, p)) return NULL;
        return q;
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
        q = json_scan_number(p, end, &num, &r->syn);
        if (!q || col < 0) return q;
        if (!put_number(r, col, &num, p)) return NULL;
        return q;
    }
    case 't':
        if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            if (col >= 0 && !put_bool(r, col, true, p)) return NULL;
            return p + 4;
        }
        break;
    case 'f':
        if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            if (col >= 0 && !put_bool(r, col, false, p)) return NULL;
            return p + 5;
        }
        break;
    case 'n':
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
            if (col >= 0 && !put_null(r, col)) return fatal(r, TN_ENOMEM, p);
            return p + 4;
        }
        break;
    case '[':
        if (col < 0) {
            bool oom = false;
            q = tn_json_scan_value(p, end, depth, NULL, &oom, &r->syn);
        } else {
            q = put_array(r, col, p, end, depth);
        }
        note_newline(r, p, q);
        return q;
    default:
        return json_fail(&r->syn, p,
                         "expected a value (object, array, string, number, true, "
                         "false or null)");
    }
    /* A literal that did not match: cut short by the end, or misspelt. */
    {
        const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
        size_t avail = (size_t)(end - p);
        if (avail < strlen(word) && memcmp(p, word, avail) == 0)
            return json_fail_end(&r->syn, p, "unexpected end of input");
        return json_fail(&r->syn, p, "invalid literal (expected true, false or null)");
    }
}

/* The members of the row's object, whose '{' is just before p. Nested objects are flattened
 * without recursion: `prefix` holds, per open object, the length of its key-path prefix in
 * r->path, so nesting costs no C stack. */
static const char *parse_members(json_row *r, const char *p, const char *end)
{
    size_t *prefix = r->prefix;
    int depth = 1; /* open objects */
    size_t prefix_len = 0;
    prefix[0] = 0;
    p = skip_ws_in_row(r, p, end);
    if (p >= end) return json_fail_end(&r->syn, p, "unexpected end of input");
    if (*p == '}') goto close;
    for (;;) {
        if (*p != '"') return json_fail(&r->syn, p, "expected a string key");
        const char *key = p + 1;
        const char *q = NULL;
        size_t key_len = 0;
        int col = -3; /* not resolved yet */
        /* Fast path: the guessed column's name is a plain string (no escapes, quotes,
         * controls or non-ASCII): if its bytes and a closing quote are at p, the key needs
         * neither scanning nor a lookup. */
        uint32_t g = r->guess;
        if (g < r->cols->count) {
            const json_col *c = &r->cols->cols[g];
            size_t n = c->name_len;
            if (c->plain && n >= prefix_len && (size_t)(end - key) > n - prefix_len &&
                key[n - prefix_len] == '"' &&
                same_bytes(c->name + prefix_len, key, n - prefix_len) &&
                (prefix_len == 0 || same_bytes(c->name, r->path.data, prefix_len))) {
                col = (int)g;
                key_len = n - prefix_len;
                q = key + key_len + 1;
            }
        }
        if (col == -3) {
            bool escaped = false;
            q = json_scan_string(key, end, &escaped, &r->syn);
            if (!q) return NULL;
            key_len = (size_t)(q - 1 - key);
            if (escaped) {
                if (tn_buf_reserve(&r->key, key_len) != 0) return fatal(r, TN_ENOMEM, p);
                key_len = tn_json_unescape(key, q - 1, r->key.data);
                key = r->key.data;
            }
        }
        p = q;
        if (p < end && *p == ':') {
            p++;
        } else {
            p = skip_ws_in_row(r, p, end);
            if (p >= end) return json_fail_end(&r->syn, p, "expected ':' after the key");
            if (*p != ':') return json_fail(&r->syn, p, "expected ':' after the key");
            p++;
        }
        p = skip_ws_in_row(r, p, end);
        if (p >= end) return json_fail_end(&r->syn, p, "expected a value");
        if (*p == '{') {
            /* Nested object: flattened, its keys become "key.inner". */
            if (depth + 1 > TN_JSON_MAX_DEPTH)
                return json_fail(&r->syn, p, "nesting deeper than 1024 levels");
            r->path.len = prefix_len;
            if (tn_buf_append(&r->path, key, key_len) != 0 || tn_buf_putc(&r->path, '.') != 0)
                return fatal(r, TN_ENOMEM, p);
            prefix_len = r->path.len;
            prefix[depth++] = prefix_len;
            p = skip_ws_in_row(r, p + 1, end);
            if (p >= end) return json_fail_end(&r->syn, p, "unexpected end of input");
            if (*p != '}') continue; /* its first member */
            goto close;
        }
        if (col >= 0) {
            r->guess = g + 1;
        } else if (prefix_len == 0) {
            col = resolve(r, key, key_len);
        } else {
            r->path.len = prefix_len;
            if (tn_buf_append(&r->path, key, key_len) != 0) return fatal(r, TN_ENOMEM, p);
            col = resolve(r, r->path.data, r->path.len);
        }
        if (col == -2) return fatal(r, r->fatal_code, p);
        p = parse_value(r, p, end, col, depth);
        if (!p) return NULL;
    after:
        if (p < end && *p == ',') {
            p++;
        } else {
            p = skip_ws_in_row(r, p, end);
            if (p >= end) return json_fail_end(&r->syn, p, "unexpected end of input");
            if (*p == '}') goto close;
            if (*p != ',')
                return json_fail(&r->syn, p, "expected ',' or '}' after an object member");
            p++;
        }
        p = skip_ws_in_row(r, p, end);
        if (p >= end) return json_fail_end(&r->syn, p, "unexpected end of input");
        continue;
    close:
        /* p is at a '}' that closes the innermost open object. */
        p++;
        if (--depth == 0) return p;
        prefix_len = prefix[depth - 1];
        goto after;
    }
}

/* ------------------------------------------------------------------------------------------
 * Rows
 * ---------------------------------------------------------------------------------------- */

static void rollback(json_row *r)
{
    if (r->mode == JSON_ROW_INFER) {
        tn_json_cols_truncate(r->cols, r->cols_at_start);
        r->obs_count = 0;
        return;
    }
    /* Fixed-width values are overwritten by the next row; validity must be restored, and a
     * variable-length value is dropped because the next row appends at the same offset. */
    uint32_t row = r->batch->row_count;
    uint32_t n = r->cols->count;
    for (uint32_t c = 0; c < n && r->set_count > 0; c++) {
        if (r->stamp[c] != r->row_id) continue;
        tn_vector *v = &r->batch->columns[c];
        tn_vector_set_valid(v, row);
        if (tn_type_is_varlen(v->type)) v->data_len = (size_t)v->offsets[row];
        r->stamp[c] = 0;
        r->set_count--;
    }
}

static void commit(json_row *r)
{
    if (r->mode == JSON_ROW_INFER) {
        for (uint32_t i = 0; i < r->obs_count; i++)
            r->cols->cols[r->obs[i].col].kinds |= r->obs[i].kind;
        r->obs_count = 0;
        return;
    }
    uint32_t row = r->batch->row_count;
    uint32_t n = r->cols->count;
    if (r->set_count < n) {
        /* Keys missing from this row are NULL. */
        for (uint32_t c = 0; c < n; c++) {
            if (r->stamp[c] == r->row_id) continue;
            tn_vector_append_null(&r->batch->columns[c], row);
        }
    }
    r->batch->row_count = row + 1;
}

/* Resets the per-row state and makes the stamps cover every column. False when out of
 * memory (fatal_code set). */
static bool row_begin(json_row *r)
{
    r->row_id++;
    r->set_count = 0;
    r->guess = 0;
    r->obs_count = 0;
    r->reason_pos = NULL;
    r->fatal_code = 0;
    r->cols_at_start = r->cols->count;
    if (r->mode == JSON_ROW_LOAD && r->stamp_cap < r->cols->count) {
        uint64_t *grown = tn_realloc(r->stamp, sizeof *grown * r->cols->count);
        if (!grown) {
            r->fatal_code = TN_ENOMEM;
            return false;
        }
        memset(grown + r->stamp_cap, 0, sizeof *grown * (r->cols->count - r->stamp_cap));
        r->stamp = grown;
        r->stamp_cap = r->cols->count;
    }
    return true;
}

/* Parses one row; see json_int.h. */
json_row_status tn_json_row_parse(json_row *r, const char *p, const char *end)
{
    if (!row_begin(r)) return JSON_ROW_FATAL;
    p = json_skip_ws(p, end);
    if (p >= end) return JSON_ROW_BLANK;
    r->top_kind = (unsigned char)*p;
    const char *q;
    bool oom = false;
    if (r->records) {
        if (*p != '{') {
            q = tn_json_scan_value(p, end, 0, NULL, &oom, &r->syn);
            if (!q) return JSON_ROW_SYNTAX;
            q = json_skip_ws(q, end);
            if (q < end) {
                json_fail(&r->syn, q, "unexpected content after the JSON value");
                return JSON_ROW_SYNTAX;
            }
            return JSON_ROW_NOT_OBJECT;
        }
        q = parse_members(r, p + 1, end);
    } else {
        tn_buf_clear(&r->text);
        q = tn_json_scan_value(p, end, 0, r->mode == JSON_ROW_LOAD ? &r->text : NULL, &oom,
                               &r->syn);
        if (!q && oom) fatal(r, TN_ENOMEM, p);
        if (q && r->mode == JSON_ROW_LOAD && !put_varlen(r, 0, r->text.data, r->text.len, p))
            q = NULL;
    }
    if (q) {
        q = json_skip_ws(q, end);
        if (q < end) q = json_fail(&r->syn, q, "unexpected content after the JSON value");
    }
    if (!q) {
        rollback(r);
        return r->fatal_code ? JSON_ROW_FATAL : JSON_ROW_SYNTAX;
    }
    if (r->reason_pos) {
        rollback(r);
        return JSON_ROW_TYPE;
    }
    commit(r);
    return JSON_ROW_OK;
}

/* Parses the NDJSON line at p; see json_int.h. The common line (an object at its first byte,
 * no newline inside, only spaces, tabs or '\r' after it) is parsed where it lies, so the line
 * end is found by the parser instead of a separate search. Anything else (blank lines,
 * problems, objects spread over lines) is parsed again between exact line bounds by
 * tn_json_row_parse, which gives the same result and message as always. */
json_row_status tn_json_row_parse_line(json_row *r, const char *p, const char *end,
                                       const char **line_end)
{
    if (r->mode == JSON_ROW_LOAD && r->records && p < end && *p == '{') {
        if (!row_begin(r)) return JSON_ROW_FATAL;
        r->top_kind = '{';
        r->one_line = true;
        r->crossed_line = false;
        const char *q = parse_members(r, p + 1, end);
        r->one_line = false;
        if (q && !r->crossed_line && !r->reason_pos) {
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
            if (q == end || *q == '\n') {
                commit(r);
                *line_end = q;
                return JSON_ROW_OK;
            }
        }
        if (r->fatal_code == TN_ENOMEM) {
            rollback(r);
            return JSON_ROW_FATAL;
        }
        rollback(r);
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *line_end = nl ? nl : end;
    return tn_json_row_parse(r, p, *line_end);
}
