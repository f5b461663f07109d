"""The words of "Overblik for ledere", Danish first, English second.

Kept beside the page rather than in `api.web.i18n` so the figure titles (`TITLES`) and the
table headers (`workflow.leaders.tables`) are the same words in the charts, the tables and
the downloads.
"""

from states.text import Text

WORDS: dict[str, Text] = {
    "title": Text("Overblik for ledere", "Overview for leaders"),
    "intro": Text(
        "Hvordan sagerne bevæger sig gennem faserne, hvor de går i stå, og hvad afprøvningerne "
        "har givet. Tallene regnes ud i databasen, hver gang siden vises.",
        "How the cases move through the phases, where they get stuck and what the pilots "
        "achieved. The figures are computed in the database each time the page is shown.",
    ),
    "scope_one": Text("Kommune: {name}", "Municipality: {name}"),
    "scope_all": Text("Alle kommuner", "All municipalities"),
    "period": Text("Periode: {start} til og med {end}", "Period: {start} to {end} inclusive"),
    "from": Text("Fra", "From"),
    "to": Text("Til og med", "To (inclusive)"),
    "municipality": Text("Kommune", "Municipality"),
    "all_municipalities": Text("Alle kommuner", "All municipalities"),
    "show": Text("Vis", "Show"),
    "reset": Text("Nulstil", "Reset"),
    "download_csv": Text("Hent som CSV", "Download as CSV"),
    "download_xlsx": Text("Hent alle tal som regneark (.xlsx)", "Download every figure (.xlsx)"),
    "table": Text("Tabel", "Table"),
    "nothing": Text("Ingen tal i perioden.", "No figures in the period."),
    "cases_unit": Text("sager", "cases"),
    "reminders_unit": Text("påmindelser", "reminders"),
    "days": Text("{n} dage", "{n} days"),
    "median_p90": Text("{median} / {p90} dage", "{median} / {p90} days"),
    "cases_n": Text("{n} sager", "{n} cases"),
    "percent": Text("{n} %", "{n} %"),
    "sent": Text("Sendt", "Sent"),
    "failed": Text("Fejlet", "Failed"),
    "desc.phases": Text(
        "Søjler pr. måned, delt efter fase: antal sager i hver fase ved månedens udgang.",
        "Columns per month, split by phase: cases in each phase at the end of the month.",
    ),
    "desc.phase_times": Text(
        "Vandrette søjler pr. fase: mediantid i dage, med 90 %-fraktilen som en streg "
        "(tallene: median / 90 %-fraktil).",
        "Horizontal bars per phase: median days, with the 90th percentile as a line "
        "(the numbers: median / 90th percentile).",
    ),
    "desc.conversion": Text(
        "Vandrette søjler: sager oprettet i perioden, og hvor mange der siden nåede match, "
        "afprøvning og skalering.",
        "Horizontal bars: cases created in the period and how many have since reached match, "
        "pilot and scale.",
    ),
    "desc.overdue": Text(
        "Vandrette søjler pr. kommune: åbne frister, der er overskredet nu.",
        "Horizontal bars per municipality: open deadlines overdue now.",
    ),
    "desc.refusals": Text(
        "Vandrette søjler pr. krav: hvor mange gange en fremrykning blev afvist, fordi kravet "
        "ikke var opfyldt.",
        "Horizontal bars per requirement: how often an advance was refused because it was unmet.",
    ),
    "desc.reminders": Text(
        "Søjler pr. måned: påmindelser sendt og påmindelser, der endeligt fejlede.",
        "Columns per month: reminders sent and reminders that finally failed.",
    ),
    "desc.pilot_effects": Text(
        "Vandrette søjler pr. succeskriterium: ændringen fra udgangspunkt til målt resultat i "
        "procent; negative søjler går til venstre for nul.",
        "Horizontal bars per success criterion: the change from baseline to measured result "
        "in percent; negative bars run left of zero.",
    ),
    "notes": Text(
        "Tid i fase tæller forløb, der sluttede i perioden, pauser medregnet. Overskredne "
        "frister og afprøvningernes effekt gælder i dag, uanset perioden.",
        "Time in phase counts stays that ended in the period, pauses included. Overdue "
        "deadlines and pilot effects are as of today, whatever the period.",
    ),
    "error.date": Text("Skriv datoen som 2026-03-01.", "Write the date as 2026-03-01."),
    "error.years": Text(
        "Datoen skal ligge i årene 2000-2100.", "The date must lie in the years 2000-2100."
    ),
    "error.order": Text(
        "Til-datoen skal ligge på eller efter fra-datoen.",
        "The end date must be on or after the start date.",
    ),
    "error.long": Text("Højst 120 måneder ad gangen.", "At most 120 months at a time."),
    "error.municipality": Text(
        "Vælg en kommune fra listen.", "Choose a municipality from the list."
    ),
}
