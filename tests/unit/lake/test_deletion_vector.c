/* SPDX-License-Identifier: Apache-2.0
 *
 * Deletion vectors (v3): blobs built here byte by byte from the Puffin spec's layout, decoded;
 * every truncation and a flipped byte of a valid blob are errors, never crashes.
 */
#include "lake/lake_int.h"

#include <criterion/criterion.h>
#include <zlib.h>

typedef struct blob {
    uint8_t b[20000];
    size_t len;
} blob;

static void put8(blob *x, uint8_t v) { x->b[x->len++] = v; }
static void put16(blob *x, uint16_t v)
{
    put8(x, (uint8_t)v);
    put8(x, (uint8_t)(v >> 8));
}
static void put32(blob *x, uint32_t v)
{
    put16(x, (uint16_t)v);
    put16(x, (uint16_t)(v >> 16));
}
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Starts a blob: room for the length, the magic, the count of 32-bit bitmaps. */
static void begin(blob *x, uint32_t bitmaps)
{
    x->len = 4;
    put8(x, 0xD1);
    put8(x, 0xD3);
    put8(x, 0x39);
    put8(x, 0x64);
    put32(x, bitmaps);
    put32(x, 0);
}

/* Fills in the length and appends the CRC-32 of magic + vector. */
static void finish(blob *x)
{
    uint32_t vector_len = (uint32_t)(x->len - 4);
    put_be32(x->b, vector_len);
    uint32_t crc = (uint32_t)crc32(0L, x->b + 4, vector_len);
    x->len += 4;
    put_be32(x->b + x->len - 4, crc);
}

static size_t decode(const blob *x, int64_t cardinality, int64_t **pos, int *rc)
{
    tn_error err = {0};
    size_t n = 0;
    *rc = tn_deletion_vector_decode(x->b, x->len, "t.puffin", cardinality, pos, &n, &err);
    if (*rc < 0) cr_assert_neq(err.message[0], '\0');
    return n;
}

Test(deletion_vector, array_container)
{
    blob x;
    begin(&x, 1);
    put32(&x, 0);         /* high key */
    put32(&x, 12346);     /* cookie: no run containers */
    put32(&x, 1);         /* containers */
    put16(&x, 0);         /* key */
    put16(&x, 2);         /* cardinality - 1 */
    put32(&x, 16);        /* offset of the container from the cookie */
    put16(&x, 1);
    put16(&x, 7);
    put16(&x, 65535);
    finish(&x);
    int64_t *pos = NULL;
    int rc;
    size_t n = decode(&x, 3, &pos, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(pos[0], 1);
    cr_assert_eq(pos[1], 7);
    cr_assert_eq(pos[2], 65535);
    tn_free(pos);
    /* The manifest's record_count must agree. */
    n = decode(&x, 2, &pos, &rc);
    cr_assert_lt(rc, 0);
}

Test(deletion_vector, run_and_bitmap_containers_and_high_keys)
{
    blob x;
    begin(&x, 2);
    /* Bitmap 1 (high 0): one run container, key 1: values 65536+5 .. 65536+14. */
    put32(&x, 0);
    put32(&x, 12347);     /* cookie with runs, one container */
    put8(&x, 0x01);       /* container 0 is a run container */
    put16(&x, 1);         /* key */
    put16(&x, 9);         /* cardinality - 1 */
    put16(&x, 1);         /* runs */
    put16(&x, 5);         /* start */
    put16(&x, 9);         /* length - 1 */
    /* Bitmap 2 (high 2): one bitmap container with every even value below 10000 (5000 > 4096). */
    put32(&x, 2);
    put32(&x, 12346);
    put32(&x, 1);
    put16(&x, 0);
    put16(&x, 4999);
    put32(&x, 16);
    for (int w = 0; w < 1024; w++) {
        uint64_t word = 0;
        for (int bit = 0; bit < 64; bit += 2)
            if (w * 64 + bit < 10000) word |= 1ull << bit;
        put32(&x, (uint32_t)word);
        put32(&x, (uint32_t)(word >> 32));
    }
    finish(&x);
    int64_t *pos = NULL;
    int rc;
    size_t n = decode(&x, 5010, &pos, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, 5010);
    cr_assert_eq(pos[0], 65536 + 5);
    cr_assert_eq(pos[9], 65536 + 14);
    cr_assert_eq(pos[10], (int64_t)2 << 32);
    cr_assert_eq(pos[11], ((int64_t)2 << 32) + 2);
    cr_assert_eq(pos[5009], ((int64_t)2 << 32) + 9998);
    tn_free(pos);
}

Test(deletion_vector, damaged_blobs_are_errors)
{
    blob x;
    begin(&x, 1);
    put32(&x, 0);
    put32(&x, 12346);
    put32(&x, 1);
    put16(&x, 0);
    put16(&x, 0);
    put32(&x, 16);
    put16(&x, 1);
    finish(&x);
    int64_t *pos = NULL;
    int rc;
    cr_assert_eq(decode(&x, -1, &pos, &rc), 1);
    cr_assert_eq(rc, 0);
    tn_free(pos);
    blob y = x;
    for (size_t cut = 0; cut < x.len; cut++) {
        y.len = cut;
        pos = NULL;
        decode(&y, -1, &pos, &rc);
        cr_assert_lt(rc, 0, "a blob cut at %zu bytes decoded", cut);
        cr_assert_null(pos);
    }
    for (size_t at = 0; at < x.len; at++) {
        y = x;
        y.b[at] ^= 0x40;
        pos = NULL;
        decode(&y, -1, &pos, &rc);
        cr_assert_lt(rc, 0, "a blob with byte %zu flipped decoded", at);
    }
}

/* A few bytes of run containers may describe billions of rows: the manifest's count bounds them. */
Test(deletion_vector, run_bomb_is_bounded)
{
    blob x;
    begin(&x, 1);
    put32(&x, 0);
    put32(&x, 12347 | (3u << 16)); /* four containers */
    put8(&x, 0x0F);
    for (int c = 0; c < 4; c++) {
        put16(&x, (uint16_t)c);
        put16(&x, 65535);
    }
    for (int c = 0; c < 4; c++) put32(&x, (uint32_t)(4 + 1 + 16 + 16 + c * 6));
    for (int c = 0; c < 4; c++) {
        put16(&x, 1);
        put16(&x, 0);
        put16(&x, 65535);
    }
    finish(&x);
    int64_t *pos = NULL;
    int rc;
    decode(&x, 1000, &pos, &rc);
    cr_assert_lt(rc, 0);
    size_t n = decode(&x, 4 * 65536, &pos, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(n, 4 * 65536);
    cr_assert_eq(pos[4 * 65536 - 1], 4 * 65536 - 1);
    tn_free(pos);
}
