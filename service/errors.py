"""The domain errors of the service; the HTTP layer maps each to one status, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.validation import ValidationReport


class AllianceGraphError(Exception):
    """Base of the errors that are the caller's fault and are reported to them as such."""

    status = 400
    title = "Bad request"
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only class default, overridden per class


class RdfSyntaxError(AllianceGraphError):
    """An RDF document that does not parse; ``line`` and ``column`` are 1-based where known."""

    title = "RDF syntax error"

    def __init__(
        self, message: str, *, line: int | None = None, column: int | None = None, source: str = ""
    ) -> None:
        where = f"{source}:" if source else ""
        if line is not None:
            where += f"{line}:{column or 0}: "
        super().__init__(f"{where}{message}")
        self.detail = message
        self.line = line
        self.column = column
        self.source = source

    @classmethod
    def from_parser(cls, error: SyntaxError, source: str = "") -> RdfSyntaxError:
        """The error for a pyoxigraph parser failure, with its line and column kept apart."""
        head, separator, rest = str(error).partition(": ")
        message = rest if separator and head.startswith("Parser error at") else str(error)
        return cls(message, line=error.lineno, column=error.offset, source=source)


class QuerySyntaxError(AllianceGraphError):
    """A SPARQL query or update that does not parse."""

    title = "SPARQL syntax error"


class UnsupportedMediaType(AllianceGraphError):
    """A media type or file extension that the service does not read."""

    status = 415
    title = "Unsupported media type"


class ValidationFailed(AllianceGraphError):
    """A write whose candidate does not conform to the SHACL shapes; nothing was written."""

    status = 422
    title = "Validation failed"

    def __init__(self, report: ValidationReport) -> None:
        violations = report.violations
        super().__init__(
            f"{len(violations)} SHACL violation(s); the store is unchanged. "
            + "; ".join(r.describe() for r in violations[:3])
        )
        self.report = report


class NotFound(AllianceGraphError):
    """Something the store does not hold: a company, a domain, an IRI (404)."""

    status = 404
    title = "Not found"


class SourceNotFound(NotFound):
    """A source id or graph that the store does not hold."""


class InvalidParameter(AllianceGraphError):
    """A query parameter or path segment of the wrong form (400)."""

    title = "Bad lookup parameter"


class RemoteStoreError(AllianceGraphError):
    """A remote SPARQL store that failed or could not be reached."""

    status = 502
    title = "Remote store error"


class Unauthorized(AllianceGraphError):
    """No credentials where the operation needs them."""

    status = 401
    title = "Authentication required"
    headers = {"WWW-Authenticate": 'Bearer realm="alliancegraph"'}  # noqa: RUF012


class Forbidden(AllianceGraphError):
    """Credentials that do not allow the operation, or a server that refuses it."""

    status = 403
    title = "Forbidden"


class BodyTooLarge(AllianceGraphError):
    status = 413
    title = "Request body too large"


class MalformedRequestBody(AllianceGraphError):
    title = "Malformed request"


class ManagedGraphError(AllianceGraphError):
    """A write aimed at a graph that the service maintains itself."""

    status = 403
    title = "Graph is managed by the service"


class MissingGraphError(AllianceGraphError):
    """Triples that no named graph was given for."""

    title = "No target graph"


class MalformedRequest(AllianceGraphError):
    """A protocol request that breaks the SPARQL 1.1 Protocol's rules."""

    title = "Malformed SPARQL protocol request"


class MethodNotAllowed(AllianceGraphError):
    status = 405
    title = "Method not allowed"


class NotAcceptable(AllianceGraphError):
    """No offered media type is acceptable to the client."""

    status = 406
    title = "Not acceptable"


class FederationRefused(AllianceGraphError):
    """A SERVICE call to an endpoint that is not on the allow-list."""

    status = 403
    title = "Federated query refused"


class QueryTimeout(AllianceGraphError):
    status = 503
    title = "Query time limit exceeded"


class ServerBusy(AllianceGraphError):
    status = 503
    title = "Too many queries in progress"


class UpdateTooLarge(AllianceGraphError):
    status = 507
    title = "Store too large for a validated SPARQL update"


class UpdateFailed(AllianceGraphError):
    title = "Update failed"


class LoadRefused(AllianceGraphError):
    status = 403
    title = "LOAD is disabled"


class GraphPayloadError(AllianceGraphError):
    title = "Graph payload error"


class ArticleFormatError(AllianceGraphError):
    """An article file, JSON line or request that is not a valid article."""

    title = "Malformed article"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
