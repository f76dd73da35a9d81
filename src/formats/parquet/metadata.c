/* SPDX-License-Identifier: Apache-2.0
 *
 * Parquet metadata: decoders and encoders for the structs of parquet.thrift that tarn reads
 * and writes (see metadata.h for the borrowing rules and limits).
 *
 * Decoders are lenient where being lenient is safe (unknown fields and fields of an
 * unexpected wire type are skipped, as if absent) and strict where the reader would
 * otherwise trust a bad number (missing required fields, negative sizes, list lengths that
 * disagree, a schema tree that does not add up).
 */
#include "formats/parquet/metadata.h"

/* ------------------------------------------------------------------------------------------
 * Decoder plumbing
 * ---------------------------------------------------------------------------------------- */

void tn_parquet_decoder_init(tn_parquet_decoder *d, const void *data, size_t len,
                             tn_arena *arena, tn_error *err)
{
    tn_thrift_reader_init(&d->reader, data, len);
    d->arena = arena;
    d->budget = TN_PARQUET_DECODE_BUDGET_BASE;
    if (len <= (SIZE_MAX - d->budget) / TN_PARQUET_DECODE_BUDGET_FACTOR)
        d->budget += len * TN_PARQUET_DECODE_BUDGET_FACTOR;
    else
        d->budget = SIZE_MAX;
    d->err = err;
    d->reported = false;
}

/* Records the innermost failure once: outer structs pass the code up unchanged. */
static int fail(tn_parquet_decoder *d, int rc, const char *what)
{
    if (d->reported)
        return rc;
    d->reported = true;
    size_t at = tn_thrift_reader_offset(&d->reader);
    if (rc == TN_ENOMEM)
        return tn_error_set(d->err, rc, "out of memory decoding Parquet %s", what);
    if (rc == TN_ELIMIT && !d->reader.truncated)
        return tn_error_set(d->err, rc,
                            "Parquet %s at byte %zu is nested too deeply or declares more "
                            "entries than its size allows; the file is corrupt or hostile",
                            what, at);
    if (d->reader.truncated)
        return tn_error_set(d->err, TN_ECORRUPT,
                            "Parquet %s is truncated at byte %zu; the file is corrupt", what,
                            at);
    return tn_error_set(d->err, TN_ECORRUPT, "Parquet %s is invalid near byte %zu", what, at);
}

/* Reports a value that decoded fine but makes no sense (negative size, count mismatch). */
static int invalid(tn_parquet_decoder *d, const char *what, const char *detail)
{
    if (!d->reported) {
        d->reported = true;
        tn_error_set(d->err, TN_ECORRUPT, "Parquet %s is invalid: %s", what, detail);
    }
    return TN_ECORRUPT;
}

static void *alloc_array(tn_parquet_decoder *d, uint32_t count, size_t elem_size, int *rc)
{
    *rc = 0;
    if (count == 0)
        return NULL;
    if (elem_size && count > SIZE_MAX / elem_size) {
        *rc = TN_ELIMIT;
        return NULL;
    }
    size_t bytes = (size_t)count * elem_size;
    if (bytes > d->budget) {
        *rc = TN_ELIMIT;
        return NULL;
    }
    d->budget -= bytes;
    void *p = tn_arena_calloc(d->arena, bytes);
    if (!p)
        *rc = TN_ENOMEM;
    return p;
}

/* Typed field getters: when the wire type is not the expected one the value is skipped and
 * the field counts as absent. */
static int get_i32(tn_parquet_decoder *d, uint8_t t, int32_t *v, bool *has)
{
    if (t != TN_THRIFT_I32)
        return tn_thrift_skip(&d->reader, t);
    int rc = tn_thrift_read_i32(&d->reader, v);
    if (!rc && has)
        *has = true;
    return rc;
}

static int get_i64(tn_parquet_decoder *d, uint8_t t, int64_t *v, bool *has)
{
    if (t != TN_THRIFT_I64)
        return tn_thrift_skip(&d->reader, t);
    int rc = tn_thrift_read_i64(&d->reader, v);
    if (!rc && has)
        *has = true;
    return rc;
}

static int get_i16(tn_parquet_decoder *d, uint8_t t, int16_t *v, bool *has)
{
    if (t != TN_THRIFT_I16)
        return tn_thrift_skip(&d->reader, t);
    int rc = tn_thrift_read_i16(&d->reader, v);
    if (!rc && has)
        *has = true;
    return rc;
}

static int get_i8(tn_parquet_decoder *d, uint8_t t, int8_t *v, bool *has)
{
    if (t != TN_THRIFT_I8)
        return tn_thrift_skip(&d->reader, t);
    int rc = tn_thrift_read_i8(&d->reader, v);
    if (!rc && has)
        *has = true;
    return rc;
}

static int get_bool(tn_parquet_decoder *d, uint8_t t, bool *v, bool *has)
{
    if (t != TN_THRIFT_BOOL_TRUE && t != TN_THRIFT_BOOL_FALSE)
        return tn_thrift_skip(&d->reader, t);
    *v = t == TN_THRIFT_BOOL_TRUE;
    if (has)
        *has = true;
    return 0;
}

static int get_binary(tn_parquet_decoder *d, uint8_t t, tn_str *v, bool *has)
{
    if (t != TN_THRIFT_BINARY)
        return tn_thrift_skip(&d->reader, t);
    int rc = tn_thrift_read_binary(&d->reader, v);
    if (!rc && has)
        *has = true;
    return rc;
}

static bool is_list(uint8_t t) { return t == TN_THRIFT_LIST || t == TN_THRIFT_SET; }

/* Opens a list field whose elements must be of `want`; *ok false means it was skipped. */
static int list_open(tn_parquet_decoder *d, uint8_t t, uint8_t want, uint32_t *count, bool *ok)
{
    *ok = false;
    if (t != TN_THRIFT_LIST && t != TN_THRIFT_SET)
        return tn_thrift_skip(&d->reader, t);
    uint8_t et;
    int rc = tn_thrift_list_begin(&d->reader, &et, count);
    if (rc)
        return rc;
    bool match = et == want || (want == TN_THRIFT_BOOL_TRUE && et == TN_THRIFT_BOOL_FALSE);
    if (!match) {
        for (uint32_t i = 0; i < *count && !rc; i++) {
            /* Elements of an unexpected type: skip them as container elements. */
            if (et == TN_THRIFT_BOOL_TRUE || et == TN_THRIFT_BOOL_FALSE) {
                bool b;
                rc = tn_thrift_read_bool_element(&d->reader, &b);
            } else {
                rc = tn_thrift_skip(&d->reader, et);
            }
        }
        tn_thrift_list_end(&d->reader);
        return rc;
    }
    *ok = true;
    return 0;
}

static int get_i32_list(tn_parquet_decoder *d, uint8_t t, int32_t **arr, uint32_t *count)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_I32, &n, &ok);
    if (rc || !ok)
        return rc;
    int32_t *a = alloc_array(d, n, sizeof *a, &rc);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = tn_thrift_read_i32(&d->reader, &a[i]);
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    *arr = a;
    *count = n;
    return 0;
}

static int get_i64_list(tn_parquet_decoder *d, uint8_t t, int64_t **arr, uint32_t *count)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_I64, &n, &ok);
    if (rc || !ok)
        return rc;
    int64_t *a = alloc_array(d, n, sizeof *a, &rc);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = tn_thrift_read_i64(&d->reader, &a[i]);
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    *arr = a;
    *count = n;
    return 0;
}

