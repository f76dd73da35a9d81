/* SPDX-License-Identifier: Apache-2.0
 *
 * Row counts from a footer without decoding it: COUNT(*) over a Parquet file needs only
 * FileMetaData.num_rows, which writers put right after the schema, before the row groups
 * that make up nearly all of a footer. The footer's Thrift is walked up to num_rows with
 * nothing allocated per struct: the schema is checked to be one tree (as the full decode
 * does), everything else is skipped over, and the row groups are never reached. Files whose
 * footers are encrypted are refused, as tn_parquet_file_open refuses them.
 */
#include "formats/parquet/reader_int.h"
#include "formats/parquet/thrift.h"

typedef struct counter {
    tn_thrift_reader r;
    const char *path;
    tn_error *err;
    uint32_t leaves;     /* schema elements with a type */
    bool has_schema;
    bool has_num_rows;
    int64_t rows;
} counter;

static int refuse(counter *c, int code, const char *what)
{
    return tn_error_set_at(c->err, code, c->path, 0, 0, "%s", what);
}

static int corrupt(counter *c)
{
    return refuse(c, TN_ECORRUPT, "corrupt footer");
}

/* The schema list: checks it is one tree rooted at the first element and counts leaves. */
static int count_schema(counter *c, uint8_t type)
{
    uint8_t elem;
    uint32_t n;
    if (type != TN_THRIFT_LIST || tn_thrift_list_begin(&c->r, &elem, &n) != 0 ||
        elem != TN_THRIFT_STRUCT || n == 0 || n > TN_PARQUET_MAX_SCHEMA_ELEMENTS)
        return corrupt(c);
    /* Children still expected at each open group, as in the full decode's check. */
    int32_t *pending = tn_malloc((size_t)n * sizeof(int32_t));
    if (!pending)
        return refuse(c, TN_ENOMEM, "out of memory");
    uint32_t top = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        bool has_type = false, has_children = false;
        int32_t children = 0;
        if ((rc = tn_thrift_struct_begin(&c->r)) != 0)
            break;
        for (;;) {
            uint8_t t;
            int16_t id;
            if ((rc = tn_thrift_read_field(&c->r, &t, &id)) != 0 || t == TN_THRIFT_STOP)
                break;
            if (id == 1 && t == TN_THRIFT_I32) {
                int32_t ignored;
                rc = tn_thrift_read_i32(&c->r, &ignored);
                has_type = true;
            } else if (id == 5 && t == TN_THRIFT_I32) {
                rc = tn_thrift_read_i32(&c->r, &children);
                has_children = true;
            } else {
                rc = tn_thrift_skip(&c->r, t);
            }
            if (rc != 0)
                break;
        }
        if (rc != 0)
            break;
        tn_thrift_struct_end(&c->r);
        if (i == 0) {
            if (has_type || !has_children || children < 0) {
                rc = corrupt(c);
                break;
            }
            pending[top++] = children;
            continue;
        }
        while (top > 0 && pending[top - 1] == 0)
            top--;
        if (top == 0 || (has_type && has_children && children > 0) ||
            (!has_type && (!has_children || children < 0))) {
            rc = corrupt(c);
            break;
        }
        pending[top - 1]--;
        if (has_type)
            c->leaves++;
        else
            pending[top++] = children;
    }
    while (rc == 0 && top > 0 && pending[top - 1] == 0)
        top--;
    tn_free(pending);
    if (rc != 0)
        return rc;
    if (top != 0)
        return corrupt(c);
    tn_thrift_list_end(&c->r);
    c->has_schema = true;
    return 0;
}

int tn_parquet_file_count_rows(const char *path, int64_t *rows, tn_error *err)
{
    *rows = 0;
    tn_parquet_source src;
    int rc = tn_parquet_source_open_file(path, &src, err);
    if (rc != 0)
        return rc;
    counter c;
    memset(&c, 0, sizeof(c));
    c.path = path;
    c.err = err;
    uint8_t *footer = NULL;
    uint8_t head[4], tail[8];
    if (src.size < 12) {
        rc = refuse(&c, TN_EFORMAT, "not a Parquet file");
        goto done;
    }
    if ((rc = src.read(src.ctx, 0, head, 4, err)) != 0 ||
        (rc = src.read(src.ctx, src.size - 8, tail, 8, err)) != 0)
        goto done;
    if (memcmp(head, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0) {
        rc = refuse(&c, TN_EFORMAT, "not a plaintext Parquet file");
        goto done;
    }
    uint32_t len;
    memcpy(&len, tail, 4);
    if (len == 0 || (uint64_t)len > src.size - 12) {
        rc = corrupt(&c);
        goto done;
    }
    footer = tn_malloc(len);
    if (!footer) {
        rc = refuse(&c, TN_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = src.read(src.ctx, src.size - 8 - len, footer, len, err)) != 0)
        goto done;
    tn_thrift_reader_init(&c.r, footer, len);
    if (tn_thrift_struct_begin(&c.r) != 0) {
        rc = corrupt(&c);
        goto done;
    }
    /* FileMetaData: version (1), schema (2), num_rows (3), row_groups (4)...: the walk
     * stops at num_rows, so the row groups (nearly all of a footer) are never looked at. */
    for (;;) {
        uint8_t t;
        int16_t id;
        if (tn_thrift_read_field(&c.r, &t, &id) != 0) {
            rc = corrupt(&c);
            goto done;
        }
        if (t == TN_THRIFT_STOP)
            break;
        if (id == 2) {
            rc = count_schema(&c, t);
        } else if (id == 3 && t == TN_THRIFT_I64) {
            rc = tn_thrift_read_i64(&c.r, &c.rows) != 0 || c.rows < 0 ? corrupt(&c) : 0;
            c.has_num_rows = true;
        } else if (id == 8) {
            rc = refuse(&c, TN_EFORMAT, "encrypted Parquet files are not supported");
        } else {
            rc = tn_thrift_skip(&c.r, t) != 0 ? corrupt(&c) : 0;
        }
        if (rc != 0)
            goto done;
        if (c.has_schema && c.has_num_rows)
            break;
    }
    if (!c.has_schema || !c.has_num_rows) {
        rc = corrupt(&c);
        goto done;
    }
    *rows = c.rows;
done:
    tn_free(footer);
    tn_parquet_source_close(&src);
    return rc;
}
