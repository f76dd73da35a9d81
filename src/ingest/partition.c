/* SPDX-License-Identifier: Apache-2.0
 *
 * Partition specs as people write them on the command line ("day(order_ts), region",
 * "bucket(16, customer_id)") parsed into the lake's partition definitions, and the reverse for
 * `tarn describe`. The grammar is small enough for a hand-written scanner:
 *
 *   spec      := item (',' item)*
 *   item      := column | transform '(' args ')'
 *   args      := column | number ',' column | column ',' number      (bucket, truncate)
 *   column    := identifier | "quoted" | `quoted`
 *
 * Transform names follow Iceberg (identity, year, month, day, hour, bucket, truncate, void)
 * and Spark's DDL spellings (years, months, days, date, hours); the lake checks that the
 * transform applies to the column's type when the table is created.
 */
#include "ingest/ingest.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <strings.h>

typedef struct scanner {
    const char *text;
    size_t pos;
} scanner;

/* The canonical name of a transform spelling, and whether it takes a number. */
typedef struct transform_name {
    const char *spelling;
    const char *canonical;
    bool has_param;
} transform_name;

static const transform_name transform_names[] = {
    {"identity", "identity", false}, {"year", "year", false},   {"years", "year", false},
    {"month", "month", false},       {"months", "month", false}, {"day", "day", false},
    {"days", "day", false},          {"date", "day", false},     {"hour", "hour", false},
    {"hours", "hour", false},        {"bucket", "bucket", true}, {"truncate", "truncate", true},
    {"trunc", "truncate", true},     {"void", "void", false},
};

static void skip_space(scanner *s)
{
    while (s->text[s->pos] && isspace((unsigned char)s->text[s->pos])) s->pos++;
}

static int fail_at(const scanner *s, tn_error *err, const char *fmt, const char *what)
{
    tn_error_set(err, TN_EPARSE, fmt, what);
    /* The column names the character position so the user can see where the spec broke. */
    err->column = (int64_t)s->pos + 1;
    snprintf(err->key, sizeof err->key, "partition-by");
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%.600s (at character %zu of '%.300s')", err->message, s->pos + 1,
             s->text);
    memcpy(err->message, msg, sizeof msg);
    return TN_EPARSE;
}

