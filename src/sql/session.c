/* SPDX-License-Identifier: Apache-2.0
 *
 * The engine (a session): settings, in-memory tables and views for work without a project,
 * open lake tables, and statement execution: parse -> bind -> optimize -> execute, results
 * handed out as dense batches. Writing statements on in-memory tables live here; on the lake
 * they go through lake.h, each data-writing statement one snapshot (CREATE TABLE AS and INSERT
 * an append, TRUNCATE an overwrite). With a project, views are kept in the catalog.
 */
#include "sql/sql_int.h"
#include "formats/formats.h"
#include "catalog/catalog.h"
#include "lake/lake.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

struct tn_sql_result {
    tn_sql_engine *engine;
    const char *tag;
    int64_t rows_changed;
    bool has_rows;
    tn_schema *schema;
    tn_exec_ctx ctx;
    tn_exec_op *root;
    tn_batch *out;     /* the dense batch handed to the caller */
    tn_buf text;       /* EXPLAIN output lines */
    size_t text_pos;
    bool text_mode;
    bool rows_mode;    /* `out` holds all the rows, handed out once (SHOW TABLES, DESCRIBE) */
    bool finished;
};

typedef struct lake_cache_entry {
    char *key;
    tn_lake_table *table;
} lake_cache_entry;

typedef struct lake_cache {
    lake_cache_entry *items;
    size_t count;
} lake_cache;

int tn_sql_lake_open_table(tn_sql_engine *engine, const char *ns, const char *name,
                           tn_lake_table **out, tn_error *err);
static int add_view(tn_sql_engine *e, const char *ns, const char *name, const char *sql,
                    size_t sql_len, const char *const *column_names, uint32_t column_count,
                    tn_error *err);

/* Adds a catalog view to the session (column names arrive one per line). */
static int load_view(void *ctx, const tn_catalog_view *view)
{
    tn_sql_engine *e = ctx;
    const char *names[256];
    char *copy = tn_strdup(view->column_names ? view->column_names : "");
    uint32_t n = 0;
    tn_error err = {0};
    if (!copy)
        return TN_ENOMEM;
    for (char *p = copy, *nl; *p && n < 256; p = nl + 1) {
        names[n++] = p;
        if (!(nl = strchr(p, '\n')))
            break;
        *nl = 0;
    }
    int rc = add_view(e, view->namespace_name, view->name, view->query, strlen(view->query), names,
                      n, &err);
    tn_free(copy);
    return rc;
}

int tn_sql_engine_open(const tn_sql_engine_options *opts, tn_sql_engine **out, tn_error *err)
{
    tn_sql_engine *e = tn_calloc(1, sizeof *e);
    if (!e)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    if (opts)
        e->options = *opts;
    e->lake = e->options.lake;
    e->catalog = e->options.catalog;
    e->default_namespace = tn_strdup(e->options.default_namespace ? e->options.default_namespace : "default");
    e->lake_cache = tn_calloc(1, sizeof(lake_cache));
    if (!e->default_namespace || !e->lake_cache) {
        tn_sql_engine_close(e);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (e->options.memory_limit == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
        e->options.memory_limit = pages > 0 && size > 0 ? (int64_t)pages * size / 10 * 8 : 0;
    }
    if (e->catalog) {
        int rc = tn_catalog_view_list(e->catalog, NULL, load_view, e, err);
        if (rc) {
            tn_sql_engine_close(e);
            return rc == TN_ENOMEM && !err->code ? tn_error_set(err, rc, "out of memory") : rc;
        }
    }
    *out = e;
    return 0;
}

void tn_sql_table_free(tn_sql_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->batch_count; i++)
        tn_batch_free(t->batches[i]);
    tn_free(t->batches);
    tn_schema_unref(t->schema);
    tn_free(t->name);
    tn_free(t);
}

static void view_free(tn_sql_view *v)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < v->column_count; i++)
        tn_free(v->column_names[i]);
    tn_free(v->column_names);
    tn_free(v->ns);
    tn_free(v->name);
    tn_free(v->sql);
    tn_free(v);
}

void tn_sql_engine_close(tn_sql_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->table_count; i++)
        tn_sql_table_free(e->tables[i]);
    tn_free(e->tables);
    for (size_t i = 0; i < e->view_count; i++)
        view_free(e->views[i]);
    tn_free(e->views);
    lake_cache *lc = e->lake_cache;
    for (size_t i = 0; lc && i < lc->count; i++) {
        tn_lake_table_close(lc->items[i].table);
        tn_free(lc->items[i].key);
    }
    if (lc)
        tn_free(lc->items);
    tn_free(lc);
    tn_free(e->default_namespace);
    tn_free(e);
}