static int get_bool_list(tn_parquet_decoder *d, uint8_t t, bool **arr, uint32_t *count)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_BOOL_TRUE, &n, &ok);
    if (rc || !ok)
        return rc;
    bool *a = alloc_array(d, n, sizeof *a, &rc);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = tn_thrift_read_bool_element(&d->reader, &a[i]);
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    *arr = a;
    *count = n;
    return 0;
}

static int get_binary_list(tn_parquet_decoder *d, uint8_t t, tn_str **arr, uint32_t *count)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_BINARY, &n, &ok);
    if (rc || !ok)
        return rc;
    tn_str *a = alloc_array(d, n, sizeof *a, &rc);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = tn_thrift_read_binary(&d->reader, &a[i]);
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    *arr = a;
    *count = n;
    return 0;
}

typedef int (*struct_reader)(tn_parquet_decoder *d, void *out);

static int get_struct_list(tn_parquet_decoder *d, uint8_t t, void **arr, uint32_t *count,
                           size_t elem_size, struct_reader read)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_STRUCT, &n, &ok);
    if (rc || !ok)
        return rc;
    char *a = alloc_array(d, n, elem_size, &rc);
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = read(d, a + (size_t)i * elem_size);
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    *arr = a;
    *count = n;
    return 0;
}

/* Enters a struct value, or reports a wire type that is not a struct (so the caller skips). */
static int struct_enter(tn_parquet_decoder *d, const char *what)
{
    int rc = tn_thrift_struct_begin(&d->reader);
    return rc ? fail(d, rc, what) : 0;
}

/* Reads the next field header; *done at the struct's stop byte (the struct is then left). */
static int next_field(tn_parquet_decoder *d, uint8_t *t, int16_t *id, bool *done)
{
    int rc = tn_thrift_read_field(&d->reader, t, id);
    if (rc)
        return rc;
    *done = *t == TN_THRIFT_STOP;
    if (*done)
        tn_thrift_struct_end(&d->reader);
    return 0;
}

/* Skips an empty-struct value of a union member (its fields, if a newer writer added any). */
static int skip_struct_value(tn_parquet_decoder *d, uint8_t t) { return tn_thrift_skip(&d->reader, t); }

/* ------------------------------------------------------------------------------------------
 * Readers, one per struct
 * ---------------------------------------------------------------------------------------- */

int tn_parquet_statistics_read(tn_parquet_decoder *d, tn_parquet_statistics *out)
{
    static const char what[] = "Statistics";
    memset(out, 0, sizeof *out);
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (id) {
        case 1: rc = get_binary(d, t, &out->max, &out->has_max); break;
        case 2: rc = get_binary(d, t, &out->min, &out->has_min); break;
        case 3: rc = get_i64(d, t, &out->null_count, &out->has_null_count); break;
        case 4: rc = get_i64(d, t, &out->distinct_count, &out->has_distinct_count); break;
        case 5: rc = get_binary(d, t, &out->max_value, &out->has_max_value); break;
        case 6: rc = get_binary(d, t, &out->min_value, &out->has_min_value); break;
        case 7: rc = get_bool(d, t, &out->is_max_value_exact, &out->has_is_max_value_exact); break;
        case 8: rc = get_bool(d, t, &out->is_min_value_exact, &out->has_is_min_value_exact); break;
        case 9: rc = get_i64(d, t, &out->nan_count, &out->has_nan_count); break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    return rc ? fail(d, rc, what) : 0;
}

/* TimeUnit union: the member's field id is the unit. */
static int read_time_unit(tn_parquet_decoder *d, uint8_t *unit)
{
    int rc = struct_enter(d, "TimeUnit");
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (t == TN_THRIFT_STRUCT && id >= TN_PARQUET_MILLIS && id <= TN_PARQUET_NANOS)
            *unit = (uint8_t)id;
        rc = skip_struct_value(d, t);
        if (rc)
            break;
    }
    return rc;
}

/* The struct inside a LogicalType member, by kind. */
static int read_logical_member(tn_parquet_decoder *d, tn_parquet_logical_type *out)
{
    int rc = tn_thrift_struct_begin(&d->reader);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (out->kind) {
        case TN_PARQUET_LT_DECIMAL:
            if (id == 1)
                rc = get_i32(d, t, &out->scale, NULL);
            else if (id == 2)
                rc = get_i32(d, t, &out->precision, NULL);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        case TN_PARQUET_LT_TIME:
        case TN_PARQUET_LT_TIMESTAMP:
            if (id == 1)
                rc = get_bool(d, t, &out->is_adjusted_to_utc, NULL);
            else if (id == 2 && t == TN_THRIFT_STRUCT)
                rc = read_time_unit(d, &out->unit);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        case TN_PARQUET_LT_INTEGER:
            if (id == 1)
                rc = get_i8(d, t, &out->bit_width, NULL);
            else if (id == 2)
                rc = get_bool(d, t, &out->is_signed, NULL);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        case TN_PARQUET_LT_GEOMETRY:
        case TN_PARQUET_LT_GEOGRAPHY:
            if (id == 1)
                rc = get_binary(d, t, &out->crs, &out->has_crs);
            else if (id == 2 && out->kind == TN_PARQUET_LT_GEOGRAPHY)
                rc = get_i32(d, t, &out->algorithm, &out->has_algorithm);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        case TN_PARQUET_LT_VARIANT:
            if (id == 1)
                rc = get_i8(d, t, &out->specification_version,
                            &out->has_specification_version);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        default:
            rc = tn_thrift_skip(&d->reader, t);
            break;
        }
        if (rc)
            break;
    }
    return rc;
}

int tn_parquet_logical_type_read(tn_parquet_decoder *d, tn_parquet_logical_type *out)
{
    static const char what[] = "LogicalType";
    memset(out, 0, sizeof *out);
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (t != TN_THRIFT_STRUCT) {
            rc = tn_thrift_skip(&d->reader, t);
        } else {
            bool known = (id >= TN_PARQUET_LT_STRING && id <= TN_PARQUET_LT_FILE && id != 9);
            memset(out, 0, sizeof *out);
            out->kind = known ? (uint8_t)id : TN_PARQUET_LT_OTHER;
            rc = read_logical_member(d, out);
        }
        if (rc)
            break;
    }
    return rc ? fail(d, rc, what) : 0;
}

int tn_parquet_schema_element_read(tn_parquet_decoder *d, tn_parquet_schema_element *out)
{
    static const char what[] = "SchemaElement";
    memset(out, 0, sizeof *out);
    bool has_name = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (id) {
        case 1: rc = get_i32(d, t, &out->type, &out->has_type); break;
        case 2: rc = get_i32(d, t, &out->type_length, &out->has_type_length); break;
        case 3: rc = get_i32(d, t, &out->repetition, &out->has_repetition); break;
        case 4: rc = get_binary(d, t, &out->name, &has_name); break;
        case 5: rc = get_i32(d, t, &out->num_children, &out->has_num_children); break;
        case 6: rc = get_i32(d, t, &out->converted_type, &out->has_converted_type); break;
        case 7: rc = get_i32(d, t, &out->scale, &out->has_scale); break;
        case 8: rc = get_i32(d, t, &out->precision, &out->has_precision); break;
        case 9: rc = get_i32(d, t, &out->field_id, &out->has_field_id); break;
        case 10:
            if (t == TN_THRIFT_STRUCT)
                rc = tn_parquet_logical_type_read(d, &out->logical);
            else
                rc = tn_thrift_skip(&d->reader, t);
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_name)
        return invalid(d, what, "a schema element has no name");
    if (out->has_num_children && (out->num_children < 0 ||
                                  out->num_children > TN_PARQUET_MAX_SCHEMA_ELEMENTS))
        return invalid(d, what, "num_children is out of range");
    if (out->has_type && (out->type < 0 || out->type > TN_PARQUET_FIXED_LEN_BYTE_ARRAY))
        return invalid(d, what, "unknown physical type");
    if (out->has_type_length && out->type_length < 0)
        return invalid(d, what, "negative type_length");
    return 0;
}

