/* SPDX-License-Identifier: Apache-2.0
 *
 * csv_int.h: private interface of the CSV format plugin, shared by the files in
 * src/formats/csv/ (and by the CSV unit tests). Nothing else includes it.
 *
 *   csv_scan.c    the tokenizer: records and fields out of bytes, quote/escape rules,
 *                 record boundaries for parallel parsing
 *   csv_source.c  buffered sequential input over tn_input (refill, grow, BOM)
 *   csv_sniff.c   dialect, header, column names
 *   csv_infer.c   type voting over a sample
 *   csv_read.c    the reader: open, parallel block parse, batches in file order, rejects
 *   csv_write.c   the writer
 *   csv_format.c  the tn_format struct
 */
#ifndef TN_CSV_INT_H
#define TN_CSV_INT_H

#include "formats/formats.h"

#include <float.h>

/* Every buffer handed to the tokenizer has this many readable bytes after its end, so that
 * the scanner may load 64 bytes at any position before the end without checks. */
#define TN_CSV_PAD 64
/* Raw record text kept for a rejected row. */
#define TN_CSV_REJECT_RAW_MAX 4096
/* Largest record (and so largest carried partial record) the reader accepts. */
#define TN_CSV_MAX_RECORD ((size_t)512 << 20)
/* Bytes read per block of the parallel parse. */
#define TN_CSV_BLOCK_SIZE ((size_t)16 << 20)
/* Bytes of the input start the dialect sniffer looks at. */
#define TN_CSV_SNIFF_BYTES ((size_t)4 << 20)
/* Smallest slice of a block worth giving its own thread. */
#define TN_CSV_MIN_SEGMENT ((size_t)256 << 10)

/* Block and segment sizes readers opened from now on use. Only tests change them, to push
 * records across many block and segment boundaries with small files. */
typedef struct tn_csv_tuning {
    size_t block_size;  /* TN_CSV_BLOCK_SIZE */
    size_t min_segment; /* TN_CSV_MIN_SEGMENT */
} tn_csv_tuning;
extern tn_csv_tuning tn_csv_tuning_current;

/* ------------------------------------------------------------------------------------------
 * Dialect and tokenizer
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_csv_dialect {
    char delimiter;       /* field separator */
    char quote;           /* quote character */
    char escape;          /* == quote: doubled quotes; otherwise escapes quote/escape in quotes */
    char comment;         /* lines starting with it are skipped; 0 = none */
    bool blank_is_record; /* an empty line is a record of one empty field (1-column files) */
} tn_csv_dialect;

enum tn_csv_field_flag {
    TN_CSV_FIELD_QUOTED = 1u,  /* a quote appeared in the field: not NULL for VARCHAR */
    TN_CSV_FIELD_ESCAPED = 2u, /* ptr/len hold doubled quotes or escapes: unescape first */
    TN_CSV_FIELD_RAW = 4u,     /* quotes not only around the value: ptr/len is the whole raw
                                  field, unescaped starting outside quotes */
};

/* One field of a record. For a plainly quoted field ptr/len is the text between the quotes. */
typedef struct tn_csv_field {
    const char *ptr;
    uint32_t len;
    uint32_t flags; /* tn_csv_field_flag */
} tn_csv_field;

typedef enum tn_csv_status {
    TN_CSV_RECORD = 1,       /* a complete record */
    TN_CSV_END = 2,          /* no record before the end (only blank or comment lines) */
    TN_CSV_MORE = 3,         /* the data ends inside a record: more input is needed */
    TN_CSV_UNTERMINATED = 4, /* the input ends inside quotes: the record runs to the end */
} tn_csv_status;

/* A tokenized record. `fields` is owned and reused from call to call. */
typedef struct tn_csv_record {
    tn_csv_field *fields;
    uint32_t field_count;
    uint32_t field_cap;
    const char *start; /* first byte of the record (after skipped blank/comment lines) */
    const char *end;   /* end of its text, terminator excluded */
    const char *next;  /* where the next record may begin */
    int64_t lead_lines; /* blank/comment lines skipped before `start` */
    int64_t lines;      /* all line breaks consumed: lead lines, quoted ones, terminator */
} tn_csv_record;

