// SPDX-License-Identifier: Apache-2.0
/*
 * gen_sales: the deterministic data set behind tarn's benchmarks and differential tests.
 *
 * It writes the `sales` fact (one row per order line) or the `products` dimension as CSV or
 * NDJSON. The same arguments give the same bytes on every machine: the random numbers come from
 * our own xoshiro256** seeded by splitmix64, and every computation is integer arithmetic (no libm,
 * no locale, no printf of floating point), so neither the C library nor the CPU can change the
 * output.
 *
 * The data is shaped like a real sales dump so that readers meet what they meet in production:
 * order ids in time order, a Zipf-like skew over 10,000 products, product names with commas and
 * inch marks (CSV must quote and escape them, JSON must escape them), some UTF-8 brand names, and
 * about 1% of customers without an e-mail address (an empty CSV field, a JSON null).
 *
 * Speed matters because the benchmark generates 10M rows (about 1.4 GB of CSV): every string is
 * escaped once up front, numbers are formatted by hand into a large buffer, and the buffer goes
 * out with write(2) a few MiB at a time.
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

/* ---------------------------------------------------------------------------------------------
 * Fixed facts of the data set. Changing any of them changes every generated file, and with it
 * every benchmark number recorded so far: do so only on purpose.
 */
#define PRODUCT_COUNT 10000u
#define STORE_COUNT 200u
#define SPAN_SECONDS (90u * 86400u) /* orders fall in the 90 days from 2024-01-01 00:00:00 */
#define DEFAULT_SEED UINT64_C(0x7a61726e2d73616c) /* fixed so that files agree across runs */
#define NO_EMAIL_PERCENT 1u

/* Big enough that write(2) calls are rare, small enough to stay cache-friendly. */
#define OUT_CAPACITY (4u << 20)
/* Upper bound on one formatted row; the buffer is flushed when less than this is left. */
#define ROW_MAX 2048u

/* ---------------------------------------------------------------------------------------------
 * Random numbers: xoshiro256** (Blackman and Vigna), seeded from splitmix64 as its authors
 * recommend. Both are pure 64-bit integer arithmetic, hence identical everywhere.
 */
typedef struct {
    uint64_t s[4]; /* generator state; never all zero once seeded */
} rng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A stateless hash of a key, for facts that belong to an entity (a customer's name and e-mail)
 * rather than to a row: the same customer must look the same on every one of their orders. */
static uint64_t hash64(uint64_t key, uint64_t seed) {
    uint64_t x = key ^ (seed * UINT64_C(0xd1342543de82ef95));
    return splitmix64(&x);
}

static void rng_seed(rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
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

/* Uniform in [0, n) for n < 2^32 by multiply-shift (Lemire); the bias is below 2^-32, far under
 * anything a benchmark could notice, and it avoids a division per draw. */
static uint32_t rng_below(rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---------------------------------------------------------------------------------------------
 * Strings that appear in the output, each kept in both of its encoded forms so that a row is
 * written with memcpy only.
 */
typedef struct {
    char *csv;       /* the CSV field: quoted and with doubled quotes only when needed */
    size_t csv_len;  /* bytes in csv */
    char *json;      /* the JSON string literal, quotes included */
    size_t json_len; /* bytes in json */
} text_field;

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "gen_sales: out of memory\n");
        exit(2);
    }
    return p;
}

/* Encode raw (UTF-8, no control characters) for both formats. CSV follows RFC 4180: a field is
 * quoted when it holds a comma, a quote or a line break, and a quote inside is doubled. */
static text_field text_field_make(const char *raw) {
    size_t n = strlen(raw);
    text_field f;
    int needs_quotes = strpbrk(raw, ",\"\r\n") != NULL;
    char *c = xmalloc(2 * n + 3), *j = xmalloc(2 * n + 3);
    size_t ci = 0, ji = 0;
    if (needs_quotes)
        c[ci++] = '"';
    j[ji++] = '"';
    for (size_t i = 0; i < n; i++) {
        char ch = raw[i];
        if (ch == '"') {
            if (needs_quotes)
                c[ci++] = '"';
            j[ji++] = '\\';
        } else if (ch == '\\') {
            j[ji++] = '\\';
        }
        c[ci++] = ch;
        j[ji++] = ch;
    }
    if (needs_quotes)
        c[ci++] = '"';
    j[ji++] = '"';
    c[ci] = j[ji] = '\0';
    f.csv = c;
    f.csv_len = ci;
    f.json = j;
    f.json_len = ji;
    return f;
}

