/* SPDX-License-Identifier: Apache-2.0
 *
 * Crawling a folder of existing files into lake tables (tn_crawl): the walk finds every data
 * file (CSV, TSV, NDJSON/JSON, Parquet; gzip and zstd too), names its table after the folders
 * above its partition folders (joined with '_'), and turns Hive-style `key=value/` folders and
 * `yyyy/mm[/dd]/` date folders into constant columns (VARCHAR for keys, a DATE named `date`).
 * Each table is then loaded through the ingest machinery in one snapshot, so everything an
 * ingest guarantees holds here too: the ledger (a file crawled before is left alone, so a
 * second crawl adds only what is new), schema evolution, quarantine, one commit.
 *
 * Parquet files without partition folders whose columns fit the table are referenced where
 * they are (no copy). Iceberg data files must be Parquet, ORC or Avro, so CSV and NDJSON files
 * are converted into Parquet data files in the lake; so are Parquet files whose partition
 * folders add columns (a data file has to hold every column's values). A table made from
 * partition folders is partitioned by them (identity transforms).
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DEPTH 32
#define MAX_CONSTANTS 16

/* One data file found by the walk. */
typedef struct found_file {
    char *path;     /* as walked: root + relative */
    char *table;    /* sanitised table name */
    char *folder;   /* the table's folder relative to root ("." for root itself) */
    size_t constant_count;
    tn_ingest_constant constants[MAX_CONSTANTS]; /* strings in the crawl's arena */
} found_file;

typedef struct crawl_walk {
    tn_arena arena;
    const char *root;
    const char *root_name; /* table name for files directly under root */
    found_file *files;
    size_t count, cap;
} crawl_walk;

static const char *const data_extensions[] = {".csv", ".tsv", ".txt", ".ndjson", ".jsonl",
                                              ".json", ".parquet", ".pq", NULL};

static bool is_data_file(const char *name)
{
    char base[512];
    snprintf(base, sizeof base, "%s", name);
    size_t n = strlen(base);
    /* Compressed inputs are read through; the extension before .gz/.zst decides. */
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0) base[n - 3] = '\0';
    else if (n > 4 && strcasecmp(base + n - 4, ".zst") == 0) base[n - 4] = '\0';
    for (size_t i = 0; data_extensions[i]; i++)
        if (tn_str_has_suffix_nocase(base, data_extensions[i])) return true;
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* A table name from folder names: letters, digits and '_' (anything else becomes '_'). */
static char *sanitise(tn_arena *arena, const char *text)
{
    char *out = tn_arena_strdup(arena, text);
    if (!out) return NULL;
    for (char *p = out; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_') *p = '_';
    return out;
}

/* Classifies the folders between root and a file. */
static int add_file(crawl_walk *w, const char *path, char **segments, size_t depth)
{
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        found_file *grown = tn_realloc(w->files, cap * sizeof *grown);
        if (!grown) return TN_ENOMEM;
        w->files = grown;
        w->cap = cap;
    }
    found_file *f = &w->files[w->count];
    memset(f, 0, sizeof *f);
    f->path = tn_arena_strdup(&w->arena, path);
    if (!f->path) return TN_ENOMEM;
    tn_buf table = TN_BUF_INIT, folder = TN_BUF_INIT;
    size_t i = 0;
    int rc = 0;
    /* The table's folders come first; partition folders start at the first key=value or
     * year folder, and everything below them belongs to the same table. */
    for (; i < depth; i++) {
        const char *seg = segments[i];
        const char *eq = strchr(seg, '=');
        bool hive = eq && eq != seg;
        bool year = all_digits(seg, 4) && i + 1 < depth && all_digits(segments[i + 1], 2);
        if (hive || year) break;
        if (table.len) tn_buf_putc(&table, '_');
        tn_buf_append_cstr(&table, seg);
        if (folder.len) tn_buf_putc(&folder, '/');
        tn_buf_append_cstr(&folder, seg);
    }
    for (; i < depth && f->constant_count < MAX_CONSTANTS; i++) {
        const char *seg = segments[i];
        const char *eq = strchr(seg, '=');
        if (eq && eq != seg) {
            tn_ingest_constant *k = &f->constants[f->constant_count++];
            k->column = tn_arena_strndup(&w->arena, seg, (size_t)(eq - seg));
            k->value = tn_arena_strdup(&w->arena, eq + 1);
            k->type = tn_type_make(TN_TYPE_VARCHAR);
            if (!k->column || !k->value) rc = TN_ENOMEM;
            continue;
        }
        if (all_digits(seg, 4) && i + 1 < depth && all_digits(segments[i + 1], 2)) {
            bool has_day = i + 2 < depth && all_digits(segments[i + 2], 2);
            const char *day = has_day ? segments[i + 2] : "01";
            char date[16];
            snprintf(date, sizeof date, "%.4s-%.2s-%.2s", seg, segments[i + 1], day);
            tn_ingest_constant *k = &f->constants[f->constant_count++];
            k->column = "date";
            k->value = tn_arena_strdup(&w->arena, date);
            k->type = tn_type_make(TN_TYPE_DATE);
            if (!k->value) rc = TN_ENOMEM;
            i += has_day ? 2 : 1; /* the loop steps past the last one */
            continue;
        }
        /* Other folders below the partitions are just folders. */
    }
    if (rc == 0) {
        f->table = sanitise(&w->arena, table.len ? tn_buf_cstr(&table) : w->root_name);
        f->folder = tn_arena_strdup(&w->arena, folder.len ? tn_buf_cstr(&folder) : ".");
        if (!f->table || !f->folder) rc = TN_ENOMEM;
    }
    tn_buf_free(&table);
    tn_buf_free(&folder);
    if (rc == 0) w->count++;
    return rc;
}