/* Finds the special characters (delimiter, quote, escape, CR, LF) 64 bytes at a time. */
typedef struct tn_csv_scanner {
    const char *end;        /* scanning stops here */
    const char *chunk;      /* start of the 64 bytes described by mask */
    const char *valid_from; /* mask is exact for positions >= valid_from */
    uint64_t mask;          /* bit i: chunk[i] is special */
    char specials[5];       /* delimiter, quote, escape, '\n', '\r' */
    uint8_t table[256];     /* 1 for special bytes (portable path) */
} tn_csv_scanner;

/* Prepares sc to tokenize records in [.., end); end must be followed by TN_CSV_PAD readable
 * bytes. Call again whenever the buffer moves. */
void tn_csv_scanner_init(tn_csv_scanner *sc, const tn_csv_dialect *d, const char *end);

/* Tokenizes the record starting at p (a record start, p <= sc->end) into rec. at_eof says
 * whether sc->end is the end of the input (otherwise a record touching it is incomplete).
 * Returns a tn_csv_status, or TN_ENOMEM when the field array cannot grow. */
int tn_csv_next_record(tn_csv_scanner *sc, const tn_csv_dialect *d, const char *p, bool at_eof,
                       tn_csv_record *rec);
void tn_csv_record_free(tn_csv_record *rec);

/* The same records as tn_csv_next_record, for a whole segment of complete records, found
 * with 64-byte bit masks: quote parity (a prefix XOR) tells which delimiters and line ends
 * are inside quotes, so only field ends are visited. Only for dialects where every quote
 * toggles (escape == quote, no comments). */
typedef struct tn_csv_fast {
    const char *end;        /* segment end, followed by TN_CSV_PAD readable bytes */
    const char *pos;        /* next record start */
    const char *chunk;      /* the 64 bytes the masks describe */
    uint64_t pending;       /* field ends (delimiters, line ends outside quotes) not visited */
    uint64_t term;          /* line ends outside quotes */
    uint64_t quotes;        /* quote characters */
    uint64_t quoted_breaks; /* line breaks inside quotes */
    uint64_t carry;         /* all ones when the chunk starts inside quotes */
    const char *last_quote; /* last quote before `chunk`, or NULL */
    int64_t breaks_before;  /* quoted line breaks before `chunk` */
    int64_t breaks_mark;    /* quoted line breaks before `pos` */
    tn_csv_scanner sc;      /* for the last record when it has no line end */
    bool done;
} tn_csv_fast;

/* Starts tokenizing the segment [begin, end) (begin is a record start outside quotes). */
void tn_csv_fast_init(tn_csv_fast *fx, const tn_csv_dialect *d, const char *begin,
                      const char *end);
/* The next record, as tn_csv_next_record(.., at_eof = true) would return it. */
int tn_csv_fast_next(tn_csv_fast *fx, const tn_csv_dialect *d, tn_csv_record *rec);

/* Unescapes field text into out (room for len bytes): removes the quotes that open and
 * close quoted sections and resolves doubled quotes / escapes. `in_quotes` is the state at
 * the first byte (true for the inside of a plainly quoted field). Returns the length. */
size_t tn_csv_unescape(const tn_csv_dialect *d, const char *p, size_t len, bool in_quotes,
                       char *out);
/* The text of a field: its bytes, or an unescaped copy in scratch. Returns 0 or TN_ENOMEM. */
int tn_csv_field_text(const tn_csv_dialect *d, const tn_csv_field *f, tn_buf *scratch,
                      tn_str *out);

/* Number of bytes equal to q in [p, p+n). */
uint64_t tn_csv_count_byte(const char *p, size_t n, char q);
/* True when some byte of [p, p+n) is >= 0x80. */
bool tn_csv_has_high_bytes(const char *p, size_t n);
/* tn_utf8_valid, faster on mostly-ASCII text (16 bytes at a time between non-ASCII runs). */
bool tn_csv_utf8_valid(const char *p, size_t n);
/* The first record boundary at or after `from` (a position just after a line terminator
 * outside quotes), given whether `from` is inside quotes; `limit` when there is none before
 * limit. Only for dialects where every quote toggles the state (escape == quote, no
 * comments). d[limit] must be readable when limit < the data end. */