int tn_parquet_key_value_read(tn_parquet_decoder *d, tn_parquet_key_value *out)
{
    static const char what[] = "KeyValue";
    memset(out, 0, sizeof *out);
    bool has_key = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_binary(d, t, &out->key, &has_key);
        else if (id == 2)
            rc = get_binary(d, t, &out->value, &out->has_value);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_key)
        return invalid(d, what, "a key/value entry has no key");
    return 0;
}

static int key_value_read_cb(tn_parquet_decoder *d, void *out)
{
    return tn_parquet_key_value_read(d, out);
}

static int page_encoding_stats_read(tn_parquet_decoder *d, void *vout)
{
    static const char what[] = "PageEncodingStats";
    tn_parquet_page_encoding_stats *out = vout;
    memset(out, 0, sizeof *out);
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_i32(d, t, &out->page_type, NULL);
        else if (id == 2)
            rc = get_i32(d, t, &out->encoding, NULL);
        else if (id == 3)
            rc = get_i32(d, t, &out->count, NULL);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    return rc ? fail(d, rc, what) : 0;
}

static int size_statistics_read(tn_parquet_decoder *d, tn_parquet_size_statistics *out)
{
    static const char what[] = "SizeStatistics";
    memset(out, 0, sizeof *out);
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_i64(d, t, &out->unencoded_byte_array_data_bytes,
                         &out->has_unencoded_byte_array_data_bytes);
        else if (id == 2)
            rc = get_i64_list(d, t, &out->repetition_level_histogram,
                              &out->repetition_level_histogram_count);
        else if (id == 3)
            rc = get_i64_list(d, t, &out->definition_level_histogram,
                              &out->definition_level_histogram_count);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    return rc ? fail(d, rc, what) : 0;
}

enum {
    CMD_TYPE = 1 << 0,
    CMD_ENCODINGS = 1 << 1,
    CMD_PATH = 1 << 2,
    CMD_CODEC = 1 << 3,
    CMD_NUM_VALUES = 1 << 4,
    CMD_UNCOMPRESSED = 1 << 5,
    CMD_COMPRESSED = 1 << 6,
    CMD_DATA_PAGE_OFFSET = 1 << 7,
    CMD_REQUIRED = (1 << 8) - 1,
};

