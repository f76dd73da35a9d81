// SPDX-License-Identifier: Apache-2.0
/*
 * gen_tpch: a deterministic generator of the eight TPC-H tables, for tarn's SQL benchmark.
 *
 * It writes region, nation, supplier, customer, part, partsupp, orders and lineitem as CSV
 * (header line, ',' delimiter, RFC 4180 quoting) with the cardinalities, key rules, value ranges
 * and word lists of the TPC-H specification (revision 3, clause 4.2.3), so that the benchmark's
 * queries (Q1, Q3, Q5, Q6, Q9, Q18) select the fractions of rows they select on dbgen's data.
 * It is not dbgen: the random streams differ, so the rows (and the query answers) differ from
 * the official ones; the distributions are the same. Known simplifications: comments are random
 * substrings of a text pool built from the specification's word lists but with a simpler
 * grammar, and the supplier comments that Q16 looks for ("Customer ... Complaints") are not
 * planted.
 *
 * The same arguments give the same bytes on every machine: our own xoshiro256** generator
 * (the same as gen_sales'), integer arithmetic only (money in cents, dates as day numbers), no
 * locale, no printf of floating point. Each table draws from its own stream, so one table
 * written alone is byte-identical to the same table written with all the others. orders and
 * lineitem come from one stream because each order's total price and status follow from its
 * lines.
 *
 * This program uses only libc; it does not link tarn, so it can judge tarn from the outside.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SEED   UINT64_C(0x74617270632d6821) /* fixed so that files agree across runs */
#define OUT_CAPACITY   (4u << 20)                   /* bytes buffered before a write(2) */
#define ROW_MAX        1024u                        /* upper bound on one formatted row */
#define TEXT_POOL_SIZE (1u << 20) /* comments are substrings of this much generated text */
#define SF_MAX_MILLI   300000u /* scale factor 300 keeps o_orderkey (4 * 1.5M * SF) in an INTEGER */

/* ---------------------------------------------------------------------------------------------
 * Random numbers: xoshiro256** seeded from splitmix64 (see gen_sales.c for the reasoning).
 */
typedef struct {
    uint64_t s[4]; /* generator state; never all zero once seeded */
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [lo, hi] (inclusive, as the specification writes its ranges), hi - lo < 2^32. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(((rng_next(r) >> 32) * span) >> 32);
}

#define COUNT_OF(a)   (sizeof(a) / sizeof((a)[0]))
#define PICK(r, list) ((list)[rng_range((r), 0, (int64_t)COUNT_OF(list) - 1)])

/* ---------------------------------------------------------------------------------------------
 * The specification's fixed lists (clause 4.2.2.13 and 4.2.3).
 */
static const char *const region_names[] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};
static const struct {
    const char *name; /* n_name */
    uint32_t region;  /* n_regionkey */
} nations[] = {
    {"ALGERIA", 0},       {"ARGENTINA", 1}, {"BRAZIL", 1}, {"CANADA", 1},
    {"EGYPT", 4},         {"ETHIOPIA", 0},  {"FRANCE", 3}, {"GERMANY", 3},
    {"INDIA", 2},         {"INDONESIA", 2}, {"IRAN", 4},   {"IRAQ", 4},
    {"JAPAN", 2},         {"JORDAN", 4},    {"KENYA", 0},  {"MOROCCO", 0},
    {"MOZAMBIQUE", 0},    {"PERU", 1},      {"CHINA", 2},  {"ROMANIA", 3},
    {"SAUDI ARABIA", 4},  {"VIETNAM", 2},   {"RUSSIA", 3}, {"UNITED KINGDOM", 3},
    {"UNITED STATES", 1},
};
/* p_name is five distinct words of these 92 (Q9 looks for '%green%'). */
static const char *const colors[] = {
    "almond",   "antique",   "aquamarine", "azure",      "beige",     "bisque",    "black",
    "blanched", "blue",      "blush",      "brown",      "burlywood", "burnished", "chartreuse",
    "chiffon",  "chocolate", "coral",      "cornflower", "cornsilk",  "cream",     "cyan",
    "dark",     "deep",      "dim",        "dodger",     "drab",      "firebrick", "floral",
    "forest",   "frosted",   "gainsboro",  "ghost",      "goldenrod", "green",     "grey",
    "honeydew", "hot",       "indian",     "ivory",      "khaki",     "lace",      "lavender",
    "lawn",     "lemon",     "light",      "lime",       "linen",     "magenta",   "maroon",
    "medium",   "metallic",  "midnight",   "mint",       "misty",     "moccasin",  "navajo",
    "navy",     "olive",     "orange",     "orchid",     "pale",      "papaya",    "peach",
    "peru",     "pink",      "plum",       "powder",     "puff",      "purple",    "red",
    "rose",     "rosy",      "royal",      "saddle",     "salmon",    "sandy",     "seashell",
    "sienna",   "sky",       "slate",      "smoke",      "snow",      "spring",    "steel",
    "tan",      "thistle",   "tomato",     "turquoise",  "violet",    "wheat",     "white",
    "yellow",
};
static const char *const type_size[] = {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
static const char *const type_finish[] = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
static const char *const type_metal[] = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
static const char *const container_size[] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
static const char *const container_kind[] = {"CASE", "BOX",  "BAG", "JAR",
                                             "PKG",  "PACK", "CAN", "DRUM"};
static const char *const segments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                       "HOUSEHOLD"};
static const char *const priorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                         "5-LOW"};
static const char *const instructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                           "TAKE BACK RETURN"};
static const char *const ship_modes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

