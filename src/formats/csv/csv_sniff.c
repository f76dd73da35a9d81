/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_sniff.c: dialect detection from the first records of a file. Tries each candidate
 * delimiter (',' tab ';' '|') with the real tokenizer and keeps the one under which most
 * records have the same field count, that count being more than one; a file no candidate
 * splits consistently is read as a single column. Also reports the line-ending style and
 * builds the final column names (DuckDB's rules: trimmed, empty ones become column0..,
 * duplicates get _1, _2 ...).
 */
#include "formats/csv/csv_int.h"

#include <stdio.h>
#include <stdlib.h>

/* Records looked at per candidate; enough to see past a few odd lines at the top. */
#define SNIFF_MAX_RECORDS 1000
/* Bytes looked at per candidate. */
#define SNIFF_MAX_BYTES TN_CSV_SNIFF_BYTES

static const char candidate_delimiters[] = {',', '\t', ';', '|'};

typedef struct sniff_score {
    uint32_t mode;        /* most common field count (records after the first) */
    int consistent;       /* records with that count, the first included */
    int records;          /* records tokenized */
    bool all_trailing;    /* every record ends with an empty unquoted field */
    int irregular;        /* fields whose quotes are not just around the value */
    bool split;           /* enough records agree on more than one field */
} sniff_score;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Tokenizes up to SNIFF_MAX_RECORDS records with dialect d and scores the result. */
static int score_dialect(const char *data, size_t len, bool at_eof, const tn_csv_dialect *d,
                         uint32_t *counts, sniff_score *out)
{
    tn_csv_scanner sc;
    tn_csv_record rec = {0};
    const char *end = data + (len < SNIFF_MAX_BYTES ? len : SNIFF_MAX_BYTES);
    bool eof = at_eof && len <= SNIFF_MAX_BYTES;
    tn_csv_scanner_init(&sc, d, end);
    const char *p = data;
    int n = 0, irregular = 0;
    bool trailing = true;
    while (n < SNIFF_MAX_RECORDS) {
        int st = tn_csv_next_record(&sc, d, p, eof, &rec);
        if (st < 0) {
            tn_csv_record_free(&rec);
            return st;
        }
        if (st != TN_CSV_RECORD && st != TN_CSV_UNTERMINATED)
            break;
        counts[n++] = rec.field_count;
        for (uint32_t i = 0; i < rec.field_count; i++)
            irregular += (rec.fields[i].flags & TN_CSV_FIELD_RAW) != 0;
        const tn_csv_field *last = &rec.fields[rec.field_count - 1];
        if (rec.field_count < 2 || last->len != 0 || last->flags != 0)
            trailing = false;
        if (st == TN_CSV_UNTERMINATED)
            break;
        p = rec.next;
    }
    tn_csv_record_free(&rec);

    memset(out, 0, sizeof(*out));
    out->records = n;
    out->irregular = irregular;
    out->all_trailing = n > 0 && trailing;
    if (n == 0)
        return 0;
    if (n == 1) {
        out->mode = counts[0];
        out->consistent = 1;
        out->split = counts[0] >= 2;
        return 0;
    }
    /* The most common field count over the records after the first (which may be a header
     * of another width), once among records of two or more fields and once among all. Lines
     * of one field (comments, titles, notes) should not hide a table in the rest. */
    uint32_t first = counts[0];
    qsort(counts + 1, (size_t)n - 1, sizeof(uint32_t), cmp_u32);
    uint32_t all_mode = counts[1], multi_mode = 0;
    int all_run = 0, multi_run = 0;
    for (int i = 1; i < n;) {
        int j = i;
        while (j < n && counts[j] == counts[i])
            j++;
        if (j - i > all_run || (j - i == all_run && counts[i] > all_mode)) {
            all_run = j - i;
            all_mode = counts[i];
        }
        if (counts[i] >= 2 && (j - i > multi_run || (j - i == multi_run && counts[i] > multi_mode))) {
            multi_run = j - i;
            multi_mode = counts[i];
        }
        i = j;
    }
    int multi_consistent = multi_run + (first == multi_mode);
    /* A delimiter splits the file when at least 30% of the records agree on a count > 1. */
    if (multi_mode >= 2 && multi_consistent * 10 >= n * 3) {
        out->split = true;
        out->mode = multi_mode;
        out->consistent = multi_consistent;
    } else {
        out->mode = all_mode;
        out->consistent = all_run + (first == all_mode);
    }
    return 0;
}

