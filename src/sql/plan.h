/* SPDX-License-Identifier: Apache-2.0
 *
 * The bound plan: what the binder produces from the syntax tree, what the optimizer rules
 * rewrite, and what the executor runs. It is the contract between the SQL stages, so that
 * operators, functions and rules can be written in parallel against it.
 *
 * Two families, both allocated in the statement arena (freeing the arena frees the plan):
 *   tn_plan_expr  a bound scalar expression: constants, column references by index into the
 *                 input operator's output, calls resolved to function registry entries, casts,
 *                 CASE, AND/OR/NOT (three-valued), IS NULL, IN list, comparisons, subqueries.
 *   tn_plan_op    a logical operator: scan, filter, project, aggregate, join, cross product,
 *                 sort, limit, set operation, values, CTE reference.
 *
 * Invariants:
 * - Every expression has a resolved type (tn_type; TN_TYPE_INVALID only for an untyped NULL
 *   constant, which the binder casts away before execution except as a bare select item).
 * - A column reference indexes the output columns of the operator's input: for a join or a
 *   cross product the left child's columns come first, then the right child's.
 * - Every operator lists its output columns (name, type, nullable); expressions above it refer
 *   to them by position. Names are for the result schema and EXPLAIN only.
 * - `slot` numbers on expressions are dense per statement (0..tn_plan.slot_count-1): the
 *   evaluator keeps one scratch vector per slot and thread, so evaluation allocates nothing
 *   per batch once warmed up.
 */
#ifndef TN_SQL_PLAN_H
#define TN_SQL_PLAN_H

#include "core/core.h"
#include "sql/parser/ast.h"

typedef struct tn_plan_expr tn_plan_expr;
typedef struct tn_plan_op tn_plan_op;
typedef struct tn_func_entry tn_func_entry; /* sql/func/func.h */
struct tn_sql_table;                         /* an in-memory table of a session (sql_int.h) */
struct tn_lake_table;                        /* lake/lake.h */
struct tn_lake_predicate;                    /* lake/lake.h */
struct tn_exec_join_filter;                  /* sql_int.h */

/* A type id beyond core's, only for constants: an INTERVAL (months, days, microseconds). It
 * never reaches a vector: the binder folds `x + INTERVAL ...` into calls taking the parts. */
#define TN_PLAN_TYPE_INTERVAL 64

/* ------------------------------------------------------------------------------------------
 * Constants
 * ---------------------------------------------------------------------------------------- */

typedef struct tn_plan_interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} tn_plan_interval;

/* One constant value in its physical representation; the union member follows type.id:
 * BOOLEAN b; INTEGER/DATE i32; BIGINT/TIMESTAMP/TIMESTAMPTZ i64; REAL f32; DOUBLE f64;
 * DECIMAL i128 (unscaled); VARCHAR/BLOB str (arena-owned); TN_PLAN_TYPE_INTERVAL interval. */
typedef struct tn_plan_value {
    tn_type type;
    bool is_null;
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        tn_i128 i128;
        tn_str str;
        tn_plan_interval interval;
    };
} tn_plan_value;

/* ------------------------------------------------------------------------------------------
 * Bound expressions
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_plan_expr_kind {
    TN_PLAN_EXPR_CONST,     /* constant: value */
    TN_PLAN_EXPR_COLUMN,    /* column: index into the input's output columns */
    TN_PLAN_EXPR_CALL,      /* call: a scalar function from the registry (operators too) */
    TN_PLAN_EXPR_CAST,      /* cast: operand to `type`; try = NULL instead of an error */
    TN_PLAN_EXPR_CASE,      /* case_expr: WHEN cond THEN result ...; ELSE or NULL */
    TN_PLAN_EXPR_AND,       /* logical: operands, three-valued */
    TN_PLAN_EXPR_OR,        /* logical: operands, three-valued */
    TN_PLAN_EXPR_NOT,       /* unary: operand */
    TN_PLAN_EXPR_IS_NULL,   /* is_null: operand IS [NOT] NULL (never NULL itself) */
    TN_PLAN_EXPR_IS_BOOL,   /* is_bool: operand IS [NOT] TRUE/FALSE */
    TN_PLAN_EXPR_COMPARE,   /* compare: left op right, both of the same type */
    TN_PLAN_EXPR_IN_LIST,   /* in_list: operand [NOT] IN (items), items of operand's type */
    TN_PLAN_EXPR_COALESCE,  /* logical: first non-NULL operand (all of `type`) */
    TN_PLAN_EXPR_SUBQUERY,  /* subquery: scalar value of a query */
    TN_PLAN_EXPR_IN_QUERY,  /* subquery: operand [NOT] IN (query) */
    TN_PLAN_EXPR_EXISTS,    /* subquery: [NOT] EXISTS (query) */
    TN_PLAN_EXPR_OUTER,     /* outer: a value of an enclosing query (correlated subquery) */
} tn_plan_expr_kind;