/* The comment grammar's vocabulary (clause 4.2.2.10), without commas so no comment is quoted. */
static const char *const nouns[] = {
    "foxes",     "ideas",     "theodolites", "pinto beans", "instructions",   "dependencies",
    "excuses",   "platelets", "asymptotes",  "courts",      "dolphins",       "multipliers",
    "sauternes", "warthogs",  "frets",       "dinos",       "attainments",    "somas",
    "Tiresias",  "patterns",  "forges",      "braids",      "hockey players", "frays",
    "warhorses", "dugouts",   "notornis",    "epitaphs",    "pearls",         "tithes",
    "waters",    "orbits",    "gifts",       "sheaves",     "depths",         "sentiments",
    "decoys",    "realms",    "pains",       "grouches",    "escapades",      "accounts",
    "packages",  "requests",  "deposits",    "customers",
};
static const char *const verbs[] = {
    "sleep",  "wake",   "are",       "cajole",   "haggle", "nag",   "use",     "boost",
    "affix",  "detect", "integrate", "maintain", "nod",    "was",   "lose",    "sublate",
    "solve",  "thrash", "promise",   "engage",   "hinder", "print", "x-ray",   "breach",
    "eat",    "grow",   "impress",   "mold",     "poach",  "serve", "run",     "dazzle",
    "snooze", "doze",   "unwind",    "kindle",   "play",   "hang",  "believe", "doubt",
};
static const char *const adjectives[] = {
    "furious",  "sly",     "careful", "blithe",  "quick",   "fluffy", "slow",     "quiet",
    "ruthless", "thin",    "close",   "dogged",  "daring",  "brave",  "stealthy", "permanent",
    "enticing", "idle",    "busy",    "regular", "final",   "ironic", "even",     "bold",
    "silent",   "special", "pending", "express", "unusual",
};
static const char *const adverbs[] = {
    "sometimes", "always",    "never",   "furiously",  "slyly",       "carefully",  "blithely",
    "quickly",   "fluffily",  "slowly",  "quietly",    "ruthlessly",  "thinly",     "closely",
    "doggedly",  "daringly",  "bravely", "stealthily", "permanently", "enticingly", "idly",
    "busily",    "regularly", "finally", "ironically", "evenly",      "boldly",     "silently",
};
static const char *const prepositions[] = {
    "about",   "above",   "according to", "across", "after",   "against", "along",
    "among",   "around",  "at",           "atop",   "before",  "behind",  "beneath",
    "beside",  "between", "beyond",       "by",     "despite", "during",  "except",
    "for",     "from",    "inside",       "into",   "near",    "of",      "on",
    "outside", "over",    "past",         "since",  "through", "to",      "toward",
    "under",   "until",   "up",           "upon",   "without", "with",    "within",
};
static const char *const auxiliaries[] = {
    "do",      "may",          "might",         "shall",         "will",
    "would",   "can",          "could",         "should",        "ought to",
    "must",    "will have to", "shall have to", "could have to", "should have to",
    "need to", "try to",
};
static const char *const terminators[] = {".", ";", ":", "?", "!", "--"};

