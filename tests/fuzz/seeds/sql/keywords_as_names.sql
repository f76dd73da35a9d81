SELECT date, value, year, name, type, count, first, last, key, filter, range, rows, row,
  replace(name, 'a', 'b'), count(value) AS count, t.date
FROM events AS t WHERE date > DATE '2024-01-01';