static int walk(crawl_walk *w, const char *dir, char **segments, size_t depth, tn_error *err)
{
    if (depth >= MAX_DEPTH) return 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (depth == 0)
            return tn_error_set_at(err, errno == ENOENT ? TN_ENOENT : TN_EIO, dir, 0, 0,
                                   "cannot read folder '%s': %s", dir, strerror(errno));
        tn_log(TN_LOG_WARN, "crawl: skipping %s: %s", dir, strerror(errno));
        return 0;
    }
    /* Sorted, so tables and files come out in the same order on every machine. */
    struct dirent **entries = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        /* Hidden and '_' names are tools' own files (_SUCCESS, .crc, _delta_log). */
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 32;
            struct dirent **grown = tn_realloc(entries, cap * sizeof *grown);
            if (!grown) {
                rc = TN_ENOMEM;
                break;
            }
            entries = grown;
        }
        entries[count] = tn_malloc(sizeof **entries);
        if (!entries[count]) {
            rc = TN_ENOMEM;
            break;
        }
        memcpy(entries[count], e, sizeof **entries);
        count++;
    }
    closedir(d);
    for (size_t i = 1; rc == 0 && i < count; i++)
        for (size_t j = i; j > 0 && strcmp(entries[j - 1]->d_name, entries[j]->d_name) > 0; j--) {
            struct dirent *t = entries[j];
            entries[j] = entries[j - 1];
            entries[j - 1] = t;
        }
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t n = strlen(dir) + strlen(entries[i]->d_name) + 2;
        char *path = tn_malloc(n);
        if (!path) {
            rc = TN_ENOMEM;
            break;
        }
        snprintf(path, n, "%s/%s", dir, entries[i]->d_name);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                segments[depth] = entries[i]->d_name;
                rc = walk(w, path, segments, depth + 1, err);
            } else if (S_ISREG(st.st_mode) && is_data_file(entries[i]->d_name)) {
                rc = add_file(w, path, segments, depth);
                if (rc == TN_ENOMEM) tn_error_set(err, rc, "out of memory");
            }
        }
        tn_free(path);
    }
    for (size_t i = 0; i < count; i++) tn_free(entries[i]);
    tn_free(entries);
    if (rc == TN_ENOMEM && !err->code) tn_error_set(err, rc, "out of memory");
    return rc;
}

/* The partition spec of a table made from partition folders: identity on each. */
static int spec_text(const found_file *f, tn_buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < f->constant_count && rc == 0; i++) {
        if (i) rc = tn_buf_append_cstr(out, ", ");
        if (rc == 0) rc = tn_buf_printf(out, "\"%s\"", f->constants[i].column);
    }
    return rc;
}

