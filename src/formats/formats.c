/* SPDX-License-Identifier: Apache-2.0
 *
 * The format host: the registry of format plugins, the choice of a format for an input or an
 * output, and the tn_reader / tn_writer wrappers that callers use instead of the plugins'
 * callbacks. Adding a format is a new folder plus one line in `registry` below.
 */
#include "formats/formats.h"

#include <stdio.h>
#include <strings.h>

static const tn_format *const registry[] = {
    &tn_format_csv,
    &tn_format_json,
    &tn_format_parquet,
    NULL,
};

struct tn_reader {
    const tn_format *format;
    void *state;
};

struct tn_writer {
    const tn_format *format;
    void *state;
};

/* The registered formats, NULL-terminated. */
const tn_format *const *tn_formats(void) { return registry; }

/* Looks a format up by name or alias (case-insensitive). */
const tn_format *tn_format_by_name(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; registry[i]; i++) {
        const tn_format *f = registry[i];
        if (strcasecmp(f->name, name) == 0) return f;
        for (size_t a = 0; f->aliases && f->aliases[a]; a++)
            if (strcasecmp(f->aliases[a], name) == 0) return f;
    }
    return NULL;
}

static bool is_compression_suffix(const char *ext)
{
    return strcasecmp(ext, ".gz") == 0 || strcasecmp(ext, ".zst") == 0 ||
           strcasecmp(ext, ".gzip") == 0 || strcasecmp(ext, ".zstd") == 0;
}

/* The format whose extension list holds the path's extension (after any .gz/.zst). */
static const tn_format *format_by_extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[512];
    snprintf(name, sizeof name, "%s", base);
    for (int round = 0; round < 2; round++) {
        char *dot = strrchr(name, '.');
        if (!dot || dot == name) return NULL;
        if (round == 0 && is_compression_suffix(dot)) {
            *dot = '\0';
            continue;
        }
        for (size_t i = 0; registry[i]; i++)
            for (size_t e = 0; registry[i]->extensions && registry[i]->extensions[e]; e++)
                if (strcasecmp(registry[i]->extensions[e], dot) == 0) return registry[i];
        return NULL;
    }
    return NULL;
}

static int unknown_format(const char *name, tn_error *err)
{
    char names[256] = "";
    size_t used = 0;
    for (size_t i = 0; registry[i]; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                 registry[i]->name);
    int rc = tn_error_set(err, TN_EUSAGE, "unknown format '%s' (tarn reads and writes: %s)",
                          name, names);
    tn_error_set_key(err, "format");
    return rc;
}

/* Chooses the format of an input: explicit name, else extension, else content. */
int tn_format_detect(const char *path, const char *explicit_name, const tn_format **out,
                     tn_error *err)
{
    *out = NULL;
    if (explicit_name) {
        *out = tn_format_by_name(explicit_name);
        return *out ? 0 : unknown_format(explicit_name, err);
    }
    if (strcmp(path, "-") == 0)
        return tn_error_set(err, TN_EUSAGE,
                            "cannot tell the format of standard input: name it with "
                            "--input-format csv|json|parquet");
    const tn_format *by_ext = format_by_extension(path);
    if (by_ext) {
        *out = by_ext;
        return 0;
    }
    char head[64 * 1024];
    int64_t got = tn_input_peek(path, head, sizeof head, err);
    if (got < 0) return (int)got;
    int best_score = 0;
    for (size_t i = 0; registry[i]; i++) {
        if (!registry[i]->probe) continue;
        int score = registry[i]->probe(head, (size_t)got);
        if (score > best_score) {
            best_score = score;
            *out = registry[i];
        }
    }
    if (!*out)
        return tn_error_set_at(err, TN_EFORMAT, path, 0, 0,
                               "cannot tell the format of '%s' from its name or content "
                               "(name it with --input-format csv|json|parquet)",
                               path);
    return 0;
}

/* Chooses an output format from an explicit name or the output's extension. */
int tn_format_for_output(const char *path, const char *explicit_name, const tn_format **out,
                         tn_error *err)
{
    *out = NULL;
    if (explicit_name) {
        *out = tn_format_by_name(explicit_name);
        if (!*out) return unknown_format(explicit_name, err);
    } else {
        *out = format_by_extension(path);
        if (!*out)
            return tn_error_set(err, TN_EUSAGE,
                                "cannot tell the output format from '%s': use an extension "
                                "(.csv, .tsv, .ndjson, .json, .parquet) or --to FORMAT",
                                path);
    }
    if (!(*out)->writer_open)
        return tn_error_set(err, TN_EUNSUPPORTED, "tarn cannot write %s files yet",
                            (*out)->name);
    return 0;
}

