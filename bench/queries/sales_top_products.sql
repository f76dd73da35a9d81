-- The ten products with the highest revenue.
select
    product_id,
    product_name,
    sum(quantity * unit_price * (1 - discount)) as revenue
from read_parquet('sales.parquet')
group by product_id, product_name
order by revenue desc
limit 10;
