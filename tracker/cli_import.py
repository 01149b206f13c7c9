"""`tracker import PATH... [--manifest FILE] [--session NAME] [--dry-run] [--json]` (issue 13)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from tracker.db import analyze, get_engine
from tracker.domain import archive
from tracker.importing import gather, run_import
from tracker.services import imports
from tracker.services.errors import InvalidInput
from tracker.services.search_sync import default_procs, get_keeper

# A progress bar is worth drawing from this many documents on.
PROGRESS_FROM = 20


def read_manifest(path: Path) -> list[archive.ManifestRow]:
    """The manifest's rows; a manifest that cannot be read stops the command with one line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return imports.read_manifest(data)
    except InvalidInput as error:
        raise click.ClickException(f"{path}: " + "; ".join(str(p) for p in error.problems)) from None


class OneLineCommand(click.Command):
    """Bad arguments end the command with one line and exit status 1, like every other refusal."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException(" ".join(error.format_message().split())) from None


@click.command("import", cls=OneLineCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A .csv or .xlsx listing files with 文件, 届次, 案号, 提案人, 主办单位, 公开… (or English headers).",
)
@click.option("--session", "session_name", help="The session of files that name none (full or short name).")
@click.option("--dry-run", is_flag=True, help="Say what would be imported; save nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--procs",
    type=click.IntRange(1, 16),
    default=default_procs,
    show_default="the cores, at most 4",
    help="Processes reading the files.",
)
@with_appcontext
def import_command(
    paths: tuple[Path, ...],
    manifest: Path | None,
    session_name: str | None,
    dry_run: bool,
    as_json: bool,
    procs: int,
) -> None:
    """Import proposals, replies and policy documents from files (.txt, .docx, .doc, .pdf, .html),
    folders (walked recursively) and .zip archives. A file imported before is skipped; each
    document is saved on its own; files that cannot be read are refused one by one."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"no such file or folder: {', '.join(missing)}")
    if manifest is not None and manifest.suffix.lower() not in (".csv", ".xlsx", ".txt"):
        raise click.ClickException(f"{manifest}: the manifest must be a .csv or .xlsx file")
    rows = read_manifest(manifest) if manifest is not None else []
    engine = get_engine(current_app)
    session_id = None
    if session_name:
        with Session(engine) as session:
            meeting = imports.find_session(session=session, name=session_name)
            if meeting is None:
                raise click.ClickException(f"no session named {session_name!r} (see `tracker sessions list`)")
            session_id = meeting.id
    sources, refused = gather(list(paths), exclude=[manifest] if manifest else [])
    threshold = float(current_app.config.get("IMPORT_REVIEW_THRESHOLD", imports.DEFAULT_THRESHOLD))
    bar = None

    def planned(total: int) -> None:
        nonlocal bar
        if total >= PROGRESS_FROM:
            bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
            bar.__enter__()

    def progress(outcome: str, _name: str) -> None:
        if bar is not None and outcome != "indexing":
            bar.update(1)

    try:
        summary, run_id = run_import(
            engine,
            sources,
            refused=refused,
            manifest=rows,
            session_id=session_id,
            dry_run=dry_run,
            threshold=threshold,
            procs=procs,
            progress=progress,
            planned_hook=planned,
            keeper=get_keeper(current_app),
            background=True,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if not dry_run:
        analyze(engine)  # an import can double the archive: the planner's statistics with it
    if as_json:
        click.echo(json.dumps({"run": run_id, **summary.as_dict()}, ensure_ascii=False, indent=2))
    else:
        for line in summary.lines():
            click.echo(line)
