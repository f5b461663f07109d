"""The words of the knowledge library ("Videnbibliotek"), "Det har andre gjort" and the
co-owners (issue 17).

Kept apart from `api.web.i18n`'s own table (which merges this one) so each page family keeps
its Danish and English texts together.
"""

KNOWLEDGE_WORDS: dict[str, tuple[str, str]] = {
    "nav.knowledge": ("Videnbibliotek", "Knowledge library"),
    "knowledge.title": ("Videnbibliotek", "Knowledge library"),
    "knowledge.intro": (
        "Hvad andre kommuners afprøvninger viste: behovet, løsningen, resultaterne med tal, "
        "hvem der tager løsningen i brug, og erfaringerne fra afprøvninger, der blev stoppet.",
        "What other municipalities' pilots showed: the need, the solution, the results in "
        "numbers, who adopts the solution, and the lessons of pilots that were stopped.",
    ),
    "knowledge.total": ("{n} sager", "{n} cases"),
    "knowledge.search_placeholder": ("Fx demens, fald, ensomhed", "E.g. demens, fald, ensomhed"),
    "knowledge.all_states": ("Alle", "All"),
    "knowledge.outcome": ("Resultat", "Outcome"),
    "knowledge.all_outcomes": ("Alle resultater", "All outcomes"),
    "knowledge.none": (
        "Ingen sager i videnbiblioteket matcher.",
        "No case in the library matches.",
    ),
    "knowledge.need": ("Behovet", "The need"),
    "knowledge.solution": ("Løsningen", "The solution"),
    "knowledge.no_solution": (
        "Ingen valgt løsning er registreret.",
        "No chosen solution is recorded.",
    ),
    "knowledge.results": ("Resultater", "Results"),
    "knowledge.metric": ("Måling", "Metric"),
    "knowledge.baseline": ("Udgangspunkt", "Baseline"),
    "knowledge.target": ("Mål", "Target"),
    "knowledge.result": ("Målt", "Measured"),
    "knowledge.effect": ("Effekt", "Effect"),
    "knowledge.reached": ("Mål nået", "Target reached"),
    "knowledge.not_reached": ("Mål ikke nået", "Target not reached"),
    "knowledge.no_criteria": (
        "Ingen succeskriterier er registreret.",
        "No success criteria are recorded.",
    ),
    "knowledge.pilot": ("Afprøvningen", "The pilot"),
    "knowledge.site": ("Sted", "Site"),
    "knowledge.period": ("Periode", "Period"),
    "knowledge.report": ("Evalueringsrapport", "Evaluation report"),
    "knowledge.summary": ("Vidensopsamling", "Knowledge summary"),
    "knowledge.adoption": (
        "Kommuner der tager løsningen i brug",
        "Municipalities adopting the solution",
    ),
    "knowledge.letter": ("hensigtserklæring {date}", "letter of intent {date}"),
    "knowledge.no_adopters": ("Ingen endnu.", "None yet."),
    "knowledge.purchase_route": ("Indkøbsvej", "Purchase route"),
    "knowledge.lessons": ("Erfaringer", "Lessons"),
    "knowledge.stopped": ("Stoppet under {phase}", "Stopped during {phase}"),
    "knowledge.open_case": ("Åbn sagen", "Open the case"),
    "knowledge.back": ("Videnbibliotek", "Knowledge library"),
    "knowledge.others_did": ("Det har andre gjort", "What others have done"),
    "knowledge.others_did_intro": (
        "Afsluttede og skalerede sager med lignende behov.",
        "Completed and scaled cases with similar needs.",
    ),
    "knowledge.none_similar": (
        "Ingen afsluttede sager med lignende behov endnu.",
        "No finished cases with similar needs yet.",
    ),
    "knowledge.before_you_start": (
        "Det har andre gjort: se andre kommuners resultater og delte behov, før I går i gang; "
        "når sagen er oprettet, viser den de afsluttede sager med lignende behov.",
        "What others have done: see other municipalities' results and shared needs before you "
        "start; once the case is created, it shows finished cases with similar needs.",
    ),
    "call.published_by": ("Offentliggjort af {names}", "Published by {names}"),
    "case.co_owners": ("Medejere", "Co-owners"),
    "case.co_owner_note": (
        "Jeres kommune er medejer af behovet: I ser hele sagen, får dens påmindelser og nævnes "
        "på opslaget. {lead} kører sagen.",
        "Your municipality co-owns the need: you see the whole case, receive its reminders and "
        "are named on the call. {lead} runs the case.",
    ),
    "scale.co_owners_offered": ("Medejere af behovet", "Co-owners of the need"),
    "scale.other_municipalities": ("Andre kommuner", "Other municipalities"),
    # joining a shared need
    "join.title": ("Vi har samme behov", "We have the same need"),
    "join.intro": (
        "Bed {lead} om at blive medejer af behovet: I ser hele sagen, får dens påmindelser, "
        "nævnes på opslaget og tilbydes løsningen ved skalering.",
        "Ask {lead} to become a co-owner of the need: you see the whole case, receive its "
        "reminders, are named on the call and are offered the solution at scale.",
    ),
    "join.message": ("Besked til {lead} (valgfri)", "Message to {lead} (optional)"),
    "join.ask": ("Vi har samme behov", "We have the same need"),
    "join.pending": (
        "Jeres anmodning afventer svar fra {lead}.",
        "Your request awaits an answer from {lead}.",
    ),
    "join.declined": (
        "{lead} afviste jeres anmodning: {reason}",
        "{lead} declined your request: {reason}",
    ),
    "join.requests": ("Anmodninger om at deltage", "Requests to join"),
    "join.none": ("Ingen anmodninger endnu.", "No requests yet."),
    "join.from": ("fra {name}", "from {name}"),
    "join.accept": ("Accepter som medejer", "Accept as co-owner"),
    "join.decline": ("Afvis", "Decline"),
    "join.reason": ("Begrundelse (kræves ved afvisning)", "Reason (required to decline)"),
    "join.status.pending": ("Afventer svar", "Awaiting an answer"),
    "join.status.accepted": ("Accepteret", "Accepted"),
    "join.status.declined": ("Afvist", "Declined"),
    "join.message_invalid": (
        "Teksten er for lang (højst 2000 tegn) eller indeholder ugyldige tegn.",
        "The text is too long (2000 characters at most) or holds invalid characters.",
    ),
    "join.already": (
        "Jeres kommune har allerede en anmodning, der afventer svar, eller deltager i sagen.",
        "Your municipality already has a request awaiting an answer, or takes part in the case.",
    ),
    "join.choose": ("Vælg at acceptere eller afvise.", "Choose to accept or decline."),
    "join.reason_missing": (
        "Skriv en begrundelse for afvisningen.",
        "Write a reason for declining.",
    ),
    "join.decided": ("Anmodningen er allerede besvaret.", "The request has already been answered."),
}