static int crawl_table(tn_lake *lake, tn_catalog *catalog, const tn_crawl_options *opts,
                       found_file *files, size_t count, tn_crawl_table *out, tn_error *err)
{
    tn_ingest_source *sources = tn_calloc(count + 1, sizeof *sources);
    if (!sources) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        sources[i].path = files[i].path;
        sources[i].constants = files[i].constants;
        sources[i].constant_count = files[i].constant_count;
        sources[i].in_place = true;
    }
    tn_ingest_options io = {
        .read = opts->read,
        .compression = opts->compression,
        .progress = opts->progress,
        .progress_ctx = opts->progress_ctx,
        .operation = "crawl",
    };
    /* A new table is partitioned by its partition folders (those of its first file: the
     * folders of one table are expected to agree). An existing table keeps its spec. */
    tn_buf spec = TN_BUF_INIT;
    char *location = NULL;
    tn_error probe = {0};
    int rc = 0;
    if (tn_catalog_table_get(catalog, opts->ns, files[0].table, &location, &probe) == TN_ENOENT &&
        files[0].constant_count) {
        rc = spec_text(&files[0], &spec);
        if (rc == 0 && tn_buf_cstr(&spec)) io.partition_by = spec.data;
    }
    tn_free(location);
    tn_ingest_result r;
    if (rc == 0)
        rc = tn_ingest_sources(lake, catalog, sources, count, opts->ns, files[0].table, &io, true,
                               &r, err);
    else
        memset(&r, 0, sizeof r);
    tn_buf_free(&spec);
    tn_free(sources);
    out->created = r.table_created;
    out->files_added = r.inputs_loaded;
    out->files_known = r.inputs_skipped;
    out->rows_added = r.rows;
    out->rejected = r.rejected;
    if (r.schema_changes.len &&
        (tn_buf_append(&out->schema_changes, r.schema_changes.data, r.schema_changes.len) < 0 ||
         !tn_buf_cstr(&out->schema_changes)) &&
        rc == 0)
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_ingest_result_free(&r);
    return rc;
}

/* Crawls a folder into tables (see ingest.h). */
int tn_crawl(tn_lake *lake, tn_catalog *catalog, const char *root, const tn_crawl_options *opts,
             tn_crawl_result *result, tn_error *err)
{
    memset(result, 0, sizeof *result);
    crawl_walk w = {.root = root};
    tn_arena_init(&w.arena, 0);
    char *real = realpath(root, NULL); /* libc's malloc: copied, then freed */
    const char *base = real ? strrchr(real, '/') : NULL;
    w.root_name = tn_arena_strdup(&w.arena, base && base[1] ? base + 1 : "crawled");
    free(real);
    char *segments[MAX_DEPTH + 1];
    int rc = w.root_name ? walk(&w, root, segments, 0, err)
                         : tn_error_set(err, TN_ENOMEM, "out of memory");
    /* Tables in order; files of a table in walk order (the walk is sorted). */
    size_t *order = rc == 0 ? tn_calloc(w.count + 1, sizeof *order) : NULL;
    if (rc == 0 && !order) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < w.count; i++) order[i] = i;
    for (size_t i = 1; rc == 0 && i < w.count; i++)
        for (size_t j = i; j > 0 && strcmp(w.files[order[j - 1]].table, w.files[order[j]].table) > 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t table_count = 0;
    for (size_t i = 0; rc == 0 && i < w.count; i++)
        if (i == 0 || strcmp(w.files[order[i]].table, w.files[order[i - 1]].table) != 0) table_count++;
    if (rc == 0 && table_count) {
        result->tables = tn_calloc(table_count, sizeof *result->tables);
        if (!result->tables) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    found_file *group = rc == 0 ? tn_calloc(w.count + 1, sizeof *group) : NULL;
    if (rc == 0 && !group) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < w.count;) {
        size_t n = 0;
        const char *table = w.files[order[i]].table;
        while (i < w.count && strcmp(w.files[order[i]].table, table) == 0) group[n++] = w.files[order[i++]];
        tn_crawl_table *t = &result->tables[result->table_count++];
        size_t len = strlen(opts->ns) + strlen(table) + 2;
        t->name = tn_malloc(len);
        t->folder = tn_strdup(group[0].folder);
        if (!t->name || !t->folder) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            break;
        }
        snprintf(t->name, len, "%s.%s", opts->ns, table);
        tn_error table_err = {0};
        int trc = crawl_table(lake, catalog, opts, group, n, t, &table_err);
        if (trc == TN_ENOMEM) {
            *err = table_err;
            rc = trc;
        } else if (trc < 0) {
            char text[sizeof table_err.message + 600];
            tn_error_format(&table_err, text, sizeof text);
            t->error = tn_strdup(text);
        }
    }
    tn_free(group);
    tn_free(order);
    tn_free(w.files);
    tn_arena_free(&w.arena);
    return rc;
}

/* Frees a crawl result. */
void tn_crawl_result_free(tn_crawl_result *result)
{
    if (!result) return;
    for (size_t i = 0; i < result->table_count; i++) {
        tn_free(result->tables[i].name);
        tn_free(result->tables[i].folder);
        tn_free(result->tables[i].error);
        tn_buf_free(&result->tables[i].schema_changes);
    }
    tn_free(result->tables);
    memset(result, 0, sizeof *result);
}
