"""Restoring an archive made by `eisen.backup` (its docstring describes the archive).

The archive is unpacked into a staging folder and checked (format, checksums, database vendor,
migrations this code knows, a readable dump), and so is the target (a database without tables,
no file of the archive already in MEDIA_ROOT), before anything is written. Then the media files
are copied and the database is loaded in one step (`pg_restore --single-transaction`, or SQLite's
backup API); when loading fails, the copied files are removed again.
"""

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections import Counter
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eisen.backup import (
    BLOCK,
    DUMP_MEMBERS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_MAX_BYTES,
    VENDOR_NAMES,
    backup_error,
    database_label,
    media_entries,
    run_pg_tool,
)


def restore(archive: Path) -> tuple[dict, list[str]]:
    """Restore `archive` into the default database, which must be empty, and MEDIA_ROOT.

    Returns its manifest, and the migrations of this code its database had not applied.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise backup_error(_("There is no file %(path)s."), path=archive)
    with tempfile.TemporaryDirectory(prefix="eisen-restore-") as folder:
        staging = Path(folder)
        manifest = _unpack(archive, staging)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise backup_error(
                _("The archive holds a %(archived)s database; this installation uses %(here)s."),
                archived=VENDOR_NAMES[vendor],
                here=VENDOR_NAMES.get(connection.vendor, connection.vendor),
            )
        pending = _check_migrations(manifest)
        dump = staging / manifest["database"]["member"]
        _check_dump(vendor, dump, manifest["migrations"])
        media = media_entries(manifest)
        _check_media_free(media)
        _check_database_empty()
        placed = _place_media(staging, media)
        try:
            _load_database(vendor, dump)
        except BaseException:
            _remove_placed(placed)
            raise
    return manifest, pending


def _unpack(archive: Path, staging: Path) -> dict:
    """Every member into `staging`, each checked against the manifest; the manifest."""
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            manifest = _read_manifest(tar)
            expected = {entry["path"]: entry for entry in manifest["files"]}
            while (member := tar.next()) is not None:
                entry = expected.pop(member.name, None)
                if entry is None or not member.isfile():
                    raise backup_error(
                        _("The archive has a member its manifest does not list: %(member)s."),
                        member=member.name,
                    )
                _extract_checked(tar, member, staging / entry["path"], entry)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise backup_error(
            _("The archive is damaged or not a gzip-compressed tar archive (%(error)s)."),
            error=error,
        ) from None
    if expected:
        raise backup_error(
            _("The archive is incomplete: it lacks %(members)s."),
            members=", ".join(sorted(expected)),
        )
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first, manifest = tar.next(), None
    if first is None or first.name != MANIFEST or not first.isfile():
        problem = _("it does not begin with %(manifest)s") % {"manifest": MANIFEST}
    elif first.size > MANIFEST_MAX_BYTES:
        problem = _("its manifest is too large")
    else:
        try:
            manifest = json.loads(tar.extractfile(first).read())
        except ValueError:
            problem = _("its manifest is not JSON")
        else:
            problem = _manifest_problem(manifest)
    if problem:
        raise backup_error(
            _("The archive is not an EISEN backup this code can read: %(problem)s."),
            problem=problem,
        )
    return manifest


def _manifest_problem(manifest) -> str | None:
    """What is wrong with the manifest, in words, or None."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return _("its manifest does not name the format “%(format)s”") % {"format": FORMAT}
    if manifest.get("format_version") != FORMAT_VERSION:
        return _("it is in format version %(found)s; this code reads version %(version)s") % {
            "found": manifest.get("format_version"),
            "version": FORMAT_VERSION,
        }
    try:
        files, database = manifest["files"], manifest["database"]
        paths = [entry["path"] for entry in files]
        wrong = [path for path in paths if not _is_member_path(path)] or [
            path for path, count in Counter(paths).items() if count > 1
        ]
        if wrong:
            return _("its manifest lists an unsafe or repeated path: %(path)r") % {"path": wrong[0]}
        well_formed = (
            DUMP_MEMBERS.get(database["vendor"]) == database["member"]
            and database["member"] in paths
            and all(isinstance(manifest[key], str) for key in ("app_version", "created_at"))
            and all(type(e["size"]) is int and type(e["sha256"]) is str for e in files)
            and all(
                isinstance(names, list) and all(isinstance(name, str) for name in names)
                for names in manifest["migrations"].values()
            )
        )
    except (KeyError, TypeError, AttributeError):
        well_formed = False
    return None if well_formed else _("its manifest lacks a field or has one of the wrong type")


def _is_member_path(path) -> bool:
    """A relative path under database/ or media/, without "..", "." or empty parts."""
    if not isinstance(path, str) or "\\" in path or "\0" in path:
        return False
    parts = PurePosixPath(path).parts
    return (
        PurePosixPath(path).as_posix() == path
        and len(parts) >= 2
        and parts[0] in ("database", "media")
        and not {"..", "."} & set(parts)
    )


