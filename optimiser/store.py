"""Writing result directories safely: only ever replace what this tool wrote, atomically, under a lock.

Every command that writes a directory (``run``, ``evaluate``, ``robust``, ``alternatives``, ``compare``,
``stress``) goes through :func:`output_directory` and :func:`publish`:

1. **Claim** (:func:`output_directory`): the target must be new, an empty directory, or a directory this
   tool wrote (its ``manifest.json`` names ``optimiser``, and it holds nothing else than what the manifest
   and the report list). Anything else (a user's folder, the inputs, a regular file, ``.``) is refused with
   :class:`~optimiser.errors.InputError` (exit 2) before any work is done, and nothing in it is touched. The
   claim holds an exclusive lock on the sibling ``.<name>.lock`` until the command ends, so two commands
   never mix their files in one directory.
2. **Publish** (:func:`publish`): files are written into a hidden staging sibling ``.<name>.staging-*``,
   the manifest (every file with its size, row count and sha256) is written last, and the staging directory
   is swapped into place by two renames (target → ``.<name>.old-PID``, staging → target).
3. **Recover** (:func:`recover`): a kill between the two renames leaves no target, only the old copy and a
   complete staging directory. The next claim, ``report`` or read of that target finishes the swap (a
   staging directory whose manifest is complete is promoted, else the old copy is restored) and removes
   every leftover of ours.

Reading back: :func:`check_complete` verifies a result directory against its manifest (a missing or
truncated file is named, exit 2). CSVs are long format, sorted, with a fixed float format, so identical
inputs give byte-identical files; text cells that a spreadsheet would run as a formula are neutralised
(:func:`neutralise_formula`) and restored by :func:`read_result_csv`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .errors import InputError, InputIssue, OutputError

logger = logging.getLogger(__name__)

FLOAT_FORMAT = "%.10g"
NOISE = 1e-9
"""Values closer to zero than this are written as 0 (solver round-off, not data)."""

MANIFEST = "manifest.json"
WRITTEN_BY = "optimiser"
MANIFEST_FORMAT = 1
REPORT_ENTRIES: frozenset[str] = frozenset({"report.html", "figures"})
"""What ``optimiser report`` adds to a result directory after it is published."""
LEGACY_RESULT_ENTRIES: frozenset[str] = frozenset(
    {"summary.json", "builds.csv", "dependence.csv", "flows.csv", "baseline_dependence.csv"}
)
"""A result directory from before manifests held only these (and the report)."""
STAGING_MARKER = ".optimiser-staging"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice and Google Sheets run a cell as a formula (OWASP)."""

_held_locks: dict[Path, tuple[int, int]] = {}
"""Locks this process holds: resolved lock path -> (file descriptor, depth), so claims nest."""


# Text cells ---------------------------------------------------------------------------------------------


