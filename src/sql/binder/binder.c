/* SPDX-License-Identifier: Apache-2.0
 *
 * Binding queries: FROM items (files and globs, table functions read_csv/read_parquet/...,
 * in-memory and lake tables, views, CTEs, subqueries, joins) into scans and joins with a
 * scope of visible names; then WHERE, GROUP BY/HAVING/aggregates, the select list, DISTINCT,
 * ORDER BY (output names, ordinals or input expressions), LIMIT/OFFSET, VALUES and set
 * operations. CTEs are bound afresh at each reference.
 */
#include "sql/binder/binder_int.h"
#include "formats/formats.h"
#include "formats/parquet/parquet.h"
#include "lake/lake.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static int oom(tn_binder *b)
{
    return tn_error_set(b->err, TN_ENOMEM, "out of memory");
}

static int scope_add(tn_binder *b, tn_bind_scope *s, const char *table, const char *name,
                     tn_type type, uint32_t index)
{
    tn_bind_col *nc = tn_arena_alloc(b->arena, (s->count + 1) * sizeof *nc);
    if (!nc)
        return oom(b);
    if (s->count)
        memcpy(nc, s->cols, s->count * sizeof *nc);
    nc[s->count] = (tn_bind_col){table, name, type, index, false};
    s->cols = nc;
    s->count++;
    return 0;
}

/* A scope over an operator's output columns, all under one table alias. */
static int scope_of(tn_binder *b, const tn_plan_op *op, const char *alias,
                    const tn_sql_ident_list *renames, tn_bind_scope *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < op->column_count; i++) {
        const char *name = op->columns[i].name;
        if (renames && i < renames->count)
            name = renames->items[i].name;
        int rc = scope_add(b, out, alias, name ? name : "", op->columns[i].type, i);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- file scans ------------------------------------------------------------------------- */

static int file_scan(tn_binder *b, const char *path, tn_read_options *opts,
                     const tn_bind_hive_options *hive, tn_sql_pos pos, tn_plan_op **out)
{
    tn_plan_op *scan = tn_plan_op_new(b->arena, TN_PLAN_SCAN, 0);
    if (!scan)
        return oom(b);
    scan->scan.source = TN_PLAN_SOURCE_FILES;
    scan->scan.label = tn_arena_strdup(b->arena, path);
    scan->scan.format = opts->format;
    tn_read_options *ro = tn_arena_alloc(b->arena, sizeof *ro);
    if (!ro)
        return oom(b);
    *ro = *opts;
    ro->threads = b->engine->options.threads;
    scan->scan.read_options = ro;
    int rc = tn_bind_glob(b, path, pos, &scan->scan.paths, &scan->scan.path_count);
    if (rc)
        return rc;
    /* the first file gives the schema */
    const tn_format *fmt;
    tn_error ferr = {0};
    rc = tn_format_detect(scan->scan.paths[0], opts->format, &fmt, &ferr);
    const tn_schema *fs = NULL;
    tn_reader *reader = NULL;
    tn_parquet_file *pf = NULL;
    if (rc == 0 && fmt == &tn_format_parquet) {
        tn_parquet_source src;
        rc = tn_parquet_source_open_file(scan->scan.paths[0], &src, &ferr);
        if (rc == 0)
            rc = tn_parquet_file_open_schema(&src, &pf, &ferr);
        if (rc == 0)
            fs = tn_parquet_file_schema(pf);
        if (rc == 0) {
            scan->scan.counted_path = scan->scan.paths[0];
            scan->scan.counted_rows = tn_parquet_file_num_rows(pf);
            scan->estimated_rows = (double)scan->scan.counted_rows * scan->scan.path_count;
        }
    } else if (rc == 0) {
        rc = tn_reader_open(scan->scan.paths[0], ro, &reader, &ferr);
        if (rc == 0)
            fs = tn_reader_schema(reader);
        scan->estimated_rows = -1;
    }
    if (rc) {
        tn_error_set_at(b->err, rc, NULL, pos.line, pos.column, "%s%s%s", ferr.file,
                        ferr.file[0] ? ": " : "", ferr.message);
        tn_reader_close(reader);
        tn_parquet_file_close(pf);
        return rc;
    }
    uint32_t n = fs->column_count;
    scan->scan.source_columns = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_column));
    scan->columns = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_column));
    scan->scan.projection = tn_arena_calloc(b->arena, (n + 1) * sizeof(uint32_t));
    if (!scan->scan.source_columns || !scan->columns || !scan->scan.projection) {
        tn_reader_close(reader);
        tn_parquet_file_close(pf);
        return oom(b);
    }
    for (uint32_t i = 0; i < n; i++) {
        tn_plan_column c = {tn_arena_strdup(b->arena, fs->columns[i].name), fs->columns[i].type, true};
        scan->scan.source_columns[i] = c;
        scan->columns[i] = c;
        scan->scan.projection[i] = i;
    }
    scan->scan.source_column_count = n;
    scan->column_count = n;
    tn_reader_close(reader);
    tn_parquet_file_close(pf);
    *out = scan;
    return tn_bind_hive_partitions(b, scan, hive, pos);
}

static char *const_text(tn_binder *b, const tn_sql_expr *e)
{
    if (e->kind == TN_SQL_EXPR_LITERAL && e->literal.kind == TN_SQL_LIT_STRING)
        return tn_arena_strndup(b->arena, e->literal.text.ptr, e->literal.text.len);
    if (e->kind == TN_SQL_EXPR_LITERAL && e->literal.kind == TN_SQL_LIT_BOOL)
        return tn_arena_strdup(b->arena, e->literal.boolean ? "true" : "false");
    if (e->kind == TN_SQL_EXPR_LITERAL)
        return tn_arena_strndup(b->arena, e->literal.text.ptr, e->literal.text.len);
    if (e->kind == TN_SQL_EXPR_COLUMN && e->column.count == 1)
        return tn_arena_strdup(b->arena, e->column.parts[0].name);
    return NULL;
}

static bool truthy(const char *v)
{
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0;
}

/* range([start,] stop [, step]) and generate_series(start, stop [, step]), as DuckDB has them:
 * BIGINT numbers, or TIMESTAMPs from dates and timestamps with an INTERVAL step; range stops
 * before `stop`, generate_series at it. */