/* One outer reference of a correlated subquery: `source` is evaluated over the rows of the
 * enclosing operator (where the subquery expression sits); inside the subquery's plan,
 * TN_PLAN_EXPR_OUTER expressions read the value the evaluator put in the param's slot (per
 * thread) before running the query. A subquery without params is uncorrelated and runs once;
 * with params it runs once per distinct tuple of param values (the binder turns the common
 * shapes into joins instead). */
typedef struct tn_plan_param {
    tn_plan_expr *source; /* over the enclosing operator's input columns */
    uint32_t slot;        /* evaluator slot holding the current value (one row) */
} tn_plan_param;

typedef enum tn_plan_cmp {
    TN_PLAN_CMP_EQ,
    TN_PLAN_CMP_NE,
    TN_PLAN_CMP_LT,
    TN_PLAN_CMP_LE,
    TN_PLAN_CMP_GT,
    TN_PLAN_CMP_GE,
    TN_PLAN_CMP_DISTINCT,     /* IS DISTINCT FROM: NULLs compare equal, never NULL */
    TN_PLAN_CMP_NOT_DISTINCT, /* IS NOT DISTINCT FROM */
} tn_plan_cmp;

struct tn_plan_expr {
    tn_plan_expr_kind kind;
    tn_type type;        /* result type */
    uint32_t slot;       /* scratch vector index, dense per statement */
    tn_sql_pos pos;      /* where the expression was written, for run-time errors */
    const char *name;    /* output name when used as a select item (may be NULL) */
    union {
        tn_plan_value value;
        uint32_t column;
        struct {
            const tn_func_entry *func;
            tn_plan_expr **args;
            uint32_t arg_count;
        } call;
        struct {
            tn_plan_expr *operand;
            bool try_cast;
        } cast;
        struct {
            tn_plan_expr **conditions; /* BOOLEAN */
            tn_plan_expr **results;    /* of `type` */
            uint32_t when_count;
            tn_plan_expr *else_result; /* of `type`, or NULL */
        } case_expr;
        struct {
            tn_plan_expr **operands;
            uint32_t count;
        } logical;
        struct {
            tn_plan_expr *operand;
        } unary;
        struct {
            tn_plan_expr *operand;
            bool negated; /* IS NOT NULL */
        } is_null;
        struct {
            tn_plan_expr *operand;
            bool value;   /* IS TRUE (true) / IS FALSE (false) */
            bool negated; /* IS NOT ... */
        } is_bool;
        struct {
            tn_plan_cmp op;
            tn_plan_expr *left;
            tn_plan_expr *right;
        } compare;
        struct {
            tn_plan_expr *operand;
            tn_plan_expr **items;
            uint32_t count;
            bool negated;
        } in_list;
        struct {
            tn_plan_op *query;     /* one output column for SUBQUERY and IN_QUERY */
            tn_plan_expr *operand; /* IN_QUERY only, of the query column's type */
            bool negated;          /* NOT IN / NOT EXISTS */
            int64_t *cache_state;  /* set by the executor; NULL before the first run */
            tn_plan_param **params; /* outer references (correlated), or NULL */
            uint32_t param_count;
        } subquery;
        struct {
            tn_plan_param *param; /* shared by every reference to the same outer value */
        } outer;
    };
};

/* ------------------------------------------------------------------------------------------
 * Logical operators
 * ---------------------------------------------------------------------------------------- */

