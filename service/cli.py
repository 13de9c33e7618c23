"""The ``alliancegraph`` command (DESIGN.md, "Interfaces": CLI)."""

from __future__ import annotations

import copy
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
from pydantic import ValidationError
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    serialize,
)
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from service.config import Settings
from service.context import ServiceContext
from service.errors import AllianceGraphError, RemoteStoreError, ValidationFailed
from service.federation import check_federation
from service.ingest.rdf_load import LoadResult, bulk_load_file, load_files
from service.rdf_formats import format_for_path
from service.store_audit import validate_store

app = typer.Typer(
    help="AllianceGraph: corporate alliances as a validated knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

if TYPE_CHECKING:
    from service.link.linker import Linker

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Embedded store folder (default: ALLIANCEGRAPH_STORE, else ./data/store), or the "
        "query URL of a SPARQL 1.1 server (http(s)://…; see ALLIANCEGRAPH_STORE_* for the rest).",
        show_default=False,
    ),
]


class State:
    store: str | None = None


@app.callback()
def main(store: StoreOption = None) -> None:
    """Options shared by every command."""
    State.store = store


def _settings(**overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if State.store is not None:
        if State.store.startswith(("http://", "https://")):
            values["store_query_url"] = State.store
        else:
            values["store"] = Path(State.store)
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(p) for p in problem["loc"]) or "settings"
            typer.echo(f"error: configuration {where}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def _open(**overrides: object) -> ServiceContext:
    settings = _settings(**overrides)
    try:
        context = ServiceContext(settings)
    except OSError as error:
        typer.echo(
            f"error: cannot open the store at {settings.store}: {error}\n"
            "  (only one process can open an embedded store: is `alliancegraph serve` running "
            "on it?)",
            err=True,
        )
        raise typer.Exit(1) from None
    except RemoteStoreError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if context.ontology_reloaded:
        err.print(f"[dim]ontology {context.ontology.version} loaded into the store[/dim]")
    return context


def _iri(value: str | None) -> NamedNode | None:
    """A graph option as an IRI. :raises typer.BadParameter: for an invalid IRI."""
    if value is None:
        return None
    try:
        return NamedNode(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a valid IRI ({error})") from None


def _fail(error: AllianceGraphError) -> None:
    typer.echo(f"error: {error}", err=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Refuse every write (updates, graph uploads).")
    ] = False,
) -> None:
    """Serve the HTTP API: SPARQL 1.1 query/update, Graph Store, ontology, health."""
    import uvicorn

    from service.api.app import create_app

    settings = _settings(host=host, port=port, read_only=read_only or None)
    application = create_app(settings)
    base = f"http://{settings.host}:{settings.port}"
    err.print(
        f"AllianceGraph serving {settings.store_name()} on [bold]{base}[/bold]\n"
        f"  SPARQL endpoint  {base}/sparql (query page in a browser)\n"
        f"  Graph Store      {base}/store?graph=IRI\n"
        f"  health           {base}/health\n"
        f"  API docs         {base}/docs\n"
        f"  ontology         {base}/ontology"
        + ("\n  read-only: every write is refused" if settings.read_only else "")
    )
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_config=_log_config(settings.access_log_flush_s),
        access_log=False,  # the app writes its own, after each response (service.api.access_log)
    )