static int series_function(tn_binder *b, const tn_sql_expr *fn, bool inclusive, tn_plan_op **out)
{
    const tn_sql_call *call = &fn->call;
    const char *name = inclusive ? "generate_series" : "range";
    uint32_t n = call->args.count;
    if (n < 1 || n > 3 || call->arg_names)
        return tn_bind_error(b, TN_EINVAL, fn->node.pos,
                             "%s takes ([start,] stop [, step]) without names", name);
    tn_bind_scope none = {0};
    tn_plan_expr *args[3] = {0};
    tn_plan_interval step_time = {0};
    bool interval_step = false;
    for (uint32_t i = 0; i < n; i++) {
        int rc;
        if (i == 2 && call->args.items[i]->kind == TN_SQL_EXPR_INTERVAL) {
            /* an INTERVAL is a value only here: elsewhere it is added to something */
            interval_step = true;
            rc = tn_bind_interval_value(b, call->args.items[i], &step_time);
        } else {
            rc = tn_bind_expr(b, &none, call->args.items[i], &args[i]);
        }
        if (rc)
            return rc;
    }
    tn_plan_op *op = tn_plan_op_new(b->arena, TN_PLAN_SERIES, 1);
    if (!op)
        return oom(b);
    op->series.inclusive = inclusive;
    op->series.step = 1;
    tn_plan_expr *start = n > 1 ? args[0] : NULL, *stop = n > 1 ? args[1] : args[0];
    tn_plan_expr *step = args[2];
    tn_sql_pos step_pos = n > 2 ? call->args.items[2]->node.pos : fn->node.pos;
    tn_type_id t = stop->type.id;
    bool is_time = t == TN_TYPE_DATE || t == TN_TYPE_TIMESTAMP || t == TN_TYPE_TIMESTAMPTZ;
    tn_type type = tn_type_make(is_time ? TN_TYPE_TIMESTAMP : TN_TYPE_BIGINT);
    int rc = 0;
    if (is_time) {
        if (!start || !interval_step)
            return tn_bind_error(b, TN_EINVAL, fn->node.pos,
                                 "%s of dates or timestamps needs (start, stop, INTERVAL step)",
                                 name);
        op->series.step_time = step_time;
        if (step_time.months == 0 && step_time.days == 0 && step_time.micros == 0)
            return tn_bind_error(b, TN_EINVAL, step_pos, "the %s step must not be zero", name);
    } else {
        if (!start) {
            if (!(start = tn_plan_expr_new(b->arena, b->plan, TN_PLAN_EXPR_CONST, type)))
                return oom(b);
            start->value.type = type;
            start->value.i64 = 0;
        }
        if (interval_step)
            return tn_bind_error(b, TN_EINVAL, step_pos,
                                 "an INTERVAL step needs dates or timestamps to step through");
        if (step) {
            if (step->kind != TN_PLAN_EXPR_CONST || step->value.is_null ||
                (step->type.id != TN_TYPE_INTEGER && step->type.id != TN_TYPE_BIGINT))
                return tn_bind_error(b, TN_EINVAL, step_pos,
                                     "the %s step must be an integer constant", name);
            op->series.step = step->type.id == TN_TYPE_INTEGER ? step->value.i32 : step->value.i64;
            if (op->series.step == 0)
                return tn_bind_error(b, TN_EINVAL, step_pos, "the %s step must not be zero", name);
        }
    }
    if ((rc = tn_bind_cast(b, start, type, &op->series.start)) != 0 ||
        (rc = tn_bind_cast(b, stop, type, &op->series.stop)) != 0)
        return rc == TN_ETYPE ? tn_bind_error(b, TN_ETYPE, fn->node.pos,
                                              "%s needs numbers, dates or timestamps", name)
                              : rc;
    op->columns[0] = (tn_plan_column){name, type, false};
    op->estimated_rows = -1;
    if (!is_time && op->series.start->kind == TN_PLAN_EXPR_CONST &&
        op->series.stop->kind == TN_PLAN_EXPR_CONST) {
        double span = (double)op->series.stop->value.i64 - (double)op->series.start->value.i64;
        double rows = span / (double)op->series.step;
        op->estimated_rows = rows < 0 ? 0 : rows + 1;
    }
    *out = op;
    return 0;
}

/* read_csv('p', delim => ';', header => true, ...): named options onto tn_read_options. */
static int table_function(tn_binder *b, const tn_sql_expr *fn, tn_plan_op **out)
{
    const tn_sql_call *call = &fn->call;
    const char *name = call->name.parts[call->name.count - 1].name;
    tn_read_options opts = {0};
    tn_bind_hive_options hive = {0};
    if (strcmp(name, "range") == 0 || strcmp(name, "generate_series") == 0)
        return series_function(b, fn, strcmp(name, "generate_series") == 0, out);
    if (strcmp(name, "read_csv") == 0 || strcmp(name, "read_csv_auto") == 0)
        opts.format = "csv";
    else if (strcmp(name, "read_ndjson") == 0 || strcmp(name, "read_json") == 0 ||
             strcmp(name, "read_json_auto") == 0 || strcmp(name, "read_ndjson_auto") == 0)
        opts.format = "json";
    else if (strcmp(name, "read_parquet") == 0 || strcmp(name, "parquet_scan") == 0)
        opts.format = "parquet";
    else
        return tn_bind_error(b, TN_EINVAL, fn->node.pos,
                             "table function %s does not exist (read_csv, read_ndjson, "
                             "read_json, read_parquet, range and generate_series do)", name);
    const char *path = NULL;
    const char **nulls = NULL;
    for (uint32_t i = 0; i < call->args.count; i++) {
        const char *key = call->arg_names ? call->arg_names[i] : NULL;
        const tn_sql_expr *a = call->args.items[i];
        char *v = const_text(b, a);
        if (!v)
            return tn_bind_error(b, TN_EINVAL, a->node.pos, "%s options must be constants", name);
        if (!key) {
            if (path)
                return tn_bind_error(b, TN_EINVAL, a->node.pos,
                                     "%s takes one path; give options as name => value", name);
            path = v;
            continue;
        }
        if (strcmp(key, "delim") == 0 || strcmp(key, "sep") == 0 || strcmp(key, "delimiter") == 0)
            opts.delimiter = strcmp(v, "\\t") == 0 ? '\t' : v[0];
        else if (strcmp(key, "header") == 0)
            opts.header = truthy(v) ? TN_HEADER_YES : TN_HEADER_NO;
        else if (strcmp(key, "quote") == 0)
            opts.quote = v[0];
        else if (strcmp(key, "escape") == 0)
            opts.escape = v[0];
        else if (strcmp(key, "comment") == 0)
            opts.comment = v[0];
        else if (strcmp(key, "all_varchar") == 0)
            opts.all_varchar = truthy(v);
        else if (strcmp(key, "strict") == 0)
            opts.strict = truthy(v);
        else if (strcmp(key, "sample_size") == 0)
            opts.sample_rows = strtoll(v, NULL, 10);
        else if (strcmp(key, "format") == 0)
            opts.format = strcmp(v, "newline_delimited") == 0 || strcmp(v, "auto") == 0 ? opts.format : v;
        else if (strcmp(key, "hive_partitioning") == 0)
            hive.mode = truthy(v) ? TN_BIND_HIVE_ON : TN_BIND_HIVE_OFF;
        else if (strcmp(key, "hive_types_autocast") == 0)
            hive.no_autocast = !truthy(v);
        else if (strcmp(key, "nullstr") == 0 || strcmp(key, "null") == 0) {
            nulls = tn_arena_alloc(b->arena, sizeof *nulls);
            if (!nulls)
                return oom(b);
            nulls[0] = v;
            opts.null_strings = nulls;
            opts.null_string_count = 1;
        } else
            return tn_bind_error(b, TN_EINVAL, a->node.pos,
                                 "unknown option \"%s\" for %s: use delim, header, quote, escape, "
                                 "comment, all_varchar, strict, sample_size, nullstr, format, "
                                 "hive_partitioning or hive_types_autocast",
                                 key, name);
    }
    if (!path)
        return tn_bind_error(b, TN_EINVAL, fn->node.pos, "%s needs a path", name);
    return file_scan(b, path, &opts, &hive, fn->node.pos, out);
}

/* ---- named tables ----------------------------------------------------------------------- */

static int memory_scan(tn_binder *b, tn_sql_table *t, tn_plan_op **out)
{
    uint32_t n = t->schema->column_count;
    tn_plan_op *scan = tn_plan_op_new(b->arena, TN_PLAN_SCAN, n);
    if (!scan)
        return oom(b);
    scan->scan.source = TN_PLAN_SOURCE_MEMORY;
    scan->scan.memory = t;
    scan->scan.label = t->name;
    scan->scan.source_columns = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_column));
    scan->scan.projection = tn_arena_calloc(b->arena, (n + 1) * sizeof(uint32_t));
    if (!scan->scan.source_columns || !scan->scan.projection)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        tn_plan_column c = {t->schema->columns[i].name, t->schema->columns[i].type, true};
        scan->columns[i] = c;
        scan->scan.source_columns[i] = c;
        scan->scan.projection[i] = i;
    }
    scan->scan.source_column_count = n;
    scan->estimated_rows = (double)t->row_count;
    *out = scan;
    return 0;
}

int tn_sql_lake_open_table(tn_sql_engine *engine, const char *ns, const char *name,
                           struct tn_lake_table **out, tn_error *err);

