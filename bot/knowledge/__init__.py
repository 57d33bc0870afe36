"""The knowledge base's data model (procedures, guides) and the commune registry with office details.

These types are what ingest validates the files in `knowledge/` against and what every other layer reads.
"""
