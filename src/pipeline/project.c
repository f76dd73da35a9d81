/* SPDX-License-Identifier: Apache-2.0
 *
 * Creating, finding and loading projects. The settings of tarn.yaml are one table below:
 * `tarn init` writes the file from it (every key with its documentation and default) and the
 * loader accepts exactly its keys, so the file, the docs and the code cannot drift apart.
 */
#include "pipeline/project.h"
#include "catalog/catalog.h"

#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum setting_kind {
    SETTING_STRING,
    SETTING_PATH, /* resolved against the project folder unless absolute or a URL */
    SETTING_INT,
    SETTING_DURATION,
} setting_kind;

typedef struct setting {
    const char *key; /* dotted: "lake.location" */
    setting_kind kind;
    size_t offset; /* of the field in tn_project */
    const char *default_value; /* NULL: computed (the project name) */
    const char *doc;
} setting;

static const setting settings[] = {
    {"name", SETTING_STRING, offsetof(tn_project, name), NULL,
     "The project's name, shown in logs and listings."},
    {"lake.location", SETTING_PATH, offsetof(tn_project, lake_location), "lake",
     "Where tables live: a folder (relative to this file) holding the Parquet data files\n"
     "and Iceberg metadata of every table. Any Iceberg engine can read it."},
    {"catalog.location", SETTING_PATH, offsetof(tn_project, catalog_location),
     ".tarn/catalog.db",
     "The catalog: a SQLite file (relative to this file) holding each table's current\n"
     "metadata pointer, the ledger of ingested inputs, the quarantine of rejected rows and\n"
     "the log of every operation."},
    {"defaults.namespace", SETTING_STRING, offsetof(tn_project, default_namespace), "main",
     "Namespace of tables named without one: 'sales' means 'main.sales'."},
    {"defaults.compression", SETTING_STRING, offsetof(tn_project, compression), "zstd",
     "Codec of the Parquet files tables are written in: zstd, snappy, gzip, lz4 or none."},
    {"defaults.compression_level", SETTING_INT, offsetof(tn_project, compression_level), "3",
     "Compression level (zstd 1-22, gzip 1-9)."},
    {"ingest.sample_rows", SETTING_INT, offsetof(tn_project, sample_rows), "20480",
     "Rows read to infer the column types of a new input (-1: the whole input)."},
    {"vacuum.snapshot_retention", SETTING_DURATION,
     offsetof(tn_project, snapshot_retention_seconds), "7d",
     "'tarn vacuum' expires snapshots older than this (the current one is always kept).\n"
     "Durations: 90s, 15m, 12h, 7d, 2w."},
    {"vacuum.orphan_grace", SETTING_DURATION, offsetof(tn_project, orphan_grace_seconds), "1d",
     "'tarn vacuum' removes files no snapshot references once they are older than this\n"
     "(younger ones may belong to a write still in progress)."},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

/* Parses "90s", "15m", "12h", "7d", "2w" or a bare number of seconds. */
bool tn_parse_duration(const char *text, int64_t *seconds)
{
    if (!text || !*text) return false;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (errno || end == text || n < 0) return false;
    int64_t unit = 1;
    if (*end) {
        switch (*end) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        case 'w': unit = 7 * 86400; break;
        default: return false;
        }
        if (end[1]) return false;
    }
    if (n > INT64_MAX / unit) return false;
    *seconds = n * unit;
    return true;
}

static char **string_field(tn_project *p, const setting *s)
{
    return (char **)((char *)p + s->offset);
}

static int64_t *int_field(tn_project *p, const setting *s)
{
    return (int64_t *)((char *)p + s->offset);
}

