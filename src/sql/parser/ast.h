/* SPDX-License-Identifier: Apache-2.0
 *
 * The SQL abstract syntax tree: what the parser (parser.h) produces and the binder consumes.
 *
 * Shape. Four node families, each a tagged union that starts with a tn_sql_node header:
 *   tn_sql_stmt       a statement (SELECT, CREATE TABLE, INSERT ...)
 *   tn_sql_query      a query: a SELECT block, a VALUES list or a set operation, each with
 *                     its own WITH, ORDER BY, LIMIT and OFFSET
 *   tn_sql_table_ref  an item of a FROM clause: a table name, a file, a table function, a
 *                     subquery or a join
 *   tn_sql_expr       a scalar expression
 * Switch on the family's `kind`, then read the union member named in the kind's comment.
 * tn_sql_ast_format() takes any family through its header (`&stmt->node`).
 *
 * Invariants the later stages may rely on:
 * - Everything (nodes, lists, names, string values) lives in the arena given to the parser,
 *   or is constant text with static lifetime (names the parser makes up, such as date_part);
 *   freeing that arena frees the tree. Nothing points into the caller's SQL text.
 * - Lists are arena arrays with a count; an empty list has count 0 (items may be NULL).
 *   Optional children are NULL when absent.
 * - Unquoted identifiers are folded to lower case (ASCII only); quoted ones keep their bytes
 *   with "" turned into ". Names are NUL-terminated and never contain a NUL byte.
 * - Every node carries the position of the token it starts at (for operators: the operator
 *   token), so errors found later can point at the right place.
 * - node.height is 1 + the greatest height among the node's children (a subquery counts as a
 *   child of the expression that holds it). The parser rejects trees higher than
 *   TN_SQL_MAX_DEPTH, so a recursive walk over the tree needs bounded stack.
 * - Syntax sugar is normalised where the meaning is a plain function call, so later stages
 *   know fewer forms: EXTRACT(f FROM x) is date_part('f', x); SUBSTRING(x FROM a FOR b) is
 *   substring(x, a, b) (FOR alone gives substring(x, 1, b)); POSITION(a IN b) is
 *   position(a, b); TRIM([LEADING|TRAILING|BOTH] [c] FROM x) is ltrim/rtrim/trim(x[, c]).
 *   Casts keep the syntax they were written in (for printing), see tn_sql_cast_form.
 * - A minus sign directly before a numeric literal is folded into the literal, so
 *   -9223372036854775808 is one BIGINT-sized INTEGER literal.
 */
#ifndef TN_SQL_AST_H
#define TN_SQL_AST_H

#include "core/core.h"

/* Tree height limit (see node.height); deeper input is an error (TN_ELIMIT). The parser's
 * own recursion has a budget derived from it, so nesting is also limited for parentheses
 * that add no tree level. */
#define TN_SQL_MAX_DEPTH 1000

typedef struct tn_sql_expr tn_sql_expr;
typedef struct tn_sql_query tn_sql_query;
typedef struct tn_sql_table_ref tn_sql_table_ref;
typedef struct tn_sql_stmt tn_sql_stmt;

/* ------------------------------------------------------------------------------------------
 * Common parts
 * ---------------------------------------------------------------------------------------- */

/* A place in the SQL text given to the parser. */
typedef struct tn_sql_pos {
    uint32_t offset; /* byte offset from the start of the text */
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based, in characters (UTF-8 code points) from the line start */
} tn_sql_pos;

typedef enum tn_sql_node_type {
    TN_SQL_NODE_EXPR,
    TN_SQL_NODE_TABLE_REF,
    TN_SQL_NODE_QUERY,
    TN_SQL_NODE_STMT,
} tn_sql_node_type;

/* The header every node starts with. */
typedef struct tn_sql_node {
    tn_sql_node_type type; /* which family the node belongs to */
    uint32_t height;       /* 1 for a leaf; see the invariants above */
    tn_sql_pos pos;        /* where the node starts (operators: the operator) */
} tn_sql_node;

/* One name as written, folded per the identifier rules. */
typedef struct tn_sql_ident {
    const char *name; /* NUL-terminated; NULL in an optional ident that is absent */
    tn_sql_pos pos;
} tn_sql_ident;

