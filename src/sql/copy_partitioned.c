/* SPDX-License-Identifier: Apache-2.0
 *
 * COPY (query) TO 'dir' (PARTITION_BY (a, b)): the rows written into hive folders, as DuckDB
 * writes them: dir/a=1/b=x/data_0.<ext>, one file per partition, the partition columns left
 * out of the files. Values are written as text (the CSV form), URL-escaped but for letters,
 * digits and "-_.~"; NULL is __HIVE_DEFAULT_PARTITION__. An existing non-empty dir is an
 * error unless OVERWRITE (its contents removed first) or OVERWRITE_OR_IGNORE (files of the
 * same name replaced, others left). FILENAME_PATTERN names the files (data_{i} by default) and
 * WRITE_PARTITION_COLUMNS keeps the partition columns in them too. Used by session.c's
 * copy_to.
 *
 * Memory: at most partitioned_write_max_open_files (100) lean writers are open at once
 * (formats.h), with row groups of PARTITION_ROW_GROUP_ROWS rows unless COPY sets a size; when
 * the rows they stage pass STAGED_BYTES_MAX (or a quarter of memory_limit), the fullest one
 * writes its row group early. Rows of a partition that finds every writer taken wait in
 * memory, up to partitioned_write_flush_threshold (524,288) rows of all partitions; then each
 * such partition gets a writer in turn, the least recently used ones closing their files, and
 * a partition that gets a writer again writes a new file (data_1, data_2, ...), as DuckDB
 * does. The two settings are the session's (SET), as in DuckDB.
 *
 * Durability: the files go into one tn_file_group and appear together at
 * tn_copy_partitions_finish, after a few syncs for all of them (not two fsyncs per file); a
 * failed COPY leaves no temporary file.
 */
#include "sql/sql_int.h"
#include "formats/formats.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

/* Writers open at once, and rows of partitions without a writer kept before they are written
 * out, unless the session sets them (DuckDB's partitioned_write_max_open_files and
 * partitioned_write_flush_threshold, with DuckDB's defaults). */
#define OPEN_WRITERS_DEFAULT 100
#define PENDING_ROWS_DEFAULT 524288
/* Bytes all open writers may stage before the fullest writes its row group early: this, or a
 * quarter of the session's memory_limit when that is less. */
#define STAGED_BYTES_MAX ((int64_t)128 << 20)
/* Rows per Parquet row group when COPY sets no size (DuckDB's default): what each open
 * writer buffers, instead of the writers' 128 MiB. */
#define PARTITION_ROW_GROUP_ROWS 122880

typedef struct partition {
    char *folder;        /* relative to dir: "a=1/b=x" */
    bool folder_made;
    tn_writer *writer;   /* the file being written, or NULL */
    uint32_t file_count; /* files started: the next one is data_<file_count> */
    uint32_t open_slot;  /* its place in open_parts while it has a writer */
    uint64_t last_used;  /* when rows last went to its writer */
    int64_t staged;      /* its writer's staged bytes as last seen */
    tn_batch **pending;  /* rows waiting for a writer */
    uint32_t pending_count, pending_cap;
} partition;

struct tn_copy_partitions {
    const char *dir;
    tn_write_options opts;
    const char *ext;         /* ".parquet", ".csv", ".json" */
    char *pattern;           /* FILENAME_PATTERN, "data_{i}" by default */
    tn_schema *file_schema;  /* the query's columns but the partition ones */
    uint32_t *key_cols;      /* the query column of each PARTITION_BY column */
    uint32_t key_count;
    uint32_t *file_cols;     /* the query column of each file column */
    tn_hash *index;          /* folder path (relative to dir) -> partition number + 1 */
    partition *parts;
    uint32_t part_count, part_cap;
    tn_batch *out;           /* one partition's rows of a batch */
    tn_buf key;              /* scratch: a row's folder path */
    tn_buf text;             /* scratch: a value as text */
    uint32_t *row_part;      /* per row of a batch: its partition */
    uint32_t *local;         /* per partition: its rows' slot in this batch + 1, 0 = none */
    uint32_t *open_parts;    /* the partitions that have a writer: open_max of them */
    uint32_t open_max;
    int64_t pending_max;     /* rows in pending batches that make them be written out */
    int64_t staged_max;      /* bytes staged by all open writers before the fullest flushes */
    uint32_t open_count;
    uint64_t clock;          /* ticks at every write, for last_used */
    int64_t staged;          /* bytes staged by all open writers */
    int64_t pending_rows;    /* rows waiting in partitions' pending batches */
    tn_file_group *group;    /* every file written, committed together at finish */
    int64_t rows;
};

