"""Tests for chelun.core.pii (pure, no Django)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from chelun.core.pii import (
    PhoneError,
    PiiCipher,
    PiiDecryptError,
    mask_id_number,
    mask_phone,
    normalize_for_hash,
    validate_mobile,
)

# Fixed test keys (valid Fernet keys: 32 url-safe base64 bytes). Test-only.
OLD_KEY = "Vo4bNTt8Vs2TQjExK8Chp5ncp6rGmxbKvDkTGdgTNvw="
NEW_KEY = "yD2O0bK2kY2k1iQ6nqQ3fP0wVqYkqj1kYbW4YvV0Zk8="
OTHER_KEY = "3Q9wYzKfQm3bJ1yX0c8l2p4t6v8x0z2B4D6F8H0J2L4="
HASH_KEY = "test-hash-key-0123456789"


def make_cipher(*keys: str) -> PiiCipher:
    return PiiCipher(list(keys), HASH_KEY)


# --- masking ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("51010519900307123X", "510***********123X"),
        ("51010519900307123x", "510***********123X"),
        ("510105 19900307 123X", "510***********123X"),
        ("110105491231002", "110********1002"),  # 15-digit legacy
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_id_number(raw: str, expected: str) -> None:
    masked = mask_id_number(raw)
    assert masked == expected
    assert len(masked) == len("".join(raw.split()))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("1381234", "*******"),
    ],
)
def test_mask_phone(raw: str, expected: str) -> None:
    assert mask_phone(raw) == expected


# --- mobile validation ------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "(+86)13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_validate_mobile_normalises(raw: str) -> None:
    assert validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_validate_mobile_all_prefixes(prefix: str) -> None:
    assert validate_mobile(prefix + "012345678") == prefix + "012345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_format"),
        ("1381234567", "phone_format"),  # 10 digits
        ("138123456789", "phone_format"),  # 12 digits
        ("1381234567a", "phone_format"),
        ("+1 415 555 0100", "phone_format"),
        ("١٣٨١٢٣٤٥٦٧٨", "phone_format"),  # Arabic-Indic digits
        ("12812345678", "phone_prefix"),
        ("10012345678", "phone_prefix"),
        ("23812345678", "phone_prefix"),
        ("028-12345678", "phone_prefix"),  # Chengdu landline: 11 digits, wrong prefix
    ],
)
def test_validate_mobile_errors(raw: str, code: str) -> None:
    with pytest.raises(PhoneError) as exc_info:
        validate_mobile(raw)
    assert exc_info.value.code == code
    assert isinstance(exc_info.value, ValueError)


def test_validate_mobile_message_is_chinese() -> None:
    with pytest.raises(PhoneError) as exc_info:
        validate_mobile("12812345678")
    assert exc_info.value.message == "手机号格式不正确，应以 13-19 开头"


# --- PiiCipher --------------------------------------------------------------


def test_encrypt_decrypt_round_trip() -> None:
    cipher = make_cipher(NEW_KEY)
    token = cipher.encrypt("51010519900307123X")
    assert token != "51010519900307123X"
    assert "51010519900307123X" not in token
    assert cipher.decrypt(token) == "51010519900307123X"


def test_encrypt_handles_chinese_text() -> None:
    cipher = make_cipher(NEW_KEY)
    assert cipher.decrypt(cipher.encrypt("四川省成都市武侯区")) == "四川省成都市武侯区"


def test_encrypt_is_randomised() -> None:
    cipher = make_cipher(NEW_KEY)
    first, second = cipher.encrypt("13812345678"), cipher.encrypt("13812345678")
    assert first != second
    assert [cipher.decrypt(first), cipher.decrypt(second)] == [
        "13812345678",
        "13812345678",
    ]


def test_encrypt_many() -> None:
    cipher = make_cipher(NEW_KEY)
    tokens = cipher.encrypt_many(["a", "b", "c"])
    assert len(tokens) == 3
    assert [cipher.decrypt(t) for t in tokens] == ["a", "b", "c"]


def test_key_rotation_old_token_still_decrypts() -> None:
    old_token = make_cipher(OLD_KEY).encrypt("13812345678")
    rotated = make_cipher(NEW_KEY, OLD_KEY)
    assert rotated.decrypt(old_token) == "13812345678"
    # New tokens use the new key only.
    new_token = rotated.encrypt("13900001111")
    assert make_cipher(NEW_KEY).decrypt(new_token) == "13900001111"
    with pytest.raises(PiiDecryptError):
        make_cipher(OLD_KEY).decrypt(new_token)


def test_rotate_reencrypts_under_current_key() -> None:
    old_token = make_cipher(OLD_KEY).encrypt("13812345678")
    new_token = make_cipher(NEW_KEY, OLD_KEY).rotate(old_token)
    assert make_cipher(NEW_KEY).decrypt(new_token) == "13812345678"


def test_decrypt_with_wrong_key_raises() -> None:
    token = make_cipher(OLD_KEY).encrypt("13812345678")
    with pytest.raises(PiiDecryptError):
        make_cipher(OTHER_KEY).decrypt(token)
    with pytest.raises(PiiDecryptError):
        make_cipher(OTHER_KEY).rotate(token)


@pytest.mark.parametrize("token", ["", "not-a-token", "令牌"])
def test_decrypt_garbage_raises(token: str) -> None:
    with pytest.raises(PiiDecryptError):
        make_cipher(NEW_KEY).decrypt(token)


def test_decrypt_tampered_token_raises() -> None:
    cipher = make_cipher(NEW_KEY)
    token = cipher.encrypt("13812345678")
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(tampered)


def test_lookup_hash_known_values() -> None:
    # Expected digests computed independently with openssl:
    #   printf '13812345678' | openssl dgst -sha256 -hmac 'test-hash-key-0123456789'
    cipher = make_cipher(NEW_KEY)
    assert cipher.lookup_hash("13812345678") == "0b27ec782c2d1d792b70ef2e7d35a506e74e6afa02adc9192b843174ccb9882e"
    assert (
        cipher.lookup_hash("11010519491231002X") == "a0a41e6ed1d70c79595178a43ff0e8a86ed9049d9362d7a4c9f13a52ab232b46"
    )


def test_lookup_hash_normalises_and_ignores_fernet_keys() -> None:
    expected = "a0a41e6ed1d70c79595178a43ff0e8a86ed9049d9362d7a4c9f13a52ab232b46"
    assert make_cipher(OLD_KEY).lookup_hash(" 11010519491231002x ") == expected
    assert make_cipher(NEW_KEY, OLD_KEY).lookup_hash("１１０１０５１９４９１２３１００２Ｘ") == expected


def test_lookup_hash_depends_on_hash_key() -> None:
    other = PiiCipher([NEW_KEY], b"another-hash-key-0123456789")
    assert other.lookup_hash("13812345678") != make_cipher(NEW_KEY).lookup_hash("13812345678")
    assert len(other.lookup_hash("13812345678")) == 64


def test_normalize_for_hash() -> None:
    assert normalize_for_hash(" 1101 0519 4912 3100 2x ") == "11010519491231002X"


def test_cipher_accepts_bytes_keys() -> None:
    cipher = PiiCipher([NEW_KEY.encode()], HASH_KEY.encode())
    assert make_cipher(NEW_KEY).decrypt(cipher.encrypt("x")) == "x"


def test_cipher_config_errors() -> None:
    with pytest.raises(ValueError, match="at least one Fernet key"):
        PiiCipher([], HASH_KEY)
    with pytest.raises(TypeError):
        PiiCipher(NEW_KEY, HASH_KEY)
    with pytest.raises(ValueError, match="Fernet key must be 32"):
        PiiCipher(["not-a-key"], HASH_KEY)
    with pytest.raises(ValueError, match="hash_key must be at least 16 bytes"):
        PiiCipher([NEW_KEY], "changeme")


def test_cipher_repr_hides_keys() -> None:
    assert repr(make_cipher(NEW_KEY)) == "<PiiCipher>"


def test_generated_key_works() -> None:
    cipher = PiiCipher([Fernet.generate_key().decode()], HASH_KEY)
    assert cipher.decrypt(cipher.encrypt("13812345678")) == "13812345678"
