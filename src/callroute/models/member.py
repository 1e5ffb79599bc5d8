from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callroute.db.base import Base, IdMixin, ProjectScoped, TimestampMixin


class Member(IdMixin, ProjectScoped, TimestampMixin, Base):
    """A person who can be reached: staff, responder, user."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("project_id", "email"),)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    sip_uri: Mapped[str | None] = mapped_column(String(255))
    # The console's sign-in: an argon2id hash (console/passwords.py); None = cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)

    phones: Mapped[list[MemberPhone]] = relationship(
        back_populates="member",
        cascade="all, delete-orphan",
        order_by="MemberPhone.position",
        lazy="selectin",
    )


class MemberPhone(IdMixin, ProjectScoped, Base):
    """One contact number of a member, in E.164, tried in ``position`` order."""

    __tablename__ = "member_phones"
    __table_args__ = (
        UniqueConstraint("member_id", "number"),
        # "Which member owns this number?" (caller identification, verification) stays indexed.
        Index("ix_member_phones_project_id_number", "project_id", "number"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    verified: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    member: Mapped[Member] = relationship(back_populates="phones")
