"""The web pages' words in Danish (the default) and English.

A plain dictionary, no gettext catalogue: the pages are few, and keeping each Danish text next
to its English one makes a missing translation impossible. `translate` falls back to the key
itself, so a forgotten entry shows up on the page instead of raising.
"""

from api.web.words_knowledge import KNOWLEDGE_WORDS
from api.web.words_partner import PARTNER_WORDS
from api.web.words_public import PUBLIC_WORDS
from api.web.words_saml import SAML_WORDS
from states.text import DEFAULT_LANGUAGE, LANGUAGES, Text, language
from workflow.access.roles import Role
from workflow.core.formatting import format_number

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "pick", "translate"]

_UI: dict[str, tuple[str, str]] = {
    # chrome
    "app.name": ("OPI-sagsstyring", "OPI case management"),
    "nav.board": ("Sager", "Cases"),
    "nav.audit": ("Revision", "Audit"),
    "nav.needs": ("Behovskatalog", "Need catalogue"),
    "nav.leaders": ("Overblik for ledere", "Overview for leaders"),
    # the need catalogue
    "needs.title": ("Behovskatalog", "Need catalogue"),
    "needs.intro": (
        "Behov, som kommunerne deler med hinanden, før virksomhederne kommer på banen.",
        "Needs the municipalities share with each other before the companies arrive.",
    ),
    "needs.total": ("{n} behov", "{n} needs"),
    "needs.search_placeholder": ("Fx demens, uro om natten", "E.g. demens, uro om natten"),
    "needs.area": ("Område", "Area"),
    "needs.all_areas": ("Alle områder", "All areas"),
    "needs.none": ("Ingen delte behov matcher.", "No shared need matches."),
    "needs.pages": ("Sider", "Pages"),
    "needs.page": ("Side {n} af {of}", "Page {n} of {of}"),
    "needs.previous": ("Forrige", "Previous"),
    "needs.next": ("Næste", "Next"),
    "needs.need": ("Behov", "Need"),
    "needs.description": ("Beskrivelse af behovet", "Description of the need"),
    "needs.target_group": ("Målgruppe", "Target group"),
    "needs.expected_value": ("Forventet værdi", "Expected value"),
    "needs.open_case": ("Åbn sagen", "Open the case"),
    "needs.share": ("Del behovet med andre kommuner", "Share the need with other municipalities"),
    "needs.unshare": ("Stop delingen", "Stop sharing"),
    "needs.shared_since": (
        "Delt med andre kommuner siden {at}.",
        "Shared with other municipalities since {at}.",
    ),
    "needs.similar": ("Lignende behov", "Similar needs"),
    "needs.no_similar": ("Ingen lignende delte behov endnu.", "No similar shared needs yet."),
    "nav.signout": ("Log ud", "Sign out"),
    "nav.language": ("Sprog", "Language"),
    "nav.skip": ("Spring til indhold", "Skip to content"),
    # sign in
    "login.title": ("Log ind", "Sign in"),
    "login.none": (
        "Der er ikke sat nogen identitetsudbyder op. Kontakt din administrator.",
        "No identity provider is set up. Contact your administrator.",
    ),
    "login.dev_intro": (
        "Log ind med det token, du har fået af din administrator (kun i udvikling).",
        "Sign in with the token your administrator gave you (development only).",
    ),
    "login.token_disabled": (
        "Log-in med token er slået fra. Brug din organisations log-in.",
        "Signing in with a token is switched off. Use your organisation's sign-in.",
    ),
    "login.token": ("Token", "Token"),
    "login.submit": ("Log ind", "Sign in"),
    "login.invalid": ("Tokenet er ikke gyldigt.", "The token is not valid."),
    "login.throttled": (
        "For mange forkerte forsøg fra din adresse. Vent lidt, og prøv igen.",
        "Too many failed attempts from your address. Wait a while and try again.",
    ),
    "login.signed_out": ("Du er logget ud.", "You are signed out."),
    "login.choose": (
        "Log ind med din organisations log-in.",
        "Sign in with your organisation's sign-in.",
    ),
    "login.with": ("Log ind med {name}", "Sign in with {name}"),
    "login.provider_logout_intro": (
        "Du er stadig logget ind hos din identitetsudbyder.",
        "You are still signed in at your identity provider.",
    ),
    "login.provider_logout": (
        "Log også ud hos identitetsudbyderen",
        "Sign out at the identity provider too",
    ),
    "nav.users": ("Brugere", "Users"),
    "users.title": ("Brugere", "Users"),
    "users.total": ("{n} i alt", "{n} in all"),
    "users.intro": (
        "Inviter personer, skift deres rolle, og deaktiver dem. En deaktiveret bruger logges "
        "ud med det samme, og brugerens tokens tilbagekaldes.",
        "Invite people, change their role and disable them. A disabled user is signed out at "
        "once and their tokens are revoked.",
    ),
    "users.invite": ("Inviter en person", "Invite a person"),
    "users.invite_submit": ("Inviter", "Invite"),
    "users.name": ("Navn", "Name"),
    "users.email": ("E-mail", "Email"),
    "users.role": ("Rolle", "Role"),
    "users.organisation": ("Organisation", "Organisation"),
    "users.no_organisation": ("Ingen organisation", "No organisation"),
    "users.people": ("Personer", "People"),
    "users.status_active": ("Aktiv", "Active"),
    "users.status_disabled": ("Deaktiveret", "Disabled"),
    "users.last_sign_in": ("Sidst logget ind {at}", "Last signed in {at}"),
    "users.save_role": ("Skift rolle", "Change role"),
    "users.save": ("Gem", "Save"),
    "users.disable": ("Deaktiver", "Disable"),
    "users.enable": ("Aktiver igen", "Enable again"),
    "users.email_invalid": ("Skriv en gyldig e-mailadresse.", "Enter a valid email address."),
    "users.email_taken": (
        "Der findes allerede en bruger med denne e-mailadresse.",
        "A user with this email address already exists.",
    ),
    "users.role_needs_organisation": (
        "Denne rolle kræver en organisation.",
        "This role needs an organisation.",
    ),
    "users.not_yourself": ("Du kan ikke deaktivere dig selv.", "You cannot disable yourself."),
    "users.done_invited": (
        "Personen er inviteret. Første log-in med e-mailadressen knytter dem til brugeren.",
        "The person is invited. Their first sign-in with this email links them to the user.",
    ),
    "users.done_changed": ("Rollen er ændret.", "The role has been changed."),
    "users.done_disabled": (
        "Brugeren er deaktiveret, logget ud, og brugerens tokens er tilbagekaldt.",
        "The user is disabled and signed out, and their tokens are revoked.",
    ),
    "users.done_enabled": ("Brugeren er aktiv igen.", "The user is active again."),
    "users.done_sso": ("Indstillingen er gemt.", "The setting has been saved."),
    "users.sso_title": ("Brugere oprettet ved første log-in", "Users created at first sign-in"),
    "users.sso_intro": (
        "Når det er slået til for en organisation, bliver en person, der logger ind med "
        "organisationens log-in for første gang, oprettet som bruger med rollen fra "
        "identitetsudbyderen. Ellers kan kun inviterede personer logge ind.",
        "When this is on for an organisation, a person signing in with the organisation's "
        "sign-in for the first time becomes a user with the role the identity provider gives. "
        "Otherwise only invited people can sign in.",
    ),
    "signed_in.title": ("Du er logget ind", "You are signed in"),
    "signed_in.continue": ("Fortsæt", "Continue"),
    "signin_refused.title": ("Log-in afvist", "Sign-in refused"),
    "signin_refused.logged": (
        "Forsøget er skrevet i revisionsloggen. Kontakt din administrator, hvis du mener, "
        "at det er en fejl.",
        "The attempt has been recorded in the audit log. Contact your administrator if you "
        "think this is a mistake.",
    ),
    "signin_refused.again": ("Til log-in", "To sign-in"),
    "signin_refused.bad_state": (
        "Log-in kunne ikke fuldføres: svaret hører ikke til et log-in, der er startet i denne "
        "browser, eller det er allerede brugt eller for gammelt. Start forfra.",
        "The sign-in could not be completed: the answer belongs to no sign-in started in this "
        "browser, or it was already used or is too old. Please start again.",
    ),
    "signin_refused.provider_error": (
        "Identitetsudbyderen afviste log-in eller kunne ikke nås.",
        "The identity provider refused the sign-in or could not be reached.",
    ),
    "signin_refused.invalid_signature": (
        "Identitetsbeviset er ikke underskrevet af identitetsudbyderen.",
        "The identity proof is not signed by the identity provider.",
    ),
    "signin_refused.expired": (
        "Identitetsbeviset er udløbet. Log ind igen.",
        "The identity proof has expired. Please sign in again.",
    ),
    "signin_refused.wrong_audience": (
        "Identitetsbeviset er udstedt til en anden tjeneste.",
        "The identity proof was issued for another service.",
    ),
    "signin_refused.wrong_issuer": (
        "Identitetsbeviset kommer fra en anden udbyder end den, tjenesten stoler på.",
        "The identity proof comes from another provider than the one this service trusts.",
    ),
    "signin_refused.bad_nonce": (
        "Identitetsbeviset hører til et andet log-in.",
        "The identity proof belongs to another sign-in.",
    ),
    "signin_refused.replayed": (
        "Identitetsbeviset er allerede brugt.",
        "The identity proof has already been used.",
    ),
    "signin_refused.invalid_token": (
        "Identitetsbeviset er ugyldigt.",
        "The identity proof is not valid.",
    ),
    "signin_refused.missing_claims": (
        "Identitetsudbyderen oplyste ingen bekræftet e-mailadresse.",
        "The identity provider gave no verified email address.",
    ),
    "signin_refused.unknown_user": (
        "Du er ikke oprettet som bruger. Bed din administrator om at invitere dig.",
        "You are not a user of this service. Ask your administrator to invite you.",
    ),
    "signin_refused.disabled_user": (
        "Din bruger er deaktiveret.",
        "Your user is disabled.",
    ),
    "signin_refused.unknown_organisation": (
        "Din organisation er ikke kendt af tjenesten.",
        "Your organisation is not known to this service.",
    ),
    "signin_refused.organisation_mismatch": (
        "Identitetsudbyderen angiver en anden organisation end din brugers.",
        "The identity provider names another organisation than your user's.",
    ),
    "signin_refused.throttled": (
        "For mange afviste log-in fra din adresse. Vent lidt, og prøv igen.",
        "Too many refused sign-ins from your address. Wait a while and try again.",
    ),
    "signin_refused.no_role": (
        "Identitetsudbyderen angiver ingen rolle, du kan få her.",
        "The identity provider names no role you can have here.",
    ),
    "login.expired": (
        "Din session er udløbet. Log ind igen.",
        "Your session has expired. Please sign in again.",
    ),
    # board
    "board.title": ("Sager", "Cases"),
    "board.search": ("Søg", "Search"),
    "board.search_placeholder": ("Titel, kommune eller behov", "Title, municipality or need"),
    "board.phase": ("Fase", "Phase"),
    "board.all_phases": ("Alle faser", "All phases"),
    "board.municipality": ("Kommune", "Municipality"),
    "board.all_municipalities": ("Alle kommuner", "All municipalities"),
    "board.overdue_only": ("Kun overskredne frister", "Overdue only"),
    "board.filter": ("Filtrér", "Filter"),
    "board.reset": ("Nulstil", "Reset"),
    "board.empty": ("Ingen sager", "No cases"),
    "board.closed": ("Afsluttede og annullerede", "Completed and cancelled"),
    "board.next_deadline": ("Næste frist", "Next deadline"),
    "board.no_deadline": ("Ingen åbne frister", "No open deadlines"),
    "board.overdue": ("Overskredet", "Overdue"),
    "board.total": ("{n} sager", "{n} cases"),
    "board.truncated": (
        "Viser de {shown} nyeste af {n} sager; søg for at indsnævre.",
        "Showing the {shown} newest of {n} cases; search to narrow them down.",
    ),
    # case page
    "case.lead": ("Ledende kommune", "Lead municipality"),
    "case.version": ("Version", "Version"),
    "case.updated": ("Senest ændret", "Last changed"),
    "case.on_hold": ("På pause", "On hold"),
    "case.hold_reason": ("Begrundelse for pause", "Reason for hold"),
    "case.cancelled_from": ("Annulleret i fasen {phase}", "Cancelled in phase {phase}"),
    "case.participants": ("Deltagere", "Participants"),
    "case.next_step": ("Krav for næste skridt: {dest}", "Requirements for the next step: {dest}"),
    "case.no_next_step": (
        "Sagen har ingen næste fase.",
        "The case has no next phase.",
    ),
    "case.met": ("Opfyldt", "Met"),
    "case.unmet": ("Mangler", "Missing"),
    "case.actions": ("Handlinger", "Actions"),
    "case.no_actions": (
        "Du har ingen handlinger på sagen i denne fase.",
        "You have no actions on this case in this phase.",
    ),
    "case.reason": ("Begrundelse", "Reason"),
    "case.reason_required": ("(skal udfyldes)", "(required)"),
    "case.advance_blocked": (
        "{n} krav mangler; forsøget bliver afvist og registreret.",
        "{n} requirements are missing; an attempt is refused and recorded.",
    ),
    "case.sections": ("Sagens data", "Case data"),
    "case.edit": ("Redigér", "Edit"),
    "case.edit_title": ("Redigér titel", "Edit title"),
    "case.save": ("Gem", "Save"),
    "case.empty_value": ("Ikke udfyldt", "Not filled in"),
    "case.call_only": (
        "Du ser det offentliggjorte opslag. Sagens øvrige data er kun for deltagerne.",
        "You see the published call. The rest of the case is for its participants only.",
    ),
    "case.proposals": ("Forslag", "Proposals"),
    "case.no_proposals": ("Ingen forslag", "No proposals"),
    "case.own_proposals_only": (
        "Du ser kun din egen organisations forslag.",
        "You see only your own organisation's proposals.",
    ),
    "case.deadlines": ("Frister og påmindelser", "Deadlines and reminders"),
    "case.no_deadlines": ("Ingen åbne frister", "No open deadlines"),
    "case.closed_deadlines": ("Lukkede frister ({n})", "Closed deadlines ({n})"),
    "case.timeline": ("Revisionsspor", "Audit trail"),
    "case.timeline_empty": ("Ingen hændelser", "No events"),
    "case.timeline_more": (
        "Viser de {shown} nyeste af {n} hændelser.",
        "Showing the {shown} newest of {n} events.",
    ),
    "case.not_found": ("Sagen findes ikke.", "The case does not exist."),
    "case.rows_hint": (
        "Tomme rækker ignoreres. Gem for at få flere rækker.",
        "Empty rows are ignored. Save to get more rows.",
    ),
    "case.yes": ("Ja", "Yes"),
    "case.no": ("Nej", "No"),
    "case.unset": ("Ikke afgjort", "Not decided"),
    # outcomes of actions
    "msg.saved": ("Ændringerne er gemt.", "Your changes are saved."),
    "msg.unchanged": ("Der var ingen ændringer at gemme.", "There were no changes to save."),
    "msg.moved": ("Sagen er nu i fasen {phase}.", "The case is now in phase {phase}."),
    "msg.paused": ("Sagen er sat på pause.", "The case is on hold."),
    "msg.resumed": ("Sagen er genoptaget.", "The case is resumed."),
    "msg.refused": (
        "Faseskiftet blev afvist, fordi disse krav ikke er opfyldt:",
        "The transition was refused because these requirements are not met:",
    ),
    "msg.stale": (
        "Sagen er blevet ændret af en anden, siden du åbnede den. Dine ændringer er ikke gemt. "
        "Siden viser nu de aktuelle data; prøv igen.",
        "Someone else changed the case after you opened it. Your changes were not saved. "
        "The page now shows the current data; please try again.",
    ),
    "msg.stale_form": (
        "Sagen er blevet ændret af en anden, siden du åbnede den. Dine ændringer er ikke gemt, "
        "men det, du skrev, står stadig i formularen, og felter ændret imens er markeret. "
        "Gem igen for at overskrive dem.",
        "Someone else changed the case after you opened it. Your changes were not saved, but "
        "what you typed is still in the form, and fields changed meanwhile are marked. "
        "Save again to overwrite them.",
    ),
    "msg.invalid": (
        "Nogle felter er ikke gyldige; se markeringerne nedenfor.",
        "Some fields are not valid; see the marks below.",
    ),
    "msg.reason_missing": (
        "Handlingen kræver en begrundelse.",
        "This action needs a reason.",
    ),
    "msg.not_possible": (
        "Handlingen kan ikke udføres på sagen i dens nuværende tilstand.",
        "The action cannot be used on the case in its current state.",
    ),
    "msg.forbidden": ("Din rolle må ikke gøre dette.", "Your role may not do this."),
    # errors
    "error.title": ("Noget gik galt", "Something went wrong"),
    "error.404": ("Siden eller sagen findes ikke.", "The page or case does not exist."),
    "error.403": ("Din rolle giver ikke adgang til dette.", "Your role does not allow this."),
    "error.csrf": (
        "Formularen var for gammel eller kom ikke fra denne side. Genindlæs siden og prøv igen.",
        "The form was too old or did not come from this site. Reload the page and try again.",
    ),
    "error.busy": (
        "Tjenesten har travlt lige nu. Vent et øjeblik, og prøv igen.",
        "The service is busy right now. Wait a moment and try again.",
    ),
    "error.500": (
        "Der opstod en uventet fejl. Den er logget; prøv igen om lidt.",
        "An unexpected error occurred. It has been logged; please try again shortly.",
    ),
    "error.bad_request": ("Forespørgslen er ikke gyldig.", "The request is not valid."),
    "error.back": ("Tilbage til sagerne", "Back to the cases"),
    # form errors
    "form.int": ("Skal være et helt tal.", "Must be a whole number."),
    "form.date": ("Skal være en dato.", "Must be a date."),
    "form.datetime": ("Skal være dato og klokkeslæt.", "Must be a date and a time."),
    "form.choice": ("Vælg en af mulighederne.", "Choose one of the options."),
    "form.too_long": ("Teksten er for lang.", "The text is too long."),
    "form.missing": ("Skal udfyldes.", "Must be filled in."),
    "form.range": ("Værdien er uden for det tilladte interval.", "The value is out of range."),
    "form.invalid": ("Værdien er ikke gyldig.", "The value is not valid."),
    "form.changed_by": (
        "Ændret af {name} imens; gemt nu",
        "Changed by {name} meanwhile; stored now",
    ),
    # new case
    "new.title": ("Ny sag", "New case"),
    "new.intro": (
        "Beskriv behovet så godt du kan nu; resten kan udfyldes på sagen bagefter.",
        "Describe the need as well as you can now; the rest can be filled in on the case later.",
    ),
    "new.case_title": ("Sagens titel", "Title of the case"),
    "new.submit": ("Opret sag", "Create case"),
    "board.new_case": ("Ny sag", "New case"),
    # the manager's forms
    "msg.created": ("Sagen er oprettet.", "The case is created."),
    "msg.participant_added": ("Deltageren er tilføjet.", "The participant is added."),
    "msg.participant_removed": ("Deltageren er fjernet.", "The participant is removed."),
    "msg.participant_stays": (
        "Organisationen kan ikke fjernes: den er den ledende kommune, har indsendt et forslag "
        "eller har underskrevet.",
        "The organisation cannot be removed: it leads the case, submitted a proposal or signed.",
    ),
    "msg.signed": ("Underskriften er registreret.", "The signature is recorded."),
    "msg.deadline_added": ("Fristen er oprettet.", "The deadline is created."),
    "msg.deadline_moved": ("Fristen er flyttet.", "The deadline is moved."),
    "msg.deadline_met": ("Fristen er markeret som opfyldt.", "The deadline is marked as met."),
    "msg.deadline_cancelled": ("Fristen er annulleret.", "The deadline is cancelled."),
    "msg.assessed": ("Vurderingen er gemt.", "The assessment is saved."),
    "msg.decided": ("Beslutningen er gemt.", "The decision is saved."),
    "form.optional": ("(valgfri)", "(optional)"),
    "form.future": ("Må ikke ligge i fremtiden.", "Must not lie in the future."),
    "form.past": ("Skal ligge i fremtiden.", "Must lie in the future."),
    "deadline.new": ("Ny frist", "New deadline"),
    "deadline.title": ("Fristens titel", "Title of the deadline"),
    "deadline.nobody": ("Ingen bestemt organisation", "No particular organisation"),
    "deadline.move": ("Flyt frist", "Move deadline"),
    "deadline.new_due": ("Ny dato og tid", "New due time"),
    "deadline.move_reason": ("Begrundelse for flytning", "Reason for moving"),
    "deadline.cancel_reason": ("Begrundelse for annullering", "Reason for cancelling"),
    "participant.remove_reason": ("Begrundelse for at fjerne", "Reason for removing"),
    "deadline.mark_met": ("Marker som opfyldt", "Mark as met"),
    "deadline.cancel": ("Annullér frist", "Cancel deadline"),
    "participant.invite": ("Tilføj deltager", "Add participant"),
    "participant.search": ("Søg organisation", "Search organisations"),
    "participant.organisation": ("Organisation", "Organisation"),
    "participant.role": ("Rolle", "Role"),
    "participant.none_found": (
        "Ingen organisation passer til søgningen.",
        "No organisation matches the search.",
    ),
    "participant.remove": ("Fjern", "Remove"),
    "doc.title": ("Dokumenter", "Documents"),
    "doc.none": ("Ingen dokumenter endnu.", "No documents yet."),
    "doc.version": ("Version {n}", "Version {n}"),
    "doc.deletion_requested": ("Sletning anmodet", "Deletion requested"),
    "doc.file": ("Fil", "File"),
    "doc.file_hint": (
        "PDF, Office-dokument, billede eller tekst (UTF-8), højst {mb} MB. Du kan også trække "
        "filen hertil.",
        "PDF, Office document, image or text (UTF-8), at most {mb} MB. You can also drag the "
        "file here.",
    ),
    "doc.kind": ("Art", "Kind"),
    "doc.doc_title": ("Dokumentets titel", "Document title"),
    "doc.replaces": ("Ny version af", "New version of"),
    "doc.new_document": ("Et nyt dokument", "A new document"),
    "doc.upload": ("Tilføj dokument", "Add document"),
    "doc.err.no_file": ("Vælg en fil.", "Choose a file."),
    "doc.err.empty": ("Filen er tom.", "The file is empty."),
    "doc.err.name": (
        "Filnavnet må ikke indeholde / eller \\, styretegn eller være over 255 tegn.",
        "The file name may not contain / or \\, control characters or exceed 255 characters.",
    ),
    "doc.err.too_large": ("Filen er for stor.", "The file is too large."),
    "doc.err.type": (
        "Filtypen kan ikke modtages: kun PDF, Office-dokumenter, billeder og tekst i UTF-8.",
        "This type of file is not accepted: only PDF, Office documents, images and UTF-8 text.",
    ),
    "doc.err.malware": (
        "Filen indeholder skadelig kode og er ikke gemt.",
        "The file contains malware and was not stored.",
    ),
    "doc.err.scanner": (
        "Virusscanningen svarer ikke; prøv igen om lidt.",
        "The malware scanner does not answer; try again shortly.",
    ),
    "doc.err.title": (
        "Skriv en titel (højst 300 tegn).",
        "Write a title (at most 300 characters).",
    ),
    "doc.err.kind": ("Vælg en gyldig art.", "Choose a valid kind."),
    "doc.err.replaces": (
        "Et dokument kan kun få en ny version af samme art.",
        "A document can only get a new version of the same kind.",
    ),
    "doc.err.invalid": ("Dokumentet kunne ikke gemmes.", "The document could not be stored."),
    "msg.document_added": ("Dokumentet er gemt.", "The document is stored."),
    "signature.title": ("Underskrifter", "Signatures"),
    "signature.none": ("Ingen underskrifter endnu.", "No signatures yet."),
    "signature.recorded_by": ("registreret af {name}", "recorded by {name}"),
    "signature.record": ("Registrér underskrift", "Record signature"),
    "signature.party": ("Part", "Party"),
    "signature.signatory": ("Underskrivers navn", "Signatory's name"),
    "signature.signed_at": ("Underskrevet", "Signed"),
    # assessment
    "assess.open": ("Vurdér og beslut", "Assess and decide"),
    "assess.title": ("Vurdering af forslag", "Assessment of proposals"),
    "assess.side_by_side": ("Forslagene side om side", "The proposals side by side"),
    "assess.no_criteria": ("Opslaget har ingen kriterier.", "The call has no criteria."),
    "assess.criterion": ("Kriterium", "Criterion"),
    "assess.total": ("Vægtet total (0–10)", "Weighted total (0–10)"),
    "assess.total_hint": (
        "Gennemsnit af bedømmernes seneste vurdering; vurderinger med inhabilitet tæller ikke.",
        "Average of each assessor's latest assessment; assessments with a conflict of interest "
        "do not count.",
    ),
    "assess.assessor": ("Bedømmer", "Assessor"),
    "assess.scores": ("Point", "Scores"),
    "assess.rationale": ("Begrundelse", "Rationale"),
    "assess.none_yet": ("Ikke vurderet endnu.", "Not assessed yet."),
    "assess.score_it": ("Vurdér forslaget", "Assess the proposal"),
    "assess.conflict": (
        "Jeg er inhabil i forhold til dette forslag",
        "I have a conflict of interest with this proposal",
    ),
    "assess.conflict_hint": (
        "En vurdering med inhabilitet registreres, men tæller ikke med.",
        "An assessment with a conflict of interest is recorded but does not count.",
    ),
    "assess.save": ("Gem vurdering", "Save assessment"),
    "assess.decide": ("Beslut", "Decide"),
    "assess.decision_rationale": ("Begrundelse for beslutningen", "Rationale for the decision"),
    "assess.select": ("Vælg forslag", "Select proposal"),
    "assess.reject": ("Afvis forslag", "Reject proposal"),
    # audit page
    "audit.title": ("Revisionslog", "Audit log"),
    "audit.verification": ("Verifikation af hashkæden", "Hash chain verification"),
    "audit.verified": (
        "Alle {chains} kæder med {events} hændelser er intakte.",
        "All {chains} chains with {events} events are intact.",
    ),
    "audit.broken": (
        "Loggen er IKKE intakt: kæden {chain} er brudt ved hændelse {seq}.",
        "The log is NOT intact: chain {chain} is broken at event {seq}.",
    ),
    "audit.checkpoint": (
        "Sammenlignet med det seneste signerede kontrolpunkt fra {at}.",
        "Compared with the newest signed checkpoint, from {at}.",
    ),
    "audit.no_checkpoint": (
        "Der er endnu intet signeret kontrolpunkt at sammenligne med.",
        "There is no signed checkpoint to compare with yet.",
    ),
    "audit.export_hint": (
        "Eksporten følger filtrene ovenfor og indeholder hashes, så kæden kan genberegnes.",
        "The export follows the filters above and carries the hashes, so the chain can be "
        "recomputed.",
    ),
    "audit.all_actors": ("Alle aktører", "All actors"),
    "audit.export": ("Eksportér", "Export"),
    "audit.case": ("Sag (id)", "Case (id)"),
    "audit.actor": ("Aktør", "Actor"),
    "audit.action": ("Handling", "Action"),
    "audit.all_actions": ("Alle handlinger", "All actions"),
    "audit.from": ("Fra dato", "From date"),
    "audit.to": ("Til dato", "To date"),
    "audit.time": ("Tidspunkt", "Time"),
    "audit.details": ("Detaljer", "Details"),
    "audit.hash": ("Hash", "Hash"),
    "audit.count": ("{n} hændelser", "{n} events"),
    "audit.newer": ("Nyere", "Newer"),
    "audit.older": ("Ældre", "Older"),
    "audit.global": ("global", "global"),
    # proposals
    "proposal.title": ("Forslag", "Proposal"),
    "proposal.company": ("Virksomhed", "Company"),
    "proposal.submitted": ("Indsendt", "Submitted"),
    "proposal.summary": ("Resumé", "Summary"),
    "proposal.assessments": ("Vurderinger", "Assessments"),
    "proposal.decision": ("Beslutning", "Decision"),
    "proposal.no_decision": ("Ikke besluttet", "Not decided"),
    "proposal.selected": ("Valgt", "Selected"),
    "proposal.rejected": ("Afvist", "Rejected"),
    "proposal.conflict": ("Inhabil", "Conflict of interest"),
    "proposal.back": ("Tilbage til sagen", "Back to the case"),
    # deadlines and reminders
    "deadline.due": ("Frist", "Due"),
    "deadline.responsible": ("Ansvarlig", "Responsible"),
    "deadline.reminders": ("Påmindelser", "Reminders"),
    "deadline.no_reminders": ("Ingen påmindelser", "No reminders"),
}

