"""Ingestion: source -> candidate graph -> validate -> commit (DESIGN.md, "Writes")."""
