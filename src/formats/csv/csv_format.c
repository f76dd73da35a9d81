/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_format.c: the CSV format plugin struct (tn_format_csv) the formats host registers.
 * Also the content probe the host uses when neither a name nor an extension says the format.
 * The reader lives in csv_read.c, the writer in csv_write.c, dialect sniffing in
 * csv_sniff.c and type inference in csv_infer.c.
 */
#include "formats/csv/csv_int.h"

/* Confidence that head is CSV: text without NUL bytes whose first lines split consistently
 * on one of the usual delimiters (quotes respected). */
int tn_csv_probe(const char *head, size_t len)
{
    if (len == 0)
        return 0;
    size_t n = len < 65536 ? len : 65536;
    if (memchr(head, '\0', n))
        return 0;
    int lines = 0;
    uint32_t counts[4][8] = {{0}};
    static const char delims[4] = {',', '\t', ';', '|'};
    bool in_quotes = false;
    for (size_t i = 0; i < n && lines < 8; i++) {
        char c = head[i];
        if (c == '"')
            in_quotes = !in_quotes;
        else if (!in_quotes && c == '\n')
            lines++;
        else if (!in_quotes)
            for (int k = 0; k < 4; k++)
                if (c == delims[k])
                    counts[k][lines]++;
    }
    if (lines < 1)
        return 5;
    for (int k = 0; k < 4; k++) {
        bool same = counts[k][0] > 0;
        for (int l = 1; l < lines && same; l++)
            same = counts[k][l] == counts[k][0];
        if (same)
            return lines >= 2 ? 60 : 40;
    }
    return 10;
}

static const char *const csv_extensions[] = {".csv", ".tsv", NULL};
static const char *const csv_aliases[] = {"tsv", NULL};

const tn_format tn_format_csv = {
    .abi_version = TN_FORMAT_ABI_VERSION,
    .name = "csv",
    .extensions = csv_extensions,
    .aliases = csv_aliases,
    .probe = tn_csv_probe,
    .reader_open = tn_csv_reader_open,
    .reader_schema = tn_csv_reader_schema,
    .reader_next = tn_csv_reader_next,
    .reader_describe = tn_csv_reader_describe,
    .reader_rejected = tn_csv_reader_rejected,
    .reader_close = tn_csv_reader_close,
    .writer_open = tn_csv_writer_open,
    .writer_write = tn_csv_writer_write,
    .writer_finish = tn_csv_writer_finish,
    .writer_abort = tn_csv_writer_abort,
};