/* Appends s[0..n) URL-escaped: letters, digits and -_.~ stay, other bytes become %XX. */
static int append_escaped(tn_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (plain)
            rc = tn_buf_putc(b, (char)c);
        else
            rc = tn_buf_putc(b, '%') || tn_buf_putc(b, hex[c >> 4]) || tn_buf_putc(b, hex[c & 15]);
    }
    return rc ? TN_ENOMEM : 0;
}

/* mkdir -p for path, whose first `known` bytes name a folder that exists (0: none known). */
static int make_dirs(const char *path, size_t known, tn_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return tn_error_set(err, TN_ELIMIT, "the path \"%s\" is too long", path);
    memcpy(buf, path, n + 1);
    for (size_t i = known + 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char saved = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return tn_error_set(err, TN_EIO, "cannot create the folder \"%s\": %s", buf,
                                strerror(errno));
        buf[i] = saved;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level == 0)
        return 0; /* the folder itself stays */
    return remove(path);
}

/* Whether dir has an entry; false when it does not exist. */
static bool dir_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)) != NULL)
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

/* The files' extension: by FORMAT; without one, as DuckDB, by the folder's own extension
 * ('out.parquet/'), else CSV. The writers choose their format by it when FORMAT is not given. */
static const char *extension(const char *dir, const tn_write_options *o)
{
    const char *f = o->format;
    if (!f) {
        const char *base = strrchr(dir, '/');
        const char *dot = strrchr(base ? base : dir, '.');
        f = dot ? dot + 1 : "csv";
        if (strcasecmp(f, "ndjson") == 0 || strcasecmp(f, "jsonl") == 0)
            f = "json";
    }
    if (strcasecmp(f, "parquet") == 0)
        return ".parquet";
    if (strcasecmp(f, "json") == 0 || strcasecmp(f, "ndjson") == 0)
        return ".json";
    return ".csv";
}