/* Whether score a beats score b. */
static bool better(const sniff_score *a, const sniff_score *b)
{
    if (a->consistent != b->consistent)
        return a->consistent > b->consistent;
    if (a->mode != b->mode)
        return a->mode > b->mode;
    return a->irregular < b->irregular;
}

/* Whether a backslash directly precedes a quote somewhere in the sample. */
static bool has_backslash_quote(const char *data, size_t len, char quote)
{
    size_t n = len < SNIFF_MAX_BYTES ? len : SNIFF_MAX_BYTES;
    const char *p = data, *end = data + n;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (p + 1 < end && p[1] == quote)
            return true;
        p++;
    }
    return false;
}

/* Chooses delimiter and escape and counts the columns (contract in csv_int.h). */
int tn_csv_sniff_dialect(const char *data, size_t len, bool at_eof, tn_csv_dialect *d,
                         bool delimiter_given, bool escape_given, tn_csv_sniffed *out)
{
    uint32_t *counts = tn_malloc(SNIFF_MAX_RECORDS * sizeof(uint32_t));
    if (!counts)
        return TN_ENOMEM;
    /* Escapes to try: doubled quotes, and a backslash when the sample has \" in it. */
    char escapes[2] = {d->escape, 0};
    size_t escape_count = 1;
    if (!escape_given && d->quote != '\\' && has_backslash_quote(data, len, d->quote))
        escapes[escape_count++] = '\\';
    size_t delim_count = delimiter_given ? 1 : sizeof(candidate_delimiters);
    sniff_score best = {0};
    tn_csv_dialect chosen = *d;
    bool have = false;
    int rc = 0;
    for (size_t e = 0; e < escape_count && !rc; e++) {
        for (size_t i = 0; i < delim_count; i++) {
            tn_csv_dialect cand = *d;
            cand.escape = escapes[e];
            cand.delimiter = delimiter_given ? d->delimiter : candidate_delimiters[i];
            if (!delimiter_given &&
                (cand.delimiter == cand.quote || cand.delimiter == cand.escape ||
                 cand.delimiter == cand.comment))
                continue;
            sniff_score sc;
            rc = score_dialect(data, len, at_eof, &cand, counts, &sc);
            if (rc)
                break;
            /* A guessed delimiter must split the records; a given one is taken as is. */
            if (!delimiter_given && !sc.split)
                continue;
            if (!have || better(&sc, &best)) {
                best = sc;
                chosen = cand;
                have = true;
            }
        }
    }
    if (!rc && !have) {
        /* One column: any delimiter that does not occur works; keep ','. */
        chosen = *d;
        chosen.delimiter = ',';
        rc = score_dialect(data, len, at_eof, &chosen, counts, &best);
    }
    tn_free(counts);
    if (rc)
        return rc;
    *d = chosen;
    out->records = best.records;
    out->column_count = best.records ? best.mode : 1;
    out->drop_trailing = best.all_trailing && out->column_count >= 2;
    if (out->drop_trailing)
        out->column_count--;
    return 0;
}

/* Names the line-end style of the sample. */
const char *tn_csv_sniff_line_ending(const char *data, size_t len)
{
    /* Quoted line breaks are counted too: good enough for a description. */
    size_t n = len < SNIFF_MAX_BYTES ? len : SNIFF_MAX_BYTES;
    if (!memchr(data, '\r', n))
        return memchr(data, '\n', n) ? "lf" : "none";
    int lf = 0, crlf = 0, cr = 0;
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            lf++;
        } else if (data[i] == '\r') {
            if (i + 1 < n && data[i + 1] == '\n') {
                crlf++;
                i++;
            } else {
                cr++;
            }
        }
    }
    int kinds = (lf > 0) + (crlf > 0) + (cr > 0);
    if (kinds == 0)
        return "none";
    if (kinds > 1)
        return "mixed";
    return lf ? "lf" : crlf ? "crlf" : "cr";
}