/* Sets one setting from text; the error (if any) names the key and the expected form. */
static int apply_setting(tn_project *p, const setting *s, const char *value, tn_error *err)
{
    switch (s->kind) {
    case SETTING_STRING:
    case SETTING_PATH: {
        char *copy = NULL;
        if (s->kind == SETTING_PATH && value[0] != '/' && !strstr(value, "://")) {
            tn_buf path = TN_BUF_INIT;
            if (tn_buf_printf(&path, "%s/%s", p->root, value) < 0) {
                tn_buf_free(&path);
                return tn_error_set(err, TN_ENOMEM, "out of memory");
            }
            copy = tn_buf_detach(&path, NULL);
        } else {
            copy = tn_strdup(value);
        }
        if (!copy) return tn_error_set(err, TN_ENOMEM, "out of memory");
        char **field = string_field(p, s);
        tn_free(*field);
        *field = copy;
        return 0;
    }
    case SETTING_INT: {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (errno || end == value || *end)
            return tn_error_set(err, TN_EINVAL, "'%s' must be a whole number, not '%s'", s->key,
                                value);
        *int_field(p, s) = n;
        return 0;
    }
    case SETTING_DURATION:
        if (!tn_parse_duration(value, int_field(p, s)))
            return tn_error_set(err, TN_EINVAL,
                                "'%s' must be a duration such as 90s, 15m, 12h, 7d or 2w, not "
                                "'%s'", s->key, value);
        return 0;
    }
    return 0;
}

/* Levenshtein distance, for "did you mean" on misspelt keys. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = up;
        }
    }
    return row[lb];
}

static const setting *find_setting(const char *key)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strcmp(settings[i].key, key) == 0) return &settings[i];
    return NULL;
}

/* Whether key is a section ("lake") of some setting. */
static bool is_section(const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (strncmp(settings[i].key, key, n) == 0 && settings[i].key[n] == '.') return true;
    return false;
}

static void node_position(struct fy_node *node, int64_t *line, int64_t *column)
{
    *line = 0;
    *column = 0;
    struct fy_token *token = node ? fy_node_get_scalar_token(node) : NULL;
    const struct fy_mark *mark = token ? fy_token_start_mark(token) : NULL;
    if (mark) {
        *line = mark->line + 1;
        *column = mark->column + 1;
    }
}

static int load_mapping(tn_project *p, struct fy_node *map, const char *prefix, tn_error *err)
{
    void *iter = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(map, &iter)) != NULL) {
        struct fy_node *key_node = fy_node_pair_key(pair);
        struct fy_node *value_node = fy_node_pair_value(pair);
        int64_t line, column;
        node_position(key_node, &line, &column);
        const char *key_text = key_node && fy_node_is_scalar(key_node)
                                   ? fy_node_get_scalar0(key_node)
                                   : NULL;
        if (!key_text)
            return tn_error_set_at(err, TN_EINVAL, p->config_path, line, column,
                                   "settings keys must be plain names");
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", key_text);
        const setting *s = find_setting(key);
        if (!s && is_section(key)) {
            if (!value_node || !fy_node_is_mapping(value_node))
                return tn_error_set_at(err, TN_EINVAL, p->config_path, line, column,
                                       "'%s' is a section: indent its settings below it", key);
            int rc = load_mapping(p, value_node, key, err);
            if (rc < 0) return rc;
            continue;
        }
        if (!s) {
            const setting *closest = NULL;
            size_t best = 4;
            for (size_t i = 0; i < SETTING_COUNT; i++) {
                size_t d = edit_distance(key, settings[i].key);
                if (d < best) {
                    best = d;
                    closest = &settings[i];
                }
            }
            int rc = closest ? tn_error_set_at(err, TN_EINVAL, p->config_path, line, column,
                                               "unknown setting '%s' (did you mean '%s'?)", key,
                                               closest->key)
                             : tn_error_set_at(err, TN_EINVAL, p->config_path, line, column,
                                               "unknown setting '%s' (the settings are listed "
                                               "in the comments 'tarn init' writes)",
                                               key);
            tn_error_set_key(err, key);
            return rc;
        }
        if (!value_node || !fy_node_is_scalar(value_node)) {
            int rc = tn_error_set_at(err, TN_EINVAL, p->config_path, line, column,
                                     "'%s' takes a single value", key);
            tn_error_set_key(err, key);
            return rc;
        }
        const char *value = fy_node_get_scalar0(value_node);
        int rc = apply_setting(p, s, value ? value : "", err);
        if (rc < 0) {
            int64_t vline, vcolumn;
            node_position(value_node, &vline, &vcolumn);
            err->line = vline;
            err->column = vcolumn;
            snprintf(err->file, sizeof err->file, "%s", p->config_path);
            tn_error_set_key(err, key);
            return rc;
        }
    }
    return 0;
}

