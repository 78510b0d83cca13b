-- A load must list each file once.
select source_id, vintage, load_id || ':' || file as key, 'file listed ' || count(*) || ' times in one load' as problem
from source_loads group by source_id, vintage, load_id, file having count(*) > 1
