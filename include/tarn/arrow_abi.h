/* SPDX-License-Identifier: Apache-2.0
 *
 * The Arrow C Data Interface: the two structs through which tarn hands columnar data to other
 * tools (DuckDB, pyarrow, polars) without copying. The layout is a fixed ABI defined by the
 * Apache Arrow specification ("The Arrow C data interface"); the guard macro is the one the
 * specification asks every producer to use, so that this header and any other copy of the
 * definitions can be included together.
 */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/* The type of an array: a format string, a name and, for nested types, children. */
struct ArrowSchema {
    const char *format;              /* type, e.g. "i" for int32, "+s" for struct */
    const char *name;                /* field name, may be NULL */
    const char *metadata;            /* binary key/value metadata, may be NULL */
    int64_t flags;                   /* ARROW_FLAG_* */
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;  /* value type of a dictionary-encoded array, or NULL */
    void (*release)(struct ArrowSchema *); /* NULL once released */
    void *private_data;              /* producer's own bookkeeping */
};

/* The data of an array: length, null count and buffers laid out as the format says. */
struct ArrowArray {
    int64_t length;
    int64_t null_count; /* -1 when not computed */
    int64_t offset;     /* logical offset into the buffers */
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *); /* NULL once released */
    void *private_data;
};

#ifdef __cplusplus
}
#endif

#endif /* ARROW_C_DATA_INTERFACE */
