/* SPDX-License-Identifier: Apache-2.0
 *
 * Lakes and tables: opening a lake over a store and a catalog, resolving metadata locations to
 * files (with path rewrites for tables written elsewhere), creating, loading and dropping
 * tables, and the commit protocol every table change goes through:
 *
 *   copy the current metadata -> apply the change (append / overwrite / evolve), writing any
 *   manifests and the manifest list -> write v<N+1>-<uuid>.metadata.json -> in one catalog
 *   transaction: compare-and-swap the table pointer, run the caller's callback -> commit.
 *
 * A lost race (TN_ECONFLICT from the swap) reloads the table and applies the change again on
 * top of the new metadata, a bounded number of times.
 */
#include "lake/lake_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>

#define DEFAULT_RETRIES 10

/* ------------------------------------------------------------------------------------------
 * Identifiers
 * ---------------------------------------------------------------------------------------- */

static void random_bytes(uint8_t *buf, size_t n)
{
    if (getrandom(buf, n, 0) == (ssize_t)n) return;
    /* No entropy source: mix the clock and the address space (still unique enough). */
    uint64_t seed = (uint64_t)tn_now_us() ^ (uint64_t)(uintptr_t)buf ^ (uint64_t)tn_monotonic_ns();
    for (size_t i = 0; i < n; i++) {
        seed = tn_hash_u64(seed + i);
        buf[i] = (uint8_t)seed;
    }
}

