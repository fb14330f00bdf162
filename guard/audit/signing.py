"""Ed25519 keys that sign the audit log's checkpoints and evidence packs.

``guard audit keygen DIR`` writes ``audit-signing.key`` (PKCS#8 PEM, mode 0600) and
``audit-signing.pub`` (SubjectPublicKeyInfo PEM). The writer signs with the private key; an
auditor checks with the public key alone. A key's id is the first 16 hex digits of the
SHA-256 of its raw public bytes, so a record names the key it was signed with.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from guard.errors import ConfigurationError

PRIVATE_NAME = "audit-signing.key"
PUBLIC_NAME = "audit-signing.pub"


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Verifier:
    """Checks signatures made by one key."""

    public: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def verify(self, message: bytes, signature: str | None) -> bool:
        if not signature:
            return False
        try:
            self.public.verify(base64.b64decode(signature), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """Signs with one private key."""

    private: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.private.public_key())

    @property
    def key_id(self) -> str:
        return self.verifier.key_id

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()


def generate(directory: Path) -> tuple[Path, Path]:
    """A new key pair in ``directory``; never overwrites an existing key."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_NAME, directory / PUBLIC_NAME
    if private_path.exists() or public_path.exists():
        raise ConfigurationError(f"{directory} already holds an audit signing key; not replaced")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private_path, public_path


def load_signer(path: Path) -> Signer:
    """The private key at ``path``; refuses a key file others can read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"audit signing key {path}: {exc.strerror}") from exc
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigurationError(
            f"audit signing key {path} is readable by other users; chmod 600 it"
        )
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"audit signing key {path}: not a PEM private key") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigurationError(f"audit signing key {path}: not an Ed25519 key")
    return Signer(private)


def load_verifier(path: Path) -> Verifier:
    """The public key at ``path`` (a private key file also works: its public half is used)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"audit public key {path}: {exc.strerror}") from exc
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"audit public key {path}: not a PEM key") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise ConfigurationError(f"audit public key {path}: not an Ed25519 key") from None
        return Verifier(private.public_key())
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigurationError(f"audit public key {path}: not an Ed25519 key")
    return Verifier(public)