def neutralise_formula(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading ``= + - @`` (or tab, carriage return) gets a
    ``'`` in front, which spreadsheets show as text. Round-trips through :func:`restore_formula`."""
    if text[:1] in FORMULA_TRIGGERS or (text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS):
        return "'" + text
    return text


def restore_formula(text: str) -> str:
    """The inverse of :func:`neutralise_formula`."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [column for column in frame.columns if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])]


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.select_dtypes("number").columns:
        if frame[column].dtype.kind == "f":
            frame.loc[frame[column].abs() < NOISE, column] = 0.0
    for column in _text_columns(frame):
        frame[column] = frame[column].map(lambda value: neutralise_formula(value) if isinstance(value, str) else value)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as our CSVs are written: no index, fixed float format, ``\\n`` lines, safe text."""
    _clean(frame).to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(temporary)`` beside it and rename: never a half-written ``path``."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_result_csv(path: Path, **options: object) -> pd.DataFrame:
    """Read a CSV this tool wrote, restoring neutralised text cells."""
    frame = pd.read_csv(path, **options)
    for column in _text_columns(frame):
        frame[column] = frame[column].map(lambda value: restore_formula(value) if isinstance(value, str) else value)
    return frame


def dump_json(value: object, path: Path) -> None:
    """Strict JSON (no NaN or Infinity: other readers reject them), flushed to disk."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(finite_only(value), handle, indent=2, sort_keys=False, default=str, allow_nan=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def finite_only(value: object, warnings: list[str] | None = None, where: str = "") -> object:
    """``value`` with every NaN or infinite float replaced by ``None`` (JSON has no such numbers); with
    ``warnings``, a warning naming each replaced entry is appended to it."""
    if isinstance(value, float) and not math.isfinite(value):
        if warnings is not None:
            warnings.append(f"{where or 'a value'} was {value!r}, not a finite number; it is recorded as null")
        return None
    if isinstance(value, dict):
        return {key: finite_only(item, warnings, f"{where}.{key}" if where else str(key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_only(item, warnings, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


# Claiming a target ---------------------------------------------------------------------------------------


def refuse_output(target: Path, why: str) -> InputError:
    """The error for an output target a command will not write (exit 2), saying nothing was written."""
    return InputError(InputIssue(str(target), f"{why}; nothing was written (choose another --out)"))


def _manifest(directory: Path) -> dict | None:
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(value, dict) or value.get("written_by") != WRITTEN_BY or not isinstance(value.get("files"), dict):
        return None
    return value


def is_leftover(name: str) -> bool:
    """Hidden temporaries our writers use (``.x.tmp``, ``.x.123.tmp``, ``.x.tmp-123``) or leave when killed
    mid-rename (``.x.old-123``)."""
    return name.startswith(".") and (".tmp" in name or ".old-" in name)


def _legacy_result(directory: Path) -> bool:
    """A result directory written before manifests: summary.json of ours and nothing but our files."""
    summary = directory / "summary.json"
    try:
        value = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    if not isinstance(value, dict) or "result_format" not in value or "optimiser" not in (value.get("versions") or {}):
        return False
    return all(
        entry.name in LEGACY_RESULT_ENTRIES | REPORT_ENTRIES or is_leftover(entry.name) for entry in directory.iterdir()
    )


def _foreign_entries(directory: Path, manifest: dict) -> list[str]:
    """Entries of ``directory`` that neither the manifest nor a report accounts for."""
    listed = {Path(name).parts[0] for name in manifest["files"]} | {MANIFEST}
    return sorted(
        entry.name
        for entry in directory.iterdir()
        if entry.name not in listed | REPORT_ENTRIES | {STAGING_MARKER} and not is_leftover(entry.name)
    )


def existing_target_entries(target: Path, noun: str = "result directory") -> list[Path] | None:
    """The rules every output target shares: refuse (exit 2) the working directory or a parent, a symbolic
    link, a path under a file, an existing file. None when ``target`` does not exist yet (free to create),
    else its entries, for the caller's own rule on what it may replace."""
    target = Path(target)
    if target.name in ("", ".", "..") or target.resolve() in (Path.cwd(), *Path.cwd().parents):
        raise refuse_output(target, f"is the working directory or one of its parents, not a {noun}")
    enclosing = _enclosing_result(target)
    if enclosing is not None:
        raise refuse_output(target, f"is inside the result directory {enclosing}, which a rerun would replace")
    if target.is_symlink():
        raise refuse_output(target, "is a symbolic link; results are written only to real directories")
    if not target.exists():
        if target.parent.exists() and not target.parent.is_dir():
            raise refuse_output(target, f"cannot be created: {target.parent} is a file")
        return None
    if not target.is_dir():
        raise refuse_output(target, f"is an existing file, not a {noun}")
    return sorted(target.iterdir())


def _enclosing_result(target: Path) -> Path | None:
    """The result directory of ours that ``target`` would sit inside (replacing it would lose ``target``)."""
    for parent in target.resolve().parents:
        if _manifest(parent) is not None or (parent / "sweep.json").is_file():
            return parent
    return None


def check_output_target(target: Path, command: str) -> None:
    """Refuse to write ``target`` unless it is new, an empty directory, or a result this tool wrote for
    ``command``; raises InputError (exit 2) naming why. Reads only: nothing is created or deleted."""
    target = Path(target)
    entries = existing_target_entries(target)
    if not entries:
        return
    manifest = _manifest(target)
    if manifest is None:
        if _legacy_result(target):
            return
        shown = ", ".join(sorted(entry.name for entry in entries)[:5]) + (", ..." if len(entries) > 5 else "")
        raise refuse_output(target, f"is a directory this tool did not write (it holds {shown})")
    if manifest.get("command") != command:
        raise refuse_output(
            target, f"holds the result of `optimiser {manifest.get('command')}`, which `optimiser {command}` will not replace"
        )
    foreign = _foreign_entries(target, manifest)
    if foreign:
        raise refuse_output(target, f"holds files this tool did not write ({', '.join(foreign[:5])}); move them first")


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``target`` (the sibling ``.<name>.lock``, removed on release); re-entrant in
    one process and released by the OS if the process dies. InputError if another process holds it."""
    target = Path(target)
    lock_path = (target.resolve().parent / f".{target.resolve().name}.lock")
    if lock_path in _held_locks:
        descriptor, depth = _held_locks[lock_path]
        _held_locks[lock_path] = (descriptor, depth + 1)
        try:
            yield
        finally:
            descriptor, depth = _held_locks[lock_path]
            _held_locks[lock_path] = (descriptor, depth - 1)
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = _acquire(lock_path, target)
    _held_locks[lock_path] = (descriptor, 1)
    try:
        yield
    finally:
        del _held_locks[lock_path]
        lock_path.unlink(missing_ok=True)
        os.close(descriptor)


LOCK_MARK = b"optimiser lock\n"
"""What our lock files hold: a file of that name that holds anything else is someone else's, never used or
removed."""


def _open_lock_file(lock_path: Path, target: Path) -> int:
    """Open (creating it, marked) the lock file; refuse one that is not ours. An empty one is another
    command's that has not written its mark yet."""
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(descriptor, LOCK_MARK)
        return descriptor
    except FileExistsError:
        pass
    try:
        descriptor = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:  # released between the two opens: take a fresh one
        return _open_lock_file(lock_path, target)
    content = os.pread(descriptor, len(LOCK_MARK) + 1, 0)
    if content not in (b"", LOCK_MARK):
        os.close(descriptor)
        raise refuse_output(target, f"{lock_path.name} beside it is not a lock this tool made; move it first")
    return descriptor


def _acquire(lock_path: Path, target: Path) -> int:
    """Lock ``lock_path`` without waiting. A holder unlinks the file on release, so after locking check that
    the path still names the locked file (else another process may lock a fresh one): retry if not."""
    for _ in range(100):
        descriptor = _open_lock_file(lock_path, target)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise InputError(
                InputIssue(str(target), "another optimiser command is writing this directory; wait for it to finish")
            ) from None
        try:
            if os.stat(lock_path).st_ino == os.fstat(descriptor).st_ino:
                return descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)
    raise InputError(InputIssue(str(target), "could not take the directory's lock; try again"))