static int lake_scan(tn_binder *b, const char *ns, const char *name, tn_sql_pos pos,
                     tn_plan_op **out, bool *found)
{
    *found = false;
    if (!b->engine->lake)
        return 0;
    tn_lake_table *t = NULL;
    tn_error lerr = {0};
    int rc = tn_sql_lake_open_table(b->engine, ns, name, &t, &lerr);
    if (rc == TN_ENOENT)
        return 0;
    if (rc) {
        *b->err = lerr;
        b->err->line = pos.line;
        b->err->column = pos.column;
        return rc;
    }
    *found = true;
    const tn_schema *s = tn_lake_table_schema(t);
    uint32_t n = s->column_count;
    tn_plan_op *scan = tn_plan_op_new(b->arena, TN_PLAN_SCAN, n);
    if (!scan)
        return oom(b);
    scan->scan.source = TN_PLAN_SOURCE_LAKE;
    scan->scan.lake_table = t;
    scan->scan.label = tn_arena_strdup(b->arena, name);
    scan->scan.source_columns = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_column));
    scan->scan.projection = tn_arena_calloc(b->arena, (n + 1) * sizeof(uint32_t));
    if (!scan->scan.source_columns || !scan->scan.projection)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        tn_plan_column c = {tn_arena_strdup(b->arena, s->columns[i].name), s->columns[i].type, true};
        scan->columns[i] = c;
        scan->scan.source_columns[i] = c;
        scan->scan.projection[i] = i;
    }
    scan->scan.source_column_count = n;
    tn_lake_stats st;
    tn_error serr = {0};
    scan->estimated_rows = tn_lake_table_stats(t, &st, &serr) == 0 ? (double)st.rows : -1;
    *out = scan;
    return 0;
}

static int bind_table_name(tn_binder *b, const tn_sql_table_ref *ref, tn_plan_op **out)
{
    const tn_sql_name *n = &ref->name;
    const char *name = n->parts[n->count - 1].name;
    const char *ns = n->count >= 2 ? n->parts[n->count - 2].name : NULL;
    if (!ns) {
        for (tn_bind_cte *c = b->ctes; c; c = c->next) {
            if (strcmp(c->cte->name.name, name) != 0)
                continue;
            /* bind the CTE's query here, hiding CTEs defined after it */
            tn_bind_cte *saved = b->ctes;
            b->ctes = c->next;
            int rc = tn_bind_query_op(b, c->cte->query, out);
            b->ctes = saved;
            if (rc)
                return rc;
            for (uint32_t i = 0; i < c->cte->columns.count && i < (*out)->column_count; i++)
                (*out)->columns[i].name = c->cte->columns.items[i].name;
            return 0;
        }
        tn_sql_table *t = tn_sql_engine_find_table(b->engine, name);
        if (t)
            return memory_scan(b, t, out);
    }
    {
        tn_sql_view *v = tn_sql_engine_find_view(b->engine, ns, name);
        if (v) {
            tn_sql_stmt_list list;
            tn_error perr = {0};
            int rc = tn_sql_parse(b->arena, v->sql, strlen(v->sql), &list, &perr);
            if (rc || list.count != 1 || list.items[0]->kind != TN_SQL_STMT_QUERY)
                return tn_bind_error(b, TN_ECORRUPT, ref->node.pos, "view %s cannot be read: %s",
                                     name, perr.message);
            if (b->depth++ > 64)
                return tn_bind_error(b, TN_ELIMIT, ref->node.pos, "views nest too deeply");
            rc = tn_bind_query_op(b, list.items[0]->query, out);
            b->depth--;
            if (rc)
                return rc;
            for (uint32_t i = 0; i < v->column_count && i < (*out)->column_count; i++)
                (*out)->columns[i].name = v->column_names[i];
            return 0;
        }
    }
    bool found;
    int rc = lake_scan(b, ns ? ns : b->engine->default_namespace, name, ref->node.pos, out, &found);
    if (rc || found)
        return rc;
    /* A name that looks like a file ("data.csv") was probably meant as one. */
    if (strchr(name, '.') || strchr(name, '/'))
        return tn_bind_error(b, TN_EINVAL, ref->node.pos,
                             "table \"%s\" does not exist; to read a file write FROM '%s' with quotes",
                             name, name);
    return tn_bind_error(b, TN_EINVAL, ref->node.pos, "table \"%s\" does not exist%s", name,
                         b->engine->lake ? "" : " (no project is open: only files and tables created in this session exist)");
}

/* ---- joins ------------------------------------------------------------------------------ */

static int bind_from(tn_binder *b, const tn_sql_table_ref *ref, tn_plan_op **out,
                     tn_bind_scope *scope);

static int concat_scope(tn_binder *b, const tn_bind_scope *l, const tn_bind_scope *r,
                        uint32_t offset, tn_bind_scope *out)
{
    memset(out, 0, sizeof *out);
    out->cols = tn_arena_alloc(b->arena, (l->count + r->count + 1) * sizeof *out->cols);
    if (!out->cols)
        return oom(b);
    memcpy(out->cols, l->cols, l->count * sizeof *out->cols);
    for (uint32_t i = 0; i < r->count; i++) {
        out->cols[l->count + i] = r->cols[i];
        out->cols[l->count + i].index += offset;
    }
    out->count = l->count + r->count;
    return 0;
}

static tn_plan_op *make_join_op(tn_binder *b, tn_plan_op_kind kind, tn_plan_op *l, tn_plan_op *r)
{
    tn_plan_op *j = tn_plan_op_new(b->arena, kind, l->column_count + r->column_count);
    if (!j)
        return NULL;
    j->children[0] = l;
    j->children[1] = r;
    j->child_count = 2;
    memcpy(j->columns, l->columns, l->column_count * sizeof *j->columns);
    memcpy(j->columns + l->column_count, r->columns, r->column_count * sizeof *j->columns);
    j->estimated_rows = -1;
    return j;
}

