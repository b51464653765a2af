"""warta: self-hosted news story intelligence.

Ingest articles from many outlets, clean and deduplicate them, group them into stories, and show
side by side what each outlet reported.
"""

from __future__ import annotations

from .article import Article, Span
from .errors import Errors, Rejected, WartaError
from .pipeline import Pipeline, stage
from .settings import Settings, load_settings

__all__ = [
    "Article",
    "Errors",
    "Pipeline",
    "Rejected",
    "Settings",
    "Span",
    "WartaError",
    "load_settings",
    "stage",
]
__version__ = "0.1.0"
