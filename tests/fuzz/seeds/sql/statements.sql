CREATE TABLE IF NOT EXISTS sales.orders (
  id BIGINT NOT NULL PRIMARY KEY,
  customer VARCHAR(100),
  amount DECIMAL(18, 2) DEFAULT 0 NOT NULL,
  created TIMESTAMP WITH TIME ZONE,
  region TEXT UNIQUE
) PARTITIONED BY (day(created), bucket(16, id), truncate(4, customer), region);
CREATE TABLE t2 (a INT, b INT, PRIMARY KEY (a, b));
CREATE OR REPLACE TABLE daily PARTITIONED BY (month(d)) AS SELECT * FROM 'dumps/*.csv';
CREATE TEMP TABLE tmp AS SELECT 1 AS x;
INSERT INTO orders (id, customer) VALUES (1, 'a'), (2, 'b');
INSERT INTO orders SELECT * FROM staging;
INSERT INTO orders (SELECT * FROM staging);
DROP TABLE IF EXISTS orders;
DROP VIEW v;
TRUNCATE orders;
TRUNCATE TABLE orders;
CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2;
CREATE VIEW IF NOT EXISTS v2 AS WITH x AS (SELECT 1) SELECT * FROM x;
CREATE UNIQUE INDEX idx ON orders (id, created DESC);
EXPLAIN SELECT 1;
EXPLAIN ANALYZE SELECT * FROM orders;
SET threads = 4;
SET search_path TO 'main';
SET memory_limit TO DEFAULT;
SHOW TABLES;
SHOW threads;
DESCRIBE orders;