static int bind_join(tn_binder *b, const tn_sql_table_ref *ref, tn_plan_op **out,
                     tn_bind_scope *scope)
{
    tn_plan_op *l, *r;
    tn_bind_scope ls, rs;
    int rc;
    if ((rc = bind_from(b, ref->join.left, &l, &ls)) != 0 ||
        (rc = bind_from(b, ref->join.right, &r, &rs)) != 0)
        return rc;
    if ((rc = concat_scope(b, &ls, &rs, l->column_count, scope)) != 0)
        return rc;
    tn_sql_join_type jt = ref->join.type;
    if (jt == TN_SQL_JOIN_CROSS || (!ref->join.on && ref->join.using.count == 0 && !ref->join.natural)) {
        *out = make_join_op(b, TN_PLAN_CROSS, l, r);
        return *out ? 0 : oom(b);
    }
    tn_plan_op *j = make_join_op(b, TN_PLAN_JOIN, l, r);
    if (!j)
        return oom(b);
    j->join.type = jt == TN_SQL_JOIN_LEFT    ? TN_PLAN_JOIN_LEFT
                   : jt == TN_SQL_JOIN_RIGHT ? TN_PLAN_JOIN_RIGHT
                   : jt == TN_SQL_JOIN_FULL  ? TN_PLAN_JOIN_FULL
                                             : TN_PLAN_JOIN_INNER;
    tn_plan_expr *cond = NULL;
    if (ref->join.on) {
        if ((rc = tn_bind_condition(b, scope, ref->join.on, &cond)) != 0)
            return rc;
    } else {
        /* USING (a, b) / NATURAL: equalities on the named columns; the right copies hide */
        tn_sql_ident_list names = ref->join.using;
        tn_sql_ident *nat = NULL;
        if (ref->join.natural) {
            nat = tn_arena_calloc(b->arena, (ls.count + 1) * sizeof *nat);
            if (!nat)
                return oom(b);
            names.items = nat;
            names.count = 0;
            for (uint32_t i = 0; i < ls.count; i++)
                for (uint32_t k = 0; k < rs.count; k++)
                    if (strcmp(ls.cols[i].name, rs.cols[k].name) == 0)
                        nat[names.count++] = (tn_sql_ident){ls.cols[i].name, ref->node.pos};
        }
        tn_plan_expr **conj = tn_arena_calloc(b->arena, (names.count + 1) * sizeof *conj);
        if (!conj)
            return oom(b);
        for (uint32_t u = 0; u < names.count; u++) {
            int li = -1, ri = -1;
            for (uint32_t i = 0; i < ls.count; i++)
                if (strcmp(ls.cols[i].name, names.items[u].name) == 0)
                    li = (int)i;
            for (uint32_t i = 0; i < rs.count; i++)
                if (strcmp(rs.cols[i].name, names.items[u].name) == 0)
                    ri = (int)i;
            if (li < 0 || ri < 0)
                return tn_bind_error(b, TN_EINVAL, names.items[u].pos,
                                     "column \"%s\" in USING is not on both sides",
                                     names.items[u].name);
            scope->cols[ls.count + (uint32_t)ri].hidden = true;
            tn_plan_expr *a = tn_bind_column_ref(b, ls.cols[li].index, ls.cols[li].type);
            tn_plan_expr *c = tn_bind_column_ref(b, rs.cols[ri].index + l->column_count, rs.cols[ri].type);
            tn_type t;
            if (!a || !c)
                return oom(b);
            tn_plan_expr *cmp = tn_plan_expr_new(b->arena, b->plan, TN_PLAN_EXPR_COMPARE, tn_type_make(TN_TYPE_BOOLEAN));
            if (!cmp)
                return oom(b);
            if (!tn_bind_common_type(a, c, &t))
                return tn_bind_error(b, TN_ETYPE, names.items[u].pos, "USING columns have incompatible types");
            cmp->compare.op = TN_PLAN_CMP_EQ;
            if ((rc = tn_bind_cast(b, a, t, &cmp->compare.left)) != 0 ||
                (rc = tn_bind_cast(b, c, t, &cmp->compare.right)) != 0)
                return rc;
            conj[u] = cmp;
        }
        if (names.count == 0) {
            j->kind = TN_PLAN_CROSS;
            *out = j;
            return 0;
        }
        cond = tn_plan_expr_new(b->arena, b->plan, TN_PLAN_EXPR_AND, tn_type_make(TN_TYPE_BOOLEAN));
        if (!cond)
            return oom(b);
        cond->logical.operands = conj;
        cond->logical.count = names.count;
    }
    j->join.residual = cond; /* the optimizer extracts equality keys */
    *out = j;
    return 0;
}

static int bind_from(tn_binder *b, const tn_sql_table_ref *ref, tn_plan_op **out,
                     tn_bind_scope *scope)
{
    int rc;
    const char *alias = ref->alias.name.name;
    switch (ref->kind) {
    case TN_SQL_TABLE_NAME:
        rc = bind_table_name(b, ref, out);
        if (!alias)
            alias = ref->name.parts[ref->name.count - 1].name;
        break;
    case TN_SQL_TABLE_FILE: {
        tn_read_options opts = {0};
        tn_bind_hive_options hive = {0};
        char *path = tn_arena_strndup(b->arena, ref->path.ptr, ref->path.len);
        if (!path)
            return oom(b);
        rc = file_scan(b, path, &opts, &hive, ref->node.pos, out);
        if (!alias) {
            /* 'dir/sales.csv' is known as sales */
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            char *a = tn_arena_strdup(b->arena, base);
            if (a && strchr(a, '.'))
                *strchr(a, '.') = 0;
            alias = a;
        }
        break;
    }
    case TN_SQL_TABLE_FUNCTION:
        rc = table_function(b, ref->function, out);
        if (!alias)
            alias = ref->function->call.name.parts[ref->function->call.name.count - 1].name;
        break;
    case TN_SQL_TABLE_SUBQUERY: {
        tn_bind_agg *saved = b->agg;
        b->agg = NULL;
        rc = tn_bind_query_op(b, ref->subquery, out);
        b->agg = saved;
        break;
    }
    case TN_SQL_TABLE_JOIN:
        return bind_join(b, ref, out, scope);
    default:
        return tn_bind_error(b, TN_EINTERNAL, ref->node.pos, "unknown FROM item");
    }
    if (rc)
        return rc;
    return scope_of(b, *out, alias, ref->alias.columns.count ? &ref->alias.columns : NULL, scope);
}

/* ---- SELECT ----------------------------------------------------------------------------- */

static const char *expr_name(tn_binder *b, const tn_sql_expr *e)
{
    if (e->kind == TN_SQL_EXPR_COLUMN)
        return e->column.parts[e->column.count - 1].name;
    if (e->kind == TN_SQL_EXPR_FUNCTION)
        return e->call.name.parts[e->call.name.count - 1].name;
    if (e->kind == TN_SQL_EXPR_CAST)
        return expr_name(b, e->cast.operand);
    tn_buf text = TN_BUF_INIT;
    const char *name = NULL;
    if (tn_sql_ast_format(&e->node, &text) == 0)
        name = tn_arena_strdup(b->arena, tn_buf_cstr(&text));
    tn_buf_free(&text);
    return name ? name : "?column?";
}

static bool has_aggregate(const tn_sql_expr *e);

static bool list_has_aggregate(const tn_sql_expr_list *l)
{
    for (uint32_t i = 0; i < l->count; i++)
        if (has_aggregate(l->items[i]))
            return true;
    return false;
}

static bool has_aggregate(const tn_sql_expr *e)
{
    if (!e)
        return false;
    switch (e->kind) {
    case TN_SQL_EXPR_FUNCTION:
        if (!e->call.over && tn_bind_is_aggregate(e->call.name.parts[e->call.name.count - 1].name))
            return true;
        return list_has_aggregate(&e->call.args);
    case TN_SQL_EXPR_UNARY: return has_aggregate(e->unary.operand);
    case TN_SQL_EXPR_BINARY: return has_aggregate(e->binary.left) || has_aggregate(e->binary.right);
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR: return list_has_aggregate(&e->logical.operands);
    case TN_SQL_EXPR_IS: return has_aggregate(e->is.operand);
    case TN_SQL_EXPR_BETWEEN:
        return has_aggregate(e->between.operand) || has_aggregate(e->between.low) ||
               has_aggregate(e->between.high);
    case TN_SQL_EXPR_IN_LIST: return has_aggregate(e->in_list.operand) || list_has_aggregate(&e->in_list.list);
    case TN_SQL_EXPR_IN_QUERY: return has_aggregate(e->in_query.operand);
    case TN_SQL_EXPR_LIKE: return has_aggregate(e->like.operand) || has_aggregate(e->like.pattern);
    case TN_SQL_EXPR_CAST: return has_aggregate(e->cast.operand);
    case TN_SQL_EXPR_CASE:
        if (has_aggregate(e->case_expr.operand) || has_aggregate(e->case_expr.else_result))
            return true;
        for (uint32_t i = 0; i < e->case_expr.when_count; i++)
            if (has_aggregate(e->case_expr.whens[i].condition) || has_aggregate(e->case_expr.whens[i].result))
                return true;
        return false;
    default: return false;
    }
}

static int add_filter(tn_binder *b, tn_plan_op **op, tn_plan_expr *cond)
{
    tn_plan_op *f = tn_plan_op_new(b->arena, TN_PLAN_FILTER, (*op)->column_count);
    if (!f)
        return oom(b);
    memcpy(f->columns, (*op)->columns, (*op)->column_count * sizeof *f->columns);
    f->children[0] = *op;
    f->child_count = 1;
    f->filter.condition = cond;
    f->estimated_rows = (*op)->estimated_rows;
    *op = f;
    return 0;
}

static int limit_value(tn_binder *b, const tn_sql_expr *e, int64_t *out)
{
    if (e->kind == TN_SQL_EXPR_LITERAL && e->literal.kind == TN_SQL_LIT_INTEGER && e->literal.integer >= 0) {
        *out = e->literal.integer;
        return 0;
    }
    if (e->kind == TN_SQL_EXPR_LITERAL && e->literal.kind == TN_SQL_LIT_NULL) {
        *out = -1;
        return 0;
    }
    return tn_bind_error(b, TN_EINVAL, e->node.pos, "LIMIT and OFFSET need a non-negative integer");
}

