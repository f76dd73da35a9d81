/* SPDX-License-Identifier: Apache-2.0
 *
 * Logical types: widths, SQL names (formatting and parsing, with the usual aliases) and the
 * widening rule that schema evolution and type inference follow.
 */
#include "core/core.h"

#include <stdio.h>

/* Bytes per value of fixed-width types; 0 for BOOLEAN (bits), VARCHAR/BLOB and invalid ids. */
size_t tn_type_width(tn_type t)
{
    switch ((tn_type_id)t.id) {
    case TN_TYPE_INTEGER:
    case TN_TYPE_REAL:
    case TN_TYPE_DATE:
        return 4;
    case TN_TYPE_BIGINT:
    case TN_TYPE_DOUBLE:
    case TN_TYPE_TIMESTAMP:
    case TN_TYPE_TIMESTAMPTZ:
        return 8;
    case TN_TYPE_DECIMAL:
        return tn_decimal_is_64(t) ? 8 : 16;
    default:
        return 0;
    }
}

/* Canonical SQL names, indexed by tn_type_id. */
static const char *const type_names[TN_TYPE_COUNT] = {
    [TN_TYPE_INVALID] = "INVALID",     [TN_TYPE_BOOLEAN] = "BOOLEAN",
    [TN_TYPE_INTEGER] = "INTEGER",     [TN_TYPE_BIGINT] = "BIGINT",
    [TN_TYPE_REAL] = "REAL",           [TN_TYPE_DOUBLE] = "DOUBLE",
    [TN_TYPE_DECIMAL] = "DECIMAL",     [TN_TYPE_DATE] = "DATE",
    [TN_TYPE_TIMESTAMP] = "TIMESTAMP", [TN_TYPE_TIMESTAMPTZ] = "TIMESTAMPTZ",
    [TN_TYPE_VARCHAR] = "VARCHAR",     [TN_TYPE_BLOB] = "BLOB",
};

/* Canonical name ("INTEGER", "DECIMAL(18,2)") into out (truncated to out_size); returns
 * out. */
const char *tn_type_format(tn_type t, char *out, size_t out_size)
{
    const char *name = t.id < TN_TYPE_COUNT ? type_names[t.id] : "INVALID";
    if (t.id == TN_TYPE_DECIMAL)
        snprintf(out, out_size, "DECIMAL(%u,%u)", t.precision, t.scale);
    else
        snprintf(out, out_size, "%s", name);
    return out;
}

/* Aliases, matched case-insensitively after runs of spaces are collapsed to one. */
static const struct type_alias {
    const char *name;
    tn_type_id id;
} type_aliases[] = {
    {"boolean", TN_TYPE_BOOLEAN},
    {"bool", TN_TYPE_BOOLEAN},
    {"logical", TN_TYPE_BOOLEAN},
    {"integer", TN_TYPE_INTEGER},
    {"int", TN_TYPE_INTEGER},
    {"int4", TN_TYPE_INTEGER},
    {"int32", TN_TYPE_INTEGER},
    {"signed", TN_TYPE_INTEGER},
    {"bigint", TN_TYPE_BIGINT},
    {"int8", TN_TYPE_BIGINT},
    {"int64", TN_TYPE_BIGINT},
    {"long", TN_TYPE_BIGINT},
    {"real", TN_TYPE_REAL},
    {"float4", TN_TYPE_REAL},
    {"float", TN_TYPE_REAL},
    {"double", TN_TYPE_DOUBLE},
    {"float8", TN_TYPE_DOUBLE},
    {"double precision", TN_TYPE_DOUBLE},
    {"date", TN_TYPE_DATE},
    {"timestamp", TN_TYPE_TIMESTAMP},
    {"datetime", TN_TYPE_TIMESTAMP},
    {"timestamp without time zone", TN_TYPE_TIMESTAMP},
    {"timestamptz", TN_TYPE_TIMESTAMPTZ},
    {"timestamp with time zone", TN_TYPE_TIMESTAMPTZ},
    {"varchar", TN_TYPE_VARCHAR},
    {"text", TN_TYPE_VARCHAR},
    {"string", TN_TYPE_VARCHAR},
    {"char", TN_TYPE_VARCHAR},
    {"bpchar", TN_TYPE_VARCHAR},
    {"character varying", TN_TYPE_VARCHAR},
    {"character", TN_TYPE_VARCHAR},
    {"blob", TN_TYPE_BLOB},
    {"bytea", TN_TYPE_BLOB},
    {"binary", TN_TYPE_BLOB},
    {"varbinary", TN_TYPE_BLOB},
};

/* Reads an unsigned decimal number of at most 3 digits at *p, skipping spaces around it. */
static bool read_small_int(const char **p, int *out)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    int v = 0, nd = 0;
    while (*s >= '0' && *s <= '9' && nd < 4) {
        v = v * 10 + (*s - '0');
        s++;
        nd++;
    }
    if (nd == 0 || nd > 3)
        return false;
    while (*s == ' ')
        s++;
    *p = s;
    *out = v;
    return true;
}

