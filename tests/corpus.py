"""A small generated AI-policy corpus for end-to-end tests: real PDFs with distinct facts."""

from __future__ import annotations

from pathlib import Path

import pdf_factory

TOPICS = {
    "Vendor due diligence": [
        "Suppliers must disclose every subprocessor before the contract is signed.",
        "The procurement lead keeps a register of model vendors and their hosting regions.",
        "Contracts require thirty days notice before a vendor changes its base model.",
        "A vendor that cannot explain its training data sources is rejected at tender.",
    ],
    "Incident reporting": [
        "Severity one incidents are reported to the risk office within one hour.",
        "Every near miss is logged with the model version and the prompt that caused it.",
        "Affected residents are told about a data breach within seventy two hours.",
        "The incident commander decides when a misbehaving model is switched off.",
    ],
    "Hiring fairness": [
        "Automated screening tools are audited for disparate impact every six months.",
        "Candidates may ask for a human review of any automated rejection.",
        "The audit compares selection rates across gender and age groups.",
        "A screening model that fails the four-fifths rule is withdrawn immediately.",
    ],
    "Privacy of training data": [
        "Personal data is removed from training sets unless a lawful basis is recorded.",
        "Customer chat logs are pseudonymised before any fine-tuning run.",
        "Data subjects can request deletion of their records from future training data.",
        "Retention of raw prompts is limited to ninety days.",
    ],
    "Security testing": [
        "Red teams test every chatbot for prompt injection before launch.",
        "Plugins that browse the web run in a sandbox without access to secrets.",
        "Model weights are stored encrypted and access is reviewed quarterly.",
        "Jailbreak attempts found in production are added to the regression suite.",
    ],
    "Environmental impact": [
        "Teams estimate the energy use of each training run before it starts.",
        "Smaller distilled models are preferred when they meet the accuracy target.",
        "Data centres powered by renewable energy are chosen for large jobs.",
        "The annual report lists the carbon emissions of model training.",
    ],
}


def write_corpus(folder: Path, files: int = 3) -> list[Path]:
    """`files` PDFs, each with a page per topic slice; returns their paths."""
    names = list(TOPICS)
    paths = []
    for index in range(files):
        pages = []
        for topic in names[index::files]:
            body = " ".join(TOPICS[topic])
            pages.append(f"{topic}\n{body} These rules apply to all business units.")
        paths.append(pdf_factory.text_pdf(folder / f"policy_{index + 1}.pdf", pages,
                                          header="Example Org AI Handbook"))
    return paths
