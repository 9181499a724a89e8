"""The private file store (uploaded scans, certificates): local private disk or an S3-compatible bucket.

Which one is a setting (MEDIA_STORAGE, see settings.STORAGES["private"]); code asks for it here and never
builds paths under a folder itself, so the same code runs on either. Private files have no URL: they are
served only through views that check permissions.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

PRIVATE = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PRIVATE_STORAGE_ROOT (read at each use, so a changed setting takes effect), no URL.

    Readable by the service's own account only: files 0600, folders 0700 (the root is tightened too).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def _save(self, name, content):
        root = self.location
        os.makedirs(root, mode=0o700, exist_ok=True)
        os.chmod(root, 0o700)
        return super()._save(name, content)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("private files have no URL: serve them through a permission-checked view")


def private_storage() -> Storage:
    """Return the configured storage of private files (never served directly by the web server)."""
    return storages[PRIVATE]


def local_root(storage: Storage) -> str | None:
    """Return the folder of a storage on local disk, or None for a remote one (a bucket)."""
    return storage.location if isinstance(storage, FileSystemStorage) else None
