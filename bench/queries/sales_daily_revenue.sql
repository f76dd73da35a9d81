-- Daily revenue by region: a group by over a computed key (90 days x 8 regions).
select
    cast(order_ts as date) as day,
    region,
    sum(quantity * unit_price * (1 - discount)) as revenue
from read_parquet('sales.parquet')
group by cast(order_ts as date), region
order by day, region;