static void text_field_free(text_field *f) {
    free(f->csv);
    free(f->json);
}

static text_field *text_fields_make(const char *const *raw, size_t count) {
    text_field *f = xmalloc(count * sizeof *f);
    for (size_t i = 0; i < count; i++)
        f[i] = text_field_make(raw[i]);
    return f;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* About twenty categories, each with nouns that make plausible product names. "Home & Kitchen"
 * keeps an ampersand in the data, which HTML-ish escaping bugs trip over. */
static const char *const category_names[] = {
    "Electronics", "Computers",   "Phones",   "Audio",        "Cameras",
    "Home & Kitchen", "Furniture", "Garden",  "Tools",        "Toys",
    "Books",       "Sports",      "Outdoors", "Beauty",       "Health",
    "Grocery",     "Pet Supplies", "Office",  "Automotive",   "Clothing",
};
static const char *const category_nouns[][4] = {
    {"Monitor", "Television", "Projector", "Soundbar"},
    {"Laptop", "Keyboard", "Mouse", "Docking Station"},
    {"Smartphone", "Phone Case", "Charger", "Screen Protector"},
    {"Headphones", "Speaker", "Microphone", "Turntable"},
    {"Camera", "Lens", "Tripod", "Memory Card"},
    {"Blender", "Kettle", "Pan", "Knife Set"},
    {"Chair", "Desk", "Bookshelf", "Sofa"},
    {"Hose", "Planter", "Lawn Mower", "Shovel"},
    {"Drill", "Hammer", "Wrench Set", "Saw"},
    {"Puzzle", "Building Blocks", "Doll", "Board Game"},
    {"Novel", "Cookbook", "Atlas", "Notebook"},
    {"Football", "Yoga Mat", "Dumbbell", "Racket"},
    {"Tent", "Backpack", "Sleeping Bag", "Lantern"},
    {"Shampoo", "Face Cream", "Perfume", "Hair Dryer"},
    {"Vitamins", "Thermometer", "First Aid Kit", "Toothbrush"},
    {"Coffee", "Olive Oil", "Pasta", "Tea"},
    {"Dog Food", "Cat Litter", "Leash", "Aquarium"},
    {"Stapler", "Printer Paper", "Pen Set", "Desk Lamp"},
    {"Car Wax", "Tire Gauge", "Floor Mats", "Jump Starter"},
    {"T-Shirt", "Jacket", "Sneakers", "Scarf"},
};
/* Typical list price per category, in cents: products spread from a fifth to twice this. */
static const uint32_t category_price_cents[] = {
    39900, 89900, 49900, 12900, 59900, 4900, 19900, 3900, 7900, 2900,
    1900,  3900,  9900,  2400,  1900,  900,  2900,  1500, 2900, 5900,
};
/* Brands are invented; a few carry non-ASCII letters so that UTF-8 goes through every path. */
static const char *const brand_names[] = {
    "Acme",      "Globex",     "Initech",   "Umbrella", "Hooli",      "Vandelay",
    "Stark",     "Wayne",      "Tyrell",    "Soylent",  "Nakatomi",   "Cyberdyne",
    "Gringotts", "Monarch",    "Oscorp",    "Pied Piper", "Wonka",    "Zorg",
    "Müller",    "Åkerlund",   "Café Modo", "Señor Sol", "Ostrava",   "Kobold",
    "Northwind", "Contoso",    "Fabrikam",  "Tailspin", "Litware",    "Adatum",
    "Blue Yonder", "Lucerne",  "Margie",    "Proseware", "Wingtip",   "Woodgrove",
};
static const char *const adjectives[] = {
    "Classic", "Ultra", "Pro", "Mini", "Max", "Smart", "Eco", "Compact",
    "Deluxe",  "Basic", "Plus", "Lite", "Prime", "Nova", "Vintage", "Turbo",
};
static const char *const region_names[] = {
    "North", "South", "East", "West", "Central", "Northeast", "Southwest", "Overseas",
};
/* Channels with their share of orders, in percent (sums to 100). */
static const char *const channel_names[] = {"online", "store", "phone", "partner"};
static const uint32_t channel_percent[] = {50, 35, 5, 10};
/* Discount steps in hundredths, with their share of orders in percent (sums to 100). Written
 * with two decimals ("0.00", "0.05") so that the column is DOUBLE in every sample, never
 * INTEGER because a sample happened to hold only zeros. */
static const uint32_t discount_hundredths[] = {0, 5, 10, 15, 20, 25, 30};
static const uint32_t discount_percent[] = {60, 15, 12, 6, 4, 2, 1};
/* Lower-case ASCII letters only, so that e-mail addresses never need escaping. */
static const char *const first_names[] = {
    "anna", "ben",  "carla", "david", "emma",  "felix", "greta", "hugo",
    "ines", "jan",  "kira",  "leo",   "maria", "nils",  "olga",  "paul",
    "rosa", "sam",  "tara",  "uwe",   "vera",  "will",  "xenia", "yusuf",
    "zoe",  "amir", "bea",   "chen",  "dana",  "eli",   "fatma", "gil",
};
static const char *const last_names[] = {
    "smith", "garcia", "kowalski", "nguyen", "schmidt", "rossi", "dubois", "silva",
    "kim",   "ivanov", "jensen",   "novak",  "costa",   "mehta", "okafor", "tanaka",
    "brown", "lopez",  "fischer",  "moreau", "jones",   "weber", "haddad", "larsen",
    "patel", "sato",   "murphy",   "horvat", "berg",    "cruz",  "adams",  "olsen",
};
static const char *const email_domains[] = {
    "example.com", "example.org", "example.net", "mail.example.com",
    "shop.example", "post.example", "example.co", "inbox.example.org",
};

/* ---------------------------------------------------------------------------------------------
 * Output: a cursor into one large buffer, flushed with write(2).
 */
typedef struct {
    int fd;      /* destination, owned by main */
    char *data;  /* OUT_CAPACITY bytes */
    char *p;     /* next free byte in data */
    int failed;  /* sticky: a write failed, errno saved in err */
    int err;     /* errno of the failed write */
} out_stream;

static void out_flush(out_stream *o) {
    const char *q = o->data;
    size_t left = (size_t)(o->p - o->data);
    while (left > 0 && !o->failed) {
        ssize_t n = write(o->fd, q, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->failed = 1;
            o->err = errno;
            break;
        }
        q += n;
        left -= (size_t)n;
    }
    o->p = o->data;
}

/* Make room for one more row. */
static void out_reserve_row(out_stream *o) {
    if ((size_t)(o->p - o->data) > OUT_CAPACITY - ROW_MAX)
        out_flush(o);
}

static char *put(char *p, const char *s, size_t n) {
    memcpy(p, s, n);
    return p + n;
}

#define PUT_LIT(p, lit) put((p), (lit), sizeof(lit) - 1)

/* "00".."99": two digits per table lookup halves the divisions of integer formatting. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static char *put_u64(char *p, uint64_t v) {
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

static char *put_2digits(char *p, unsigned v) {
    p[0] = digit_pairs[v * 2];
    p[1] = digit_pairs[v * 2 + 1];
    return p + 2;
}

/* Cents as a decimal with exactly two fraction digits: 1230 -> "12.30". */
static char *put_cents(char *p, uint64_t cents) {
    p = put_u64(p, cents / 100);
    *p++ = '.';
    return put_2digits(p, (unsigned)(cents % 100));
}

/* ---------------------------------------------------------------------------------------------
 * The products dimension, built in memory because every sales row looks one up.
 */
typedef struct {
    text_field name;       /* product_name */
    uint32_t category_idx; /* index into category_names */
    uint32_t brand_idx;    /* index into brand_names */
    uint32_t list_cents;   /* list_price in cents */
} product;

typedef struct {
    product products[PRODUCT_COUNT];  /* products[i] has product_id i + 1 */
    uint64_t zipf_cdf[PRODUCT_COUNT]; /* cumulative integer weights by popularity rank */
    uint32_t rank_to_product[PRODUCT_COUNT]; /* popularity rank -> product index */
    text_field *categories;           /* encoded category_names */
    text_field *brands;               /* encoded brand_names */
    text_field *regions;              /* encoded region_names */
    text_field *channels;             /* encoded channel_names */
    char date_text[SPAN_SECONDS / 86400][10]; /* "YYYY-MM-DD" for each day of the span */
} catalog;

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), integer-only. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static void catalog_build(catalog *c, uint64_t seed) {
    rng r;
    /* The products depend on the seed only, never on --rows, so that sales files of any size
     * join the same products file. */
    rng_seed(&r, seed ^ UINT64_C(0x70726f6475637473));
    for (uint32_t i = 0; i < PRODUCT_COUNT; i++) {
        product *p = &c->products[i];
        p->category_idx = rng_below(&r, COUNT_OF(category_names));
        p->brand_idx = rng_below(&r, COUNT_OF(brand_names));
        const char *noun = category_nouns[p->category_idx][rng_below(&r, 4)];
        const char *adj = adjectives[rng_below(&r, COUNT_OF(adjectives))];
        char raw[256];
        /* Every draw gets its own statement: the order in which C evaluates function
         * arguments is unspecified, and compilers do differ. */
        uint32_t kind = rng_below(&r, 100);
        uint32_t number = rng_below(&r, 900);
        uint32_t letter = rng_below(&r, 26);
        /* About a fifth of the names hold a comma and a few an inch mark, because real
         * product names do and a CSV writer that forgets to quote must be caught. */
        if (kind < 20)
            snprintf(raw, sizeof raw, "%s %s %s, Pack of %u", brand_names[p->brand_idx], adj,
                     noun, 2 + number % 11);
        else if (kind < 24)
            snprintf(raw, sizeof raw, "%s %s %s %u\"", brand_names[p->brand_idx], adj, noun,
                     10 + number % 66);
        else
            snprintf(raw, sizeof raw, "%s %s %s %c%u", brand_names[p->brand_idx], adj, noun,
                     'A' + (int)letter, 100 + number);
        p->name = text_field_make(raw);
        /* From a fifth to twice the category's typical price, never below 0.99. */
        uint32_t base = category_price_cents[p->category_idx];
        uint32_t cents = base / 5 + rng_below(&r, base * 2 - base / 5);
        p->list_cents = cents < 99 ? 99 : cents;
    }
    /* Popularity: rank k (from 1) has weight 2^40 / k, a Zipf law with exponent 1, so the most
     * popular product sells about 10% of all units. Integer weights keep it exact. */
    uint64_t total = 0;
    for (uint32_t k = 0; k < PRODUCT_COUNT; k++) {
        total += (UINT64_C(1) << 40) / (k + 1);
        c->zipf_cdf[k] = total;
    }
    /* Shuffle which product holds which rank, so that popularity is not tied to the id. */
    for (uint32_t k = 0; k < PRODUCT_COUNT; k++)
        c->rank_to_product[k] = k;
    for (uint32_t k = PRODUCT_COUNT - 1; k > 0; k--) {
        uint32_t j = rng_below(&r, k + 1);
        uint32_t t = c->rank_to_product[k];
        c->rank_to_product[k] = c->rank_to_product[j];
        c->rank_to_product[j] = t;
    }
    c->categories = text_fields_make(category_names, COUNT_OF(category_names));
    c->brands = text_fields_make(brand_names, COUNT_OF(brand_names));
    c->regions = text_fields_make(region_names, COUNT_OF(region_names));
    c->channels = text_fields_make(channel_names, COUNT_OF(channel_names));
    /* 2024-01-01 is day 19723 after the epoch. */
    for (unsigned day = 0; day < SPAN_SECONDS / 86400; day++) {
        int y;
        unsigned m, d;
        civil_from_days(19723 + (int64_t)day, &y, &m, &d);
        char *t = c->date_text[day];
        put_2digits(t, (unsigned)y / 100);
        put_2digits(t + 2, (unsigned)y % 100);
        t[4] = '-';
        put_2digits(t + 5, m);
        t[7] = '-';
        put_2digits(t + 8, d);
    }
}

