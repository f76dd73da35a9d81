-- A LIKE filter on a text column (about a fifth of the products are sold in packs).
select
    count(*) as orders,
    sum(quantity) as units
from read_parquet('sales.parquet')
where product_name like '%Pack of%';