typedef enum tn_plan_op_kind {
    TN_PLAN_SCAN,      /* scan */
    TN_PLAN_FILTER,    /* filter: child rows where condition is TRUE */
    TN_PLAN_PROJECT,   /* project: one expression per output column */
    TN_PLAN_AGGREGATE, /* aggregate: group keys then aggregates are the output columns */
    TN_PLAN_JOIN,      /* join: hash join on equality keys plus a residual condition */
    TN_PLAN_CROSS,     /* cross product of two children (nested loops) */
    TN_PLAN_SORT,      /* sort */
    TN_PLAN_LIMIT,     /* limit */
    TN_PLAN_SET_OP,    /* set_op: UNION/INTERSECT/EXCEPT [ALL] of two children */
    TN_PLAN_VALUES,    /* values: constant rows (also the one empty row of SELECT 1) */
    TN_PLAN_CTE_REF,   /* cte_ref: a reference to a WITH query (today the binder inlines CTEs,
                          binding the query at each reference; the kind is kept for sharing) */
    TN_PLAN_WINDOW,    /* window: the child's columns, then one per window function */
    TN_PLAN_SERIES,    /* series: range()/generate_series(): one BIGINT or TIMESTAMP column */
} tn_plan_op_kind;

typedef struct tn_plan_column {
    const char *name; /* arena-owned */
    tn_type type;
    bool nullable;
} tn_plan_column;

typedef enum tn_plan_source_kind {
    TN_PLAN_SOURCE_FILES,  /* files: paths (a glob expanded at bind time), read by formats */
    TN_PLAN_SOURCE_MEMORY, /* a session's in-memory table (no project) */
    TN_PLAN_SOURCE_LAKE,   /* a lake table through tn_lake_scan */
} tn_plan_source_kind;

/* What a scan did, for EXPLAIN and EXPLAIN ANALYZE; filled by the executor. */
typedef struct tn_plan_scan_stats {
    int64_t files;
    int64_t row_groups;
    int64_t row_groups_pruned;
    int64_t pages_pruned;
    int64_t rows_pruned;
    int64_t files_skipped;      /* lake: data files skipped on partition values and bounds;
                                   files: paths pruned on hive partition values (plan time) */
    int64_t manifests;          /* lake: data manifests of the snapshot */
    int64_t manifests_skipped;  /* lake: skipped on their partition summaries */
    int64_t rows_total;         /* rows in the Parquet files opened */
    int64_t join_filter_rows;   /* rows tested by runtime filters from join builds */
    int64_t join_filter_dropped; /* of those, rows no build key can match */
} tn_plan_scan_stats;

typedef enum tn_plan_join_type {
    TN_PLAN_JOIN_INNER,
    TN_PLAN_JOIN_LEFT,
    TN_PLAN_JOIN_RIGHT,
    TN_PLAN_JOIN_FULL,
    TN_PLAN_JOIN_SEMI, /* left rows with a match; output = left columns */
    TN_PLAN_JOIN_ANTI, /* left rows without a match; output = left columns */
} tn_plan_join_type;

typedef enum tn_plan_agg_kind {
    TN_PLAN_AGG_COUNT_STAR,
    TN_PLAN_AGG_COUNT,
    TN_PLAN_AGG_SUM,
    TN_PLAN_AGG_AVG,
    TN_PLAN_AGG_MIN,
    TN_PLAN_AGG_MAX,
} tn_plan_agg_kind;

/* One aggregate of an AGGREGATE operator; arg and filter are over the child's columns. */
typedef struct tn_plan_agg {
    tn_plan_agg_kind kind;
    tn_plan_expr *arg;    /* NULL for COUNT(*) */
    tn_plan_expr *filter; /* FILTER (WHERE ...) or NULL */
    bool distinct;        /* f(DISTINCT x) */
    tn_type type;         /* result type */
} tn_plan_agg;

typedef struct tn_plan_sort_key {
    tn_plan_expr *expr; /* over the child's columns */
    bool descending;
    bool nulls_first; /* resolved: PostgreSQL's default is NULLS LAST for ASC, FIRST for DESC */
} tn_plan_sort_key;

typedef enum tn_plan_window_kind {
    TN_PLAN_WIN_ROW_NUMBER,
    TN_PLAN_WIN_RANK,
    TN_PLAN_WIN_DENSE_RANK,
    TN_PLAN_WIN_PERCENT_RANK,
    TN_PLAN_WIN_CUME_DIST,
    TN_PLAN_WIN_NTILE,       /* param: the number of buckets */
    TN_PLAN_WIN_LAG,         /* param: the offset */
    TN_PLAN_WIN_LEAD,        /* param: the offset */
    TN_PLAN_WIN_FIRST_VALUE, /* frame functions from here on */
    TN_PLAN_WIN_LAST_VALUE,
    TN_PLAN_WIN_NTH_VALUE,   /* param: the position, from 1 */
    TN_PLAN_WIN_COUNT_STAR,
    TN_PLAN_WIN_COUNT,
    TN_PLAN_WIN_SUM,
    TN_PLAN_WIN_AVG,
    TN_PLAN_WIN_MIN,
    TN_PLAN_WIN_MAX,
} tn_plan_window_kind;

