/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target for Parquet. The input is read whole as a Parquet file through the reader
 * (memory source): footer, schema mapping, `tarn inspect`'s description, and every column of
 * every row group decoded, once plainly, once with small batches and a predicate so the
 * page-index pruning, page skipping and late materialisation run too, and once more asking
 * for every column in dictionary form (flattened again to touch the values). The same bytes then drive the page-level
 * pieces directly: the value decoders (the first bytes choose encoding, physical type and
 * width), the level decoders, DELTA_BINARY_PACKED and every decompressor.
 *
 * Seed corpus: ../shared/conformance/parquet (all .parquet files).
 */
#include <stdlib.h>

#include "formats/parquet/codec.h"
#include "formats/parquet/decode.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan_all(tn_parquet_file *f, uint32_t batch_rows, bool with_predicate,
                     bool dictionary)
{
    tn_parquet_scan_options opts = {0};
    opts.batch_rows = batch_rows;
    opts.threads = 1;
    tn_parquet_predicate p = {0};
    const tn_schema *schema = tn_parquet_file_schema(f);
    bool *dict = NULL;
    if (dictionary) {
        dict = malloc((schema->column_count ? schema->column_count : 1) * sizeof(bool));
        if (!dict)
            return;
        for (uint32_t c = 0; c < schema->column_count; c++)
            dict[c] = true;
        opts.dictionary = dict;
    }
    if (with_predicate && schema->column_count > 0) {
        p.column = 0;
        p.op = TN_PARQUET_OP_GE;
        p.value.i = 3;
        p.value.d = 3.0;
        p.value.dec = 3;
        p.value.s = tn_str_make("m", 1);
        opts.predicates = &p;
        opts.predicate_count = 1;
    }
    tn_parquet_scan *scan = NULL;
    tn_error err = {0};
    if (tn_parquet_scan_open(f, &opts, &scan, &err) != 0) {
        free(dict);
        return;
    }
    for (;;) {
        tn_batch *b = NULL;
        if (tn_parquet_scan_next(scan, &b, &err) != 0 || !b)
            break;
        /* Touch every value so that uninitialised or out-of-range data shows. */
        for (uint32_t c = 0; c < b->schema->column_count; c++) {
            if (b->columns[c].dict && tn_vector_flatten(&b->columns[c], b->row_count) != 0)
                continue;
            tn_buf text = TN_BUF_INIT;
            for (uint32_t r = 0; r < b->row_count; r++)
                if (tn_vector_is_valid(&b->columns[c], r))
                    tn_vector_format_value(&b->columns[c], r, &text);
            tn_buf_free(&text);
        }
        tn_batch_free(b);
    }
    tn_parquet_scan_stats st;
    tn_parquet_scan_get_stats(scan, &st);
    tn_parquet_scan_close(scan);
    free(dict);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    tn_parquet_source src;
    tn_error err = {0};
    tn_parquet_file *f = NULL;
    /* the binder's open: the footer up to the schema and num_rows */
    if (tn_parquet_source_memory(data, size, "fuzz.parquet", &src, &err) != 0)
        return;
    if (tn_parquet_file_open_schema(&src, &f, &err) == 0) {
        (void)tn_parquet_file_num_rows(f);
        tn_parquet_file_close(f);
        f = NULL;
    }
    if (tn_parquet_source_memory(data, size, "fuzz.parquet", &src, &err) != 0)
        return;
    if (tn_parquet_file_open(&src, &f, &err) != 0)
        return;
    tn_buf d = TN_BUF_INIT;
    tn_parquet_file_describe(f, &d);
    tn_buf_free(&d);
    scan_all(f, 0, false, false);
    scan_all(f, 7, true, false);
    scan_all(f, 5, true, true);
    tn_parquet_file_close(f);
}

static const int encodings[] = {
    TN_PARQUET_ENC_PLAIN,
    TN_PARQUET_ENC_PLAIN_DICTIONARY,
    TN_PARQUET_ENC_RLE,
    TN_PARQUET_ENC_DELTA_BINARY_PACKED,
    TN_PARQUET_ENC_DELTA_LENGTH_BYTE_ARRAY,
    TN_PARQUET_ENC_DELTA_BYTE_ARRAY,
    TN_PARQUET_ENC_RLE_DICTIONARY,
    TN_PARQUET_ENC_BYTE_STREAM_SPLIT,
};