typedef struct tn_sql_ident_list {
    tn_sql_ident *items;
    uint32_t count;
} tn_sql_ident_list;

/* A dotted name: table (t, s.t, c.s.t), column (a, t.a, s.t.a) or function (f, s.f). */
typedef struct tn_sql_name {
    tn_sql_ident *parts; /* parts[count - 1] is the object itself */
    uint32_t count;      /* at least 1, except in an absent optional name (0) */
} tn_sql_name;

typedef struct tn_sql_expr_list {
    tn_sql_expr **items;
    uint32_t count;
} tn_sql_expr_list;

typedef enum tn_sql_sort_dir {
    TN_SQL_SORT_DEFAULT = 0, /* not written: ascending */
    TN_SQL_SORT_ASC,
    TN_SQL_SORT_DESC,
} tn_sql_sort_dir;

typedef enum tn_sql_nulls_order {
    TN_SQL_NULLS_DEFAULT = 0, /* not written: the dialect's default applies */
    TN_SQL_NULLS_FIRST,
    TN_SQL_NULLS_LAST,
} tn_sql_nulls_order;

/* One ORDER BY item. An integer literal is an output column ordinal; the binder decides. */
typedef struct tn_sql_order_item {
    tn_sql_expr *expr;
    tn_sql_sort_dir dir;
    tn_sql_nulls_order nulls;
} tn_sql_order_item;

typedef struct tn_sql_order_list {
    tn_sql_order_item *items;
    uint32_t count;
} tn_sql_order_list;

/* A type name as written in CAST, ::, a typed literal or a column definition. */
typedef struct tn_sql_type_name {
    const char *text;   /* the words as written, joined by one space, with the arguments:
                           "DECIMAL(10,2)", "double precision", "VARCHAR(20)", "INTEGER[]" */
    tn_type type;       /* from tn_type_parse(text); id TN_TYPE_INVALID when core has no such
                           type (SMALLINT, INTERVAL, UUID ...): the binder reports or maps it */
    int64_t args[2];    /* the numbers in parentheses: (p, s) or (n) */
    uint32_t arg_count; /* 0..2 */
    bool array;         /* written with a [] suffix */
    tn_sql_pos pos;
} tn_sql_type_name;

/* ------------------------------------------------------------------------------------------
 * Expressions
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_expr_kind {
    TN_SQL_EXPR_LITERAL,    /* literal: NULL, TRUE/FALSE, numbers, strings */
    TN_SQL_EXPR_COLUMN,     /* column: a, t.a, s.t.a (name.count 1..4) */
    TN_SQL_EXPR_STAR,       /* star: * (qualifier.count 0) or t.* ; select list, count(*)
                               arguments use call.star instead */
    TN_SQL_EXPR_PARAM,      /* param: $n or ? */
    TN_SQL_EXPR_UNARY,      /* unary: NOT x, -x, +x */
    TN_SQL_EXPR_BINARY,     /* binary: arithmetic, comparison, ||, IS [NOT] DISTINCT FROM */
    TN_SQL_EXPR_AND,        /* logical: a AND b AND ... (2 or more operands, flattened) */
    TN_SQL_EXPR_OR,         /* logical: a OR b OR ... (2 or more operands, flattened) */
    TN_SQL_EXPR_IS,         /* is: x IS [NOT] NULL / TRUE / FALSE / UNKNOWN */
    TN_SQL_EXPR_BETWEEN,    /* between: x [NOT] BETWEEN low AND high */
    TN_SQL_EXPR_IN_LIST,    /* in_list: x [NOT] IN (a, b, ...) */
    TN_SQL_EXPR_IN_QUERY,   /* in_query: x [NOT] IN (SELECT ...) */
    TN_SQL_EXPR_LIKE,       /* like: x [NOT] LIKE|ILIKE pattern [ESCAPE e] */
    TN_SQL_EXPR_CAST,       /* cast: CAST(x AS t), TRY_CAST(x AS t), x::t, DATE '...' */
    TN_SQL_EXPR_CASE,       /* case_expr: CASE [operand] WHEN ... THEN ... [ELSE ...] END */
    TN_SQL_EXPR_FUNCTION,   /* call: f(args), aggregates, window functions */
    TN_SQL_EXPR_SUBQUERY,   /* subquery: (SELECT ...) used as a value */
    TN_SQL_EXPR_EXISTS,     /* subquery: EXISTS (SELECT ...) */
    TN_SQL_EXPR_QUANTIFIED, /* quantified: x op ANY|SOME|ALL (SELECT ...) */
    TN_SQL_EXPR_INTERVAL,   /* interval: INTERVAL '1 day', INTERVAL 3 DAY, INTERVAL (x) HOUR */
} tn_sql_expr_kind;

