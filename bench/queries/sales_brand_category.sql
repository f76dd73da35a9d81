-- The fact joined with the products dimension, grouped by brand and category.
select
    p.brand,
    p.category,
    count(*) as orders,
    sum(s.quantity * s.unit_price) as gross
from read_parquet('sales.parquet') as s
join read_parquet('products.parquet') as p on s.product_id = p.product_id
group by p.brand, p.category
order by p.brand, p.category;
