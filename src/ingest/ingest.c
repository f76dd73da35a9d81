/* SPDX-License-Identifier: Apache-2.0
 *
 * Ingesting files into a lake table (tn_ingest_files). One run:
 *
 *   1. hashes each input (content_hash.c) and skips content the ledger already holds;
 *   2. opens the input (inference), creates the table from its schema when the table does not
 *      exist yet, and plans each input column against the table: same or narrower type (pass),
 *      a new column (add), an allowed Iceberg widening (widen), or anything else (cast: the
 *      input is read again with the table's types so the reader itself rejects values that do
 *      not fit, with their line and raw text; a try_cast of the batch catches the rest);
 *   3. stages schema changes (new schema versions in memory) before writing rows under them
 *      (the writer of the old schema is finished first: its files stay valid, Iceberg
 *      resolves columns by field id); they are committed with the snapshot, in one metadata
 *      file;
 *   4. streams batches through the lake's table writer (bounded memory: its budget over all
 *      partitions' buffered rows);
 *   5. commits every data file of every input as ONE snapshot; inside the same catalog
 *      transaction (the lake's commit callback) it re-checks the ledger (a concurrent run may
 *      have loaded the same content meanwhile), adds the ledger entries, replays the spooled
 *      rejected rows into the quarantine and closes the operation log entry.
 *
 * A process killed anywhere leaves the table at the old snapshot (and the ledger without the
 * inputs, so running again loads them) or at the new one; files written before the kill are
 * orphans for `tarn vacuum`.
 */
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>


/* What to do with one input column. */
typedef enum column_action {
    COLUMN_PASS = 0, /* the writer takes it as is (same type, or one it widens losslessly) */
    COLUMN_CAST,     /* try_cast to the table's type; failures are rejected rows */
} column_action;

typedef struct ingest_run {
    tn_lake *lake;
    tn_catalog *catalog;
    const tn_ingest_options *opts;
    const char *ns;
    const char *name;
    char *qualified; /* "<ns>.<name>": the ledger's and quarantine's table key */
    tn_lake_table *table;
    tn_ingest_result *result;
    tn_ingest_partition *partition;

    tn_lake_writer *writer; /* the open one, or NULL */

    const tn_ingest_source *sources; /* one per input */
    bool name_mapping;               /* a created table gets schema.name-mapping.default */
    tn_iceberg_data_file *in_place;  /* the snapshot's files: written ones (deep copies of the
                                        finished writers' descriptions) and ones referenced
                                        where they are */
    bool *written;                   /* per file: written by this run (removed on failure) */
    size_t in_place_count, in_place_cap;
    tn_arena arena;                  /* strings and values of in_place */

    bool commit_attempted; /* the commit callback ran: the snapshot may be committed, so the
                              files written must not be removed on failure (vacuum decides) */
    tn_reject_spool spool;
    size_t current_input;
    int64_t rows_read; /* over the whole run, for progress */
} ingest_run;

/* ------------------------------------------------------------------------------------------
 * Rejected rows
 * ---------------------------------------------------------------------------------------- */

/* The readers' on_reject: spool the row under the input being read. */
static void on_reader_reject(void *ctx, const tn_reject *reject)
{
    ingest_run *run = ctx;
    tn_spooled_reject r = {
        .input_idx = (uint32_t)run->current_input,
        .line = reject->line,
        .column = reject->column,
        .column_name = reject->column_name,
        .reason = reject->reason,
        .raw = reject->raw,
    };
    tn_reject_spool_add(&run->spool, &r);
    run->result->inputs[run->current_input].rejected++;
}

/* ------------------------------------------------------------------------------------------
 * Result bookkeeping
 * ---------------------------------------------------------------------------------------- */

/* Frees a result. */
void tn_ingest_result_free(tn_ingest_result *result)
{
    if (!result) return;
    for (size_t i = 0; i < result->input_count; i++) {
        tn_free(result->inputs[i].path);
        tn_free(result->inputs[i].location);
        tn_free(result->inputs[i].skipped_reason);
    }
    tn_free(result->inputs);
    tn_buf_free(&result->schema_changes);
    memset(result, 0, sizeof *result);
}

/* ------------------------------------------------------------------------------------------
 * Planning an input against the table
 * ---------------------------------------------------------------------------------------- */

static int find_column(const tn_schema *schema, const char *name)
{
    int at = tn_schema_find(schema, name);
    if (at >= 0) return at;
    for (uint32_t i = 0; i < schema->column_count; i++)
        if (tn_str_eq_nocase(tn_str_c(schema->columns[i].name), tn_str_c(name))) return (int)i;
    return -1;
}

/* Whether Iceberg lets a column of type `from` become `to` (int -> long, float -> double,
 * decimal(p,s) -> decimal(p',s) with p' > p). */
static bool iceberg_promotes(tn_type from, tn_type to)
{
    if (from.id == TN_TYPE_INTEGER && to.id == TN_TYPE_BIGINT) return true;
    if (from.id == TN_TYPE_REAL && to.id == TN_TYPE_DOUBLE) return true;
    return from.id == TN_TYPE_DECIMAL && to.id == TN_TYPE_DECIMAL && from.scale == to.scale &&
           to.precision > from.precision;
}

/* Lists the schema changes an input needs (new columns, widenings). *changes is tn_malloc'd;
 * names point into `input`. */
