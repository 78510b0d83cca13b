-- The per-site results of the latest completed scoring run, for analysts (published after every score).
create view mart_latest_run_site_results as
select r.run_id, r.finished_at, r.profile, r.candidates,
       s.site_id, s.site_name, s.score, s.rank, s.excluded, s.pue_annual, s.carbon_g_per_kwh, s.price_usd_per_mwh
from run_site_results s
join (select * from runs where status = 'completed' order by finished_at desc, run_id desc limit 1) r using (run_id);
