SELECT a OR b AND NOT c, -x::int, NOT a = b, a BETWEEN b AND c AND d, x NOT BETWEEN 1 AND 2,
  a IS NULL, b IS NOT TRUE, c IS DISTINCT FROM d, e IS NOT DISTINCT FROM f, g IS UNKNOWN,
  x IN (1, 2, 3), y NOT IN (SELECT z FROM t), s LIKE 'a%' ESCAPE '!', s NOT ILIKE '%B',
  a || b || 'c', 1 + 2 * 3 - 4 / 5 % 6, 2 ^ 3, +x, - - 5, -9223372036854775808,
  99999999999999999999999, 1.50, .5, 5., 1e10, 2.5E-3, TRUE, FALSE, NULL, $1, ?, ?
FROM t;