/* ---------------------------------------------------------------------------------------------
 * Output: one large buffer per table, flushed with write(2).
 */
typedef struct {
    int fd;           /* destination, or -1 when this table is not written */
    const char *path; /* for error messages */
    char *data;       /* OUT_CAPACITY bytes */
    char *p;          /* next free byte in data */
    int failed;       /* sticky: a write failed, errno saved in err */
    int err;          /* errno of the failed write */
} out_stream;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "gen_tpch: out of memory\n");
        exit(2);
    }
    return p;
}

static void out_flush(out_stream *o)
{
    const char *q = o->data;
    size_t left = (size_t)(o->p - o->data);
    while (left > 0 && !o->failed) {
        ssize_t n = write(o->fd, q, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            o->failed = 1;
            o->err = errno;
            break;
        }
        q += n;
        left -= (size_t)n;
    }
    o->p = o->data;
}

/* Make room for one more row; returns where to write it. */
static char *out_row(out_stream *o)
{
    if ((size_t)(o->p - o->data) > OUT_CAPACITY - ROW_MAX) out_flush(o);
    return o->p;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_str(char *p, const char *s)
{
    return put(p, s, strlen(s));
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    char *end = tmp + sizeof tmp, *t = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--t = digit_pairs[d + 1];
        *--t = digit_pairs[d];
    }
    if (v >= 10) {
        *--t = digit_pairs[v * 2 + 1];
        *--t = digit_pairs[v * 2];
    } else {
        *--t = (char)('0' + v);
    }
    return put(p, t, (size_t)(end - t));
}

/* v with exactly `width` digits, zero-padded: the "Supplier#000000042" keys. */
static char *put_padded(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
    return p + width;
}

/* Cents as a decimal with two fraction digits: -12345 -> "-123.45". */
static char *put_cents(char *p, int64_t cents)
{
    if (cents < 0) {
        *p++ = '-';
        cents = -cents;
    }
    p = put_u64(p, (uint64_t)cents / 100);
    *p++ = '.';
    p[0] = digit_pairs[(cents % 100) * 2];
    p[1] = digit_pairs[(cents % 100) * 2 + 1];
    return p + 2;
}

/* ---------------------------------------------------------------------------------------------
 * Dates as days since 1970-01-01 (proleptic Gregorian, integer only).
 */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static char *put_date(char *p, int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    unsigned y = (unsigned)(yy + (m <= 2));
    p[0] = digit_pairs[(y / 100) * 2];
    p[1] = digit_pairs[(y / 100) * 2 + 1];
    p[2] = digit_pairs[(y % 100) * 2];
    p[3] = digit_pairs[(y % 100) * 2 + 1];
    p[4] = '-';
    p[5] = digit_pairs[m * 2];
    p[6] = digit_pairs[m * 2 + 1];
    p[7] = '-';
    p[8] = digit_pairs[d * 2];
    p[9] = digit_pairs[d * 2 + 1];
    return p + 10;
}

/* ---------------------------------------------------------------------------------------------
 * Text: comments are random substrings of one pool of generated sentences (as dbgen does), and
 * addresses are random strings over the specification's alphabet.
 */
static char *text_pool_build(uint64_t seed)
{
    rng r;
    rng_seed(&r, seed ^ UINT64_C(0x74657874706f6f6c));
    char *pool = xmalloc(TEXT_POOL_SIZE + 256);
    size_t n = 0;
    while (n < TEXT_POOL_SIZE) {
        /* sentence: [adjective] noun [auxiliary] verb [adverb] [preposition the noun] term */
        char *p = pool + n;
        if (rng_range(&r, 0, 1)) {
            p = put_str(p, PICK(&r, adjectives));
            *p++ = ' ';
        }
        p = put_str(p, PICK(&r, nouns));
        *p++ = ' ';
        if (rng_range(&r, 0, 3) == 0) {
            p = put_str(p, PICK(&r, auxiliaries));
            *p++ = ' ';
        }
        p = put_str(p, PICK(&r, verbs));
        if (rng_range(&r, 0, 1)) {
            *p++ = ' ';
            p = put_str(p, PICK(&r, adverbs));
        }
        if (rng_range(&r, 0, 2) == 0) {
            *p++ = ' ';
            p = put_str(p, PICK(&r, prepositions));
            p = put_str(p, " the ");
            p = put_str(p, PICK(&r, nouns));
        }
        p = put_str(p, PICK(&r, terminators));
        *p++ = ' ';
        n = (size_t)(p - pool);
    }
    return pool;
}

