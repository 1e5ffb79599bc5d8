"""ORM tables, one module per aggregate. Importing this package registers them all."""

from callroute.models.api_key import ApiKey
from callroute.models.member import Member, MemberPhone
from callroute.models.project import Project

__all__ = ["ApiKey", "Member", "MemberPhone", "Project"]
