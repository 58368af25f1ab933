"""Backup and restore of everything the app keeps: the database and MEDIA_ROOT, in one archive.

An archive is a gzip-compressed tar whose members are, in this order:

- `manifest.json`: the archive format, the app version, when it was made, the database vendor,
  the migrations applied per app, and every other member's path, size and SHA-256;
- `database/eisen.pgdump` (PostgreSQL, `pg_dump --format=custom`) or `database/eisen.sqlite3`
  (a copy made with SQLite's backup API);
- `media/...`: every file under MEDIA_ROOT, except exports still being written (`*.part`).

`eisen.restore` unpacks an archive into a staging folder and checks it (format, checksums, database
vendor, migrations this code knows, a readable dump) and the target (a database without tables,
no file of the archive already in MEDIA_ROOT) before it writes anything. It then copies the media
files and loads the database in one step (`pg_restore --single-transaction`, or SQLite's backup
API); when loading fails, the copied files are removed again.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from eisen.export_files import PART_SUFFIX, sha256_of

FORMAT = "eisen-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 16 * 1024 * 1024
DUMP_MEMBERS = {"postgresql": "database/eisen.pgdump", "sqlite": "database/eisen.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
BLOCK = 1 << 20


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why, for the operator."""


def backup_error(template: str, **values) -> BackupError:
    return BackupError(template % values)


def media_entries(manifest: dict) -> list[dict]:
    return [entry for entry in manifest["files"] if entry["path"].startswith("media/")]


def database_entry(manifest: dict) -> dict:
    return next(e for e in manifest["files"] if e["path"] == manifest["database"]["member"])


def database_label() -> str:
    """The default database in words, e.g. “eisen” on 127.0.0.1:5432, for messages."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"“{database['NAME']}”"
    return f"“{database['NAME']}” on {database['HOST'] or 'localhost'}:{database['PORT'] or 5432}"


# Backup


def backup(out: Path) -> dict:
    """Write the archive to `out` (through `out.part`, renamed when complete); its manifest."""
    out, vendor = Path(out), connection.vendor
    if vendor not in DUMP_MEMBERS:
        raise backup_error(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s."), vendor=vendor
        )
    if out.exists():
        raise backup_error(_("%(path)s already exists; give another name."), path=out)
    if out.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        # The next backup would hold this one, and so on.
        raise backup_error(
            _("Write the archive outside MEDIA_ROOT (%(root)s)."), root=settings.MEDIA_ROOT
        )
    partial = out.with_name(out.name + PART_SUFFIX)
    with tempfile.TemporaryDirectory(prefix="eisen-backup-") as staging:
        dump = Path(staging) / "database"
        migrations: dict[str, list[str]] = {}
        for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
            migrations.setdefault(app_label, []).append(name)
        _dump_database(vendor, dump)
        members = [(DUMP_MEMBERS[vendor], dump), *_media_members()]
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as pyproject:
            version = tomllib.load(pyproject)["project"]["version"]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": version,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "member": DUMP_MEMBERS[vendor]},
            "migrations": migrations,
            "files": [_entry(name, path) for name, path in members],
        }
        try:
            # Only the owner may read it: it holds the whole database, focus-group words included.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise backup_error(
                _("%(path)s exists: another backup is writing it, or remove what one left."),
                path=partial,
            ) from None
        try:
            _write_archive(descriptor, manifest, members)
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _dump_database(vendor: str, dump: Path) -> None:
    if vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        run_pg_tool("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={name}")
        return
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def _media_members() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    return [
        (f"media/{path.relative_to(root).as_posix()}", path)
        for path in sorted(root.rglob("*") if root.is_dir() else [])
        if path.is_file() and not path.is_symlink() and not path.name.endswith(PART_SUFFIX)
    ]


def _entry(name: str, path: Path) -> dict:
    try:
        return {"path": name, "size": path.stat().st_size, "sha256": sha256_of(path)}
    except FileNotFoundError:
        raise _changed(path) from None


def _changed(path: Path) -> BackupError:
    return backup_error(
        _("%(path)s changed or went away while the backup was made; run the backup again."),
        path=path,
    )


class _HashingReader:
    """A member's file as tarfile reads it, hashed on the way; a file now shorter has changed."""

    def __init__(self, path: Path, file):
        self.path, self.file = path, file
        self.digest = hashlib.sha256()

    def read(self, size: int) -> bytes:
        block = self.file.read(size)
        if len(block) < size:
            raise _changed(self.path)
        self.digest.update(block)
        return block


def _write_archive(descriptor: int, manifest: dict, members: list[tuple[str, Path]]) -> None:
    with os.fdopen(descriptor, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for entry, (name, path) in zip(manifest["files"], members, strict=True):
                info = tarfile.TarInfo(name)
                info.size, info.mode = entry["size"], 0o600
                try:
                    info.mtime = int(path.stat().st_mtime)
                    file = path.open("rb")
                except FileNotFoundError:
                    raise _changed(path) from None
                with file:
                    reader = _HashingReader(path, file)
                    tar.addfile(info, reader)
                if reader.digest.hexdigest() != entry["sha256"]:
                    raise _changed(path)
        raw.flush()
        os.fsync(raw.fileno())


def run_pg_tool(program: str, *arguments: str) -> None:
    """Run a PostgreSQL client program with the default database's connection settings."""
    database = connection.settings_dict
    # The password, service and TLS options go in the environment, as dbshell passes them.
    _args, extra_environment = connection.client.settings_to_cmd_args_env(database, [])
    command = [program, "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command.append(f"{option}={database[key]}")
    try:
        result = subprocess.run(
            [*command, *arguments],
            env={**os.environ, **(extra_environment or {})},
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise backup_error(
            _(
                "%(program)s is not installed here; install the PostgreSQL client programs of "
                "the server's major version (Debian: postgresql-client)."
            ),
            program=program,
        ) from None
    if result.returncode != 0:
        raise backup_error(
            _("%(program)s failed: %(error)s"), program=program, error=result.stderr.strip()
        )


# Restore