typedef enum tn_sql_literal_kind {
    TN_SQL_LIT_NULL,
    TN_SQL_LIT_BOOL,    /* boolean */
    TN_SQL_LIT_INTEGER, /* integer: fits int64 */
    TN_SQL_LIT_DECIMAL, /* decimal/precision/scale: a plain decimal (1.50), or an integer too
                           big for int64, up to 38 digits */
    TN_SQL_LIT_DOUBLE,  /* number: written with an exponent (1e5), or more than 38 digits */
    TN_SQL_LIT_STRING,  /* text: the value, escapes resolved; may hold any byte */
} tn_sql_literal_kind;

typedef struct tn_sql_literal {
    tn_sql_literal_kind kind;
    bool boolean;      /* BOOL */
    uint8_t precision; /* DECIMAL: digits in all (at least 1) */
    uint8_t scale;     /* DECIMAL: digits after the point, as written */
    int64_t integer;   /* INTEGER */
    tn_i128 decimal;   /* DECIMAL: unscaled value (1.50 is 150 with scale 2) */
    double number;     /* DOUBLE (also set for INTEGER and DECIMAL, for convenience) */
    tn_str text;       /* STRING: the value. Numbers: the literal as written, with a
                          leading '-' when a minus sign was folded in */
} tn_sql_literal;

typedef enum tn_sql_unary_op {
    TN_SQL_OP_NOT,
    TN_SQL_OP_NEGATE,
    TN_SQL_OP_PLUS,
} tn_sql_unary_op;

/* Binary operators; the text is how the printer writes them. */
#define TN_SQL_BINARY_OPS(X)                                                                       \
    X(ADD, "+")                                                                                    \
    X(SUB, "-")                                                                                    \
    X(MUL, "*")                                                                                    \
    X(DIV, "/")                                                                                    \
    X(INTDIV, "//")                                                                                \
    X(MOD, "%")                                                                                    \
    X(POW, "^")                                                                                    \
    X(CONCAT, "||")                                                                                \
    X(EQ, "=")                                                                                     \
    X(NE, "<>")                                                                                    \
    X(LT, "<")                                                                                     \
    X(LE, "<=")                                                                                    \
    X(GT, ">")                                                                                     \
    X(GE, ">=")                                                                                    \
    X(IS_DISTINCT_FROM, "IS DISTINCT FROM")                                                        \
    X(IS_NOT_DISTINCT_FROM, "IS NOT DISTINCT FROM")

typedef enum tn_sql_binary_op {
#define TN__SQL_BINARY_ENUM(name, text) TN_SQL_OP_##name,
    TN_SQL_BINARY_OPS(TN__SQL_BINARY_ENUM)
#undef TN__SQL_BINARY_ENUM
        TN_SQL_OP_BINARY_COUNT
} tn_sql_binary_op;

typedef enum tn_sql_is_test {
    TN_SQL_IS_NULL,
    TN_SQL_IS_TRUE,
    TN_SQL_IS_FALSE,
    TN_SQL_IS_UNKNOWN,
} tn_sql_is_test;

/* How a cast was written. All mean the same conversion except TRY, which yields NULL for
 * a value that does not convert; the printer writes each back the way it came. */
typedef enum tn_sql_cast_form {
    TN_SQL_CAST_FUNCTION, /* CAST(x AS t) */
    TN_SQL_CAST_TRY,      /* TRY_CAST(x AS t) */
    TN_SQL_CAST_OPERATOR, /* x::t */
    TN_SQL_CAST_LITERAL,  /* t 'text' (DATE '2024-01-01'); operand is a string literal */
} tn_sql_cast_form;

