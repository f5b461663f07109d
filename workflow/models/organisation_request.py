"""A company not yet registered asks to take part in an open call (issue 17, item 5).

The request comes from the public call page, without sign-in. It holds what the company typed
and nothing else until an admin or a manager of the call's lead municipality decides: approving
creates the `Organisation` (kind `company`) and, if wanted, invites the contact as a user;
declining needs a reason. No mail is ever sent to the address typed into the form.
"""

from enum import StrEnum

from sqlmodel import Field

from workflow.models.columns import DecisionColumns, unique_while_pending


class OrganisationRequestStatus(StrEnum):
    """Where a request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class OrganisationRequest(DecisionColumns, table=True):
    """An unregistered company's request to take part in case `case_id`'s published call."""

    __tablename__ = "organisation_requests"
    __table_args__ = (
        # One pending request per company (CVR) and call: a repeated form changes nothing.
        unique_while_pending("ux_organisation_requests_pending", "case_id", "cvr"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    company_name: str = Field(max_length=200)
    cvr: str = Field(max_length=8)
    contact_name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    language: str = Field(default="da", max_length=2)
    status: str = Field(default=OrganisationRequestStatus.PENDING.value, max_length=20, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    """The organisation created on approval."""
    user_id: int | None = Field(default=None, foreign_key="users.id")
    """The contact's user, when the approver invited them."""
