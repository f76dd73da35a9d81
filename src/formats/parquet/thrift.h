/* SPDX-License-Identifier: Apache-2.0
 *
 * The Thrift compact protocol, as Parquet uses it for its footer, page headers and page
 * index: a bounds-checked reader over a byte range and a writer into a tn_buf.
 *
 * The reader never reads past its end, never recurses more than TN_THRIFT_MAX_DEPTH levels
 * (nested structs, lists and maps all count), and can skip a field of any type, so fields a
 * newer writer added are ignored. A list or map header whose element count could not possibly
 * fit in the remaining bytes is rejected before anyone allocates for it (every element takes
 * at least one byte on the wire).
 *
 * The writer keeps a sticky error: calls after an allocation failure do nothing, and
 * tn_thrift_writer_error() reports it once at the end, so encoders need not check each call.
 *
 * Private to formats/parquet.
 */
#ifndef TN_PARQUET_THRIFT_H
#define TN_PARQUET_THRIFT_H

#include "core/core.h"

/* Compact protocol type codes (field headers and list/map element types). */
typedef enum tn_thrift_type {
    TN_THRIFT_STOP = 0,
    TN_THRIFT_BOOL_TRUE = 1, /* in a field header: the field is a bool, value true */
    TN_THRIFT_BOOL_FALSE = 2, /* in a field header: value false; as element type: bool */
    TN_THRIFT_I8 = 3,
    TN_THRIFT_I16 = 4,
    TN_THRIFT_I32 = 5,
    TN_THRIFT_I64 = 6,
    TN_THRIFT_DOUBLE = 7,
    TN_THRIFT_BINARY = 8,
    TN_THRIFT_LIST = 9,
    TN_THRIFT_SET = 10,
    TN_THRIFT_MAP = 11,
    TN_THRIFT_STRUCT = 12,
    TN_THRIFT_UUID = 13,
} tn_thrift_type;

/* Deepest nesting of structs/lists/maps the reader accepts; Parquet's own structs nest at
 * most six deep, so anything deeper is hostile input. */
#define TN_THRIFT_MAX_DEPTH 32

/* ------------------------------------------------------------------------------------------
 * Reader
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_thrift_reader {
    const uint8_t *pos;   /* next byte to read */
    const uint8_t *start; /* first byte (for offsets in messages) */
    const uint8_t *end;   /* one past the last readable byte */
    int depth;            /* structs/lists/maps currently open */
    bool truncated;       /* an error was caused by running out of bytes */
    int16_t last_field_id[TN_THRIFT_MAX_DEPTH + 1]; /* per open struct, for delta ids */
} tn_thrift_reader;

/* Reads from [data, data+len); the bytes must outlive the reader and anything that borrows
 * from them (tn_thrift_read_binary). */
void tn_thrift_reader_init(tn_thrift_reader *r, const void *data, size_t len);
/* Bytes consumed so far. */
static inline size_t tn_thrift_reader_offset(const tn_thrift_reader *r)
{
    return (size_t)(r->pos - r->start);
}

/* All reading functions return 0 or TN_ECORRUPT (r->truncated tells whether the input
 * ended early). They do not set a tn_error: the caller knows which structure was being
 * decoded and reports that. */

/* Enters a struct (counts toward the depth limit; TN_ELIMIT when too deep). */
int tn_thrift_struct_begin(tn_thrift_reader *r);
/* Leaves the struct entered last (call after tn_thrift_read_field returned STOP). */
void tn_thrift_struct_end(tn_thrift_reader *r);
/* Next field header of the current struct: *type is TN_THRIFT_STOP at the end of the struct;
 * for bool fields *type is TN_THRIFT_BOOL_TRUE or _FALSE and no value follows. */
int tn_thrift_read_field(tn_thrift_reader *r, uint8_t *type, int16_t *field_id);
/* Value readers. Integer readers accept only their own width's range (an i32 field holding a
 * 64-bit varint is corrupt). */