typedef struct tn_sql_when {
    tn_sql_expr *condition; /* or the value compared with the CASE operand */
    tn_sql_expr *result;
} tn_sql_when;

/* Window frames (parsed, not yet executed). */
typedef enum tn_sql_frame_mode {
    TN_SQL_FRAME_DEFAULT = 0, /* no frame clause */
    TN_SQL_FRAME_ROWS,
    TN_SQL_FRAME_RANGE,
    TN_SQL_FRAME_GROUPS,
} tn_sql_frame_mode;

typedef enum tn_sql_bound_kind {
    TN_SQL_BOUND_UNBOUNDED_PRECEDING,
    TN_SQL_BOUND_PRECEDING, /* offset PRECEDING */
    TN_SQL_BOUND_CURRENT_ROW,
    TN_SQL_BOUND_FOLLOWING, /* offset FOLLOWING */
    TN_SQL_BOUND_UNBOUNDED_FOLLOWING,
} tn_sql_bound_kind;

typedef struct tn_sql_frame_bound {
    tn_sql_bound_kind kind;
    tn_sql_expr *offset; /* PRECEDING/FOLLOWING only */
} tn_sql_frame_bound;

/* OVER (...) or OVER name, or a WINDOW clause's name AS (...). */
typedef struct tn_sql_window {
    const char *name;     /* WINDOW name AS (...): the window defined; NULL in OVER */
    const char *ref_name; /* OVER w, or the w in OVER (w ORDER BY ...); else NULL */
    bool bare_ref;        /* OVER w, without parentheses: w as it is, frame included */
    tn_sql_expr_list partition_by;
    tn_sql_order_list order_by;
    tn_sql_frame_mode frame_mode;
    bool frame_between; /* BETWEEN start AND end; else only start was written */
    tn_sql_frame_bound frame_start;
    tn_sql_frame_bound frame_end; /* frame_between only */
    tn_sql_pos pos;
} tn_sql_window;

/* A function call: scalar, aggregate, window or (in FROM) table function. */
typedef struct tn_sql_call {
    tn_sql_name name;
    tn_sql_expr_list args;
    const char **arg_names;     /* NULL when every argument is positional; otherwise
                                   arg_names[i] is the name of args[i] (name => value, and in
                                   FROM also name = value), NULL for a positional one */
    bool distinct;              /* f(DISTINCT ...) */
    bool star;                  /* count(*): args is empty */
    bool no_parens;             /* CURRENT_DATE, CURRENT_TIMESTAMP ... written bare */
    tn_sql_order_list order_by; /* f(x ORDER BY y) inside the parentheses */
    tn_sql_expr *filter;        /* FILTER (WHERE ...) or NULL */
    tn_sql_window *over;        /* OVER ... or NULL */
} tn_sql_call;

/* INTERVAL units, as data: X(ENUM, "name"). The parser also accepts the plural. */
#define TN_SQL_INTERVAL_UNITS(X)                                                                   \
    X(YEAR, "year")                                                                                \
    X(QUARTER, "quarter")                                                                          \
    X(MONTH, "month")                                                                              \
    X(WEEK, "week")                                                                                \
    X(DAY, "day")                                                                                  \
    X(HOUR, "hour")                                                                                \
    X(MINUTE, "minute")                                                                            \
    X(SECOND, "second")                                                                            \
    X(MILLISECOND, "millisecond")                                                                  \
    X(MICROSECOND, "microsecond")

typedef enum tn_sql_interval_unit {
    TN_SQL_UNIT_NONE = 0, /* INTERVAL '1 day': the unit is inside the string */
#define TN__SQL_UNIT_ENUM(name, text) TN_SQL_UNIT_##name,
    TN_SQL_INTERVAL_UNITS(TN__SQL_UNIT_ENUM)
#undef TN__SQL_UNIT_ENUM
        TN_SQL_UNIT_COUNT
} tn_sql_interval_unit;