_UI.update(PARTNER_WORDS)
_UI.update(SAML_WORDS)
_UI.update(PUBLIC_WORDS)
_UI.update(KNOWLEDGE_WORDS)

ROLES: dict[str, tuple[str, str]] = {
    Role.ADMIN: ("Administrator", "Administrator"),
    Role.MANAGER: ("Projektleder", "Project manager"),
    Role.STAFF: ("Kommunal medarbejder", "Municipal staff"),
    Role.PARTNER: ("Partner", "Partner"),
    Role.AUDITOR: ("Revisor", "Auditor"),
    Role.SYSTEM: ("System", "System"),
    Role.RECIPIENT: ("Modtager (via link)", "Recipient (by link)"),
    Role.PUBLIC: ("Offentligheden (uden login)", "The public (no sign-in)"),
}

TRIGGERS: dict[str, tuple[str, str]] = {
    "advance": ("Gå videre til {dest}", "Advance to {dest}"),
    "send_back": ("Send tilbage til {dest}", "Send back to {dest}"),
    "cancel": ("Annullér sagen", "Cancel the case"),
    "reopen": ("Genåbn sagen i fasen {dest}", "Reopen the case in phase {dest}"),
    "pause": ("Sæt på pause", "Put on hold"),
    "resume": ("Genoptag", "Resume"),
}


def translate(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language`, with `{name}` placeholders filled from `values`."""
    text = pick(_UI.get(key), language, key)
    if not values:
        return text
    shown = {
        name: format_number(v, language) if isinstance(v, int) and not isinstance(v, bool) else v
        for name, v in values.items()
    }  # counts read `1.234 sager` in Danish, `1,234 cases` in English
    return text.format(**shown)


def pick(pair: tuple[str, str] | None, language: str, fallback: str = "") -> str:
    """The Danish or English half of a label pair (or `fallback` when there is none)."""
    if pair is None:
        return fallback
    return Text(*pair).pick(language)


def normalise_language(value: str | None) -> str:
    """A supported language code; Danish for anything unknown."""
    return language(value)