/* Parses a SQL type name, case-insensitively, with surrounding spaces ignored: the canonical
 * names, the aliases above, DECIMAL/NUMERIC[(p[,s])] (DECIMAL alone is DECIMAL(18,3), as in
 * DuckDB; DECIMAL(p) has scale 0) and VARCHAR(n)/CHAR(n) (length ignored). Returns 0 or
 * TN_EINVAL. */
int tn_type_parse(const char *name, tn_type *out)
{
    if (name == NULL)
        return TN_EINVAL;
    /* Lower-case copy with spaces collapsed; the longest alias is under 32 bytes. */
    char norm[64];
    size_t n = 0;
    const char *s = name;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s != '\0' && *s != '('; s++) {
        char c = *s;
        if (c == '\t')
            c = ' ';
        if (c == ' ' && (n == 0 || norm[n - 1] == ' '))
            continue;
        if (n + 1 >= sizeof(norm))
            return TN_EINVAL;
        norm[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    while (n > 0 && norm[n - 1] == ' ')
        n--;
    norm[n] = '\0';
    const char *args = *s == '(' ? s + 1 : NULL;

    if (strcmp(norm, "decimal") == 0 || strcmp(norm, "numeric") == 0) {
        int precision = 18, scale = 3;
        if (args != NULL) {
            const char *a = args;
            if (!read_small_int(&a, &precision))
                return TN_EINVAL;
            scale = 0;
            if (*a == ',') {
                a++;
                if (!read_small_int(&a, &scale))
                    return TN_EINVAL;
            }
            if (*a != ')')
                return TN_EINVAL;
            a++;
            while (*a == ' ' || *a == '\t')
                a++;
            if (*a != '\0')
                return TN_EINVAL;
        }
        if (precision < 1 || precision > TN_DECIMAL_MAX_PRECISION || scale > precision)
            return TN_EINVAL;
        *out = tn_type_decimal(precision, scale);
        return 0;
    }
    for (size_t i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
        if (strcmp(norm, type_aliases[i].name) != 0)
            continue;
        tn_type_id id = type_aliases[i].id;
        if (args != NULL) {
            /* Only the character types take a (length), which tarn does not enforce. */
            if (id != TN_TYPE_VARCHAR)
                return TN_EINVAL;
            const char *a = args;
            while (*a == ' ')
                a++;
            /* Lengths can exceed 3 digits; skip them without limit. */
            if (!(*a >= '0' && *a <= '9'))
                return TN_EINVAL;
            while (*a >= '0' && *a <= '9')
                a++;
            while (*a == ' ')
                a++;
            if (*a != ')')
                return TN_EINVAL;
            a++;
            while (*a == ' ' || *a == '\t')
                a++;
            if (*a != '\0')
                return TN_EINVAL;
        }
        *out = tn_type_make(id);
        return 0;
    }
    return TN_EINVAL;
}

/* Number of integer digits a type needs in a DECIMAL to hold all its values. */
static int integer_digits(tn_type_id id)
{
    switch (id) {
    case TN_TYPE_BOOLEAN:
        return 1;
    case TN_TYPE_INTEGER:
        return 10; /* 2147483647 */
    case TN_TYPE_BIGINT:
        return 19; /* 9223372036854775807 */
    default:
        return 0;
    }
}

/* Whether every value of `from` is exactly representable in `to`: the same type; BOOLEAN to
 * any integer; INTEGER to BIGINT, DOUBLE or a DECIMAL with room; BIGINT to a DECIMAL with
 * room (not DOUBLE: 2^53 + 1 is lost); REAL to DOUBLE; DECIMAL(p,s) to DECIMAL(p',s') with
 * s' >= s and p'-s' >= p-s, and to DOUBLE when p <= 15; DATE to TIMESTAMP(TZ); anything but
 * BLOB to VARCHAR (text form reads back). */
bool tn_type_widens_to(tn_type from, tn_type to)
{
    if (tn_type_eq(from, to))
        return true;
    switch ((tn_type_id)from.id) {
    case TN_TYPE_BOOLEAN:
        if (to.id == TN_TYPE_INTEGER || to.id == TN_TYPE_BIGINT)
            return true;
        break;
    case TN_TYPE_INTEGER:
        if (to.id == TN_TYPE_BIGINT || to.id == TN_TYPE_DOUBLE)
            return true;
        break;
    case TN_TYPE_REAL:
        if (to.id == TN_TYPE_DOUBLE)
            return true;
        break;
    case TN_TYPE_DECIMAL:
        if (to.id == TN_TYPE_DECIMAL)
            return to.scale >= from.scale &&
                   to.precision - to.scale >= from.precision - from.scale;
        if (to.id == TN_TYPE_DOUBLE)
            return from.precision <= 15;
        break;
    case TN_TYPE_DATE:
        if (to.id == TN_TYPE_TIMESTAMP || to.id == TN_TYPE_TIMESTAMPTZ)
            return true;
        break;
    default:
        break;
    }
    if (to.id == TN_TYPE_DECIMAL) {
        int need = integer_digits((tn_type_id)from.id);
        if (need > 0)
            return to.precision - to.scale >= need;
    }
    if (to.id == TN_TYPE_VARCHAR)
        return from.id != TN_TYPE_BLOB && from.id != TN_TYPE_INVALID;
    return false;
}
