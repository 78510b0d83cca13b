-- Current-vintage places (GeoNames cities) for naming screening zones by their nearest town.
create view stg_places as
select t.* from places t join current_vintages c using (source_id, vintage);
