/* SPDX-License-Identifier: Apache-2.0
 *
 * The JSON / NDJSON format plugin: the tn_format struct the formats host registers, and the
 * content probe used when neither an option nor the file name says what a file is.
 */
#include "formats/json/json_int.h"

/* Confidence 0..100 that head (the first decompressed bytes) is JSON or NDJSON. */
static int json_probe(const char *head, size_t len)
{
    const char *p = head;
    const char *end = head + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    p = json_skip_ws(p, end);
    if (p >= end) return 0;
    if (*p != '{' && *p != '[') {
        /* A lone scalar is JSON only if all of it is in view and valid. */
        json_err e = {0};
        bool oom = false;
        const char *q = tn_json_scan_value(p, end, 0, NULL, &oom, &e);
        return q && json_skip_ws(q, end) == end ? 30 : 0;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = nl ? nl : end;
    json_err e = {0};
    bool oom = false;
    const char *q = tn_json_scan_value(p, line_end, 0, NULL, &oom, &e);
    if (q || e.incomplete) return 95;
    return 40;
}

static const char *const json_extensions[] = {".json", ".ndjson", ".jsonl", NULL};
static const char *const json_aliases[] = {"ndjson", "jsonl", NULL};

const tn_format tn_format_json = {
    .abi_version = TN_FORMAT_ABI_VERSION,
    .name = "json",
    .extensions = json_extensions,
    .aliases = json_aliases,
    .probe = json_probe,
    .reader_open = tn_json_reader_open,
    .reader_schema = tn_json_reader_schema,
    .reader_next = tn_json_reader_next,
    .reader_describe = tn_json_reader_describe,
    .reader_rejected = tn_json_reader_rejected,
    .reader_close = tn_json_reader_close,
    .writer_open = tn_json_writer_open,
    .writer_write = tn_json_writer_write,
    .writer_finish = tn_json_writer_finish,
    .writer_abort = tn_json_writer_abort,
};
