"""embedtune: fine-tune an embedding model on your PDFs, prove it is better, ship it.

Heavy libraries (torch, sentence-transformers) load only when a stage runs, so importing this
package (e.g. from an Airflow DAG file) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from embedtune.config import EmbedtuneConfig

if TYPE_CHECKING:
    from embedtune.retriever import Retriever

__all__ = ["EmbedtuneConfig", "Retriever"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "Retriever":
        from embedtune.retriever import Retriever

        return Retriever
    raise AttributeError(name)