def _log_config(access_log_flush_s: float) -> dict[str, Any]:
    """uvicorn's logging set-up, with the service's loggers at INFO: the access log on standard
    output (where uvicorn writes its own), flushed at most every ``access_log_flush_s`` seconds
    (``service.api.access_log.BatchedStreamHandler``), errors and linking on standard error."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    # uvicorn's line prefix without its colours: its formatter copies every record to colour it.
    config["formatters"]["requests"] = {"format": "%(levelname)s:     %(message)s"}
    config["handlers"]["requests"] = {
        **config["handlers"]["access"],
        "class": "service.api.access_log.BatchedStreamHandler",
        "formatter": "requests",
        "flush_s": access_log_flush_s,
    }
    for name in ("alliancegraph", "service"):  # service.*: the modules' own loggers
        config["loggers"][name] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["alliancegraph.access"] = {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    return config


@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    graph: Annotated[
        str | None,
        typer.Option(help="Graph IRI for triples outside a named graph (Turtle, N-Triples...)."),
    ] = None,
    no_validate: Annotated[
        bool,
        typer.Option(
            "--no-validate",
            help="Admin bulk load: stream without the SHACL gate, adding to existing graphs.",
        ),
    ] = False,
) -> None:
    """Load RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML).

    With validation (the default) the files are one write: each graph they write is replaced by
    what they hold together, checked against the SHACL shapes, and all are committed in one
    transaction, so loading the same files twice changes nothing. If anything does not conform,
    nothing is written and the exit code is 1.
    """
    target = _iri(graph)
    context = _open()
    try:
        if no_validate:
            err.print("[yellow]--no-validate: the SHACL gate is bypassed for this load[/yellow]")
            for path in files:
                _print_loaded(_bulk_load_with_progress(context, path, target))
            return
        with err.status(f"validating and loading {len(files)} file(s)"):
            result = load_files(context.store, context.shapes, files, context.graphs, graph=target)
        _print_loaded(result)
    except ValidationFailed as error:
        typer.echo(f"rejected: {', '.join(map(str, files))}; nothing was written", err=True)
        _print_report(error.report.to_text())
        raise typer.Exit(1) from None
    except AllianceGraphError as error:
        _fail(error)
        raise typer.Exit(1) from None
    finally:
        context.close()


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders of sources.")],
    jobs: Annotated[int, typer.Option(min=1, help="Extraction worker processes.")] = 1,
    report: Annotated[
        Path, typer.Option(help="Where to write one JSON line per source (accepted or not).")
    ] = Path("ingest-report.jsonl"),
    no_link: Annotated[
        bool, typer.Option("--no-link", help="Do not link new firms to Wikidata afterwards.")
    ] = False,
) -> None:
    """Ingest article files (front matter), article JSON/JSON lines and RDF documents.

    Each source is validated and committed on its own, atomically; the exit code is 1 if any
    was rejected (the report says why). Running the same command again changes nothing.
    """
    from service.ingest.batch import Outcome, discover, ingest_paths
    from service.ingest.pipeline import Ingestor

    try:
        files = discover(paths)
    except FileNotFoundError as error:
        raise typer.BadParameter(str(error)) from None
    context = _open()
    try:
        with (
            report.open("w", encoding="utf-8") as lines,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed} sources"),
                TextColumn("[green]{task.fields[accepted]} accepted"),
                TextColumn("[red]{task.fields[rejected]} rejected"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task(
                f"ingesting {len(files)} file(s)", total=None, accepted=0, rejected=0
            )
            counts = {"accepted": 0, "rejected": 0}

            def on_outcome(outcome: Outcome) -> None:
                lines.write(outcome.to_json() + "\n")
                lines.flush()
                counts[outcome.status] += 1
                progress.update(
                    task, advance=1, accepted=counts["accepted"], rejected=counts["rejected"]
                )

            summary = ingest_paths(Ingestor(context), files, jobs=jobs, on_outcome=on_outcome)
        typer.echo(
            f"ingested {summary.accepted} source(s), rejected {summary.rejected}; report: {report}",
            err=True,
        )
        if not no_link and context.settings.link_on_ingest and summary.accepted:
            _link_all(context)
    finally:
        context.close()
    if summary.rejected:
        raise typer.Exit(1)


def _link_all(context: ServiceContext) -> None:
    """Link every unlinked firm of the store, saying what happened."""
    from service.link.linker import Linker

    linker = Linker(context)
    try:
        _run_linker(linker)
    finally:
        linker.close()


def _run_linker(linker: Linker) -> None:
    """One linking run with a progress bar, and what it did."""
    if not linker.enabled:
        typer.echo("linking: off (ALLIANCEGRAPH_WIKIDATA_ENDPOINT is empty)", err=True)
        return
    with Progress(
        TextColumn("linking to Wikidata"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} linked"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("link", total=None)
        report = linker.link(
            progress=lambda done, total: progress.update(task, completed=done, total=total)
        )
    typer.echo(
        f"linking: {len(report.linked)} linked, {len(report.review)} waiting for review "
        f"(alliancegraph link --review), {len(report.unlinked)} with no candidate; "
        f"{report.requests} request(s) to {linker.endpoint}",
        err=True,
    )
    if report.unavailable:
        typer.echo(f"linking unavailable, retry later: {report.unavailable}", err=True)


@app.command()
def link(
    review: Annotated[
        bool, typer.Option("--review", help="List the firms waiting for a decision.")
    ] = False,
    accept: Annotated[
        str | None,
        typer.Option(help="A decision: FIRM=QID (FIRM an IRI or the slug after id/org/)."),
    ] = None,
    no_item: Annotated[
        str | None, typer.Option("--no-item", help="A decision: FIRM has no Wikidata item.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Link firms to Wikidata, list the undecided ones, or record a person's decision.

    Without options, links every firm that has no link and no decision yet. Decisions are
    curated data (the reference graph) and automatic linking never overrides them.
    """
    from service.link.linker import Linker, firm_of

    context = _open()
    linker = Linker(context)
    try:
        if accept is not None:
            firm, _, qid = accept.partition("=")
            if not re.fullmatch(r"Q[1-9][0-9]*", qid.strip()):
                raise typer.BadParameter("--accept takes FIRM=QID, e.g. samsung-electronics=Q20718")
            linker.decide(firm_of(context, firm.strip()), qid.strip())
            typer.echo(f"linked {firm.strip()} to {qid.strip()} (a person's decision)", err=True)
        if no_item is not None:
            linker.decide(firm_of(context, no_item.strip()), None)
            typer.echo(f"{no_item.strip()}: no Wikidata item (a person's decision)", err=True)
        if review:
            _print_review(linker.cache.review(), as_json=as_json)
        if accept is None and no_item is None and not review:
            _run_linker(linker)
    except ValidationFailed as error:
        _print_report(error.report.to_text())
        raise typer.Exit(1) from None
    except AllianceGraphError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        linker.close()
        context.close()