/* Resolves an ORDER BY item against the output (ordinal or output name). -1 when it is not. */
static int order_output_index(const tn_sql_expr *e, const tn_plan_op *proj, tn_binder *b, int *out)
{
    *out = -1;
    if (e->kind == TN_SQL_EXPR_LITERAL && e->literal.kind == TN_SQL_LIT_INTEGER) {
        if (e->literal.integer < 1 || e->literal.integer > proj->column_count)
            return tn_bind_error(b, TN_EINVAL, e->node.pos,
                                 "ORDER BY position %lld is not in the select list",
                                 (long long)e->literal.integer);
        *out = (int)e->literal.integer - 1;
        return 0;
    }
    if (e->kind == TN_SQL_EXPR_COLUMN && e->column.count == 1) {
        for (uint32_t i = 0; i < proj->column_count; i++)
            if (proj->columns[i].name && strcmp(proj->columns[i].name, e->column.parts[0].name) == 0) {
                *out = (int)i;
                return 0;
            }
    }
    return 0;
}

static int bind_select_in(tn_binder *b, const tn_sql_query *q, tn_bind_window *win,
                          tn_plan_op **out);

static tn_sql_expr *with_aliases(tn_binder *b, const tn_bind_scope *scope,
                                 const tn_sql_select *sel, tn_sql_expr *e);

/* The list with aliases replaced, or the list itself when none was; false when out of memory. */
static bool list_with_aliases(tn_binder *b, const tn_bind_scope *scope, const tn_sql_select *sel,
                              tn_sql_expr_list *list)
{
    tn_sql_expr **items = NULL;
    for (uint32_t i = 0; i < list->count; i++) {
        tn_sql_expr *x = with_aliases(b, scope, sel, list->items[i]);
        if (!x)
            return false;
        if (x != list->items[i] && !items) {
            if (!(items = tn_arena_alloc(b->arena, list->count * sizeof *items)))
                return false;
            memcpy(items, list->items, list->count * sizeof *items);
        }
        if (items)
            items[i] = x;
    }
    if (items)
        list->items = items;
    return true;
}

/* QUALIFY may name the select list's aliases, as DuckDB allows: a bare name that is no input
 * column but an item's alias stands for that item's expression. Returns e itself when nothing
 * changed, else a copy of the changed path; NULL when out of memory. */