static int plan_changes(const tn_schema *table, const tn_schema *input,
                        tn_lake_schema_change **changes, size_t *count, tn_error *err)
{
    *changes = NULL;
    *count = 0;
    tn_lake_schema_change *list = tn_calloc(input->column_count + 1, sizeof *list);
    if (!list) return tn_error_set(err, TN_ENOMEM, "out of memory");
    size_t n = 0;
    for (uint32_t i = 0; i < input->column_count; i++) {
        const tn_column *c = &input->columns[i];
        /* A name given twice in one input (by case) is one column. */
        bool repeated = false;
        for (uint32_t j = 0; j < i && !repeated; j++)
            repeated = tn_str_eq_nocase(tn_str_c(input->columns[j].name), tn_str_c(c->name));
        if (repeated) continue;
        int at = find_column(table, c->name);
        if (at < 0) {
            list[n++] = (tn_lake_schema_change){.kind = TN_LAKE_ADD_COLUMN, .column = c->name,
                                                .type = c->type};
            continue;
        }
        tn_type t = table->columns[at].type;
        if (tn_type_eq(t, c->type) || tn_type_widens_to(c->type, t)) continue;
        if (iceberg_promotes(t, c->type))
            list[n++] = (tn_lake_schema_change){.kind = TN_LAKE_WIDEN_COLUMN,
                                                .column = table->columns[at].name,
                                                .type = c->type};
    }
    if (n == 0) {
        tn_free(list);
        return 0;
    }
    *changes = list;
    *count = n;
    return 0;
}

/* Per input column: pass or cast, and the type to cast to. Call after the schema changes. */
static int plan_columns(const tn_schema *table, const tn_schema *input, uint8_t *actions,
                        tn_type *targets)
{
    int casts = 0;
    for (uint32_t i = 0; i < input->column_count; i++) {
        actions[i] = COLUMN_PASS;
        targets[i] = input->columns[i].type;
        int at = find_column(table, input->columns[i].name);
        if (at < 0) continue; /* cannot happen after evolution; the writer reports it */
        tn_type t = table->columns[at].type;
        if (tn_type_eq(t, input->columns[i].type) || tn_type_widens_to(input->columns[i].type, t))
            continue;
        actions[i] = COLUMN_CAST;
        targets[i] = t;
        casts++;
    }
    return casts;
}

/* ------------------------------------------------------------------------------------------
 * Tables
 * ---------------------------------------------------------------------------------------- */

/* Whether an existing table's spec matches the one asked for (same columns and transforms in
 * the same order). */
static bool spec_matches(const tn_lake_table *table, const tn_ingest_partition *want)
{
    const tn_iceberg_metadata *md = tn_lake_table_metadata(table);
    const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
    const tn_iceberg_schema *schema = tn_iceberg_metadata_current_schema(md);
    size_t have = spec ? spec->field_count : 0;
    if (have != want->count) return false;
    for (size_t i = 0; i < have; i++) {
        const tn_iceberg_field *src = tn_iceberg_schema_field(schema, spec->fields[i].source_id);
        tn_transform t = tn_transform_parse(want->defs[i].transform);
        if (!src || !tn_str_eq_nocase(tn_str_c(src->name), tn_str_c(want->defs[i].column)) ||
            t.kind != spec->fields[i].transform.kind || t.param != spec->fields[i].transform.param)
            return false;
    }
    return true;
}

/* Creates the table from an input's schema (every column nullable: a later input may lack a
 * value), or loads it when a concurrent run created it first. */