int tn_parquet_column_metadata_read(tn_parquet_decoder *d, tn_parquet_column_metadata *out)
{
    static const char what[] = "ColumnMetaData";
    memset(out, 0, sizeof *out);
    unsigned seen = 0;
    bool has = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        has = false;
        switch (id) {
        case 1:
            rc = get_i32(d, t, &out->type, &has);
            seen |= has ? CMD_TYPE : 0;
            break;
        case 2:
            rc = get_i32_list(d, t, &out->encodings, &out->encoding_count);
            seen |= is_list(t) ? CMD_ENCODINGS : 0;
            break;
        case 3:
            rc = get_binary_list(d, t, &out->path_in_schema, &out->path_count);
            seen |= is_list(t) ? CMD_PATH : 0;
            break;
        case 4:
            rc = get_i32(d, t, &out->codec, &has);
            seen |= has ? CMD_CODEC : 0;
            break;
        case 5:
            rc = get_i64(d, t, &out->num_values, &has);
            seen |= has ? CMD_NUM_VALUES : 0;
            break;
        case 6:
            rc = get_i64(d, t, &out->total_uncompressed_size, &has);
            seen |= has ? CMD_UNCOMPRESSED : 0;
            break;
        case 7:
            rc = get_i64(d, t, &out->total_compressed_size, &has);
            seen |= has ? CMD_COMPRESSED : 0;
            break;
        case 8:
            rc = get_struct_list(d, t, (void **)&out->key_value_metadata, &out->key_value_count,
                                 sizeof(tn_parquet_key_value), key_value_read_cb);
            break;
        case 9:
            rc = get_i64(d, t, &out->data_page_offset, &has);
            seen |= has ? CMD_DATA_PAGE_OFFSET : 0;
            break;
        case 10: rc = get_i64(d, t, &out->index_page_offset, &out->has_index_page_offset); break;
        case 11:
            rc = get_i64(d, t, &out->dictionary_page_offset, &out->has_dictionary_page_offset);
            break;
        case 12:
            if (t == TN_THRIFT_STRUCT) {
                rc = tn_parquet_statistics_read(d, &out->statistics);
                out->has_statistics = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        case 13:
            rc = get_struct_list(d, t, (void **)&out->encoding_stats, &out->encoding_stats_count,
                                 sizeof(tn_parquet_page_encoding_stats),
                                 page_encoding_stats_read);
            break;
        case 14: rc = get_i64(d, t, &out->bloom_filter_offset, &out->has_bloom_filter_offset); break;
        case 15: rc = get_i32(d, t, &out->bloom_filter_length, &out->has_bloom_filter_length); break;
        case 16:
            if (t == TN_THRIFT_STRUCT) {
                rc = size_statistics_read(d, &out->size_statistics);
                out->has_size_statistics = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if ((seen & CMD_REQUIRED) != CMD_REQUIRED)
        return invalid(d, what, "a required field (type, encodings, path_in_schema, codec, "
                                "num_values, sizes or data_page_offset) is missing");
    if (out->num_values < 0 || out->total_uncompressed_size < 0 ||
        out->total_compressed_size < 0 || out->data_page_offset < 0 ||
        (out->has_dictionary_page_offset && out->dictionary_page_offset < 0) ||
        (out->has_index_page_offset && out->index_page_offset < 0))
        return invalid(d, what, "a count, size or offset is negative");
    if (out->type < 0 || out->type > TN_PARQUET_FIXED_LEN_BYTE_ARRAY)
        return invalid(d, what, "unknown physical type");
    return 0;
}

int tn_parquet_column_chunk_read(tn_parquet_decoder *d, tn_parquet_column_chunk *out)
{
    static const char what[] = "ColumnChunk";
    memset(out, 0, sizeof *out);
    bool has_oi_off = false, has_oi_len = false, has_ci_off = false, has_ci_len = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (id) {
        case 1: rc = get_binary(d, t, &out->file_path, &out->has_file_path); break;
        case 2: rc = get_i64(d, t, &out->file_offset, NULL); break;
        case 3:
            if (t == TN_THRIFT_STRUCT) {
                rc = tn_parquet_column_metadata_read(d, &out->meta_data);
                out->has_meta_data = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        case 4: rc = get_i64(d, t, &out->offset_index_offset, &has_oi_off); break;
        case 5: rc = get_i32(d, t, &out->offset_index_length, &has_oi_len); break;
        case 6: rc = get_i64(d, t, &out->column_index_offset, &has_ci_off); break;
        case 7: rc = get_i32(d, t, &out->column_index_length, &has_ci_len); break;
        case 8:
        case 9:
            out->encrypted = true;
            rc = tn_thrift_skip(&d->reader, t);
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    /* An index is usable only with both its offset and a sane length. */
    out->has_offset_index = has_oi_off && has_oi_len && out->offset_index_offset >= 0 &&
                            out->offset_index_length > 0;
    out->has_column_index = has_ci_off && has_ci_len && out->column_index_offset >= 0 &&
                            out->column_index_length > 0;
    return 0;
}

static int column_chunk_read_cb(tn_parquet_decoder *d, void *out)
{
    return tn_parquet_column_chunk_read(d, out);
}

static int sorting_column_read(tn_parquet_decoder *d, void *vout)
{
    static const char what[] = "SortingColumn";
    tn_parquet_sorting_column *out = vout;
    memset(out, 0, sizeof *out);
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_i32(d, t, &out->column_idx, NULL);
        else if (id == 2)
            rc = get_bool(d, t, &out->descending, NULL);
        else if (id == 3)
            rc = get_bool(d, t, &out->nulls_first, NULL);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    return rc ? fail(d, rc, what) : 0;
}

int tn_parquet_row_group_read(tn_parquet_decoder *d, tn_parquet_row_group *out)
{
    static const char what[] = "RowGroup";
    memset(out, 0, sizeof *out);
    bool has_columns = false, has_total = false, has_rows = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (id) {
        case 1:
            rc = get_struct_list(d, t, (void **)&out->columns, &out->column_count,
                                 sizeof(tn_parquet_column_chunk), column_chunk_read_cb);
            has_columns = is_list(t);
            break;
        case 2: rc = get_i64(d, t, &out->total_byte_size, &has_total); break;
        case 3: rc = get_i64(d, t, &out->num_rows, &has_rows); break;
        case 4:
            rc = get_struct_list(d, t, (void **)&out->sorting_columns,
                                 &out->sorting_column_count, sizeof(tn_parquet_sorting_column),
                                 sorting_column_read);
            break;
        case 5: rc = get_i64(d, t, &out->file_offset, &out->has_file_offset); break;
        case 6:
            rc = get_i64(d, t, &out->total_compressed_size, &out->has_total_compressed_size);
            break;
        case 7: rc = get_i16(d, t, &out->ordinal, &out->has_ordinal); break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_columns || !has_rows)
        return invalid(d, what, "a row group lacks its columns or num_rows");
    if (out->num_rows < 0)
        return invalid(d, what, "num_rows is negative");
    for (uint32_t i = 0; i < out->column_count; i++)
        if (!out->columns[i].has_meta_data && !out->columns[i].encrypted)
            return invalid(d, what, "a column chunk has no meta_data");
    (void)has_total;
    return 0;
}

static int row_group_read_cb(tn_parquet_decoder *d, void *out)
{
    return tn_parquet_row_group_read(d, out);
}

static int schema_element_read_cb(tn_parquet_decoder *d, void *out)
{
    return tn_parquet_schema_element_read(d, out);
}

/* list<ColumnOrder>: each a union whose member id is the order kind. */
static int read_column_orders(tn_parquet_decoder *d, uint8_t t, tn_parquet_file_metadata *out)
{
    uint32_t n;
    bool ok;
    int rc = list_open(d, t, TN_THRIFT_STRUCT, &n, &ok);
    if (rc || !ok)
        return rc;
    uint8_t *orders = alloc_array(d, n, 1, &rc);
    for (uint32_t i = 0; i < n && !rc; i++) {
        rc = tn_thrift_struct_begin(&d->reader);
        while (!rc) {
            uint8_t ft;
            int16_t id;
            bool done;
            rc = next_field(d, &ft, &id, &done);
            if (rc || done)
                break;
            if (ft == TN_THRIFT_STRUCT && id >= 1 && id <= 3)
                orders[i] = (uint8_t)id;
            rc = tn_thrift_skip(&d->reader, ft);
        }
    }
    if (rc)
        return rc;
    tn_thrift_list_end(&d->reader);
    out->column_orders = orders;
    out->column_order_count = n;
    return 0;
}

/* schema_only: stops once the schema and num_rows are read (writers put them before the row
 * groups, which are nearly all of a footer); row groups met before that are skipped. */
static int file_metadata_read(tn_parquet_decoder *d, tn_parquet_file_metadata *out,
                              bool schema_only)
{
    static const char what[] = "FileMetaData";
    memset(out, 0, sizeof *out);
    bool has_version = false, has_schema = false, has_rows = false, has_groups = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        switch (id) {
        case 1: rc = get_i32(d, t, &out->version, &has_version); break;
        case 2:
            rc = get_struct_list(d, t, (void **)&out->schema, &out->schema_count,
                                 sizeof(tn_parquet_schema_element), schema_element_read_cb);
            has_schema = is_list(t);
            break;
        case 3: rc = get_i64(d, t, &out->num_rows, &has_rows); break;
        case 4:
            if (schema_only)
                rc = tn_thrift_skip(&d->reader, t);
            else
                rc = get_struct_list(d, t, (void **)&out->row_groups, &out->row_group_count,
                                     sizeof(tn_parquet_row_group), row_group_read_cb);
            has_groups = is_list(t);
            break;
        case 5:
            rc = get_struct_list(d, t, (void **)&out->key_value_metadata, &out->key_value_count,
                                 sizeof(tn_parquet_key_value), key_value_read_cb);
            break;
        case 6: rc = get_binary(d, t, &out->created_by, &out->has_created_by); break;
        case 7: rc = read_column_orders(d, t, out); break;
        case 8:
            out->encrypted = true;
            rc = tn_thrift_skip(&d->reader, t);
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
        if (schema_only && has_schema && has_rows) {
            has_groups = true; /* not looked at */
            break;
        }
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_schema || !has_rows || !has_groups)
        return invalid(d, what, "the footer lacks its schema, num_rows or row_groups");
    (void)has_version;
    if (out->num_rows < 0)
        return invalid(d, what, "num_rows is negative");
    return 0;
}

int tn_parquet_file_metadata_read(tn_parquet_decoder *d, tn_parquet_file_metadata *out)
{
    return file_metadata_read(d, out, false);
}

/* Checks that the flattened schema is one tree rooted at [0] and counts its leaves. */
static int check_schema_tree(tn_parquet_decoder *d, const tn_parquet_file_metadata *md,
                             uint32_t *leaf_count)
{
    static const char what[] = "schema";
    if (md->schema_count == 0)
        return invalid(d, what, "the schema has no root element");
    if (md->schema_count > TN_PARQUET_MAX_SCHEMA_ELEMENTS)
        return invalid(d, what, "the schema has too many elements");
    const tn_parquet_schema_element *root = &md->schema[0];
    if (root->has_type || !root->has_num_children)
        return invalid(d, what, "the root element is not a group");
    int rc = 0;
    /* Children still expected at each open group; depth can reach schema_count. */
    int32_t *pending = alloc_array(d, md->schema_count, sizeof(int32_t), &rc);
    if (rc)
        return fail(d, rc, what);
    uint32_t top = 0, idx = 1, leaves = 0;
    pending[top++] = root->num_children;
    while (top > 0) {
        if (pending[top - 1] == 0) {
            top--;
            continue;
        }
        pending[top - 1]--;
        if (idx >= md->schema_count)
            return invalid(d, what, "a group declares more children than the schema has");
        const tn_parquet_schema_element *e = &md->schema[idx++];
        if (!e->has_type && e->has_num_children) {
            pending[top++] = e->num_children;
        } else if (e->has_type) {
            if (e->has_num_children && e->num_children > 0)
                return invalid(d, what, "an element has both a type and children");
            leaves++;
        } else {
            return invalid(d, what, "an element has neither a type nor children");
        }
    }
    if (idx != md->schema_count)
        return invalid(d, what, "elements follow the end of the schema tree");
    *leaf_count = leaves;
    return 0;
}

static int metadata_decode(const void *data, size_t len, tn_arena *arena,
                           tn_parquet_file_metadata *out, bool schema_only, tn_error *err)
{
    tn_parquet_decoder d;
    tn_parquet_decoder_init(&d, data, len, arena, err);
    int rc = file_metadata_read(&d, out, schema_only);
    if (rc)
        return rc;
    uint32_t leaves = 0;
    rc = check_schema_tree(&d, out, &leaves);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < out->row_group_count; i++)
        if (out->row_groups[i].column_count != leaves)
            return invalid(&d, "RowGroup", "its column count differs from the schema's");
    /* Orders that do not match the leaves cannot be attributed: treat them as absent. */
    if (out->column_order_count != leaves)
        out->column_order_count = 0;
    return 0;
}

int tn_parquet_file_metadata_decode(const void *data, size_t len, tn_arena *arena,
                                    tn_parquet_file_metadata *out, tn_error *err)
{
    return metadata_decode(data, len, arena, out, false, err);
}

int tn_parquet_file_schema_decode(const void *data, size_t len, tn_arena *arena,
                                  tn_parquet_file_metadata *out, tn_error *err)
{
    return metadata_decode(data, len, arena, out, true, err);
}

static int data_page_header_read(tn_parquet_decoder *d, tn_parquet_data_page_header *out)
{
    static const char what[] = "DataPageHeader";
    memset(out, 0, sizeof *out);
    unsigned seen = 0;
    bool has;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        has = false;
        switch (id) {
        case 1: rc = get_i32(d, t, &out->num_values, &has); break;
        case 2: rc = get_i32(d, t, &out->encoding, &has); break;
        case 3: rc = get_i32(d, t, &out->definition_level_encoding, &has); break;
        case 4: rc = get_i32(d, t, &out->repetition_level_encoding, &has); break;
        case 5:
            if (t == TN_THRIFT_STRUCT) {
                rc = tn_parquet_statistics_read(d, &out->statistics);
                out->has_statistics = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (has && id >= 1 && id <= 4)
            seen |= 1u << id;
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if ((seen & 0x1e) != 0x1e)
        return invalid(d, what, "a required field is missing");
    if (out->num_values < 0)
        return invalid(d, what, "num_values is negative");
    return 0;
}

static int data_page_header_v2_read(tn_parquet_decoder *d, tn_parquet_data_page_header_v2 *out)
{
    static const char what[] = "DataPageHeaderV2";
    memset(out, 0, sizeof *out);
    out->is_compressed = true;
    unsigned seen = 0;
    bool has;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        has = false;
        switch (id) {
        case 1: rc = get_i32(d, t, &out->num_values, &has); break;
        case 2: rc = get_i32(d, t, &out->num_nulls, &has); break;
        case 3: rc = get_i32(d, t, &out->num_rows, &has); break;
        case 4: rc = get_i32(d, t, &out->encoding, &has); break;
        case 5: rc = get_i32(d, t, &out->definition_levels_byte_length, &has); break;
        case 6: rc = get_i32(d, t, &out->repetition_levels_byte_length, &has); break;
        case 7: rc = get_bool(d, t, &out->is_compressed, NULL); break;
        case 8:
            if (t == TN_THRIFT_STRUCT) {
                rc = tn_parquet_statistics_read(d, &out->statistics);
                out->has_statistics = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (has && id >= 1 && id <= 6)
            seen |= 1u << id;
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if ((seen & 0x7e) != 0x7e)
        return invalid(d, what, "a required field is missing");
    if (out->num_values < 0 || out->num_nulls < 0 || out->num_rows < 0 ||
        out->num_nulls > out->num_values || out->definition_levels_byte_length < 0 ||
        out->repetition_levels_byte_length < 0)
        return invalid(d, what, "a count or length is negative or inconsistent");
    return 0;
}

static int dictionary_page_header_read(tn_parquet_decoder *d,
                                       tn_parquet_dictionary_page_header *out)
{
    static const char what[] = "DictionaryPageHeader";
    memset(out, 0, sizeof *out);
    bool has_n = false, has_enc = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_i32(d, t, &out->num_values, &has_n);
        else if (id == 2)
            rc = get_i32(d, t, &out->encoding, &has_enc);
        else if (id == 3)
            rc = get_bool(d, t, &out->is_sorted, &out->has_is_sorted);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_n || !has_enc)
        return invalid(d, what, "a required field is missing");
    if (out->num_values < 0)
        return invalid(d, what, "num_values is negative");
    return 0;
}

int tn_parquet_page_header_read(tn_parquet_decoder *d, tn_parquet_page_header *out)
{
    static const char what[] = "PageHeader";
    memset(out, 0, sizeof *out);
    bool has_type = false, has_u = false, has_c = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        bool is_struct = t == TN_THRIFT_STRUCT;
        switch (id) {
        case 1: rc = get_i32(d, t, &out->type, &has_type); break;
        case 2: rc = get_i32(d, t, &out->uncompressed_page_size, &has_u); break;
        case 3: rc = get_i32(d, t, &out->compressed_page_size, &has_c); break;
        case 4: rc = get_i32(d, t, &out->crc, &out->has_crc); break;
        case 5:
            if (is_struct) {
                rc = data_page_header_read(d, &out->data_page_header);
                out->has_data_page_header = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        case 6:
            out->has_index_page_header = is_struct;
            rc = tn_thrift_skip(&d->reader, t);
            break;
        case 7:
            if (is_struct) {
                rc = dictionary_page_header_read(d, &out->dictionary_page_header);
                out->has_dictionary_page_header = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        case 8:
            if (is_struct) {
                rc = data_page_header_v2_read(d, &out->data_page_header_v2);
                out->has_data_page_header_v2 = rc == 0;
            } else {
                rc = tn_thrift_skip(&d->reader, t);
            }
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_type || !has_u || !has_c)
        return invalid(d, what, "type or a page size is missing");
    if (out->uncompressed_page_size < 0 || out->compressed_page_size < 0)
        return invalid(d, what, "a page size is negative");
    if (out->has_data_page_header_v2) {
        const tn_parquet_data_page_header_v2 *v2 = &out->data_page_header_v2;
        int64_t levels =
            (int64_t)v2->definition_levels_byte_length + v2->repetition_levels_byte_length;
        if (levels > out->compressed_page_size || levels > out->uncompressed_page_size)
            return invalid(d, what, "level lengths exceed the page size");
    }
    return 0;
}

int tn_parquet_page_header_decode(const void *data, size_t len, tn_parquet_page_header *out,
                                  size_t *header_len, tn_error *err)
{
    tn_parquet_decoder d;
    /* Page headers contain no lists: nothing is allocated, so no arena is needed. */
    tn_parquet_decoder_init(&d, data, len, NULL, err);
    d.budget = 0;
    int rc = tn_parquet_page_header_read(&d, out);
    if (rc) {
        if (d.reader.truncated)
            return tn_error_set(err, TN_ELIMIT,
                                "Parquet page header runs past the %zu bytes given", len);
        return rc;
    }
    *header_len = tn_thrift_reader_offset(&d.reader);
    return 0;
}

static int page_location_read(tn_parquet_decoder *d, void *vout)
{
    static const char what[] = "PageLocation";
    tn_parquet_page_location *out = vout;
    memset(out, 0, sizeof *out);
    bool h1 = false, h2 = false, h3 = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1)
            rc = get_i64(d, t, &out->offset, &h1);
        else if (id == 2)
            rc = get_i32(d, t, &out->compressed_page_size, &h2);
        else if (id == 3)
            rc = get_i64(d, t, &out->first_row_index, &h3);
        else
            rc = tn_thrift_skip(&d->reader, t);
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!h1 || !h2 || !h3)
        return invalid(d, what, "a required field is missing");
    if (out->offset < 0 || out->compressed_page_size < 0 || out->first_row_index < 0)
        return invalid(d, what, "an offset, size or row index is negative");
    return 0;
}

int tn_parquet_offset_index_read(tn_parquet_decoder *d, tn_parquet_offset_index *out)
{
    static const char what[] = "OffsetIndex";
    memset(out, 0, sizeof *out);
    bool has_pages = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        if (id == 1) {
            rc = get_struct_list(d, t, (void **)&out->page_locations, &out->page_count,
                                 sizeof(tn_parquet_page_location), page_location_read);
            has_pages = is_list(t);
        } else if (id == 2) {
            rc = get_i64_list(d, t, &out->unencoded_byte_array_data_bytes,
                              &out->unencoded_byte_array_data_bytes_count);
        } else {
            rc = tn_thrift_skip(&d->reader, t);
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!has_pages)
        return invalid(d, what, "page_locations is missing");
    for (uint32_t i = 1; i < out->page_count; i++)
        if (out->page_locations[i].first_row_index <= out->page_locations[i - 1].first_row_index)
            return invalid(d, what, "first_row_index does not increase");
    if (out->unencoded_byte_array_data_bytes_count &&
        out->unencoded_byte_array_data_bytes_count != out->page_count)
        out->unencoded_byte_array_data_bytes_count = 0;
    return 0;
}

int tn_parquet_column_index_read(tn_parquet_decoder *d, tn_parquet_column_index *out)
{
    static const char what[] = "ColumnIndex";
    memset(out, 0, sizeof *out);
    uint32_t n_null = 0, n_min = 0, n_max = 0, n_nc = 0, n_nan = 0;
    bool h_null = false, h_min = false, h_max = false, h_order = false;
    int rc = struct_enter(d, what);
    if (rc)
        return rc;
    for (;;) {
        uint8_t t;
        int16_t id;
        bool done;
        rc = next_field(d, &t, &id, &done);
        if (rc || done)
            break;
        bool listed = is_list(t);
        switch (id) {
        case 1:
            rc = get_bool_list(d, t, &out->null_pages, &n_null);
            h_null = listed;
            break;
        case 2:
            rc = get_binary_list(d, t, &out->min_values, &n_min);
            h_min = listed;
            break;
        case 3:
            rc = get_binary_list(d, t, &out->max_values, &n_max);
            h_max = listed;
            break;
        case 4: rc = get_i32(d, t, &out->boundary_order, &h_order); break;
        case 5:
            rc = get_i64_list(d, t, &out->null_counts, &n_nc);
            out->has_null_counts = listed;
            break;
        case 6:
            rc = get_i64_list(d, t, &out->repetition_level_histograms,
                              &out->repetition_level_histogram_count);
            break;
        case 7:
            rc = get_i64_list(d, t, &out->definition_level_histograms,
                              &out->definition_level_histogram_count);
            break;
        case 8:
            rc = get_i64_list(d, t, &out->nan_counts, &n_nan);
            out->has_nan_counts = listed;
            break;
        default: rc = tn_thrift_skip(&d->reader, t); break;
        }
        if (rc)
            break;
    }
    if (rc)
        return fail(d, rc, what);
    if (!h_null || !h_min || !h_max || !h_order)
        return invalid(d, what, "a required field is missing");
    if (n_min != n_null || n_max != n_null)
        return invalid(d, what, "null_pages, min_values and max_values differ in length");
    out->page_count = n_null;
    if (out->has_null_counts && n_nc != n_null)
        return invalid(d, what, "null_counts has the wrong length");
    if (out->has_nan_counts && n_nan != n_null)
        return invalid(d, what, "nan_counts has the wrong length");
    return 0;
}

int tn_parquet_column_index_decode(const void *data, size_t len, tn_arena *arena,
                                   tn_parquet_column_index *out, tn_error *err)
{
    tn_parquet_decoder d;
    tn_parquet_decoder_init(&d, data, len, arena, err);
    return tn_parquet_column_index_read(&d, out);
}

int tn_parquet_offset_index_decode(const void *data, size_t len, tn_arena *arena,
                                   tn_parquet_offset_index *out, tn_error *err)
{
    tn_parquet_decoder d;
    tn_parquet_decoder_init(&d, data, len, arena, err);
    return tn_parquet_offset_index_read(&d, out);
}

/* ------------------------------------------------------------------------------------------
 * Writers
 * ---------------------------------------------------------------------------------------- */

static void write_str(tn_thrift_writer *w, int16_t id, tn_str s)
{
    tn_thrift_write_field_binary(w, id, s.ptr, s.len);
}

void tn_parquet_statistics_write(tn_thrift_writer *w, const tn_parquet_statistics *in)
{
    tn_thrift_struct_open(w);
    if (in->has_max)
        write_str(w, 1, in->max);
    if (in->has_min)
        write_str(w, 2, in->min);
    if (in->has_null_count)
        tn_thrift_write_field_i64(w, 3, in->null_count);
    if (in->has_distinct_count)
        tn_thrift_write_field_i64(w, 4, in->distinct_count);
    if (in->has_max_value)
        write_str(w, 5, in->max_value);
    if (in->has_min_value)
        write_str(w, 6, in->min_value);
    if (in->has_is_max_value_exact)
        tn_thrift_write_field_bool(w, 7, in->is_max_value_exact);
    if (in->has_is_min_value_exact)
        tn_thrift_write_field_bool(w, 8, in->is_min_value_exact);
    if (in->has_nan_count)
        tn_thrift_write_field_i64(w, 9, in->nan_count);
    tn_thrift_struct_close(w);
}

/* An empty struct as a union member (StringType, MicroSeconds, TypeDefinedOrder ...). */
static void write_empty_member(tn_thrift_writer *w, int16_t id)
{
    tn_thrift_write_field_struct_begin(w, id);
    tn_thrift_struct_close(w);
}

void tn_parquet_logical_type_write(tn_thrift_writer *w, const tn_parquet_logical_type *in)
{
    tn_thrift_struct_open(w);
    if (in->kind != TN_PARQUET_LT_NONE && in->kind != TN_PARQUET_LT_OTHER) {
        tn_thrift_write_field_struct_begin(w, in->kind);
        switch (in->kind) {
        case TN_PARQUET_LT_DECIMAL:
            tn_thrift_write_field_i32(w, 1, in->scale);
            tn_thrift_write_field_i32(w, 2, in->precision);
            break;
        case TN_PARQUET_LT_TIME:
        case TN_PARQUET_LT_TIMESTAMP:
            tn_thrift_write_field_bool(w, 1, in->is_adjusted_to_utc);
            tn_thrift_write_field_struct_begin(w, 2);
            if (in->unit >= TN_PARQUET_MILLIS && in->unit <= TN_PARQUET_NANOS)
                write_empty_member(w, in->unit);
            tn_thrift_struct_close(w);
            break;
        case TN_PARQUET_LT_INTEGER:
            tn_thrift_write_field_i8(w, 1, in->bit_width);
            tn_thrift_write_field_bool(w, 2, in->is_signed);
            break;
        case TN_PARQUET_LT_GEOMETRY:
        case TN_PARQUET_LT_GEOGRAPHY:
            if (in->has_crs)
                write_str(w, 1, in->crs);
            if (in->kind == TN_PARQUET_LT_GEOGRAPHY && in->has_algorithm)
                tn_thrift_write_field_i32(w, 2, in->algorithm);
            break;
        case TN_PARQUET_LT_VARIANT:
            if (in->has_specification_version)
                tn_thrift_write_field_i8(w, 1, in->specification_version);
            break;
        default:
            break;
        }
        tn_thrift_struct_close(w);
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_schema_element_write(tn_thrift_writer *w, const tn_parquet_schema_element *in)
{
    tn_thrift_struct_open(w);
    if (in->has_type)
        tn_thrift_write_field_i32(w, 1, in->type);
    if (in->has_type_length)
        tn_thrift_write_field_i32(w, 2, in->type_length);
    if (in->has_repetition)
        tn_thrift_write_field_i32(w, 3, in->repetition);
    write_str(w, 4, in->name);
    if (in->has_num_children)
        tn_thrift_write_field_i32(w, 5, in->num_children);
    if (in->has_converted_type)
        tn_thrift_write_field_i32(w, 6, in->converted_type);
    if (in->has_scale)
        tn_thrift_write_field_i32(w, 7, in->scale);
    if (in->has_precision)
        tn_thrift_write_field_i32(w, 8, in->precision);
    if (in->has_field_id)
        tn_thrift_write_field_i32(w, 9, in->field_id);
    if (in->logical.kind != TN_PARQUET_LT_NONE && in->logical.kind != TN_PARQUET_LT_OTHER) {
        tn_thrift_write_field(w, TN_THRIFT_STRUCT, 10);
        tn_parquet_logical_type_write(w, &in->logical);
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_key_value_write(tn_thrift_writer *w, const tn_parquet_key_value *in)
{
    tn_thrift_struct_open(w);
    write_str(w, 1, in->key);
    if (in->has_value)
        write_str(w, 2, in->value);
    tn_thrift_struct_close(w);
}

static void write_key_values(tn_thrift_writer *w, int16_t id, const tn_parquet_key_value *kv,
                             uint32_t count)
{
    tn_thrift_write_field(w, TN_THRIFT_LIST, id);
    tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, count);
    for (uint32_t i = 0; i < count; i++)
        tn_parquet_key_value_write(w, &kv[i]);
}

static void write_i64_list(tn_thrift_writer *w, int16_t id, const int64_t *v, uint32_t count)
{
    tn_thrift_write_field(w, TN_THRIFT_LIST, id);
    tn_thrift_write_list_begin(w, TN_THRIFT_I64, count);
    for (uint32_t i = 0; i < count; i++)
        tn_thrift_write_i64(w, v[i]);
}

void tn_parquet_column_metadata_write(tn_thrift_writer *w, const tn_parquet_column_metadata *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field_i32(w, 1, in->type);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 2);
    tn_thrift_write_list_begin(w, TN_THRIFT_I32, in->encoding_count);
    for (uint32_t i = 0; i < in->encoding_count; i++)
        tn_thrift_write_i32(w, in->encodings[i]);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 3);
    tn_thrift_write_list_begin(w, TN_THRIFT_BINARY, in->path_count);
    for (uint32_t i = 0; i < in->path_count; i++)
        tn_thrift_write_binary(w, in->path_in_schema[i].ptr, in->path_in_schema[i].len);
    tn_thrift_write_field_i32(w, 4, in->codec);
    tn_thrift_write_field_i64(w, 5, in->num_values);
    tn_thrift_write_field_i64(w, 6, in->total_uncompressed_size);
    tn_thrift_write_field_i64(w, 7, in->total_compressed_size);
    if (in->key_value_count)
        write_key_values(w, 8, in->key_value_metadata, in->key_value_count);
    tn_thrift_write_field_i64(w, 9, in->data_page_offset);
    if (in->has_index_page_offset)
        tn_thrift_write_field_i64(w, 10, in->index_page_offset);
    if (in->has_dictionary_page_offset)
        tn_thrift_write_field_i64(w, 11, in->dictionary_page_offset);
    if (in->has_statistics) {
        tn_thrift_write_field(w, TN_THRIFT_STRUCT, 12);
        tn_parquet_statistics_write(w, &in->statistics);
    }
    if (in->encoding_stats_count) {
        tn_thrift_write_field(w, TN_THRIFT_LIST, 13);
        tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->encoding_stats_count);
        for (uint32_t i = 0; i < in->encoding_stats_count; i++) {
            const tn_parquet_page_encoding_stats *s = &in->encoding_stats[i];
            tn_thrift_struct_open(w);
            tn_thrift_write_field_i32(w, 1, s->page_type);
            tn_thrift_write_field_i32(w, 2, s->encoding);
            tn_thrift_write_field_i32(w, 3, s->count);
            tn_thrift_struct_close(w);
        }
    }
    if (in->has_bloom_filter_offset)
        tn_thrift_write_field_i64(w, 14, in->bloom_filter_offset);
    if (in->has_bloom_filter_length)
        tn_thrift_write_field_i32(w, 15, in->bloom_filter_length);
    if (in->has_size_statistics) {
        const tn_parquet_size_statistics *s = &in->size_statistics;
        tn_thrift_write_field_struct_begin(w, 16);
        if (s->has_unencoded_byte_array_data_bytes)
            tn_thrift_write_field_i64(w, 1, s->unencoded_byte_array_data_bytes);
        if (s->repetition_level_histogram_count)
            write_i64_list(w, 2, s->repetition_level_histogram,
                           s->repetition_level_histogram_count);
        if (s->definition_level_histogram_count)
            write_i64_list(w, 3, s->definition_level_histogram,
                           s->definition_level_histogram_count);
        tn_thrift_struct_close(w);
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_column_chunk_write(tn_thrift_writer *w, const tn_parquet_column_chunk *in)
{
    tn_thrift_struct_open(w);
    if (in->has_file_path)
        write_str(w, 1, in->file_path);
    tn_thrift_write_field_i64(w, 2, in->file_offset);
    if (in->has_meta_data) {
        tn_thrift_write_field(w, TN_THRIFT_STRUCT, 3);
        tn_parquet_column_metadata_write(w, &in->meta_data);
    }
    if (in->has_offset_index) {
        tn_thrift_write_field_i64(w, 4, in->offset_index_offset);
        tn_thrift_write_field_i32(w, 5, in->offset_index_length);
    }
    if (in->has_column_index) {
        tn_thrift_write_field_i64(w, 6, in->column_index_offset);
        tn_thrift_write_field_i32(w, 7, in->column_index_length);
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_row_group_write(tn_thrift_writer *w, const tn_parquet_row_group *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 1);
    tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->column_count);
    for (uint32_t i = 0; i < in->column_count; i++)
        tn_parquet_column_chunk_write(w, &in->columns[i]);
    tn_thrift_write_field_i64(w, 2, in->total_byte_size);
    tn_thrift_write_field_i64(w, 3, in->num_rows);
    if (in->sorting_column_count) {
        tn_thrift_write_field(w, TN_THRIFT_LIST, 4);
        tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->sorting_column_count);
        for (uint32_t i = 0; i < in->sorting_column_count; i++) {
            const tn_parquet_sorting_column *s = &in->sorting_columns[i];
            tn_thrift_struct_open(w);
            tn_thrift_write_field_i32(w, 1, s->column_idx);
            tn_thrift_write_field_bool(w, 2, s->descending);
            tn_thrift_write_field_bool(w, 3, s->nulls_first);
            tn_thrift_struct_close(w);
        }
    }
    if (in->has_file_offset)
        tn_thrift_write_field_i64(w, 5, in->file_offset);
    if (in->has_total_compressed_size)
        tn_thrift_write_field_i64(w, 6, in->total_compressed_size);
    if (in->has_ordinal)
        tn_thrift_write_field_i16(w, 7, in->ordinal);
    tn_thrift_struct_close(w);
}

void tn_parquet_file_metadata_write(tn_thrift_writer *w, const tn_parquet_file_metadata *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field_i32(w, 1, in->version);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 2);
    tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->schema_count);
    for (uint32_t i = 0; i < in->schema_count; i++)
        tn_parquet_schema_element_write(w, &in->schema[i]);
    tn_thrift_write_field_i64(w, 3, in->num_rows);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 4);
    tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->row_group_count);
    for (uint32_t i = 0; i < in->row_group_count; i++)
        tn_parquet_row_group_write(w, &in->row_groups[i]);
    if (in->key_value_count)
        write_key_values(w, 5, in->key_value_metadata, in->key_value_count);
    if (in->has_created_by)
        write_str(w, 6, in->created_by);
    if (in->column_order_count) {
        tn_thrift_write_field(w, TN_THRIFT_LIST, 7);
        tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->column_order_count);
        for (uint32_t i = 0; i < in->column_order_count; i++) {
            tn_thrift_struct_open(w);
            uint8_t order = in->column_orders[i];
            if (order >= TN_PARQUET_ORDER_TYPE_DEFINED && order <= TN_PARQUET_ORDER_INT96_TIMESTAMP)
                write_empty_member(w, order);
            tn_thrift_struct_close(w);
        }
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_page_header_write(tn_thrift_writer *w, const tn_parquet_page_header *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field_i32(w, 1, in->type);
    tn_thrift_write_field_i32(w, 2, in->uncompressed_page_size);
    tn_thrift_write_field_i32(w, 3, in->compressed_page_size);
    if (in->has_crc)
        tn_thrift_write_field_i32(w, 4, in->crc);
    if (in->has_data_page_header) {
        const tn_parquet_data_page_header *h = &in->data_page_header;
        tn_thrift_write_field_struct_begin(w, 5);
        tn_thrift_write_field_i32(w, 1, h->num_values);
        tn_thrift_write_field_i32(w, 2, h->encoding);
        tn_thrift_write_field_i32(w, 3, h->definition_level_encoding);
        tn_thrift_write_field_i32(w, 4, h->repetition_level_encoding);
        if (h->has_statistics) {
            tn_thrift_write_field(w, TN_THRIFT_STRUCT, 5);
            tn_parquet_statistics_write(w, &h->statistics);
        }
        tn_thrift_struct_close(w);
    }
    if (in->has_index_page_header)
        write_empty_member(w, 6);
    if (in->has_dictionary_page_header) {
        const tn_parquet_dictionary_page_header *h = &in->dictionary_page_header;
        tn_thrift_write_field_struct_begin(w, 7);
        tn_thrift_write_field_i32(w, 1, h->num_values);
        tn_thrift_write_field_i32(w, 2, h->encoding);
        if (h->has_is_sorted)
            tn_thrift_write_field_bool(w, 3, h->is_sorted);
        tn_thrift_struct_close(w);
    }
    if (in->has_data_page_header_v2) {
        const tn_parquet_data_page_header_v2 *h = &in->data_page_header_v2;
        tn_thrift_write_field_struct_begin(w, 8);
        tn_thrift_write_field_i32(w, 1, h->num_values);
        tn_thrift_write_field_i32(w, 2, h->num_nulls);
        tn_thrift_write_field_i32(w, 3, h->num_rows);
        tn_thrift_write_field_i32(w, 4, h->encoding);
        tn_thrift_write_field_i32(w, 5, h->definition_levels_byte_length);
        tn_thrift_write_field_i32(w, 6, h->repetition_levels_byte_length);
        tn_thrift_write_field_bool(w, 7, h->is_compressed);
        if (h->has_statistics) {
            tn_thrift_write_field(w, TN_THRIFT_STRUCT, 8);
            tn_parquet_statistics_write(w, &h->statistics);
        }
        tn_thrift_struct_close(w);
    }
    tn_thrift_struct_close(w);
}

void tn_parquet_column_index_write(tn_thrift_writer *w, const tn_parquet_column_index *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 1);
    tn_thrift_write_list_begin(w, TN_THRIFT_BOOL_TRUE, in->page_count);
    for (uint32_t i = 0; i < in->page_count; i++)
        tn_thrift_write_bool_element(w, in->null_pages[i]);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 2);
    tn_thrift_write_list_begin(w, TN_THRIFT_BINARY, in->page_count);
    for (uint32_t i = 0; i < in->page_count; i++)
        tn_thrift_write_binary(w, in->min_values[i].ptr, in->min_values[i].len);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 3);
    tn_thrift_write_list_begin(w, TN_THRIFT_BINARY, in->page_count);
    for (uint32_t i = 0; i < in->page_count; i++)
        tn_thrift_write_binary(w, in->max_values[i].ptr, in->max_values[i].len);
    tn_thrift_write_field_i32(w, 4, in->boundary_order);
    if (in->has_null_counts)
        write_i64_list(w, 5, in->null_counts, in->page_count);
    if (in->repetition_level_histogram_count)
        write_i64_list(w, 6, in->repetition_level_histograms,
                       in->repetition_level_histogram_count);
    if (in->definition_level_histogram_count)
        write_i64_list(w, 7, in->definition_level_histograms,
                       in->definition_level_histogram_count);
    if (in->has_nan_counts)
        write_i64_list(w, 8, in->nan_counts, in->page_count);
    tn_thrift_struct_close(w);
}

void tn_parquet_offset_index_write(tn_thrift_writer *w, const tn_parquet_offset_index *in)
{
    tn_thrift_struct_open(w);
    tn_thrift_write_field(w, TN_THRIFT_LIST, 1);
    tn_thrift_write_list_begin(w, TN_THRIFT_STRUCT, in->page_count);
    for (uint32_t i = 0; i < in->page_count; i++) {
        const tn_parquet_page_location *p = &in->page_locations[i];
        tn_thrift_struct_open(w);
        tn_thrift_write_field_i64(w, 1, p->offset);
        tn_thrift_write_field_i32(w, 2, p->compressed_page_size);
        tn_thrift_write_field_i64(w, 3, p->first_row_index);
        tn_thrift_struct_close(w);
    }
    if (in->unencoded_byte_array_data_bytes_count)
        write_i64_list(w, 2, in->unencoded_byte_array_data_bytes,
                       in->unencoded_byte_array_data_bytes_count);
    tn_thrift_struct_close(w);
}

/* ------------------------------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------------------------- */

const char *tn_parquet_type_name(int32_t type)
{
    static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                        "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return type >= 0 && type < (int32_t)(sizeof names / sizeof *names) ? names[type] : "?";
}

const char *tn_parquet_encoding_name(int32_t encoding)
{
    static const char *const names[] = {"PLAIN",
                                        "GROUP_VAR_INT",
                                        "PLAIN_DICTIONARY",
                                        "RLE",
                                        "BIT_PACKED",
                                        "DELTA_BINARY_PACKED",
                                        "DELTA_LENGTH_BYTE_ARRAY",
                                        "DELTA_BYTE_ARRAY",
                                        "RLE_DICTIONARY",
                                        "BYTE_STREAM_SPLIT",
                                        "ALP"};
    return encoding >= 0 && encoding < (int32_t)(sizeof names / sizeof *names) ? names[encoding]
                                                                               : "?";
}

const char *tn_parquet_codec_name(int32_t codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < (int32_t)(sizeof names / sizeof *names) ? names[codec] : "?";
}