static void text_fields_free(text_field *f, size_t count) {
    for (size_t i = 0; i < count; i++)
        text_field_free(&f[i]);
    free(f);
}

/* Frees everything catalog_build allocated, and c itself. */
static void catalog_free(catalog *c) {
    for (uint32_t i = 0; i < PRODUCT_COUNT; i++)
        text_field_free(&c->products[i].name);
    text_fields_free(c->categories, COUNT_OF(category_names));
    text_fields_free(c->brands, COUNT_OF(brand_names));
    text_fields_free(c->regions, COUNT_OF(region_names));
    text_fields_free(c->channels, COUNT_OF(channel_names));
    free(c);
}

/* Draw a product index by popularity: binary search of the cumulative weights. */
static uint32_t catalog_pick_product(const catalog *c, rng *r) {
    uint64_t total = c->zipf_cdf[PRODUCT_COUNT - 1];
    /* A 64x64 multiply-high maps a 64-bit draw onto [0, total) without division. */
    uint64_t u = (uint64_t)(((unsigned __int128)rng_next(r) * total) >> 64);
    uint32_t lo = 0, hi = PRODUCT_COUNT - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->zipf_cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return c->rank_to_product[lo];
}

static uint32_t pick_weighted(rng *r, const uint32_t *percent, uint32_t count) {
    uint32_t x = rng_below(r, 100), acc = 0;
    for (uint32_t i = 0; i + 1 < count; i++) {
        acc += percent[i];
        if (x < acc)
            return i;
    }
    return count - 1;
}