/* ------------------------------------------------------------------------------------------
 * Column names
 * ---------------------------------------------------------------------------------------- */

/* A NUL-terminated, valid UTF-8 copy of a header value: NUL bytes dropped, invalid
 * sequences replaced by U+FFFD, surrounding ASCII whitespace trimmed. */
static char *clean_name(const char *p, size_t n)
{
    tn_str t = tn_str_trim(tn_str_make(p, n));
    tn_buf out = TN_BUF_INIT;
    size_t i = 0;
    while (i < t.len) {
        size_t bad = tn_utf8_invalid_offset(t.ptr + i, t.len - i);
        for (size_t k = 0; k < bad; k++)
            if (t.ptr[i + k] != '\0' && tn_buf_putc(&out, t.ptr[i + k]))
                goto fail;
        i += bad;
        if (i < t.len) {
            if (tn_buf_append(&out, "\xEF\xBF\xBD", 3))
                goto fail;
            i++;
        }
    }
    if (!tn_buf_cstr(&out))
        goto fail;
    if (!out.data) {
        char *empty = tn_strdup("");
        return empty;
    }
    return tn_buf_detach(&out, NULL);
fail:
    tn_buf_free(&out);
    return NULL;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

/* Whether a case-insensitive name is taken; adds it when not. Returns 1 if it was taken,
 * 0 if it was added, or TN_ENOMEM. */
static int claim_name(tn_hash *seen, const char *name)
{
    size_t n = strlen(name);
    char *key = tn_malloc(n + 1);
    if (!key)
        return TN_ENOMEM;
    memcpy(key, name, n + 1);
    lower_ascii(key);
    int rc = 0;
    if (tn_hash_get(seen, key, n, NULL))
        rc = 1;
    else if (tn_hash_put(seen, key, n, NULL))
        rc = TN_ENOMEM;
    tn_free(key);
    return rc;
}

/* Final column names (rules in csv_int.h). Returns 0 or TN_ENOMEM. */
int tn_csv_make_names_text(const tn_str *header, uint32_t header_count, uint32_t column_count,
                           char **names)
{
    int rc = 0;
    tn_hash *seen = tn_hash_new(column_count * 2 + 8);
    if (!seen)
        return TN_ENOMEM;
    for (uint32_t i = 0; i < column_count; i++)
        names[i] = NULL;
    /* Generated names are zero-padded to the width of the largest index, as DuckDB does. */
    int width = 1;
    for (uint32_t v = column_count ? column_count - 1 : 0; v >= 10; v /= 10)
        width++;
    for (uint32_t i = 0; i < column_count; i++) {
        char *name = NULL;
        if (header && i < header_count) {
            name = clean_name(header[i].ptr, header[i].len);
            if (!name) {
                rc = TN_ENOMEM;
                goto fail;
            }
        }
        if (!name || !name[0]) {
            tn_free(name);
            char gen[48];
            snprintf(gen, sizeof(gen), "column%0*u", width & 15, i);
            name = tn_strdup(gen);
            if (!name) {
                rc = TN_ENOMEM;
                goto fail;
            }
        }
        names[i] = name;
    }
    /* De-duplicate in order: a later duplicate gets the first free name_1, name_2 ... */
    for (uint32_t i = 0; i < column_count; i++) {
        int taken = claim_name(seen, names[i]);
        if (taken < 0) {
            rc = taken;
            goto fail;
        }
        for (unsigned k = 1; taken == 1; k++) {
            size_t n = strlen(names[i]);
            char *cand = tn_malloc(n + 16);
            if (!cand) {
                rc = TN_ENOMEM;
                goto fail;
            }
            snprintf(cand, n + 16, "%s_%u", names[i], k);
            taken = claim_name(seen, cand);
            if (taken < 0) {
                tn_free(cand);
                rc = taken;
                goto fail;
            }
            if (taken == 0) {
                tn_free(names[i]);
                names[i] = cand;
            } else {
                tn_free(cand);
            }
        }
    }
    tn_hash_free(seen);
    return 0;
fail:
    for (uint32_t i = 0; i < column_count; i++) {
        tn_free(names[i]);
        names[i] = NULL;
    }
    tn_hash_free(seen);
    return rc;
}
