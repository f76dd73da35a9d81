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
FROM t SELECT a, b WHERE a > 1 QUALIFY row_number() OVER (PARTITION BY b ORDER BY a DESC) = 1;
DESCRIBE SELECT a, lag(a, 2, 0) OVER (ORDER BY a ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) FROM t;
DESCRIBE 'data/*.csv';
COPY (SELECT * FROM range(10) r(i)) TO 'out.parquet' (FORMAT parquet, COMPRESSION snappy);
COPY t (a, b) FROM 'in.csv' WITH (HEADER, DELIMITER ';', NULL 'NA');
SELECT greatest(a, b, 3), least(DATE '2024-01-01', d) FROM generate_series(TIMESTAMP '2024-01-31', TIMESTAMP '2024-06-01', INTERVAL 1 MONTH) g(d), t;
