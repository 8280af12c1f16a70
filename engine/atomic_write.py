"""Atomic saving: a file is replaced whole, or not at all.

``write_atomically`` writes the new bytes to a temporary file beside the target (in the same
folder, so the final rename stays on one file system), flushes it to disk, gives it the old
file's permissions and only then renames it over the target. On any failure the old file is
untouched and the temporary file is removed. Saving through a symbolic link writes to the file
the link points to, and the link stays a link, as text editors do.

A save that is killed midway cannot remove its temporary file. Ours are named
``.<file name>.<random>.circuitgrad-tmp``, so the next save into the same folder recognises and
removes the ones left behind: those last written more than ``STALE_AFTER_S`` seconds before it
began (a younger one may belong to a save still running in another window).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Callable

from .errors import CircuitError

TEMP_SUFFIX = ".circuitgrad-tmp"
STALE_AFTER_S = 60.0
# .<file name>.<the 8 random characters tempfile.mkstemp adds>.circuitgrad-tmp
_OUR_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def _fsync_folder(folder: str) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows cannot open folders; the file itself is already synced
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_temporaries(folder, before: float) -> None:
    """Delete our temporary files in ``folder`` last written before ``before`` (a time.time()
    value) less STALE_AFTER_S. Errors are ignored: this is tidying."""
    try:
        candidates = [path for path in Path(folder).glob(f".*{TEMP_SUFFIX}")
                      if _OUR_TEMPORARY.fullmatch(path.name)]
    except OSError:
        return
    for path in candidates:
        try:
            if path.is_file() and not path.is_symlink() and \
                    path.stat().st_mtime < before - STALE_AFTER_S:
                path.unlink()
        except OSError:
            pass


def write_atomically(path, payload: Callable[[], bytes]) -> None:
    """Write ``payload()`` to ``path`` via a synced temporary file; CircuitError on failure.

    ``payload`` is called first: if it raises CircuitError, nothing is touched."""
    began = time.time()
    target = os.path.realpath(os.fspath(path))  # through symbolic links, to the real file
    folder = os.path.dirname(target)
    temp = None
    try:
        data = payload()
        if os.path.isdir(target):
            raise CircuitError("is a folder")
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_current_umask()  # what open() would have given a new file
        if os.path.isdir(folder):
            _remove_stale_temporaries(folder, began)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                        suffix=TEMP_SUFFIX)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
        _fsync_folder(folder)
    except CircuitError as error:
        raise CircuitError(f"{os.fspath(path)}: cannot save: {error}") from None
    except OSError as error:
        reason = (f"the folder {folder} does not exist" if not os.path.isdir(folder)
                  else error.strerror or str(error))
        raise CircuitError(f"{os.fspath(path)}: cannot save: {reason}") from None
    except Exception as error:  # anything else (a full disk in disguise, a bug): still safe
        raise CircuitError(f"{os.fspath(path)}: cannot save: {error}") from None
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