int tn_sql_lake_open_table(tn_sql_engine *engine, const char *ns, const char *name,
                           tn_lake_table **out, tn_error *err)
{
    lake_cache *lc = engine->lake_cache;
    char key[512];
    snprintf(key, sizeof key, "%s.%s", ns, name);
    for (size_t i = 0; i < lc->count; i++)
        if (strcmp(lc->items[i].key, key) == 0) {
            *out = lc->items[i].table;
            return tn_lake_table_refresh(*out, err);
        }
    tn_lake_table *t;
    int rc = tn_lake_table_load(engine->lake, ns, name, &t, err);
    if (rc)
        return rc;
    lake_cache_entry *ni = tn_realloc(lc->items, (lc->count + 1) * sizeof *ni);
    char *k = tn_strdup(key);
    if (!ni || !k) {
        if (ni)
            lc->items = ni;
        tn_free(k);
        tn_lake_table_close(t);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    lc->items = ni;
    lc->items[lc->count].key = k;
    lc->items[lc->count++].table = t;
    *out = t;
    return 0;
}

static void lake_cache_forget(tn_sql_engine *engine, const char *ns, const char *name)
{
    lake_cache *lc = engine->lake_cache;
    char key[512];
    snprintf(key, sizeof key, "%s.%s", ns, name);
    for (size_t i = 0; i < lc->count; i++)
        if (strcmp(lc->items[i].key, key) == 0) {
            tn_lake_table_close(lc->items[i].table);
            tn_free(lc->items[i].key);
            lc->items[i] = lc->items[--lc->count];
            return;
        }
}

tn_sql_table *tn_sql_engine_find_table(tn_sql_engine *e, const char *name)
{
    for (size_t i = 0; i < e->table_count; i++)
        if (strcasecmp(e->tables[i]->name, name) == 0)
            return e->tables[i];
    return NULL;
}

tn_sql_view *tn_sql_engine_find_view(tn_sql_engine *e, const char *ns, const char *name)
{
    if (!ns)
        ns = e->default_namespace;
    for (size_t i = 0; i < e->view_count; i++)
        if (strcasecmp(e->views[i]->name, name) == 0 && strcasecmp(e->views[i]->ns, ns) == 0)
            return e->views[i];
    return NULL;
}

int tn_sql_table_append(tn_sql_table *t, tn_batch *batch, tn_error *err)
{
    if (t->batch_count == t->batch_cap) {
        size_t cap = t->batch_cap ? t->batch_cap * 2 : 8;
        tn_batch **nb = tn_realloc(t->batches, cap * sizeof *nb);
        if (!nb) {
            tn_batch_free(batch);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        t->batches = nb;
        t->batch_cap = cap;
    }
    t->batches[t->batch_count++] = batch;
    t->row_count += batch->row_count;
    return 0;
}

int tn_sql_engine_set(tn_sql_engine *e, const char *name, const char *value, tn_error *err)
{
    if (strcmp(name, "sqlite_compat") == 0 || strcmp(name, "integer_division") == 0) {
        e->options.sqlite_compat = strcasecmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
                                   strcasecmp(value, "on") == 0;
        return 0;
    }
    if (strcmp(name, "memory_limit") == 0) {
        char *end;
        double v = strtod(value, &end);
        while (*end == ' ')
            end++;
        double mult = 1;
        if (strncasecmp(end, "k", 1) == 0) mult = 1024.0;
        else if (strncasecmp(end, "m", 1) == 0) mult = 1024.0 * 1024;
        else if (strncasecmp(end, "g", 1) == 0) mult = 1024.0 * 1024 * 1024;
        else if (strncasecmp(end, "t", 1) == 0) mult = 1024.0 * 1024 * 1024 * 1024;
        if (v <= 0 || end == value)
            return tn_error_set(err, TN_EINVAL, "memory_limit must be a size such as '512MB' or '4GB'");
        e->options.memory_limit = (int64_t)(v * mult);
        return 0;
    }
    if (strcmp(name, "threads") == 0) {
        e->options.threads = atoi(value);
        return 0;
    }
    if (strcmp(name, "partitioned_write_max_open_files") == 0 ||
        strcmp(name, "partitioned_write_flush_threshold") == 0) {
        char *end;
        long long v = strtoll(value, &end, 10);
        bool files = strcmp(name, "partitioned_write_max_open_files") == 0;
        if (end == value || *end || v < 1 || (files && v > 100000))
            return tn_error_set(err, TN_EINVAL, "%s must be a whole number from 1%s", name,
                                files ? " to 100000" : "");
        if (files)
            e->options.partitioned_write_max_open_files = (uint32_t)v;
        else
            e->options.partitioned_write_flush_threshold = v;
        return 0;
    }
    return tn_error_set(err, TN_EINVAL,
                        "unknown setting \"%s\": use sqlite_compat, memory_limit, threads, "
                        "partitioned_write_max_open_files or partitioned_write_flush_threshold",
                        name);
}

/* ---- results ---------------------------------------------------------------------------- */

static tn_sql_result *result_new(tn_sql_engine *e, const char *tag)
{
    tn_sql_result *r = tn_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->engine = e;
    r->tag = tag;
    r->rows_changed = -1;
    return r;
}

static void result_free(tn_sql_result *r)
{
    if (!r)
        return;
    tn_exec_close(r->root);
    tn_exec_eval_free(&r->ctx.eval);
    tn_batch_free(r->out);
    tn_schema_unref(r->schema);
    tn_buf_free(&r->text);
    tn_free(r);
}

const tn_schema *tn_sql_result_schema(const tn_sql_result *r) { return r->schema; }
const char *tn_sql_result_tag(const tn_sql_result *r) { return r->tag; }
int64_t tn_sql_result_rows_changed(const tn_sql_result *r) { return r->rows_changed; }
bool tn_sql_result_has_rows(const tn_sql_result *r) { return r->has_rows; }

int tn_sql_result_next(tn_sql_result *r, tn_batch **out, tn_error *err)
{
    *out = NULL;
    if (r->finished || !r->has_rows)
        return 0;
    if (r->rows_mode) {
        r->finished = true;
        *out = r->out;
        return 0;
    }
    if (r->text_mode) {
        tn_batch_reset(r->out);
        uint32_t n = 0;
        while (r->text_pos < r->text.len && n < TN_BATCH_ROWS) {
            const char *s = r->text.data + r->text_pos;
            const char *nl = memchr(s, '\n', r->text.len - r->text_pos);
            size_t len = nl ? (size_t)(nl - s) : r->text.len - r->text_pos;
            if (tn_vector_append_str(&r->out->columns[0], n++, s, len) != 0)
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            r->text_pos += len + 1;
        }
        if (n == 0) {
            r->finished = true;
            return 0;
        }
        r->out->row_count = n;
        *out = r->out;
        return 0;
    }
    r->ctx.err = err;
    tn_exec_chunk c = {0};
    int rc = tn_exec_next(r->root, &c);
    if (rc)
        return rc;
    if (!c.batch) {
        r->finished = true;
        return 0;
    }
    tn_batch_reset(r->out);
    for (uint32_t i = 0; i < r->schema->column_count; i++)
        if ((rc = tn_exec_gather(&r->out->columns[i], 0, &c.batch->columns[i], c.sel, c.count)) != 0)
            return tn_error_set(err, rc, "%s", tn_strerror(rc));
    r->out->row_count = c.count;
    *out = r->out;
    return 0;
}

/* ---- statements ------------------------------------------------------------------------- */

static void ctx_init(tn_exec_ctx *ctx, tn_sql_engine *e, tn_arena *arena, tn_plan *plan,
                     tn_error *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->engine = e;
    ctx->arena = arena;
    ctx->plan = plan;
    ctx->err = err;
    ctx->now_us = plan && plan->now_us ? plan->now_us : tn_now_us(); /* as folded */
    ctx->sqlite_compat = e->options.sqlite_compat;
    ctx->memory_limit = e->options.memory_limit;
    /* 0 = every core (the shared pool's size; the pool itself starts at its first use, so a
     * query that never runs in parallel, such as a footer count, starts no thread); 1 keeps
     * the whole query on this thread */
    ctx->threads = e->options.threads > 0 ? e->options.threads : tn_cpu_count();
}

static int plan_query(tn_sql_engine *e, tn_arena *arena, tn_plan *plan, const tn_sql_query *q,
                      tn_error *err)
{
    int rc = tn_bind_query(e, arena, plan, q, &plan->root, err);
    if (rc == 0)
        rc = tn_optimize(e, arena, plan, &plan->root, err);
    return rc;
}

static int open_query_result(tn_sql_engine *e, tn_arena *arena, tn_plan *plan,
                             const tn_sql_query *q, bool analyze, tn_sql_result *r,
                             tn_error *err)
{
    int rc = plan_query(e, arena, plan, q, err);
    if (rc)
        return rc;
    ctx_init(&r->ctx, e, arena, plan, err);
    r->ctx.analyze = analyze;
    if ((rc = tn_exec_eval_init(&r->ctx.eval, &r->ctx)) != 0)
        return rc;
    r->schema = tn_exec_schema(plan->root);
    r->out = r->schema ? tn_batch_new(r->schema, TN_BATCH_ROWS) : NULL;
    if (!r->out)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->has_rows = true;
    return tn_exec_build(&r->ctx, plan->root, &r->root);
}

static const char *stmt_table_name(const tn_sql_name *n, const char **ns, const char *def)
{
    *ns = n->count >= 2 ? n->parts[n->count - 2].name : def;
    return n->parts[n->count - 1].name;
}

/* Runs a query to completion, handing each dense batch to fn. */
typedef int (*batch_fn)(void *ctx, tn_batch *batch, tn_error *err);

static int run_query(tn_sql_engine *e, tn_arena *arena, const tn_sql_query *q, tn_schema **schema,
                     batch_fn fn, void *fctx, tn_error *err)
{
    tn_plan plan = {0};
    tn_sql_result *r = result_new(e, "SELECT");
    if (!r)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = open_query_result(e, arena, &plan, q, false, r, err);
    if (rc == 0 && schema)
        *schema = tn_schema_ref(r->schema);
    while (rc == 0) {
        tn_batch *b;
        if ((rc = tn_sql_result_next(r, &b, err)) != 0 || !b)
            break;
        rc = fn(fctx, b, err);
    }
    result_free(r);
    return rc;
}

typedef struct insert_ctx {
    tn_sql_table *table;        /* memory target */
    tn_lake_table *lake_table;  /* lake target to stream into (NULL: collect instead) */
    tn_lake_writer *writer;     /* its data files, opened at the first rows, committed once */
    tn_batch **lake_batches;    /* lake target without a writer: collected, committed once */
    size_t lake_count, lake_cap;
    const tn_schema *target;
    int32_t *map;               /* target column -> query column, -1 = NULL */
    int64_t rows;
} insert_ctx;

/* Converts a query batch into the target's schema (order, casts). */
static int convert_batch(insert_ctx *ic, tn_batch *b, tn_batch **out, tn_error *err)
{
    tn_schema *ts = tn_schema_copy(ic->target);
    tn_batch *nb = ts ? tn_batch_new(ts, b->row_count ? b->row_count : 1) : NULL;
    tn_schema_unref(ts);
    if (!nb)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t c = 0; c < ic->target->column_count; c++) {
        tn_vector *dst = &nb->columns[c];
        if (ic->map[c] < 0) {
            for (uint32_t i = 0; i < b->row_count; i++)
                tn_vector_append_null(dst, i);
            continue;
        }
        const tn_vector *src = &b->columns[ic->map[c]];
        tn_vector tmp = {0};
        if (!tn_type_eq(src->type, dst->type)) {
            int rc = tn_vector_cast(src, b->row_count, dst->type, false, &tmp, err);
            if (rc) {
                tn_batch_free(nb);
                return rc;
            }
            src = &tmp;
        }
        int rc = tn_exec_gather(dst, 0, src, tn_exec_identity, b->row_count);
        tn_vector_destroy(&tmp);
        if (rc) {
            tn_batch_free(nb);
            return tn_error_set(err, rc, "%s", tn_strerror(rc));
        }
        if (!ic->target->columns[c].nullable && dst->null_count) {
            tn_batch_free(nb);
            return tn_error_set(err, TN_EINVAL, "NULL value in column \"%s\" violates NOT NULL",
                                ic->target->columns[c].name);
        }
    }
    nb->row_count = b->row_count;
    *out = nb;
    return 0;
}

static int insert_batch(void *vctx, tn_batch *b, tn_error *err)
{
    insert_ctx *ic = vctx;
    tn_batch *nb = NULL;
    int rc = convert_batch(ic, b, &nb, err);
    if (rc)
        return rc;
    ic->rows += nb->row_count;
    if (ic->table)
        return tn_sql_table_append(ic->table, nb, err);
    if (ic->lake_table) {
        /* Opened once the query's plan is built: binding refreshes the table, which must not
         * happen under an open writer. */
        tn_error lerr = {0};
        if (!ic->writer && (rc = tn_lake_writer_open(ic->lake_table, NULL, &ic->writer, &lerr)) != 0)
            tn_error_set(err, rc, "%s", lerr.message);
        if (rc == 0)
            rc = tn_lake_writer_write(ic->writer, nb, err);
        tn_batch_free(nb);
        return rc;
    }
    if (ic->lake_count == ic->lake_cap) {
        size_t cap = ic->lake_cap ? ic->lake_cap * 2 : 8;
        tn_batch **n = tn_realloc(ic->lake_batches, cap * sizeof *n);
        if (!n) {
            tn_batch_free(nb);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        ic->lake_batches = n;
        ic->lake_cap = cap;
    }
    ic->lake_batches[ic->lake_count++] = nb;
    return 0;
}

static int build_map(const tn_schema *target, const tn_sql_ident_list *cols, uint32_t query_cols,
                     int32_t *map, tn_error *err, tn_sql_pos pos)
{
    if (cols->count == 0) {
        if (query_cols != target->column_count)
            return tn_error_set_at(err, TN_EINVAL, NULL, pos.line, pos.column,
                                   "INSERT has %u values for %u columns", query_cols,
                                   target->column_count);
        for (uint32_t i = 0; i < target->column_count; i++)
            map[i] = (int32_t)i;
        return 0;
    }
    if (cols->count != query_cols)
        return tn_error_set_at(err, TN_EINVAL, NULL, pos.line, pos.column,
                               "INSERT names %u columns but gives %u values", cols->count, query_cols);
    for (uint32_t i = 0; i < target->column_count; i++)
        map[i] = -1;
    for (uint32_t k = 0; k < cols->count; k++) {
        int idx = tn_schema_find(target, cols->items[k].name);
        if (idx < 0)
            return tn_error_set_at(err, TN_EINVAL, NULL, cols->items[k].pos.line,
                                   cols->items[k].pos.column, "column \"%s\" does not exist",
                                   cols->items[k].name);
        map[idx] = (int32_t)k;
    }
    return 0;
}

/* Runs the query of an INSERT (or CREATE TABLE AS) and converts its rows to `target`: appended
 * to the memory table mt, written to data files by ic->writer, or collected in
 * ic->lake_batches. Nothing is committed to a lake table here, so a query that fails leaves
 * the table as it was. */
static int collect_insert(tn_sql_engine *e, tn_arena *arena, tn_sql_table *mt,
                          const tn_schema *target, const tn_sql_ident_list *cols,
                          const tn_sql_query *q, tn_sql_pos pos, insert_ctx *ic, tn_error *err)
{
    /* bind first to know the column count, then map */
    tn_plan plan = {0};
    tn_plan_op *root;
    int rc = tn_bind_query(e, arena, &plan, q, &root, err);
    if (rc)
        return rc;
    ic->table = mt;
    ic->target = target;
    ic->map = tn_arena_alloc(arena, (target->column_count + 1) * sizeof *ic->map);
    if (!ic->map)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    if ((rc = build_map(target, cols, root->column_count, ic->map, err, pos)) != 0)
        return rc;
    return run_query(e, arena, q, NULL, insert_batch, ic, err);
}

static void insert_ctx_free(insert_ctx *ic)
{
    for (size_t i = 0; i < ic->lake_count; i++)
        tn_batch_free(ic->lake_batches[i]);
    tn_free(ic->lake_batches);
    ic->lake_batches = NULL;
    ic->lake_count = ic->lake_cap = 0;
}

/* Commits the written (or collected) rows to a lake table as one append snapshot (or, with
 * overwrite, one snapshot holding only them), also when there are none: every writing
 * statement is one snapshot in the table's history. */
static int commit_lake_insert(tn_lake_table *lt, insert_ctx *ic, bool overwrite, tn_sql_pos pos,
                              tn_error *err)
{
    int64_t snap;
    tn_error lerr = {0};
    int rc;
    if (ic->writer || overwrite) {
        const tn_iceberg_data_file *files = NULL;
        size_t count = 0;
        rc = ic->writer ? tn_lake_writer_finish(ic->writer, &files, &count, &lerr) : 0;
        if (rc == 0)
            rc = overwrite ? tn_lake_table_overwrite(lt, files, count, NULL, &snap, &lerr)
                           : tn_lake_table_append(lt, files, count, NULL, &snap, &lerr);
    } else {
        rc = tn_lake_table_append_batches(lt, ic->lake_batches, ic->lake_count, NULL, &snap, &lerr);
    }
    if (rc)
        tn_error_set_at(err, rc, NULL, pos.line, pos.column, "%s", lerr.message);
    return rc;
}

/* INSERT into a memory table (mt) or a lake table (lt): the rows stream into new data files
 * that one commit (append, or with overwrite a snapshot of only them) makes visible, or that
 * are removed when anything fails. */
static int exec_insert_into(tn_sql_engine *e, tn_arena *arena, tn_sql_table *mt,
                            tn_lake_table *lt, const tn_schema *target,
                            const tn_sql_ident_list *cols, const tn_sql_query *q, bool overwrite,
                            int64_t *rows, tn_sql_pos pos, tn_error *err)
{
    insert_ctx ic = {0};
    ic.lake_table = lt;
    int rc = collect_insert(e, arena, mt, target, cols, q, pos, &ic, err);
    if (rc == 0 && lt)
        rc = commit_lake_insert(lt, &ic, overwrite, pos, err);
    tn_lake_writer_free(ic.writer, rc != 0);
    insert_ctx_free(&ic);
    *rows = ic.rows;
    return rc;
}

static int add_memory_table(tn_sql_engine *e, const char *name, tn_schema *schema,
                            tn_sql_table **out, tn_error *err)
{
    tn_sql_table *t = tn_calloc(1, sizeof *t);
    if (!t || !(t->name = tn_strdup(name))) {
        tn_free(t);
        tn_schema_unref(schema);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    t->schema = schema;
    if (e->table_count == e->table_cap) {
        size_t cap = e->table_cap ? e->table_cap * 2 : 8;
        tn_sql_table **nt = tn_realloc(e->tables, cap * sizeof *nt);
        if (!nt) {
            tn_sql_table_free(t);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        e->tables = nt;
        e->table_cap = cap;
    }
    e->tables[e->table_count++] = t;
    *out = t;
    return 0;
}

static void remove_memory_table(tn_sql_engine *e, tn_sql_table *t)
{
    for (size_t i = 0; i < e->table_count; i++)
        if (e->tables[i] == t) {
            memmove(e->tables + i, e->tables + i + 1, (e->table_count - i - 1) * sizeof *e->tables);
            e->table_count--;
            break;
        }
    tn_sql_table_free(t);
}

static int exec_create_table(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s,
                             int64_t *rows, tn_error *err)
{
    const char *ns;
    const char *name = stmt_table_name(&s->create_table.name, &ns, e->default_namespace);
    bool use_lake = e->lake && !s->create_table.temporary;
    bool exists = tn_sql_engine_find_table(e, name) != NULL;
    if (use_lake) {
        tn_lake_table *t;
        tn_error lerr = {0};
        exists = tn_sql_lake_open_table(e, ns, name, &t, &lerr) == 0;
    }
    if (exists) {
        if (s->create_table.if_not_exists)
            return 0;
        if (!s->create_table.or_replace)
            return tn_error_set_at(err, TN_EEXIST, NULL, s->node.pos.line, s->node.pos.column,
                                   "table \"%s\" already exists", name);
    }
    if (use_lake && tn_sql_engine_find_view(e, ns, name))
        return tn_error_set_at(err, TN_EEXIST, NULL, s->node.pos.line, s->node.pos.column,
                               "a view named \"%s\" already exists", name);
    tn_schema *schema = tn_schema_new();
    if (!schema)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = 0;
    if (s->create_table.as_query) {
        tn_plan plan = {0};
        tn_plan_op *root;
        if ((rc = tn_bind_query(e, arena, &plan, s->create_table.as_query, &root, err)) != 0) {
            tn_schema_unref(schema);
            return rc;
        }
        for (uint32_t i = 0; i < root->column_count && rc == 0; i++) {
            tn_type t = root->columns[i].type;
            if (t.id == TN_TYPE_INVALID)
                t = tn_type_make(TN_TYPE_INTEGER);
            rc = tn_schema_add(schema, root->columns[i].name, t, true);
        }
    } else {
        for (uint32_t i = 0; i < s->create_table.column_count && rc == 0; i++) {
            const tn_sql_column_def *cd = &s->create_table.columns[i];
            tn_type t;
            if ((rc = tn_bind_type_name(&cd->type, &t, err)) != 0)
                break;
            if (tn_schema_find(schema, cd->name.name) >= 0) {
                rc = tn_error_set_at(err, TN_EINVAL, NULL, cd->name.pos.line, cd->name.pos.column,
                                     "column \"%s\" specified more than once", cd->name.name);
                break;
            }
            rc = tn_schema_add(schema, cd->name.name, t, !(cd->not_null || cd->primary_key));
        }
    }
    if (rc) {
        tn_schema_unref(schema);
        return rc == TN_ENOMEM && !err->code ? tn_error_set(err, rc, "out of memory") : rc;
    }
    if (!use_lake) {
        /* The new table goes after the old one, which name lookups find first: the query may
         * read the table it replaces, and the old one goes only once the new one is filled. */
        tn_sql_table *old = tn_sql_engine_find_table(e, name);
        tn_sql_table *t = NULL;
        if ((rc = add_memory_table(e, name, schema, &t, err)) != 0)
            return rc;
        if (s->create_table.as_query) {
            tn_sql_ident_list none = {0};
            rc = exec_insert_into(e, arena, t, NULL, t->schema, &none, s->create_table.as_query,
                                  false, rows, s->node.pos, err);
        }
        remove_memory_table(e, rc ? t : old);
        return rc;
    }
    /* lake: PARTITIONED BY (col) or (day(ts)) */
    uint32_t np = s->create_table.partition_by.count;
    tn_lake_partition_def *parts = tn_arena_calloc(arena, (np + 1) * sizeof *parts);
    if (!parts) {
        tn_schema_unref(schema);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < np; i++) {
        const tn_sql_expr *pe = s->create_table.partition_by.items[i];
        if (pe->kind == TN_SQL_EXPR_COLUMN) {
            parts[i].column = pe->column.parts[pe->column.count - 1].name;
            parts[i].transform = "identity";
        } else if (pe->kind == TN_SQL_EXPR_FUNCTION && pe->call.args.count >= 1) {
            const tn_sql_expr *colx = pe->call.args.items[pe->call.args.count - 1];
            const char *fname = pe->call.name.parts[pe->call.name.count - 1].name;
            if (colx->kind != TN_SQL_EXPR_COLUMN) {
                tn_schema_unref(schema);
                return tn_error_set_at(err, TN_EINVAL, NULL, pe->node.pos.line, pe->node.pos.column,
                                       "a partition transform takes a column");
            }
            parts[i].column = colx->column.parts[colx->column.count - 1].name;
            if (pe->call.args.count == 2 && pe->call.args.items[0]->kind == TN_SQL_EXPR_LITERAL) {
                char *t = tn_arena_alloc(arena, 64);
                if (!t) {
                    tn_schema_unref(schema);
                    return tn_error_set(err, TN_ENOMEM, "out of memory");
                }
                snprintf(t, 64, "%s[%lld]", fname, (long long)pe->call.args.items[0]->literal.integer);
                parts[i].transform = t;
            } else {
                parts[i].transform = fname;
            }
        } else {
            tn_schema_unref(schema);
            return tn_error_set_at(err, TN_EINVAL, NULL, pe->node.pos.line, pe->node.pos.column,
                                   "PARTITIONED BY takes columns or transforms such as day(ts)");
        }
    }
    /* A query that fails leaves no table behind, or the replaced table as it was. Replacing
     * a table is one commit: the new schema and partitioning are staged on the old table, the
     * rows stream into new data files, and one overwrite snapshot carries all of it, so
     * readers see the old table or the new one and never neither. */
    tn_sql_pos at = s->create_table.name.parts[s->create_table.name.count - 1].pos;
    tn_error lerr = {0};
    tn_lake_table *lt = NULL;
    if (exists) {
        /* a handle of its own: the query may read the table it replaces, through the session's
         * handle, which must keep the committed schema */
        if ((rc = tn_lake_table_load(e->lake, ns, name, &lt, &lerr)) == 0)
            rc = tn_lake_table_stage_replace(lt, schema, parts, np, &lerr);
        tn_schema_unref(schema);
        if (rc) {
            tn_lake_table_close(lt);
            return tn_error_set_at(err, rc, NULL, at.line, at.column, "%s", lerr.message);
        }
        tn_sql_ident_list none = {0};
        if (s->create_table.as_query) {
            rc = exec_insert_into(e, arena, NULL, lt, tn_lake_table_schema(lt), &none,
                                  s->create_table.as_query, true, rows, s->node.pos, err);
        } else {
            insert_ctx ic = {0};
            rc = commit_lake_insert(lt, &ic, true, s->node.pos, err);
        }
        tn_lake_table_close(lt);
        lake_cache_forget(e, ns, name); /* after a commit the session's handle is stale */
        return rc;
    }
    if ((rc = tn_lake_table_create(e->lake, ns, name, schema, parts, np, NULL, NULL, &lerr)) != 0)
        tn_error_set_at(err, rc, NULL, at.line, at.column, "%s", lerr.message);
    tn_schema_unref(schema);
    if (rc == 0 && s->create_table.as_query) {
        tn_sql_ident_list none = {0};
        if ((rc = tn_sql_lake_open_table(e, ns, name, &lt, &lerr)) != 0)
            tn_error_set_at(err, rc, NULL, at.line, at.column, "%s", lerr.message);
        else
            rc = exec_insert_into(e, arena, NULL, lt, tn_lake_table_schema(lt), &none,
                                  s->create_table.as_query, false, rows, s->node.pos, err);
        if (rc) {
            /* the table was made for these rows: without them it goes too */
            lake_cache_forget(e, ns, name);
            tn_lake_table_drop(e->lake, ns, name, true, &lerr);
        }
    }
    return rc;
}

static int exec_insert(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, int64_t *rows,
                       tn_error *err)
{
    const char *ns;
    const char *name = stmt_table_name(&s->insert.table, &ns, e->default_namespace);
    tn_sql_table *t = s->insert.table.count == 1 ? tn_sql_engine_find_table(e, name) : NULL;
    if (t)
        return exec_insert_into(e, arena, t, NULL, t->schema, &s->insert.columns, s->insert.query,
                                false, rows, s->node.pos, err);
    if (e->lake) {
        tn_lake_table *lt;
        tn_error lerr = {0};
        if (tn_sql_lake_open_table(e, ns, name, &lt, &lerr) == 0)
            return exec_insert_into(e, arena, NULL, lt, tn_lake_table_schema(lt),
                                    &s->insert.columns, s->insert.query, false, rows, s->node.pos,
                                    err);
    }
    return tn_error_set_at(err, TN_EINVAL, NULL, s->insert.table.parts[0].pos.line,
                           s->insert.table.parts[0].pos.column, "table \"%s\" does not exist", name);
}

static int exec_drop(tn_sql_engine *e, const tn_sql_stmt *s, tn_error *err)
{
    const char *ns;
    const char *name = stmt_table_name(&s->drop.name, &ns, e->default_namespace);
    tn_sql_pos at = s->drop.name.parts[s->drop.name.count - 1].pos;
    if (s->drop.object == TN_SQL_OBJECT_INDEX)
        return 0;
    if (s->drop.object == TN_SQL_OBJECT_VIEW) {
        for (size_t i = 0; i < e->view_count; i++)
            if (e->views[i] == tn_sql_engine_find_view(e, ns, name)) {
                if (e->catalog) {
                    /* a TEMP view is in the session only: no catalog entry is fine */
                    tn_error cerr = {0};
                    int rc = tn_catalog_view_drop(e->catalog, ns, e->views[i]->name, &cerr);
                    if (rc && rc != TN_ENOENT)
                        return tn_error_set_at(err, rc, NULL, at.line, at.column, "%s",
                                               cerr.message);
                }
                view_free(e->views[i]);
                e->views[i] = e->views[--e->view_count];
                return 0;
            }
    } else {
        tn_sql_table *t = s->drop.name.count == 1 ? tn_sql_engine_find_table(e, name) : NULL;
        if (t) {
            remove_memory_table(e, t);
            return 0;
        }
        if (e->lake) {
            lake_cache_forget(e, ns, name);
            tn_error lerr = {0};
            int rc = tn_lake_table_drop(e->lake, ns, name, false, &lerr);
            if (rc == 0)
                return 0;
            if (rc != TN_ENOENT)
                return tn_error_set_at(err, rc, NULL, at.line, at.column, "%s", lerr.message);
        }
    }
    if (s->drop.if_exists)
        return 0;
    return tn_error_set_at(err, TN_EINVAL, NULL, at.line, at.column, "%s \"%s\" does not exist",
                           s->drop.object == TN_SQL_OBJECT_VIEW ? "view" : "table", name);
}

/* Adds a view to the session, replacing one of the same name. Copies everything. */
static int add_view(tn_sql_engine *e, const char *ns, const char *name, const char *sql,
                    size_t sql_len, const char *const *column_names, uint32_t column_count,
                    tn_error *err)
{
    tn_sql_view *v = tn_calloc(1, sizeof *v);
    if (!v)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    v->ns = tn_strdup(ns);
    v->name = tn_strdup(name);
    v->sql = tn_strndup(sql, sql_len);
    v->column_names = tn_calloc(column_count + 1, sizeof(char *));
    bool ok = v->ns && v->name && v->sql && v->column_names;
    for (uint32_t i = 0; ok && i < column_count; i++) {
        ok = (v->column_names[i] = tn_strdup(column_names[i])) != NULL;
        v->column_count += ok;
    }
    if (!ok) {
        view_free(v);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_sql_view *old = tn_sql_engine_find_view(e, ns, name);
    if (old) {
        for (size_t i = 0; i < e->view_count; i++)
            if (e->views[i] == old)
                e->views[i] = v;
        view_free(old);
        return 0;
    }
    if (e->view_count == e->view_cap) {
        size_t cap = e->view_cap ? e->view_cap * 2 : 8;
        tn_sql_view **nv = tn_realloc(e->views, cap * sizeof *nv);
        if (!nv) {
            view_free(v);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        e->views = nv;
        e->view_cap = cap;
    }
    e->views[e->view_count++] = v;
    return 0;
}

/* CREATE VIEW: checked by binding it now; with a project (and not TEMP) stored in the catalog
 * so that later sessions see it. */
static int exec_create_view(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, tn_error *err)
{
    const char *ns;
    const char *name = stmt_table_name(&s->create_view.name, &ns, e->default_namespace);
    tn_sql_pos at = s->create_view.name.parts[s->create_view.name.count - 1].pos;
    bool persistent = e->catalog && !s->create_view.temporary;
    tn_sql_view *old = tn_sql_engine_find_view(e, ns, name);
    if (old && s->create_view.if_not_exists)
        return 0;
    if (old && !s->create_view.or_replace)
        return tn_error_set_at(err, TN_EEXIST, NULL, at.line, at.column,
                               "view \"%s\" already exists", name);
    if (strcmp(ns, e->default_namespace) == 0 && tn_sql_engine_find_table(e, name))
        return tn_error_set_at(err, TN_EEXIST, NULL, at.line, at.column,
                               "a table named \"%s\" already exists", name);
    if (e->lake) {
        tn_lake_table *t;
        tn_error lerr = {0};
        if (tn_sql_lake_open_table(e, ns, name, &t, &lerr) == 0)
            return tn_error_set_at(err, TN_EEXIST, NULL, at.line, at.column,
                                   "a table named \"%s\" already exists", name);
    }
    tn_plan plan = {0};
    tn_plan_op *root;
    int rc = tn_bind_query(e, arena, &plan, s->create_view.query, &root, err);
    if (rc)
        return rc;
    uint32_t nc = s->create_view.columns.count;
    if (nc > root->column_count)
        return tn_error_set_at(err, TN_EINVAL, NULL, at.line, at.column,
                               "view \"%s\" names %u columns but its query has %u", name, nc,
                               root->column_count);
    const char **names = tn_arena_calloc(arena, (nc + 1) * sizeof *names);
    tn_buf joined = TN_BUF_INIT;
    if (!names)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < nc && rc == 0; i++) {
        names[i] = s->create_view.columns.items[i].name;
        if (strchr(names[i], '\n'))
            rc = tn_error_set_at(err, TN_EINVAL, NULL, s->create_view.columns.items[i].pos.line,
                                 s->create_view.columns.items[i].pos.column,
                                 "a view column name cannot hold a line break");
        else if ((i && tn_buf_putc(&joined, '\n') != 0) || tn_buf_append_cstr(&joined, names[i]) != 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    char *query = tn_arena_alloc(arena, s->create_view.query_text.len + 1);
    if (rc == 0 && !query)
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    if (rc == 0) {
        memcpy(query, s->create_view.query_text.ptr, s->create_view.query_text.len);
        query[s->create_view.query_text.len] = 0;
    }
    if (rc == 0 && persistent) {
        tn_catalog_view cv = {ns, name, query, joined.len ? tn_buf_cstr(&joined) : ""};
        tn_error cerr = {0};
        if ((rc = tn_catalog_view_put(e->catalog, &cv, &cerr)) != 0)
            tn_error_set_at(err, rc, NULL, at.line, at.column, "%s", cerr.message);
    }
    tn_buf_free(&joined);
    if (rc == 0)
        rc = add_view(e, ns, name, query, s->create_view.query_text.len, names, nc, err);
    return rc;
}

static int text_result(tn_sql_result *r, const char *column, tn_error *err)
{
    r->schema = tn_schema_new();
    if (!r->schema || tn_schema_add(r->schema, column, tn_type_make(TN_TYPE_VARCHAR), true) != 0)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->out = tn_batch_new(r->schema, TN_BATCH_ROWS);
    if (!r->out)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->text_mode = true;
    r->has_rows = true;
    return 0;
}

/* A result of VARCHAR columns whose rows are all built up front (SHOW TABLES, DESCRIBE). */
static int rows_result(tn_sql_result *r, const char *const *columns, uint32_t count,
                       tn_error *err)
{
    r->schema = tn_schema_new();
    for (uint32_t i = 0; r->schema && i < count; i++)
        if (tn_schema_add(r->schema, columns[i], tn_type_make(TN_TYPE_VARCHAR), true) != 0)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->out = r->schema ? tn_batch_new(r->schema, TN_BATCH_ROWS) : NULL;
    if (!r->out)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    r->rows_mode = true;
    r->has_rows = true;
    return 0;
}

/* Appends one row of texts (NULL = SQL NULL) to a rows result. */
static int rows_add(tn_sql_result *r, const char *const *cells, tn_error *err)
{
    tn_batch *b = r->out;
    if (b->row_count == b->capacity)
        return tn_error_set(err, TN_ELIMIT, "more than %u rows to list", b->capacity);
    for (uint32_t c = 0; c < b->schema->column_count; c++) {
        if (!cells[c])
            tn_vector_append_null(&b->columns[c], b->row_count);
        else if (tn_vector_append_str(&b->columns[c], b->row_count, cells[c], strlen(cells[c])))
            return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    b->row_count++;
    return 0;
}

typedef struct list_ctx {
    tn_sql_engine *engine;
    tn_sql_result *result;
    tn_error *err;
} list_ctx;

static int list_lake_table(void *vctx, const tn_catalog_table *t)
{
    list_ctx *lc = vctx;
    char qualified[512];
    const char *name = t->name;
    if (strcmp(t->namespace_name, lc->engine->default_namespace) != 0) {
        snprintf(qualified, sizeof qualified, "%s.%s", t->namespace_name, t->name);
        name = qualified;
    }
    const char *row[] = {name, "table"};
    return rows_add(lc->result, row, lc->err);
}

/* SHOW TABLES: the session's tables and views, then the project's lake tables (names outside
 * the default namespace qualified). */
static int exec_show_tables(tn_sql_engine *e, tn_sql_result *r, tn_error *err)
{
    static const char *const columns[] = {"name", "kind"};
    int rc = rows_result(r, columns, 2, err);
    for (size_t i = 0; rc == 0 && i < e->table_count; i++) {
        const char *row[] = {e->tables[i]->name, e->lake ? "temporary table" : "table"};
        rc = rows_add(r, row, err);
    }
    for (size_t i = 0; rc == 0 && i < e->view_count; i++) {
        char qualified[512];
        const char *name = e->views[i]->name;
        if (strcmp(e->views[i]->ns, e->default_namespace) != 0) {
            snprintf(qualified, sizeof qualified, "%s.%s", e->views[i]->ns, name);
            name = qualified;
        }
        const char *row[] = {name, "view"};
        rc = rows_add(r, row, err);
    }
    if (rc == 0 && e->lake) {
        list_ctx lc = {e, r, err};
        tn_error lerr = {0};
        rc = tn_lake_table_list(e->lake, NULL, list_lake_table, &lc, &lerr);
        if (rc && !err->code)
            *err = lerr;
    }
    return rc;
}

/* The result schema of a query, bound but not run (*out referenced). */
static int query_schema(tn_sql_engine *e, tn_arena *arena, tn_sql_query *query, tn_schema **out,
                        tn_error *err)
{
    tn_plan plan = {0};
    tn_plan_op *root;
    int rc = tn_bind_query(e, arena, &plan, query, &root, err);
    if (rc)
        return rc;
    if (!(*out = tn_exec_schema(root)))
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    return 0;
}

/* The schema of DESCRIBE 'file': that of SELECT * FROM 'file', whose errors point at the name. */
static int file_schema(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, tn_schema **out,
                       tn_error *err)
{
    tn_buf text = TN_BUF_INIT;
    int rc = tn_buf_append_cstr(&text, "SELECT * FROM '");
    for (const char *c = s->describe.path; rc == 0 && *c; c++)
        rc = *c == '\'' ? tn_buf_append_cstr(&text, "''") : tn_buf_putc(&text, *c);
    if (rc == 0)
        rc = tn_buf_putc(&text, '\'');
    if (rc) {
        tn_buf_free(&text);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_sql_stmt_list list;
    rc = tn_sql_parse(arena, text.data, text.len, &list, err);
    if (rc == 0)
        rc = query_schema(e, arena, list.items[0]->query, out, err);
    tn_buf_free(&text);
    if (rc && err->line) {
        err->line = s->describe.path_pos.line;
        err->column = s->describe.path_pos.column;
    }
    return rc;
}

/* DESCRIBE: the columns of a table, view, lake table, query or file with their types. */
static int exec_describe(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s,
                         tn_sql_result *r, tn_error *err)
{
    static const char *const columns[] = {"column_name", "column_type", "null"};
    int rc = rows_result(r, columns, 3, err);
    if (rc)
        return rc;
    const tn_schema *schema = NULL;
    tn_schema *view_schema = NULL;
    if (s->describe.query || s->describe.path) {
        rc = s->describe.query ? query_schema(e, arena, s->describe.query, &view_schema, err)
                               : file_schema(e, arena, s, &view_schema, err);
        for (uint32_t i = 0; rc == 0 && i < view_schema->column_count; i++) {
            char type[64];
            const tn_column *c = &view_schema->columns[i];
            const char *row[] = {c->name, tn_type_format(c->type, type, sizeof type),
                                 c->nullable ? "YES" : "NO"};
            rc = rows_add(r, row, err);
        }
        tn_schema_unref(view_schema);
        return rc;
    }
    const tn_sql_name *n = &s->describe.table;
    tn_sql_pos at = n->parts[n->count - 1].pos;
    const char *ns;
    const char *name = stmt_table_name(n, &ns, e->default_namespace);
    tn_sql_table *mt = n->count == 1 ? tn_sql_engine_find_table(e, name) : NULL;
    tn_sql_view *v = !mt ? tn_sql_engine_find_view(e, ns, name) : NULL;
    if (mt) {
        schema = mt->schema;
    } else if (v) {
        tn_sql_stmt_list list;
        if ((rc = tn_sql_parse(arena, v->sql, strlen(v->sql), &list, err)) != 0)
            return rc;
        if (list.count != 1 || list.items[0]->kind != TN_SQL_STMT_QUERY)
            return tn_error_set_at(err, TN_ECORRUPT, NULL, at.line, at.column,
                                   "view \"%s\" cannot be read", name);
        if ((rc = query_schema(e, arena, list.items[0]->query, &view_schema, err)) != 0)
            return rc;
        schema = view_schema;
    } else if (e->lake) {
        tn_lake_table *lt;
        tn_error lerr = {0};
        if (tn_sql_lake_open_table(e, ns, name, &lt, &lerr) == 0)
            schema = tn_lake_table_schema(lt);
    }
    if (!schema)
        return tn_error_set_at(err, TN_EINVAL, NULL, at.line, at.column,
                               "table \"%s\" does not exist", name);
    for (uint32_t i = 0; rc == 0 && i < schema->column_count; i++) {
        char type[64];
        const char *row[] = {v && i < v->column_count ? v->column_names[i] : schema->columns[i].name,
                             tn_type_format(schema->columns[i].type, type, sizeof type),
                             schema->columns[i].nullable ? "YES" : "NO"};
        rc = rows_add(r, row, err);
    }
    tn_schema_unref(view_schema);
    return rc;
}

/* ---- COPY -------------------------------------------------------------------------------- */

/* An option's value as text: a string, number or boolean literal, or a bare word (FORMAT
 * parquet); "true" for a bare option (HEADER). NULL when it is none of those. */
static const char *copy_option_text(tn_arena *arena, const tn_sql_expr *v)
{
    if (!v)
        return "true";
    if (v->kind == TN_SQL_EXPR_COLUMN && v->column.count == 1)
        return v->column.parts[0].name;
    if (v->kind != TN_SQL_EXPR_LITERAL)
        return NULL;
    if (v->literal.kind == TN_SQL_LIT_BOOL)
        return v->literal.boolean ? "true" : "false";
    return tn_arena_strndup(arena, v->literal.text.ptr, v->literal.text.len);
}

static bool option_true(const char *v)
{
    return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 ||
           strcasecmp(v, "yes") == 0;
}

/* Appends s as a SQL string literal or a quoted identifier (quote ' or "). */
static int append_quoted(tn_buf *b, const char *s, char quote)
{
    int rc = tn_buf_putc(b, quote);
    for (; rc == 0 && *s; s++)
        rc = *s == quote ? tn_buf_putc(b, quote) || tn_buf_putc(b, quote) : tn_buf_putc(b, *s);
    return rc ? rc : tn_buf_putc(b, quote);
}

static int append_name(tn_buf *b, const tn_sql_name *n)
{
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < n->count; i++) {
        if (i)
            rc = tn_buf_putc(b, '.');
        if (rc == 0)
            rc = append_quoted(b, n->parts[i].name, '"');
    }
    return rc;
}

/* Parses SQL text made up for a statement (COPY FROM as INSERT ... SELECT, COPY name TO as
 * its query). */
static int parse_made_up(tn_arena *arena, const tn_buf *text, tn_sql_stmt **out, tn_error *err)
{
    tn_sql_stmt_list list;
    int rc = tn_sql_parse(arena, text->data, text->len, &list, err);
    if (rc == 0)
        *out = list.items[0];
    return rc;
}

typedef struct copy_out {
    const char *path;
    tn_write_options *opts;
    tn_writer *writer;
    int64_t rows;
} copy_out;

static int copy_batch(void *arg, tn_batch *b, tn_error *err)
{
    copy_out *c = arg;
    int rc;
    if (!c->writer && (rc = tn_writer_open(c->path, b->schema, c->opts, &c->writer, err)) != 0)
        return rc;
    c->rows += b->row_count;
    return tn_writer_write(c->writer, b, err);
}

/* The sink of a partitioned COPY: opened at the first batch, when the schema is known. */
typedef struct copy_parts {
    const tn_sql_stmt *stmt;
    const tn_write_options *opts;
    const tn_copy_layout *layout;
    tn_copy_partitions *writer;
} copy_parts;

static int copy_parts_batch(void *arg, tn_batch *b, tn_error *err)
{
    copy_parts *c = arg;
    int rc;
    if (!c->writer && (rc = tn_copy_partitions_open(c->stmt->copy.path, b->schema,
                                                    &c->stmt->copy.partition_by, c->layout,
                                                    c->opts, &c->writer, err)) != 0)
        return rc;
    return tn_copy_partitions_write(c->writer, b, err);
}

/* COPY (query) TO 'dir' (PARTITION_BY (cols)): one file per partition in hive folders. */
static int copy_to_partitions(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s,
                              const tn_sql_query *q, const tn_write_options *wo,
                              const tn_copy_layout *layout, int64_t *rows, tn_error *err)
{
    copy_parts c = {s, wo, layout, NULL};
    tn_schema *schema = NULL;
    int rc = run_query(e, arena, q, &schema, copy_parts_batch, &c, err);
    /* no rows: the checks still run, and the folder is made */
    if (rc == 0 && !c.writer)
        rc = tn_copy_partitions_open(s->copy.path, schema, &s->copy.partition_by, layout, wo,
                                     &c.writer, err);
    tn_schema_unref(schema);
    if (rc) {
        tn_copy_partitions_abort(c.writer);
        return rc;
    }
    return tn_copy_partitions_finish(c.writer, rows, err);
}

static int copy_to(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, int64_t *rows,
                   tn_error *err)
{
    tn_write_options wo = {0};
    tn_copy_layout layout = {
        .overwrite = TN_COPY_OVERWRITE_NONE,
        .max_open_files = e->options.partitioned_write_max_open_files,
        .flush_threshold_rows = e->options.partitioned_write_flush_threshold,
        .memory_limit = e->options.memory_limit,
    };
    const char *unknown = NULL;
    for (uint32_t i = 0; i < s->copy.option_count && !unknown; i++) {
        const char *k = s->copy.option_names[i];
        const char *v = copy_option_text(arena, s->copy.option_values[i]);
        if (!v)
            return tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                                   "the COPY option %s needs a constant value", k);
        if (strcasecmp(k, "format") == 0)
            wo.format = strcasecmp(v, "json") == 0 && !wo.json_array ? "ndjson" : v;
        else if (strcasecmp(k, "header") == 0)
            wo.no_header = !option_true(v);
        else if (strcasecmp(k, "delimiter") == 0 || strcasecmp(k, "delim") == 0 ||
                 strcasecmp(k, "sep") == 0)
            wo.delimiter = strcmp(v, "\\t") == 0 ? '\t' : v[0];
        else if (strcasecmp(k, "null") == 0 || strcasecmp(k, "nullstr") == 0)
            wo.null_string = v;
        else if (strcasecmp(k, "compression") == 0 || strcasecmp(k, "codec") == 0)
            wo.compression = strcasecmp(v, "uncompressed") == 0 ? "none" : v;
        else if (strcasecmp(k, "array") == 0)
            wo.json_array = option_true(v);
        else if (strcasecmp(k, "row_group_size") == 0)
            wo.row_group_rows = strtoll(v, NULL, 10);
        else if (strcasecmp(k, "overwrite") == 0)
            layout.overwrite = option_true(v) ? TN_COPY_OVERWRITE_ALL : layout.overwrite;
        else if (strcasecmp(k, "overwrite_or_ignore") == 0)
            layout.overwrite = option_true(v) ? TN_COPY_OVERWRITE_IGNORE : layout.overwrite;
        else if (strcasecmp(k, "filename_pattern") == 0)
            layout.filename_pattern = v;
        else if (strcasecmp(k, "write_partition_columns") == 0)
            layout.write_partition_columns = option_true(v);
        else
            unknown = k;
    }
    if (unknown)
        return tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                               "unknown COPY option %s: use FORMAT, HEADER, DELIMITER, NULL, "
                               "COMPRESSION, ARRAY, ROW_GROUP_SIZE, PARTITION_BY, OVERWRITE, "
                               "OVERWRITE_OR_IGNORE, FILENAME_PATTERN or WRITE_PARTITION_COLUMNS",
                               unknown);
    if (wo.json_array && wo.format && strcasecmp(wo.format, "ndjson") == 0)
        wo.format = "json";
    const tn_sql_query *q = s->copy.query;
    int rc;
    if (!q) {
        tn_buf text = TN_BUF_INIT;
        tn_sql_stmt *made = NULL;
        rc = tn_buf_append_cstr(&text, "SELECT * FROM ");
        if (rc == 0)
            rc = append_name(&text, &s->copy.table);
        rc = rc ? tn_error_set(err, TN_ENOMEM, "out of memory")
                : parse_made_up(arena, &text, &made, err);
        tn_buf_free(&text);
        if (rc)
            return rc;
        q = made->query;
    }
    if (s->copy.partition_by.count)
        return copy_to_partitions(e, arena, s, q, &wo, &layout, rows, err);
    copy_out c = {s->copy.path, &wo, NULL, 0};
    tn_schema *schema = NULL;
    rc = run_query(e, arena, q, &schema, copy_batch, &c, err);
    if (rc == 0 && !c.writer)
        rc = tn_writer_open(c.path, schema, &wo, &c.writer, err);
    tn_schema_unref(schema);
    if (rc) {
        tn_writer_abort(c.writer);
        return rc;
    }
    if ((rc = tn_writer_finish(c.writer, err)) != 0)
        return rc;
    *rows = c.rows;
    return 0;
}

/* COPY name FROM 'file': INSERT INTO name SELECT * FROM read_<format>('file', options). */
static int copy_from(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, int64_t *rows,
                     tn_error *err)
{
    const char *format = NULL;
    tn_buf opts = TN_BUF_INIT;
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < s->copy.option_count; i++) {
        const char *k = s->copy.option_names[i];
        const char *v = copy_option_text(arena, s->copy.option_values[i]);
        const char *as = NULL;
        if (!v) {
            rc = tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                                 "the COPY option %s needs a constant value", k);
            break;
        }
        if (strcasecmp(k, "format") == 0) {
            format = v;
            continue;
        }
        if (strcasecmp(k, "header") == 0)
            as = "header";
        else if (strcasecmp(k, "delimiter") == 0 || strcasecmp(k, "delim") == 0 ||
                 strcasecmp(k, "sep") == 0)
            as = "delim";
        else if (strcasecmp(k, "quote") == 0 || strcasecmp(k, "escape") == 0)
            as = strcasecmp(k, "quote") == 0 ? "quote" : "escape";
        else if (strcasecmp(k, "null") == 0 || strcasecmp(k, "nullstr") == 0)
            as = "nullstr";
        else {
            rc = tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                                 "unknown COPY FROM option %s: use FORMAT, HEADER, DELIMITER, "
                                 "QUOTE, ESCAPE or NULL", k);
            break;
        }
        if (tn_buf_printf(&opts, ", %s => ", as) != 0 || append_quoted(&opts, v, '\'') != 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (rc) {
        tn_buf_free(&opts);
        return rc;
    }
    /* the reader from FORMAT, else from the name as the FROM 'file' form chooses it */
    const char *fn = NULL;
    if (format && strcasecmp(format, "parquet") == 0)
        fn = "read_parquet";
    else if (format && (strcasecmp(format, "json") == 0 || strcasecmp(format, "ndjson") == 0))
        fn = "read_ndjson";
    else if (format && strcasecmp(format, "csv") == 0)
        fn = "read_csv";
    else if (format)
        rc = tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                             "COPY FROM reads FORMAT csv, json or parquet, not %s", format);
    else if (opts.len)
        fn = "read_csv"; /* reader options are CSV options */
    tn_buf text = TN_BUF_INIT;
    if (rc == 0) {
        rc = tn_buf_append_cstr(&text, "INSERT INTO ");
        if (rc == 0)
            rc = append_name(&text, &s->copy.table);
        for (uint32_t i = 0; rc == 0 && i < s->copy.columns.count; i++) {
            rc = tn_buf_append_cstr(&text, i ? ", " : " (");
            if (rc == 0)
                rc = append_quoted(&text, s->copy.columns.items[i].name, '"');
        }
        if (rc == 0 && s->copy.columns.count)
            rc = tn_buf_putc(&text, ')');
        if (rc == 0)
            rc = tn_buf_append_cstr(&text, " SELECT * FROM ");
        if (rc == 0 && fn)
            rc = tn_buf_printf(&text, "%s(", fn);
        if (rc == 0)
            rc = append_quoted(&text, s->copy.path, '\'');
        if (rc == 0 && fn)
            rc = tn_buf_printf(&text, "%.*s)", (int)opts.len, opts.len ? opts.data : "");
        if (rc)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_buf_free(&opts);
    tn_sql_stmt *made = NULL;
    if (rc == 0)
        rc = parse_made_up(arena, &text, &made, err);
    tn_buf_free(&text);
    if (rc == 0)
        rc = exec_insert(e, arena, made, rows, err);
    return rc;
}

static int exec_copy(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, int64_t *rows,
                     tn_error *err)
{
    int rc = s->copy.from ? copy_from(e, arena, s, rows, err) : copy_to(e, arena, s, rows, err);
    /* the made-up statement's positions mean nothing to the user: point at the COPY */
    if (rc && err->line && err->file[0] == 0) {
        err->line = s->node.pos.line;
        err->column = s->node.pos.column;
    }
    return rc;
}

static int exec_explain(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s,
                        tn_sql_result *r, tn_error *err)
{
    const tn_sql_stmt *inner = s->explain.stmt;
    if (inner->kind != TN_SQL_STMT_QUERY)
        return tn_error_set_at(err, TN_EUNSUPPORTED, NULL, s->node.pos.line, s->node.pos.column,
                               "EXPLAIN supports queries only");
    tn_buf text = TN_BUF_INIT;
    int rc;
    if (s->explain.analyze) {
        tn_sql_result *qr = result_new(e, "SELECT");
        tn_plan plan = {0};
        if (!qr)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        rc = open_query_result(e, arena, &plan, inner->query, true, qr, err);
        int64_t t0 = tn_monotonic_ns(), rows = 0;
        while (rc == 0) {
            tn_batch *b;
            if ((rc = tn_sql_result_next(qr, &b, err)) != 0 || !b)
                break;
            rows += b->row_count;
        }
        if (rc == 0) {
            rc = tn_plan_format(plan.root, true, &text);
            if (rc == 0)
                rc = tn_buf_printf(&text, "total: %lld rows in %.3f ms\n", (long long)rows,
                                   (double)(tn_monotonic_ns() - t0) / 1e6);
        }
        result_free(qr);
    } else {
        tn_plan plan = {0};
        rc = plan_query(e, arena, &plan, inner->query, err);
        if (rc == 0)
            rc = tn_plan_format(plan.root, false, &text);
    }
    if (rc == 0)
        rc = text_result(r, "plan", err);
    if (rc == 0) {
        r->text = text;
        return 0;
    }
    tn_buf_free(&text);
    return rc;
}

static int exec_stmt(tn_sql_engine *e, tn_arena *arena, const tn_sql_stmt *s, tn_sql_result *r,
                     tn_error *err)
{
    int64_t rows = -1;
    int rc;
    switch (s->kind) {
    case TN_SQL_STMT_QUERY: {
        tn_plan *plan = tn_arena_calloc(arena, sizeof *plan);
        if (!plan)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        return open_query_result(e, arena, plan, s->query, false, r, err);
    }
    case TN_SQL_STMT_CREATE_TABLE:
        rows = 0;
        rc = exec_create_table(e, arena, s, &rows, err);
        break;
    case TN_SQL_STMT_CREATE_VIEW: rc = exec_create_view(e, arena, s, err); break;
    case TN_SQL_STMT_CREATE_INDEX: rc = 0; break; /* accepted so scripts run; no indexes yet */
    case TN_SQL_STMT_INSERT:
        rows = 0;
        rc = exec_insert(e, arena, s, &rows, err);
        break;
    case TN_SQL_STMT_DROP: rc = exec_drop(e, s, err); break;
    case TN_SQL_STMT_TRUNCATE: {
        const char *ns;
        const char *name = stmt_table_name(&s->truncate.table, &ns, e->default_namespace);
        tn_sql_table *t = tn_sql_engine_find_table(e, name);
        if (t) {
            for (size_t i = 0; i < t->batch_count; i++)
                tn_batch_free(t->batches[i]);
            t->batch_count = 0;
            t->row_count = 0;
            rc = 0;
        } else if (e->lake) {
            tn_lake_table *lt;
            rc = tn_sql_lake_open_table(e, ns, name, &lt, err);
            if (rc == 0) {
                int64_t snap;
                rc = tn_lake_table_overwrite(lt, NULL, 0, NULL, &snap, err);
            }
        } else {
            rc = tn_error_set_at(err, TN_EINVAL, NULL, s->node.pos.line, s->node.pos.column,
                                 "table \"%s\" does not exist", name);
        }
        break;
    }
    case TN_SQL_STMT_EXPLAIN: return exec_explain(e, arena, s, r, err);
    case TN_SQL_STMT_SHOW_TABLES: return exec_show_tables(e, r, err);
    case TN_SQL_STMT_DESCRIBE: return exec_describe(e, arena, s, r, err);
    case TN_SQL_STMT_COPY:
        rows = 0;
        rc = exec_copy(e, arena, s, &rows, err);
        break;
    case TN_SQL_STMT_SET: {
        const char *name = s->set.name.parts[s->set.name.count - 1].name;
        char value[256] = "";
        const tn_sql_expr *v = s->set.value;
        if (v && v->kind == TN_SQL_EXPR_LITERAL) {
            if (v->literal.kind == TN_SQL_LIT_BOOL)
                snprintf(value, sizeof value, "%s", v->literal.boolean ? "true" : "false");
            else
                snprintf(value, sizeof value, "%.*s", (int)v->literal.text.len, v->literal.text.ptr);
        } else if (v && v->kind == TN_SQL_EXPR_COLUMN) {
            snprintf(value, sizeof value, "%s", v->column.parts[0].name);
        }
        rc = tn_sql_engine_set(e, name, value, err);
        break;
    }
    default:
        return tn_error_set_at(err, TN_EUNSUPPORTED, NULL, s->node.pos.line, s->node.pos.column,
                               "%s is not supported yet", tn_sql_stmt_kind_name(s->kind));
    }
    r->rows_changed = rows;
    return rc;
}

void tn_sql_engine_interrupt(tn_sql_engine *e)
{
    __atomic_store_n(&e->interrupted, 1, __ATOMIC_RELAXED);
}

int tn_sql_execute(tn_sql_engine *e, const char *sql, size_t len, tn_sql_result_fn fn,
                   void *ctx, tn_error *err)
{
    __atomic_store_n(&e->interrupted, 0, __ATOMIC_RELAXED);
    tn_arena parse_arena;
    tn_arena_init(&parse_arena, 0);
    tn_sql_stmt_list list;
    int rc = tn_sql_parse(&parse_arena, sql, len, &list, err);
    for (uint32_t i = 0; rc == 0 && i < list.count; i++) {
        tn_arena arena;
        tn_arena_init(&arena, 0);
        tn_sql_result *r = result_new(e, tn_sql_stmt_kind_name(list.items[i]->kind));
        if (!r) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        } else {
            rc = exec_stmt(e, &arena, list.items[i], r, err);
            if (rc == 0 && fn && fn(ctx, i, r) != 0)
                rc = err->code ? err->code : TN_EINTERNAL;
            /* an error found below the SQL layer (a cast while writing, a NOT NULL column, the
             * lake) points at its statement, so the caret shows which one failed */
            if (rc && err->line == 0 && err->file[0] == 0 && rc != TN_ENOMEM &&
                rc != TN_ECANCELED) {
                err->line = list.items[i]->node.pos.line;
                err->column = list.items[i]->node.pos.column;
            }
        }
        result_free(r);
        tn_arena_free(&arena);
    }
    tn_arena_free(&parse_arena);
    return rc;
}