static void fuzz_values(const uint8_t *data, size_t size)
{
    if (size < 5)
        return;
    int enc = encodings[data[0] % (sizeof(encodings) / sizeof(encodings[0]))];
    int phys = data[1] % 8;
    int32_t type_length = data[2] % 20 + 1;
    uint32_t max_values = (uint32_t)data[3] * 16 + 1;
    uint32_t step = data[4] % 61 + 1;
    const uint8_t *body = data + 5;
    size_t len = size - 5;

    /* A small dictionary of the right type for the dictionary encodings. */
    static const uint8_t dict_bytes[64] = {
        3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o',
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
        23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44};
    tn_parquet_dictionary dict;
    tn_error err = {0};
    int64_t entries = phys == TN_PARQUET_BYTE_ARRAY ? 3 : 2;
    bool have_dict = tn_parquet_dictionary_decode(phys, type_length, dict_bytes,
                                                  sizeof(dict_bytes), entries, &dict, &err) == 0;

    tn_parquet_values v;
    if (tn_parquet_values_init(&v, enc, phys, type_length, body, len, max_values,
                               have_dict ? &dict : NULL, &err) == 0) {
        uint8_t *fixed = malloc((size_t)step * 32);
        tn_str *strs = malloc((size_t)step * sizeof(tn_str));
        for (uint32_t done = 0; done < max_values; done += step) {
            int rc;
            if (phys == TN_PARQUET_BOOLEAN)
                rc = tn_parquet_values_get_bool(&v, fixed, step, &err);
            else if (phys == TN_PARQUET_BYTE_ARRAY || phys == TN_PARQUET_FIXED_LEN_BYTE_ARRAY)
                rc = tn_parquet_values_get_bytes(&v, strs, step, &err);
            else
                rc = tn_parquet_values_get_fixed(&v, fixed, step, &err);
            if (rc != 0)
                break;
            if (phys == TN_PARQUET_BYTE_ARRAY || phys == TN_PARQUET_FIXED_LEN_BYTE_ARRAY) {
                volatile uint8_t sink = 0;
                for (uint32_t i = 0; i < step; i++)
                    for (size_t k = 0; k < strs[i].len; k++)
                        sink ^= (uint8_t)strs[i].ptr[k];
                (void)sink;
            }
        }
        free(fixed);
        free(strs);
    }
    tn_parquet_values_free(&v);
    if (have_dict)
        tn_parquet_dictionary_free(&dict);

    /* Levels and indices. */
    int w = data[1] % 33;
    tn_parquet_rle r;
    uint32_t out[256];
    uint8_t out8[256];
    tn_parquet_rle_init(&r, body, len, w);
    for (int i = 0; i < 64; i++)
        if (tn_parquet_rle_get_u32(&r, out, step, &err) != 0)
            break;
    tn_parquet_rle_init(&r, body, len, w % 9);
    for (int i = 0; i < 64; i++)
        if (tn_parquet_rle_get_u8(&r, out8, step, &err) != 0)
            break;
    tn_parquet_rle_init_legacy(&r, body, len, w % 9);
    for (int i = 0; i < 16; i++)
        if (tn_parquet_rle_get_u8(&r, out8, step, &err) != 0)
            break;

    tn_parquet_delta dl;
    if (tn_parquet_delta_init(&dl, body, len, &err) == 0) {
        int64_t o64[64];
        int32_t o32[64];
        for (int i = 0; i < 64; i++) {
            uint32_t k = step < 64 ? step : 64;
            if ((i % 2 ? tn_parquet_delta_get_i32(&dl, o32, k, &err)
                       : tn_parquet_delta_get_i64(&dl, o64, k, &err)) != 0)
                break;
        }
        (void)tn_parquet_delta_end(&dl);
    }
}

static void fuzz_codecs(const uint8_t *data, size_t size)
{
    if (size < 3)
        return;
    int codec = data[0] % TN_CODEC_COUNT;
    size_t out_len = ((size_t)data[1] << 8 | data[2]) * 3;
    uint8_t *out = malloc(out_len ? out_len : 1);
    tn_codec_decompress(codec, data + 3, size - 3, out, out_len, NULL);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file(data, size);
    fuzz_values(data, size);
    fuzz_codecs(data, size);
    return 0;
}
