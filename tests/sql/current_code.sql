-- core.current_code follows one-to-one code changes to the latest edition;
-- a split code stays as it was (issue 4: historical facts keep their code
-- and carry the current one).
BEGIN;
SELECT plan(5);
DELETE FROM core.code_change WHERE scheme = 'function' AND from_code LIKE '99%';
INSERT INTO core.code_change (scheme, from_year, from_code, to_year, to_code, change) VALUES
    ('function', 2019, '9990101', 2020, '9990201', 'moved'),
    ('function', 2020, '9990201', 2021, '9990301', 'renamed'),
    ('function', 2019, '9990501', 2020, '9990601', 'split'),
    ('function', 2019, '9990501', 2020, '9990602', 'split'),
    ('function', 2019, '9990701', 2020, '9990801', 'retired');
SELECT is(core.current_code('function', 2019::smallint, '9990101'), '9990301', 'a moved then renamed code reaches its latest code');
SELECT is(core.current_code('function', 2020::smallint, '9990201'), '9990301', 'a later year starts from that year');
SELECT is(core.current_code('function', 2019::smallint, '9990501'), '9990501', 'a split code keeps its own code');
SELECT is(core.current_code('function', 2019::smallint, '9990701'), '9990701', 'a retired code keeps its own code');
SELECT is(core.current_code('function', 2023::smallint, '2010301'), '2010301', 'an unchanged code is its own current code');
SELECT * FROM finish();
ROLLBACK;