struct tn_sql_expr {
    tn_sql_node node;
    tn_sql_expr_kind kind;
    union {
        tn_sql_literal literal;
        tn_sql_name column;
        struct {
            tn_sql_name qualifier; /* count 0 for a bare * */
        } star;
        struct {
            uint32_t index;     /* 1-based: $n gives n; each ? takes the next number */
            bool question_mark; /* written as ? */
        } param;
        struct {
            tn_sql_unary_op op;
            tn_sql_expr *operand;
        } unary;
        struct {
            tn_sql_binary_op op;
            tn_sql_expr *left;
            tn_sql_expr *right;
        } binary;
        struct {
            tn_sql_expr_list operands;
        } logical;
        struct {
            tn_sql_expr *operand;
            tn_sql_is_test test;
            bool negated; /* IS NOT */
        } is;
        struct {
            tn_sql_expr *operand;
            tn_sql_expr *low;
            tn_sql_expr *high;
            bool negated;
        } between;
        struct {
            tn_sql_expr *operand;
            tn_sql_expr_list list; /* may be empty: x IN () is false */
            bool negated;
        } in_list;
        struct {
            tn_sql_expr *operand;
            tn_sql_query *query;
            bool negated;
        } in_query;
        struct {
            tn_sql_expr *operand;
            tn_sql_expr *pattern;
            tn_sql_expr *escape; /* NULL when no ESCAPE */
            bool negated;
            bool case_insensitive; /* ILIKE */
        } like;
        struct {
            tn_sql_expr *operand;
            tn_sql_type_name type;
            tn_sql_cast_form form;
        } cast;
        struct {
            tn_sql_expr *operand; /* CASE x WHEN ...; NULL for CASE WHEN cond ... */
            tn_sql_when *whens;
            uint32_t when_count;      /* at least 1 */
            tn_sql_expr *else_result; /* NULL when no ELSE */
        } case_expr;
        tn_sql_call call;
        struct {
            tn_sql_query *query;
        } subquery;
        struct {
            tn_sql_expr *operand;
            tn_sql_binary_op op; /* a comparison */
            bool all;            /* ALL; else ANY/SOME */
            tn_sql_query *query;
        } quantified;
        struct {
            tn_sql_expr *value; /* a string or number literal, or any expression */
            tn_sql_interval_unit unit;
        } interval;
    };
};

/* ------------------------------------------------------------------------------------------
 * FROM items
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_table_ref_kind {
    TN_SQL_TABLE_NAME,     /* name: a table or view (or a CTE name) */
    TN_SQL_TABLE_FILE,     /* path: FROM 'dumps/day-1.csv', a file or a glob */
    TN_SQL_TABLE_FUNCTION, /* function: read_csv('x.csv', delim => ';') */
    TN_SQL_TABLE_SUBQUERY, /* subquery: (SELECT ...) or (VALUES ...) */
    TN_SQL_TABLE_JOIN,     /* join */
} tn_sql_table_ref_kind;

typedef enum tn_sql_join_type {
    TN_SQL_JOIN_INNER,
    TN_SQL_JOIN_LEFT,
    TN_SQL_JOIN_RIGHT,
    TN_SQL_JOIN_FULL,
    TN_SQL_JOIN_CROSS,
} tn_sql_join_type;

/* AS name (columns...). */
typedef struct tn_sql_alias {
    tn_sql_ident name;         /* name.name NULL when there is no alias */
    tn_sql_ident_list columns; /* t(a, b); count 0 when none */
} tn_sql_alias;

struct tn_sql_table_ref {
    tn_sql_node node;
    tn_sql_table_ref_kind kind;
    tn_sql_alias alias;
    union {
        tn_sql_name name;
        tn_str path;
        tn_sql_expr *function; /* a TN_SQL_EXPR_FUNCTION */
        tn_sql_query *subquery;
        struct {
            tn_sql_join_type type;
            bool natural; /* NATURAL JOIN: no ON, no USING */
            tn_sql_table_ref *left;
            tn_sql_table_ref *right;
            tn_sql_expr *on;         /* ON condition, or NULL */
            tn_sql_ident_list using; /* USING (a, b); count 0 when none */
        } join;
    };
};

/* ------------------------------------------------------------------------------------------
 * Queries
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_query_kind {
    TN_SQL_QUERY_SELECT, /* select */
    TN_SQL_QUERY_VALUES, /* values */
    TN_SQL_QUERY_SET_OP, /* set_op */
} tn_sql_query_kind;

typedef enum tn_sql_set_op {
    TN_SQL_SET_UNION,
    TN_SQL_SET_INTERSECT,
    TN_SQL_SET_EXCEPT,
} tn_sql_set_op;

