/* SPDX-License-Identifier: Apache-2.0
 *
 * The executor's key table (exec/key_table.c): keys of every length around the inline
 * comparison's cases (under 4 bytes, 4 to 7, 8 to 16 inline, longer in the byte buffer) are
 * told apart even when they differ in one byte and share one hash; reserving room keeps
 * the table from growing during the inserts that follow.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sql/sql_int.h"

#define MAX_LEN 40

/* A key of `len` bytes that differs from its neighbours in byte `pos` only. */
static void make_key(uint8_t *key, size_t len, size_t pos, uint8_t value)
{
    for (size_t i = 0; i < len; i++)
        key[i] = (uint8_t)(i * 7 + len);
    if (len)
        key[pos] = value;
}

Test(sql_key_table, keys_that_differ_in_one_byte_are_distinct)
{
    tn_exec_keys t;
    cr_assert_eq(tn_exec_keys_init(&t, 0), 0);
    uint32_t next = 0;
    uint8_t key[MAX_LEN];
    /* every length, and for each the first, a middle and the last byte varied */
    for (size_t len = 0; len <= MAX_LEN; len++)
        for (size_t p = 0; p < 3 && (len || p == 0); p++) {
            size_t pos = len ? (p == 0 ? 0 : p == 1 ? len / 2 : len - 1) : 0;
            for (int v = 0; v < 4; v++) {
                make_key(key, len, pos, (uint8_t)(200 + v));
                uint32_t id;
                int rc = tn_exec_keys_upsert(&t, key, len, next, &id);
                cr_assert_geq(rc, 0);
                if (rc == 1)
                    cr_assert_eq(id, next++);
            }
        }
    /* every key is found again with its id, and a second upsert inserts nothing */
    uint32_t seen = 0;
    for (size_t len = 0; len <= MAX_LEN; len++)
        for (size_t p = 0; p < 3 && (len || p == 0); p++) {
            size_t pos = len ? (p == 0 ? 0 : p == 1 ? len / 2 : len - 1) : 0;
            for (int v = 0; v < 4; v++) {
                make_key(key, len, pos, (uint8_t)(200 + v));
                uint32_t id, again;
                cr_assert(tn_exec_keys_find(&t, key, len, &id), "len %zu pos %zu", len, pos);
                cr_assert_eq(tn_exec_keys_upsert(&t, key, len, 12345, &again), 0);
                cr_assert_eq(again, id);
                seen++;
            }
        }
    cr_assert_gt(seen, next);
    cr_assert_eq(t.count, next);
    tn_exec_keys_free(&t);
}

Test(sql_key_table, one_hash_for_all_keys_still_compares_the_bytes)
{
    tn_exec_keys t;
    cr_assert_eq(tn_exec_keys_init(&t, 0), 0);
    uint8_t key[MAX_LEN];
    uint32_t next = 0;
    for (size_t len = 1; len <= MAX_LEN; len++)
        for (int v = 0; v < 3; v++) {
            make_key(key, len, len - 1, (uint8_t)v);
            uint32_t id;
            cr_assert_eq(tn_exec_keys_upsert_hashed(&t, key, len, 42, next, &id), 1);
            cr_assert_eq(id, next++);
        }
    for (size_t len = 1; len <= MAX_LEN; len++)
        for (int v = 0; v < 3; v++) {
            make_key(key, len, len - 1, (uint8_t)v);
            uint32_t id;
            cr_assert_eq(tn_exec_keys_upsert_hashed(&t, key, len, 42, 999999, &id), 0);
            cr_assert_eq(id, (uint32_t)((len - 1) * 3 + (size_t)v));
        }
    tn_exec_keys_free(&t);
}

Test(sql_key_table, reserve_makes_room_for_the_inserts_that_follow)
{
    tn_exec_keys t;
    cr_assert_eq(tn_exec_keys_init(&t, 0), 0);
    cr_assert_eq(tn_exec_keys_reserve(&t, 5000), 0);
    size_t mask = t.mask;
    cr_assert_geq((mask + 1) * 3 / 4, 5000);
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t id;
        cr_assert_eq(tn_exec_keys_upsert(&t, &i, sizeof i, i, &id), 1);
    }
    cr_assert_eq(t.mask, mask, "no growth after the reserve");
    /* reserving what already fits changes nothing; more grows once, keeping every key */
    cr_assert_eq(tn_exec_keys_reserve(&t, 0), 0);
    cr_assert_eq(t.mask, mask);
    cr_assert_eq(tn_exec_keys_reserve(&t, 100000), 0);
    cr_assert_gt(t.mask, mask);
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t id;
        cr_assert(tn_exec_keys_find(&t, &i, sizeof i, &id));
        cr_assert_eq(id, i);
    }
    tn_exec_keys_free(&t);
}
