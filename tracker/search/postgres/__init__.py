"""The PostgreSQL backend: search documents in a table of the archive's own database.

table.py    the ``search_unit`` table (migration 0015) and how a unit becomes a row and a tsvector;
            its narrow copies ``search_hit`` and ``search_group`` that searches read (migration 0022)
parse.py    the query language (tracker.search.language, shared with the Whoosh backend) as a tsquery
rebuild.py  ``tracker reindex``: the tables filled in bulk (COPY) and swapped in
backend.py  ``PostgresBackend``: rows written in the transaction of the data they describe, ranked
            search with facets counted by SQL, similar proposals, spelling

Chosen with ``SEARCH_BACKEND = "postgres"`` (``TRACKER_SEARCH_BACKEND=postgres``) on a PostgreSQL
``DATABASE_URL``. Every server reads the same rows, so a withhold or a submit is searchable (or not)
everywhere the moment its transaction commits; there is no index folder to rebuild per server.
"""