typedef enum tn_plan_frame_bound {
    TN_PLAN_FRAME_UNBOUNDED_PRECEDING,
    TN_PLAN_FRAME_PRECEDING, /* offset rows before */
    TN_PLAN_FRAME_CURRENT_ROW,
    TN_PLAN_FRAME_FOLLOWING, /* offset rows after */
    TN_PLAN_FRAME_UNBOUNDED_FOLLOWING,
} tn_plan_frame_bound;

typedef struct tn_plan_window_order {
    uint32_t column; /* a column of the WINDOW operator's child */
    bool descending;
    bool nulls_first; /* resolved as for tn_plan_sort_key */
} tn_plan_window_order;

/* One window function of a WINDOW operator. Everything it reads is a column of the child
 * (the binder computes arguments and keys in a projection below). */
typedef struct tn_plan_window_func {
    tn_plan_window_kind kind;
    int32_t arg;           /* the argument's column; -1 when none */
    int32_t default_value; /* LAG/LEAD: the default's column; -1 = NULL */
    int64_t param;         /* see tn_plan_window_kind */
    uint32_t *partition;   /* PARTITION BY columns */
    uint32_t partition_count;
    tn_plan_window_order *order; /* ORDER BY */
    uint32_t order_count;
    /* The frame of the frame functions. ROWS counts rows; otherwise (RANGE, GROUPS) a CURRENT
     * ROW bound takes in the row's peers (equal ORDER BY values; all rows without ORDER BY),
     * and GROUPS offsets count groups of peers. */
    bool frame_rows;
    bool frame_groups;
    tn_plan_frame_bound frame_start, frame_end;
    int64_t start_offset, end_offset; /* ROWS, GROUPS: the offsets in rows or peer groups */
    /* RANGE with an offset (one ORDER BY key): each PRECEDING/FOLLOWING bound's offset in the
     * key's terms: BIGINT (INTEGER and BIGINT keys), DECIMAL at the key's scale, DOUBLE (REAL
     * and DOUBLE keys) or TN_PLAN_TYPE_INTERVAL (DATE and TIMESTAMP keys) */
    tn_plan_value start_value, end_value;
    tn_type type;     /* result type */
    const char *text; /* the call as written, for EXPLAIN */
} tn_plan_window_func;

typedef enum tn_plan_set_kind {
    TN_PLAN_SET_UNION,
    TN_PLAN_SET_INTERSECT,
    TN_PLAN_SET_EXCEPT,
} tn_plan_set_kind;

