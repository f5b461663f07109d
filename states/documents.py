"""The kinds of documents a case holds, with their labels (pure data, no storage).

Requirements name the kinds they need (`states.requirements.Requirement.documents`); the
workflow tells the checks which kinds a case holds (`states.facts.CaseFacts.document_kinds`),
so the checks stay pure.
"""

from enum import StrEnum

from states.text import Text


class DocumentKind(StrEnum):
    """What a document is, as the guards and the pages know it."""

    PROPOSAL = "proposal"
    AGREEMENT = "agreement"
    DPA = "dpa"
    """The data processing agreement (databehandleraftale)."""
    DPIA = "dpia"
    """The data protection impact assessment (konsekvensanalyse)."""
    EVALUATION_REPORT = "evaluation_report"
    KNOWLEDGE = "knowledge"
    OTHER = "other"


DOCUMENT_KIND_LABELS: dict[DocumentKind, Text] = {
    DocumentKind.PROPOSAL: Text("Forslag", "Proposal"),
    DocumentKind.AGREEMENT: Text("Samarbejdsaftale", "Collaboration agreement"),
    DocumentKind.DPA: Text("Databehandleraftale", "Data processing agreement"),
    DocumentKind.DPIA: Text("Konsekvensanalyse (DPIA)", "Impact assessment (DPIA)"),
    DocumentKind.EVALUATION_REPORT: Text("Evalueringsrapport", "Evaluation report"),
    DocumentKind.KNOWLEDGE: Text("Vidensmateriale", "Knowledge material"),
    DocumentKind.OTHER: Text("Andet", "Other"),
}
"""Each kind's Danish and English name."""
