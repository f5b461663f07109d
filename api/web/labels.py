"""Danish and English names of the things the pages show: audit actions and values.

A requirement's label is part of its definition (`states.requirements`), not listed here.
"""

from states.sections import CLAUSE_LABELS
from workflow.models import ParticipantRole
from workflow.proposals.service import SIGNED_ACTION

ACTIONS: dict[str, tuple[str, str]] = {
    "case.created": ("Sag oprettet", "Case created"),
    "case.updated": ("Data ændret", "Data changed"),
    "case.transition": ("Faseskift", "Transition"),
    "case.transition_refused": ("Faseskift afvist", "Transition refused"),
    "proposal.submitted": ("Forslag indsendt", "Proposal submitted"),
    "proposal.assessed": ("Forslag vurderet", "Proposal assessed"),
    "proposal.decided": ("Beslutning om forslag", "Decision on proposal"),
    "proposal.edited": ("Forslag ændret", "Proposal edited"),
    "proposal.withdrawn": ("Forslag trukket tilbage", "Proposal withdrawn"),
    SIGNED_ACTION: ("Aftale underskrevet", "Agreement signed"),
    "participant.added": ("Deltager tilføjet", "Participant added"),
    "participant.changed": ("Deltagerrolle ændret", "Participant role changed"),
    "participant.removed": ("Deltager fjernet", "Participant removed"),
    "organisation.created": ("Organisation oprettet", "Organisation created"),
    "token.created": ("Token oprettet", "Token created"),
    "deadline.created": ("Frist oprettet", "Deadline created"),
    "deadline.moved": ("Frist flyttet", "Deadline moved"),
    "deadline.met": ("Frist overholdt", "Deadline met"),
    "deadline.cancelled": ("Frist annulleret", "Deadline cancelled"),
    "reminder.sent": ("Påmindelse sendt", "Reminder sent"),
    "reminder.failed": ("Påmindelse mislykkedes", "Reminder failed"),
    "reminder.acknowledged": ("Påmindelse kvitteret", "Reminder acknowledged"),
    "need.shared": ("Behov delt med andre kommuner", "Need shared with other municipalities"),
    "need.unshared": ("Deling af behov stoppet", "Need no longer shared"),
    "need.join_requested": ("Anmodning om at deltage i behovet", "Request to join the need"),
    "need.join_decided": ("Svar på anmodning om at deltage", "Answer to a request to join"),
    "document.uploaded": ("Dokument tilføjet", "Document added"),
    "document.replaced": ("Ny version af dokument", "New version of a document"),
    "document.deletion_requested": ("Sletning af dokument anmodet", "Document deletion requested"),
    "document.downloaded": ("Dokument hentet af revisor", "Document downloaded by an auditor"),
    "document.refused": ("Dokument afvist: skadelig kode", "Document refused: malware"),
}

VALUES: dict[str, tuple[str, str]] = {
    "opi_without_tender": ("OPI uden udbud", "OPI without tender"),
    "innovation_partnership": ("Innovationspartnerskab", "Innovation partnership"),
    "pre_commercial_procurement": ("Prækommercielt indkøb", "Pre-commercial procurement"),
    "mini_trial": ("Mini-afprøvning", "Mini trial"),
    "tender": ("Udbud", "Tender"),
    "innovation_partnership_direct": (
        "Direkte via innovationspartnerskab",
        "Directly through the innovation partnership",
    ),
    "none": ("Intet senere køb", "No later purchase"),
    "success": ("Succes", "Success"),
    "partial": ("Delvis succes", "Partial success"),
    "failed": ("Mislykket", "Failed"),
    **CLAUSE_LABELS,
    # decisions on proposals
    "selected": ("Valgt", "Selected"),
    "rejected": ("Afvist", "Rejected"),
    # participant roles
    "lead": ("Ledende kommune", "Lead municipality"),
    "municipality": ("Kommune", "Municipality"),
    ParticipantRole.PARTNER: ("Partner", "Partner"),
    "interested": ("Interesseret", "Interested"),
    "knowledge_partner": ("Vidensinstitution", "Knowledge institution"),
    "facilitator": ("Facilitator", "Facilitator"),
    # deadline and reminder statuses
    "open": ("Åben", "Open"),
    "met": ("Overholdt", "Met"),
    "cancelled": ("Annulleret", "Cancelled"),
    "pending": ("Afventer", "Pending"),
    "sending": ("Sendes", "Sending"),
    "sent": ("Sendt", "Sent"),
    "delivered": ("Leveret", "Delivered"),
    "retrying": ("Prøver igen", "Retrying"),
    "acknowledged": ("Kvitteret", "Acknowledged"),
    "skipped": ("Sprunget over", "Skipped"),
    # welfare areas of a need (states.sections.Area)
    "elderly_care": ("Ældre og omsorg", "Elderly care"),
    "health": ("Sundhed", "Health"),
    "disability": ("Handicap og psykiatri", "Disability and mental health"),
    "children": ("Børn og familie", "Children and families"),
    "education": ("Skole og uddannelse", "Schools and education"),
    "employment": ("Beskæftigelse", "Employment"),
    "climate": ("Klima og miljø", "Climate and environment"),
    "culture": ("Kultur og fritid", "Culture and leisure"),
    "administration": ("Administration og digitalisering", "Administration and digitalisation"),
    "email": ("E-mail", "Email"),
    "webhook": ("Webhook", "Webhook"),
}

ORGANISATION_KINDS: dict[str, tuple[str, str]] = {
    "municipality": ("kommune", "municipality"),
    "company": ("virksomhed", "company"),
    "knowledge_institution": ("vidensinstitution", "knowledge institution"),
    "facilitator": ("facilitator", "facilitator"),
}
