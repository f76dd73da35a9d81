WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10),
     s AS (VALUES (1, 'a'), (2, 'b'))
SELECT DISTINCT t.*, u.a AS "Mixed ""Case""", v.b c
FROM s.main.t AS t
  LEFT OUTER JOIN u USING (id)
  RIGHT JOIN v ON v.id = t.id
  FULL JOIN w ON TRUE
  CROSS JOIN x
  NATURAL JOIN y
  INNER JOIN (SELECT 1 AS one) sub ON sub.one = 1,
  read_csv('data/x.csv', delim => ';', header = true) AS csv(a, b),
  'dumps/*.csv',
  (a JOIN b ON a.k = b.k) AS ab
WHERE x > 0
GROUP BY ALL
HAVING count(*) > 1
QUALIFY row_number() OVER (ORDER BY x) = 1
ORDER BY 1 DESC, 2 NULLS FIRST
LIMIT 10 OFFSET 5;
SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL (SELECT 4 ORDER BY 1 LIMIT 1) ORDER BY 1;
((SELECT 1) UNION (SELECT 2)) ORDER BY 1 FETCH FIRST 3 ROWS ONLY;
SELECT * FROM t OFFSET 10 ROWS;
VALUES (1, 2), (3, 4);
SELECT x FROM t GROUP BY 1, 2;