static int load_config(tn_project *p, tn_error *err)
{
    struct fy_diag_cfg diag_cfg;
    fy_diag_cfg_default(&diag_cfg);
    diag_cfg.fp = NULL;
    diag_cfg.output_fn = NULL;
    struct fy_diag *diag = fy_diag_create(&diag_cfg);
    if (diag) fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_document *doc = fy_document_build_from_file(&cfg, p->config_path);
    int rc = 0;
    if (!doc) {
        int64_t line = 0, column = 0;
        const char *message = "not valid YAML";
        void *iter = NULL;
        struct fy_diag_error *e = diag ? fy_diag_errors_iterate(diag, &iter) : NULL;
        if (e) {
            line = e->line + 1;
            column = e->column + 1;
            if (e->msg) message = e->msg;
        }
        rc = tn_error_set_at(err, TN_EPARSE, p->config_path, line, column,
                             "cannot read the project settings: %s", message);
        goto done;
    }
    struct fy_node *root = fy_document_root(doc);
    if (root && fy_node_is_mapping(root))
        rc = load_mapping(p, root, "", err);
    else if (root && !(fy_node_is_scalar(root) && fy_node_get_scalar_length(root) == 0))
        rc = tn_error_set_at(err, TN_EINVAL, p->config_path, 1, 1,
                             "the project settings must be a mapping of 'key: value' lines");
done:
    if (doc) fy_document_destroy(doc);
    if (diag) fy_diag_destroy(diag);
    return rc;
}

static const char *folder_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static int project_alloc(const char *root, tn_project **out, tn_error *err)
{
    tn_project *p = tn_calloc(1, sizeof *p);
    if (!p) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_buf config = TN_BUF_INIT;
    p->root = tn_strdup(root);
    if (!p->root || tn_buf_printf(&config, "%s/%s", root, TN_PROJECT_FILE) < 0) {
        tn_buf_free(&config);
        tn_project_free(p);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    p->config_path = tn_buf_detach(&config, NULL);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const char *value = settings[i].default_value ? settings[i].default_value
                                                      : folder_name(root);
        int rc = apply_setting(p, &settings[i], value, err);
        if (rc < 0) {
            tn_project_free(p);
            return rc;
        }
    }
    *out = p;
    return 0;
}

/* Frees a project; accepts NULL. */
void tn_project_free(tn_project *p)
{
    if (!p) return;
    for (size_t i = 0; i < SETTING_COUNT; i++)
        if (settings[i].kind == SETTING_STRING || settings[i].kind == SETTING_PATH)
            tn_free(*string_field(p, &settings[i]));
    tn_free(p->root);
    tn_free(p->config_path);
    tn_free(p);
}

