"""The words of the public call pages and of the approvers' page "Anmodninger fra
virksomheder" (issue 17, item 5), merged into `api.web.i18n`'s table."""

PUBLIC_WORDS: dict[str, tuple[str, str]] = {
    # the public call list
    "public.title": ("Åbne opslag", "Open calls"),
    "public.intro": (
        "Kommunernes åbne opslag om offentlig-privat innovation. Alle virksomheder kan byde, "
        "også virksomheder, der endnu ikke er registreret her.",
        "The municipalities' open calls for public-private innovation. Every company may bid, "
        "also companies not yet registered here.",
    ),
    "public.total": ("{n} åbne opslag", "{n} open calls"),
    "public.empty": ("Der er ingen åbne opslag lige nu.", "There are no open calls right now."),
    "public.published_by": ("Offentliggjort af {names}", "Published by {names}"),
    "public.deadline": ("Frist for forslag", "Submission deadline"),
    "public.closes": ("lukker {when}", "closes {when}"),
    "public.criteria": ("Tildelingskriterier", "Assessment criteria"),
    "public.min_proposals": ("Mindste antal forslag", "Minimum number of proposals"),
    "public.read_more": ("Læs opslaget", "Read the call"),
    "public.feeds": ("Følg opslagene", "Follow the calls"),
    "public.feed_atom": ("Atom-feed med åbne opslag", "Atom feed of open calls"),
    "public.feed_ics": ("Kalender med frister (iCalendar)", "Calendar of deadlines (iCalendar)"),
    "public.back": ("Alle åbne opslag", "All open calls"),
    "public.sign_in": (
        "Er din virksomhed allerede registreret? Log ind for at indsende et forslag.",
        "Is your company registered already? Sign in to submit a proposal.",
    ),
    "public.sign_in_link": ("Log ind", "Sign in"),
    # asking to take part
    "public.ask_title": ("Vil din virksomhed deltage?", "Does your company want to take part?"),
    "public.ask_intro": (
        "Er virksomheden ikke registreret endnu, så send en anmodning. Kommunen godkender "
        "virksomheden og giver kontaktpersonen adgang. Vi sender intet til adressen, før "
        "anmodningen er godkendt.",
        "If the company is not registered yet, send a request. The municipality approves the "
        "company and gives the contact access. Nothing is sent to the address before the "
        "request is approved.",
    ),
    "public.company_name": ("Virksomhedens navn", "Company name"),
    "public.cvr": ("CVR-nummer", "CVR number"),
    "public.cvr_help": ("8 cifre.", "8 digits."),
    "public.contact_name": ("Kontaktperson", "Contact person"),
    "public.email": ("E-mail", "Email"),
    "public.send": ("Send anmodning", "Send the request"),
    "public.sent": (
        "Tak. Anmodningen er modtaget og afventer kommunens godkendelse.",
        "Thank you. The request is received and awaits the municipality's approval.",
    ),
    "public.invalid": (
        "Anmodningen er ikke sendt. Ret felterne nedenfor.",
        "The request was not sent. Correct the fields below.",
    ),
    "public.throttled": (
        "Der er sendt for mange anmodninger. Prøv igen senere.",
        "Too many requests were sent. Try again later.",
    ),
    "public.error.company_name": (
        "Skriv virksomhedens navn (højst 200 tegn).",
        "Enter the company's name (at most 200 characters).",
    ),
    "public.error.cvr": (
        "Et CVR-nummer er 8 cifre, fx 12345678.",
        "A CVR number is 8 digits, e.g. 12345678.",
    ),
    "public.error.contact_name": (
        "Skriv kontaktpersonens navn (højst 200 tegn).",
        "Enter the contact person's name (at most 200 characters).",
    ),
    "public.error.email": (
        "Skriv en gyldig e-mailadresse, fx navn@firma.dk.",
        "Enter a valid email address, e.g. name@company.dk.",
    ),
    # the approvers' page
    "nav.requests": ("Anmodninger", "Requests"),
    "requests.title": ("Anmodninger fra virksomheder", "Requests from companies"),
    "requests.intro": (
        "Virksomheder, der ikke er registreret, og som vil deltage i et åbent opslag. "
        "Godkend for at oprette virksomheden; afvis med en begrundelse.",
        "Companies not registered yet that want to take part in an open call. Approve to "
        "create the company; decline with a reason.",
    ),
    "requests.empty": ("Ingen anmodninger.", "No requests."),
    "requests.call": ("Opslag", "Call"),
    "requests.company": ("Virksomhed", "Company"),
    "requests.contact": ("Kontakt", "Contact"),
    "requests.received": ("Modtaget", "Received"),
    "requests.status": ("Status", "Status"),
    "requests.status.pending": ("Afventer", "Pending"),
    "requests.status.approved": ("Godkendt", "Approved"),
    "requests.status.declined": ("Afvist", "Declined"),
    "requests.registered": (
        "En organisation med dette CVR-nummer findes allerede. Afvis anmodningen; "
        "virksomhedens egne folk logger ind.",
        "An organisation with this CVR number exists already. Decline the request; the "
        "company's own people sign in.",
    ),
    "requests.invite": (
        "Giv kontaktpersonen adgang som bruger",
        "Give the contact access as a user",
    ),
    "requests.approve": ("Godkend", "Approve"),
    "requests.decline": ("Afvis", "Decline"),
    "requests.reason": ("Begrundelse for afvisningen", "Reason for declining"),
    "requests.decided": ("{who}, {at}", "{who}, {at}"),
    "msg.request_approved": (
        "Anmodningen er godkendt, og virksomheden er oprettet.",
        "The request is approved and the company created.",
    ),
    "msg.request_declined": ("Anmodningen er afvist.", "The request is declined."),
    "msg.request_conflict": (
        "Anmodningen kan ikke godkendes: den er allerede afgjort, eller virksomheden eller "
        "e-mailadressen findes allerede.",
        "The request cannot be approved: it was decided already, or the company or the email "
        "address exists already.",
    ),
}
