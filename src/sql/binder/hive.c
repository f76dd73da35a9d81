/* SPDX-License-Identifier: Apache-2.0
 *
 * Hive-partitioned files at bind time, as DuckDB reads them: globs with `**` (any number of
 * folders, none included), and the `key=value` folders of a file scan's paths as columns.
 * Keys come in name order after the file's own columns (a file column of the same name takes
 * the partition value instead); values are URL-decoded, "NULL" and __HIVE_DEFAULT_PARTITION__
 * are NULL, and a key's type is DATE, TIMESTAMP or BIGINT when every value parses as one
 * (hive_types_autocast), else VARCHAR. The scan fills the columns per file
 * (exec/scan.c) and the optimizer prunes paths on them (optimizer/hive_partitions.c).
 */
#include "sql/binder/binder_int.h"

#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int oom(tn_binder *b)
{
    return tn_error_set(b->err, TN_ENOMEM, "out of memory");
}

/* ---- recursive globs -------------------------------------------------------------------- */

typedef struct path_list {
    char **items;
    uint32_t count, cap;
} path_list;

static int path_list_add(path_list *l, const char *path)
{
    if (l->count == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        char **n = tn_realloc(l->items, cap * sizeof *n);
        if (!n)
            return TN_ENOMEM;
        l->items = n;
        l->cap = cap;
    }
    if (!(l->items[l->count] = tn_strdup(path)))
        return TN_ENOMEM;
    l->count++;
    return 0;
}

static void path_list_free(path_list *l)
{
    for (uint32_t i = 0; i < l->count; i++)
        tn_free(l->items[i]);
    tn_free(l->items);
}

static bool has_glob_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    return false;
}

/* Matches the folder `dir` (a path, no trailing '/') against the segments seg[0..n) of a
 * pattern; `**` stands for any number of folders. Files are added to out. */
static int walk(const char *dir, char **seg, uint32_t n, path_list *out)
{
    if (n == 0)
        return 0;
    if (strcmp(seg[0], "**") == 0) {
        /* none: the rest matches right here */
        int rc = walk(dir, seg + 1, n - 1, out);
        if (rc)
            return rc;
    }
    DIR *d = opendir(dir[0] ? dir : ".");
    if (!d)
        return 0;
    int rc = 0;
    struct dirent *e;
    char path[4096];
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* hidden entries, ".", ".." (as glob without GLOB_PERIOD) */
        int len = snprintf(path, sizeof path, "%s%s%s", dir, dir[0] ? "/" : "", e->d_name);
        if (len < 0 || (size_t)len >= sizeof path)
            continue;
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        bool is_dir = S_ISDIR(st.st_mode);
        if (strcmp(seg[0], "**") == 0) {
            if (is_dir)
                rc = walk(path, seg, n, out); /* one more folder */
            continue;
        }
        if (fnmatch(seg[0], e->d_name, FNM_PERIOD) != 0)
            continue;
        if (n == 1) {
            if (!is_dir)
                rc = path_list_add(out, path);
        } else if (is_dir) {
            rc = walk(path, seg + 1, n - 1, out);
        }
    }
    closedir(d);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A pattern with a `**` segment: the folders from its literal start walked, the paths
 * sorted (as glob sorts them) and without duplicates. */
static int recursive_glob(tn_binder *b, const char *pattern, path_list *out)
{
    char *copy = tn_arena_strdup(b->arena, pattern);
    uint32_t cap = 1;
    for (const char *p = pattern; *p; p++)
        cap += *p == '/';
    char **seg = tn_arena_alloc(b->arena, cap * sizeof *seg);
    if (!copy || !seg)
        return TN_ENOMEM;
    uint32_t n = 0;
    for (char *p = copy, *s; p; p = s) {
        s = strchr(p, '/');
        if (s)
            *s++ = 0;
        seg[n++] = p;
    }
    /* the literal folders before the first wildcard are the root of the walk */
    char root[4096] = "";
    size_t root_len = 0;
    uint32_t first = 0;
    if (pattern[0] == '/') {
        root[0] = '/';
        root_len = 1;
        first = 1;
    }
    while (first + 1 < n && !has_glob_chars(seg[first], strlen(seg[first]))) {
        int len = snprintf(root + root_len, sizeof root - root_len, "%s%s",
                           root_len && root[root_len - 1] != '/' ? "/" : "", seg[first]);
        if (len < 0 || (size_t)len >= sizeof root - root_len)
            return TN_ELIMIT;
        root_len += (size_t)len;
        first++;
    }
    if (root_len == 1 && root[0] == '/')
        root[0] = 0; /* walk() adds the separators itself: "/" + "x" would double it */
    int rc;
    if (pattern[0] == '/' && root[0] == 0) {
        /* walking from the filesystem root: names get their leading '/' from here */
        rc = walk("/", seg + first, n - first, out);
        for (uint32_t i = 0; rc == 0 && i < out->count; i++)
            if (out->items[i][0] == '/' && out->items[i][1] == '/')
                memmove(out->items[i], out->items[i] + 1, strlen(out->items[i]));
    } else {
        rc = walk(root, seg + first, n - first, out);
    }
    if (rc)
        return rc;
    qsort(out->items, out->count, sizeof *out->items, compare_paths);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < out->count; i++) {
        if (kept && strcmp(out->items[kept - 1], out->items[i]) == 0) {
            tn_free(out->items[i]);
            continue;
        }
        out->items[kept++] = out->items[i];
    }
    out->count = kept;
    return 0;
}

