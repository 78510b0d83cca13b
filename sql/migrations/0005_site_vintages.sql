-- Sources loaded per site (live API connectors: vintage 'site:<lat>_<lon>:<period>') keep every
-- site's load current; other sources have one current vintage, the greatest loaded.
create or replace view current_vintages as
select source_id, vintage, max(loaded_at) as loaded_at
from source_loads where vintage like 'site:%' group by source_id, vintage
union all
select source_id, max(vintage) as vintage, max(loaded_at) as loaded_at
from source_loads where vintage not like 'site:%' group by source_id;
