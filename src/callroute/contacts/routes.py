from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.contacts.schemas import (
    ContactCreate,
    ContactListQuery,
    ContactLookupQuery,
    ContactOut,
    ContactUpdate,
)
from callroute.contacts.service import ContactService
from callroute.integrity.schemas import Deleted

router = APIRouter(prefix=f"{API_PREFIX}/contacts", tags=["contacts"])

Reader = Annotated[Principal, Depends(require("contacts:read"))]
Writer = Annotated[Principal, Depends(require("contacts:write"))]


@router.post("", status_code=201, response_model=ContactOut, summary="Create a contact")
async def create_contact(
    data: ContactCreate, principal: Writer, session: Session, clock: ClockDep
) -> ContactOut:
    contact = await ContactService(session, principal.project_id, clock).create(data)
    return ContactOut.model_validate(contact)


@router.get("", response_model=Page[ContactOut], summary="List contacts")
async def list_contacts(
    query: Annotated[ContactListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[ContactOut]:
    result = await ContactService(session, principal.project_id, clock).page(query)
    return page_of(ContactOut, result)


@router.get("/lookup", response_model=ContactOut, summary="The contact who has this number")
async def lookup_contact(
    query: Annotated[ContactLookupQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> ContactOut:
    contact = await ContactService(session, principal.project_id, clock).lookup(query.phone)
    return ContactOut.model_validate(contact)


@router.get("/{contact_id}", response_model=ContactOut, summary="Get a contact")
async def get_contact(
    contact_id: str, principal: Reader, session: Session, clock: ClockDep
) -> ContactOut:
    contact = await ContactService(session, principal.project_id, clock).get(contact_id)
    return ContactOut.model_validate(contact)


@router.patch("/{contact_id}", response_model=ContactOut, summary="Update a contact")
async def update_contact(
    contact_id: str, data: ContactUpdate, principal: Writer, session: Session, clock: ClockDep
) -> ContactOut:
    contact = await ContactService(session, principal.project_id, clock).update(contact_id, data)
    return ContactOut.model_validate(contact)


@router.delete("/{contact_id}", response_model=Deleted, summary="Delete a contact")
async def delete_contact(
    contact_id: str, principal: Writer, session: Session, clock: ClockDep
) -> Deleted:
    deleted = await ContactService(session, principal.project_id, clock).delete(contact_id)
    return Deleted.of(deleted, [])
