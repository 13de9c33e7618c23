"""Linking organizations to Wikidata (see linker.py)."""