/* A random v4 UUID as text. */
void tn_lake_uuid(char out[37])
{
    uint8_t b[16];
    random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* A positive 63-bit id (Java's recipe: two halves of a random UUID XORed). */
int64_t tn_lake_random_id(void)
{
    uint64_t v = 0;
    while (v == 0) {
        uint8_t b[16];
        random_bytes(b, sizeof b);
        uint64_t hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | b[i];
            lo = lo << 8 | b[8 + i];
        }
        v = (hi ^ lo) & INT64_MAX;
    }
    return (int64_t)v;
}

/* ------------------------------------------------------------------------------------------
 * Lakes and locations
 * ---------------------------------------------------------------------------------------- */

/* Opens a lake. */
int tn_lake_open(tn_store *store, tn_catalog *catalog, tn_lake **out, tn_error *err)
{
    *out = NULL;
    tn_lake *lake = tn_calloc(1, sizeof *lake);
    if (!lake) return tn_error_set(err, TN_ENOMEM, "out of memory");
    lake->store = store;
    lake->catalog = catalog;
    if (store) {
        const char *loc = tn_store_location(store);
        if (strncmp(loc, "file://", 7) == 0) loc += 7;
        if (!strstr(loc, "://")) {
            char abs[PATH_MAX];
            if (!realpath(loc, abs)) {
                tn_free(lake);
                return tn_error_set(err, TN_EIO, "cannot resolve the lake folder '%s': %s", loc, strerror(errno));
            }
            lake->root = tn_strdup(abs);
        } else {
            lake->root = tn_strdup(tn_store_location(store));
        }
        if (!lake->root) {
            tn_free(lake);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        size_t n = strlen(lake->root);
        while (n > 1 && lake->root[n - 1] == '/') lake->root[--n] = '\0';
    }
    *out = lake;
    return 0;
}

/* Closes a lake. */
void tn_lake_close(tn_lake *lake)
{
    if (!lake) return;
    for (uint32_t i = 0; i < lake->rewrite_count; i++) {
        tn_free(lake->rewrites[i].from);
        tn_free(lake->rewrites[i].to);
    }
    tn_free(lake->rewrites);
    tn_free(lake->root);
    tn_free(lake);
}

/* Adds a location prefix rewrite. */
int tn_lake_add_path_rewrite(tn_lake *lake, const char *from, const char *to, tn_error *err)
{
    tn_lake_rewrite *r = tn_realloc(lake->rewrites, (lake->rewrite_count + 1) * sizeof *r);
    if (!r) return tn_error_set(err, TN_ENOMEM, "out of memory");
    lake->rewrites = r;
    r[lake->rewrite_count].from = tn_strdup(from);
    r[lake->rewrite_count].to = tn_strdup(to);
    if (!r[lake->rewrite_count].from || !r[lake->rewrite_count].to) {
        tn_free(r[lake->rewrite_count].from);
        tn_free(r[lake->rewrite_count].to);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    lake->rewrite_count++;
    return 0;
}

/* The local file for a location. */
int tn_lake_resolve_path(const tn_lake *lake, const char *location, char **path, tn_error *err)
{
    *path = NULL;
    const tn_lake_rewrite *best = NULL;
    for (uint32_t i = 0; lake && i < lake->rewrite_count; i++) {
        const tn_lake_rewrite *r = &lake->rewrites[i];
        size_t n = strlen(r->from);
        if (strncmp(location, r->from, n) == 0 && (!best || n > strlen(best->from))) best = r;
    }
    tn_buf b = TN_BUF_INIT;
    int rc;
    if (best) {
        rc = tn_buf_append_cstr(&b, best->to);
        if (rc == 0) rc = tn_buf_append_cstr(&b, location + strlen(best->from));
    } else {
        rc = tn_buf_append_cstr(&b, location);
    }
    if (rc < 0 || !tn_buf_cstr(&b)) {
        tn_buf_free(&b);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    char *p = b.data;
    const char *start = p;
    if (strncmp(p, "file://", 7) == 0) start = p + 7;
    else if (strncmp(p, "file:/", 6) == 0) start = p + 5;
    else if (strstr(p, "://")) {
        rc = tn_error_set(err, TN_EUNSUPPORTED, "location '%s' is not a local file (add a path rewrite for its prefix)", location);
        tn_buf_free(&b);
        return rc;
    }
    *path = tn_strdup(start);
    tn_buf_free(&b);
    return *path ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
}

/* Reads a whole file named by a location. */
int tn_lake_read_location(const tn_lake *lake, const char *location, char **data, size_t *len,
                          tn_error *err)
{
    char *path = NULL;
    int rc = tn_lake_resolve_path(lake, location, &path, err);
    if (rc < 0) return rc;
    rc = tn_file_read_all(path, data, len, err);
    tn_free(path);
    return rc;
}

/* The store key of a location, or NULL. */
char *tn_lake_location_key(const tn_lake *lake, const char *location)
{
    if (!lake->root) return NULL;
    char *path = NULL;
    tn_error err = {0};
    if (tn_lake_resolve_path(lake, location, &path, &err) < 0) {
        /* A remote store: compare the raw location with the root. */
        size_t n = strlen(lake->root);
        if (strncmp(location, lake->root, n) == 0 && location[n] == '/') return tn_strdup(location + n + 1);
        return NULL;
    }
    size_t n = strlen(lake->root);
    char *key = NULL;
    if (strncmp(path, lake->root, n) == 0 && path[n] == '/') key = tn_strdup(path + n + 1);
    tn_free(path);
    return key;
}

/* "file://<root>/<key>". */
char *tn_lake_key_location(const tn_lake *lake, const char *key)
{
    tn_buf b = TN_BUF_INIT;
    int rc = 0;
    if (lake->root && lake->root[0] == '/') rc = tn_buf_append_cstr(&b, "file://");
    if (rc == 0) rc = tn_buf_printf(&b, "%s/%s", lake->root ? lake->root : ".", key);
    if (rc < 0 || !tn_buf_cstr(&b)) {
        tn_buf_free(&b);
        return NULL;
    }
    return tn_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------------------------- */

/* A tarn schema of the primitive top-level fields, with field ids. */
tn_schema *tn_lake_schema_to_tn(const tn_iceberg_schema *schema)
{
    tn_schema *s = tn_schema_new();
    if (!s) return NULL;
    for (uint32_t i = 0; i < schema->field_count; i++) {
        const tn_iceberg_field *f = &schema->fields[i];
        tn_type t;
        if (!tn_iceberg_type_to_tn(&f->type, &t)) continue;
        if (tn_schema_add(s, f->name, t, !f->required) < 0) {
            tn_schema_unref(s);
            return NULL;
        }
        s->columns[s->column_count - 1].field_id = f->id;
    }
    return s;
}

/* Replaces a table's metadata (takes md and location). */
int tn_lake_table_set_metadata(tn_lake_table *table, tn_iceberg_metadata *md, char *location,
                               tn_error *err)
{
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(md);
    tn_schema *schema = cur ? tn_lake_schema_to_tn(cur) : tn_schema_new();
    if (!schema) {
        tn_iceberg_metadata_free(md);
        tn_free(location);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_iceberg_metadata_free(table->md);
    tn_schema_unref(table->schema);
    tn_free(table->metadata_location);
    table->md = md;
    table->schema = schema;
    table->metadata_location = location;
    return 0;
}

static int load_metadata_file(tn_lake *lake, const char *location, tn_iceberg_metadata **md,
                              tn_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = tn_lake_read_location(lake, location, &data, &len, err);
    if (rc < 0) return rc;
    rc = tn_iceberg_metadata_parse(data, len, location, md, err);
    tn_free(data);
    return rc;
}

static tn_lake_table *table_new(tn_lake *lake, const char *ns, const char *name)
{
    tn_lake_table *t = tn_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->lake = lake;
    t->name = tn_strdup(name);
    if (ns) {
        t->ns = tn_strdup(ns);
        size_t n = strlen(ns) + strlen(name) + 2;
        t->key_prefix = tn_malloc(n);
        if (t->key_prefix) snprintf(t->key_prefix, n, "%s/%s", ns, name);
    }
    if (!t->name || (ns && (!t->ns || !t->key_prefix))) {
        tn_lake_table_close(t);
        return NULL;
    }
    return t;
}

static bool name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 200) return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20) return false;
    return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Writes a metadata object as <prefix>/metadata/v<version>-<uuid>.metadata.json; returns its
 * absolute location. */
static int write_metadata_file(tn_lake_table *t, const tn_iceberg_metadata *md, int version,
                               char **location, tn_error *err)
{
    char uuid[37], key[1024];
    tn_lake_uuid(uuid);
    snprintf(key, sizeof key, "%s/metadata/v%d-%s.metadata.json", t->key_prefix, version, uuid);
    tn_buf json = TN_BUF_INIT;
    int rc = tn_iceberg_metadata_to_json(md, &json, err);
    if (rc == 0) rc = tn_store_put(t->lake->store, key, json.data, json.len, err);
    tn_buf_free(&json);
    if (rc < 0) return rc;
    *location = tn_lake_key_location(t->lake, key);
    return *location ? 0 : tn_error_set(err, TN_ENOMEM, "out of memory");
}

/* The N of ".../vN-....metadata.json" or ".../000NN-....metadata.json"; 0 when neither. */
static int metadata_version(const char *location)
{
    const char *base = strrchr(location, '/');
    base = base ? base + 1 : location;
    if (*base == 'v') base++;
    char *end = NULL;
    long v = strtol(base, &end, 10);
    if (end == base || v < 0 || v > INT32_MAX - 1) return 0;
    return (int)v;
}

static int add_partition_field(tn_iceberg_metadata *md, tn_iceberg_partition_spec *spec,
                               const tn_iceberg_schema *schema, const tn_lake_partition_def *def,
                               tn_error *err)
{
    const tn_iceberg_field *src = tn_iceberg_schema_field_by_name(schema, def->column);
    if (!src) {
        tn_error_set(err, TN_ENOENT, "partition column '%s' is not in the table", def->column);
        tn_error_set_key(err, def->column);
        return TN_ENOENT;
    }
    tn_transform tr = tn_transform_parse(def->transform ? def->transform : "identity");
    if (tr.kind == TN_TRANSFORM_UNKNOWN || tr.kind == TN_TRANSFORM_VOID || !tn_transform_applies(tr, &src->type)) {
        char tt[32];
        tn_error_set(err, TN_EINVAL, "transform '%s' cannot partition column '%s' of type %s",
                     def->transform ? def->transform : "identity", def->column,
                     tn_iceberg_type_format(&src->type, tt, sizeof tt));
        tn_error_set_key(err, def->column);
        return TN_EINVAL;
    }
    tn_iceberg_partition_field *f = tn_iceberg_grow(md, spec->fields, spec->field_count, sizeof *f);
    if (!f) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_iceberg_partition_field *pf = &f[spec->field_count];
    char text[32], name[300];
    tn_transform_format(tr, text, sizeof text);
    if (def->name) snprintf(name, sizeof name, "%s", def->name);
    else if (tr.kind == TN_TRANSFORM_IDENTITY) snprintf(name, sizeof name, "%s", src->name);
    else if (tr.kind == TN_TRANSFORM_BUCKET || tr.kind == TN_TRANSFORM_TRUNCATE)
        snprintf(name, sizeof name, "%s_%s", src->name, tr.kind == TN_TRANSFORM_BUCKET ? "bucket" : "trunc");
    else snprintf(name, sizeof name, "%s_%s", src->name, text);
    pf->source_id = src->id;
    pf->field_id = ++md->last_partition_id;
    pf->name = tn_iceberg_strdup(md, name);
    pf->transform_text = tn_iceberg_strdup(md, text);
    pf->transform = tr;
    if (!pf->name || !pf->transform_text) return tn_error_set(err, TN_ENOMEM, "out of memory");
    spec->fields = f;
    spec->field_count++;
    return 0;
}

/* Fills s with the columns of schema, new field ids from md->last_column_id + 1 on (1..n for a
 * new table). TN_EEXIST when a name appears twice. */
static int fill_schema(tn_iceberg_metadata *md, tn_iceberg_schema *s, const tn_schema *schema,
                       tn_error *err)
{
    s->fields = tn_arena_calloc(&md->arena, schema->column_count * sizeof *s->fields);
    if (!s->fields) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < schema->column_count; i++) {
        const tn_column *c = &schema->columns[i];
        for (uint32_t j = 0; j < i; j++)
            if (tn_str_eq_nocase(tn_str_c(schema->columns[j].name), tn_str_c(c->name))) {
                tn_error_set(err, TN_EEXIST, "column '%s' appears twice (names are case-insensitive)", c->name);
                tn_error_set_key(err, c->name);
                return TN_EEXIST;
            }
        tn_iceberg_field *f = &s->fields[i];
        f->id = ++md->last_column_id;
        f->name = tn_iceberg_strdup(md, c->name);
        f->required = !c->nullable;
        f->type = tn_iceberg_type_from_tn(c->type);
        if (!f->name) return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    s->field_count = schema->column_count;
    return 0;
}

/* Creates a table. */
int tn_lake_table_create(tn_lake *lake, const char *ns, const char *name, const tn_schema *schema,
                         const tn_lake_partition_def *partition, size_t partition_count,
                         const char *const *properties, tn_lake_table **out, tn_error *err)
{
    if (out) *out = NULL;
    if (!lake->catalog || !lake->store)
        return tn_error_set(err, TN_EUSAGE, "creating a table needs a lake with a store and a catalog");
    if (!name_ok(ns) || !name_ok(name))
        return tn_error_set(err, TN_EINVAL, "invalid table name '%s.%s' (no '/', not empty)", ns ? ns : "", name ? name : "");
    if (schema->column_count == 0) return tn_error_set(err, TN_EINVAL, "a table needs at least one column");
    char *existing = NULL;
    tn_error probe = {0};
    if (tn_catalog_table_get(lake->catalog, ns, name, &existing, &probe) == 0) {
        tn_free(existing);
        return tn_error_set(err, TN_EEXIST, "table '%s.%s' already exists", ns, name);
    }
    tn_lake_table *t = table_new(lake, ns, name);
    tn_iceberg_metadata *md = tn_calloc(1, sizeof *md);
    char *location = NULL;
    int rc = 0;
    if (!t || !md) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    tn_arena_init(&md->arena, 0);
    md->format_version = 2;
    tn_lake_uuid(md->table_uuid);
    md->location = tn_lake_key_location(lake, t->key_prefix);
    if (md->location) {
        char *l = tn_iceberg_strdup(md, md->location);
        tn_free(md->location);
        md->location = l;
    }
    md->last_updated_ms = tn_now_us() / 1000;
    md->schemas = tn_arena_calloc(&md->arena, sizeof *md->schemas);
    md->specs = tn_arena_calloc(&md->arena, sizeof *md->specs);
    md->sort_orders = tn_arena_calloc(&md->arena, sizeof *md->sort_orders);
    if (!md->location || !md->schemas || !md->specs || !md->sort_orders) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto fail;
    }
    md->schema_count = md->spec_count = md->sort_order_count = 1;
    md->last_partition_id = 999;
    rc = fill_schema(md, &md->schemas[0], schema, err);
    for (size_t i = 0; rc == 0 && i < partition_count; i++)
        rc = add_partition_field(md, &md->specs[0], &md->schemas[0], &partition[i], err);
    if (rc < 0) goto fail;
    for (size_t i = 0; properties && properties[i] && properties[i + 1]; i += 2) {
        rc = tn_iceberg_set_property(md, properties[i], properties[i + 1]);
        if (rc < 0) {
            tn_error_set(err, rc, "out of memory");
            goto fail;
        }
    }
    rc = tn_iceberg_set_property(md, "write.format.default", "parquet");
    if (rc == 0 && !tn_iceberg_metadata_property(md, "write.parquet.compression-codec"))
        rc = tn_iceberg_set_property(md, "write.parquet.compression-codec", "zstd");
    if (rc < 0) {
        tn_error_set(err, rc, "out of memory");
        goto fail;
    }
    rc = write_metadata_file(t, md, 1, &location, err);
    if (rc < 0) goto fail;
    rc = tn_catalog_table_create(lake->catalog, ns, name, location, err);
    if (rc < 0) goto fail;
    rc = tn_lake_table_set_metadata(t, md, location, err);
    md = NULL;
    location = NULL;
    if (rc < 0) goto fail;
    if (out) *out = t;
    else tn_lake_table_close(t);
    return 0;
fail:
    tn_free(location);
    tn_iceberg_metadata_free(md);
    tn_lake_table_close(t);
    return rc;
}

/* Loads a table through the catalog. */
int tn_lake_table_load(tn_lake *lake, const char *ns, const char *name, tn_lake_table **out,
                       tn_error *err)
{
    *out = NULL;
    if (!lake->catalog) return tn_error_set(err, TN_EUSAGE, "this lake has no catalog");
    tn_lake_table *t = table_new(lake, ns, name);
    if (!t) return tn_error_set(err, TN_ENOMEM, "out of memory");
    int rc = tn_lake_table_refresh(t, err);
    if (rc < 0) {
        tn_lake_table_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Re-reads the table's current metadata. */
int tn_lake_table_refresh(tn_lake_table *t, tn_error *err)
{
    if (!t->ns) return 0;
    char *location = NULL;
    int rc = tn_catalog_table_get(t->lake->catalog, t->ns, t->name, &location, err);
    if (rc < 0) return rc;
    if (t->metadata_location && strcmp(location, t->metadata_location) == 0) {
        tn_free(location);
        return 0;
    }
    tn_iceberg_metadata *md = NULL;
    rc = load_metadata_file(t->lake, location, &md, err);
    if (rc < 0) {
        tn_free(location);
        return rc;
    }
    return tn_lake_table_set_metadata(t, md, location, err);
}

typedef struct best_version {
    int version;
    char *name;
} best_version;

static bool is_metadata_json(const char *name)
{
    size_t n = strlen(name);
    return n > 14 && strcmp(name + n - 14, ".metadata.json") == 0;
}

/* Finds the newest metadata file of a table folder. */
static int find_current_metadata(const char *folder, char **path, tn_error *err)
{
    char meta[PATH_MAX], hint_path[PATH_MAX];
    if (snprintf(meta, sizeof meta, "%s/metadata", folder) >= (int)sizeof meta ||
        snprintf(hint_path, sizeof hint_path, "%s/version-hint.text", meta) >= (int)sizeof hint_path)
        return tn_error_set_at(err, TN_ELIMIT, folder, 0, 0, "path too long");
    int hint = -1;
    char *hint_text = NULL;
    size_t hint_len = 0;
    tn_error ignore = {0};
    if (tn_file_read_all(hint_path, &hint_text, &hint_len, &ignore) == 0) {
        tn_str s = tn_str_trim(tn_str_make(hint_text, hint_len));
        int32_t v;
        if (tn_parse_int32(s.ptr, s.len, &v) && v >= 0) hint = v;
        tn_free(hint_text);
    }
    DIR *dir = opendir(meta);
    if (!dir) return tn_error_set_at(err, TN_ENOENT, meta, 0, 0, "not a table folder (no metadata/ folder)");
    best_version best = {-1, NULL}, hinted = {-1, NULL};
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(dir))) {
        if (!is_metadata_json(de->d_name)) continue;
        char full[PATH_MAX];
        if (snprintf(full, sizeof full, "%s/%s", meta, de->d_name) >= (int)sizeof full) continue;
        int v = metadata_version(full);
        const char *base = de->d_name;
        /* Files without a version number ("<uuid>.metadata.json") rank lowest. */
        if (!((base[0] == 'v' && base[1] >= '0' && base[1] <= '9') || (base[0] >= '0' && base[0] <= '9'))) v = -1;
        bool better = v > best.version || (v == best.version && best.name && strcmp(de->d_name, best.name) > 0);
        if (better || !best.name) {
            char *n = tn_strdup(de->d_name);
            if (!n) {
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                break;
            }
            tn_free(best.name);
            best.name = n;
            best.version = v;
        }
        if (hint >= 0 && v == hint && !hinted.name) {
            hinted.name = tn_strdup(de->d_name);
            hinted.version = v;
        }
    }
    closedir(dir);
    if (rc == 0 && !best.name) rc = tn_error_set_at(err, TN_ENOENT, meta, 0, 0, "no *.metadata.json file in the table folder");
    if (rc == 0) {
        const char *chosen = hinted.name ? hinted.name : best.name;
        size_t n = strlen(meta) + strlen(chosen) + 2;
        *path = tn_malloc(n);
        if (*path) snprintf(*path, n, "%s/%s", meta, chosen);
        else rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_free(best.name);
    tn_free(hinted.name);
    return rc;
}

/* Loads a table from a metadata file or a table folder. */
int tn_lake_table_load_path(tn_lake *lake, const char *path, tn_lake_table **out, tn_error *err)
{
    *out = NULL;
    char *local = NULL;
    int rc = tn_lake_resolve_path(lake, path, &local, err);
    if (rc < 0) return rc;
    struct stat st;
    char *file = NULL;
    if (stat(local, &st) < 0) {
        rc = tn_error_set_at(err, TN_ENOENT, local, 0, 0, "cannot open the table: %s", strerror(errno));
        tn_free(local);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(local);
        while (n > 1 && local[n - 1] == '/') local[--n] = '\0';
        rc = find_current_metadata(local, &file, err);
        if (rc < 0) {
            tn_free(local);
            return rc;
        }
    } else {
        file = local;
        local = NULL;
    }
    /* The table's name: its folder (the parent of metadata/). */
    char name[256] = "table";
    const char *src = local ? local : file;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", src);
    if (!local) {
        char *slash = strrchr(tmp, '/');
        if (slash) *slash = '\0';
        slash = strrchr(tmp, '/');
        if (slash && strcmp(slash + 1, "metadata") == 0) *slash = '\0';
    }
    const char *base = strrchr(tmp, '/');
    if (snprintf(name, sizeof name, "%s", base ? base + 1 : tmp) >= (int)sizeof name) name[sizeof name - 1] = '\0';
    tn_free(local);
    tn_lake_table *t = table_new(lake, NULL, name);
    tn_iceberg_metadata *md = NULL;
    if (!t) {
        tn_free(file);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    char *data = NULL;
    size_t len = 0;
    rc = tn_file_read_all(file, &data, &len, err);
    if (rc == 0) rc = tn_iceberg_metadata_parse(data, len, file, &md, err);
    tn_free(data);
    if (rc == 0) {
        rc = tn_lake_table_set_metadata(t, md, file, err);
        file = NULL;
    }
    tn_free(file);
    if (rc < 0) {
        tn_lake_table_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Closes a table. */
static void clear_staged(tn_lake_table *t);

void tn_lake_table_close(tn_lake_table *t)
{
    if (!t) return;
    clear_staged(t);
    tn_iceberg_metadata_free(t->md);
    tn_schema_unref(t->schema);
    tn_free(t->metadata_location);
    tn_free(t->ns);
    tn_free(t->name);
    tn_free(t->key_prefix);
    tn_free(t);
}

const tn_iceberg_metadata *tn_lake_table_metadata(const tn_lake_table *t) { return t->md; }
const char *tn_lake_table_metadata_location(const tn_lake_table *t) { return t->metadata_location; }
const char *tn_lake_table_namespace(const tn_lake_table *t) { return t->ns; }
const char *tn_lake_table_name(const tn_lake_table *t) { return t->name; }
const tn_schema *tn_lake_table_schema(const tn_lake_table *t) { return t->schema; }

typedef struct purge_ctx {
    tn_store *store;
    tn_error *err;
    int rc;
} purge_ctx;

static int purge_one(void *ctx, const tn_store_entry *e)
{
    purge_ctx *p = ctx;
    int rc = tn_store_remove(p->store, e->key, p->err);
    if (rc < 0 && p->rc == 0) p->rc = rc;
    return 0;
}

/* Drops a table (and its files with purge). */
int tn_lake_table_drop(tn_lake *lake, const char *ns, const char *name, bool purge, tn_error *err)
{
    if (!lake->catalog) return tn_error_set(err, TN_EUSAGE, "this lake has no catalog");
    char *location = NULL;
    int rc = tn_catalog_table_get(lake->catalog, ns, name, &location, err);
    if (rc < 0) return rc;
    tn_free(location);
    rc = tn_catalog_table_drop(lake->catalog, ns, name, err);
    if (rc < 0 || !purge || !lake->store) return rc;
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/%s/", ns, name);
    purge_ctx p = {lake->store, err, 0};
    rc = tn_store_list(lake->store, prefix, purge_one, &p, err);
    return rc < 0 ? rc : p.rc;
}

/* Tables in the catalog. */
int tn_lake_table_list(tn_lake *lake, const char *ns, tn_catalog_table_fn fn, void *ctx,
                       tn_error *err)
{
    if (!lake->catalog) return tn_error_set(err, TN_EUSAGE, "this lake has no catalog");
    return tn_catalog_table_list(lake->catalog, ns, fn, ctx, err);
}

/* ------------------------------------------------------------------------------------------
 * Manifest loading shared by scans, commits and maintenance
 * ---------------------------------------------------------------------------------------- */

/* The manifest list of a snapshot. */
int tn_lake_snapshot_manifests(const tn_lake *lake, const tn_iceberg_metadata *md,
                               const tn_iceberg_snapshot *snap, tn_manifest_list **out,
                               tn_error *err)
{
    *out = NULL;
    if (snap->manifest_list) {
        char *data = NULL;
        size_t len = 0;
        int rc = tn_lake_read_location(lake, snap->manifest_list, &data, &len, err);
        if (rc < 0) return rc;
        rc = tn_manifest_list_decode(data, len, snap->manifest_list, out, err);
        tn_free(data);
        return rc;
    }
    /* v1 snapshots may list manifests inline: build list entries with defaults. */
    tn_manifest_list *list = tn_calloc(1, sizeof *list);
    if (!list) return tn_error_set(err, TN_ENOMEM, "out of memory");
    tn_arena_init(&list->arena, 0);
    list->manifests = tn_arena_calloc(&list->arena, (snap->manifest_count + 1) * sizeof *list->manifests);
    if (!list->manifests) {
        tn_manifest_list_free(list);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < snap->manifest_count; i++) {
        tn_manifest_file *mf = &list->manifests[i];
        mf->manifest_path = tn_arena_strdup(&list->arena, snap->manifests[i]);
        mf->partition_spec_id = md->default_spec_id;
        mf->added_snapshot_id = snap->snapshot_id;
        mf->added_files_count = mf->existing_files_count = mf->deleted_files_count = -1;
        mf->added_rows_count = mf->existing_rows_count = mf->deleted_rows_count = -1;
        if (!mf->manifest_path) {
            tn_manifest_list_free(list);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
    }
    list->count = snap->manifest_count;
    *out = list;
    return 0;
}

/* One manifest, decoded with its spec and the current schema. */
int tn_lake_load_manifest(const tn_lake *lake, const tn_iceberg_metadata *md,
                          const tn_manifest_file *mf, tn_manifest **out, tn_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = tn_lake_read_location(lake, mf->manifest_path, &data, &len, err);
    if (rc < 0) return rc;
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, mf->partition_spec_id);
    rc = tn_manifest_decode(data, len, mf->manifest_path, mf, spec,
                            tn_iceberg_metadata_current_schema(md), out, err);
    tn_free(data);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Commits
 * ---------------------------------------------------------------------------------------- */

/* Runs one change through the commit protocol (see the file comment). */
int tn_lake_commit(tn_lake_table *t, tn_lake_change_fn change, void *ctx,
                   const tn_lake_commit_options *opts, int64_t *snapshot_id, tn_error *err)
{
    if (!t->ns || !t->lake->catalog || !t->lake->store)
        return tn_error_set(err, TN_EUSAGE, "table '%s' was loaded from a path and is read only", t->name);
    int retries = opts && opts->max_retries > 0 ? opts->max_retries : DEFAULT_RETRIES;
    int rc = 0;
    for (int attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) {
            rc = tn_lake_table_refresh(t, err);
            if (rc < 0) return rc;
        }
        tn_iceberg_metadata *md = tn_iceberg_metadata_copy(t->md);
        if (!md) return tn_error_set(err, TN_ENOMEM, "out of memory");
        md->format_version = 2;
        int64_t snap = 0;
        rc = change(ctx, t, md, attempt, &snap, err);
        if (rc < 0) {
            tn_iceberg_metadata_free(md);
            return rc;
        }
        md->last_updated_ms = tn_now_us() / 1000;
        if (md->last_updated_ms < t->md->last_updated_ms) md->last_updated_ms = t->md->last_updated_ms;
        /* The metadata log lists the file this one replaces. */
        tn_iceberg_metadata_log_entry *log = tn_iceberg_grow(md, md->metadata_log, md->metadata_log_count, sizeof *log);
        if (!log) {
            tn_iceberg_metadata_free(md);
            return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
        log[md->metadata_log_count].timestamp_ms = t->md->last_updated_ms;
        log[md->metadata_log_count].metadata_file = tn_iceberg_strdup(md, t->metadata_location);
        md->metadata_log = log;
        md->metadata_log_count++;
        char *location = NULL;
        rc = write_metadata_file(t, md, metadata_version(t->metadata_location) + 1, &location, err);
        if (rc < 0) {
            tn_iceberg_metadata_free(md);
            return rc;
        }
        rc = tn_catalog_begin(t->lake->catalog, err);
        if (rc == 0) rc = tn_catalog_table_swap(t->lake->catalog, t->ns, t->name, t->metadata_location, location, err);
        if (rc == 0 && opts && opts->in_transaction) rc = opts->in_transaction(opts->ctx, t->lake->catalog, snap, err);
        if (rc == 0) rc = tn_catalog_commit(t->lake->catalog, err);
        if (rc == 0) {
            rc = tn_lake_table_set_metadata(t, md, location, err);
            if (rc == 0 && snapshot_id) *snapshot_id = snap;
            return rc;
        }
        tn_catalog_rollback(t->lake->catalog);
        tn_iceberg_metadata_free(md);
        /* The metadata file we wrote is now garbage; remove it rather than wait for vacuum. */
        char *key = tn_lake_location_key(t->lake, location);
        if (key) {
            tn_error ignore = {0};
            tn_store_remove(t->lake->store, key, &ignore);
            tn_free(key);
        }
        tn_free(location);
        if (rc != TN_ECONFLICT) return rc;
        tn_log(TN_LOG_DEBUG, "lake: commit to %s.%s lost a race (attempt %d); re-basing", t->ns, t->name, attempt + 1);
    }
    return tn_error_set(err, TN_ECONFLICT, "table '%s.%s' kept changing; gave up after %d attempts", t->ns, t->name,
                        retries + 1);
}

/* Summary helpers */
static int64_t summary_i64(const tn_iceberg_snapshot *s, const char *key)
{
    const char *v = s ? tn_iceberg_snapshot_summary(s, key) : NULL;
    int64_t n = 0;
    if (v && tn_parse_int64(v, strlen(v), &n)) return n;
    return 0;
}

static int add_summary(tn_iceberg_metadata *md, tn_iceberg_snapshot *s, const char *key, const char *value)
{
    tn_iceberg_kv *kv = tn_iceberg_grow(md, s->summary, s->summary_count, sizeof *kv);
    if (!kv) return TN_ENOMEM;
    kv[s->summary_count].key = tn_iceberg_strdup(md, key);
    kv[s->summary_count].value = tn_iceberg_strdup(md, value);
    if (!kv[s->summary_count].key || !kv[s->summary_count].value) return TN_ENOMEM;
    s->summary = kv;
    s->summary_count++;
    return 0;
}

static int add_summary_i64(tn_iceberg_metadata *md, tn_iceberg_snapshot *s, const char *key, int64_t v)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)v);
    return add_summary(md, s, key, text);
}

/* Builds the partition summaries of a manifest from its entries. */
static int summarise_partitions(tn_arena *arena, const tn_iceberg_partition_spec *spec,
                                const tn_manifest_entry *entries, size_t count, tn_manifest_file *mf)
{
    if (!spec || spec->field_count == 0) return 0;
    mf->partitions = tn_arena_calloc(arena, spec->field_count * sizeof *mf->partitions);
    if (!mf->partitions) return TN_ENOMEM;
    mf->partition_count = spec->field_count;
    for (uint32_t j = 0; j < spec->field_count; j++) {
        tn_field_summary *fs = &mf->partitions[j];
        const tn_iceberg_value *lo = NULL, *hi = NULL;
        bool nan = false;
        for (size_t i = 0; i < count; i++) {
            const tn_iceberg_data_file *f = &entries[i].file;
            if (j >= f->partition_count || f->partition[j].is_null) {
                fs->contains_null = true;
                continue;
            }
            const tn_iceberg_value *v = &f->partition[j];
            if ((v->kind == TN_ICEBERG_DOUBLE && v->v.d != v->v.d) || (v->kind == TN_ICEBERG_FLOAT && v->v.f != v->v.f)) {
                nan = true;
                continue;
            }
            if (!lo || tn_iceberg_value_cmp(v, lo) < 0) lo = v;
            if (!hi || tn_iceberg_value_cmp(v, hi) > 0) hi = v;
        }
        fs->contains_nan = (int8_t)nan;
        const tn_iceberg_value *ends[2] = {lo, hi};
        for (int e = 0; e < 2; e++) {
            if (!ends[e]) continue;
            tn_buf b = TN_BUF_INIT;
            if (tn_iceberg_value_to_bytes(ends[e], &b) < 0) {
                tn_buf_free(&b);
                return TN_ENOMEM;
            }
            char *p = tn_arena_alloc(arena, b.len + 1);
            if (!p) {
                tn_buf_free(&b);
                return TN_ENOMEM;
            }
            if (b.len) memcpy(p, b.data, b.len);
            if (e == 0) {
                fs->lower = tn_str_make(p, b.len);
                fs->has_lower = true;
            } else {
                fs->upper = tn_str_make(p, b.len);
                fs->has_upper = true;
            }
            tn_buf_free(&b);
        }
    }
    return 0;
}

/* Writes one manifest of entries; fills mf (strings in arena). */
static int write_manifest(tn_lake_table *t, tn_arena *arena, const tn_iceberg_schema *schema,
                          const tn_iceberg_partition_spec *spec, uint8_t content,
                          const tn_manifest_entry *entries, size_t count, int64_t snapshot_id,
                          tn_manifest_file *mf, tn_error *err)
{
    tn_buf avro = TN_BUF_INIT;
    char uuid[37], key[1024];
    tn_lake_uuid(uuid);
    snprintf(key, sizeof key, "%s/metadata/%s-m0.avro", t->key_prefix, uuid);
    int rc = tn_manifest_encode(schema, spec, content, entries, count, &avro, err);
    if (rc == 0) rc = tn_store_put(t->lake->store, key, avro.data, avro.len, err);
    size_t length = avro.len;
    tn_buf_free(&avro);
    if (rc < 0) return rc;
    memset(mf, 0, sizeof *mf);
    char *loc = tn_lake_key_location(t->lake, key);
    mf->manifest_path = loc ? tn_arena_strdup(arena, loc) : NULL;
    tn_free(loc);
    if (!mf->manifest_path) return tn_error_set(err, TN_ENOMEM, "out of memory");
    mf->manifest_length = (int64_t)length;
    mf->partition_spec_id = spec ? spec->spec_id : 0;
    mf->content = content ? 1 : 0;
    mf->added_snapshot_id = snapshot_id;
    for (size_t i = 0; i < count; i++) {
        const tn_manifest_entry *e = &entries[i];
        if (e->status == TN_ENTRY_ADDED) {
            mf->added_files_count++;
            mf->added_rows_count += e->file.record_count;
        } else if (e->status == TN_ENTRY_EXISTING) {
            mf->existing_files_count++;
            mf->existing_rows_count += e->file.record_count;
        } else {
            mf->deleted_files_count++;
            mf->deleted_rows_count += e->file.record_count;
        }
    }
    rc = summarise_partitions(arena, spec, entries, count, mf);
    return rc < 0 ? tn_error_set(err, rc, "out of memory") : 0;
}

/* Shared state of an append or overwrite across attempts. */
typedef struct snapshot_change {
    bool overwrite;
    const tn_iceberg_data_file *files;
    size_t count;
    const tn_lake_commit_options *opts;
    tn_arena arena;            /* manifests written once, reused by every attempt */
    bool data_manifest_written;
    tn_manifest_file data_manifest;
    int64_t snapshot_id;
    bool has_base;             /* overwrite: the snapshot the caller saw */
    int64_t base_snapshot_id;
} snapshot_change;

typedef struct evolve_change {
    const tn_lake_schema_change *changes;
    size_t count;
} evolve_change;

static int apply_evolve(void *ctx, tn_lake_table *t, tn_iceberg_metadata *md, int attempt,
                        int64_t *snapshot_id, tn_error *err);

/* Whether two schemas have the same fields (ids, names, optionality, types) in the same order. */
static bool same_fields(const tn_iceberg_schema *a, const tn_iceberg_schema *b)
{
    if (!a || !b || a->field_count != b->field_count) return false;
    for (uint32_t i = 0; i < a->field_count; i++) {
        const tn_iceberg_field *x = &a->fields[i], *y = &b->fields[i];
        char tx[64], ty[64];
        if (x->id != y->id || x->required != y->required || strcmp(x->name, y->name) != 0 ||
            strcmp(tn_iceberg_type_format(&x->type, tx, sizeof tx), tn_iceberg_type_format(&y->type, ty, sizeof ty)))
            return false;
    }
    return true;
}

/* Puts the staged schema changes into md, the metadata a snapshot is being committed on. On
 * the first attempt md already has them (it is a copy of the table's in-memory state); after
 * a lost race md is the winner's, and the changes are applied again, which gives the same
 * field ids only when the winner did not change the schema. A winner that made exactly the
 * same change is fine too. */
static int reapply_staged(tn_lake_table *t, tn_iceberg_metadata *md, tn_error *err)
{
    if (!t->staged_count && !t->staged_replace) return 0;
    const tn_iceberg_schema *want = tn_iceberg_metadata_current_schema(t->staged_md);
    if (same_fields(tn_iceberg_metadata_current_schema(md), want) &&
        (!t->staged_replace || md->default_spec_id == t->staged_md->default_spec_id))
        return 0;
    /* a replacement is not re-applied on another writer's metadata: the rows were written for
     * this one */
    if (!t->staged_replace && md->current_schema_id == t->staged_base_schema_id &&
        md->last_column_id == t->staged_base_last_column_id) {
        evolve_change c = {t->staged, t->staged_count};
        int rc = apply_evolve(&c, t, md, 0, NULL, err);
        if (rc < 0) return rc;
        if (same_fields(tn_iceberg_metadata_current_schema(md), want)) return 0;
    }
    return tn_error_set(err, TN_ECONFLICT, "the schema of table '%s.%s' was changed by another writer while this one "
                        "wrote data under a new schema; nothing was committed (run the command again)", t->ns, t->name);
}

/* Forgets the staged changes (committed, or the table closed). */
static void clear_staged(tn_lake_table *t)
{
    for (size_t i = 0; i < t->staged_count; i++) {
        tn_free((char *)t->staged[i].column);
        tn_free((char *)t->staged[i].new_name);
    }
    tn_free(t->staged);
    t->staged = NULL;
    t->staged_count = 0;
    tn_iceberg_metadata_free(t->staged_md);
    t->staged_md = NULL;
    t->staged_replace = false;
}

static int apply_snapshot_change(void *ctx, tn_lake_table *t, tn_iceberg_metadata *md, int attempt,
                                 int64_t *snapshot_id, tn_error *err)
{
    snapshot_change *c = ctx;
    (void)attempt;
    int src = reapply_staged(t, md, err);
    if (src < 0) return src;
    const tn_iceberg_snapshot *parent = tn_iceberg_metadata_current_snapshot(md);
    if (c->overwrite) {
        bool same = (!parent && !c->has_base) || (parent && c->has_base && parent->snapshot_id == c->base_snapshot_id);
        if (!same)
            return tn_error_set(err, TN_ECONFLICT, "table '%s.%s' got new data while it was being overwritten; "
                                "run the overwrite again", t->ns, t->name);
    }
    const tn_iceberg_schema *schema = tn_iceberg_metadata_current_schema(md);
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
    int64_t seq = md->last_sequence_number + 1;
    int rc = 0;
    if (c->snapshot_id == 0 || tn_iceberg_metadata_snapshot(md, c->snapshot_id)) c->snapshot_id = tn_lake_random_id();
    int64_t added_records = 0, added_size = 0;
    for (size_t i = 0; i < c->count; i++) {
        added_records += c->files[i].record_count;
        added_size += c->files[i].file_size_in_bytes;
    }
    /* The new files' manifest is written once: its entries inherit sequence numbers. */
    if (!c->data_manifest_written && c->count > 0) {
        tn_manifest_entry *entries = tn_calloc(c->count, sizeof *entries);
        if (!entries) return tn_error_set(err, TN_ENOMEM, "out of memory");
        for (size_t i = 0; i < c->count; i++) {
            entries[i].status = TN_ENTRY_ADDED;
            entries[i].snapshot_id = c->snapshot_id;
            entries[i].file = c->files[i];
        }
        rc = write_manifest(t, &c->arena, schema, spec, TN_CONTENT_DATA, entries, c->count, c->snapshot_id,
                            &c->data_manifest, err);
        tn_free(entries);
        if (rc < 0) return rc;
        c->data_manifest_written = true;
    }
    tn_arena scratch;
    tn_arena_init(&scratch, 0);
    tn_manifest_file *list = NULL;
    size_t list_count = 0, list_cap = 0;
    int64_t deleted_files = 0, deleted_records = 0, removed_size = 0, deleted_delete_files = 0;
    tn_manifest_list *parent_list = NULL;
    if (c->data_manifest_written) {
        list_cap = 8;
        list = tn_calloc(list_cap, sizeof *list);
        if (!list) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto done;
        }
        list[0] = c->data_manifest;
        list[0].sequence_number = seq;
        list[0].min_sequence_number = seq;
        list[0].added_snapshot_id = c->snapshot_id;
        list_count = 1;
    }
    if (parent) {
        rc = tn_lake_snapshot_manifests(t->lake, md, parent, &parent_list, err);
        if (rc < 0) goto done;
        for (uint32_t i = 0; i < parent_list->count; i++) {
            tn_manifest_file *pm = &parent_list->manifests[i];
            if (!c->overwrite) {
                if (list_count == list_cap) {
                    list_cap = list_cap ? list_cap * 2 : 8;
                    tn_manifest_file *nl = tn_realloc(list, list_cap * sizeof *nl);
                    if (!nl) {
                        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                        goto done;
                    }
                    list = nl;
                }
                list[list_count++] = *pm;
                continue;
            }
            /* Overwrite: every live file of the parent becomes a DELETED entry. */
            tn_manifest *m = NULL;
            rc = tn_lake_load_manifest(t->lake, md, pm, &m, err);
            if (rc < 0) goto done;
            size_t live = 0;
            for (uint32_t j = 0; j < m->count; j++)
                if (m->entries[j].status != TN_ENTRY_DELETED) m->entries[live++] = m->entries[j];
            if (live == 0) {
                tn_manifest_free(m);
                continue;
            }
            for (size_t j = 0; j < live; j++) {
                tn_manifest_entry *e = &m->entries[j];
                e->status = TN_ENTRY_DELETED;
                e->snapshot_id = c->snapshot_id;
                e->explicit_sequence = true;
                if (e->file.content == TN_CONTENT_DATA) {
                    deleted_files++;
                    deleted_records += e->file.record_count;
                } else {
                    deleted_delete_files++;
                }
                removed_size += e->file.file_size_in_bytes;
            }
            if (list_count == list_cap) {
                list_cap = list_cap ? list_cap * 2 : 8;
                tn_manifest_file *nl = tn_realloc(list, list_cap * sizeof *nl);
                if (!nl) {
                    tn_manifest_free(m);
                    rc = tn_error_set(err, TN_ENOMEM, "out of memory");
                    goto done;
                }
                list = nl;
            }
            const tn_iceberg_partition_spec *mspec = tn_iceberg_metadata_spec(md, pm->partition_spec_id);
            /* the parent's schema knows the source columns of the parent's specs (a replaced
             * table's new schema does not) */
            const tn_iceberg_schema *mschema =
                parent->has_schema_id ? tn_iceberg_metadata_schema(md, parent->schema_id) : NULL;
            tn_manifest_file *nm = &list[list_count];
            rc = write_manifest(t, &scratch, mschema ? mschema : schema, mspec, pm->content, m->entries, live,
                                c->snapshot_id, nm, err);
            if (rc == 0) {
                nm->sequence_number = seq;
                int64_t min_seq = INT64_MAX;
                for (size_t j = 0; j < live; j++)
                    if (m->entries[j].sequence_number < min_seq) min_seq = m->entries[j].sequence_number;
                nm->min_sequence_number = min_seq == INT64_MAX ? seq : min_seq;
                list_count++;
            }
            tn_manifest_free(m);
            if (rc < 0) goto done;
        }
    }
    /* The manifest list: a new one for every attempt (sequence numbers differ). */
    char uuid[37], key[1024];
    tn_lake_uuid(uuid);
    snprintf(key, sizeof key, "%s/metadata/snap-%lld-%d-%s.avro", t->key_prefix, (long long)c->snapshot_id, attempt + 1, uuid);
    tn_buf avro = TN_BUF_INIT;
    rc = tn_manifest_list_encode(c->snapshot_id, parent != NULL, parent ? parent->snapshot_id : 0, seq, list,
                                 list_count, &avro, err);
    if (rc == 0) rc = tn_store_put(t->lake->store, key, avro.data, avro.len, err);
    tn_buf_free(&avro);
    if (rc < 0) goto done;

    tn_iceberg_snapshot *snaps = tn_iceberg_grow(md, md->snapshots, md->snapshot_count, sizeof *snaps);
    if (!snaps) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    parent = tn_iceberg_metadata_current_snapshot(md); /* pointer into the old array */
    tn_iceberg_snapshot *s = &snaps[md->snapshot_count];
    int64_t parent_records = c->overwrite ? 0 : summary_i64(parent, "total-records");
    int64_t parent_files = c->overwrite ? 0 : summary_i64(parent, "total-data-files");
    int64_t parent_size = c->overwrite ? 0 : summary_i64(parent, "total-files-size");
    int64_t parent_deletes = c->overwrite ? 0 : summary_i64(parent, "total-delete-files");
    int64_t parent_pos = c->overwrite ? 0 : summary_i64(parent, "total-position-deletes");
    int64_t parent_eq = c->overwrite ? 0 : summary_i64(parent, "total-equality-deletes");
    s->snapshot_id = c->snapshot_id;
    s->has_parent = parent != NULL;
    s->parent_snapshot_id = parent ? parent->snapshot_id : 0;
    s->sequence_number = seq;
    s->timestamp_ms = tn_now_us() / 1000;
    if (parent && s->timestamp_ms < parent->timestamp_ms) s->timestamp_ms = parent->timestamp_ms;
    char *loc = tn_lake_key_location(t->lake, key);
    s->manifest_list = loc ? tn_iceberg_strdup(md, loc) : NULL;
    tn_free(loc);
    s->has_schema_id = true;
    s->schema_id = md->current_schema_id;
    if (!s->manifest_list) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    md->snapshots = snaps;
    md->snapshot_count++;
    int bad = add_summary(md, s, "operation", c->overwrite ? "overwrite" : "append");
    bad |= add_summary_i64(md, s, "added-data-files", (int64_t)c->count);
    bad |= add_summary_i64(md, s, "added-records", added_records);
    bad |= add_summary_i64(md, s, "added-files-size", added_size);
    if (c->overwrite) {
        bad |= add_summary_i64(md, s, "deleted-data-files", deleted_files);
        bad |= add_summary_i64(md, s, "deleted-records", deleted_records);
        bad |= add_summary_i64(md, s, "removed-files-size", removed_size);
        bad |= add_summary_i64(md, s, "removed-delete-files", deleted_delete_files);
    }
    bad |= add_summary_i64(md, s, "changed-partition-count", c->count ? 1 : 0);
    bad |= add_summary_i64(md, s, "total-records", parent_records + added_records);
    bad |= add_summary_i64(md, s, "total-files-size", parent_size + added_size);
    bad |= add_summary_i64(md, s, "total-data-files", parent_files + (int64_t)c->count);
    bad |= add_summary_i64(md, s, "total-delete-files", parent_deletes);
    bad |= add_summary_i64(md, s, "total-position-deletes", parent_pos);
    bad |= add_summary_i64(md, s, "total-equality-deletes", parent_eq);
    bad |= add_summary(md, s, "engine-name", "tarn");
    bad |= add_summary(md, s, "engine-version", TARN_VERSION);
    for (size_t i = 0; c->opts && c->opts->summary && c->opts->summary[i] && c->opts->summary[i + 1]; i += 2)
        bad |= add_summary(md, s, c->opts->summary[i], c->opts->summary[i + 1]);
    md->last_sequence_number = seq;
    md->has_current_snapshot = true;
    md->current_snapshot_id = s->snapshot_id;
    bool has_main = false;
    for (uint32_t i = 0; i < md->ref_count; i++)
        if (strcmp(md->refs[i].name, "main") == 0) {
            md->refs[i].snapshot_id = s->snapshot_id;
            has_main = true;
        }
    if (!has_main) {
        tn_iceberg_ref *refs = tn_iceberg_grow(md, md->refs, md->ref_count, sizeof *refs);
        if (refs) {
            refs[md->ref_count].name = tn_iceberg_strdup(md, "main");
            refs[md->ref_count].snapshot_id = s->snapshot_id;
            md->refs = refs;
            md->ref_count++;
        }
        bad |= !refs || !refs[md->ref_count - 1].name;
    }
    tn_iceberg_snapshot_log_entry *slog = tn_iceberg_grow(md, md->snapshot_log, md->snapshot_log_count, sizeof *slog);
    if (slog) {
        slog[md->snapshot_log_count].timestamp_ms = s->timestamp_ms;
        slog[md->snapshot_log_count].snapshot_id = s->snapshot_id;
        md->snapshot_log = slog;
        md->snapshot_log_count++;
    }
    bad |= !slog;
    if (bad) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    *snapshot_id = s->snapshot_id;
done:
    tn_manifest_list_free(parent_list);
    tn_free(list);
    tn_arena_free(&scratch);
    return rc;
}

static int snapshot_commit(tn_lake_table *t, bool overwrite, const tn_iceberg_data_file *files, size_t count,
                           const tn_lake_commit_options *opts, int64_t *snapshot_id, tn_error *err)
{
    snapshot_change c = {0};
    c.overwrite = overwrite;
    c.files = files;
    c.count = count;
    c.opts = opts;
    tn_arena_init(&c.arena, 0);
    if (t->md) {
        const tn_iceberg_snapshot *cur = tn_iceberg_metadata_current_snapshot(t->md);
        c.has_base = cur != NULL;
        c.base_snapshot_id = cur ? cur->snapshot_id : 0;
    }
    for (size_t i = 0; i < count; i++)
        if (!files[i].file_path) {
            tn_arena_free(&c.arena);
            return tn_error_set(err, TN_EINVAL, "data file %zu has no path", i);
        }
    int rc = tn_lake_commit(t, apply_snapshot_change, &c, opts, snapshot_id, err);
    if (rc == 0) clear_staged(t);
    tn_arena_free(&c.arena);
    return rc;
}

/* Appends data files as one snapshot. */
int tn_lake_table_append(tn_lake_table *table, const tn_iceberg_data_file *files, size_t count,
                         const tn_lake_commit_options *opts, int64_t *snapshot_id, tn_error *err)
{
    return snapshot_commit(table, false, files, count, opts, snapshot_id, err);
}

/* Replaces all data with files. */
int tn_lake_table_overwrite(tn_lake_table *table, const tn_iceberg_data_file *files, size_t count,
                            const tn_lake_commit_options *opts, int64_t *snapshot_id, tn_error *err)
{
    return snapshot_commit(table, true, files, count, opts, snapshot_id, err);
}

/* ------------------------------------------------------------------------------------------
 * Schema evolution
 * ---------------------------------------------------------------------------------------- */

static bool iceberg_widens(const tn_iceberg_type *from, const tn_iceberg_type *to)
{
    if (from->kind == to->kind) {
        if (from->kind != TN_ICEBERG_DECIMAL) return true;
        return from->scale == to->scale && to->precision >= from->precision;
    }
    return (from->kind == TN_ICEBERG_INT && to->kind == TN_ICEBERG_LONG) ||
           (from->kind == TN_ICEBERG_FLOAT && to->kind == TN_ICEBERG_DOUBLE);
}

static int apply_evolve(void *ctx, tn_lake_table *t, tn_iceberg_metadata *md, int attempt,
                        int64_t *snapshot_id, tn_error *err)
{
    evolve_change *c = ctx;
    (void)t;
    (void)attempt;
    (void)snapshot_id;
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(md);
    tn_iceberg_schema *schemas = tn_iceberg_grow(md, md->schemas, md->schema_count, sizeof *schemas);
    if (!schemas) return tn_error_set(err, TN_ENOMEM, "out of memory");
    md->schemas = schemas;
    cur = tn_iceberg_metadata_current_schema(md);
    tn_iceberg_schema *ns = &schemas[md->schema_count];
    int rc = tn_iceberg_schema_copy_into(md, cur, ns);
    if (rc < 0) return tn_error_set(err, rc, "out of memory");
    int32_t max_id = 0;
    for (uint32_t i = 0; i < md->schema_count; i++)
        if (schemas[i].schema_id > max_id) max_id = schemas[i].schema_id;
    ns->schema_id = max_id + 1;
    tn_buf log = TN_BUF_INIT;
    for (size_t i = 0; i < c->count; i++) {
        const tn_lake_schema_change *ch = &c->changes[i];
        int idx = -1;
        for (uint32_t j = 0; j < ns->field_count; j++)
            if (tn_str_eq_nocase(tn_str_c(ns->fields[j].name), tn_str_c(ch->column))) idx = (int)j;
        if (ch->kind != TN_LAKE_ADD_COLUMN && idx < 0) {
            tn_buf_free(&log);
            tn_error_set(err, TN_ENOENT, "column '%s' is not in the table", ch->column);
            tn_error_set_key(err, ch->column);
            return TN_ENOENT;
        }
        char from_text[48], to_text[48];
        switch (ch->kind) {
        case TN_LAKE_ADD_COLUMN: {
            if (idx >= 0) {
                tn_buf_free(&log);
                tn_error_set(err, TN_EEXIST, "column '%s' already exists", ch->column);
                tn_error_set_key(err, ch->column);
                return TN_EEXIST;
            }
            tn_iceberg_field *f = tn_iceberg_grow(md, ns->fields, ns->field_count, sizeof *f);
            if (!f) goto oom;
            tn_iceberg_field *nf = &f[ns->field_count];
            nf->id = ++md->last_column_id;
            nf->name = tn_iceberg_strdup(md, ch->column);
            nf->required = false;
            nf->type = tn_iceberg_type_from_tn(ch->type);
            if (!nf->name) goto oom;
            ns->fields = f;
            ns->field_count++;
            tn_buf_printf(&log, "%sadd %s %s (id %d)", log.len ? "; " : "", ch->column,
                          tn_iceberg_type_format(&nf->type, to_text, sizeof to_text), (int)nf->id);
            break;
        }
        case TN_LAKE_WIDEN_COLUMN: {
            tn_iceberg_field *f = &ns->fields[idx];
            tn_iceberg_type to = tn_iceberg_type_from_tn(ch->type);
            if (f->type.child_count || !iceberg_widens(&f->type, &to)) {
                tn_buf_free(&log);
                tn_error_set(err, TN_ETYPE, "column '%s' cannot change from %s to %s (only int->long, float->double "
                             "and a larger decimal precision are allowed)", f->name,
                             tn_iceberg_type_format(&f->type, from_text, sizeof from_text),
                             tn_iceberg_type_format(&to, to_text, sizeof to_text));
                tn_error_set_key(err, f->name);
                return TN_ETYPE;
            }
            tn_buf_printf(&log, "%swiden %s %s -> %s", log.len ? "; " : "", f->name,
                          tn_iceberg_type_format(&f->type, from_text, sizeof from_text),
                          tn_iceberg_type_format(&to, to_text, sizeof to_text));
            f->type = to;
            break;
        }
        case TN_LAKE_RENAME_COLUMN: {
            if (!ch->new_name || !*ch->new_name) {
                tn_buf_free(&log);
                return tn_error_set(err, TN_EINVAL, "renaming '%s' needs a new name", ch->column);
            }
            for (uint32_t j = 0; j < ns->field_count; j++)
                if ((int)j != idx && tn_str_eq_nocase(tn_str_c(ns->fields[j].name), tn_str_c(ch->new_name))) {
                    tn_buf_free(&log);
                    tn_error_set(err, TN_EEXIST, "column '%s' already exists", ch->new_name);
                    tn_error_set_key(err, ch->new_name);
                    return TN_EEXIST;
                }
            tn_buf_printf(&log, "%srename %s -> %s", log.len ? "; " : "", ns->fields[idx].name, ch->new_name);
            ns->fields[idx].name = tn_iceberg_strdup(md, ch->new_name);
            if (!ns->fields[idx].name) goto oom;
            break;
        }
        case TN_LAKE_DROP_COLUMN: {
            const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
            for (uint32_t j = 0; spec && j < spec->field_count; j++)
                if (spec->fields[j].source_id == ns->fields[idx].id) {
                    tn_buf_free(&log);
                    tn_error_set(err, TN_EINVAL, "column '%s' partitions the table and cannot be dropped", ch->column);
                    tn_error_set_key(err, ch->column);
                    return TN_EINVAL;
                }
            tn_buf_printf(&log, "%sdrop %s (id %d)", log.len ? "; " : "", ns->fields[idx].name, (int)ns->fields[idx].id);
            memmove(&ns->fields[idx], &ns->fields[idx + 1], (ns->field_count - (uint32_t)idx - 1) * sizeof *ns->fields);
            ns->field_count--;
            break;
        }
        case TN_LAKE_MAKE_OPTIONAL:
            tn_buf_printf(&log, "%soptional %s", log.len ? "; " : "", ns->fields[idx].name);
            ns->fields[idx].required = false;
            break;
        default:
            tn_buf_free(&log);
            return tn_error_set(err, TN_EINVAL, "unknown schema change kind %d", ch->kind);
        }
    }
    md->schema_count++;
    md->current_schema_id = ns->schema_id;
    char key[64];
    snprintf(key, sizeof key, "tarn.schema.%d.changes", (int)ns->schema_id);
    rc = tn_iceberg_set_property(md, key, tn_buf_cstr(&log));
    tn_buf_free(&log);
    return rc < 0 ? tn_error_set(err, rc, "out of memory") : 0;
oom:
    tn_buf_free(&log);
    return tn_error_set(err, TN_ENOMEM, "out of memory");
}

/* Commits a new schema version. */
int tn_lake_table_evolve(tn_lake_table *table, const tn_lake_schema_change *changes, size_t count,
                         const tn_lake_commit_options *opts, tn_error *err)
{
    if (count == 0) return 0;
    evolve_change c = {changes, count};
    return tn_lake_commit(table, apply_evolve, &c, opts, NULL, err);
}

/* Applies schema changes in memory; the next snapshot commit commits them (see lake.h). */
int tn_lake_table_stage_evolve(tn_lake_table *t, const tn_lake_schema_change *changes, size_t count,
                               tn_error *err)
{
    if (count == 0) return 0;
    if (!t->ns || !t->lake->catalog || !t->lake->store)
        return tn_error_set(err, TN_EUSAGE, "table '%s' was loaded from a path and is read only", t->name);
    tn_lake_schema_change *list = tn_realloc(t->staged, (t->staged_count + count) * sizeof *list);
    if (!list) return tn_error_set(err, TN_ENOMEM, "out of memory");
    t->staged = list;
    tn_iceberg_metadata *md = tn_iceberg_metadata_copy(t->md);
    tn_iceberg_metadata *keep = md ? tn_iceberg_metadata_copy(t->md) : NULL;
    if (!md || !keep) {
        tn_iceberg_metadata_free(md);
        tn_iceberg_metadata_free(keep);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    evolve_change c = {changes, count};
    int rc = apply_evolve(&c, t, md, 0, NULL, err);
    if (rc == 0) rc = apply_evolve(&c, t, keep, 0, NULL, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        tn_lake_schema_change *ch = &list[t->staged_count + i];
        *ch = changes[i];
        ch->column = ch->column ? tn_strdup(ch->column) : NULL;
        ch->new_name = ch->new_name ? tn_strdup(ch->new_name) : NULL;
        if ((changes[i].column && !ch->column) || (changes[i].new_name && !ch->new_name)) {
            tn_free((char *)ch->column);
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            break;
        }
        if (i + 1 == count) t->staged_count += count;
    }
    if (rc < 0) {
        tn_iceberg_metadata_free(md);
        tn_iceberg_metadata_free(keep);
        return rc;
    }
    if (!t->staged_md) {
        t->staged_base_schema_id = t->md->current_schema_id;
        t->staged_base_last_column_id = t->md->last_column_id;
    }
    /* The in-memory state keeps the committed location: the commit swaps from it. */
    char *location = t->metadata_location ? tn_strdup(t->metadata_location) : NULL;
    if (t->metadata_location && !location) {
        tn_iceberg_metadata_free(md);
        tn_iceberg_metadata_free(keep);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    tn_iceberg_metadata_free(t->staged_md);
    t->staged_md = keep;
    return tn_lake_table_set_metadata(t, md, location, err);
}

/* Puts a new schema (fresh field ids) and a new default partition spec into md. */
static int apply_replace(tn_iceberg_metadata *md, const tn_schema *schema,
                         const tn_lake_partition_def *partition, size_t partition_count, tn_error *err)
{
    tn_iceberg_schema *schemas = tn_iceberg_grow(md, md->schemas, md->schema_count, sizeof *schemas);
    tn_iceberg_partition_spec *specs = schemas ? tn_iceberg_grow(md, md->specs, md->spec_count, sizeof *specs) : NULL;
    if (!schemas || !specs) return tn_error_set(err, TN_ENOMEM, "out of memory");
    md->schemas = schemas;
    md->specs = specs;
    tn_iceberg_schema *ns = &schemas[md->schema_count];
    memset(ns, 0, sizeof *ns);
    int32_t max_id = 0;
    for (uint32_t i = 0; i < md->schema_count; i++)
        if (schemas[i].schema_id > max_id) max_id = schemas[i].schema_id;
    ns->schema_id = max_id + 1;
    int rc = fill_schema(md, ns, schema, err);
    if (rc < 0) return rc;
    tn_iceberg_partition_spec *spec = &specs[md->spec_count];
    memset(spec, 0, sizeof *spec);
    max_id = 0;
    for (uint32_t i = 0; i < md->spec_count; i++)
        if (specs[i].spec_id > max_id) max_id = specs[i].spec_id;
    spec->spec_id = max_id + 1;
    for (size_t i = 0; i < partition_count; i++)
        if ((rc = add_partition_field(md, spec, ns, &partition[i], err)) < 0) return rc;
    md->schema_count++;
    md->spec_count++;
    md->current_schema_id = ns->schema_id;
    md->default_spec_id = spec->spec_id;
    return 0;
}

/* Stages a replacement of the table's schema and partitioning (see lake.h). */
int tn_lake_table_stage_replace(tn_lake_table *t, const tn_schema *schema,
                                const tn_lake_partition_def *partition, size_t partition_count,
                                tn_error *err)
{
    if (!t->ns || !t->lake->catalog || !t->lake->store)
        return tn_error_set(err, TN_EUSAGE, "table '%s' was loaded from a path and is read only", t->name);
    if (t->staged_count || t->staged_replace)
        return tn_error_set(err, TN_EUSAGE, "table '%s.%s' already has staged changes", t->ns, t->name);
    if (schema->column_count == 0) return tn_error_set(err, TN_EINVAL, "a table needs at least one column");
    tn_iceberg_metadata *md = tn_iceberg_metadata_copy(t->md);
    tn_iceberg_metadata *keep = md ? tn_iceberg_metadata_copy(t->md) : NULL;
    char *location = t->metadata_location ? tn_strdup(t->metadata_location) : NULL;
    int rc = !md || !keep || (t->metadata_location && !location) ? tn_error_set(err, TN_ENOMEM, "out of memory") : 0;
    if (rc == 0) rc = apply_replace(md, schema, partition, partition_count, err);
    if (rc == 0) rc = apply_replace(keep, schema, partition, partition_count, err);
    if (rc < 0) {
        tn_iceberg_metadata_free(md);
        tn_iceberg_metadata_free(keep);
        tn_free(location);
        return rc;
    }
    t->staged_base_schema_id = t->md->current_schema_id;
    t->staged_base_last_column_id = t->md->last_column_id;
    t->staged_md = keep;
    t->staged_replace = true;
    /* The in-memory state keeps the committed location: the commit swaps from it. */
    return tn_lake_table_set_metadata(t, md, location, err);
}

/* The changes needed to accept batches of `incoming`. */
int tn_lake_schema_changes_for(const tn_lake_table *table, const tn_schema *incoming,
                               tn_lake_schema_change **changes, size_t *count, tn_error *err)
{
    *changes = NULL;
    *count = 0;
    const tn_iceberg_schema *cur = tn_iceberg_metadata_current_schema(table->md);
    tn_lake_schema_change *list = tn_calloc(incoming->column_count + 1, sizeof *list);
    if (!list) return tn_error_set(err, TN_ENOMEM, "out of memory");
    size_t n = 0;
    for (uint32_t i = 0; i < incoming->column_count; i++) {
        const tn_column *c = &incoming->columns[i];
        const tn_iceberg_field *f = tn_iceberg_schema_field_by_name(cur, c->name);
        if (!f) {
            list[n++] = (tn_lake_schema_change){.kind = TN_LAKE_ADD_COLUMN, .column = c->name, .type = c->type};
            continue;
        }
        tn_type ft;
        if (!tn_iceberg_type_to_tn(&f->type, &ft)) {
            tn_free(list);
            tn_error_set(err, TN_ETYPE, "column '%s' has a nested type tarn cannot write", c->name);
            tn_error_set_key(err, c->name);
            return TN_ETYPE;
        }
        if (tn_type_eq(ft, c->type) || tn_type_widens_to(c->type, ft)) continue;
        tn_iceberg_type to = tn_iceberg_type_from_tn(c->type);
        if (iceberg_widens(&f->type, &to)) {
            list[n++] = (tn_lake_schema_change){.kind = TN_LAKE_WIDEN_COLUMN, .column = c->name, .type = c->type};
            continue;
        }
        char a[48], b[48];
        tn_free(list);
        tn_error_set(err, TN_ETYPE, "column '%s' is %s in the table but %s in the input, and %s cannot be widened "
                     "to hold it", c->name, tn_type_format(ft, a, sizeof a), tn_type_format(c->type, b, sizeof b),
                     a);
        tn_error_set_key(err, c->name);
        return TN_ETYPE;
    }
    if (n == 0) {
        tn_free(list);
        return 0;
    }
    *changes = list;
    *count = n;
    return 0;
}
