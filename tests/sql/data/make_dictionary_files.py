#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# Writes the Parquet files of tests/sql/dictionary/*.test with tarn's own writer (dictionary-
# encoded string columns): run from the repository root after a build,
#   python3 tests/sql/data/make_dictionary_files.py build/src/cli/tarn
#
# dict_strings.parquet: 10,000 rows in row groups of 3,000 (batches of 2,048 cross them), the
#   string values differing between row groups (so do the dictionaries), NULLs and empty
#   strings, upper/lower case and non-ASCII text for ILIKE.
# dict_many.parquet: 40,000 rows in row groups of 10,000 over 20,000 distinct strings, so that
#   parallel partial aggregates hold enough groups to be merged partition by partition.
# dict_fallback.parquet: one row group of 90,000 rows whose string column starts with a few
#   repeated values and then turns unique: the writer's dictionary overflows and the rest of the
#   column chunk is PLAIN.
import csv, os, subprocess, sys, tempfile

tarn = sys.argv[1]
out_dir = os.path.dirname(os.path.abspath(__file__))

NAMES = ['Alpha Pack of 3', 'beta', 'Gamma', '', 'DELTA pack of 2', 'Épsilon', 'zeta Pack Of 5',
         'eta', None]
CATS = ['North', 'South', 'East', 'West', None, 'Central', '', 'north']


def q(v):
    return '' if v is None else '"' + v.replace('"', '""') + '"'


def write(path, header, rows, row_group):
    with tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False) as f:
        f.write(','.join(header) + '\n')
        for r in rows:
            f.write(','.join(q(v) if isinstance(v, str) or v is None else str(v) for v in r) + '\n')
        tmp = f.name
    subprocess.run([tarn, 'convert', tmp, path, '--row-group-size', str(row_group)], check=True)
    os.unlink(tmp)


rows = []
for i in range(10000):
    rg = i // 3000
    # each row group draws from its own slice of the names, plus one name of its own
    pool = NAMES[rg:rg + 6] + ['only in group %d' % rg]
    name = pool[(i * 7 + i // 5) % len(pool)]
    cat = CATS[(i * 3 + rg) % len(CATS)]
    rows.append((i, name, cat, i % 13))
write(os.path.join(out_dir, 'dict_strings.parquet'), ['id', 'name', 'cat', 'qty'], rows, 3000)

rows = []
for i in range(90000):
    s = 'common %d' % (i % 10) if i < 20000 else 'unique %06d' % i
    rows.append((i, s, i % 7))
write(os.path.join(out_dir, 'dict_fallback.parquet'), ['id', 's', 'k'], rows, 100000)

rows = []
for i in range(40000):
    rows.append((i, 'key %05d' % ((i * 7919) % 20000), i % 3))
write(os.path.join(out_dir, 'dict_many.parquet'), ['id', 's', 'k'], rows, 10000)

# dict_pairs.parquet: 60,000 rows in row groups of 7,000 with two string keys whose
#   dictionaries grow from one row group to the next (a: up to 341 values, NULL every 17th row;
#   b: up to 250 values, NULL every 19th row of the first row group only), so that the pair
#   table of two dictionary keys grows and then gives way to the hash table.
rows = []
for i in range(60000):
    rg = i // 7000
    a = None if i % 17 == 0 else 'a%d' % ((i * 7) % (20 + 40 * rg))
    b = None if i < 7000 and i % 19 == 0 else 'b%d' % ((i * 13) % (10 + 30 * rg))
    rows.append((i, a, b, i % 101 - 50))
write(os.path.join(out_dir, 'dict_pairs.parquet'), ['id', 'a', 'b', 'v'], rows, 7000)