struct tn_plan_op {
    tn_plan_op_kind kind;
    tn_plan_op *children[2]; /* unary operators use children[0] */
    uint32_t child_count;
    tn_plan_column *columns; /* output columns */
    uint32_t column_count;
    double estimated_rows; /* for join ordering; < 0 when unknown */
    union {
        struct {
            tn_plan_source_kind source;
            const char *label;        /* what EXPLAIN shows: the path, glob or table name */
            char **paths;             /* FILES: expanded paths */
            uint32_t path_count;
            const char *counted_path; /* FILES: the path (one of paths) whose rows the binder
                                         read from its Parquet footer, or NULL */
            int64_t counted_rows;     /* those rows (FileMetaData.num_rows) */
            const char *format;       /* FILES: "csv"/"json"/"parquet" or NULL = detect */
            void *read_options;       /* FILES: a tn_read_options (formats.h), arena-owned */
            struct tn_sql_table *memory;      /* MEMORY */
            struct tn_lake_table *lake_table; /* LAKE: owned by the session's cache */
            tn_plan_column *source_columns;   /* every column the source has */
            uint32_t source_column_count;
            uint32_t *projection;     /* source column per output column */
            tn_plan_expr **filters;   /* pushed conjuncts over the OUTPUT columns (ANDed); the
                                         scan applies them and prunes with the simple ones */
            uint32_t filter_count;
            tn_plan_scan_stats stats;
            const struct tn_lake_predicate *lake_predicates; /* LAKE: the pushed filters the
                                         lake prunes manifests, files, row groups and pages
                                         with (optimizer/lake_predicates.c) */
            uint32_t lake_predicate_count;
            struct tn_exec_join_filter *join_filters; /* set while executing: filters from
                                         the build sides of joins above (exec/join_filter.c) */
            uint32_t partition_key_count; /* FILES: hive partition keys ("key=value"
                                         folders of the paths), as source columns */
            uint32_t *partition_columns; /* FILES: the source column of each key */
            const char **partition_values; /* FILES: path-major, partition_key_count per path:
                                         the decoded value text, NULL for SQL NULL */
            bool *dictionary;         /* per output column, or NULL: the column may come out
                                         in dictionary form, because every use of it handles
                                         that form (optimizer/dictionary_columns.c) */
        } scan;
        struct {
            tn_plan_expr *condition;
        } filter;
        struct {
            tn_plan_expr **exprs; /* column_count of them */
        } project;
        struct {
            tn_plan_expr **groups;
            uint32_t group_count;
            tn_plan_agg *aggs;
            uint32_t agg_count;
            bool *dictionary_keys;    /* per group key, or NULL: a column that may arrive in
                                         dictionary form; its values are interned (exec) */
        } aggregate;
        struct {
            tn_plan_join_type type;
            tn_plan_expr **left_keys;  /* over the left child's columns */
            tn_plan_expr **right_keys; /* over the right child's columns, same types */
            uint32_t key_count;        /* 0: every pair is a candidate (a nested-loop join) */
            tn_plan_expr *residual;    /* over left ++ right, or NULL */
        } join;
        struct {
            tn_plan_sort_key *keys;
            uint32_t key_count;
        } sort;
        struct {
            int64_t limit;  /* -1 = none */
            int64_t offset; /* 0 = none */
        } limit;
        struct {
            tn_plan_set_kind op;
            bool all;
        } set_op;
        struct {
            tn_plan_expr ***rows; /* row_count rows of column_count constant expressions */
            uint32_t row_count;
        } values;
        struct {
            const char *name;
            tn_plan_op *query; /* the bound WITH query */
        } cte_ref;
        struct {
            tn_plan_window_func *funcs;
            uint32_t func_count;
        } window;
        struct {
            tn_plan_expr *start; /* of the column's type, without column references */
            tn_plan_expr *stop;
            int64_t step;               /* BIGINT series */
            tn_plan_interval step_time; /* TIMESTAMP series */
            bool inclusive;             /* generate_series: stop included; range: not */
        } series;
    };
    /* Filled by the executor for EXPLAIN ANALYZE. */
    int64_t actual_rows;
    int64_t actual_ns;
};

/* A bound statement's plan and the facts the executor needs about it. */
typedef struct tn_plan {
    tn_plan_op *root;
    uint32_t slot_count; /* expression scratch slots */
    int64_t now_us;      /* the statement's time (now(), current_date): set when planning,
                            0 until then; the executor uses it so folded and run-time values
                            agree */
} tn_plan;

/* Helpers over the plan (planner/plan_util.c). */

/* Allocates an expression of `kind` and `type` in the arena, giving it the next slot of
 * plan. Returns NULL when out of memory. */
tn_plan_expr *tn_plan_expr_new(tn_arena *arena, tn_plan *plan, tn_plan_expr_kind kind,
                               tn_type type);
/* Allocates an operator with room for column_count output columns. NULL when out of memory. */
tn_plan_op *tn_plan_op_new(tn_arena *arena, tn_plan_op_kind kind, uint32_t column_count);
/* Calls fn on every subquery expression (SUBQUERY, IN_QUERY, EXISTS) among op's own
 * expressions, not descending into children or into the subqueries' plans; stops at and
 * returns the first non-zero result. */
typedef int (*tn_plan_subquery_fn)(void *ctx, tn_plan_expr *subquery);
int tn_plan_for_each_subquery(tn_plan_op *op, tn_plan_subquery_fn fn, void *ctx);
/* Whether the expression reads no column (and no subquery): it can be folded. */
bool tn_plan_expr_is_constant(const tn_plan_expr *e);
/* Appends an indented text rendering of the plan (EXPLAIN). With `analyze` the rows and time
 * each operator produced are shown. Returns 0 or TN_ENOMEM. */
int tn_plan_format(const tn_plan_op *op, bool analyze, tn_buf *out);
/* Appends a SQL-like rendering of an expression, column references named from `input`
 * (may be NULL: then #index). Returns 0 or TN_ENOMEM. */
int tn_plan_expr_format(const tn_plan_expr *e, const tn_plan_op *input, tn_buf *out);

#endif /* TN_SQL_PLAN_H */