int tn_bind_glob(tn_binder *b, const char *pattern, tn_sql_pos pos, char ***paths,
                 uint32_t *count)
{
    path_list l = {0};
    int rc = 0;
    bool recursive = strncmp(pattern, "**/", 3) == 0 || strstr(pattern, "/**/") ||
                     (strlen(pattern) >= 3 && strcmp(pattern + strlen(pattern) - 3, "/**") == 0);
    if (recursive) {
        rc = recursive_glob(b, pattern, &l);
        if (rc == TN_ELIMIT)
            rc = tn_bind_error(b, TN_ELIMIT, pos, "the path \"%s\" is too long", pattern);
        else if (rc)
            rc = oom(b);
    } else {
        glob_t g;
        memset(&g, 0, sizeof g);
        int grc = glob(pattern, 0, NULL, &g);
        if (grc != 0 && grc != GLOB_NOMATCH)
            rc = tn_bind_error(b, TN_EIO, pos, "cannot list \"%s\"", pattern);
        for (size_t i = 0; rc == 0 && grc == 0 && i < g.gl_pathc; i++)
            if (path_list_add(&l, g.gl_pathv[i]) != 0)
                rc = oom(b);
        globfree(&g);
    }
    if (rc == 0 && l.count == 0)
        rc = tn_bind_error(b, TN_ENOENT, pos, "no file matches \"%s\"", pattern);
    if (rc == 0) {
        *paths = tn_arena_alloc(b->arena, l.count * sizeof(char *));
        if (!*paths)
            rc = oom(b);
        for (uint32_t i = 0; rc == 0 && i < l.count; i++)
            if (!((*paths)[i] = tn_arena_strdup(b->arena, l.items[i])))
                rc = oom(b);
        *count = l.count;
    }
    path_list_free(&l);
    return rc;
}

/* ---- key=value folders ------------------------------------------------------------------ */

