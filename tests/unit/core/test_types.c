/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests for core/types.c: widths, type names (both ways) and the widening rule.
 */
#include <criterion/criterion.h>

#include "core/core.h"

Test(types, width)
{
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_BOOLEAN)), 0);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_INTEGER)), 4);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_BIGINT)), 8);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_REAL)), 4);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_DOUBLE)), 8);
    cr_assert_eq(tn_type_width(tn_type_decimal(10, 2)), 8);
    cr_assert_eq(tn_type_width(tn_type_decimal(18, 0)), 8);
    cr_assert_eq(tn_type_width(tn_type_decimal(19, 2)), 16);
    cr_assert_eq(tn_type_width(tn_type_decimal(38, 38)), 16);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_DATE)), 4);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_TIMESTAMP)), 8);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_TIMESTAMPTZ)), 8);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_VARCHAR)), 0);
    cr_assert_eq(tn_type_width(tn_type_make(TN_TYPE_BLOB)), 0);
}

Test(types, format)
{
    static const char *const names[TN_TYPE_COUNT] = {
        "INVALID", "BOOLEAN", "INTEGER", "BIGINT", "REAL", "DOUBLE", "DECIMAL(18,3)",
        "DATE", "TIMESTAMP", "TIMESTAMPTZ", "VARCHAR", "BLOB",
    };
    char out[32];
    for (int id = 0; id < TN_TYPE_COUNT; id++) {
        tn_type t = id == TN_TYPE_DECIMAL ? tn_type_decimal(18, 3) : tn_type_make((tn_type_id)id);
        cr_assert_str_eq(tn_type_format(t, out, sizeof(out)), names[id]);
    }
    cr_assert_str_eq(tn_type_format(tn_type_decimal(38, 10), out, sizeof(out)), "DECIMAL(38,10)");
    char small[5];
    cr_assert_str_eq(tn_type_format(tn_type_make(TN_TYPE_VARCHAR), small, sizeof(small)), "VARC");
}

