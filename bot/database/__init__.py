"""The database: SQLAlchemy tables, one repository per aggregate, and Alembic migrations.

SQLite under var/ by default, PostgreSQL by `TTHC_DATABASE_URL`. `Database(url)` opens the engine and hands out
the repositories (conversations, feedback, scans, clerk accounts and their sessions, audit); `upgrade()` brings
the schema to the newest migration, including a database that `create_all` made before there were migrations.
Every text is redacted before it is stored.
"""
