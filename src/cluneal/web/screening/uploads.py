"""An export uploaded to the screening page: streamed to its run's folder, its size counted as
the bytes arrive (the page refuses a request that declares a larger length before reading it).

Django's own handlers keep a small upload in memory and write a large one to a temporary file,
and the view sees the sizes only once the whole request has been received and stored. This
handler writes each file straight into ``<data dir>/screening/<run>-export/`` and stops the
upload as soon as the files together pass ``CLUNEAL_SCREENING_MAX_UPLOAD``, deleting what it
wrote: nothing of a refused upload stays on disk. A file whose name is not an export file's is
not written at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from cluneal.screening.export import FILE_NAME


class StoredFile(UploadedFile):
    """An uploaded file already in its place in the run's folder."""

    def __init__(self, path: Path, size: int, content_type: str | None) -> None:
        super().__init__(None, path.name, content_type, size)
        self.path = path

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StoredFile:
        self.file = self.path.open(mode or "rb")
        return self


class ExportUpload(FileUploadHandler):
    """Streams the export's files into ``folder`` (created on the first file)."""

    def __init__(self, folder: Path, limit: int, request: Any = None) -> None:
        super().__init__(request)
        self.folder, self.limit = folder, limit
        self.received = 0
        self.too_big = False
        self.refused: list[str] = []
        self.duplicates: list[str] = []
        self._target: IO[bytes] | None = None
        self._path: Path | None = None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.too_big:
            raise StopUpload(connection_reset=True)
        name = file_name or ""
        if not FILE_NAME.match(name):
            self.refused.append(name)
            raise SkipFile
        path = self.folder / name
        if path.exists():
            self.duplicates.append(name)
            raise SkipFile
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._target = path.open("xb")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            self.discard()
            raise StopUpload(connection_reset=True)
        assert self._target is not None
        self._target.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredFile | None:
        if self._target is None or self._path is None:
            return None
        self._target.close()
        self._target = None
        return StoredFile(self._path, file_size, self.content_type)

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        """Delete everything this upload wrote."""
        if self._target is not None:
            self._target.close()
            self._target = None
        shutil.rmtree(self.folder, ignore_errors=True)
