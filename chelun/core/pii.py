"""Personal data helpers: masking for display, phone validation, field encryption.

Pure module: keys are passed in by the caller (e.g. from settings) rather than
read from Django here, so it is usable from scripts and easy to test.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from chelun.core.errors import field_error

__all__ = [
    "PhoneError",
    "PiiCipher",
    "PiiDecryptError",
    "clean_phone",
    "mask_id_number",
    "mask_phone",
    "normalize_for_hash",
    "validate_mobile",
]

# --------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    # Too short to reveal both ends without exposing most of it: hide everything.
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(s: str) -> str:
    """Mask an ID number for display, keeping the first 3 and last 4 characters.

    "51010519900307123X" -> "510***********123X". Length is preserved so staff
    can still spot a 15- vs 18-digit number.
    """
    return _mask_middle("".join(s.split()).upper(), 3, 4)


def mask_phone(s: str) -> str:
    """Mask a phone number for display: "13812345678" -> "138****5678"."""
    return _mask_middle("".join(s.split()), 3, 4)


# --------------------------------------------------------------------------
# Mobile numbers
# --------------------------------------------------------------------------


class PhoneError(ValueError):
    """Invalid phone number.

    ``message`` is user-facing (Chinese); ``code`` is a stable machine-readable key.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


_SEPARATORS_RE = re.compile(r"[\s\-()]")
_COUNTRY_PREFIX_RE = re.compile(r"^(?:\+86|0086|86)(?=\d{11}$)")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def validate_mobile(s: str) -> str:
    """Validate a mainland China mobile number and return its 11-digit form.

    Accepts spaces, hyphens, parentheses, full-width digits and a +86 / 0086 /
    86 country prefix, since users paste numbers in all of those shapes.
    Error codes: phone_format (not 11 digits), phone_prefix (not 1[3-9]...).
    """
    if not isinstance(s, str):
        raise PhoneError("手机号必须是文本", "phone_format")
    number = _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", s))
    number = _COUNTRY_PREFIX_RE.sub("", number)
    # isascii: \d and str.isdigit also match non-ASCII digits we do not want stored.
    if len(number) != 11 or not (number.isascii() and number.isdigit()):
        raise PhoneError("手机号应为 11 位数字", "phone_format")
    if not _MOBILE_RE.fullmatch(number):
        raise PhoneError("手机号格式不正确，应以 13-19 开头", "phone_prefix")
    return number


def clean_phone(raw: str, *, field: str = "phone") -> str:
    """validate_mobile for a use case: the 11-digit number, or a ValidationFailed naming `field`.

    One home for every app that takes a phone number (people's records, driver login), so they refuse the same
    numbers with the same words.
    """
    try:
        return validate_mobile(raw)
    except PhoneError as exc:
        raise field_error(field, exc.message, exc.code) from exc


# --------------------------------------------------------------------------
# Field encryption and blind-index hashing
# --------------------------------------------------------------------------


class PiiDecryptError(ValueError):
    """A token could not be decrypted with any configured key (or was tampered with)."""


# HMAC keys shorter than this are almost certainly placeholders ("changeme").
_MIN_HASH_KEY_BYTES = 16


def normalize_for_hash(plain: str) -> str:
    """Normalisation applied before hashing: NFKC, whitespace removed, upper-case.

    Callers should still pass canonical values (from validate_id_number /
    validate_mobile); this only absorbs width, case and spacing differences.
    """
    return "".join(unicodedata.normalize("NFKC", plain).split()).upper()


def _to_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class PiiCipher:
    """Encrypt/decrypt PII fields with key rotation, plus a deterministic lookup hash.

    ``keys`` are Fernet keys: the first encrypts, all of them decrypt, so a new
    key is rolled out by putting it first and keeping the old ones until every
    row has been re-encrypted (see :meth:`rotate`). ``hash_key`` feeds
    HMAC-SHA256 for :meth:`lookup_hash`; it cannot be rotated without
    recomputing every stored hash.
    """

    __slots__ = ("_fernet", "_hash_key")

    def __init__(self, keys: Sequence[str | bytes], hash_key: str | bytes) -> None:
        if isinstance(keys, (str, bytes)):
            # A bare string would otherwise be iterated character by character.
            raise TypeError("keys must be a list of Fernet keys, not a single key")
        if not keys:
            raise ValueError("at least one Fernet key is required")
        # Fernet() raises ValueError for a malformed key: fail loudly at startup.
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        hash_key_bytes = _to_bytes(hash_key)
        if len(hash_key_bytes) < _MIN_HASH_KEY_BYTES:
            raise ValueError(f"hash_key must be at least {_MIN_HASH_KEY_BYTES} bytes")
        self._hash_key = hash_key_bytes

    def __repr__(self) -> str:
        # Never show key material in logs or tracebacks.
        return "<PiiCipher>"

    def encrypt(self, plain: str) -> str:
        """Encrypt text with the current key; returns an ASCII Fernet token."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def encrypt_many(self, values: Iterable[str]) -> list[str]:
        """Encrypt many values (bulk imports); same as :meth:`encrypt` on each."""
        return [self.encrypt(v) for v in values]

    def decrypt(self, token: str) -> str:
        """Decrypt a token made with any configured key, else raise PiiDecryptError."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise PiiDecryptError("PII token could not be decrypted") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the current (first) key, for key-rotation jobs."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise PiiDecryptError("PII token could not be decrypted") from exc

    def lookup_hash(self, plain: str) -> str:
        """HMAC-SHA256 hex digest of the normalised value, for exact-match lookups.

        Fernet tokens are randomised, so they cannot be searched; this keyed
        hash can (unlike a bare SHA-256, it is not brute-forceable from the
        small ID/phone number space without the key).
        """
        data = normalize_for_hash(plain).encode("utf-8")
        return hmac.new(self._hash_key, data, hashlib.sha256).hexdigest()
