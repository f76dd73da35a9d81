-- A full scan of the numeric and timestamp columns: sums, minima and maxima.
select
    count(*) as orders,
    sum(quantity) as units,
    sum(quantity * unit_price) as gross,
    min(unit_price) as min_price,
    max(unit_price) as max_price,
    avg(discount) as avg_discount,
    min(order_ts) as first_order,
    max(order_ts) as last_order
from read_parquet('sales.parquet');
