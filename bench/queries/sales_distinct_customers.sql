-- Distinct customers per region.
select
    region,
    count(distinct customer_id) as customers
from read_parquet('sales.parquet')
group by region
order by region;