def _print_review(waiting: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(waiting, ensure_ascii=False, indent=2))
        return
    for entry in waiting:
        typer.echo(f"{entry['label']}  <{entry['organization']}>: {entry['reason']}")
        for candidate in entry["candidates"]:
            typer.echo(f"    {candidate['qid']}  {candidate['score']}  {candidate['why']}")
    if not waiting:
        typer.echo("nothing waits for review", err=True)


_REPORT_LINES = 25


def _print_report(text: str) -> None:
    lines = text.splitlines()
    for line in lines[:_REPORT_LINES]:
        typer.echo(line, err=True)
    if len(lines) > _REPORT_LINES:
        typer.echo(f"... and {len(lines) - _REPORT_LINES} more", err=True)


_LISTED_GRAPHS = 10


def _print_loaded(result: LoadResult) -> None:
    if len(result.graphs) > _LISTED_GRAPHS:
        # A bulk load of thousands of source graphs is summed up, not listed.
        total = sum(result.graphs.values())
        graphs = f"{total:,} quads in {len(result.graphs):,} graphs"
    else:
        graphs = ", ".join(f"<{g}> {n} quads" for g, n in result.graphs.items()) or "nothing"
    checked = (
        f"{len(result.report.warnings)} warning(s)"
        if result.report is not None
        else "not validated"
    )
    names = ", ".join(str(p) for p in result.paths)
    typer.echo(f"loaded {names}: {graphs}; {checked}", err=True)
    for graph in result.skipped:
        typer.echo(f"  skipped <{graph}>: maintained by the service", err=True)


