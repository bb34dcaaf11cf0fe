"""The run manifest: what earlier runs over an output folder already scored, so that a run only
reads what is new and a run killed at any instant loses nothing.

Everything lives in ``OUT/.rolefit/``:

    manifest.json        snapshot: every file seen (inode, size, times -> content hash) and
                         every stored result (content hash -> run key, id, status, source)
    journal.jsonl        results committed since the snapshot, one JSON line each, fsynced
    results/<sha>.json   each stored result in full (``to_jsonable(Result)``)
    lock                 held (a POSIX lock) by the one run allowed to write to OUT

A result is stored under its file's content hash together with the *run key*: a hash of the
rubric's hash, the pipeline version (and the pipeline's own code and data, so an edit re-scores
even when nobody bumped the version) and the settings. A file is re-scored when no result is
stored for its content under the current key; an unchanged file whose inode, size and times
match the snapshot is not even opened. A renamed or copied file hashes to a stored result and is
not re-scored; a file that left the folder leaves the manifest. No key holds a file name, and a
blind run writes none (its results' ``source`` is the candidate id).

Commit order: the result file is written atomically, then its journal line is appended and
fsynced, so a result is in the manifest only once its data is on disk. A run starts by folding
the journal into a fresh snapshot (a last line cut short by a crash is dropped: that result is
simply scored again) and ends by writing the snapshot again.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.atomic import fsync_dir, remove_stale_temporaries, write_atomic
from pipeline.serialise import from_jsonable, to_jsonable
from pipeline.types import Result, Settings

MANIFEST_VERSION = 1
STATE_DIR = ".rolefit"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# What a run looks at: files in the folder, and the key results are stored under
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """One look at a file (``os.stat``). Two equal looks: the file did not change in between."""

    name: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0  # changes on any write or metadata change, and cannot be set back by hand
    inode: int = 0

    @property
    def key(self) -> str:
        """This version of this file, without its name."""
        return f"{self.inode}:{self.size}:{self.mtime_ns}:{self.ctime_ns}"


def look_at(path: Path) -> Look | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return Look(path.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def look_at_folder(folder: str | Path) -> list[Look]:
    """A look at every ``*.pdf`` file (any case) directly in ``folder``, by name."""
    looks = []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() == ".pdf" and path.is_file():
            look = look_at(path)
            if look is not None:
                looks.append(look)
    return looks


def file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def folder_fingerprint(*folders: Path) -> str:
    """A hash of every file under ``folders`` (code and data; caches excluded)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(folder.parent)).encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pipeline_fingerprint() -> str:
    """The pipeline's code and the data it reads (``pipeline/`` and ``rubrics/``)."""
    return folder_fingerprint(PACKAGE_ROOT / "pipeline", PACKAGE_ROOT / "rubrics")


