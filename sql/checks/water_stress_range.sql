-- WRI Aqueduct 4.0 baseline water stress scores are defined on 0–5 (Kuzma et al. 2023, technical note).
select source_id, vintage, string_id as key, 'bws_score ' || bws_score || ' outside [0, 5]' as problem
from water_stress where bws_score < 0 or bws_score > 5