static tn_sql_expr *with_aliases(tn_binder *b, const tn_bind_scope *scope,
                                 const tn_sql_select *sel, tn_sql_expr *e)
{
    if (!e)
        return e;
    if (e->kind == TN_SQL_EXPR_COLUMN) {
        if (e->column.count != 1)
            return e;
        const char *name = e->column.parts[0].name;
        for (uint32_t c = 0; c < scope->count; c++)
            if (strcmp(scope->cols[c].name, name) == 0)
                return e;
        for (uint32_t i = 0; i < sel->item_count; i++)
            if (sel->items[i].alias.name && strcmp(sel->items[i].alias.name, name) == 0)
                return sel->items[i].expr;
        return e;
    }
    tn_sql_expr *c = tn_arena_alloc(b->arena, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    bool ok = true;
    switch (e->kind) {
    case TN_SQL_EXPR_UNARY: ok = (c->unary.operand = with_aliases(b, scope, sel, e->unary.operand)) != NULL; break;
    case TN_SQL_EXPR_BINARY:
        ok = (c->binary.left = with_aliases(b, scope, sel, e->binary.left)) != NULL &&
             (c->binary.right = with_aliases(b, scope, sel, e->binary.right)) != NULL;
        break;
    case TN_SQL_EXPR_AND:
    case TN_SQL_EXPR_OR: ok = list_with_aliases(b, scope, sel, &c->logical.operands); break;
    case TN_SQL_EXPR_IS: ok = (c->is.operand = with_aliases(b, scope, sel, e->is.operand)) != NULL; break;
    case TN_SQL_EXPR_BETWEEN:
        ok = (c->between.operand = with_aliases(b, scope, sel, e->between.operand)) != NULL &&
             (c->between.low = with_aliases(b, scope, sel, e->between.low)) != NULL &&
             (c->between.high = with_aliases(b, scope, sel, e->between.high)) != NULL;
        break;
    case TN_SQL_EXPR_IN_LIST:
        ok = (c->in_list.operand = with_aliases(b, scope, sel, e->in_list.operand)) != NULL &&
             list_with_aliases(b, scope, sel, &c->in_list.list);
        break;
    case TN_SQL_EXPR_CAST: ok = (c->cast.operand = with_aliases(b, scope, sel, e->cast.operand)) != NULL; break;
    case TN_SQL_EXPR_FUNCTION: ok = list_with_aliases(b, scope, sel, &c->call.args); break;
    default: return e;
    }
    return ok ? c : NULL;
}

/* A SELECT block, with window functions of its own (not of an enclosing SELECT). */
static int bind_select(tn_binder *b, const tn_sql_query *q, tn_plan_op **out)
{
    tn_bind_window *enclosing = b->win;
    tn_bind_window win = {0};
    b->win = NULL;
    int rc = tn_bind_window_clause(b, &q->select, &win);
    if (rc == 0)
        rc = bind_select_in(b, q, &win, out);
    b->win = enclosing;
    return rc;
}

static int bind_select_in(tn_binder *b, const tn_sql_query *q, tn_bind_window *win,
                          tn_plan_op **out)
{
    const tn_sql_select *sel = &q->select;
    tn_plan_op *op = NULL;
    tn_bind_scope scope = {0};
    int rc;
    /* FROM */
    if (sel->from_count == 0) {
        op = tn_plan_op_new(b->arena, TN_PLAN_VALUES, 0);
        if (!op)
            return oom(b);
        op->values.rows = tn_arena_calloc(b->arena, sizeof *op->values.rows);
        if (!op->values.rows)
            return oom(b);
        op->values.row_count = 1;
        op->estimated_rows = 1;
    }
    for (uint32_t i = 0; i < sel->from_count; i++) {
        tn_plan_op *item;
        tn_bind_scope is;
        if ((rc = bind_from(b, sel->from[i], &item, &is)) != 0)
            return rc;
        if (!op) {
            op = item;
            scope = is;
            continue;
        }
        tn_bind_scope joined;
        if ((rc = concat_scope(b, &scope, &is, op->column_count, &joined)) != 0)
            return rc;
        op = make_join_op(b, TN_PLAN_CROSS, op, item);
        if (!op)
            return oom(b);
        scope = joined;
    }
    /* WHERE */
    if (sel->where) {
        if (has_aggregate(sel->where))
            return tn_bind_error(b, TN_EINVAL, sel->where->node.pos,
                                 "aggregate functions are not allowed in WHERE");
        tn_plan_expr *cond;
        if ((rc = tn_bind_condition(b, &scope, sel->where, &cond)) != 0 ||
            (rc = tn_bind_where(b, &op, cond)) != 0)
            return rc;
    }
    /* expand * in the select list */
    uint32_t item_cap = 0;
    for (uint32_t i = 0; i < sel->item_count; i++)
        item_cap += sel->items[i].expr->kind == TN_SQL_EXPR_STAR ? scope.count : 1;
    const tn_sql_expr **items = tn_arena_calloc(b->arena, (item_cap + 1) * sizeof *items);
    const char **names = tn_arena_calloc(b->arena, (item_cap + 1) * sizeof *names);
    int32_t *star_col = tn_arena_calloc(b->arena, (item_cap + 1) * sizeof *star_col);
    if (!items || !names || !star_col)
        return oom(b);
    uint32_t n = 0;
    for (uint32_t i = 0; i < sel->item_count; i++) {
        const tn_sql_expr *e = sel->items[i].expr;
        if (e->kind == TN_SQL_EXPR_STAR) {
            const char *qual = e->star.qualifier.count ? e->star.qualifier.parts[e->star.qualifier.count - 1].name : NULL;
            uint32_t before = n;
            for (uint32_t c = 0; c < scope.count; c++) {
                if (scope.cols[c].hidden)
                    continue;
                if (qual && (!scope.cols[c].table || strcmp(scope.cols[c].table, qual) != 0))
                    continue;
                items[n] = e;
                names[n] = scope.cols[c].name;
                star_col[n++] = (int32_t)c;
            }
            if (qual && n == before)
                return tn_bind_error(b, TN_EINVAL, e->node.pos, "no table \"%s\" in FROM", qual);
            continue;
        }
        items[n] = e;
        names[n] = sel->items[i].alias.name ? sel->items[i].alias.name : expr_name(b, e);
        star_col[n++] = -1;
    }
    /* GROUP BY / aggregates */
    bool grouped = sel->group_by.count > 0 || sel->group_by_all || sel->having;
    for (uint32_t i = 0; i < sel->item_count && !grouped; i++)
        grouped = has_aggregate(sel->items[i].expr);
    for (uint32_t i = 0; i < q->order_by.count && !grouped; i++)
        grouped = has_aggregate(q->order_by.items[i].expr);
    tn_bind_agg agg = {0};
    tn_bind_scope input_scope = scope;
    if (grouped) {
        agg.input = &input_scope;
        uint32_t gc = sel->group_by.count;
        if (sel->group_by_all) {
            gc = 0;
            for (uint32_t i = 0; i < n; i++)
                if (star_col[i] >= 0 || !has_aggregate(items[i]))
                    gc++;
        }
        agg.group_ast = tn_arena_calloc(b->arena, (gc + 1) * sizeof *agg.group_ast);
        agg.group_text = tn_arena_calloc(b->arena, (gc + 1) * sizeof *agg.group_text);
        agg.groups = tn_arena_calloc(b->arena, (gc + 1) * sizeof *agg.groups);
        if (!agg.group_ast || !agg.group_text || !agg.groups)
            return oom(b);
        uint32_t g = 0;
        for (uint32_t i = 0; i < (sel->group_by_all ? n : gc); i++) {
            const tn_sql_expr *ge;
            if (sel->group_by_all) {
                if (!(star_col[i] >= 0 || !has_aggregate(items[i])))
                    continue;
                ge = items[i];
                if (star_col[i] >= 0) {
                    agg.groups[g] = tn_bind_column_ref(b, scope.cols[star_col[i]].index, scope.cols[star_col[i]].type);
                    agg.group_text[g] = scope.cols[star_col[i]].name;
                    g++;
                    continue;
                }
            } else {
                ge = sel->group_by.items[i];
                /* GROUP BY 2 is the second select item; GROUP BY alias is that item */
                if (ge->kind == TN_SQL_EXPR_LITERAL && ge->literal.kind == TN_SQL_LIT_INTEGER) {
                    int64_t k = ge->literal.integer;
                    if (k < 1 || k > n || star_col[k - 1] >= 0)
                        return tn_bind_error(b, TN_EINVAL, ge->node.pos,
                                             "GROUP BY position %lld is not in the select list", (long long)k);
                    ge = items[k - 1];
                } else if (ge->kind == TN_SQL_EXPR_COLUMN && ge->column.count == 1) {
                    bool in_input = false;
                    for (uint32_t c = 0; c < scope.count; c++)
                        in_input = in_input || strcmp(scope.cols[c].name, ge->column.parts[0].name) == 0;
                    const char *name = ge->column.parts[0].name; /* ge changes on a match */
                    for (uint32_t k = 0; k < sel->item_count && !in_input; k++)
                        if (sel->items[k].alias.name && strcmp(sel->items[k].alias.name, name) == 0) {
                            ge = sel->items[k].expr;
                            break;
                        }
                }
            }
            if ((rc = tn_bind_expr(b, &scope, ge, &agg.groups[g])) != 0)
                return rc;
            tn_buf text = TN_BUF_INIT;
            if (tn_sql_ast_format(&ge->node, &text) != 0)
                return oom(b);
            agg.group_text[g] = tn_arena_strdup(b->arena, tn_buf_cstr(&text));
            tn_buf_free(&text);
            agg.group_ast[g] = (tn_sql_expr *)ge;
            g++;
        }
        agg.group_count = g;
        b->agg = &agg;
    }
    /* select list (window functions allowed from here to QUALIFY, except in HAVING) */
    b->win = win;
    tn_plan_expr **exprs = tn_arena_calloc(b->arena, (n + 1) * sizeof *exprs);
    if (!exprs)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        if (star_col[i] >= 0) {
            const tn_bind_col *c = &scope.cols[star_col[i]];
            if (grouped) {
                /* t.* in a grouped query: each column must be a group key */
                tn_sql_expr fake;
                memset(&fake, 0, sizeof fake);
                tn_sql_ident part = {c->name, items[i]->node.pos};
                fake.kind = TN_SQL_EXPR_COLUMN;
                fake.node.pos = items[i]->node.pos;
                fake.column.parts = &part;
                fake.column.count = 1;
                rc = tn_bind_expr(b, &scope, &fake, &exprs[i]);
                if (rc)
                    return rc;
            } else {
                exprs[i] = tn_bind_column_ref(b, c->index, c->type);
                if (!exprs[i])
                    return oom(b);
            }
            continue;
        }
        if ((rc = tn_bind_expr(b, &scope, items[i], &exprs[i])) != 0)
            return rc;
    }
    tn_plan_expr *having = NULL;
    b->win = NULL;
    if (sel->having && (rc = tn_bind_condition(b, &scope, sel->having, &having)) != 0)
        return rc;
    b->win = win;
    /* ORDER BY items that are not output columns are bound now (while aggregates resolve)
     * and carried as hidden columns */
    uint32_t ob = q->order_by.count;
    int *ord_idx = tn_arena_calloc(b->arena, (ob + 1) * sizeof *ord_idx);
    tn_plan_expr **extra = tn_arena_calloc(b->arena, (ob + 1) * sizeof *extra);
    if (!ord_idx || !extra)
        return oom(b);
    tn_plan_op fake_proj = {0};
    fake_proj.columns = tn_arena_calloc(b->arena, (n + 1) * sizeof *fake_proj.columns);
    if (!fake_proj.columns)
        return oom(b);
    fake_proj.column_count = n;
    for (uint32_t i = 0; i < n; i++)
        fake_proj.columns[i].name = names[i];
    uint32_t extra_count = 0;
    for (uint32_t i = 0; i < ob; i++) {
        if ((rc = order_output_index(q->order_by.items[i].expr, &fake_proj, b, &ord_idx[i])) != 0)
            return rc;
        if (ord_idx[i] >= 0)
            continue;
        if (sel->distinct)
            return tn_bind_error(b, TN_EINVAL, q->order_by.items[i].expr->node.pos,
                                 "for SELECT DISTINCT, ORDER BY expressions must appear in the select list");
        if ((rc = tn_bind_expr(b, &scope, q->order_by.items[i].expr, &extra[extra_count])) != 0)
            return rc;
        ord_idx[i] = (int)(n + extra_count++);
    }
    tn_plan_expr *qualify = NULL;
    if (sel->qualify) {
        tn_sql_expr *cond = with_aliases(b, &scope, sel, sel->qualify);
        if (!cond)
            return oom(b);
        if ((rc = tn_bind_condition(b, &scope, cond, &qualify)) != 0)
            return rc;
    }
    b->win = NULL;
    b->agg = NULL;
    if (!grouped) {
        /* correlated scalar aggregates in the select list become joins below the projection */
        for (uint32_t i = 0; i < n + extra_count; i++)
            if ((rc = tn_bind_decorrelate_scalars(b, &op, i < n ? exprs[i] : extra[i - n])) != 0)
                return rc;
    } else {
        /* and in a grouped query, those in group keys and aggregate arguments: below it */
        for (uint32_t g = 0; g < agg.group_count; g++)
            if ((rc = tn_bind_decorrelate_scalars(b, &op, agg.groups[g])) != 0)
                return rc;
        for (uint32_t k = 0; k < agg.agg_count; k++)
            if ((rc = tn_bind_decorrelate_scalars(b, &op, agg.aggs[k].arg)) != 0 ||
                (rc = tn_bind_decorrelate_scalars(b, &op, agg.aggs[k].filter)) != 0)
                return rc;
    }
    if (grouped) {
        tn_plan_op *a = tn_plan_op_new(b->arena, TN_PLAN_AGGREGATE, agg.group_count + agg.agg_count);
        if (!a)
            return oom(b);
        for (uint32_t g = 0; g < agg.group_count; g++)
            a->columns[g] = (tn_plan_column){agg.group_text[g], agg.groups[g]->type, true};
        for (uint32_t k = 0; k < agg.agg_count; k++)
            a->columns[agg.group_count + k] = (tn_plan_column){agg.agg_text[k], agg.aggs[k].type, true};
        a->aggregate.groups = agg.groups;
        a->aggregate.group_count = agg.group_count;
        a->aggregate.aggs = agg.aggs;
        a->aggregate.agg_count = agg.agg_count;
        a->children[0] = op;
        a->child_count = 1;
        a->estimated_rows = agg.group_count ? (op->estimated_rows < 0 ? -1 : op->estimated_rows / 10 + 1) : 1;
        op = a;
        if (having && (rc = add_filter(b, &op, having)) != 0)
            return rc;
    }
    if (win->func_count) {
        /* window results follow op's columns and the window's inputs */
        uint32_t base = op->column_count + win->input_count;
        b->win = win;
        rc = tn_bind_window_op(b, &op);
        b->win = NULL;
        if (rc)
            return rc;
        for (uint32_t i = 0; i < n; i++)
            tn_bind_window_patch(exprs[i], base);
        for (uint32_t i = 0; i < extra_count; i++)
            tn_bind_window_patch(extra[i], base);
        tn_bind_window_patch(qualify, base);
    }
    if (qualify && (rc = add_filter(b, &op, qualify)) != 0)
        return rc;
    tn_plan_op *proj = tn_plan_op_new(b->arena, TN_PLAN_PROJECT, n + extra_count);
    if (!proj)
        return oom(b);
    proj->project.exprs = tn_arena_calloc(b->arena, (n + extra_count + 1) * sizeof(tn_plan_expr *));
    if (!proj->project.exprs)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        proj->project.exprs[i] = exprs[i];
        proj->columns[i] = (tn_plan_column){names[i], exprs[i]->type, true};
    }
    for (uint32_t i = 0; i < extra_count; i++) {
        proj->project.exprs[n + i] = extra[i];
        proj->columns[n + i] = (tn_plan_column){"", extra[i]->type, true};
    }
    proj->children[0] = op;
    proj->child_count = 1;
    proj->estimated_rows = op->estimated_rows;
    op = proj;
    if (sel->distinct) {
        tn_plan_op *d = tn_plan_op_new(b->arena, TN_PLAN_AGGREGATE, op->column_count);
        if (!d)
            return oom(b);
        d->aggregate.groups = tn_arena_calloc(b->arena, (op->column_count + 1) * sizeof(tn_plan_expr *));
        if (!d->aggregate.groups)
            return oom(b);
        for (uint32_t i = 0; i < op->column_count; i++) {
            d->aggregate.groups[i] = tn_bind_column_ref(b, i, op->columns[i].type);
            if (!d->aggregate.groups[i])
                return oom(b);
            d->columns[i] = op->columns[i];
        }
        d->aggregate.group_count = op->column_count;
        d->children[0] = op;
        d->child_count = 1;
        d->estimated_rows = op->estimated_rows;
        op = d;
    }
    if (ob) {
        tn_plan_op *s = tn_plan_op_new(b->arena, TN_PLAN_SORT, op->column_count);
        if (!s)
            return oom(b);
        memcpy(s->columns, op->columns, op->column_count * sizeof *s->columns);
        s->sort.keys = tn_arena_calloc(b->arena, ob * sizeof *s->sort.keys);
        if (!s->sort.keys)
            return oom(b);
        for (uint32_t i = 0; i < ob; i++) {
            const tn_sql_order_item *it = &q->order_by.items[i];
            tn_plan_sort_key *k = &s->sort.keys[i];
            k->expr = tn_bind_column_ref(b, (uint32_t)ord_idx[i], op->columns[ord_idx[i]].type);
            if (!k->expr)
                return oom(b);
            k->descending = it->dir == TN_SQL_SORT_DESC;
            k->nulls_first = it->nulls == TN_SQL_NULLS_DEFAULT ? k->descending
                                                               : it->nulls == TN_SQL_NULLS_FIRST;
        }
        s->sort.key_count = ob;
        s->children[0] = op;
        s->child_count = 1;
        s->estimated_rows = op->estimated_rows;
        op = s;
    }
    if (extra_count) {
        /* drop the hidden ORDER BY columns */
        tn_plan_op *p = tn_plan_op_new(b->arena, TN_PLAN_PROJECT, n);
        if (!p)
            return oom(b);
        p->project.exprs = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_expr *));
        if (!p->project.exprs)
            return oom(b);
        for (uint32_t i = 0; i < n; i++) {
            p->project.exprs[i] = tn_bind_column_ref(b, i, op->columns[i].type);
            if (!p->project.exprs[i])
                return oom(b);
            p->columns[i] = op->columns[i];
        }
        p->children[0] = op;
        p->child_count = 1;
        p->estimated_rows = op->estimated_rows;
        op = p;
    }
    *out = op;
    return 0;
}

