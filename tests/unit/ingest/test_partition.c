/* SPDX-License-Identifier: Apache-2.0
 *
 * The partition-spec parser: every transform spelling, both argument orders of bucket and
 * truncate, quoted names, and the errors (with the character position) for bad specs.
 */
#include "ingest/ingest.h"

#include <criterion/criterion.h>

static tn_ingest_partition *parse_ok(const char *text)
{
    tn_error err = {0};
    tn_ingest_partition *p = NULL;
    cr_assert_eq(tn_ingest_partition_parse(text, &p, &err), 0, "%s: %s", text, err.message);
    cr_assert_not_null(p);
    return p;
}

static void expect_def(const tn_ingest_partition *p, size_t i, const char *column,
                       const char *transform)
{
    cr_assert_lt(i, p->count);
    cr_assert_str_eq(p->defs[i].column, column);
    cr_assert_str_eq(p->defs[i].transform, transform);
    cr_assert_null(p->defs[i].name);
}

Test(partition, day_and_identity)
{
    tn_ingest_partition *p = parse_ok("day(order_ts), region");
    cr_assert_eq(p->count, 2);
    expect_def(p, 0, "order_ts", "day");
    expect_def(p, 1, "region", "identity");
    tn_ingest_partition_free(p);
}

Test(partition, every_transform)
{
    tn_ingest_partition *p =
        parse_ok(" identity(x) ,year(a),month(b), hour ( c ),bucket(16, customer_id),"
                 "truncate(10, name), days(d), hours(e), years(f), months(g), date(h)");
    cr_assert_eq(p->count, 11);
    expect_def(p, 0, "x", "identity");
    expect_def(p, 1, "a", "year");
    expect_def(p, 2, "b", "month");
    expect_def(p, 3, "c", "hour");
    expect_def(p, 4, "customer_id", "bucket[16]");
    expect_def(p, 5, "name", "truncate[10]");
    expect_def(p, 6, "d", "day");
    expect_def(p, 7, "e", "hour");
    expect_def(p, 8, "f", "year");
    expect_def(p, 9, "g", "month");
    expect_def(p, 10, "h", "day");
    tn_ingest_partition_free(p);
}

Test(partition, column_first_and_quoted)
{
    tn_ingest_partition *p = parse_ok("BUCKET(id, 8), truncate(\"full name\", 3), `odd col`");
    cr_assert_eq(p->count, 3);
    expect_def(p, 0, "id", "bucket[8]");
    expect_def(p, 1, "full name", "truncate[3]");
    expect_def(p, 2, "odd col", "identity");
    tn_ingest_partition_free(p);
}

Test(partition, empty_is_unpartitioned)
{
    tn_ingest_partition *p = parse_ok("   ");
    cr_assert_eq(p->count, 0);
    tn_ingest_partition_free(p);
    p = parse_ok("");
    cr_assert_eq(p->count, 0);
    tn_ingest_partition_free(p);
}

static void parse_fails(const char *text, const char *needle)
{
    tn_error err = {0};
    tn_ingest_partition *p = NULL;
    cr_assert_eq(tn_ingest_partition_parse(text, &p, &err), TN_EPARSE, "%s parsed", text);
    cr_assert_null(p);
    cr_assert(strstr(err.message, needle), "%s: message '%s' lacks '%s'", text, err.message, needle);
    cr_assert_gt(err.column, 0);
}

Test(partition, errors)
{
    parse_fails("weekly(ts)", "unknown partition transform 'weekly'");
    parse_fails("day(ts", "expected ')'");
    parse_fails("day()", "expected a column");
    parse_fails("bucket(x)", "needs a number and a column");
    parse_fails("bucket(0, x)", "between 1 and");
    parse_fails("day(a, b)", "takes one column");
    parse_fails("a b", "expected ','");
    parse_fails("a,", "missing after the last ','");
    parse_fails("a, a", "partitioned twice");
    parse_fails("\"unterminated", "unterminated");
    parse_fails(",a", "expected a column");
}
