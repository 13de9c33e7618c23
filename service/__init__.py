"""AllianceGraph: a knowledge-graph ingestion service for corporate alliances."""

__version__ = "0.1.0"
