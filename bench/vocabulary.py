"""Words for realistic benchmark data: Danish municipalities, OPI topics, company names."""

MUNICIPALITIES = (
    "Albertslund", "Allerød", "Assens", "Ballerup", "Billund", "Bornholm", "Brøndby",
    "Brønderslev", "Dragør", "Egedal", "Esbjerg", "Fanø", "Favrskov", "Faxe", "Fredensborg",
    "Fredericia", "Frederiksberg", "Frederikshavn", "Frederikssund", "Furesø", "Faaborg-Midtfyn",
    "Gentofte", "Gladsaxe", "Glostrup", "Greve", "Gribskov", "Guldborgsund", "Haderslev",
    "Halsnæs", "Hedensted", "Helsingør", "Herlev", "Herning", "Hillerød", "Hjørring",
    "Holbæk", "Holstebro", "Horsens", "Hvidovre", "Høje-Taastrup", "Hørsholm", "Ikast-Brande",
    "Ishøj", "Jammerbugt", "Kalundborg", "Kerteminde", "Kolding", "København", "Køge",
    "Langeland", "Lejre", "Lemvig", "Lolland", "Lyngby-Taarbæk", "Læsø", "Mariagerfjord",
    "Middelfart", "Morsø", "Norddjurs", "Nordfyns", "Nyborg", "Næstved", "Odder", "Odense",
    "Odsherred", "Randers", "Rebild", "Ringkøbing-Skjern", "Ringsted", "Roskilde", "Rudersdal",
    "Rødovre", "Samsø", "Silkeborg", "Skanderborg", "Skive", "Slagelse", "Solrød", "Sorø",
    "Stevns", "Struer", "Svendborg", "Syddjurs", "Sønderborg", "Thisted", "Tønder", "Tårnby",
    "Vallensbæk", "Varde", "Vejen", "Vejle", "Vesthimmerland", "Viborg", "Vordingborg", "Ærø",
    "Aabenraa", "Aalborg", "Aarhus",
)  # fmt: skip

TOPICS = (
    ("Rolige dage for borgere med demens", "demens"),
    ("Færre faldulykker i eget hjem", "fald"),
    ("Digital genoptræning efter hofteoperation", "genoptræning"),
    ("Bedre søvn på plejecentre", "søvn"),
    ("Ensomhed blandt ældre i landdistrikter", "ensomhed"),
    ("Medicinhåndtering i hjemmeplejen", "medicin"),
    ("Tryg forflytning af borgere med handicap", "forflytning"),
    ("Inkontinens og værdighed på plejehjem", "inkontinens"),
    ("Tidlig opsporing af underernæring", "ernæring"),
    ("Sensorer til indeklima i daginstitutioner", "indeklima"),
    ("Mindre madspild i kommunale køkkener", "madspild"),
    ("Grøn omstilling af kommunens bilflåde", "bilflåde"),
    ("Klimatilpasning af skolegårde", "klimatilpasning"),
    ("Læsestøtte til ordblinde elever", "ordblinde"),
    ("Mental trivsel blandt unge", "trivsel"),
    ("Rehabilitering efter apopleksi", "apopleksi"),
    ("Telemedicin til borgere med KOL", "KOL"),
    ("Bedre overgange fra hospital til hjem", "overgange"),
    ("Robotstøvsugere i plejeboliger", "rengøring"),
    ("Virtuel hjemmepleje om natten", "nattevagt"),
    ("Smart affaldssortering i boligområder", "affald"),
    ("Energistyring i kommunale bygninger", "energi"),
    ("Tilgængelig kollektiv trafik i yderområder", "trafik"),
    ("Demensvenlige udearealer", "udearealer"),
    ("Støtte til pårørende til kronisk syge", "pårørende"),
    ("Hjælpemidler til spisning", "spisning"),
    ("Forebyggelse af tryksår", "tryksår"),
    ("Velfærdsteknologi i bostøtte", "bostøtte"),
    ("Digitale fællesskaber for seniorer", "seniorer"),
    ("Bedre arbejdsmiljø i ældreplejen", "arbejdsmiljø"),
    ("Lys og sansestimulering på plejehjem", "sanserum"),
    ("Tidlig indsats mod skolefravær", "skolefravær"),
    ("Sikker vandforsyning og lækagesporing", "lækage"),
    ("Biodiversitet i kommunale grønne områder", "biodiversitet"),
    ("Ventetid i borgerservice", "borgerservice"),
    ("Mobil genbrugsstation", "genbrug"),
    ("Cirkulære byggematerialer", "byggeri"),
    ("Støj i daginstitutioner", "støj"),
    ("Brugerstyret personlig assistance", "assistance"),
    ("Dagligdagsaktiviteter for borgere med hjerneskade", "hjerneskade"),
)

SEARCH_WORD = "demens"
"""The `q` of the case-list benchmark: two topics in forty use it, so about 5 % of the cases."""

SITES = (
    "Plejecenter Solgården", "Plejehjemmet Svanepunktet", "Aktivitetscenter Lindebo",
    "Rehabiliteringscentret", "Bostedet Egely", "Dagtilbud Regnbuen", "Hjemmeplejen Nord",
    "Træningscenter Syd",
)  # fmt: skip

COMPANY_WORDS = (
    "Rolig", "Sense", "Care", "Nordic", "Tryg", "Velfærd", "Digital", "Green", "Smart", "Lys",
    "Data", "Robot", "Sund", "Klima", "Viden", "Bo", "Hjem", "Puls", "Flow", "Nova",
)  # fmt: skip
COMPANY_SUFFIXES = ("ApS", "A/S", "IVS", "Technologies ApS", "Solutions A/S")


def municipality_name(index: int) -> str:
    """`<name> Kommune` for index 0, 1, ...; names repeat with a number past the 98th."""
    name = MUNICIPALITIES[index % len(MUNICIPALITIES)]
    lap = index // len(MUNICIPALITIES)
    return f"{name} Kommune" + (f" {lap + 1}" if lap else "")


def company_name(index: int) -> str:
    """A made-up company name, distinct for each index."""
    a = COMPANY_WORDS[index % len(COMPANY_WORDS)]
    b = COMPANY_WORDS[(index // len(COMPANY_WORDS) + 7) % len(COMPANY_WORDS)]
    suffix = COMPANY_SUFFIXES[index % len(COMPANY_SUFFIXES)]
    return f"{a}{b.lower()} {index + 1} {suffix}"