def run_key(rubric_sha256: str, settings: Settings, pipeline_version: str, code: str, extra: dict | None = None) -> str:
    """What a stored result depends on besides the file's content. ``extra``: anything else a
    run scores against (a job description, ...), as JSON-able values."""
    payload = {
        "rubric": rubric_sha256,
        "pipeline_version": pipeline_version,
        "pipeline_code": code,
        "settings": to_jsonable(settings),
        "extra": extra or {},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# The manifest and the plan of a run
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One stored result."""

    sha256: str
    key: str  # the run key it was scored under
    candidate_id: str
    status: str
    source: str  # the result's source: the file name it was scored from (the candidate id when blind)
    scored_at: str = ""


@dataclass
class Manifest:
    files: dict[str, str] = field(default_factory=dict)  # ``Look.key`` -> content hash
    results: dict[str, Entry] = field(default_factory=dict)  # content hash -> stored result
    reports: str = ""  # fingerprint of what the reports in OUT were last built from

    def to_json(self) -> str:
        return json.dumps(
            {
                "manifest_version": MANIFEST_VERSION,
                "files": dict(sorted(self.files.items())),
                "results": {sha: asdict(e) for sha, e in sorted(self.results.items())},
                "reports": self.reports,
            },
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        if data.get("manifest_version") != MANIFEST_VERSION:
            raise ValueError(f"manifest version {data.get('manifest_version')!r}, expected {MANIFEST_VERSION}")
        return cls(
            files=dict(data["files"]),
            results={sha: Entry(**e) for sha, e in data["results"].items()},
            reports=data.get("reports", ""),
        )


def looks_to_hash(looks: list[Look], manifest: Manifest) -> list[Look]:
    """Files whose content the manifest cannot vouch for: new, or looked different last time."""
    return [look for look in looks if look.key not in manifest.files]


@dataclass(frozen=True)
class Plan:
    current: dict[str, str]  # file name -> content hash, for every file whose content is known
    to_score: tuple[tuple[str, str], ...]  # (file name, content hash): one per content to score
    reused: tuple[str, ...]  # files whose stored result stands


def plan_run(looks: list[Look], manifest: Manifest, key: str, hashed: dict[str, str]) -> Plan:
    """Which files to score. ``hashed``: content hashes of the files in ``looks_to_hash`` that
    could be read and held still; a file in neither the manifest nor ``hashed`` is skipped."""
    current: dict[str, str] = {}
    for look in looks:
        if look.name in hashed:
            current[look.name] = hashed[look.name]
        elif look.key in manifest.files:
            current[look.name] = manifest.files[look.key]
    to_score: dict[str, str] = {}  # content hash -> first file name with it
    reused = []
    for name, sha in current.items():
        entry = manifest.results.get(sha)
        if entry is not None and entry.key == key:
            reused.append(name)
        elif sha not in to_score:
            to_score[sha] = name
    return Plan(current, tuple((name, sha) for sha, name in to_score.items()), tuple(reused))


def published(manifest: Manifest, current: dict[str, str], key: str) -> list[tuple[str, str]]:
    """(content hash, file name) of every result the index shows: each content once, under the
    first of its current names, scored under the current key."""
    first: dict[str, str] = {}
    for name, sha in sorted(current.items()):
        first.setdefault(sha, name)
    return [(sha, name) for sha, name in sorted(first.items()) if sha in manifest.results and manifest.results[sha].key == key]


def forget_absent(manifest: Manifest, looks: list[Look], current: dict[str, str]) -> list[str]:
    """Keep only files still in the folder (with their latest look) and results of their
    content. Returns the content hashes whose results were dropped."""
    manifest.files = {look.key: current[look.name] for look in looks if look.name in current}
    present = set(current.values())
    dropped = sorted(sha for sha in manifest.results if sha not in present)
    for sha in dropped:
        del manifest.results[sha]
    return dropped


def still_changing(first: Look, second: Look | None) -> bool:
    """A file still being copied (or replaced, or deleted) shows a different second look."""
    return second is None or (first.size, first.mtime_ns) != (second.size, second.mtime_ns)


def is_fresh(look: Look, now_ns: int, settle_s: float) -> bool:
    """Written less than ``settle_s`` ago: look again before trusting it is complete."""
    return now_ns - look.mtime_ns < settle_s * 1e9


# ---------------------------------------------------------------------------------------------
# The store on disk
# ---------------------------------------------------------------------------------------------


class Store:
    """The manifest and stored results of one output folder. Use only while holding
    ``output_lock(out)``."""

    def __init__(self, out: str | Path):
        self.dir = Path(out) / STATE_DIR
        self.results_dir = self.dir / "results"
        self.manifest_path = self.dir / "manifest.json"
        self.journal_path = self.dir / "journal.jsonl"
        self._journal = None
        self.notes: list[str] = []  # anything odd found on disk, for the run's log

    def open(self) -> Manifest:
        """Load the snapshot and the journal, fold them into a fresh snapshot, and clear what a
        killed run left behind. Call once at the start of a run."""
        self.results_dir.mkdir(parents=True, exist_ok=True)
        for folder in (self.dir, self.results_dir):
            remove_stale_temporaries(folder)
        manifest = Manifest()
        if self.manifest_path.exists():
            try:
                manifest = Manifest.from_json(self.manifest_path.read_text(encoding="utf-8"))
            except (ValueError, KeyError, TypeError) as exc:
                self.notes.append(f"manifest unreadable ({exc}); every file will be scored again")
        for entry in self._read_journal():
            manifest.results[entry.sha256] = entry
        for sha in [sha for sha in manifest.results if not self.result_path(sha).exists()]:
            del manifest.results[sha]  # its data is gone: score it again
        self.checkpoint(manifest)
        return manifest

    def _read_journal(self) -> list[Entry]:
        if not self.journal_path.exists():
            return []
        entries = []
        for line in self.journal_path.read_bytes().split(b"\n"):
            if not line.strip():
                continue
            try:
                entries.append(Entry(**json.loads(line)))
            except (ValueError, TypeError):
                self.notes.append("dropped a journal line cut short by a crash")
        return entries

    def result_path(self, sha256: str) -> Path:
        return self.results_dir / f"{sha256}.json"

    def commit(self, entry: Entry, data: str) -> None:
        """Store one result: its data first, then its line in the journal."""
        write_atomic(self.result_path(entry.sha256), data)
        if self._journal is None:
            self._journal = open(self.journal_path, "ab")
            fsync_dir(self.dir)
        self._journal.write(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True).encode() + b"\n")
        self._journal.flush()
        os.fsync(self._journal.fileno())

    def checkpoint(self, manifest: Manifest) -> None:
        """Write the snapshot, then empty the journal it now includes."""
        write_atomic(self.manifest_path, manifest.to_json())
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self.journal_path.exists():
            self.journal_path.unlink()
            fsync_dir(self.dir)

    def read_result(self, sha256: str) -> Result | None:
        """A stored result, or None when its file is missing or cannot be read back."""
        try:
            return from_jsonable(Result, json.loads(self.result_path(sha256).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self.notes.append(f"stored result {sha256[:12]} unreadable ({type(exc).__name__}); it will be scored again")
            return None

    def remove_results(self, shas: list[str]) -> None:
        for sha in shas:
            self.result_path(sha).unlink(missing_ok=True)
        if shas:
            fsync_dir(self.results_dir)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---------------------------------------------------------------------------------------------
# One writer per output folder
# ---------------------------------------------------------------------------------------------


class OutputBusy(Exception):
    """Another run holds the output folder's lock."""


_HELD: dict[str, list[int]] = {}  # lock path -> [fd, depth]: re-entrant within one process


@contextmanager
def output_lock(out: str | Path) -> Iterator[None]:
    """Hold the output folder for one run; raise ``OutputBusy`` (saying who holds it) if another
    process does. A POSIX lock (``lockf``): the kernel drops it when the holder dies, even by
    SIGKILL, and a forked child (a PDF reader) never inherits it. Re-entrant within a process
    (the command line takes it before starting Prefect, the flow again inside)."""
    path = (Path(out) / STATE_DIR / "lock").resolve()
    key = str(path)
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        if exc.errno not in (errno.EACCES, errno.EAGAIN):
            raise
        raise OutputBusy(f"another rolefit run ({holder}) is writing to {out}; wait for it to finish or use another output folder") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, started {now_iso()}".encode(), 0)
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        _HELD[key][1] -= 1
        if _HELD[key][1] == 0:
            del _HELD[key]
            os.close(fd)  # releases the lock