/* ---------------------------------------------------------------------------------------------
 * Writers.
 */
typedef enum { FORMAT_CSV, FORMAT_NDJSON } out_format;

static void write_products(out_stream *o, const catalog *c, out_format fmt) {
    if (fmt == FORMAT_CSV)
        o->p = PUT_LIT(o->p, "product_id,product_name,category,brand,list_price\n");
    for (uint32_t i = 0; i < PRODUCT_COUNT; i++) {
        const product *p = &c->products[i];
        const text_field *cat = &c->categories[p->category_idx];
        const text_field *brand = &c->brands[p->brand_idx];
        out_reserve_row(o);
        char *q = o->p;
        if (fmt == FORMAT_CSV) {
            q = put_u64(q, i + 1);
            *q++ = ',';
            q = put(q, p->name.csv, p->name.csv_len);
            *q++ = ',';
            q = put(q, cat->csv, cat->csv_len);
            *q++ = ',';
            q = put(q, brand->csv, brand->csv_len);
            *q++ = ',';
            q = put_cents(q, p->list_cents);
        } else {
            q = PUT_LIT(q, "{\"product_id\":");
            q = put_u64(q, i + 1);
            q = PUT_LIT(q, ",\"product_name\":");
            q = put(q, p->name.json, p->name.json_len);
            q = PUT_LIT(q, ",\"category\":");
            q = put(q, cat->json, cat->json_len);
            q = PUT_LIT(q, ",\"brand\":");
            q = put(q, brand->json, brand->json_len);
            q = PUT_LIT(q, ",\"list_price\":");
            q = put_cents(q, p->list_cents);
            *q++ = '}';
        }
        *q++ = '\n';
        o->p = q;
    }
}

