-- Rows of the sales fact.
select count(*) as orders
from read_parquet('sales.parquet');
