/* SPDX-License-Identifier: Apache-2.0
 *
 * The scalar function registry: one table of entries {name, argument types, return type rule,
 * vectorized implementation} (registry.c), which the binder searches by name and argument
 * types and the evaluator calls once per vector. Operators (+, -, ||, LIKE ...) are entries
 * too, under their symbol or an internal name.
 *
 * Calling convention: an argument is a vector plus a selection (row i of the argument is row
 * sel[i] of vec; a constant has a selection of zeros), so column references and constants are
 * passed without copying. The output is a scratch vector of the return type with room for n
 * rows, already reset; for a STRICT entry the evaluator has already marked NULL every row where
 * an argument is NULL, and the implementation leaves those rows alone (varlen outputs append a
 * NULL for them, in order).
 */
#ifndef TN_SQL_FUNC_H
#define TN_SQL_FUNC_H

#include "core/core.h"
#include "sql/parser/ast.h"

typedef struct tn_exec_arg {
    const tn_vector *vec;
    const uint32_t *sel; /* never NULL */
} tn_exec_arg;

/* The selection of a constant argument (all zeros), which implementations may test for to
 * treat the argument as one value. Defined by the evaluator. */
extern const uint32_t tn_exec_zeros[TN_BATCH_ROWS];
/* The selection of a dense argument (0, 1, 2 ...): implementations may test for it to run
 * loops without the indirection. */
extern const uint32_t tn_exec_identity[TN_BATCH_ROWS];

/* Per call site state a function may keep across vectors (a compiled regular expression). */
typedef struct tn_func_cache {
    void *data;
    void (*free_fn)(void *data);
} tn_func_cache;

typedef struct tn_func_ctx {
    tn_error *err;        /* set on error, with pos */
    tn_sql_pos pos;       /* where the call was written */
    tn_func_cache *cache; /* this call site's cache (per thread) */
    bool sqlite_compat;   /* integer division and x/0 = NULL as SQLite does */
    int64_t now_us;       /* statement start, for now()/current_date */
} tn_func_ctx;

typedef int (*tn_func_impl)(tn_func_ctx *ctx, uint32_t n, const tn_exec_arg *args,
                            uint32_t arg_count, tn_vector *out);

/* Parameter type codes beyond tn_type_id. */
#define TN_FUNC_ANY 200       /* any type, passed as is */
#define TN_FUNC_ANY_NUM 201   /* unused today */

typedef enum tn_func_ret {
    TN_FUNC_RET_FIXED,   /* ret_type */
    TN_FUNC_RET_ARG0,    /* the first argument's type */
    TN_FUNC_RET_DEC_ADD, /* DECIMAL: max scale, one more integer digit */
    TN_FUNC_RET_DEC_MUL, /* DECIMAL: scales add, precisions add (capped at 38) */
    TN_FUNC_RET_DEC_DIV, /* DECIMAL: scale max(6, s1 + p2 - s2 ...) capped */
    TN_FUNC_RET_DEC_MOD, /* DECIMAL: max scale, precision of the wider */
} tn_func_ret;

typedef enum tn_func_nulls {
    TN_FUNC_STRICT,  /* any NULL argument gives NULL; the evaluator handles it */
    TN_FUNC_SPECIAL, /* the implementation reads validity itself (concat, nullif ...) */
} tn_func_nulls;

#define TN_FUNC_MAX_PARAMS 4

struct tn_func_entry {
    const char *name;                   /* lower case: "upper", "+", "like" */
    uint8_t min_args;
    uint8_t max_args;                   /* 255 = variadic, the last param repeats */
    uint8_t params[TN_FUNC_MAX_PARAMS]; /* tn_type_id or TN_FUNC_ANY; DECIMAL matches any
                                           precision/scale */
    tn_func_ret ret_rule;
    uint8_t ret_type;                   /* for TN_FUNC_RET_FIXED */
    tn_func_nulls nulls;
    tn_func_impl impl;
    bool volatile_result;               /* now(), random(): not folded */
};
typedef struct tn_func_entry tn_func_entry;

/* The registry, terminated by an entry with name NULL. */
const tn_func_entry *tn_func_registry(void);
/* Whether any entry has this name. */
bool tn_func_exists(const char *name);
/* The return type of entry for these argument types. */
tn_type tn_func_return_type(const tn_func_entry *entry, const tn_type *arg_types,
                            uint32_t arg_count);

/* Frees a call site cache's data (accepts an empty one). */
void tn_func_cache_clear(tn_func_cache *cache);

/* Implementations shared between files (func_*.c). */
int tn_func_like_match(tn_str text, tn_str pattern, int escape, bool nocase);
/* Adds an interval to a timestamp in microseconds (calendar months, then days, then
 * microseconds). Returns false on overflow. */
bool tn_func_add_interval(int64_t ts, int32_t months, int32_t days, int64_t micros,
                          int64_t *out);
/* Parses interval text such as "1 day", "2 hours 30 minutes", "3 months". */
bool tn_func_parse_interval(tn_str text, int32_t *months, int32_t *days, int64_t *micros);

#endif /* TN_SQL_FUNC_H */
