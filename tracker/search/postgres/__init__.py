"""The PostgreSQL backend: search documents in a table of the archive's own database.

table.py    the ``search_unit`` table (migration 0014) and how a unit becomes a row and a tsvector
parse.py    the query language (the Whoosh backend's parser, the same aliases and rewrites) as a tsquery
marks.py    where the query's words are in a stored text, for the highlighter (highlight.py)
backend.py  ``PostgresBackend``: rows written in the transaction of the data they describe, ranked
            search with facets counted by SQL, similar proposals, spelling

Chosen with ``SEARCH_BACKEND = "postgres"`` (``TRACKER_SEARCH_BACKEND=postgres``) on a PostgreSQL
``DATABASE_URL``. Every server reads the same rows, so a withhold or a submit is searchable (or not)
everywhere the moment its transaction commits; there is no index folder to rebuild per server.
"""