/* A comment of lo..hi characters. Never starts or ends with a space, so that no CSV reader's
 * trimming can change it. */
static char *put_comment(char *p, rng *r, const char *pool, unsigned lo, unsigned hi)
{
    size_t len = (size_t)rng_range(r, lo, hi);
    size_t at = (size_t)rng_range(r, 0, TEXT_POOL_SIZE - 1 - (int64_t)hi);
    const char *s = pool + at;
    while (len > 1 && *s == ' ') s++, len--;
    while (len > 1 && s[len - 1] == ' ') len--;
    return put(p, s, len);
}

/* A random v-string of lo..hi characters over the specification's alphabet, which includes a
 * comma: such a field is quoted. */
static char *put_address(char *p, rng *r, unsigned lo, unsigned hi)
{
    static const char alphabet[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ";
    char text[64];
    size_t len = (size_t)rng_range(r, lo, hi);
    int quote = 0;
    for (size_t i = 0; i < len; i++) {
        /* The alphabet's last character is the space; the first and last stay non-blank. */
        int64_t top =
            (i == 0 || i + 1 == len) ? (int64_t)sizeof alphabet - 4 : (int64_t)sizeof alphabet - 2;
        text[i] = alphabet[rng_range(r, 0, top)];
        quote |= text[i] == ',';
    }
    if (quote) *p++ = '"';
    p = put(p, text, len);
    if (quote) *p++ = '"';
    return p;
}

/* "CC-LLL-MMM-NNNN" with the country code 10 + nationkey (clause 4.2.2.9). */
static char *put_phone(char *p, rng *r, uint32_t nationkey)
{
    p = put_u64(p, 10 + nationkey);
    *p++ = '-';
    p = put_u64(p, (uint64_t)rng_range(r, 100, 999));
    *p++ = '-';
    p = put_u64(p, (uint64_t)rng_range(r, 100, 999));
    *p++ = '-';
    return put_u64(p, (uint64_t)rng_range(r, 1000, 9999));
}

/* ---------------------------------------------------------------------------------------------
 * The tables.
 */
typedef enum {
    T_REGION,
    T_NATION,
    T_SUPPLIER,
    T_CUSTOMER,
    T_PART,
    T_PARTSUPP,
    T_ORDERS,
    T_LINEITEM,
    T_COUNT
} table_id;

static const char *const table_names[T_COUNT] = {"region", "nation",   "supplier", "customer",
                                                 "part",   "partsupp", "orders",   "lineitem"};
static const char *const table_headers[T_COUNT] = {
    "r_regionkey,r_name,r_comment",
    "n_nationkey,n_name,n_regionkey,n_comment",
    "s_suppkey,s_name,s_address,s_nationkey,s_phone,s_acctbal,s_comment",
    "c_custkey,c_name,c_address,c_nationkey,c_phone,c_acctbal,c_mktsegment,c_comment",
    "p_partkey,p_name,p_mfgr,p_brand,p_type,p_size,p_container,p_retailprice,p_comment",
    "ps_partkey,ps_suppkey,ps_availqty,ps_supplycost,ps_comment",
    "o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,"
    "o_shippriority,o_comment",
    "l_orderkey,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax,"
    "l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode,"
    "l_comment",
};

typedef struct {
    uint64_t sf_milli; /* the scale factor in thousandths */
    uint64_t seed;     /* base seed; each table derives its own stream */
    const char *pool;  /* the comment text pool */
    out_stream *out;   /* out[table_id]; fd -1 when not written */
} gen;

/* Rows of a table that has `base` rows at scale factor 1 (at least 1). */
static uint64_t scaled(const gen *g, uint64_t base)
{
    uint64_t n = base * g->sf_milli / 1000;
    return n ? n : 1;
}

static void table_rng(const gen *g, table_id t, rng *r)
{
    rng_seed(r, g->seed + UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(t + 1));
}

static void gen_region(gen *g)
{
    out_stream *o = &g->out[T_REGION];
    rng r;
    table_rng(g, T_REGION, &r);
    for (uint32_t k = 0; k < COUNT_OF(region_names); k++) {
        char *p = out_row(o);
        p = put_u64(p, k);
        *p++ = ',';
        p = put_str(p, region_names[k]);
        *p++ = ',';
        p = put_comment(p, &r, g->pool, 31, 115);
        *p++ = '\n';
        o->p = p;
    }
}

static void gen_nation(gen *g)
{
    out_stream *o = &g->out[T_NATION];
    rng r;
    table_rng(g, T_NATION, &r);
    for (uint32_t k = 0; k < COUNT_OF(nations); k++) {
        char *p = out_row(o);
        p = put_u64(p, k);
        *p++ = ',';
        p = put_str(p, nations[k].name);
        *p++ = ',';
        p = put_u64(p, nations[k].region);
        *p++ = ',';
        p = put_comment(p, &r, g->pool, 31, 114);
        *p++ = '\n';
        o->p = p;
    }
}

static void gen_supplier(gen *g)
{
    out_stream *o = &g->out[T_SUPPLIER];
    rng r;
    table_rng(g, T_SUPPLIER, &r);
    uint64_t n = scaled(g, 10000);
    for (uint64_t k = 1; k <= n && !o->failed; k++) {
        uint32_t nation = (uint32_t)rng_range(&r, 0, 24);
        char *p = out_row(o);
        p = put_u64(p, k);
        p = put_str(p, ",Supplier#");
        p = put_padded(p, k, 9);
        *p++ = ',';
        p = put_address(p, &r, 10, 40);
        *p++ = ',';
        p = put_u64(p, nation);
        *p++ = ',';
        p = put_phone(p, &r, nation);
        *p++ = ',';
        p = put_cents(p, rng_range(&r, -99999, 999999));
        *p++ = ',';
        p = put_comment(p, &r, g->pool, 25, 100);
        *p++ = '\n';
        o->p = p;
    }
}

static void gen_customer(gen *g)
{
    out_stream *o = &g->out[T_CUSTOMER];
    rng r;
    table_rng(g, T_CUSTOMER, &r);
    uint64_t n = scaled(g, 150000);
    for (uint64_t k = 1; k <= n && !o->failed; k++) {
        uint32_t nation = (uint32_t)rng_range(&r, 0, 24);
        char *p = out_row(o);
        p = put_u64(p, k);
        p = put_str(p, ",Customer#");
        p = put_padded(p, k, 9);
        *p++ = ',';
        p = put_address(p, &r, 10, 40);
        *p++ = ',';
        p = put_u64(p, nation);
        *p++ = ',';
        p = put_phone(p, &r, nation);
        *p++ = ',';
        p = put_cents(p, rng_range(&r, -99999, 999999));
        *p++ = ',';
        p = put_str(p, PICK(&r, segments));
        *p++ = ',';
        p = put_comment(p, &r, g->pool, 29, 116);
        *p++ = '\n';
        o->p = p;
    }
}

/* p_retailprice in cents, a function of the key alone (clause 4.2.3). */
static int64_t retail_cents(uint64_t partkey)
{
    return (int64_t)(90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000));
}