static int bind_values(tn_binder *b, const tn_sql_query *q, tn_plan_op **out)
{
    uint32_t cols = q->values.rows[0].count;
    tn_plan_op *v = tn_plan_op_new(b->arena, TN_PLAN_VALUES, cols);
    if (!v)
        return oom(b);
    v->values.rows = tn_arena_calloc(b->arena, q->values.row_count * sizeof *v->values.rows);
    if (!v->values.rows)
        return oom(b);
    int rc;
    for (uint32_t r = 0; r < q->values.row_count; r++) {
        if (q->values.rows[r].count != cols)
            return tn_bind_error(b, TN_EINVAL, q->values.rows[r].items[0]->node.pos,
                                 "VALUES lists must all be the same length");
        v->values.rows[r] = tn_arena_calloc(b->arena, (cols + 1) * sizeof(tn_plan_expr *));
        if (!v->values.rows[r])
            return oom(b);
        for (uint32_t c = 0; c < cols; c++) {
            if ((rc = tn_bind_expr(b, NULL, q->values.rows[r].items[c], &v->values.rows[r][c])) != 0)
                return rc;
            tn_plan_expr *e = v->values.rows[r][c];
            tn_type t;
            if (r == 0) {
                v->columns[c].type = e->type;
            } else if (!tn_bind_common_of_types(v->columns[c].type, e->type, false, false, &t)) {
                return tn_bind_error(b, TN_ETYPE, q->values.rows[r].items[c]->node.pos,
                                     "VALUES column %u has values of incompatible types", c + 1);
            } else {
                v->columns[c].type = t;
            }
        }
    }
    for (uint32_t c = 0; c < cols; c++) {
        char name[24];
        snprintf(name, sizeof name, "col%u", c);
        v->columns[c].name = tn_arena_strdup(b->arena, name);
        v->columns[c].nullable = true;
        for (uint32_t r = 0; r < q->values.row_count; r++)
            if ((rc = tn_bind_cast(b, v->values.rows[r][c], v->columns[c].type, &v->values.rows[r][c])) != 0)
                return rc;
    }
    v->values.row_count = q->values.row_count;
    v->estimated_rows = q->values.row_count;
    *out = v;
    return 0;
}

