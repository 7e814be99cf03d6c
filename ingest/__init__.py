"""Ingest: raw items (crawler output, exports) to stored, analysed mentions — normalise, de-duplicate, match brands
and ownership (ingest.brands, the one matcher), analyse (nlp), store (storage)."""

from ingest.brands import BrandMatcher
from ingest.ingestor import Ingestor, IngestReport, RejectedItem

__all__ = ["BrandMatcher", "IngestReport", "Ingestor", "RejectedItem"]