/* The i-th (0..3) supplier of a part (clause 4.2.3), which lineitem must agree with. */
static uint64_t part_supplier(uint64_t partkey, uint64_t i, uint64_t suppliers)
{
    return (partkey + i * (suppliers / 4 + (partkey - 1) / suppliers)) % suppliers + 1;
}

static void gen_part(gen *g)
{
    out_stream *o = &g->out[T_PART];
    rng r;
    table_rng(g, T_PART, &r);
    uint64_t n = scaled(g, 200000);
    for (uint64_t k = 1; k <= n && !o->failed; k++) {
        char *p = out_row(o);
        p = put_u64(p, k);
        *p++ = ',';
        /* Five distinct colours: draw until they differ (at most a few retries). */
        uint32_t picked[5];
        for (int w = 0; w < 5; w++) {
            for (;;) {
                uint32_t c = (uint32_t)rng_range(&r, 0, COUNT_OF(colors) - 1);
                int seen = 0;
                for (int v = 0; v < w; v++) seen |= picked[v] == c;
                if (!seen) {
                    picked[w] = c;
                    break;
                }
            }
            if (w) *p++ = ' ';
            p = put_str(p, colors[picked[w]]);
        }
        int64_t mfgr = rng_range(&r, 1, 5);
        int64_t brand = rng_range(&r, 1, 5);
        p = put_str(p, ",Manufacturer#");
        p = put_u64(p, (uint64_t)mfgr);
        p = put_str(p, ",Brand#");
        p = put_u64(p, (uint64_t)(mfgr * 10 + brand));
        *p++ = ',';
        p = put_str(p, PICK(&r, type_size));
        *p++ = ' ';
        p = put_str(p, PICK(&r, type_finish));
        *p++ = ' ';
        p = put_str(p, PICK(&r, type_metal));
        *p++ = ',';
        p = put_u64(p, (uint64_t)rng_range(&r, 1, 50));
        *p++ = ',';
        p = put_str(p, PICK(&r, container_size));
        *p++ = ' ';
        p = put_str(p, PICK(&r, container_kind));
        *p++ = ',';
        p = put_cents(p, retail_cents(k));
        *p++ = ',';
        p = put_comment(p, &r, g->pool, 5, 22);
        *p++ = '\n';
        o->p = p;
    }
}