int tn_copy_partitions_open(const char *dir, const tn_schema *schema,
                            const tn_sql_ident_list *by, const tn_copy_layout *layout,
                            const tn_write_options *opts, tn_copy_partitions **out,
                            tn_error *err)
{
    *out = NULL;
    tn_copy_overwrite overwrite = layout->overwrite;
    const char *pattern = layout->filename_pattern ? layout->filename_pattern : "data_{i}";
    if (!*pattern || strchr(pattern, '/'))
        return tn_error_set(err, TN_EINVAL,
                            "FILENAME_PATTERN '%s' is not a file name: give a name without "
                            "'/', such as 'data_{i}' or 'part_{uuid}'",
                            pattern);
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return tn_error_set(err, TN_EEXIST,
                            "\"%s\" is a file: PARTITION_BY writes a folder of files", dir);
    if (overwrite == TN_COPY_OVERWRITE_NONE && dir_has_entries(dir))
        return tn_error_set(err, TN_EEXIST,
                            "the folder \"%s\" is not empty: add OVERWRITE to replace its "
                            "contents, or OVERWRITE_OR_IGNORE to write into it",
                            dir);
    if (by->count >= schema->column_count && !layout->write_partition_columns)
        return tn_error_set(err, TN_EINVAL,
                            "PARTITION_BY takes every column, which would leave the files none: "
                            "partition by fewer columns");
    tn_copy_partitions *cp = tn_calloc(1, sizeof *cp);
    if (!cp)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    cp->dir = dir;
    cp->opts = *opts;
    if (!opts->row_group_rows && !opts->row_group_bytes)
        cp->opts.row_group_rows = PARTITION_ROW_GROUP_ROWS;
    cp->opts.lean = true;
    cp->open_max = layout->max_open_files ? layout->max_open_files : OPEN_WRITERS_DEFAULT;
    cp->pending_max = layout->flush_threshold_rows ? layout->flush_threshold_rows
                                                   : PENDING_ROWS_DEFAULT;
    cp->open_parts = tn_calloc(cp->open_max, sizeof *cp->open_parts);
    cp->staged_max = STAGED_BYTES_MAX;
    if (layout->memory_limit > 0 && layout->memory_limit / 4 < cp->staged_max)
        cp->staged_max = layout->memory_limit / 4;
    cp->ext = extension(dir, opts);
    cp->pattern = tn_strdup(pattern);
    cp->key_count = by->count;
    cp->key_cols = tn_calloc(by->count, sizeof *cp->key_cols);
    cp->file_cols = tn_calloc(schema->column_count, sizeof *cp->file_cols);
    cp->file_schema = tn_schema_new();
    cp->index = tn_hash_new(64);
    cp->row_part = tn_calloc(TN_BATCH_ROWS, sizeof *cp->row_part);
    int rc = tn_file_group_new(&cp->group, err);
    cp->opts.file_group = cp->group;
    if (rc == 0 && (!cp->key_cols || !cp->file_cols || !cp->file_schema || !cp->index ||
                    !cp->row_part || !cp->pattern || !cp->open_parts))
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    bool *is_key = rc ? NULL : tn_calloc(schema->column_count, sizeof *is_key);
    if (rc == 0 && !is_key)
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t k = 0; rc == 0 && k < by->count; k++) {
        const char *name = by->items[k].name;
        int c = tn_schema_find(schema, name);
        for (uint32_t i = 0; c < 0 && i < schema->column_count; i++)
            if (strcasecmp(schema->columns[i].name, name) == 0)
                c = (int)i;
        if (c < 0)
            rc = tn_error_set(err, TN_EINVAL,
                              "PARTITION_BY column \"%s\" is not a column of the query", name);
        else if (is_key[c])
            rc = tn_error_set(err, TN_EINVAL, "PARTITION_BY names \"%s\" twice", name);
        else {
            is_key[c] = true;
            cp->key_cols[k] = (uint32_t)c;
        }
    }
    for (uint32_t c = 0; rc == 0 && c < schema->column_count; c++) {
        if (is_key[c] && !layout->write_partition_columns)
            continue;
        cp->file_cols[cp->file_schema->column_count] = c;
        if (tn_schema_add(cp->file_schema, schema->columns[c].name, schema->columns[c].type,
                          schema->columns[c].nullable) != 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_free(is_key);
    if (rc == 0 && !(cp->out = tn_batch_new(cp->file_schema, TN_BATCH_ROWS)))
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    if (rc == 0 && overwrite == TN_COPY_OVERWRITE_ALL && dir_has_entries(dir) &&
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = tn_error_set(err, TN_EIO, "cannot empty the folder \"%s\" for OVERWRITE: %s", dir,
                          strerror(errno));
    if (rc == 0)
        rc = make_dirs(dir, 0, err);
    if (rc) {
        tn_copy_partitions_abort(cp);
        return rc;
    }
    *out = cp;
    return 0;
}

/* The partition of row r of b: found by its folder path, or added. */
static int find_partition(tn_copy_partitions *cp, const tn_batch *b, uint32_t r, uint32_t *out,
                          tn_error *err)
{
    cp->key.len = 0;
    int rc = 0;
    for (uint32_t k = 0; k < cp->key_count && rc == 0; k++) {
        const tn_vector *v = &b->columns[cp->key_cols[k]];
        const char *name = b->schema->columns[cp->key_cols[k]].name;
        if (k)
            rc = tn_buf_putc(&cp->key, '/');
        rc = rc ? rc : append_escaped(&cp->key, name, strlen(name));
        rc = rc ? rc : tn_buf_putc(&cp->key, '=');
        if (rc)
            break;
        cp->text.len = 0;
        int f = tn_vector_format_value(v, r, &cp->text);
        if (f < 0) {
            rc = f;
        } else if (f == 1) {
            rc = tn_buf_append_cstr(&cp->key, "__HIVE_DEFAULT_PARTITION__");
        } else {
            rc = append_escaped(&cp->key, cp->text.data ? cp->text.data : "", cp->text.len);
        }
    }
    if (rc)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    void *found = NULL;
    if (tn_hash_get(cp->index, cp->key.data, cp->key.len, &found)) {
        *out = (uint32_t)((uintptr_t)found - 1);
        return 0;
    }
    if (cp->part_count == cp->part_cap) {
        uint32_t cap = cp->part_cap ? cp->part_cap * 2 : 16;
        partition *np = tn_realloc(cp->parts, cap * sizeof *np);
        uint32_t *nl = tn_realloc(cp->local, cap * sizeof *nl);
        if (np)
            cp->parts = np;
        if (nl)
            cp->local = nl;
        if (!np || !nl)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        cp->part_cap = cap;
    }
    char *folder = tn_strndup(cp->key.data, cp->key.len);
    if (!folder)
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    uint32_t idx = cp->part_count;
    if (tn_hash_put(cp->index, cp->key.data, cp->key.len, (void *)(uintptr_t)(idx + 1)) != 0) {
        tn_free(folder);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    cp->parts[idx] = (partition){.folder = folder};
    cp->local[idx] = 0;
    cp->part_count++;
    *out = idx;
    return 0;
}

/* Appends a new random UUID, version 4, or version 7 (the time in milliseconds first). */
static int append_uuid(tn_buf *b, int version)
{
    uint8_t u[16];
    size_t got = 0;
    while (got < sizeof u) {
        ssize_t r = getrandom(u + got, sizeof u - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            /* no random source: the clock and a counter still make names unique here */
            static _Atomic uint64_t counter;
            uint64_t x = (uint64_t)tn_monotonic_ns() ^ ((uint64_t)++counter << 40);
            for (; got < sizeof u; got++, x = x * 6364136223846793005u + 1442695040888963407u)
                u[got] = (uint8_t)(x >> 56);
            break;
        }
        got += (size_t)r;
    }
    if (version == 7) {
        uint64_t ms = (uint64_t)(tn_now_us() / 1000);
        for (int i = 0; i < 6; i++)
            u[i] = (uint8_t)(ms >> (40 - 8 * i));
    }
    u[6] = (uint8_t)((u[6] & 0x0f) | (version << 4));
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int rc = 0;
    for (int i = 0; i < 16 && rc == 0; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            rc = tn_buf_putc(b, '-');
        rc = rc ? rc : tn_buf_putc(b, hex[u[i] >> 4]);
        rc = rc ? rc : tn_buf_putc(b, hex[u[i] & 15]);
    }
    return rc;
}

/* Appends the name of p's next file, as DuckDB makes it from the pattern: {i} is the file's
 * number in its folder, {uuid} and {uuidv4} a new UUID (v4), {uuidv7} a v7 one; a pattern
 * with none of them gets the number appended. */
static int append_file_name(tn_copy_partitions *cp, const partition *p, tn_buf *b)
{
    bool placeholder = false;
    int rc = 0;
    for (const char *s = cp->pattern; *s && rc == 0;) {
        if (strncmp(s, "{i}", 3) == 0) {
            rc = tn_buf_printf(b, "%u", p->file_count);
            s += 3;
        } else if (strncmp(s, "{uuid}", 6) == 0 || strncmp(s, "{uuidv4}", 8) == 0) {
            rc = append_uuid(b, 4);
            s += s[5] == '}' ? 6 : 8;
        } else if (strncmp(s, "{uuidv7}", 8) == 0) {
            rc = append_uuid(b, 7);
            s += 8;
        } else {
            rc = tn_buf_putc(b, *s++);
            continue;
        }
        placeholder = true;
    }
    if (rc == 0 && !placeholder)
        rc = tn_buf_printf(b, "%u", p->file_count);
    return rc ? rc : tn_buf_append_cstr(b, cp->ext);
}

/* Opens p's next file, after its folders. */
static int open_writer(tn_copy_partitions *cp, partition *p, tn_error *err)
{
    tn_buf path = TN_BUF_INIT;
    int rc = tn_buf_printf(&path, "%s/%s", cp->dir, p->folder) == 0 && tn_buf_putc(&path, 0) == 0
                 ? 0
                 : tn_error_set(err, TN_ENOMEM, "out of memory");
    if (rc == 0 && !p->folder_made) {
        rc = make_dirs(path.data, strlen(cp->dir), err);
        p->folder_made = rc == 0;
    }
    if (rc == 0) {
        path.data[path.len - 1] = '/';
        if (append_file_name(cp, p, &path) != 0 || tn_buf_putc(&path, 0) != 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = tn_writer_open(path.data, cp->file_schema, &cp->opts, &p->writer, err);
    tn_buf_free(&path);
    if (rc)
        return rc;
    p->file_count++;
    p->staged = 0;
    p->open_slot = cp->open_count;
    cp->open_parts[cp->open_count++] = (uint32_t)(p - cp->parts);
    return 0;
}

/* Finishes p's file (it joins the group) and frees its writer's place. */
static int close_writer(tn_copy_partitions *cp, partition *p, tn_error *err)
{
    tn_writer *w = p->writer;
    p->writer = NULL;
    cp->staged -= p->staged;
    p->staged = 0;
    uint32_t last = cp->open_parts[--cp->open_count];
    cp->open_parts[p->open_slot] = last;
    cp->parts[last].open_slot = p->open_slot;
    return tn_writer_finish(w, err);
}

/* Closes the file of the partition that got rows least recently. */
static int close_least_recent(tn_copy_partitions *cp, tn_error *err)
{
    partition *oldest = &cp->parts[cp->open_parts[0]];
    for (uint32_t i = 1; i < cp->open_count; i++) {
        partition *p = &cp->parts[cp->open_parts[i]];
        if (p->last_used < oldest->last_used)
            oldest = p;
    }
    return close_writer(cp, oldest, err);
}

/* Takes note of what p's writer stages after a write; when all writers stage more than
 * their budget (staged_max), the fullest ones write their row groups now. */
static int note_staged(tn_copy_partitions *cp, partition *p, tn_error *err)
{
    int64_t now = tn_writer_buffered(p->writer);
    cp->staged += now - p->staged;
    p->staged = now;
    p->last_used = ++cp->clock;
    while (cp->staged > cp->staged_max) {
        partition *fullest = &cp->parts[cp->open_parts[0]];
        for (uint32_t i = 1; i < cp->open_count; i++) {
            partition *q = &cp->parts[cp->open_parts[i]];
            if (q->staged > fullest->staged)
                fullest = q;
        }
        if (fullest->staged == 0)
            break; /* the format does not say: nothing to flush */
        int rc = tn_writer_flush(fullest->writer, err);
        if (rc)
            return rc;
        now = tn_writer_buffered(fullest->writer);
        cp->staged += now - fullest->staged;
        fullest->staged = now;
    }
    return 0;
}

/* Writes out the rows of every partition that waits for a writer: each gets one in turn,
 * the least recently used writers closing when all are taken. */
static int write_pending(tn_copy_partitions *cp, tn_error *err)
{
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < cp->part_count; i++) {
        partition *p = &cp->parts[i];
        if (p->pending_count == 0)
            continue;
        if (!p->writer && cp->open_count == cp->open_max)
            rc = close_least_recent(cp, err);
        if (rc == 0 && !p->writer)
            rc = open_writer(cp, p, err);
        for (uint32_t j = 0; j < p->pending_count; j++) {
            if (rc == 0)
                rc = tn_writer_write(p->writer, p->pending[j], err);
            if (rc == 0)
                rc = note_staged(cp, p, err);
            tn_batch_free(p->pending[j]);
            p->pending[j] = NULL;
        }
        p->pending_count = 0;
    }
    cp->pending_rows = 0;
    return rc;
}

/* Keeps rows sel[0..n) of b in p's pending batches: the last one filled, then new ones of
 * twice its capacity (up to TN_BATCH_ROWS), so small partitions stay small. */
static int keep_rows(tn_copy_partitions *cp, partition *p, const tn_batch *b,
                     const uint32_t *sel, uint32_t n, tn_error *err)
{
    while (n > 0) {
        tn_batch *last = p->pending_count ? p->pending[p->pending_count - 1] : NULL;
        if (!last || last->row_count == last->capacity) {
            uint32_t cap = last ? last->capacity * 2 : 64;
            if (cap > TN_BATCH_ROWS)
                cap = TN_BATCH_ROWS;
            if (p->pending_count == p->pending_cap) {
                uint32_t ncap = p->pending_cap ? p->pending_cap * 2 : 4;
                tn_batch **np = tn_realloc(p->pending, ncap * sizeof *np);
                if (!np)
                    return tn_error_set(err, TN_ENOMEM, "out of memory");
                p->pending = np;
                p->pending_cap = ncap;
            }
            if (!(last = tn_batch_new(cp->file_schema, cap)))
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            p->pending[p->pending_count++] = last;
        }
        uint32_t take = last->capacity - last->row_count;
        if (take > n)
            take = n;
        for (uint32_t j = 0; j < cp->file_schema->column_count; j++)
            if (tn_exec_gather(&last->columns[j], last->row_count, &b->columns[cp->file_cols[j]],
                               sel, take) != 0)
                return tn_error_set(err, TN_ENOMEM, "out of memory");
        last->row_count += take;
        sel += take;
        n -= take;
    }
    return 0;
}

/* Writes rows sel[0..n) of b, all of partition p: to its writer, or to its pending rows when
 * every writer is taken. */
static int write_rows(tn_copy_partitions *cp, partition *p, const tn_batch *b,
                      const uint32_t *sel, uint32_t n, tn_error *err)
{
    int rc;
    if (!p->writer && p->pending_count == 0 && cp->open_count < cp->open_max &&
        (rc = open_writer(cp, p, err)) != 0)
        return rc;
    if (!p->writer) {
        if ((rc = keep_rows(cp, p, b, sel, n, err)) != 0)
            return rc;
        cp->pending_rows += n;
        return cp->pending_rows >= cp->pending_max ? write_pending(cp, err) : 0;
    }
    tn_batch_reset(cp->out);
    for (uint32_t j = 0; j < cp->file_schema->column_count; j++)
        if ((rc = tn_exec_gather(&cp->out->columns[j], 0, &b->columns[cp->file_cols[j]], sel,
                                 n)) != 0)
            return tn_error_set(err, rc, "out of memory");
    cp->out->row_count = n;
    rc = tn_writer_write(p->writer, cp->out, err);
    return rc ? rc : note_staged(cp, p, err);
}

int tn_copy_partitions_write(tn_copy_partitions *cp, const tn_batch *b, tn_error *err)
{
    uint32_t rows = b->row_count;
    int rc;
    /* rows grouped by partition, in the order partitions first appear in the batch */
    uint32_t firsts[TN_BATCH_ROWS], counts[TN_BATCH_ROWS], starts[TN_BATCH_ROWS];
    uint32_t sel[TN_BATCH_ROWS];
    uint32_t present = 0;
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t p = 0;
        if ((rc = find_partition(cp, b, r, &p, err)) != 0)
            return rc;
        cp->row_part[r] = p;
        if (cp->local[p] == 0) {
            firsts[present] = p;
            counts[present] = 0;
            cp->local[p] = ++present;
        }
        counts[cp->local[p] - 1]++;
    }
    uint32_t at = 0;
    for (uint32_t i = 0; i < present; i++) {
        starts[i] = at;
        at += counts[i];
    }
    for (uint32_t r = 0; r < rows; r++)
        sel[starts[cp->local[cp->row_part[r]] - 1]++] = r;
    rc = 0;
    at = 0;
    for (uint32_t i = 0; i < present; i++) {
        if (rc == 0)
            rc = write_rows(cp, &cp->parts[firsts[i]], b, sel + at, counts[i], err);
        at += counts[i];
        cp->local[firsts[i]] = 0;
    }
    if (rc == 0)
        cp->rows += rows;
    return rc;
}

int tn_copy_partitions_finish(tn_copy_partitions *cp, int64_t *rows, tn_error *err)
{
    int rc = write_pending(cp, err);
    while (rc == 0 && cp->open_count > 0)
        rc = close_writer(cp, &cp->parts[cp->open_parts[cp->open_count - 1]], err);
    if (rc == 0)
        rc = tn_file_group_commit(cp->group, err);
    *rows = cp->rows;
    tn_copy_partitions_abort(cp);
    return rc;
}

void tn_copy_partitions_abort(tn_copy_partitions *cp)
{
    if (!cp)
        return;
    for (uint32_t i = 0; i < cp->part_count; i++) {
        tn_writer_abort(cp->parts[i].writer);
        tn_free(cp->parts[i].folder);
        for (uint32_t j = 0; j < cp->parts[i].pending_count; j++)
            tn_batch_free(cp->parts[i].pending[j]);
        tn_free(cp->parts[i].pending);
    }
    tn_free(cp->parts);
    tn_free(cp->open_parts);
    tn_free(cp->pattern);
    tn_free(cp->local);
    tn_free(cp->key_cols);
    tn_free(cp->file_cols);
    tn_free(cp->row_part);
    tn_batch_free(cp->out);
    tn_schema_unref(cp->file_schema);
    tn_hash_free(cp->index);
    tn_file_group_free(cp->group); /* removes the temporary files of a failed COPY */
    tn_buf_free(&cp->key);
    tn_buf_free(&cp->text);
    tn_free(cp);
}
