"""Password challenge and hash (P-10, P-14, T-12, T-110)."""

import re

import pytest

from faktory_desktop.protocol.auth import new_challenge, password_hash, verify_password

PASSWORD = "foobar"
SALT = "55104dc76695721d"
HASH_1545 = "6d877f8e5544b1f2598768f817413ab8a357afffa924dedae99eb91472d4ec30"
HASH_1 = "bda5ef54df4404655456165c27f46764614a296cdafcaffc747b7ab7cc1ea313"


def test_t12_hash_vector() -> None:
    # P-14 / T-12
    assert password_hash(PASSWORD, SALT, 1545) == HASH_1545


def test_single_iteration_is_one_sha256() -> None:
    # P-14: i = 1 is a single SHA-256 of password+salt
    assert password_hash(PASSWORD, SALT, 1) == HASH_1


def test_non_positive_iterations_still_hash_once() -> None:
    # Go's hash() always applies SHA-256 at least once
    assert password_hash(PASSWORD, SALT, 0) == HASH_1


def test_verify_v2_uses_challenge_iterations() -> None:
    # P-14
    assert verify_password(PASSWORD, SALT, 1545, 2, HASH_1545)
    assert not verify_password(PASSWORD, SALT, 1545, 2, HASH_1)


@pytest.mark.parametrize("version", [0, 1])
def test_verify_v_below_2_uses_one_iteration(version: int) -> None:
    # P-14 compatibility rule / T-110: the PyPI `faktory` client sends no v and hashes once
    assert verify_password(PASSWORD, SALT, 1545, version, HASH_1)
    assert not verify_password(PASSWORD, SALT, 1545, version, HASH_1545)


@pytest.mark.parametrize(
    "pwdhash",
    [
        None,
        "",
        HASH_1545.upper(),  # Go compares bytes: hex case matters
        HASH_1545[:-1],
        HASH_1545 + "0",
        "0" * 64,
        "\u00e9" * 64,
    ],
)
def test_verify_rejects_wrong_hash(pwdhash: str | None) -> None:
    # P-14
    assert not verify_password(PASSWORD, SALT, 1545, 2, pwdhash)


def test_verify_rejects_wrong_password() -> None:
    assert not verify_password("foobaz", SALT, 1545, 2, HASH_1545)


def test_new_challenge_ranges_and_format() -> None:
    # P-10: i in [4000, 8095]; s = lowercase hex of a non-negative int63, no leading zeros
    for _ in range(500):
        iterations, salt = new_challenge()
        assert 4000 <= iterations <= 8095
        assert re.fullmatch(r"0|[1-9a-f][0-9a-f]{0,15}", salt), salt
        assert int(salt, 16) < 2**63


def test_new_challenge_is_random() -> None:
    salts = {new_challenge()[1] for _ in range(50)}
    iterations = {new_challenge()[0] for _ in range(50)}
    assert len(salts) == 50
    assert len(iterations) > 1