size_t tn_csv_next_boundary(const char *d, size_t from, size_t limit, size_t data_len, char quote,
                            bool in_quotes);
/* The last record boundary in [0, n) of data that starts at a record start and holds
 * `quote_count` quotes; 0 when there is none. A CR as the very last byte is not a boundary
 * (a LF may follow in the next read). */
size_t tn_csv_last_boundary(const char *d, size_t n, char quote, uint64_t quote_count);

/* ------------------------------------------------------------------------------------------
 * Sequential buffered input
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_csv_source {
    tn_input *in;     /* NULL when reading from memory */
    const char *mem;  /* in-memory input (fuzzing, tests) */
    size_t mem_len;
    size_t mem_pos;
    char *buf;        /* cap + TN_CSV_PAD bytes */
    size_t cap;       /* usable bytes */
    size_t start;     /* first unconsumed byte */
    size_t len;       /* bytes held */
    bool eof;         /* nothing more to read */
    bool bom;         /* the input began with a UTF-8 BOM (skipped) */
    bool fresh;       /* a read ahead filled the buffer: the next fill has nothing to do */
    uint64_t dropped; /* input bytes moved out of the buffer before buf[0] */
    char *spare;      /* the buffer the next block is read into ahead (spare_cap + PAD) */
    size_t spare_cap;
    size_t spare_from; /* where in buf the bytes copied to the front of spare came from */
    size_t spare_len;
    bool spare_eof;
    int ahead_rc;     /* a read ahead failed: returned by the next fill */
    tn_error ahead_err;
} tn_csv_source;

/* Opens path through tn_input and reads the first block (BOM skipped). */
int tn_csv_source_open(tn_csv_source *src, const char *path, size_t cap, tn_error *err);
/* The same over bytes in memory (borrowed; they must outlive the source). */
int tn_csv_source_open_memory(tn_csv_source *src, const void *data, size_t len, size_t cap,
                              tn_error *err);
/* Reading ahead. begin copies the bytes after the first `consumed` unconsumed ones (the
 * partial record after a block) to the front of the spare buffer and returns true, or false
 * when there is nothing to read or no memory (the next fill then reads as usual). read fills
 * the spare buffer; it runs on a worker thread while the current block, which it does not
 * touch, is parsed. end makes the spare buffer current. */
bool tn_csv_source_ahead_begin(tn_csv_source *src, size_t consumed);
void tn_csv_source_ahead_read(tn_csv_source *src);
void tn_csv_source_ahead_end(tn_csv_source *src);
/* Moves `start` back to the first data byte (after a BOM) when it is still in the buffer;
 * false when it was dropped and the input must be rewound. */
bool tn_csv_source_restart(tn_csv_source *src);
/* Starts over from the first byte (BOM skipped). */
int tn_csv_source_rewind(tn_csv_source *src, const char *path, tn_error *err);
/* Moves unconsumed bytes to the front and reads until the buffer is full or the input ends.
 * When nothing was consumed and the buffer is full, it first grows (up to
 * TN_CSV_MAX_RECORD plus a block; TN_ELIMIT beyond). */
int tn_csv_source_fill(tn_csv_source *src, tn_error *err);
/* Grows the buffer so a fill can add at least a block more data. */
int tn_csv_source_grow(tn_csv_source *src, tn_error *err);
/* Makes more input available after a record came out incomplete: compacts when something
 * was consumed, otherwise grows the buffer first. */
int tn_csv_source_read_further(tn_csv_source *src, tn_error *err);
void tn_csv_source_close(tn_csv_source *src);

/* ------------------------------------------------------------------------------------------
 * NULL strings
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_csv_nulls {
    bool empty_is_null;  /* "" is among the null strings (the default) */
    size_t count;        /* non-empty null strings */
    tn_str *strings;     /* owned copies */
} tn_csv_nulls;

