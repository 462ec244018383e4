"""The trained model's file: write it signed, read it back only when it checks out.

Following paperless-ngx's classifier: a file carries a format version and the
scikit-learn version that wrote it; its bytes are signed with an HMAC keyed on
SECRET_KEY. A file that is missing, corrupt, tampered with or written by
another format or scikit-learn is never unpickled: ``load_model`` marks it
unusable on its row and returns None, and the caller falls back and queues a
retrain. Storage goes through Django's storage API only, so model files may
live on disk or in S3 alike.
"""

import hmac
import io
import logging
import threading
import warnings
from collections import OrderedDict

import joblib
import sklearn
from django.core.files.base import ContentFile
from django.utils.crypto import salted_hmac
from django.utils.timezone import now

from . import ml
from .models import EnergyModel

logger = logging.getLogger(__name__)

HMAC_SALT = "planher.predictions.energy-model"
# zlib level 3: small files (a forest of 40 shallow trees compresses ~5x) and fast loads.
COMPRESSION = 3
CACHE_SIZE = 512  # loaded estimators kept per process


class ModelFileError(Exception):
    """The stored file cannot be trusted or read: fall back and retrain."""


def sign(data: bytes) -> str:
    return salted_hmac(HMAC_SALT, data, algorithm="sha256").hexdigest()


def serialize(estimator) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=COMPRESSION)
    data = buffer.getvalue()
    return data, sign(data)


def as_content(data: bytes) -> ContentFile:
    return ContentFile(data)


def check_compatible(row) -> None:
    if row.format_version != ml.FORMAT_VERSION:
        raise ModelFileError(
            f"format version {row.format_version} is not the current {ml.FORMAT_VERSION}"
        )
    if row.sklearn_version != sklearn.__version__:
        raise ModelFileError(
            f"written by scikit-learn {row.sklearn_version}, running {sklearn.__version__}"
        )


def read_verified(row) -> bytes:
    try:
        with row.file.storage.open(row.file.name, "rb") as handle:
            data = handle.read()
    except Exception as error:  # any storage backend's own error type
        raise ModelFileError(f"cannot read {row.file.name}: {error}") from error
    if not hmac.compare_digest(sign(data), row.digest):
        raise ModelFileError(f"signature mismatch for {row.file.name}")
    return data


def unpickle(data: bytes):
    with warnings.catch_warnings():
        # scikit-learn warns (InconsistentVersionWarning) rather than failing on
        # a pickle from another version: treat it as incompatible.
        warnings.simplefilter("error")
        try:
            estimator = joblib.load(io.BytesIO(data))
        except Exception as error:
            raise ModelFileError(f"cannot unpickle: {error}") from error
    if not isinstance(estimator, ml.BlendedForest):
        raise ModelFileError(f"unexpected object {type(estimator).__name__}")
    return estimator


class EstimatorCache:
    """Loaded estimators by (row id, version, digest): a file is read, verified and
    unpickled once per process (~4 ms each time otherwise: README, Benchmarks), and
    a retrained model is a different key. Reached only for positions missing from
    the table precomputed at training."""

    def __init__(self, size=CACHE_SIZE):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, estimator):
        with self._lock:
            self._items[key] = estimator
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


estimators = EstimatorCache()


def open_model(row) -> ml.BlendedForest:
    """The row's estimator, or raise ModelFileError saying why (for diagnostics:
    serving calls ``load_model``). Never unpickles unverified bytes."""
    if not row.file:
        raise ModelFileError("no file")
    key = (row.pk, row.version, row.digest)
    estimator = estimators.get(key)
    if estimator is None:
        check_compatible(row)
        estimator = unpickle(read_verified(row))
        estimators.put(key, estimator)
    return estimator


def load_model(row) -> ml.BlendedForest | None:
    """The row's estimator, or None when its file cannot be trusted: the file is then
    marked unusable on the row (see ``discarded``), and the caller falls back and
    queues a retrain."""
    try:
        return open_model(row)
    except ModelFileError as error:
        discard_file(row, str(error))
        return None


def discard_file(row: EnergyModel, reason: str) -> None:
    """A file we cannot trust: forget it (so the next retrain is not skipped)."""
    logger.warning("energy model of user %s unusable: %s", row.user_id, reason)
    EnergyModel.objects.filter(pk=row.pk, version=row.version).update(
        data_fingerprint="", last_error=f"model file unusable: {reason}"[:2000], last_error_at=now()
    )


def discarded(row: EnergyModel) -> bool:
    """Its file was found unusable and it has not been retrained since: neither
    the file nor the table precomputed with it serves (as /model then says)."""
    return not row.data_fingerprint and bool(row.last_error)


def delete_file(storage, name: str) -> None:
    if not name:
        return
    try:
        storage.delete(name)
    except Exception:  # a leftover file is harmless; a crash here is not
        logger.warning("could not delete model file %s", name, exc_info=True)
