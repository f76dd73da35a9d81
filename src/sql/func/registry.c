/* SPDX-License-Identifier: Apache-2.0
 *
 * The function registry as one table: the per-family tables of func_*.c concatenated once,
 * plus the return type rules. The binder resolves calls against it (binder_expr.c).
 */
#include "sql/func/func.h"

#include <pthread.h>

extern const tn_func_entry tn_func_arith_entries[];
extern const tn_func_entry tn_func_string_entries[];
extern const tn_func_entry tn_func_datetime_entries[];

#define REGISTRY_CAP 512
static tn_func_entry registry_table[REGISTRY_CAP + 1];
static tn_func_entry *registry;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;
static const tn_func_entry empty_registry[1];

static size_t count_entries(const tn_func_entry *e)
{
    size_t n = 0;
    while (e[n].name)
        n++;
    return n;
}

static void build_registry(void)
{
    const tn_func_entry *parts[] = {tn_func_arith_entries, tn_func_string_entries,
                                    tn_func_datetime_entries};
    size_t total = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        total += count_entries(parts[i]);
    /* A static table: nothing to allocate or fail. */
    if (total > REGISTRY_CAP)
        total = REGISTRY_CAP;
    registry = registry_table;
    size_t k = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t n = count_entries(parts[i]);
        if (k + n > total)
            n = total - k;
        memcpy(registry + k, parts[i], n * sizeof *registry);
        k += n;
    }
}

const tn_func_entry *tn_func_registry(void)
{
    pthread_once(&registry_once, build_registry);
    return registry ? registry : empty_registry;
}

bool tn_func_exists(const char *name)
{
    for (const tn_func_entry *e = tn_func_registry(); e->name; e++)
        if (strcmp(e->name, name) == 0)
            return true;
    return false;
}

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

tn_type tn_func_return_type(const tn_func_entry *e, const tn_type *args, uint32_t n)
{
    switch (e->ret_rule) {
    case TN_FUNC_RET_ARG0:
        return n ? args[0] : tn_type_make(TN_TYPE_INVALID);
    case TN_FUNC_RET_DEC_ADD: {
        int s = imax(args[0].scale, args[1].scale);
        int ip = imax(args[0].precision - args[0].scale, args[1].precision - args[1].scale);
        return tn_type_decimal(imin(38, ip + s + 1), s);
    }
    case TN_FUNC_RET_DEC_MUL: {
        int s = args[0].scale + args[1].scale;
        int p = args[0].precision + args[1].precision;
        if (s > 38)
            s = 38;
        return tn_type_decimal(imin(38, imax(p, s)), s);
    }
    case TN_FUNC_RET_DEC_DIV: {
        int s = imax(6, args[0].scale + 1);
        int ip = args[0].precision - args[0].scale + args[1].scale;
        return tn_type_decimal(imin(38, ip + s), imin(s, 38 - imin(ip, 32)));
    }
    case TN_FUNC_RET_DEC_MOD: {
        int s = imax(args[0].scale, args[1].scale);
        int p = imax(args[0].precision - args[0].scale, args[1].precision - args[1].scale) + s;
        return tn_type_decimal(imin(38, p), s);
    }
    case TN_FUNC_RET_FIXED:
    default:
        return tn_type_make((tn_type_id)e->ret_type);
    }
}

void tn_func_cache_clear(tn_func_cache *cache)
{
    if (cache && cache->data && cache->free_fn)
        cache->free_fn(cache->data);
    if (cache) {
        cache->data = NULL;
        cache->free_fn = NULL;
    }
}