int tn_csv_nulls_init(tn_csv_nulls *nulls, const tn_read_options *opts);
void tn_csv_nulls_free(tn_csv_nulls *nulls);
/* Whether text matches a non-empty null string. */
static inline bool tn_csv_nulls_match(const tn_csv_nulls *nulls, const char *p, size_t n)
{
    for (size_t i = 0; i < nulls->count; i++)
        if (nulls->strings[i].len == n && memcmp(nulls->strings[i].ptr, p, n) == 0)
            return true;
    return false;
}

/* ASCII spaces and tabs around a value are ignored by every non-VARCHAR conversion. */
static inline tn_str tn_csv_trim(const char *p, size_t n)
{
    while (n && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return tn_str_make(p, n);
}

/* ------------------------------------------------------------------------------------------
 * Conversions of the hot loop. Each takes the common shape of a value by a short path and
 * hands everything else to the core tn_parse_* function, so the result is always exactly the
 * one the core function gives (test_csv checks the shapes against it).
 * ---------------------------------------------------------------------------------------- */

/* [-]digits with at most 18 digits cannot overflow. */
static inline bool tn_csv_parse_int64(const char *p, size_t n, int64_t *out)
{
    size_t i = n && p[0] == '-';
    if (n - i - 1 < 18) {
        uint64_t acc = 0;
        for (; i < n; i++) {
            unsigned d = (unsigned)(p[i] - '0');
            if (d > 9)
                return tn_parse_int64(p, n, out);
            acc = acc * 10 + d;
        }
        *out = p[0] == '-' ? -(int64_t)acc : (int64_t)acc;
        return true;
    }
    return tn_parse_int64(p, n, out);
}

static inline bool tn_csv_parse_int32(const char *p, size_t n, int32_t *out)
{
    int64_t v;
    if (!tn_csv_parse_int64(p, n, &v) || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* [-]digits[.digits] with at most 15 digits: the mantissa and the power of ten are exact
 * doubles, so one IEEE division rounds correctly (what tn_parse_double does for them too). */
static inline bool tn_csv_parse_double(const char *p, size_t n, double *out)
{
#if defined(FLT_EVAL_METHOD) && (FLT_EVAL_METHOD == 0 || FLT_EVAL_METHOD == 1)
    static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = n && p[0] == '-';
    uint64_t mant = 0;
    size_t digits = 0, frac = 0;
    for (; i < n && (unsigned)(p[i] - '0') <= 9; i++, digits++)
        mant = mant * 10 + (uint64_t)(p[i] - '0');
    if (i < n && p[i] == '.' && digits > 0) {
        for (i++; i < n && (unsigned)(p[i] - '0') <= 9; i++, frac++)
            mant = mant * 10 + (uint64_t)(p[i] - '0');
        digits += frac;
    }
    if (i == n && digits > 0 && digits <= 15) {
        double v = (double)mant / pow10[frac];
        *out = p[0] == '-' ? -v : v;
        return true;
    }
#endif
    return tn_parse_double(p, n, out);
}

/* YYYY-MM-DD HH:MM:SS (or with T), validated as tn_parse_timestamp validates it. */
static inline bool tn_csv_parse_timestamp(const char *p, size_t n, int64_t *micros)
{
    if (n == 19 && p[4] == '-' && p[7] == '-' && (p[10] == ' ' || p[10] == 'T' || p[10] == 't') &&
        p[13] == ':' && p[16] == ':') {
        static const uint8_t at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
        unsigned d[14];
        unsigned bad = 0;
        for (int k = 0; k < 14; k++) {
            d[k] = (unsigned)(p[at[k]] - '0');
            bad |= d[k] > 9;
        }
        unsigned year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
        unsigned month = d[4] * 10 + d[5], day = d[6] * 10 + d[7];
        unsigned hh = d[8] * 10 + d[9], mm = d[10] * 10 + d[11], ss = d[12] * 10 + d[13];
        static const uint8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (!bad && year >= 1 && month >= 1 && month <= 12 && day >= 1 && hh <= 23 && mm <= 59 &&
            ss <= 59) {
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            unsigned last = month == 2 && leap ? 29 : dim[month - 1];
            if (day <= last) {
                int64_t days = tn_days_from_civil(year, month, day);
                *micros = (days * 86400 + (int64_t)(hh * 3600 + mm * 60 + ss)) * 1000000;
                return true;
            }
        }
    }
    bool zone;
    return tn_parse_timestamp(p, n, micros, &zone);
}

/* ------------------------------------------------------------------------------------------
 * Type inference
 * ---------------------------------------------------------------------------------------- */

/* Which types every value seen so far in a column fits. */
typedef struct tn_csv_vote {
    uint8_t alive; /* TN_CSV_CAND_* bits */
    bool seen;     /* at least one non-NULL value */
    bool zone;     /* some timestamp carried a zone offset */
} tn_csv_vote;

enum {
    TN_CSV_CAND_BOOLEAN = 1u << 0,
    TN_CSV_CAND_INTEGER = 1u << 1,
    TN_CSV_CAND_BIGINT = 1u << 2,
    TN_CSV_CAND_DOUBLE = 1u << 3,
    TN_CSV_CAND_DATE = 1u << 4,
    TN_CSV_CAND_TIMESTAMP = 1u << 5,
    TN_CSV_CAND_ALL = 0x3f,
};

void tn_csv_vote_init(tn_csv_vote *vote);
/* Adds one non-NULL value (already unescaped; trimmed here). Empty values do not vote. */
void tn_csv_vote_value(tn_csv_vote *vote, const char *p, size_t n);
/* The narrowest type all values fit; VARCHAR when none or nothing was seen. */
tn_type tn_csv_vote_result(const tn_csv_vote *vote);
/* Whether text converts to type t exactly as the reader would convert it. */
bool tn_csv_value_fits(tn_type t, const char *p, size_t n);

/* ------------------------------------------------------------------------------------------
 * Sniffing
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_csv_sniffed {
    uint32_t column_count;  /* columns of the table */
    bool drop_trailing;     /* every line ends with a delimiter: one extra empty field dropped */
    int records;            /* records looked at */
} tn_csv_sniffed;

/* Chooses the delimiter (unless given) and the escape (unless given: doubled quotes, or a
 * backslash when that reads the sample more regularly) and counts the columns, over the
 * records in [data, data+len) (followed by TN_CSV_PAD readable bytes). Candidates are ranked
 * by records agreeing on the most common field count, then by that count, then by fewer
 * fields with stray quotes. Returns 0 or TN_ENOMEM. */
int tn_csv_sniff_dialect(const char *data, size_t len, bool at_eof, tn_csv_dialect *d,
                         bool delimiter_given, bool escape_given, tn_csv_sniffed *out);
/* "lf", "crlf", "cr", "mixed" or "none" for the line ends in the sample. */
const char *tn_csv_sniff_line_ending(const char *data, size_t len);
/* Builds the final column names from the header values (unescaped text; NULL = no header):
 * trimmed, empty or missing ones become columnNN, duplicates name_1, name_2...
 * names[column_count] receives tn_malloc'd strings. Returns 0 or TN_ENOMEM. */
int tn_csv_make_names_text(const tn_str *header, uint32_t header_count, uint32_t column_count,
                           char **names);

/* ------------------------------------------------------------------------------------------
 * Reader state (csv_open.c builds it, csv_read.c parses with it)
 * ---------------------------------------------------------------------------------------- */

/* A rejected row noted by a parsing thread; text lives in the segment's text buffer. */
typedef struct tn_csv_reject_note {
    int64_t line;        /* lines before the record's first line, from the segment start */
    int64_t column;      /* 1-based field, 0 for the whole row */
    size_t reason_off;   /* reason: NUL-terminated at text + reason_off */
    size_t raw_off;      /* raw record text */
    size_t raw_len;
} tn_csv_reject_note;

/* One thread's share of a block, and what it produced. */
typedef struct tn_csv_segment {
    tn_csv_record rec;     /* tokenizer output, reused */
    tn_buf scratch;        /* unescaped field text */
    tn_batch **batches;    /* parsed rows, in order */
    size_t batch_count;
    size_t batch_cap;
    size_t next_batch;     /* next batch to hand out */
    tn_csv_reject_note *rejects;
    size_t reject_count;
    size_t reject_cap;
    tn_buf text;           /* reasons and raw texts of rejects */
    int64_t lines;         /* line breaks in the segment */
    int error;             /* TN_ENOMEM / TN_ELIMIT while parsing */
    bool utf8_ok;          /* the whole segment is valid UTF-8: fields need no check */
    size_t *data_hint;     /* per column: VARCHAR bytes to reserve for a new batch */
    bool reported;         /* rejects passed to on_reject */
    bool minute_known;     /* minute_text/minute_micros hold the last timestamp minute */
    uint64_t minute_text[2]; /* "YYYY-MM-DD HH:MM" of the last timestamp parsed */
    int64_t minute_micros;   /* its value */
    /* Segments sit side by side in one array and each worker writes its own all the time:
     * keep a cache line between neighbours so they do not share one (false sharing measured
     * at a third more CPU for a CSV parse). */
    char cache_line_gap[64];
} tn_csv_segment;

/* An open CSV reader: the state behind the plugin's void *state. */
typedef struct tn_csv_reader {
    char *path;
    tn_csv_dialect dialect;
    tn_csv_nulls nulls;
    tn_schema *schema;
    uint32_t column_count;
    uint8_t *type_ids;     /* tn_type_id per column */
    tn_type *types;
    bool drop_trailing;    /* accept (and drop) one extra empty field per record */
    bool strict;
    bool parity;           /* split blocks by quote parity (else sequentially) */
    uint32_t batch_rows;
    tn_reject_fn on_reject;
    void *reject_ctx;

    tn_csv_source src;
    int64_t line;          /* line number of the first line at src.start */
    int threads;
    size_t min_segment;    /* smallest segment given its own task */
    tn_pool *pool;
    tn_csv_segment *segs;
    size_t seg_count;      /* segments of the current block */
    size_t seg_alloc;      /* segments allocated */
    size_t cur_seg;        /* segment being handed out */
    uint64_t *chunk_quotes; /* quote counts per chunk, parity mode */
    const char *block;     /* current block start (in src.buf) */
    size_t block_len;
    size_t *splits;        /* segment starts, seg_count + 1 entries */
    bool reading_ahead;    /* task 0 of the block run reads the next block */

    int64_t rejected;
    bool finished;         /* the whole input has been parsed */
    int sticky;            /* an error already returned once */
    tn_error sticky_err;

    bool header;           /* describe(): what was found */
    const char *line_ending;
    const char *compression;
} tn_csv_reader;

/* Frees a reader and everything it holds (batches not handed out included); accepts NULL. */
void tn_csv_reader_free(tn_csv_reader *r);

/* ------------------------------------------------------------------------------------------
 * Plugin callbacks: the tn_format_csv members, with the contracts of formats/formats.h.
 * ---------------------------------------------------------------------------------------- */

int tn_csv_probe(const char *head, size_t len);
int tn_csv_reader_open(const char *path, const tn_read_options *opts, void **state,
                       tn_error *err);
/* A reader over len bytes in memory, named `name` in messages and rejects. The bytes are
 * borrowed until reader_close. For fuzzing and tests: no file, no decompression. */
int tn_csv_reader_open_memory(const char *name, const void *data, size_t len,
                              const tn_read_options *opts, void **state, tn_error *err);
const tn_schema *tn_csv_reader_schema(void *state);
int tn_csv_reader_next(void *state, tn_batch **out, tn_error *err);
int tn_csv_reader_describe(void *state, tn_buf *json);
int64_t tn_csv_reader_rejected(void *state);
void tn_csv_reader_close(void *state);
int tn_csv_writer_open(const char *path, const tn_schema *schema, const tn_write_options *opts,
                       void **state, tn_error *err);
int tn_csv_writer_write(void *state, const tn_batch *batch, tn_error *err);
int tn_csv_writer_finish(void *state, tn_error *err);
void tn_csv_writer_abort(void *state);

#endif /* TN_CSV_INT_H */