/* One common table expression: name (columns) AS (query). */
typedef struct tn_sql_cte {
    tn_sql_ident name;
    tn_sql_ident_list columns;
    tn_sql_query *query;
} tn_sql_cte;

typedef struct tn_sql_with {
    bool recursive; /* WITH RECURSIVE was written */
    tn_sql_cte *ctes;
    uint32_t count; /* at least 1 */
} tn_sql_with;

/* One output column: expr [AS alias]; `*` and `t.*` are STAR expressions. */
typedef struct tn_sql_select_item {
    tn_sql_expr *expr;
    tn_sql_ident alias; /* alias.name NULL when none */
} tn_sql_select_item;

typedef struct tn_sql_select {
    bool distinct;
    tn_sql_expr_list distinct_on; /* DISTINCT ON (a, b): one row per value; distinct is set */
    tn_sql_select_item *items;
    uint32_t item_count;     /* at least 1 */
    tn_sql_table_ref **from; /* comma-separated items, implicitly cross-joined */
    uint32_t from_count;     /* 0 for SELECT without FROM */
    tn_sql_expr *where;
    tn_sql_expr_list group_by; /* expressions or output ordinals (integer literals) */
    bool group_by_all;         /* GROUP BY ALL (group_by is empty) */
    tn_sql_expr *having;
    tn_sql_window **windows; /* WINDOW name AS (...), ...: the names OVER may refer to */
    uint32_t window_count;
    tn_sql_expr *qualify;
} tn_sql_select;

struct tn_sql_query {
    tn_sql_node node;
    tn_sql_query_kind kind;
    tn_sql_with *with; /* NULL when none */
    union {
        tn_sql_select select;
        struct {
            tn_sql_expr_list *rows; /* each row an expression list */
            uint32_t row_count;     /* at least 1 */
        } values;
        struct {
            tn_sql_set_op op;
            bool all; /* UNION ALL ...; else DISTINCT semantics */
            tn_sql_query *left;
            tn_sql_query *right;
        } set_op;
    };
    tn_sql_order_list order_by; /* applies to this whole query (a set operation included) */
    tn_sql_expr *limit;         /* LIMIT n or FETCH FIRST n ROWS ONLY; NULL when none */
    tn_sql_expr *offset;        /* NULL when none */
};

/* ------------------------------------------------------------------------------------------
 * Statements
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_sql_stmt_kind {
    TN_SQL_STMT_QUERY,        /* query: SELECT, VALUES, WITH ... */
    TN_SQL_STMT_CREATE_TABLE, /* create_table: with columns, or AS query */
    TN_SQL_STMT_CREATE_VIEW,  /* create_view */
    TN_SQL_STMT_CREATE_INDEX, /* create_index: accepted so scripts run; the engine may ignore it */
    TN_SQL_STMT_INSERT,       /* insert */
    TN_SQL_STMT_DROP,         /* drop: DROP TABLE|VIEW|INDEX */
    TN_SQL_STMT_TRUNCATE,     /* truncate */
    TN_SQL_STMT_EXPLAIN,      /* explain */
    TN_SQL_STMT_SET,          /* set */
    TN_SQL_STMT_SHOW_TABLES,  /* (no member) */
    TN_SQL_STMT_SHOW,         /* show: SHOW name, a setting */
    TN_SQL_STMT_DESCRIBE,     /* describe: DESCRIBE name | query | 'file' */
    TN_SQL_STMT_COPY,         /* copy: COPY ... TO | FROM 'file' (options) */
    TN_SQL_STMT_KIND_COUNT
} tn_sql_stmt_kind;

typedef enum tn_sql_object_kind {
    TN_SQL_OBJECT_TABLE,
    TN_SQL_OBJECT_VIEW,
    TN_SQL_OBJECT_INDEX,
} tn_sql_object_kind;

/* One column of CREATE TABLE. */
typedef struct tn_sql_column_def {
    tn_sql_ident name;
    tn_sql_type_name type;
    bool not_null;              /* NOT NULL (PRIMARY KEY implies it; the binder decides) */
    bool primary_key;           /* PRIMARY KEY on the column */
    bool unique;                /* UNIQUE on the column */
    tn_sql_expr *default_value; /* DEFAULT expr, or NULL */
} tn_sql_column_def;