Test(types, parse_aliases)
{
    static const struct {
        const char *name;
        tn_type_id id;
    } cases[] = {
        {"BOOLEAN", TN_TYPE_BOOLEAN},
        {"bool", TN_TYPE_BOOLEAN},
        {"INTEGER", TN_TYPE_INTEGER},
        {"int", TN_TYPE_INTEGER},
        {"Int4", TN_TYPE_INTEGER},
        {"SIGNED", TN_TYPE_INTEGER},
        {"BIGINT", TN_TYPE_BIGINT},
        {"int8", TN_TYPE_BIGINT},
        {"LONG", TN_TYPE_BIGINT},
        {"REAL", TN_TYPE_REAL},
        {"float4", TN_TYPE_REAL},
        {"FLOAT", TN_TYPE_REAL},
        {"DOUBLE", TN_TYPE_DOUBLE},
        {"float8", TN_TYPE_DOUBLE},
        {"double precision", TN_TYPE_DOUBLE},
        {"DOUBLE   PRECISION", TN_TYPE_DOUBLE},
        {"DATE", TN_TYPE_DATE},
        {"timestamp", TN_TYPE_TIMESTAMP},
        {"DATETIME", TN_TYPE_TIMESTAMP},
        {"TIMESTAMP WITHOUT TIME ZONE", TN_TYPE_TIMESTAMP},
        {"TIMESTAMPTZ", TN_TYPE_TIMESTAMPTZ},
        {"timestamp with time zone", TN_TYPE_TIMESTAMPTZ},
        {"VARCHAR", TN_TYPE_VARCHAR},
        {"text", TN_TYPE_VARCHAR},
        {"STRING", TN_TYPE_VARCHAR},
        {"char", TN_TYPE_VARCHAR},
        {"VARCHAR(255)", TN_TYPE_VARCHAR},
        {"varchar ( 10 )", TN_TYPE_VARCHAR},
        {"CHAR(1)", TN_TYPE_VARCHAR},
        {"BLOB", TN_TYPE_BLOB},
        {"bytea", TN_TYPE_BLOB},
        {"BINARY", TN_TYPE_BLOB},
        {"varbinary", TN_TYPE_BLOB},
        {"  integer  ", TN_TYPE_INTEGER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tn_type t = {0};
        cr_assert_eq(tn_type_parse(cases[i].name, &t), 0, "'%s'", cases[i].name);
        cr_assert_eq(t.id, cases[i].id, "'%s'", cases[i].name);
    }
}

Test(types, parse_decimal)
{
    tn_type t;
    cr_assert_eq(tn_type_parse("DECIMAL(18,2)", &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(18, 2)));
    cr_assert_eq(tn_type_parse("numeric( 10 , 4 )", &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(10, 4)));
    cr_assert_eq(tn_type_parse("DECIMAL", &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(18, 3)));
    cr_assert_eq(tn_type_parse("decimal(5)", &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(5, 0)));
    cr_assert_eq(tn_type_parse("DECIMAL(38,38)", &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(38, 38)));
    /* Round trip of the canonical names. */
    char out[32];
    cr_assert_eq(tn_type_parse(tn_type_format(tn_type_decimal(7, 3), out, sizeof(out)), &t), 0);
    cr_assert(tn_type_eq(t, tn_type_decimal(7, 3)));
}

Test(types, parse_invalid)
{
    static const char *const bad[] = {
        "", "   ", "INTEGR", "DECIMAL(39,2)", "DECIMAL(0)", "DECIMAL(5,6)", "DECIMAL(5,",
        "DECIMAL(a,b)", "DECIMAL(10,2) x", "DECIMAL(10,2", "INTEGER(10)", "VARCHAR(",
        "VARCHAR(x)", "VARCHAR(10", "DOUBLEPRECISION", "TIMESTAMP WITH ZONE", "INVALID",
        "DECIMAL(1000,2)",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tn_type t;
        cr_assert_eq(tn_type_parse(bad[i], &t), TN_EINVAL, "'%s' accepted", bad[i]);
    }
    tn_type t;
    cr_assert_eq(tn_type_parse(NULL, &t), TN_EINVAL);
}

Test(types, widens_to)
{
    tn_type b = tn_type_make(TN_TYPE_BOOLEAN), i = tn_type_make(TN_TYPE_INTEGER),
            l = tn_type_make(TN_TYPE_BIGINT), r = tn_type_make(TN_TYPE_REAL),
            d = tn_type_make(TN_TYPE_DOUBLE), dt = tn_type_make(TN_TYPE_DATE),
            ts = tn_type_make(TN_TYPE_TIMESTAMP), tz = tn_type_make(TN_TYPE_TIMESTAMPTZ),
            v = tn_type_make(TN_TYPE_VARCHAR), bl = tn_type_make(TN_TYPE_BLOB);
    cr_assert(tn_type_widens_to(i, i));
    cr_assert(tn_type_widens_to(i, l));
    cr_assert(tn_type_widens_to(i, d));
    cr_assert(!tn_type_widens_to(i, r));
    cr_assert(!tn_type_widens_to(l, i));
    cr_assert(!tn_type_widens_to(l, d));
    cr_assert(tn_type_widens_to(b, i));
    cr_assert(tn_type_widens_to(r, d));
    cr_assert(!tn_type_widens_to(d, r));
    cr_assert(tn_type_widens_to(dt, ts));
    cr_assert(tn_type_widens_to(dt, tz));
    cr_assert(!tn_type_widens_to(ts, dt));
    cr_assert(!tn_type_widens_to(ts, tz));
    cr_assert(tn_type_widens_to(tn_type_decimal(10, 2), tn_type_decimal(12, 2)));
    cr_assert(tn_type_widens_to(tn_type_decimal(10, 2), tn_type_decimal(12, 4)));
    cr_assert(!tn_type_widens_to(tn_type_decimal(10, 2), tn_type_decimal(11, 4)));
    cr_assert(!tn_type_widens_to(tn_type_decimal(10, 2), tn_type_decimal(10, 1)));
    cr_assert(tn_type_widens_to(tn_type_decimal(15, 2), d));
    cr_assert(!tn_type_widens_to(tn_type_decimal(16, 2), d));
    cr_assert(tn_type_widens_to(i, tn_type_decimal(10, 0)));
    cr_assert(!tn_type_widens_to(i, tn_type_decimal(10, 1)));
    cr_assert(tn_type_widens_to(l, tn_type_decimal(19, 0)));
    cr_assert(tn_type_widens_to(l, tn_type_decimal(38, 2)));
    cr_assert(!tn_type_widens_to(l, tn_type_decimal(18, 0)));
    cr_assert(!tn_type_widens_to(d, tn_type_decimal(38, 10)));
    cr_assert(tn_type_widens_to(i, v));
    cr_assert(tn_type_widens_to(ts, v));
    cr_assert(!tn_type_widens_to(bl, v));
    cr_assert(!tn_type_widens_to(v, bl));
    cr_assert(!tn_type_widens_to(v, i));
}