int tn_thrift_read_i8(tn_thrift_reader *r, int8_t *out);
int tn_thrift_read_i16(tn_thrift_reader *r, int16_t *out);
int tn_thrift_read_i32(tn_thrift_reader *r, int32_t *out);
int tn_thrift_read_i64(tn_thrift_reader *r, int64_t *out);
int tn_thrift_read_double(tn_thrift_reader *r, double *out);
/* Binary/string: *out borrows from the reader's input (not NUL-terminated). */
int tn_thrift_read_binary(tn_thrift_reader *r, tn_str *out);
/* A bool list element (1 or 2 on the wire; 0 is read as false for leniency). */
int tn_thrift_read_bool_element(tn_thrift_reader *r, bool *out);
/* Bool field value from its header type (TN_ECORRUPT for any other type). */
int tn_thrift_bool_from_type(uint8_t type, bool *out);
/* List or set header; enters a nesting level (leave with tn_thrift_list_end). The count is
 * checked against the bytes left. */
int tn_thrift_list_begin(tn_thrift_reader *r, uint8_t *elem_type, uint32_t *count);
void tn_thrift_list_end(tn_thrift_reader *r);
/* Skips one value of the given type (a field value, a list element ...), however nested,
 * within the depth limit. */
int tn_thrift_skip(tn_thrift_reader *r, uint8_t type);

/* ------------------------------------------------------------------------------------------
 * Writer
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_thrift_writer {
    tn_buf *out;  /* bytes are appended here */
    int depth;    /* open structs */
    int error;    /* sticky: 0 or the first failure (TN_ENOMEM, TN_ELIMIT for too deep) */
    int16_t last_field_id[TN_THRIFT_MAX_DEPTH + 1];
} tn_thrift_writer;

/* Appends to out (not cleared). */
void tn_thrift_writer_init(tn_thrift_writer *w, tn_buf *out);
/* 0, or the first error any write call hit. */
static inline int tn_thrift_writer_error(const tn_thrift_writer *w) { return w->error; }

/* Opens a struct (the top-level one, or a list element); pair with tn_thrift_struct_close. */
void tn_thrift_struct_open(tn_thrift_writer *w);
/* Writes the stop byte and closes the innermost struct. */
void tn_thrift_struct_close(tn_thrift_writer *w);
/* A field header; for bool fields use tn_thrift_write_field_bool instead. Field ids must
 * increase within a struct for the short form, but any order is valid. */
void tn_thrift_write_field(tn_thrift_writer *w, uint8_t type, int16_t field_id);
/* Convenience: header + value. */
void tn_thrift_write_field_bool(tn_thrift_writer *w, int16_t field_id, bool value);
void tn_thrift_write_field_i8(tn_thrift_writer *w, int16_t field_id, int8_t value);
void tn_thrift_write_field_i16(tn_thrift_writer *w, int16_t field_id, int16_t value);
void tn_thrift_write_field_i32(tn_thrift_writer *w, int16_t field_id, int32_t value);
void tn_thrift_write_field_i64(tn_thrift_writer *w, int16_t field_id, int64_t value);
void tn_thrift_write_field_double(tn_thrift_writer *w, int16_t field_id, double value);
void tn_thrift_write_field_binary(tn_thrift_writer *w, int16_t field_id, const void *data,
                                  size_t len);
/* A struct-valued field: header, then open it; close with tn_thrift_struct_close. */
void tn_thrift_write_field_struct_begin(tn_thrift_writer *w, int16_t field_id);
/* Bare values (list elements, or after tn_thrift_write_field). */
void tn_thrift_write_i8(tn_thrift_writer *w, int8_t value);
void tn_thrift_write_i16(tn_thrift_writer *w, int16_t value);
void tn_thrift_write_i32(tn_thrift_writer *w, int32_t value);
void tn_thrift_write_i64(tn_thrift_writer *w, int64_t value);
void tn_thrift_write_double(tn_thrift_writer *w, double value);
void tn_thrift_write_binary(tn_thrift_writer *w, const void *data, size_t len);
void tn_thrift_write_bool_element(tn_thrift_writer *w, bool value);
/* A list header (elements follow; lists need no end marker). */
void tn_thrift_write_list_begin(tn_thrift_writer *w, uint8_t elem_type, uint32_t count);

#endif /* TN_PARQUET_THRIFT_H */