static bool file_exists(const char *folder, const char *name)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", folder, name) >= sizeof path) return false;
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Opens the project in dir, or the nearest one above the current folder. */
int tn_project_open(const char *dir, tn_project **out, tn_error *err)
{
    *out = NULL;
    char here[PATH_MAX];
    if (dir) {
        if (!realpath(dir, here))
            return tn_error_set(err, TN_ENOENT, "cannot use project folder '%s': %s", dir,
                                strerror(errno));
        if (!file_exists(here, TN_PROJECT_FILE))
            return tn_error_set(err, TN_ENOENT,
                                "'%s' is not a tarn project (it has no %s; run 'tarn init %s' "
                                "to make it one)", dir, TN_PROJECT_FILE, dir);
    } else {
        if (!getcwd(here, sizeof here))
            return tn_error_set(err, TN_EIO, "cannot tell the current folder: %s",
                                strerror(errno));
        for (;;) {
            if (file_exists(here, TN_PROJECT_FILE)) break;
            char *slash = strrchr(here, '/');
            if (!slash || slash == here) {
                if (file_exists("/", TN_PROJECT_FILE)) {
                    strcpy(here, "/");
                    break;
                }
                return tn_error_set(err, TN_ENOENT,
                                    "no tarn project here or in any folder above (run 'tarn "
                                    "init' to create one, or name one with -C DIR)");
            }
            *slash = '\0';
        }
    }
    tn_project *p = NULL;
    int rc = project_alloc(here, &p, err);
    if (rc < 0) return rc;
    rc = load_config(p, err);
    if (rc < 0) {
        tn_project_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

static int write_settings_file(const tn_project *p, const char *name, tn_error *err)
{
    tn_buf text = TN_BUF_INIT;
    int rc = tn_buf_append_cstr(&text,
                                "# tarn project settings. Every key is optional; the values "
                                "shown are the defaults.\n"
                                "# Relative paths are relative to this file's folder.\n");
    const char *section = "";
    size_t section_len = 0;
    for (size_t i = 0; i < SETTING_COUNT && rc == 0; i++) {
        const setting *s = &settings[i];
        const char *dot = strchr(s->key, '.');
        size_t len = dot ? (size_t)(dot - s->key) : 0;
        if (len != section_len || strncmp(section, s->key, len) != 0) {
            section = s->key;
            section_len = len;
            rc |= tn_buf_printf(&text, "\n%.*s%s", (int)len, s->key, len ? ":\n" : "");
        } else {
            rc |= tn_buf_putc(&text, '\n');
        }
        const char *indent = len ? "  " : "";
        for (const char *line = s->doc; *line;) {
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            rc |= tn_buf_printf(&text, "%s# %.*s\n", indent, (int)n, line);
            line += n + (nl ? 1 : 0);
        }
        const char *value = s->default_value ? s->default_value : name;
        rc |= tn_buf_printf(&text, "%s%s: %s\n", indent, len ? s->key + len + 1 : s->key, value);
    }
    if (rc) {
        tn_buf_free(&text);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_atomic_file file;
    rc = tn_atomic_file_open(&file, p->config_path, err);
    if (rc == 0) rc = tn_atomic_file_write(&file, text.data, text.len, err);
    if (rc == 0) rc = tn_atomic_file_commit(&file, err);
    else tn_atomic_file_abort(&file);
    tn_buf_free(&text);
    return rc;
}

static int make_folder(const char *root, const char *name, tn_error *err)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s%s%s", root, name ? "/" : "", name ? name : "") >=
        sizeof path)
        return tn_error_set(err, TN_ELIMIT, "path too long: '%s'", root);
    if (mkdir(path, 0777) < 0 && errno != EEXIST)
        return tn_error_set(err, TN_EIO, "cannot create folder '%s': %s", path, strerror(errno));
    return 0;
}

static int write_small_file(const char *root, const char *name, const char *text, tn_error *err)
{
    if (file_exists(root, name)) return 0;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", root, name) >= sizeof path)
        return tn_error_set(err, TN_ELIMIT, "path too long: '%s/%s'", root, name);
    tn_atomic_file file;
    int rc = tn_atomic_file_open(&file, path, err);
    if (rc == 0) rc = tn_atomic_file_write(&file, text, strlen(text), err);
    if (rc == 0) rc = tn_atomic_file_commit(&file, err);
    else tn_atomic_file_abort(&file);
    return rc;
}

/* Creates a project: tarn.yaml, .tarn/catalog.db, lake/ and the project folders. */
int tn_project_init(const char *dir, const char *name, tn_project **out, tn_error *err)
{
    *out = NULL;
    const char *target = dir ? dir : ".";
    int rc = make_folder(target, NULL, err);
    if (rc < 0) return rc;
    char root[PATH_MAX];
    if (!realpath(target, root))
        return tn_error_set(err, TN_EIO, "cannot use folder '%s': %s", target, strerror(errno));
    if (file_exists(root, TN_PROJECT_FILE))
        return tn_error_set(err, TN_EEXIST, "'%s' is already a tarn project (it has a %s)",
                            target, TN_PROJECT_FILE);
    tn_project *p = NULL;
    rc = project_alloc(root, &p, err);
    if (rc < 0) return rc;
    if (name) {
        char *copy = tn_strdup(name);
        if (!copy) {
            tn_project_free(p);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        tn_free(p->name);
        p->name = copy;
    }
    static const char *const folders[] = {".tarn", "lake", "sources", "models", "checks",
                                          "pipelines"};
    for (size_t i = 0; rc == 0 && i < sizeof folders / sizeof folders[0]; i++)
        rc = make_folder(root, folders[i], err);
    if (rc == 0)
        rc = write_small_file(root, ".gitignore",
                              "# local state and table data are not source\n.tarn/\nlake/\n", err);
    if (rc == 0) rc = write_settings_file(p, p->name, err);
    if (rc == 0) {
        tn_catalog *catalog = NULL;
        rc = tn_catalog_open(p->catalog_location, &catalog, err);
        tn_catalog_close(catalog);
    }
    if (rc < 0) {
        tn_project_free(p);
        return rc;
    }
    *out = p;
    return 0;
}