static void gen_partsupp(gen *g)
{
    out_stream *o = &g->out[T_PARTSUPP];
    rng r;
    table_rng(g, T_PARTSUPP, &r);
    uint64_t parts = scaled(g, 200000), suppliers = scaled(g, 10000);
    for (uint64_t k = 1; k <= parts && !o->failed; k++) {
        for (uint64_t i = 0; i < 4; i++) {
            char *p = out_row(o);
            p = put_u64(p, k);
            *p++ = ',';
            p = put_u64(p, part_supplier(k, i, suppliers));
            *p++ = ',';
            p = put_u64(p, (uint64_t)rng_range(&r, 1, 9999));
            *p++ = ',';
            p = put_cents(p, rng_range(&r, 100, 100000));
            *p++ = ',';
            p = put_comment(p, &r, g->pool, 49, 198);
            *p++ = '\n';
            o->p = p;
        }
    }
}

/* orders and lineitem together: an order's status and total price follow from its lines. */
static void gen_orders_lineitem(gen *g)
{
    out_stream *oo = &g->out[T_ORDERS], *lo = &g->out[T_LINEITEM];
    int write_orders = oo->fd >= 0, write_lines = lo->fd >= 0;
    rng r;
    table_rng(g, T_ORDERS, &r);
    uint64_t orders = scaled(g, 1500000), customers = scaled(g, 150000);
    uint64_t parts = scaled(g, 200000), suppliers = scaled(g, 10000);
    uint64_t clerks = scaled(g, 1000);
    const int64_t start = days_from_civil(1992, 1, 1), end = days_from_civil(1998, 12, 31);
    const int64_t current = days_from_civil(1995, 6, 17);
    for (uint64_t i = 0; i < orders && !oo->failed && !lo->failed; i++) {
        /* Sparse keys: the first 8 of every 32 (clause 4.2.3). */
        uint64_t orderkey = (i / 8) * 32 + i % 8 + 1;
        /* A third of the customers (custkey divisible by 3) never order. */
        uint64_t custkey;
        do custkey = (uint64_t)rng_range(&r, 1, (int64_t)customers);
        while (custkey % 3 == 0 && customers > 2);
        int64_t orderdate = rng_range(&r, start, end - 151);
        const char *priority = PICK(&r, priorities);
        uint64_t clerk = (uint64_t)rng_range(&r, 1, (int64_t)clerks);
        int64_t lines = rng_range(&r, 1, 7);
        int64_t total = 0;
        unsigned shipped = 0;
        for (int64_t n = 1; n <= lines; n++) {
            uint64_t partkey = (uint64_t)rng_range(&r, 1, (int64_t)parts);
            uint64_t suppkey = part_supplier(partkey, (uint64_t)rng_range(&r, 0, 3), suppliers);
            int64_t quantity = rng_range(&r, 1, 50);
            int64_t discount = rng_range(&r, 0, 10); /* hundredths */
            int64_t tax = rng_range(&r, 0, 8);       /* hundredths */
            int64_t shipdate = orderdate + rng_range(&r, 1, 121);
            int64_t commitdate = orderdate + rng_range(&r, 30, 90);
            int64_t receiptdate = shipdate + rng_range(&r, 1, 30);
            int returned = (int)rng_range(&r, 0, 1);
            const char *instruct = PICK(&r, instructions);
            const char *mode = PICK(&r, ship_modes);
            int64_t extended = quantity * retail_cents(partkey);
            /* extendedprice * (1 + tax) * (1 - discount), rounded half up to the cent. */
            total += (extended * (100 + tax) * (100 - discount) + 5000) / 10000;
            char flag = receiptdate <= current ? (returned ? 'R' : 'A') : 'N';
            char status = shipdate > current ? 'O' : 'F';
            shipped += status == 'F';
            if (!write_lines) {
                /* The comment's draws keep the stream identical with or without lineitem. */
                rng_range(&r, 10, 43);
                rng_range(&r, 0, TEXT_POOL_SIZE - 1 - 43);
                continue;
            }
            char *p = out_row(lo);
            p = put_u64(p, orderkey);
            *p++ = ',';
            p = put_u64(p, partkey);
            *p++ = ',';
            p = put_u64(p, suppkey);
            *p++ = ',';
            p = put_u64(p, (uint64_t)n);
            *p++ = ',';
            p = put_u64(p, (uint64_t)quantity);
            *p++ = ',';
            p = put_cents(p, extended);
            *p++ = ',';
            p = put_cents(p, discount);
            *p++ = ',';
            p = put_cents(p, tax);
            *p++ = ',';
            *p++ = flag;
            *p++ = ',';
            *p++ = status;
            *p++ = ',';
            p = put_date(p, shipdate);
            *p++ = ',';
            p = put_date(p, commitdate);
            *p++ = ',';
            p = put_date(p, receiptdate);
            *p++ = ',';
            p = put_str(p, instruct);
            *p++ = ',';
            p = put_str(p, mode);
            *p++ = ',';
            p = put_comment(p, &r, g->pool, 10, 43);
            *p++ = '\n';
            lo->p = p;
        }
        char *p = write_orders ? out_row(oo) : NULL;
        if (!p) {
            rng_range(&r, 19, 78);
            rng_range(&r, 0, TEXT_POOL_SIZE - 1 - 78);
            continue;
        }
        p = put_u64(p, orderkey);
        *p++ = ',';
        p = put_u64(p, custkey);
        *p++ = ',';
        *p++ = shipped == lines ? 'F' : shipped == 0 ? 'O' : 'P';
        *p++ = ',';
        p = put_cents(p, total);
        *p++ = ',';
        p = put_date(p, orderdate);
        *p++ = ',';
        p = put_str(p, priority);
        p = put_str(p, ",Clerk#");
        p = put_padded(p, clerk, 9);
        p = put_str(p, ",0,");
        p = put_comment(p, &r, g->pool, 19, 78);
        *p++ = '\n';
        oo->p = p;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Command line.
 */
static void usage(FILE *f)
{
    fprintf(f, "usage: gen_tpch [--sf SF] [--seed S] --dir DIR\n"
               "       gen_tpch [--sf SF] [--seed S] --table NAME [-o FILE]\n"
               "\n"
               "Writes the eight TPC-H tables as CSV (header line, ',' delimiter): with --dir,\n"
               "all of them as DIR/<table>.csv; with --table, one of them (region, nation,\n"
               "supplier, customer, part, partsupp, orders, lineitem) to FILE or standard output.\n"
               "SF is the scale factor (default 1: 6M lineitem rows, about 0.75 GB), with up to\n"
               "three decimals: --sf 0.01. The same arguments give the same bytes everywhere.\n");
}

/* "1", "0.1", "0.01", "10" -> thousandths; 0 on success. */
static int parse_sf(const char *s, uint64_t *milli)
{
    uint64_t whole = 0, frac = 0;
    int frac_digits = 0;
    const char *c = s;
    if (*c < '0' || *c > '9') return -1;
    for (; *c >= '0' && *c <= '9'; c++) {
        whole = whole * 10 + (uint64_t)(*c - '0');
        if (whole > SF_MAX_MILLI / 1000) return -1;
    }
    if (*c == '.') {
        for (c++; *c >= '0' && *c <= '9'; c++) {
            if (++frac_digits > 3) return -1;
            frac = frac * 10 + (uint64_t)(*c - '0');
        }
    }
    if (*c != '\0') return -1;
    while (frac_digits++ < 3) frac *= 10;
    *milli = whole * 1000 + frac;
    return *milli && *milli <= SF_MAX_MILLI ? 0 : -1;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    gen g = {.sf_milli = 1000, .seed = DEFAULT_SEED};
    const char *dir = NULL, *path = NULL, *table = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--sf") && val) {
            if (parse_sf(val, &g.sf_milli)) {
                fprintf(stderr,
                        "gen_tpch: --sf wants a positive scale factor such as 1 or 0.01, "
                        "not '%s'\n",
                        val);
                return 1;
            }
            i++;
        } else if (!strcmp(a, "--seed") && val) {
            if (parse_u64(val, &g.seed)) {
                fprintf(stderr, "gen_tpch: --seed wants a non-negative integer, not '%s'\n", val);
                return 1;
            }
            i++;
        } else if (!strcmp(a, "--dir") && val) {
            dir = argv[++i];
        } else if (!strcmp(a, "--table") && val) {
            table = argv[++i];
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && val) {
            path = argv[++i];
        } else {
            fprintf(stderr, "gen_tpch: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    if (!dir == !table) {
        fprintf(stderr, "gen_tpch: say where to write: --dir DIR (all tables) or --table NAME\n");
        usage(stderr);
        return 1;
    }
    if (dir && path) {
        fprintf(stderr, "gen_tpch: -o goes with --table; --dir names the files itself\n");
        return 1;
    }

    out_stream out[T_COUNT];
    static char files[T_COUNT][4096];
    int rc = 0;
    for (int t = 0; t < T_COUNT; t++) {
        out[t] = (out_stream){.fd = -1};
        if (table && strcmp(table, table_names[t])) continue;
        if (dir) {
            snprintf(files[t], sizeof files[t], "%s/%s.csv", dir, table_names[t]);
            out[t].path = files[t];
        } else {
            out[t].path = path && strcmp(path, "-") ? path : NULL;
        }
        out[t].fd =
            out[t].path ? open(out[t].path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : STDOUT_FILENO;
        if (out[t].fd < 0) {
            fprintf(stderr, "gen_tpch: cannot create %s: %s\n", out[t].path, strerror(errno));
            return 1;
        }
        out[t].data = xmalloc(OUT_CAPACITY);
        out[t].p = put_str(out[t].data, table_headers[t]);
        *out[t].p++ = '\n';
    }
    if (table) {
        int known = 0;
        for (int t = 0; t < T_COUNT; t++) known |= out[t].fd >= 0;
        if (!known) {
            fprintf(stderr,
                    "gen_tpch: no table '%s' (region, nation, supplier, customer, part, "
                    "partsupp, orders, lineitem)\n",
                    table);
            return 1;
        }
    }

    char *pool = text_pool_build(g.seed);
    g.pool = pool;
    g.out = out;
    if (out[T_REGION].fd >= 0) gen_region(&g);
    if (out[T_NATION].fd >= 0) gen_nation(&g);
    if (out[T_SUPPLIER].fd >= 0) gen_supplier(&g);
    if (out[T_CUSTOMER].fd >= 0) gen_customer(&g);
    if (out[T_PART].fd >= 0) gen_part(&g);
    if (out[T_PARTSUPP].fd >= 0) gen_partsupp(&g);
    if (out[T_ORDERS].fd >= 0 || out[T_LINEITEM].fd >= 0) gen_orders_lineitem(&g);

    for (int t = 0; t < T_COUNT; t++) {
        if (out[t].fd < 0) continue;
        out_flush(&out[t]);
        const char *name = out[t].path ? out[t].path : "standard output";
        if (out[t].failed && rc == 0) {
            fprintf(stderr, "gen_tpch: cannot write %s: %s\n", name, strerror(out[t].err));
            rc = 1;
        }
        if (out[t].fd != STDOUT_FILENO && close(out[t].fd) != 0 && rc == 0) {
            fprintf(stderr, "gen_tpch: cannot write %s: %s\n", name, strerror(errno));
            rc = 1;
        }
        free(out[t].data);
    }
    free(pool);
    return rc;
}