struct tn_sql_stmt {
    tn_sql_node node;
    tn_sql_stmt_kind kind;
    tn_str text; /* this statement's SQL text, without the ';' (a copy in the arena) */
    union {
        tn_sql_query *query;
        struct {
            tn_sql_name name;
            bool or_replace;
            bool if_not_exists;
            bool temporary;
            tn_sql_column_def *columns; /* count 0 for CREATE TABLE ... AS */
            uint32_t column_count;
            tn_sql_ident_list primary_key; /* table constraint PRIMARY KEY (a, b) */
            tn_sql_expr_list partition_by; /* PARTITIONED BY (col, day(ts), bucket(16, id)) */
            tn_sql_query *as_query;        /* CREATE TABLE ... AS query, else NULL */
        } create_table;
        struct {
            tn_sql_name name;
            bool or_replace;
            bool if_not_exists;
            bool temporary;
            tn_sql_ident_list columns; /* CREATE VIEW v (a, b); count 0 when none */
            tn_sql_query *query;
            tn_str query_text; /* the query's SQL text, for storing the view */
        } create_view;
        struct {
            tn_sql_ident name; /* name.name NULL when unnamed */
            tn_sql_name table;
            bool unique;
            bool if_not_exists;
            tn_sql_order_list columns; /* indexed expressions with their order */
        } create_index;
        struct {
            tn_sql_name table;
            tn_sql_ident_list columns; /* count 0: all columns in table order */
            tn_sql_query *query;       /* SELECT ... or VALUES ... */
        } insert;
        struct {
            tn_sql_object_kind object;
            tn_sql_name name;
            bool if_exists;
        } drop;
        struct {
            tn_sql_name table;
        } truncate;
        struct {
            bool analyze;
            tn_sql_stmt *stmt;
        } explain;
        struct {
            tn_sql_name name;
            tn_sql_expr *value; /* NULL for SET name TO DEFAULT; a bare word is a COLUMN */
        } set;
        struct {
            tn_sql_name name;
        } show;
        struct {
            tn_sql_name table;   /* DESCRIBE name (when query and path are NULL) */
            tn_sql_query *query; /* DESCRIBE query: the columns of its result */
            const char *path;    /* DESCRIBE 'file': the columns of a file, as FROM 'file' */
            tn_sql_pos path_pos;
        } describe;
        struct {
            tn_sql_name table;         /* COPY name [(cols)] ...; count 0 for COPY (query) */
            tn_sql_ident_list columns; /* FROM: the columns the file fills */
            tn_sql_query *query;       /* COPY (query) TO */
            bool from;                 /* FROM a file into the table, else TO a file */
            const char *path;
            tn_sql_pos path_pos;
            const char **option_names;  /* lower case */
            tn_sql_expr **option_values; /* NULL for a bare option (HEADER) */
            uint32_t option_count;
            tn_sql_ident_list partition_by; /* TO: PARTITION_BY (cols), hive folders */
        } copy;
    };
};

/* ------------------------------------------------------------------------------------------
 * Functions over the tree (ast.c)
 * ---------------------------------------------------------------------------------------- */

/* Appends SQL text for the node (any family, through its header) to out: fully
 * parenthesised expressions, keywords in upper case, names quoted only where needed. Parsing
 * the output gives a tree that prints the same text again. Returns 0 or TN_ENOMEM. */
int tn_sql_ast_format(const tn_sql_node *node, tn_buf *out);

/* The command name of a statement kind ("SELECT", "CREATE TABLE", "DROP" ...), as the
 * shell and the PostgreSQL protocol's command tags show it. */
const char *tn_sql_stmt_kind_name(tn_sql_stmt_kind kind);

/* Text of a binary operator ("+", "IS DISTINCT FROM"); "?" for an unknown value. */
const char *tn_sql_binary_op_name(tn_sql_binary_op op);

/* Lower-case name of an interval unit ("day"); "" for TN_SQL_UNIT_NONE. */
const char *tn_sql_interval_unit_name(tn_sql_interval_unit unit);

#endif /* TN_SQL_AST_H */
