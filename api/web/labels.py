"""Danish and English names of the things the pages show: requirements, audit actions, values."""

REQUIREMENTS: dict[str, tuple[str, str]] = {
    "need.owner": ("Behovsejer med navn og e-mail", "Need owner with name and email"),
    "need.description": ("Beskrivelse af behovet", "Description of the need"),
    "need.target_group": ("Målgruppe", "Target group"),
    "need.expected_value": ("Forventet værdi", "Expected value"),
    "need.legal_track": ("Juridisk spor er valgt", "Legal track chosen"),
    "call.ready": (
        "Opslaget er klar: titel, tekst, kriterier på i alt 100 % og en frist",
        "Call ready: title, text, criteria totalling 100 % and a deadline",
    ),
    "call.closed": ("Fristen for forslag er udløbet", "The submission deadline has passed"),
    "call.min_proposals": ("Nok forslag er modtaget", "Enough proposals received"),
    "proposals.assessed": (
        "Alle forslag er vurderet på alle kriterier af en inhabilitetsfri bedømmer",
        "Every proposal scored on every criterion by an assessor without a conflict",
    ),
    "proposals.decided": (
        "Forslag valgt og afvist, hver beslutning begrundet",
        "Proposals selected and rejected, each decision with a rationale",
    ),
    "agreement.signed": (
        "Aftalen er underskrevet af kommunen og de valgte virksomheder",
        "Agreement signed by the municipality and the selected companies",
    ),
    "agreement.clauses": ("Alle klausuler er bekræftet", "Every clause confirmed"),
    "agreement.dpa": (
        "Databehandleraftale og eventuel konsekvensanalyse",
        "Data processing agreement and any impact assessment",
    ),
    "pilot.plan": (
        "Plan for afprøvningen: sted, periode og succeskriterier",
        "Pilot plan: site, period and success criteria",
    ),
    "pilot.ethics": (
        "Anmeldelse til videnskabsetisk komité er afklaret",
        "Ethics committee notification decided",
    ),
    "pilot.ended": ("Afprøvningen er afsluttet", "The pilot has ended"),
    "pilot.evaluation": (
        "Evaluering med resultat og rapport",
        "Evaluation with outcome and report",
    ),
    "scale.knowledge_shared": (
        "Viden er samlet op og offentliggjort",
        "Knowledge summarised and published",
    ),
    "scale.adoption": (
        "En anden kommune har afgivet hensigtserklæring",
        "Another municipality gave a letter of intent",
    ),
    "scale.purchase_route": ("Indkøbsvej er valgt", "Purchase route chosen"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "case.created": ("Sag oprettet", "Case created"),
    "case.updated": ("Data ændret", "Data changed"),
    "case.transition": ("Faseskift", "Transition"),
    "case.transition_refused": ("Faseskift afvist", "Transition refused"),
    "proposal.submitted": ("Forslag indsendt", "Proposal submitted"),
    "proposal.assessed": ("Forslag vurderet", "Proposal assessed"),
    "proposal.decided": ("Beslutning om forslag", "Decision on proposal"),
    "agreement.signed": ("Aftale underskrevet", "Agreement signed"),
    "participant.added": ("Deltager tilføjet", "Participant added"),
    "participant.changed": ("Deltagerrolle ændret", "Participant role changed"),
    "organisation.created": ("Organisation oprettet", "Organisation created"),
    "token.created": ("Token oprettet", "Token created"),
    "deadline.created": ("Frist oprettet", "Deadline created"),
    "deadline.moved": ("Frist flyttet", "Deadline moved"),
    "deadline.met": ("Frist overholdt", "Deadline met"),
    "deadline.cancelled": ("Frist annulleret", "Deadline cancelled"),
    "reminder.sent": ("Påmindelse sendt", "Reminder sent"),
    "reminder.failed": ("Påmindelse mislykkedes", "Reminder failed"),
    "reminder.acknowledged": ("Påmindelse kvitteret", "Reminder acknowledged"),
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
    "ip": ("Immaterielle rettigheder", "Intellectual property"),
    "confidentiality": ("Fortrolighed", "Confidentiality"),
    "publication": ("Offentliggørelse", "Publication"),
    "budget": ("Budget", "Budget"),
    "termination": ("Opsigelse", "Termination"),
    "state_aid": ("Statsstøtte", "State aid"),
    # decisions on proposals
    "selected": ("Valgt", "Selected"),
    "rejected": ("Afvist", "Rejected"),
    # participant roles
    "lead": ("Ledende kommune", "Lead municipality"),
    "municipality": ("Kommune", "Municipality"),
    "partner": ("Partner", "Partner"),
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
    "email": ("E-mail", "Email"),
    "webhook": ("Webhook", "Webhook"),
}

ORGANISATION_KINDS: dict[str, tuple[str, str]] = {
    "municipality": ("kommune", "municipality"),
    "company": ("virksomhed", "company"),
    "knowledge_institution": ("vidensinstitution", "knowledge institution"),
    "facilitator": ("facilitator", "facilitator"),
}