/* The customer's e-mail, derived from the id alone; returns the end of the text written, or q
 * itself for a customer who gave no address. */
static char *put_email(char *q, uint64_t customer_id, uint64_t seed) {
    uint64_t h = hash64(customer_id, seed);
    if (h % 100 < NO_EMAIL_PERCENT)
        return q;
    h /= 100;
    const char *first = first_names[h % COUNT_OF(first_names)];
    h /= COUNT_OF(first_names);
    const char *last = last_names[h % COUNT_OF(last_names)];
    h /= COUNT_OF(last_names);
    const char *domain = email_domains[h % COUNT_OF(email_domains)];
    q = put(q, first, strlen(first));
    *q++ = '.';
    q = put(q, last, strlen(last));
    q = put_u64(q, customer_id);
    *q++ = '@';
    return put(q, domain, strlen(domain));
}

static void write_sales(out_stream *o, const catalog *c, out_format fmt, uint64_t rows,
                        uint64_t seed) {
    rng r;
    rng_seed(&r, seed);
    /* About eight orders per customer, with a floor so that small files still vary. */
    uint64_t customers = rows / 8 < 1000 ? 1000 : rows / 8;
    /* Timestamps rise with order_id: order i sits in the i-th slice of the span, at a random
     * second inside it (no jitter once slices are shorter than a second). */
    uint64_t slice = rows ? SPAN_SECONDS / rows : 0;
    if (fmt == FORMAT_CSV)
        o->p = PUT_LIT(o->p, "order_id,order_ts,customer_id,product_id,product_name,category,"
                             "region,store_id,quantity,unit_price,discount,channel,"
                             "customer_email\n");
    for (uint64_t i = 0; i < rows && !o->failed; i++) {
        uint64_t order_id = i + 1;
        uint64_t ts = i * SPAN_SECONDS / rows + (slice > 1 ? rng_below(&r, (uint32_t)slice) : 0);
        unsigned day = (unsigned)(ts / 86400), sec = (unsigned)(ts % 86400);
        uint64_t customer_id = 1 + (uint64_t)(((unsigned __int128)rng_next(&r) * customers) >> 64);
        uint32_t product_idx = catalog_pick_product(c, &r);
        const product *p = &c->products[product_idx];
        uint32_t store_id = 1 + rng_below(&r, STORE_COUNT);
        /* Stores belong to regions round-robin, so a store is always in the same region. */
        const text_field *region = &c->regions[(store_id - 1) % COUNT_OF(region_names)];
        /* The smaller of two uniform draws: small quantities are the common case. */
        uint32_t q1 = rng_below(&r, 20);
        uint32_t q2 = rng_below(&r, 20);
        uint32_t quantity = 1 + (q1 < q2 ? q1 : q2);
        /* The price paid moves within 5% of the list price (promotions, price changes). */
        uint64_t unit_cents = (uint64_t)p->list_cents * (95 + rng_below(&r, 11)) / 100;
        uint32_t discount = discount_hundredths[pick_weighted(
            &r, discount_percent, COUNT_OF(discount_percent))];
        const text_field *channel =
            &c->channels[pick_weighted(&r, channel_percent, COUNT_OF(channel_percent))];
        const text_field *cat = &c->categories[p->category_idx];

        out_reserve_row(o);
        char *q = o->p;
        if (fmt == FORMAT_CSV) {
            q = put_u64(q, order_id);
            *q++ = ',';
        } else {
            q = PUT_LIT(q, "{\"order_id\":");
            q = put_u64(q, order_id);
            q = PUT_LIT(q, ",\"order_ts\":\"");
        }
        q = put(q, c->date_text[day], 10);
        *q++ = ' ';
        q = put_2digits(q, sec / 3600);
        *q++ = ':';
        q = put_2digits(q, sec / 60 % 60);
        *q++ = ':';
        q = put_2digits(q, sec % 60);
        if (fmt == FORMAT_CSV) {
            *q++ = ',';
            q = put_u64(q, customer_id);
            *q++ = ',';
            q = put_u64(q, product_idx + 1);
            *q++ = ',';
            q = put(q, p->name.csv, p->name.csv_len);
            *q++ = ',';
            q = put(q, cat->csv, cat->csv_len);
            *q++ = ',';
            q = put(q, region->csv, region->csv_len);
            *q++ = ',';
            q = put_u64(q, store_id);
            *q++ = ',';
            q = put_u64(q, quantity);
            *q++ = ',';
            q = put_cents(q, unit_cents);
            *q++ = ',';
            q = put_cents(q, discount);
            *q++ = ',';
            q = put(q, channel->csv, channel->csv_len);
            *q++ = ',';
            /* No address is an empty field, which CSV readers take as NULL. */
            q = put_email(q, customer_id, seed);
        } else {
            q = PUT_LIT(q, "\",\"customer_id\":");
            q = put_u64(q, customer_id);
            q = PUT_LIT(q, ",\"product_id\":");
            q = put_u64(q, product_idx + 1);
            q = PUT_LIT(q, ",\"product_name\":");
            q = put(q, p->name.json, p->name.json_len);
            q = PUT_LIT(q, ",\"category\":");
            q = put(q, cat->json, cat->json_len);
            q = PUT_LIT(q, ",\"region\":");
            q = put(q, region->json, region->json_len);
            q = PUT_LIT(q, ",\"store_id\":");
            q = put_u64(q, store_id);
            q = PUT_LIT(q, ",\"quantity\":");
            q = put_u64(q, quantity);
            q = PUT_LIT(q, ",\"unit_price\":");
            q = put_cents(q, unit_cents);
            q = PUT_LIT(q, ",\"discount\":");
            q = put_cents(q, discount);
            q = PUT_LIT(q, ",\"channel\":");
            q = put(q, channel->json, channel->json_len);
            q = PUT_LIT(q, ",\"customer_email\":");
            char *email = q + 1;
            char *end = put_email(email, customer_id, seed);
            if (end == email) {
                q = PUT_LIT(q, "null");
            } else {
                *q = '"';
                q = end;
                *q++ = '"';
            }
            *q++ = '}';
        }
        *q++ = '\n';
        o->p = q;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Command line.
 */
static void usage(FILE *f) {
    fprintf(f,
            "usage: gen_sales --rows N [--format csv|ndjson] [--seed S] [-o FILE]\n"
            "       gen_sales --products [--format csv|ndjson] [--seed S] [-o FILE]\n"
            "\n"
            "Writes the deterministic `sales` fact table (N rows) or, with --products, the\n"
            "`products` dimension (%u rows) that its product_id refers to. CSV has a header\n"
            "line; NDJSON has one object per line. Without -o (or with -o -) the data goes to\n"
            "standard output. The same arguments give the same bytes on every machine.\n"
            "N accepts a suffix k (thousand) or M (million): --rows 10M.\n",
            PRODUCT_COUNT);
}

/* Parse a count such as "1000000", "250k" or "10M" no larger than max; 0 on success. */
static int parse_count(const char *s, uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    uint64_t mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1000, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1000000, end++;
    if (*end != '\0' || v > UINT64_MAX / mult)
        return -1;
    *out = (uint64_t)v * mult;
    return *out > max ? -1 : 0;
}

int main(int argc, char **argv) {
    uint64_t rows = 0, seed = DEFAULT_SEED;
    int have_rows = 0, products = 0;
    out_format fmt = FORMAT_CSV;
    const char *path = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--products")) {
            products = 1;
        } else if (!strcmp(a, "--rows") && val) {
            /* At most 2^40 rows keeps i * SPAN_SECONDS inside 64 bits when placing timestamps. */
            if (parse_count(val, UINT64_C(1) << 40, &rows)) {
                fprintf(stderr, "gen_sales: --rows wants a count such as 1000000 or 10M, not '%s'\n",
                        val);
                return 1;
            }
            have_rows = 1;
            i++;
        } else if (!strcmp(a, "--seed") && val) {
            if (parse_count(val, UINT64_MAX, &seed)) {
                fprintf(stderr, "gen_sales: --seed wants a non-negative integer, not '%s'\n", val);
                return 1;
            }
            i++;
        } else if (!strcmp(a, "--format") && val) {
            if (!strcmp(val, "csv"))
                fmt = FORMAT_CSV;
            else if (!strcmp(val, "ndjson") || !strcmp(val, "jsonl"))
                fmt = FORMAT_NDJSON;
            else {
                fprintf(stderr, "gen_sales: --format is csv or ndjson, not '%s'\n", val);
                return 1;
            }
            i++;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && val) {
            path = val;
            i++;
        } else {
            fprintf(stderr, "gen_sales: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    if (!products && !have_rows) {
        fprintf(stderr, "gen_sales: say how many rows with --rows N (or ask for --products)\n");
        usage(stderr);
        return 1;
    }

    int fd = STDOUT_FILENO;
    if (path && strcmp(path, "-")) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            fprintf(stderr, "gen_sales: cannot create %s: %s\n", path, strerror(errno));
            return 1;
        }
    }

    catalog *c = xmalloc(sizeof *c);
    catalog_build(c, seed);
    out_stream o = {.fd = fd, .data = xmalloc(OUT_CAPACITY)};
    o.p = o.data;
    if (products)
        write_products(&o, c, fmt);
    else
        write_sales(&o, c, fmt, rows, seed);
    out_flush(&o);
    /* Freed although the process ends anyway, so that leak checkers (the sanitizer builds run
     * this program too) have nothing to report. */
    free(o.data);
    catalog_free(c);
    int rc = 0;
    if (o.failed) {
        fprintf(stderr, "gen_sales: cannot write %s: %s\n", path ? path : "standard output",
                strerror(o.err));
        rc = 1;
    }
    if (fd != STDOUT_FILENO && close(fd) != 0 && rc == 0) {
        fprintf(stderr, "gen_sales: cannot write %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    return rc;
}
