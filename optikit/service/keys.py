"""API keys: random secrets shown once; the store keeps only their SHA-256.

A key has 256 random bits, so a plain hash is enough (no salt or slow hash needed: it
cannot be guessed from a dictionary).  ``ok_<id>_<secret>``: the id names the key in
``optikit keys list`` and ``revoke`` without revealing it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

PREFIX = "ok"
TENANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class KeyRecord:
    """A key as the store knows it (never the key itself)."""

    key_id: str
    tenant: str
    created: float
    revoked: float | None


def new_key() -> tuple[str, str]:
    """A fresh (key id, key)."""
    key_id = secrets.token_hex(4)
    return key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def valid_tenant(name: str) -> bool:
    """Tenant names: letters, digits, ``_.-``, up to 64 characters."""
    return bool(TENANT_PATTERN.match(name))