/* An identifier or a quoted name; *len 0 when none is here. */
static int scan_name(scanner *s, tn_arena *arena, char **out, tn_error *err)
{
    *out = NULL;
    skip_space(s);
    char c = s->text[s->pos];
    if (c == '"' || c == '`') {
        size_t start = ++s->pos;
        while (s->text[s->pos] && s->text[s->pos] != c) s->pos++;
        if (!s->text[s->pos]) return fail_at(s, err, "unterminated quoted column name%s", "");
        size_t len = s->pos - start;
        s->pos++;
        if (len == 0) return fail_at(s, err, "empty column name%s", "");
        *out = tn_arena_strndup(arena, s->text + start, len);
        return *out ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    size_t start = s->pos;
    while (s->text[s->pos] && (isalnum((unsigned char)s->text[s->pos]) || s->text[s->pos] == '_' ||
                               (unsigned char)s->text[s->pos] >= 0x80))
        s->pos++;
    if (s->pos == start) return 0;
    *out = tn_arena_strndup(arena, s->text + start, s->pos - start);
    return *out ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
}

static bool is_number(const char *s)
{
    if (!*s) return false;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return false;
    return true;
}

static bool expect(scanner *s, char c)
{
    skip_space(s);
    if (s->text[s->pos] != c) return false;
    s->pos++;
    return true;
}

/* One item of the spec. */
static int parse_item(scanner *s, tn_arena *arena, tn_lake_partition_def *def, tn_error *err)
{
    memset(def, 0, sizeof *def);
    char *word = NULL;
    int rc = scan_name(s, arena, &word, err);
    if (rc < 0) return rc;
    if (!word) return fail_at(s, err, "expected a column or a transform such as day(col)%s", "");
    skip_space(s);
    if (s->text[s->pos] != '(') {
        def->column = word;
        def->transform = "identity";
        return 0;
    }
    const transform_name *tn = NULL;
    for (size_t i = 0; i < sizeof transform_names / sizeof transform_names[0]; i++)
        if (strcasecmp(transform_names[i].spelling, word) == 0) tn = &transform_names[i];
    if (!tn)
        return fail_at(s, err,
                       "unknown partition transform '%s' (use identity, year, month, day, hour, "
                       "bucket(N, col) or truncate(W, col))",
                       word);
    s->pos++; /* '(' */
    char *first = NULL, *second = NULL;
    rc = scan_name(s, arena, &first, err);
    if (rc < 0) return rc;
    if (!first) return fail_at(s, err, "expected a column inside %s(...)", tn->canonical);
    if (expect(s, ',')) {
        rc = scan_name(s, arena, &second, err);
        if (rc < 0) return rc;
        if (!second) return fail_at(s, err, "expected a second argument of %s(...)", tn->canonical);
    }
    if (!expect(s, ')')) return fail_at(s, err, "expected ')' to close %s(...)", tn->canonical);
    if (!tn->has_param) {
        if (second)
            return fail_at(s, err, "%s(...) takes one column", tn->canonical);
        def->column = first;
        def->transform = tn->canonical;
        return 0;
    }
    /* bucket and truncate: a number and a column, in either order (Iceberg's Java API puts
     * the column first, Spark's DDL the number). */
    const char *number = NULL, *column = NULL;
    if (second && is_number(first) && !is_number(second)) {
        number = first;
        column = second;
    } else if (second && is_number(second) && !is_number(first)) {
        number = second;
        column = first;
    }
    if (!number)
        return fail_at(s, err, "%s needs a number and a column, as in bucket(16, customer_id)",
                       tn->canonical);
    long n = strtol(number, NULL, 10);
    if (n < 1 || n > 1000000)
        return fail_at(s, err, "the %s width must be between 1 and 1000000", tn->canonical);
    char transform[48];
    snprintf(transform, sizeof transform, "%s[%ld]", tn->canonical, n);
    def->column = column;
    def->transform = tn_arena_strdup(arena, transform);
    return def->transform ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
}

/* Parses a partition spec (see the file comment). */
int tn_ingest_partition_parse(const char *text, tn_ingest_partition **out, tn_error *err)
{
    *out = NULL;
    tn_ingest_partition *p = tn_calloc(1, sizeof *p);
    if (!p) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_arena_init(&p->arena, 4096);
    scanner s = {text ? text : "", 0};
    size_t cap = 0;
    int rc = 0;
    skip_space(&s);
    while (s.text[s.pos]) {
        if (p->count == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            tn_lake_partition_def *grown = tn_arena_alloc(&p->arena, ncap * sizeof *grown);
            if (!grown) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                goto fail;
            }
            if (p->count) memcpy(grown, p->defs, p->count * sizeof *grown);
            p->defs = grown;
            cap = ncap;
        }
        rc = parse_item(&s, &p->arena, &p->defs[p->count], err);
        if (rc < 0) goto fail;
        for (size_t i = 0; i < p->count; i++)
            if (strcasecmp(p->defs[i].column, p->defs[p->count].column) == 0 &&
                strcmp(p->defs[i].transform, p->defs[p->count].transform) == 0) {
                rc = fail_at(&s, err, "column '%s' is partitioned twice the same way",
                             p->defs[i].column);
                goto fail;
            }
        p->count++;
        skip_space(&s);
        if (!s.text[s.pos]) break;
        if (!expect(&s, ',')) {
            rc = fail_at(&s, err, "expected ',' between partition fields%s", "");
            goto fail;
        }
        skip_space(&s);
        if (!s.text[s.pos]) {
            rc = fail_at(&s, err, "a partition field is missing after the last ','%s", "");
            goto fail;
        }
    }
    *out = p;
    return 0;
fail:
    tn_ingest_partition_free(p);
    return rc;
}

/* Frees a parsed spec. */
void tn_ingest_partition_free(tn_ingest_partition *partition)
{
    if (!partition) return;
    tn_arena_free(&partition->arena);
    tn_free(partition);
}

/* Appends the default spec of md as "day(order_ts), region". */
int tn_ingest_partition_format(const tn_iceberg_metadata *md, tn_buf *out)
{
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
    const tn_iceberg_schema *schema = tn_iceberg_metadata_current_schema(md);
    int rc = 0;
    for (uint32_t i = 0; spec && i < spec->field_count && rc == 0; i++) {
        const tn_iceberg_partition_field *f = &spec->fields[i];
        const tn_iceberg_field *src = schema ? tn_iceberg_schema_field(schema, f->source_id) : NULL;
        char id[32];
        snprintf(id, sizeof id, "#%d", (int)f->source_id);
        const char *column = src ? src->name : id;
        if (i) rc = tn_buf_append_cstr(out, ", ");
        if (rc < 0) break;
        switch (f->transform.kind) {
        case TN_TRANSFORM_IDENTITY: rc = tn_buf_append_cstr(out, column); break;
        case TN_TRANSFORM_BUCKET:
        case TN_TRANSFORM_TRUNCATE:
            rc = tn_buf_printf(out, "%s(%d, %s)",
                               f->transform.kind == TN_TRANSFORM_BUCKET ? "bucket" : "truncate",
                               (int)f->transform.param, column);
            break;
        default: rc = tn_buf_printf(out, "%s(%s)", f->transform_text, column); break;
        }
    }
    return rc;
}
