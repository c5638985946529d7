"""The schema steps as they were released, frozen: vNNN_<name>.py takes a database from version NNN-1 to NNN.

A database made by an older version of the program is upgraded by these steps, one per version
(store/migrations.py runs them); a new database is made from today's models at once (store/schema.py)
and never runs them. So a step must keep doing what it did when it was released, whatever today's
models look like:

- it never imports today's models (store/models*.py, store/schema.py, store/search.py): its tables,
  columns, indexes and triggers are written out in SQL as they were then;
- a step that computes derived columns for existing cases may fold their events with today's domain
  code (pure: the cached state is always today's fold), but writes only the columns its version has,
  with SQL;
- a released step is never changed, reordered or removed. A change of the schema is a new step at the
  end, a change of today's models and store/schema.py with it, and a fixture of the new version
  (tests/schema_fixtures/make.py); tests/store/test_schema_upgrade.py then upgrades every fixture and
  compares it with a new database.
- from v16 on a step runs on PostgreSQL too (a server's database is made at v15 or later by today's
  models): portable SQL, the shape read with _sql.tables()/columns()/add_columns(), and where the engines
  differ a branch on store.engine.engine_of(db) ("sqlite" or "postgresql").
"""