def _bulk_load_with_progress(
    context: ServiceContext, path: Path, graph: NamedNode | None
) -> LoadResult:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size)
        return bulk_load_file(
            context.store,
            path,
            context.graphs,
            graph=graph,
            on_progress=lambda n: progress.advance(task, n),
        )


class ResultFormat(StrEnum):
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"


_SOLUTION_FORMATS = {
    ResultFormat.json: QueryResultsFormat.JSON,
    ResultFormat.csv: QueryResultsFormat.CSV,
    ResultFormat.tsv: QueryResultsFormat.TSV,
    ResultFormat.xml: QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {ResultFormat.turtle: RdfFormat.TURTLE, ResultFormat.ntriples: RdfFormat.N_TRIPLES}


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL 1.1 query, or @FILE to read one.")],
    result_format: Annotated[
        ResultFormat | None,
        typer.Option(
            "--format",
            help="SELECT/ASK: json (default), csv, tsv, xml. CONSTRUCT/DESCRIBE: turtle "
            "(default), ntriples.",
        ),
    ] = None,
) -> None:
    """Run a SPARQL query over the union of all graphs and print the results."""
    text = sparql
    if sparql.startswith("@"):
        try:
            text = Path(sparql[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise typer.BadParameter(f"cannot read the query file: {error}") from None
    context = _open()
    try:
        check_federation(text, context.settings.federation_allowlist)
        result = context.store.query(text, base_iri=context.settings.base_iri)
        out: BinaryIO = sys.stdout.buffer
        if isinstance(result, QuerySolutions | QueryBoolean):
            chosen = result_format or ResultFormat.json
            if chosen not in _SOLUTION_FORMATS:
                raise typer.BadParameter(f"a SELECT or ASK result cannot be written as {chosen}")
            result.serialize(out, _SOLUTION_FORMATS[chosen])
        else:
            chosen = result_format or ResultFormat.turtle
            if chosen not in _GRAPH_FORMATS:
                raise typer.BadParameter(f"a CONSTRUCT result cannot be written as {chosen}")
            result.serialize(out, _GRAPH_FORMATS[chosen])
        out.flush()
    except AllianceGraphError as error:
        _fail(error)
        raise typer.Exit(1) from None
    finally:
        context.close()


@app.command()
def validate(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Validate the whole store against the SHACL shapes; exit 1 on any violation."""
    import json

    context = _open()
    try:
        with err.status("validating") as status:
            report = validate_store(
                context.store,
                context.shapes,
                context.graphs,
                on_graph=lambda g: status.update(f"validating <{g}>"),
            )
    finally:
        context.close()
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.to_text())
    if not report.conforms:
        raise typer.Exit(1)


@app.command()
def dump(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    graph: Annotated[str | None, typer.Option(help="Dump only this graph.")] = None,
) -> None:
    """Write the dataset (N-Quads, or TriG for a .trig file), or one graph (N-Triples, or the
    format of --output's extension; a quad format keeps the graph's name)."""
    target = _iri(graph)
    rdf_format = RdfFormat.N_QUADS if target is None else RdfFormat.N_TRIPLES
    if output is not None:
        rdf_format = format_for_path(output)
    if target is None and not rdf_format.supports_datasets:
        raise typer.BadParameter(
            f"the whole dataset needs a quad format (.nq or .trig), not {rdf_format.name}; "
            "or pass --graph"
        )
    context = _open()
    try:
        handle = output.open("wb") if output is not None else sys.stdout.buffer
        try:
            if target is not None and rdf_format.supports_datasets:
                serialize(context.store.quads(target), handle, rdf_format)
            else:
                context.store.dump(handle, rdf_format, graph=target)
        finally:
            if output is not None:
                handle.close()
            else:
                handle.flush()
        if output is not None:
            err.print(f"wrote {output}")
    finally:
        context.close()
