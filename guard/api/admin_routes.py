"""Admin routes: managing API keys (the policies route lives with the guard routes)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy.exc import IntegrityError

from guard.api.deps import AdminDep
from guard.api.protocol import _Strict
from guard.errors import GuardError, InvalidRequestError
from guard.keys import ApiKey, KeyStore
from guard.limits import Limits

router = APIRouter(prefix="/v1/keys")


class KeyNotFoundError(GuardError):
    status_code = 404
    error_type = "invalid_request_error"
    default_code = "key_not_found"


class NewKey(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["app", "reviewer", "admin"]
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    tpd: int | None = Field(default=None, ge=1)
    max_streams: int | None = Field(default=None, ge=1)

    @property
    def limits(self) -> Limits:
        return Limits(rpm=self.rpm, tpm=self.tpm, tpd=self.tpd, max_streams=self.max_streams)


def _store(request: Request) -> KeyStore:
    store: KeyStore = request.app.state.keys
    return store


def _shown(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
        **key.limits.model_dump(),
    }


@router.get("")
async def list_keys(request: Request, _admin: AdminDep) -> dict[str, Any]:
    """Keys with their roles and state (never the secrets)."""
    return {"data": [_shown(k) for k in await asyncio.to_thread(_store(request).list)]}


@router.post("")
async def create_key(body: NewKey, request: Request, _admin: AdminDep) -> dict[str, Any]:
    """A new key; its secret is in this answer only."""
    try:
        key, secret = await asyncio.to_thread(
            _store(request).create, body.name, body.role, body.limits
        )
    except IntegrityError as exc:
        raise InvalidRequestError(
            f"a key named {body.name!r} already exists", param="name"
        ) from exc
    return {**_shown(key), "key": secret}


@router.delete("/{name_or_id}")
async def revoke_key(name_or_id: str, request: Request, _admin: AdminDep) -> dict[str, Any]:
    """Revoke a key; it stops working within seconds on every replica."""
    if not await asyncio.to_thread(_store(request).revoke, name_or_id):
        raise KeyNotFoundError(f"no active key {name_or_id!r}")
    return {"revoked": name_or_id}