@contextmanager
def output_directory(target: str | Path, command: str) -> Iterator[Path]:
    """Claim ``target`` for ``command`` for the duration of the block: refuse what is not ours, lock it,
    finish any interrupted swap. Take the claim before solving, so a refusal costs no solve."""
    target = Path(target)
    check_output_target(target, command)
    with output_lock(target):
        recover(target)
        check_output_target(target, command)
        yield target


# Publishing ---------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows(path: Path) -> int | None:
    """Data rows of a CSV (lines after the header), None for other files."""
    if path.suffix != ".csv":
        return None
    with open(path, "rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def file_entries(directory: Path) -> dict[str, dict[str, object]]:
    """Every file under ``directory`` (relative path -> size, rows, sha256), the manifest's ``files``."""
    entries: dict[str, dict[str, object]] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if not path.is_file() or path.name in (MANIFEST, STAGING_MARKER) or relative.parts[0] in REPORT_ENTRIES:
            continue
        entries[relative.as_posix()] = {"bytes": path.stat().st_size, "rows": _rows(path), "sha256": sha256_of(path)}
    return entries


def write_manifest(directory: Path, command: str) -> None:
    """Write ``manifest.json`` last: its presence says the directory is complete and ours."""
    from . import __version__

    manifest = {
        "written_by": WRITTEN_BY,
        "manifest_format": MANIFEST_FORMAT,
        "optimiser_version": __version__,
        "command": command,
        "files": file_entries(directory),
    }
    temporary = directory / f".{MANIFEST}.tmp"
    dump_json(manifest, temporary)
    os.replace(temporary, directory / MANIFEST)


def _staging_siblings(target: Path, kind: str) -> list[Path]:
    if not target.parent.is_dir():
        return []
    return sorted(target.parent.glob(f".{_glob_escape(target.name)}.{kind}-*"))


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _ours(directory: Path) -> bool:
    return (directory / STAGING_MARKER).is_file() or _manifest(directory) is not None


def recover(target: str | Path) -> None:
    """Finish or undo a swap a kill interrupted, and remove our leftovers beside ``target``.

    With no ``target``: a staging copy whose manifest is complete is promoted (the newest result), else the
    newest old copy is restored. Then every remaining ``.<name>.staging-*`` and ``.<name>.old-*`` of ours is
    removed. Call it holding the target's lock.
    """
    target = Path(target)
    stagings = [path for path in _staging_siblings(target, "staging") if path.is_dir()]
    olds = [path for path in _staging_siblings(target, "old") if path.is_dir()]
    if not target.exists():
        complete = [path for path in stagings if _manifest(path) is not None]
        candidates = complete or [path for path in olds if _ours(path)]
        if candidates:
            chosen = max(candidates, key=lambda path: path.stat().st_mtime)
            (chosen / STAGING_MARKER).unlink(missing_ok=True)
            os.replace(chosen, target)
            logger.warning("restored %s from an interrupted write (%s)", target, chosen.name)
    if target.is_dir():
        (target / STAGING_MARKER).unlink(missing_ok=True)
    for leftover in stagings + olds:
        if not leftover.exists():
            continue
        if _ours(leftover):
            shutil.rmtree(leftover, ignore_errors=True)
        elif not any(leftover.iterdir()):
            leftover.rmdir()


def finish_interrupted_write(directory: str | Path) -> None:
    """Before reading ``directory``: if a kill left a swap unfinished beside it, finish it (under the lock;
    if another command holds the lock, it is writing and will finish itself)."""
    directory = Path(directory)
    if not (_staging_siblings(directory, "staging") or _staging_siblings(directory, "old")):
        return
    try:
        with output_lock(directory):
            recover(directory)
    except InputError:
        logger.info("%s is being written by another command; reading it as it is", directory)


@contextmanager
def publish(target: str | Path, command: str) -> Iterator[Path]:
    """Yield a fresh staging directory; when the block ends, write its manifest and swap it into place
    (the claim on ``target`` is taken here too if the caller does not hold it). An exception in the block
    leaves the previous result as it was; a full disk is an OutputError (exit 3)."""
    target = Path(target)
    with output_directory(target, command):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
        try:
            (staging / STAGING_MARKER).touch()
            yield staging
            write_manifest(staging, command)
            _swap(staging, target)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise OutputError(f"could not write {target}: {error.strerror or error}; the previous result is unchanged") from error
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _swap(staging: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        (target / STAGING_MARKER).touch()
        os.replace(target, old)
    (staging / STAGING_MARKER).unlink()
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_result_files(result: object, directory: Path) -> None:
    """Write a RunResult's files into ``directory`` (created): summary.json and, for an optimal result,
    builds.csv, dependence.csv, flows.csv, supply_by_country.csv (and baseline_dependence.csv when a baseline
    was solved)."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = getattr(result, "tables", None)
    if tables is not None:
        write_csv(tables.builds, directory / "builds.csv")
        write_csv(tables.dependence, directory / "dependence.csv")
        write_csv(tables.flows, directory / "flows.csv")
        if getattr(tables, "supply_by_country", None) is not None:
            write_csv(tables.supply_by_country, directory / "supply_by_country.csv")
    baseline = getattr(result, "baseline_dependence", None)
    if baseline is not None:
        write_csv(baseline, directory / "baseline_dependence.csv")
    dump_json(result.summary, directory / "summary.json")
    write_manifest(directory, "result")


def write_result(result: object, directory: str | Path, command: str = "run") -> Path:
    """Publish one RunResult as the result directory ``directory`` (see the module docstring)."""
    with publish(directory, command) as staging:
        write_result_files(result, staging)
    return Path(directory)


# Reading back -------------------------------------------------------------------------------------------


def check_complete(directory: str | Path) -> None:
    """InputError (exit 2) unless ``directory`` holds every file its manifest lists, each of the recorded
    size, row count and checksum: a half-written or damaged result is never read as a plan."""
    directory = Path(directory)
    finish_interrupted_write(directory)
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise InputError(
            InputIssue(str(directory), f"is incomplete or not a result of this version: {MANIFEST} is missing; run it again")
        )
    manifest = _manifest(directory)
    if manifest is None:
        raise InputError(InputIssue(str(manifest_path), "cannot be read as a result manifest; run the command again"))
    problems = []
    for name, entry in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            problems.append(InputIssue(str(path), "is missing (the result is incomplete); run the command again"))
            continue
        size = path.stat().st_size
        if size != entry.get("bytes"):
            problems.append(
                InputIssue(str(path), f"has {size} bytes, {entry.get('bytes')} were written (truncated or changed); run the command again")
            )
            continue
        rows = _rows(path)
        if rows != entry.get("rows"):
            problems.append(InputIssue(str(path), f"has {rows} rows, {entry.get('rows')} were written; run the command again"))
        elif sha256_of(path) != entry.get("sha256"):
            problems.append(InputIssue(str(path), "was changed after it was written (checksum differs); run the command again"))
    if problems:
        raise InputError(problems)


def read_json_object(path: Path) -> dict:
    """A JSON object a command wrote (summary.json, sweep.json, comparison.json), or InputError naming the
    file when it is missing, unreadable or not an object: reports and comparisons must never trace back."""
    if not path.is_file():
        raise InputError(InputIssue(str(path), "is missing"))
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(InputIssue(str(path), f"cannot be read: {error}")) from None
    if not isinstance(value, dict):
        raise InputError(InputIssue(str(path), "is not a JSON object"))
    return value


def read_csv_table(path: Path, required: list[str]) -> pd.DataFrame:
    """A CSV a command wrote, or InputError naming it when missing, unreadable or short of ``required``."""
    if not path.is_file():
        raise InputError(InputIssue(str(path), "is missing"))
    try:
        frame = read_result_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(InputIssue(str(path), f"cannot be read: {error}")) from None
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(InputIssue(str(path), f"lacks the columns {', '.join(missing)}"))
    return frame


__all__ = [
    "check_complete",
    "check_output_target",
    "dump_json",
    "finish_interrupted_write",
    "finite_only",
    "neutralise_formula",
    "output_directory",
    "publish",
    "read_csv_table",
    "read_json_object",
    "read_result_csv",
    "recover",
    "restore_formula",
    "write_csv",
    "write_result",
    "write_result_files",
]