/* Wraps op in a projection casting its columns to `types` (when any differs). */
static int cast_columns(tn_binder *b, tn_plan_op **op, const tn_type *types)
{
    bool same = true;
    for (uint32_t i = 0; i < (*op)->column_count; i++)
        same = same && tn_type_eq((*op)->columns[i].type, types[i]);
    if (same)
        return 0;
    uint32_t n = (*op)->column_count;
    tn_plan_op *p = tn_plan_op_new(b->arena, TN_PLAN_PROJECT, n);
    if (!p)
        return oom(b);
    p->project.exprs = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_expr *));
    if (!p->project.exprs)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        tn_plan_expr *c = tn_bind_column_ref(b, i, (*op)->columns[i].type);
        if (!c)
            return oom(b);
        int rc = tn_bind_cast(b, c, types[i], &p->project.exprs[i]);
        if (rc)
            return rc;
        p->columns[i] = (*op)->columns[i];
        p->columns[i].type = types[i];
    }
    p->children[0] = *op;
    p->child_count = 1;
    p->estimated_rows = (*op)->estimated_rows;
    *op = p;
    return 0;
}

static int bind_set_op(tn_binder *b, const tn_sql_query *q, tn_plan_op **out)
{
    tn_plan_op *l, *r;
    int rc;
    if ((rc = tn_bind_query_op(b, q->set_op.left, &l)) != 0 ||
        (rc = tn_bind_query_op(b, q->set_op.right, &r)) != 0)
        return rc;
    if (l->column_count != r->column_count)
        return tn_bind_error(b, TN_EINVAL, q->node.pos,
                             "each side of a set operation must have the same number of columns (%u and %u)",
                             l->column_count, r->column_count);
    uint32_t n = l->column_count;
    tn_type *types = tn_arena_calloc(b->arena, (n + 1) * sizeof *types);
    if (!types)
        return oom(b);
    for (uint32_t i = 0; i < n; i++) {
        if (!tn_bind_common_of_types(l->columns[i].type, r->columns[i].type, false, false, &types[i]))
            return tn_bind_error(b, TN_ETYPE, q->node.pos,
                                 "column %u of the set operation has incompatible types", i + 1);
        if (types[i].id == TN_TYPE_INVALID)
            types[i] = tn_type_make(TN_TYPE_INTEGER);
    }
    if ((rc = cast_columns(b, &l, types)) != 0 || (rc = cast_columns(b, &r, types)) != 0)
        return rc;
    tn_plan_op *s = tn_plan_op_new(b->arena, TN_PLAN_SET_OP, n);
    if (!s)
        return oom(b);
    memcpy(s->columns, l->columns, n * sizeof *s->columns);
    s->set_op.op = q->set_op.op == TN_SQL_SET_UNION       ? TN_PLAN_SET_UNION
                   : q->set_op.op == TN_SQL_SET_INTERSECT ? TN_PLAN_SET_INTERSECT
                                                          : TN_PLAN_SET_EXCEPT;
    s->set_op.all = q->set_op.all;
    s->children[0] = l;
    s->children[1] = r;
    s->child_count = 2;
    s->estimated_rows = -1;
    *out = s;
    if (s->set_op.op == TN_PLAN_SET_UNION && !q->set_op.all) {
        tn_plan_op *d = tn_plan_op_new(b->arena, TN_PLAN_AGGREGATE, n);
        if (!d)
            return oom(b);
        d->aggregate.groups = tn_arena_calloc(b->arena, (n + 1) * sizeof(tn_plan_expr *));
        if (!d->aggregate.groups)
            return oom(b);
        for (uint32_t i = 0; i < n; i++) {
            d->aggregate.groups[i] = tn_bind_column_ref(b, i, types[i]);
            if (!d->aggregate.groups[i])
                return oom(b);
            d->columns[i] = s->columns[i];
        }
        d->aggregate.group_count = n;
        d->children[0] = s;
        d->child_count = 1;
        d->estimated_rows = -1;
        *out = d;
    }
    return 0;
}

int tn_bind_query_op(tn_binder *b, const tn_sql_query *q, tn_plan_op **out)
{
    int rc;
    if (++b->depth > TN_SQL_MAX_DEPTH) {
        b->depth--;
        return tn_bind_error(b, TN_ELIMIT, q->node.pos, "query nests too deeply");
    }
    tn_bind_cte *saved = b->ctes;
    if (q->with) {
        if (q->with->recursive)
            return tn_bind_error(b, TN_EUNSUPPORTED, q->node.pos, "WITH RECURSIVE is not supported yet");
        for (uint32_t i = 0; i < q->with->count; i++) {
            tn_bind_cte *c = tn_arena_calloc(b->arena, sizeof *c);
            if (!c)
                return oom(b);
            c->cte = &q->with->ctes[i];
            c->next = b->ctes;
            b->ctes = c;
        }
    }
    switch (q->kind) {
    case TN_SQL_QUERY_SELECT: rc = bind_select(b, q, out); break;
    case TN_SQL_QUERY_VALUES: rc = bind_values(b, q, out); break;
    default: rc = bind_set_op(b, q, out); break;
    }
    if (rc == 0 && q->kind != TN_SQL_QUERY_SELECT && q->order_by.count) {
        tn_plan_op *op = *out;
        tn_plan_op *s = tn_plan_op_new(b->arena, TN_PLAN_SORT, op->column_count);
        if (!s)
            rc = oom(b);
        else {
            memcpy(s->columns, op->columns, op->column_count * sizeof *s->columns);
            s->sort.keys = tn_arena_calloc(b->arena, q->order_by.count * sizeof *s->sort.keys);
            if (!s->sort.keys)
                rc = oom(b);
            for (uint32_t i = 0; rc == 0 && i < q->order_by.count; i++) {
                const tn_sql_order_item *it = &q->order_by.items[i];
                int idx;
                if ((rc = order_output_index(it->expr, op, b, &idx)) != 0)
                    break;
                if (idx < 0) {
                    rc = tn_bind_error(b, TN_EINVAL, it->expr->node.pos,
                                       "ORDER BY of a set operation must name an output column");
                    break;
                }
                s->sort.keys[i].expr = tn_bind_column_ref(b, (uint32_t)idx, op->columns[idx].type);
                s->sort.keys[i].descending = it->dir == TN_SQL_SORT_DESC;
                s->sort.keys[i].nulls_first = it->nulls == TN_SQL_NULLS_DEFAULT ? s->sort.keys[i].descending
                                                                                : it->nulls == TN_SQL_NULLS_FIRST;
            }
            s->sort.key_count = q->order_by.count;
            s->children[0] = op;
            s->child_count = 1;
            *out = s;
        }
    }
    if (rc == 0 && (q->limit || q->offset)) {
        int64_t limit = -1, offset = 0;
        if (q->limit)
            rc = limit_value(b, q->limit, &limit);
        if (rc == 0 && q->offset)
            rc = limit_value(b, q->offset, &offset);
        if (offset < 0)
            offset = 0;
        if (rc == 0) {
            tn_plan_op *lop = tn_plan_op_new(b->arena, TN_PLAN_LIMIT, (*out)->column_count);
            if (!lop) {
                rc = oom(b);
            } else {
                memcpy(lop->columns, (*out)->columns, (*out)->column_count * sizeof *lop->columns);
                lop->limit.limit = limit;
                lop->limit.offset = offset;
                lop->children[0] = *out;
                lop->child_count = 1;
                lop->estimated_rows = limit >= 0 ? (double)limit : (*out)->estimated_rows;
                *out = lop;
            }
        }
    }
    b->ctes = saved;
    b->depth--;
    return rc;
}

int tn_bind_query(tn_sql_engine *engine, tn_arena *arena, tn_plan *plan,
                  const tn_sql_query *query, tn_plan_op **out, tn_error *err)
{
    tn_binder b = {0};
    b.engine = engine;
    b.arena = arena;
    b.plan = plan;
    b.err = err;
    return tn_bind_query_op(&b, query, out);
}