/* Opens a reader for path; the schema is inferred (or taken from opts->schema) here. */
int tn_reader_open(const char *path, const tn_read_options *opts, tn_reader **out,
                   tn_error *err)
{
    static const tn_read_options defaults;
    if (!opts) opts = &defaults;
    *out = NULL;
    const tn_format *format = NULL;
    int rc = tn_format_detect(path, opts->format, &format, err);
    if (rc < 0) return rc;
    if (!format->reader_open)
        return tn_error_set(err, TN_EUNSUPPORTED, "tarn cannot read %s files yet",
                            format->name);
    tn_reader *reader = tn_calloc(1, sizeof *reader);
    if (!reader) return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    reader->format = format;
    rc = format->reader_open(path, opts, &reader->state, err);
    if (rc < 0) {
        tn_free(reader);
        return rc;
    }
    *out = reader;
    return 0;
}

/* The reader's schema; valid until tn_reader_close. */
const tn_schema *tn_reader_schema(const tn_reader *reader)
{
    return reader->format->reader_schema(reader->state);
}

/* The format chosen for the input. */
const tn_format *tn_reader_format(const tn_reader *reader) { return reader->format; }

/* Appends the format's JSON description of what it found (dialect, layout, file details). */
int tn_reader_describe(const tn_reader *reader, tn_buf *json)
{
    if (!reader->format->reader_describe) return tn_buf_append_cstr(json, "{}");
    return reader->format->reader_describe(reader->state, json);
}

/* Next batch (caller frees it); *out = NULL at the end. */
int tn_reader_next(tn_reader *reader, tn_batch **out, tn_error *err)
{
    *out = NULL;
    return reader->format->reader_next(reader->state, out, err);
}

/* Rows rejected so far. */
int64_t tn_reader_rejected(const tn_reader *reader)
{
    if (!reader->format->reader_rejected) return 0;
    return reader->format->reader_rejected(reader->state);
}

/* Fraction of the input read so far, or -1 when the format cannot tell. */
double tn_reader_progress(const tn_reader *reader)
{
    if (!reader->format->reader_progress) return -1;
    return reader->format->reader_progress(reader->state);
}

/* Closes the reader and frees everything it holds; accepts NULL. */
void tn_reader_close(tn_reader *reader)
{
    if (!reader) return;
    if (reader->state) reader->format->reader_close(reader->state);
    tn_free(reader);
}

/* Opens a writer; nothing is visible at path until tn_writer_finish succeeds. */
int tn_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                   tn_writer **out, tn_error *err)
{
    static const tn_write_options defaults;
    if (!opts) opts = &defaults;
    *out = NULL;
    const tn_format *format = NULL;
    int rc = tn_format_for_output(path, opts->format, &format, err);
    if (rc < 0) return rc;
    tn_writer *writer = tn_calloc(1, sizeof *writer);
    if (!writer) return tn_error_set(err, TN_ENOMEM, "out of memory opening '%s'", path);
    writer->format = format;
    rc = format->writer_open(path, schema, opts, &writer->state, err);
    if (rc < 0) {
        tn_free(writer);
        return rc;
    }
    *out = writer;
    return 0;
}

/* Writes one batch (the writer copies what it keeps). */
int tn_writer_write(tn_writer *writer, const tn_batch *batch, tn_error *err)
{
    return writer->format->writer_write(writer->state, batch, err);
}

/* Finishes the file (atomically visible) and frees the writer, also on error. */
int tn_writer_finish(tn_writer *writer, tn_error *err)
{
    int rc = writer->format->writer_finish(writer->state, err);
    tn_free(writer);
    return rc;
}

/* Bytes held for rows not yet written out; 0 when the format does not say. */
int64_t tn_writer_buffered(const tn_writer *writer)
{
    return writer->format->writer_buffered ? writer->format->writer_buffered(writer->state) : 0;
}

/* Writes out the rows held, when the format can; else does nothing. */
int tn_writer_flush(tn_writer *writer, tn_error *err)
{
    return writer->format->writer_flush ? writer->format->writer_flush(writer->state, err) : 0;
}

/* Abandons the output: nothing appears at the path. Accepts NULL. */
void tn_writer_abort(tn_writer *writer)
{
    if (!writer) return;
    writer->format->writer_abort(writer->state);
    tn_free(writer);
}
