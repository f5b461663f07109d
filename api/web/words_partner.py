"""The words of the partner pages, "Mit overblik", "Mine frister" and the acknowledge page.

Kept apart from `api.web.i18n`'s own table (which merges this one) so that each page family
keeps its Danish and English texts together.
"""

PARTNER_WORDS: dict[str, tuple[str, str]] = {
    # navigation
    "nav.overview": ("Mit overblik", "My overview"),
    "nav.calls": ("Åbne opslag", "Open calls"),
    "nav.my_proposals": ("Mine forslag", "My proposals"),
    "nav.my_deadlines": ("Mine frister", "My deadlines"),
    "nav.count": ("{n} venter", "{n} waiting"),
    # overview
    "overview.title": ("Mit overblik", "My overview"),
    "overview.intro": (
        "Det, der venter på dig og din organisation nu, efter frist.",
        "What waits on you and your organisation now, by due date.",
    ),
    "overview.nothing": ("Intet venter på dig lige nu.", "Nothing waits on you right now."),
    "overview.deadlines": (
        "Frister, din organisation er ansvarlig for",
        "Deadlines your organisation is responsible for",
    ),
    "overview.to_assess": (
        "Forslag, der venter på din vurdering",
        "Proposals waiting for your assessment",
    ),
    "overview.signatures": ("Underskrifter, der afventes", "Signatures awaited"),
    "overview.sign_yourself": (
        "Aftalen venter på jeres underskrift.",
        "The agreement waits for your signature.",
    ),
    "overview.awaiting": ("Mangler underskrift fra: {names}", "Awaiting the signature of: {names}"),
    "overview.requirements": (
        "Sager, der venter på noget, du kan udfylde",
        "Cases waiting on something you can fill in",
    ),
    "overview.requirements_hint": (
        "Gælder de {n} senest ændrede igangværende sager, din kommune leder.",
        "Covers the {n} most recently changed running cases your municipality leads.",
    ),
    "overview.call_closes": ("Opslaget lukker {when}", "The call closes {when}"),
    "overview.auditor": (
        "Som revisor har du ingen opgaver med frister. Revisionsloggen viser hele sporet.",
        "As an auditor you have no tasks with deadlines. The audit log shows the whole trail.",
    ),
    # open calls
    "calls.title": ("Åbne opslag", "Open calls"),
    "calls.intro": (
        "Alle offentliggjorte opslag, der tager imod forslag nu, på tværs af kommuner.",
        "Every published call taking proposals now, across municipalities.",
    ),
    "calls.empty": ("Der er ingen åbne opslag lige nu.", "There are no open calls right now."),
    "calls.municipality": ("Offentliggjort af", "Published by"),
    "calls.criteria": ("Tildelingskriterier", "Assessment criteria"),
    "calls.weight": ("Vægt", "Weight"),
    "calls.deadline": ("Frist for forslag", "Submission deadline"),
    "calls.closes": ("lukker {when}", "closes {when}"),
    "calls.closed": ("lukkede {when}", "closed {when}"),
    "calls.interest": ("Vis interesse", "Show interest"),
    "calls.interested": ("I har vist interesse", "You have shown interest"),
    "calls.propose": ("Indsend forslag", "Submit a proposal"),
    "calls.your_proposal": ("Jeres forslag", "Your proposal"),
    "calls.open_case": ("Se opslaget", "View the call"),
    "calls.companies_only": (
        "Kun virksomheder og vidensinstitutioner byder på opslag.",
        "Only companies and knowledge institutions bid on calls.",
    ),
    # proposals
    "proposal.new_title": ("Indsend forslag", "Submit a proposal"),
    "proposal.edit_title": ("Ret forslag", "Edit the proposal"),
    "proposal.field_title": ("Forslagets titel", "Title of the proposal"),
    "proposal.field_summary": ("Beskrivelse af løsningen", "Description of the solution"),
    "proposal.summary_help": (
        "Beskriv løsningen, så den kan vurderes på opslagets kriterier.",
        "Describe the solution so it can be assessed on the call's criteria.",
    ),
    "proposal.submit": ("Indsend forslag", "Submit the proposal"),
    "proposal.save": ("Gem ændringer", "Save changes"),
    "proposal.edit": ("Ret forslaget", "Edit the proposal"),
    "proposal.withdraw": ("Træk forslaget tilbage", "Withdraw the proposal"),
    "proposal.withdraw_confirm": (
        "Forslaget tæller ikke længere med. I kan indsende et nyt før fristen.",
        "The proposal no longer counts. You may submit a new one before the deadline.",
    ),
    "proposal.withdrawn": ("Trukket tilbage", "Withdrawn"),
    "proposal.edited": ("Rettet", "Edited"),
    "proposal.late": (
        "Fristen for forslag udløb {when}. Forslaget er ikke gemt; sene forslag afvises.",
        "The submission deadline passed {when}. The proposal was not saved; late proposals "
        "are refused.",
    ),
    "proposal.late_change": (
        "Fristen for forslag er udløbet. Forslaget kan ikke længere ændres eller trækkes tilbage.",
        "The submission deadline has passed. The proposal can no longer be changed or withdrawn.",
    ),
    "proposal.closed": (
        "Opslaget tager ikke imod forslag.",
        "The call does not take proposals.",
    ),
    "proposal.mine_empty": ("I har ikke indsendt forslag.", "You have not submitted proposals."),
    "proposal.case": ("Sag", "Case"),
    "proposal.phase": ("Fase", "Phase"),
    # messages after an action
    "msg.interest": (
        "Jeres interesse er registreret. Fristen står under Mine frister.",
        "Your interest is recorded. The deadline is listed under My deadlines.",
    ),
    "msg.submitted": ("Forslaget er indsendt.", "The proposal is submitted."),
    "msg.edited": ("Forslaget er rettet.", "The proposal is updated."),
    "msg.withdrawn": ("Forslaget er trukket tilbage.", "The proposal is withdrawn."),
    "msg.self_signed": ("Aftalen er underskrevet.", "The agreement is signed."),
    # deadlines
    "deadlines.title": ("Mine frister", "My deadlines"),
    "deadlines.intro": (
        "Åbne frister, din organisation er ansvarlig for, på tværs af sager.",
        "Open deadlines your organisation is responsible for, across cases.",
    ),
    "deadlines.empty": ("Ingen åbne frister", "No open deadlines"),
    "deadlines.when": ("{when}", "{when}"),
    "deadline.call": ("Frist for forslag (opslaget)", "Submission deadline (the call)"),
    # signing
    "sign.title": ("Underskriv aftalen", "Sign the agreement"),
    "sign.intro": (
        "Jeres forslag er valgt. Underskriv samarbejdsaftalen på vegne af {org}.",
        "Your proposal was selected. Sign the collaboration agreement on behalf of {org}.",
    ),
    "sign.name": ("Underskrivers navn", "Signatory's name"),
    "sign.submit": ("Underskriv aftalen", "Sign the agreement"),
    "sign.done": ("Aftalen er underskrevet af jer.", "You have signed the agreement."),
    # acknowledge page
    "ack.title": ("Kvittér for påmindelsen", "Acknowledge the reminder"),
    "ack.intro": (
        "Kvittér for fristen „{deadline}“ i sagen „{case}“. Så kommer der ikke flere "
        "påmindelser før fristen; påmindelsen på dagen og rykkere kommer stadig.",
        "Acknowledge the deadline “{deadline}” in the case “{case}”. No further reminders "
        "will come before the due date; the reminder on the day and escalations still will.",
    ),
    "ack.due": ("Frist: {due}", "Due: {due}"),
    "ack.button": ("Kvittér", "Acknowledge"),
    "ack.acknowledged": (
        "Tak. Kvitteringen for „{deadline}“ i sagen „{case}“ er registreret.",
        "Thank you. Your acknowledgement of “{deadline}” in the case “{case}” is recorded.",
    ),
    "ack.already_acknowledged": (
        "Der er allerede kvitteret for „{deadline}“ i sagen „{case}“. Intet er ændret.",
        "“{deadline}” in the case “{case}” was acknowledged before. Nothing has changed.",
    ),
    "ack.outdated": (
        "„{deadline}“ i sagen „{case}“ har fået en ny frist, siden påmindelsen blev sendt. "
        "Brug linket i den nyeste påmindelse.",
        "“{deadline}” in the case “{case}” has a new due date since this reminder was sent. "
        "Please use the link in the newest reminder.",
    ),
    "ack.closed": (
        "„{deadline}“ i sagen „{case}“ er allerede opfyldt eller annulleret.",
        "“{deadline}” in the case “{case}” is already met or cancelled.",
    ),
    "ack.invalid": (
        "Linket er ikke gyldigt. Brug linket i den nyeste påmindelse.",
        "The link is not valid. Please use the link in the newest reminder.",
    ),
    "ack.expired": (
        "Linket er udløbet. Brug linket i den nyeste påmindelse.",
        "The link has expired. Please use the link in the newest reminder.",
    ),
    "ack.open_case": ("Se sagen", "View the case"),
}
