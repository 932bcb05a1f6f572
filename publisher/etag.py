"""Strong validators: the same bytes always get the same ETag, in the app and the static export."""

import hashlib


def etag_hasher():
    """The ETag's digest, to feed a file in chunks (`.update`, then `.hexdigest()`)."""
    return hashlib.blake2b(digest_size=12)


def etag_of(body: bytes) -> str:
    hasher = etag_hasher()
    hasher.update(body)
    return hasher.hexdigest()