typedef struct hive_pair {
    const char *key, *value; /* decoded; value NULL for SQL NULL */
} hive_pair;

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* URL-decoded copy of s[0..n): %XX is the byte XX; anything else stays as written. */
static char *url_decode(tn_arena *arena, const char *s, size_t n)
{
    char *out = tn_arena_alloc(arena, n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 && (lo = hex_digit(s[i + 2])) >= 0) {
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

static int compare_pairs(const void *a, const void *b)
{
    return strcmp(((const hive_pair *)a)->key, ((const hive_pair *)b)->key);
}

/* The key=value folders of a path, sorted by key (a key given twice: the deeper one wins).
 * *out is arena-allocated. Returns the count, or -1 when out of memory. */
static int path_pairs(tn_arena *arena, const char *path, hive_pair **out)
{
    uint32_t n = 0, cap = 1;
    for (const char *p = path; *p; p++)
        cap += *p == '/';
    hive_pair *pairs = tn_arena_alloc(arena, cap * sizeof *pairs);
    if (!pairs)
        return -1;
    const char *seg = path;
    for (const char *slash; (slash = strchr(seg, '/')) != NULL; seg = slash + 1) {
        const char *eq = memchr(seg, '=', (size_t)(slash - seg));
        if (!eq || eq == seg)
            continue;
        char *key = url_decode(arena, seg, (size_t)(eq - seg));
        char *value = url_decode(arena, eq + 1, (size_t)(slash - eq - 1));
        if (!key || !value)
            return -1;
        if (strcmp(value, "NULL") == 0 || strcmp(value, "__HIVE_DEFAULT_PARTITION__") == 0)
            value = NULL;
        uint32_t i = 0;
        while (i < n && strcmp(pairs[i].key, key) != 0)
            i++;
        pairs[i] = (hive_pair){key, value};
        if (i == n)
            n++;
    }
    qsort(pairs, n, sizeof *pairs, compare_pairs);
    *out = pairs;
    return (int)n;
}

/* The type every non-NULL value of key k parses as: DATE, TIMESTAMP, BIGINT, else VARCHAR
 * (also when all are NULL). */
static tn_type infer_type(const char **values, uint32_t stride, uint32_t k, uint32_t paths)
{
    bool date = true, timestamp = true, bigint = true, any = false;
    for (uint32_t p = 0; p < paths; p++) {
        const char *v = values[(size_t)p * stride + k];
        if (!v)
            continue;
        any = true;
        size_t n = strlen(v);
        int32_t d;
        int64_t i;
        bool zone;
        if (date && !tn_parse_date(v, n, &d))
            date = false;
        if (timestamp && (!tn_parse_timestamp(v, n, &i, &zone) || zone))
            timestamp = false;
        if (bigint && !tn_parse_int64(v, n, &i))
            bigint = false;
        if (!date && !timestamp && !bigint)
            break;
    }
    if (!any)
        return tn_type_make(TN_TYPE_VARCHAR);
    if (date)
        return tn_type_make(TN_TYPE_DATE);
    if (timestamp)
        return tn_type_make(TN_TYPE_TIMESTAMP);
    if (bigint)
        return tn_type_make(TN_TYPE_BIGINT);
    return tn_type_make(TN_TYPE_VARCHAR);
}

int tn_bind_hive_partitions(tn_binder *b, tn_plan_op *scan, const tn_bind_hive_options *o,
                            tn_sql_pos pos)
{
    if (o->mode == TN_BIND_HIVE_OFF)
        return 0;
    uint32_t paths = scan->scan.path_count;
    hive_pair *first = NULL;
    int nk = path_pairs(b->arena, scan->scan.paths[0], &first);
    if (nk < 0)
        return oom(b);
    if (nk == 0) {
        if (o->mode == TN_BIND_HIVE_ON && paths)
            return tn_bind_error(b, TN_EINVAL, pos,
                                 "hive_partitioning is on but \"%s\" has no key=value folder",
                                 scan->scan.paths[0]);
        return 0;
    }
    uint32_t keys = (uint32_t)nk;
    const char **values = tn_arena_alloc(b->arena, (size_t)paths * keys * sizeof *values);
    if (!values)
        return oom(b);
    for (uint32_t p = 0; p < paths; p++) {
        hive_pair *pairs = first;
        int n = p ? path_pairs(b->arena, scan->scan.paths[p], &pairs) : nk;
        if (n < 0)
            return oom(b);
        /* every file must have the same keys; in auto mode other paths mean no partitions */
        const char *missing = NULL;
        for (uint32_t k = 0; k < keys && !missing; k++)
            if (k >= (uint32_t)n || strcmp(pairs[k].key, first[k].key) != 0)
                missing = first[k].key;
        if (!missing && (uint32_t)n > keys)
            missing = pairs[keys].key;
        if (missing) {
            if (o->mode == TN_BIND_HIVE_AUTO)
                return 0;
            return tn_bind_error(b, TN_EINVAL, pos,
                                 "hive partitions differ between \"%s\" and \"%s\" (key \"%s\"): "
                                 "every file needs the same key=value folders, or set "
                                 "hive_partitioning = false",
                                 scan->scan.paths[0], scan->scan.paths[p], missing);
        }
        for (uint32_t k = 0; k < keys; k++)
            values[(size_t)p * keys + k] = pairs[k].value;
    }
    uint32_t n = scan->scan.source_column_count;
    tn_plan_column *src = tn_arena_calloc(b->arena, (n + keys + 1) * sizeof *src);
    tn_plan_column *cols = tn_arena_calloc(b->arena, (n + keys + 1) * sizeof *cols);
    uint32_t *proj = tn_arena_calloc(b->arena, (n + keys + 1) * sizeof *proj);
    uint32_t *key_cols = tn_arena_alloc(b->arena, keys * sizeof *key_cols);
    if (!src || !cols || !proj || !key_cols)
        return oom(b);
    memcpy(src, scan->scan.source_columns, n * sizeof *src);
    for (uint32_t i = 0; i < n; i++)
        proj[i] = i;
    uint32_t total = n;
    for (uint32_t k = 0; k < keys; k++) {
        tn_type t = o->no_autocast ? tn_type_make(TN_TYPE_VARCHAR)
                                   : infer_type(values, keys, k, paths);
        uint32_t at = 0;
        while (at < n && strcmp(src[at].name, first[k].key) != 0)
            at++;
        if (at == n) {
            at = total;
            proj[total] = total;
            total++;
        }
        src[at] = (tn_plan_column){first[k].key, t, true};
        key_cols[k] = at;
    }
    memcpy(cols, src, total * sizeof *cols);
    scan->scan.source_columns = src;
    scan->scan.source_column_count = total;
    scan->columns = cols;
    scan->column_count = total;
    scan->scan.projection = proj;
    scan->scan.partition_key_count = keys;
    scan->scan.partition_columns = key_cols;
    scan->scan.partition_values = values;
    return 0;
}
