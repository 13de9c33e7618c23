"""The RDF serializations the service reads and writes, as a table over pyoxigraph's formats."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

from service.errors import UnsupportedMediaType

_EXTENSIONS = {
    ".ttl": RdfFormat.TURTLE,
    ".trig": RdfFormat.TRIG,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".n3": RdfFormat.N3,
}


def format_for_path(path: Path) -> RdfFormat:
    """The RDF format of a file from its extension.

    >>> format_for_path(Path("a/b.trig")).name
    'TriG'
    >>> format_for_path(Path("x.nq")).name
    'N-Quads'

    :raises UnsupportedMediaType: for an extension that is not an RDF serialization.
    """
    rdf_format = _EXTENSIONS.get(path.suffix.lower())
    if rdf_format is None:
        raise UnsupportedMediaType(
            f"{path}: cannot tell the RDF format from the extension {path.suffix!r}; use one of "
            ", ".join(_EXTENSIONS)
        )
    return rdf_format


def format_for_media_type(media_type: str) -> RdfFormat:
    """The RDF format of a media type (parameters such as ``charset`` are ignored).

    >>> format_for_media_type("text/turtle; charset=utf-8").name
    'Turtle'

    :raises UnsupportedMediaType: for a media type that is not an RDF serialization.
    """
    rdf_format = RdfFormat.from_media_type(media_type.split(";")[0].strip())
    if rdf_format is None:
        raise UnsupportedMediaType(f"{media_type!r} is not an RDF media type this service reads")
    return rdf_format