def _extract_checked(tar, member: tarfile.TarInfo, target: Path, entry: dict) -> None:
    digest = hashlib.sha256()
    if member.size == entry["size"]:
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        with target.open("xb") as copy:
            for block in iter(lambda: source.read(BLOCK), b""):
                digest.update(block)
                copy.write(block)
    if digest.hexdigest() != entry["sha256"]:
        raise backup_error(
            _("The archive is corrupt: %(member)s does not have the size and SHA-256 listed."),
            member=member.name,
        )


def _check_migrations(manifest: dict) -> list[str]:
    """Refuse an archive from newer code; the migrations this code has that it lacks."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = _migration_set(manifest["migrations"])
    unknown = sorted(applied - set(loader.disk_migrations))
    if unknown:
        raise backup_error(
            _(
                "The archive comes from newer code (version %(version)s): this code does not "
                "know its migrations %(migrations)s. Restore it with that version or a later one."
            ),
            version=manifest["app_version"],
            migrations=", ".join(f"{app}.{name}" for app, name in unknown),
        )
    return [f"{app}.{name}" for app, name in sorted(set(loader.graph.nodes) - applied)]


def _migration_set(migrations: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(app_label, name) for app_label, names in migrations.items() for name in names}


def _check_dump(vendor: str, dump: Path, migrations: dict) -> None:
    """Refuse a dump its database program cannot read, before anything is written."""
    if vendor == "postgresql":
        run_pg_tool("pg_restore", "--list", str(dump))
        return
    try:
        database = sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)
        try:
            (problem,) = database.execute("PRAGMA quick_check").fetchone()
            applied = set(database.execute("SELECT app, name FROM django_migrations"))
        finally:
            database.close()
    except sqlite3.DatabaseError as error:
        problem = str(error)
    else:
        if problem == "ok" and applied != _migration_set(migrations):
            problem = _("its migrations are not those its manifest lists")
    if problem != "ok":
        raise backup_error(
            _("The archive holds a database that fails its checks: %(problem)s."),
            problem=problem,
        )


def _check_database_empty() -> None:
    try:
        tables = sorted(connection.introspection.table_names())
    except OperationalError as error:
        raise backup_error(
            _("The database %(database)s cannot be opened (%(error)s); create it first."),
            database=database_label(),
            error=str(error).strip(),
        ) from None
    if tables:
        raise backup_error(
            ngettext(
                "The database %(database)s is not empty: it has %(count)d table (%(tables)s). "
                "Restore into a new, empty database.",
                "The database %(database)s is not empty: it has %(count)d tables (%(tables)s). "
                "Restore into a new, empty database.",
                len(tables),
            ),
            database=database_label(),
            count=len(tables),
            tables=", ".join(tables[:3]) + (", …" if len(tables) > 3 else ""),
        )


def _media_target(entry: dict) -> Path:
    return Path(settings.MEDIA_ROOT) / entry["path"].removeprefix("media/")


def _check_media_free(media: list[dict]) -> None:
    taken = [entry for entry in media if os.path.lexists(_media_target(entry))]
    if taken:
        raise backup_error(
            _("MEDIA_ROOT (%(root)s) already has %(files)s; restore into an empty media folder."),
            root=settings.MEDIA_ROOT,
            files=", ".join(entry["path"].removeprefix("media/") for entry in taken[:3])
            + (", …" if len(taken) > 3 else ""),
        )


def _place_media(staging: Path, media: list[dict]) -> list[Path]:
    """Copy the media files into MEDIA_ROOT; the files and folders made, in the order made."""
    placed: list[Path] = []
    try:
        for entry in media:
            target = _media_target(entry)
            missing = [folder for folder in target.parents if not folder.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                placed.append(folder)
            with (staging / entry["path"]).open("rb") as source, target.open("xb") as copy:
                placed.append(target)
                shutil.copyfileobj(source, copy, BLOCK)
    except BaseException:
        _remove_placed(placed)
        raise
    return placed


def _remove_placed(placed: list[Path]) -> None:
    for path in reversed(placed):
        if path.is_dir():
            # A folder in which something else has put a file meanwhile is left alone.
            with contextlib.suppress(OSError):
                path.rmdir()
        else:
            path.unlink(missing_ok=True)


def _load_database(vendor: str, dump: Path) -> None:
    if vendor == "postgresql":
        # One transaction: a restore that fails leaves the database as empty as it was. The
        # objects belong to the user restoring (the app's own), whoever owned them before.
        name = connection.settings_dict["NAME"]
        options = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
        run_pg_tool("pg_restore", *options, f"--dbname={name}", str(dump))
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