static int create_table(ingest_run *run, const tn_schema *input, tn_error *err)
{
    tn_schema *schema = tn_schema_copy(input);
    if (!schema) return tn_error_set(err, TN_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < schema->column_count; i++) schema->columns[i].nullable = true;
    const tn_lake_partition_def *defs = run->partition ? run->partition->defs : NULL;
    size_t ndefs = run->partition ? run->partition->count : 0;
    /* New tables number their columns 1..n in order, which is what the name mapping says. */
    tn_buf mapping = TN_BUF_INIT;
    tn_buf_putc(&mapping, '[');
    for (uint32_t i = 0; i < schema->column_count; i++) {
        tn_buf_printf(&mapping, "%s{\"field-id\":%u,\"names\":[", i ? "," : "", i + 1);
        tn_buf_append_json_string(&mapping, schema->columns[i].name,
                                  strlen(schema->columns[i].name));
        tn_buf_append_cstr(&mapping, "]}");
    }
    tn_buf_putc(&mapping, ']');
    if (!tn_buf_cstr(&mapping)) {
        tn_schema_unref(schema);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    const char *properties[] = {"tarn.created-by", run->opts->operation ? run->opts->operation : "ingest",
                                run->name_mapping ? "schema.name-mapping.default" : NULL,
                                mapping.data, NULL, NULL};
    int rc = tn_lake_table_create(run->lake, run->ns, run->name, schema, defs, ndefs, properties,
                                  &run->table, err);
    tn_buf_free(&mapping);
    tn_schema_unref(schema);
    if (rc == TN_EEXIST) {
        tn_error_clear(err);
        rc = tn_lake_table_load(run->lake, run->ns, run->name, &run->table, err);
        if (rc == 0 && run->partition && !spec_matches(run->table, run->partition)) {
            tn_buf have = TN_BUF_INIT;
            tn_ingest_partition_format(tn_lake_table_metadata(run->table), &have);
            rc = tn_error_set(err, TN_EINVAL,
                              "table '%s' is partitioned by '%s', not by '%s'; leave out "
                              "--partition-by (changing a table's partitioning is not supported)",
                              run->qualified, have.len ? tn_buf_cstr(&have) : "nothing",
                              run->opts->partition_by);
            tn_buf_free(&have);
        }
        return rc;
    }
    if (rc == 0) run->result->table_created = true;
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Writers
 * ---------------------------------------------------------------------------------------- */

static int open_writer(ingest_run *run, tn_error *err)
{
    if (run->writer) return 0;
    tn_lake_write_options wo = {
        .target_file_rows = run->opts->target_file_rows,
        .compression = run->opts->compression,
        .memory_bytes = run->opts->memory_bytes,
    };
    return tn_lake_writer_open(run->table, &wo, &run->writer, err);
}

/* Room for one more file of the snapshot. */
static tn_iceberg_data_file *add_file_slot(ingest_run *run, bool written)
{
    if (run->in_place_count == run->in_place_cap) {
        size_t cap = run->in_place_cap ? run->in_place_cap * 2 : 16;
        tn_iceberg_data_file *grown = tn_realloc(run->in_place, cap * sizeof *grown);
        if (!grown) return NULL;
        run->in_place = grown;
        bool *flags = tn_realloc(run->written, cap * sizeof *flags);
        if (!flags) return NULL;
        run->written = flags;
        run->in_place_cap = cap;
    }
    run->written[run->in_place_count] = written;
    tn_iceberg_data_file *f = &run->in_place[run->in_place_count];
    memset(f, 0, sizeof *f);
    return f;
}

static bool is_byte_kind(uint8_t kind)
{
    return kind == TN_ICEBERG_STRING || kind == TN_ICEBERG_BINARY || kind == TN_ICEBERG_FIXED ||
           kind == TN_ICEBERG_UUID;
}

static const char *copy_bytes(tn_arena *a, tn_str s)
{
    char *p = tn_arena_alloc(a, s.len + 1);
    if (p && s.len) memcpy(p, s.ptr, s.len);
    if (p) p[s.len] = '\0';
    return p;
}

/* Deep copy of a data file description into the run's arena. */
static int copy_data_file(tn_arena *a, const tn_iceberg_data_file *src, tn_iceberg_data_file *dst)
{
    *dst = *src;
    dst->file_path = tn_arena_strdup(a, src->file_path);
    dst->file_format = tn_arena_strdup(a, src->file_format ? src->file_format : "PARQUET");
    if (!dst->file_path || !dst->file_format) return TN_ENOMEM;
    if (src->referenced_data_file) {
        dst->referenced_data_file = tn_arena_strdup(a, src->referenced_data_file);
        if (!dst->referenced_data_file) return TN_ENOMEM;
    }
    if (src->partition_count) {
        dst->partition = tn_arena_alloc(a, src->partition_count * sizeof *dst->partition);
        if (!dst->partition) return TN_ENOMEM;
        for (uint32_t i = 0; i < src->partition_count; i++) {
            dst->partition[i] = src->partition[i];
            if (!src->partition[i].is_null && is_byte_kind(src->partition[i].kind)) {
                const char *p = copy_bytes(a, src->partition[i].v.bytes);
                if (!p) return TN_ENOMEM;
                dst->partition[i].v.bytes = tn_str_make(p, src->partition[i].v.bytes.len);
            }
        }
    }
    if (src->stats_count) {
        dst->stats = tn_arena_alloc(a, src->stats_count * sizeof *dst->stats);
        if (!dst->stats) return TN_ENOMEM;
        for (uint32_t i = 0; i < src->stats_count; i++) {
            dst->stats[i] = src->stats[i];
            if (src->stats[i].has_lower) {
                const char *p = copy_bytes(a, src->stats[i].lower);
                if (!p) return TN_ENOMEM;
                dst->stats[i].lower = tn_str_make(p, src->stats[i].lower.len);
            }
            if (src->stats[i].has_upper) {
                const char *p = copy_bytes(a, src->stats[i].upper);
                if (!p) return TN_ENOMEM;
                dst->stats[i].upper = tn_str_make(p, src->stats[i].upper.len);
            }
        }
    }
    if (src->split_offset_count) {
        dst->split_offsets = tn_arena_alloc(a, src->split_offset_count * sizeof(int64_t));
        if (!dst->split_offsets) return TN_ENOMEM;
        memcpy(dst->split_offsets, src->split_offsets, src->split_offset_count * sizeof(int64_t));
    }
    if (src->equality_id_count) {
        dst->equality_ids = tn_arena_alloc(a, src->equality_id_count * sizeof(int32_t));
        if (!dst->equality_ids) return TN_ENOMEM;
        memcpy(dst->equality_ids, src->equality_ids, src->equality_id_count * sizeof(int32_t));
    }
    return 0;
}

/* Closes the open writer's files and keeps their descriptions, then frees the writer (its
 * per-partition buffers are what bounds the memory of a long run). Also before the schema the
 * writer was opened for changes. */
static int finish_writer(ingest_run *run, tn_error *err)
{
    if (!run->writer) return 0;
    const tn_iceberg_data_file *files = NULL;
    size_t count = 0;
    int rc = tn_lake_writer_finish(run->writer, &files, &count, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        tn_iceberg_data_file *f = add_file_slot(run, true);
        if (!f || copy_data_file(&run->arena, &files[i], f) < 0)
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        else
            run->in_place_count++;
    }
    /* On failure the writer removes what it wrote (the copies made so far are removed with the
     * run's other files). */
    tn_lake_writer_free(run->writer, rc < 0);
    run->writer = NULL;
    return rc;
}

/* Removes the files this run wrote (nothing was committed). */
static void remove_written(ingest_run *run)
{
    for (size_t i = 0; i < run->in_place_count; i++) {
        if (!run->written[i]) continue;
        char *path = NULL;
        tn_error ignore = {0};
        if (tn_lake_resolve_path(run->lake, run->in_place[i].file_path, &path, &ignore) == 0)
            remove(path);
        tn_free(path);
    }
}

/* Stages the schema changes an input needs: the writer's files so far are finished under the
 * old schema (they stay valid: Iceberg resolves columns by field id), and the new schema is
 * committed with the snapshot, in the same metadata file (tn_lake_table_stage_evolve), so a
 * run that dies leaves no schema change without its data. */
static int evolve_for(ingest_run *run, const tn_schema *input, tn_error *err)
{
    tn_lake_schema_change *changes = NULL;
    size_t count = 0;
    int rc = plan_changes(tn_lake_table_schema(run->table), input, &changes, &count, err);
    if (rc < 0 || count == 0) return rc;
    /* Describe the changes now: widened columns' names point into the table's schema, which
     * the evolution replaces. */
    tn_buf notes = TN_BUF_INIT;
    for (size_t i = 0; i < count && rc == 0; i++) {
        char type[48];
        tn_type_format(changes[i].type, type, sizeof type);
        if (changes[i].kind == TN_LAKE_ADD_COLUMN)
            rc = tn_buf_printf(&notes, "%sadd %s %s", i ? "; " : "", changes[i].column, type);
        else
            rc = tn_buf_printf(&notes, "%swiden %s to %s", i ? "; " : "", changes[i].column, type);
    }
    if (rc < 0) rc = tn_error_set(err, TN_ENOMEM, "out of memory");
    if (rc == 0) rc = finish_writer(run, err);
    if (rc == 0) rc = tn_lake_table_stage_evolve(run->table, changes, count, err);
    if (rc == 0) {
        tn_buf *all = &run->result->schema_changes;
        if ((all->len && tn_buf_append_cstr(all, "; ") < 0) ||
            tn_buf_append(all, notes.data, notes.len) < 0 || !tn_buf_cstr(all))
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        run->result->schema_change_count += (int64_t)count;
    }
    tn_buf_free(&notes);
    tn_free(changes);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Batches
 * ---------------------------------------------------------------------------------------- */

/* The row as text (values joined by ','), for the quarantine's raw column when the row was
 * rejected after parsing. */
static void row_text(const tn_batch *b, uint32_t row, tn_buf *out)
{
    tn_buf_clear(out);
    for (uint32_t c = 0; c < b->schema->column_count; c++) {
        if (c) tn_buf_putc(out, ',');
        tn_vector_format_value(&b->columns[c], row, out);
    }
}

/* Casts the CAST columns of a batch to the table's types; rows with a value that does not
 * convert are spooled as rejected and left out. Takes ownership of `batch`; *out is the batch
 * to write (NULL when every row was rejected). */
static int conform_batch(ingest_run *run, tn_batch *batch, const uint8_t *actions,
                         const tn_type *targets, tn_schema *conformed, int64_t first_record,
                         int64_t header_lines, tn_batch **out, tn_error *err)
{
    *out = NULL;
    uint32_t rows = batch->row_count;
    uint32_t ncol = batch->schema->column_count;
    tn_batch *result = tn_batch_new(conformed, rows ? rows : 1);
    bool *drop = tn_calloc(rows + 1, sizeof *drop);
    tn_buf raw = TN_BUF_INIT;
    int rc = 0;
    if (!result || !drop) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    uint32_t dropped = 0;
    /* Casts first, while the batch is whole: a rejected row's raw text shows every value. */
    for (uint32_t c = 0; c < ncol; c++) {
        if (actions[c] != COLUMN_CAST) continue;
        tn_vector *src = &batch->columns[c];
        tn_vector cast;
        rc = tn_vector_cast(src, rows, targets[c], true, &cast, err);
        if (rc < 0) goto done;
        tn_vector_destroy(&result->columns[c]);
        result->columns[c] = cast;
        for (uint32_t r = 0; r < rows; r++) {
            if (drop[r] || !tn_vector_is_valid(src, r) || tn_vector_is_valid(&cast, r)) continue;
            drop[r] = true;
            dropped++;
            tn_buf value = TN_BUF_INIT;
            tn_vector_format_value(src, r, &value);
            char type[48], reason[256];
            snprintf(reason, sizeof reason, "value '%.120s' does not fit column '%s' of type %s",
                     tn_buf_cstr(&value) ? value.data : "", conformed->columns[c].name,
                     tn_type_format(targets[c], type, sizeof type));
            tn_buf_free(&value);
            row_text(batch, r, &raw);
            tn_spooled_reject rej = {
                .input_idx = (uint32_t)run->current_input,
                .line = header_lines + first_record + r + 1,
                .column = (int64_t)c + 1,
                .column_name = conformed->columns[c].name,
                .reason = reason,
                .raw = tn_str_make(raw.data ? raw.data : "", raw.len),
            };
            tn_reject_spool_add(&run->spool, &rej);
            run->result->inputs[run->current_input].rejected++;
        }
    }
    for (uint32_t c = 0; c < ncol; c++) {
        if (actions[c] != COLUMN_PASS) continue;
        tn_vector moved = result->columns[c];
        result->columns[c] = batch->columns[c];
        batch->columns[c] = moved;
    }
    result->row_count = rows;
    if (dropped == 0) {
        *out = result;
        result = NULL;
        goto done;
    }
    if (dropped < rows) {
        tn_batch *kept = tn_batch_new(conformed, rows - dropped);
        if (!kept) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto done;
        }
        uint32_t k = 0;
        for (uint32_t r = 0; r < rows && rc == 0; r++) {
            if (drop[r]) continue;
            for (uint32_t c = 0; c < ncol && rc == 0; c++)
                if (tn_vector_copy_row(&kept->columns[c], k, &result->columns[c], r) < 0)
                    rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            k++;
        }
        kept->row_count = k;
        if (rc < 0) tn_batch_free(kept);
        else *out = kept;
    }
done:
    tn_buf_free(&raw);
    tn_free(drop);
    tn_batch_free(result);
    tn_batch_free(batch);
    return rc;
}

/* Whether the reader found a header row (CSV), for the line numbers of cast rejects. */
static int64_t header_lines_of(const tn_reader *reader)
{
    tn_buf json = TN_BUF_INIT;
    int64_t lines = 0;
    if (tn_reader_describe(reader, &json) == 0 && tn_buf_cstr(&json) &&
        strstr(json.data, "\"header\":true"))
        lines = 1;
    tn_buf_free(&json);
    return lines;
}

/* ------------------------------------------------------------------------------------------
 * One input
 * ---------------------------------------------------------------------------------------- */

/* Opens an input; with `types` (NULL = infer) the reader uses those column types, so values
 * that do not fit are rejected by the reader with their line and raw text. */
static int open_input(ingest_run *run, const char *path, const tn_schema *types,
                      tn_reader **reader, tn_error *err)
{
    tn_read_options ro = run->opts->read;
    ro.on_reject = on_reader_reject;
    ro.reject_ctx = run;
    ro.schema = types;
    return tn_reader_open(path, &ro, reader, err);
}

/* The input's own schema with the CAST columns retyped to the table's types. */
static tn_schema *retyped_schema(const tn_schema *input, const uint8_t *actions,
                                 const tn_type *targets)
{
    tn_schema *s = tn_schema_copy(input);
    if (!s) return NULL;
    for (uint32_t i = 0; i < s->column_count; i++)
        if (actions[i] == COLUMN_CAST) s->columns[i].type = targets[i];
    return s;
}

static bool rereadable_with_types(const tn_reader *reader)
{
    const tn_format *f = tn_reader_format(reader);
    return f && (strcmp(f->name, "csv") == 0 || strcmp(f->name, "json") == 0);
}

/* The input's schema plus the source's constant columns it does not hold itself. */
static tn_schema *with_constants(const tn_schema *schema, const tn_ingest_source *src)
{
    tn_schema *s = tn_schema_copy(schema);
    for (size_t i = 0; s && src && i < src->constant_count; i++) {
        if (find_column(schema, src->constants[i].column) >= 0) continue;
        if (tn_schema_add(s, src->constants[i].column, src->constants[i].type, true) < 0) {
            tn_schema_unref(s);
            return NULL;
        }
    }
    return s;
}

/* Appends the source's constant columns to a batch. Takes ownership of batch. */
static int add_constants(const tn_schema *file_schema, const tn_ingest_source *src,
                         tn_batch *batch, tn_batch **out, tn_error *err)
{
    *out = NULL;
    tn_schema *schema = with_constants(batch->schema, src);
    uint32_t rows = batch->row_count;
    tn_batch *result = schema ? tn_batch_new(schema, rows ? rows : 1) : NULL;
    tn_schema_unref(schema);
    if (!result) {
        tn_batch_free(batch);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    uint32_t n = batch->schema->column_count;
    for (uint32_t c = 0; c < n; c++) {
        tn_vector moved = result->columns[c];
        result->columns[c] = batch->columns[c];
        batch->columns[c] = moved;
    }
    int rc = 0;
    uint32_t c = n;
    for (size_t i = 0; i < src->constant_count && rc == 0; i++) {
        const tn_ingest_constant *k = &src->constants[i];
        if (find_column(file_schema, k->column) >= 0) continue;
        /* One text value cast to the column's type, then repeated. */
        tn_vector text, typed;
        if (tn_vector_init(&text, tn_type_make(TN_TYPE_VARCHAR), 1) < 0 ||
            tn_vector_append_str(&text, 0, k->value, strlen(k->value)) < 0) {
            tn_vector_destroy(&text);
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            break;
        }
        rc = tn_vector_cast(&text, 1, k->type, true, &typed, err);
        tn_vector_destroy(&text);
        if (rc < 0) break;
        tn_vector *dst = &result->columns[c++];
        for (uint32_t r = 0; r < rows && rc == 0; r++)
            if (tn_vector_copy_row(dst, r, &typed, 0) < 0)
                rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        tn_vector_destroy(&typed);
    }
    result->row_count = rows;
    tn_batch_free(batch);
    if (rc < 0) {
        tn_batch_free(result);
        return rc;
    }
    *out = result;
    return 0;
}

/* Whether a file can be referenced as it is: every column has exactly the table's type. */
static bool fits_in_place(const tn_schema *table, const tn_schema *file)
{
    for (uint32_t i = 0; i < file->column_count; i++) {
        int at = find_column(table, file->columns[i].name);
        if (at < 0 || !tn_type_eq(table->columns[at].type, file->columns[i].type)) return false;
    }
    return true;
}

/* Reads a Parquet file to count its rows and records it as a data file of the snapshot. */
static int reference_in_place(ingest_run *run, tn_ingest_input *in, tn_reader *reader,
                              tn_error *err)
{
    int64_t rows = 0;
    for (;;) {
        tn_batch *batch = NULL;
        int rc = tn_reader_next(reader, &batch, err);
        if (rc < 0) return rc;
        if (!batch) break;
        rows += batch->row_count;
        tn_batch_free(batch);
    }
    tn_iceberg_data_file *f = add_file_slot(run, false);
    if (!f) return tn_error_set(err, TN_ENOMEM, "out of memory");
    size_t n = strlen(in->location) + 8;
    char *location = tn_arena_alloc(&run->arena, n);
    f->file_format = tn_arena_strdup(&run->arena, "PARQUET");
    if (!location || !f->file_format) return tn_error_set(err, TN_ENOMEM, "out of memory");
    snprintf(location, n, "file://%s", in->location);
    f->file_path = location;
    f->content = TN_CONTENT_DATA;
    f->spec_id = tn_lake_table_metadata(run->table)->default_spec_id;
    f->record_count = rows;
    f->file_size_in_bytes = in->bytes;
    run->in_place_count++;
    in->rows = rows;
    in->in_place = true;
    run->rows_read += rows;
    return 0;
}

static int ingest_input(ingest_run *run, size_t idx, tn_error *err)
{
    tn_ingest_input *in = &run->result->inputs[idx];
    const tn_ingest_source *source = run->sources ? &run->sources[idx] : NULL;
    tn_schema *extended = NULL;
    run->current_input = idx;
    int64_t mark_count = 0;
    int64_t mark = tn_reject_spool_mark(&run->spool, &mark_count);
    tn_reader *reader = NULL;
    tn_schema *retyped = NULL;
    tn_schema *conformed = NULL;
    uint8_t *actions = NULL;
    tn_type *targets = NULL;
    int rc = open_input(run, in->path, NULL, &reader, err);
    if (rc < 0) goto done;
    const tn_schema *schema = tn_reader_schema(reader);
    if (schema->column_count == 0) goto done; /* an empty file adds nothing */
    extended = with_constants(schema, source);
    if (!extended) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    if (!run->table) {
        rc = create_table(run, extended, err);
        if (rc < 0) goto done;
    }
    rc = evolve_for(run, extended, err);
    if (rc < 0) goto done;
    if (source && source->in_place && extended->column_count == schema->column_count &&
        strcmp(tn_reader_format(reader)->name, "parquet") == 0 &&
        fits_in_place(tn_lake_table_schema(run->table), schema)) {
        /* Only into an unpartitioned table: a referenced file has no partition values. */
        const tn_iceberg_metadata *md = tn_lake_table_metadata(run->table);
        const tn_iceberg_partition_spec *spec = tn_iceberg_metadata_spec(md, md->default_spec_id);
        if (!spec || spec->field_count == 0) {
            rc = reference_in_place(run, in, reader, err);
            goto done;
        }
    }
    actions = tn_calloc(schema->column_count, sizeof *actions);
    targets = tn_calloc(schema->column_count, sizeof *targets);
    if (!actions || !targets) {
        rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        goto done;
    }
    int casts = plan_columns(tn_lake_table_schema(run->table), schema, actions, targets);
    if (casts > 0 && rereadable_with_types(reader)) {
        /* Read again with the table's types: the reader then rejects exactly the values that
         * do not fit, with line, column and raw text. What it reported while sampling the
         * first time is forgotten (it reports it again). */
        retyped = retyped_schema(schema, actions, targets);
        if (!retyped) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto done;
        }
        tn_reader_close(reader);
        reader = NULL;
        tn_reject_spool_truncate(&run->spool, mark, mark_count);
        in->rejected = 0;
        rc = open_input(run, in->path, retyped, &reader, err);
        if (rc < 0 && rc != TN_ENOMEM) {
            /* The reader could not take the types (a dialect it reads differently with a
             * schema): read as inferred and let try_cast find the values that do not fit. */
            tn_log(TN_LOG_DEBUG, "ingest: reading %s with the table's types failed (%s); casting",
                   in->path, err->message);
            tn_error_clear(err);
            tn_reject_spool_truncate(&run->spool, mark, mark_count);
            in->rejected = 0;
            rc = open_input(run, in->path, NULL, &reader, err);
        }
        if (rc < 0) goto done;
        schema = tn_reader_schema(reader);
        tn_free(actions);
        tn_free(targets);
        actions = tn_calloc(schema->column_count + 1, sizeof *actions);
        targets = tn_calloc(schema->column_count + 1, sizeof *targets);
        if (!actions || !targets) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto done;
        }
        /* A new column can show up only if the reader disagrees with itself; evolve anyway. */
        rc = evolve_for(run, schema, err);
        if (rc == 0 && extended->column_count > schema->column_count)
            rc = evolve_for(run, extended, err);
        if (rc < 0) goto done;
        casts = plan_columns(tn_lake_table_schema(run->table), schema, actions, targets);
    }
    if (casts > 0) {
        conformed = retyped_schema(schema, actions, targets);
        if (!conformed) {
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
            goto done;
        }
    }
    rc = open_writer(run, err);
    if (rc < 0) goto done;
    int64_t header_lines = casts > 0 ? header_lines_of(reader) : 0;
    int64_t records = 0, cast_rejects = 0;
    for (;;) {
        tn_batch *batch = NULL;
        /* Line numbers of cast rejects: records delivered and rejected before this batch.
         * Rows the reader rejects while producing the batch may lie before or after its rows
         * (it does not say), so they count from the next batch on; the reader's own rejects
         * carry exact lines. */
        int64_t first_record = records + (in->rejected - cast_rejects);
        rc = tn_reader_next(reader, &batch, err);
        if (rc < 0 || !batch) break;
        uint32_t batch_rows = batch->row_count;
        if (conformed) {
            rc = conform_batch(run, batch, actions, targets, conformed, first_record,
                               header_lines, &batch, err);
            if (rc < 0) break;
        }
        records += batch_rows;
        cast_rejects += batch_rows - (batch ? batch->row_count : 0);
        if (batch && extended->column_count > schema->column_count) {
            rc = add_constants(schema, source, batch, &batch, err);
            if (rc < 0) break;
        }
        if (batch) {
            rc = open_writer(run, err);
            if (rc == 0) rc = tn_lake_writer_write(run->writer, batch, err);
            in->rows += batch->row_count;
            run->rows_read += batch->row_count;
            tn_batch_free(batch);
            if (rc < 0) break;
        }
        if (run->opts->progress)
            run->opts->progress(run->opts->progress_ctx, in->path, tn_reader_progress(reader),
                                run->rows_read);
    }
done:
    tn_reader_close(reader);
    tn_schema_unref(extended);
    tn_schema_unref(retyped);
    tn_schema_unref(conformed);
    tn_free(actions);
    tn_free(targets);
    if (rc == 0) {
        run->result->inputs_loaded++;
        run->result->rows += in->rows;
        run->result->rejected += in->rejected;
    }
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * The commit
 * ---------------------------------------------------------------------------------------- */

typedef struct replay_ctx {
    ingest_run *run;
    tn_catalog *catalog;
} replay_ctx;

static int replay_reject(void *ctx, const tn_spooled_reject *r, tn_error *err)
{
    replay_ctx *rc = ctx;
    ingest_run *run = rc->run;
    const char *input = r->input_idx < run->result->input_count
                            ? run->result->inputs[r->input_idx].location
                            : "";
    tn_quarantine_row row = {
        .table = run->qualified,
        .input = input,
        .line = r->line,
        .column = r->column,
        .column_name = r->column_name,
        .reason = r->reason,
        .raw = r->raw,
        .run_id = run->result->operation_id,
    };
    return tn_catalog_quarantine_add(rc->catalog, &row, err);
}

static bool ledger_checked(const ingest_run *run)
{
    return !run->opts->force && run->opts->mode == TN_INGEST_APPEND;
}

static int operation_detail(const ingest_run *run, int64_t snapshot_id, tn_buf *out)
{
    const tn_ingest_result *r = run->result;
    int rc = tn_buf_printf(out,
                           "{\"snapshot_id\":%lld,\"mode\":\"%s\",\"inputs\":%lld,\"skipped\":%lld,"
                           "\"rejected\":%lld,\"data_files\":%lld,\"schema_changes\":",
                           (long long)snapshot_id,
                           run->opts->mode == TN_INGEST_OVERWRITE ? "overwrite" : "append",
                           (long long)r->inputs_loaded, (long long)r->inputs_skipped,
                           (long long)r->rejected, (long long)r->data_files);
    if (rc == 0)
        rc = tn_buf_append_json_string(out, r->schema_changes.data ? r->schema_changes.data : "",
                                       r->schema_changes.len);
    if (rc == 0) rc = tn_buf_putc(out, '}');
    return rc;
}

/* The lake's commit callback: the records that must become visible with the snapshot. */
static int commit_records(void *ctx, tn_catalog *catalog, int64_t snapshot_id, tn_error *err)
{
    ingest_run *run = ctx;
    tn_ingest_result *result = run->result;
    run->commit_attempted = true;
    int rc = 0;
    for (size_t i = 0; i < result->input_count && rc == 0; i++) {
        tn_ingest_input *in = &result->inputs[i];
        if (in->status != TN_INGEST_LOADED) continue;
        if (ledger_checked(run)) {
            bool found = false;
            rc = tn_catalog_ledger_find(catalog, run->qualified, in->hash, &found, err);
            if (rc == 0 && found) {
                rc = tn_error_set_at(err, TN_EEXIST, in->path, 0, 0,
                                     "'%s' was ingested into '%s' by another run while this one "
                                     "was reading it; nothing was committed (run the command "
                                     "again to load the other inputs)",
                                     in->path, run->qualified);
                break;
            }
        }
        if (rc == 0)
            rc = tn_catalog_ledger_add(catalog, run->qualified, in->location, in->hash, in->rows,
                                       snapshot_id, err);
    }
    if (rc == 0) {
        replay_ctx rctx = {run, catalog};
        rc = tn_reject_spool_replay(&run->spool, replay_reject, &rctx, err);
    }
    if (rc == 0 && result->operation_id > 0) {
        tn_buf detail = TN_BUF_INIT;
        rc = operation_detail(run, snapshot_id, &detail);
        if (rc == 0)
            rc = tn_catalog_operation_finish(catalog, result->operation_id, "ok", result->rows,
                                             tn_buf_cstr(&detail), err);
        else
            rc = tn_error_set(err, TN_ENOMEM, "out of memory");
        tn_buf_free(&detail);
    }
    return rc;
}

static int commit(ingest_run *run, tn_error *err)
{
    /* The rows still buffered are written now, which can take a while after the last input
     * was read: say so. */
    if (run->writer && run->opts->progress)
        run->opts->progress(run->opts->progress_ctx, "writing data files", -1, run->rows_read);
    int rc = finish_writer(run, err);
    if (rc < 0) return rc;
    tn_iceberg_data_file *all = run->in_place;
    size_t n = run->in_place_count;
    run->result->data_files = (int64_t)n;
    char inputs[32];
    snprintf(inputs, sizeof inputs, "%lld", (long long)run->result->inputs_loaded);
    const char *summary[] = {"tarn.operation", run->opts->operation ? run->opts->operation : "ingest",
                             "tarn.inputs", inputs, NULL, NULL};
    tn_lake_commit_options co = {
        .in_transaction = commit_records,
        .ctx = run,
        .summary = summary,
    };
    rc = run->opts->mode == TN_INGEST_OVERWRITE
             ? tn_lake_table_overwrite(run->table, all, n, &co, &run->result->snapshot_id, err)
             : tn_lake_table_append(run->table, all, n, &co, &run->result->snapshot_id, err);
    if (rc == 0) run->result->committed = true;
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * The entry point
 * ---------------------------------------------------------------------------------------- */

static int prepare_inputs(ingest_run *run, const tn_ingest_source *sources, size_t count,
                          tn_error *err)
{
    tn_ingest_result *result = run->result;
    result->inputs = tn_calloc(count + 1, sizeof *result->inputs);
    if (!result->inputs) return tn_error_set(err, TN_ENOMEM, "out of memory");
    result->input_count = count;
    for (size_t i = 0; i < count; i++) {
        result->inputs[i].path = tn_strdup(sources[i].path);
        char *real = realpath(sources[i].path, NULL); /* malloc'd by libc: copied, then freed */
        result->inputs[i].location = tn_strdup(real ? real : sources[i].path);
        free(real);
        if (!result->inputs[i].path || !result->inputs[i].location)
            return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        tn_ingest_input *in = &result->inputs[i];
        int rc = tn_ingest_hash_file(in->path, in->hash, &in->bytes, err);
        if (rc < 0) return rc;
        if (!ledger_checked(run)) continue;
        for (size_t j = 0; j < i; j++)
            if (result->inputs[j].status == TN_INGEST_LOADED &&
                strcmp(result->inputs[j].hash, in->hash) == 0) {
                size_t n = strlen(result->inputs[j].path) + 32;
                in->skipped_reason = tn_malloc(n);
                if (!in->skipped_reason) return tn_error_set(err, TN_ENOMEM, "out of memory");
                snprintf(in->skipped_reason, n, "same content as %s", result->inputs[j].path);
                in->status = TN_INGEST_SKIPPED;
                break;
            }
        if (in->status == TN_INGEST_SKIPPED || !run->table) continue;
        bool found = false;
        rc = tn_catalog_ledger_find(run->catalog, run->qualified, in->hash, &found, err);
        if (rc < 0) return rc;
        if (found) {
            in->status = TN_INGEST_SKIPPED;
            in->skipped_reason = tn_strdup("already ingested");
            if (!in->skipped_reason) return tn_error_set(err, TN_ENOMEM, "out of memory");
        }
    }
    return 0;
}

/* Ingests files into a table (see ingest.h). */
int tn_ingest_files(tn_lake *lake, tn_catalog *catalog, const char *const *paths, size_t count,
                    const char *ns, const char *name, const tn_ingest_options *opts,
                    tn_ingest_result *result, tn_error *err)
{
    tn_ingest_source *sources = tn_calloc(count + 1, sizeof *sources);
    if (!sources) {
        memset(result, 0, sizeof *result);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < count; i++) sources[i].path = paths[i];
    int rc = tn_ingest_sources(lake, catalog, sources, count, ns, name, opts, false, result, err);
    tn_free(sources);
    return rc;
}

/* Ingests sources into a table (see ingest_int.h). */
int tn_ingest_sources(tn_lake *lake, tn_catalog *catalog, const tn_ingest_source *sources,
                      size_t count, const char *ns, const char *name,
                      const tn_ingest_options *opts, bool name_mapping,
                      tn_ingest_result *result, tn_error *err)
{
    memset(result, 0, sizeof *result);
    tn_ingest_options defaults = {0};
    if (!opts) opts = &defaults;
    ingest_run run = {
        .lake = lake,
        .catalog = catalog,
        .opts = opts,
        .ns = ns,
        .name = name,
        .result = result,
        .sources = sources,
        .name_mapping = name_mapping,
    };
    tn_arena_init(&run.arena, 0);
    int rc = 0;
    size_t qlen = strlen(ns) + strlen(name) + 2;
    run.qualified = tn_malloc(qlen);
    if (!run.qualified) {
        tn_arena_free(&run.arena);
        return tn_error_set(err, TN_ENOMEM, "out of memory");
    }
    snprintf(run.qualified, qlen, "%s.%s", ns, name);
    if (opts->mode != TN_INGEST_APPEND && opts->mode != TN_INGEST_OVERWRITE) {
        rc = tn_error_set(err, TN_EINVAL, "unknown ingest mode %d", opts->mode);
        goto fail;
    }
    if (opts->partition_by) {
        rc = tn_ingest_partition_parse(opts->partition_by, &run.partition, err);
        if (rc < 0) goto fail;
    }
    rc = tn_lake_table_load(lake, ns, name, &run.table, err);
    if (rc == TN_ENOENT) {
        tn_error_clear(err);
        run.table = NULL;
        rc = 0;
    }
    if (rc < 0) goto fail;
    if (run.table && run.partition && !spec_matches(run.table, run.partition)) {
        tn_buf have = TN_BUF_INIT;
        tn_ingest_partition_format(tn_lake_table_metadata(run.table), &have);
        rc = tn_error_set(err, TN_EINVAL,
                          "table '%s' is partitioned by '%s', not by '%s'; leave out "
                          "--partition-by (changing a table's partitioning is not supported)",
                          run.qualified, have.len ? tn_buf_cstr(&have) : "nothing",
                          opts->partition_by);
        tn_error_set_key(err, "partition-by");
        tn_buf_free(&have);
        goto fail;
    }
    rc = prepare_inputs(&run, sources, count, err);
    if (rc < 0) goto fail;
    for (size_t i = 0; i < count; i++)
        if (result->inputs[i].status == TN_INGEST_SKIPPED) result->inputs_skipped++;
    if (result->inputs_skipped == (int64_t)count) goto done; /* nothing new: no snapshot */

    rc = tn_catalog_operation_start(catalog, opts->operation ? opts->operation : "ingest",
                                    run.qualified, &result->operation_id, err);
    if (rc < 0) goto fail;
    for (size_t i = 0; i < count; i++) {
        if (result->inputs[i].status == TN_INGEST_SKIPPED) continue;
        rc = ingest_input(&run, i, err);
        if (rc < 0) goto fail;
    }
    if (!run.table) goto done; /* only empty inputs: there is nothing to create a table from */
    rc = commit(&run, err);
    if (rc < 0) goto fail;
done:
    tn_lake_writer_free(run.writer, false);
    tn_reject_spool_close(&run.spool);
    tn_lake_table_close(run.table);
    tn_ingest_partition_free(run.partition);
    tn_free(run.qualified);
    tn_free(run.in_place);
    tn_free(run.written);
    tn_arena_free(&run.arena);
    return 0;
fail:
    /* Nothing was committed: the data files written are garbage now. */
    tn_lake_writer_free(run.writer, true);
    if (!run.commit_attempted) remove_written(&run);
    tn_reject_spool_close(&run.spool);
    if (result->operation_id > 0) {
        tn_error ignore = {0};
        tn_buf detail = TN_BUF_INIT;
        tn_buf_append_cstr(&detail, "{\"error\":");
        tn_buf_append_json_string(&detail, err->message, strlen(err->message));
        tn_buf_putc(&detail, '}');
        tn_catalog_operation_finish(catalog, result->operation_id, "failed", 0,
                                    tn_buf_cstr(&detail), &ignore);
        tn_buf_free(&detail);
    }
    tn_lake_table_close(run.table);
    tn_ingest_partition_free(run.partition);
    tn_free(run.qualified);
    tn_free(run.in_place);
    tn_free(run.written);
    tn_arena_free(&run.arena);
    return rc;
}
