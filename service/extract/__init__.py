"""Extraction: article text to mentions and relationships (DESIGN.md, "Layout": extract/)."""
