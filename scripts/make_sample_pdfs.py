"""Write the sample AI-policy PDFs in ``resources/`` (the demo run's training corpus).

Usage::

    .venv/bin/python scripts/make_sample_pdfs.py            # (re)write resources/*.pdf
    .venv/bin/python scripts/make_sample_pdfs.py --check    # exit 1 if the committed PDFs differ

The organisations, people and figures in these documents are fictional; the text was written
for this project. Output is byte-for-byte reproducible for a given fpdf2 version: the creation
date and producer string are fixed, fpdf2 derives the document ID from the content, and only
the built-in Helvetica font is used, so no font file from the host is embedded.

Each PDF deliberately has what real policy PDFs have and the ingest stage must cope with: a
running header and a "Page n of N" footer on every page, numbered section headings, defined
terms in bold, bullet lists, and words hyphenated across line ends (soft hyphens placed on long
words, so a break lands wherever the layout puts one).
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader

log = logging.getLogger("make_sample_pdfs")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "resources"

#: Fixed so that reruns give identical bytes.
CREATION_DATE = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)
PRODUCER = "embedtune scripts/make_sample_pdfs.py"
FICTION_NOTE = (
    "Sample document written for the embedtune project. The organisation, people and figures "
    "are fictional."
)

#: Break points for soft hyphens ("-" marks the break); a stem also matches inside longer words
#: ("organisations"), and only body text is hyphenated, never headings.
HYPHENATION = [
    "account-ability",
    "appli-cants",
    "appli-cations",
    "assess-ment",
    "candi-dates",
    "classi-fications",
    "configu-ration",
    "contain-ment",
    "develop-ment",
    "discrimi-natory",
    "documen-tation",
    "employ-ment",
    "environ-ment",
    "evalu-ation",
    "founda-tion",
    "genera-tive",
    "gover-nance",
    "identi-fiable",
    "inde-pendent",
    "infor-mation",
    "investi-gation",
    "limi-tations",
    "manage-ment",
    "monitor-ing",
    "notifi-cation",
    "organi-sation",
    "particu-lar",
    "partner-ship",
    "perfor-mance",
    "procure-ment",
    "prohib-ited",
    "protec-tion",
    "pseudony-misation",
    "pseudony-mised",
    "question-naire",
    "recommen-dations",
    "recruit-ment",
    "represen-tative",
    "require-ment",
    "responsi-bilities",
    "statis-tical",
    "transpar-ency",
    "vali-dation",
]
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class SampleDoc:
    filename: str
    title: str
    organisation: str
    #: Left part of the running header.
    short_title: str
    #: Document control line under the title, and the right part of the running header.
    reference: str
    control: str
    body: str


class PolicyPDF(FPDF):
    """A4 document with a running header and a "Page n of N" footer on every page."""

    def __init__(self, doc: SampleDoc) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc = doc
        # cp1252 gives curly quotes, dashes, bullets and the pound sign with the core fonts.
        self.core_fonts_encoding = "windows-1252"
        self.set_margins(left=22, top=24, right=22)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()
        self.set_creation_date(CREATION_DATE)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_title(doc.title)
        self.set_author(doc.organisation)
        self.set_subject(FICTION_NOTE)
        self.set_lang("en-GB")

    def header(self) -> None:
        self.set_y(10)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        width = self.w - self.l_margin - self.r_margin
        self.cell(width / 2, 5, f"{self.doc.organisation} | {self.doc.short_title}")
        self.cell(width / 2, 5, self.doc.reference, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(160, 160, 160)
        self.line(self.l_margin, 15.5, self.w - self.r_margin, 15.5)
        self.set_text_color(0, 0, 0)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def hyphenate(text: str) -> str:
    """Put soft hyphens at the listed break points (case of the first letter kept)."""
    for entry in HYPHENATION:
        plain = entry.replace("-", "")
        soft = entry.replace("-", SOFT_HYPHEN)
        text = text.replace(plain, soft).replace(plain.capitalize(), soft.capitalize())
    return text


def parse_blocks(body: str) -> list[tuple[str, str]]:
    """Split the light markup into (kind, text) blocks: h1, h2, bullet, para.

    "# " and "## " lines are headings; "- " starts a bullet; other lines up to a blank line
    form a paragraph. Continuation lines are joined with a space.
    """
    blocks: list[tuple[str, str]] = []
    current: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal current, kind
        if current:
            blocks.append((kind, " ".join(current)))
        current, kind = [], ""

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(("h2", line[3:]))
        elif line.startswith("# "):
            flush()
            blocks.append(("h1", line[2:]))
        elif line.startswith("- "):
            flush()
            kind, current = "bullet", [line[2:]]
        else:
            kind = kind or "para"
            current.append(line)
    flush()
    return blocks


def render(doc: SampleDoc) -> bytes:
    pdf = PolicyPDF(doc)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", style="B", size=17)
    pdf.multi_cell(width, 8, doc.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(width, 5, doc.organisation, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 5, doc.control, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", style="I", size=8.5)
    pdf.multi_cell(width, 4.5, FICTION_NOTE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    line_h = 5.2
    previous = ""
    for kind, text in parse_blocks(doc.body):
        if previous == "bullet" and kind != "bullet":
            pdf.ln(1.5)
        previous = kind
        if kind in ("h1", "h2"):
            # Keep a heading with the first lines of its section.
            if pdf.will_page_break(22):
                pdf.add_page()
            pdf.ln(3 if kind == "h1" else 1.5)
            pdf.set_font("Helvetica", style="B", size=12.5 if kind == "h1" else 11)
            pdf.multi_cell(width, 6.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            continue
        pdf.set_font("Helvetica", size=10.5)
        if kind == "bullet":
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(5, line_h, "\u2022")
            pdf.multi_cell(
                width - 8, line_h, hyphenate(text), markdown=True, new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(1)
        else:
            pdf.multi_cell(
                width, line_h, hyphenate(text), markdown=True, new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(2.5)
    return bytes(pdf.output())


def describe(data: bytes) -> dict[str, int]:
    """Pages, words and line-end hyphenations of a rendered PDF, as the ingest stage sees it."""
    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() or "" for page in reader.pages]
    joined = "\n".join(texts)
    return {
        "pages": len(reader.pages),
        "words": len(joined.split()),
        "hyphenated_line_ends": len(re.findall(r"[a-z]-\n[a-z]", joined)),
    }


PROCUREMENT_BODY = """
# 1 Purpose and scope

## 1.1 Why this policy exists

Larkfield City Council buys far more artificial intelligence than it builds. In the 2023/24
financial year the council held 41 contracts for software with an AI component, yet only three
of those systems were developed in-house. Most arrived as a feature inside a product the council
already licensed: a case management platform that began suggesting priority levels, an office
suite that added a drafting assistant, a parking enforcement system that started reading number
plates with a vision model. None of these changes went through a procurement decision that
considered the AI specifically. This policy closes that gap. It sets out how the council decides
whether to buy an AI system, what it asks of suppliers, which contract terms are mandatory, and
how the system is watched once it is live.

The policy supports the council's Digital Strategy 2024-2028 and sits alongside the Contract
Procedure Rules, the Data Protection Policy and the Information Security Policy. Where this
policy and the Contract Procedure Rules conflict on thresholds or tender routes, the Contract
Procedure Rules prevail; where they conflict on AI-specific assurance, this policy prevails.

## 1.2 What is in scope

This policy applies to every purchase, renewal, extension or free trial of a product or service
that uses an AI system to produce outputs that influence a council decision, a communication
with a resident, or the handling of personal data. It applies regardless of contract value
whenever personal data is processed. For systems that process no personal data, it applies to
contracts with a whole-life value of £10,000 or more. It covers AI features that a supplier
switches on inside an existing product, open-source models that staff download and run, and
generative AI services used through a web browser, including those offered at no charge.

## 1.3 What is out of scope

Conventional software that follows fixed rules written by people, such as a benefits calculator
that applies published rates, is out of scope even when a supplier markets it as "smart".
Research collaborations in which the council supplies no data and makes no decisions are also
out of scope, although the Data Protection Officer must still be told about them. Spell checkers
and grammar tools built into desktop software are out of scope unless they send document content
to an external service.

# 2 Definitions

In this policy the following terms have the meanings given below.

**AI system** means software that learns patterns from data, or uses a model trained by someone
else, to produce predictions, scores, classifications, recommendations or generated content,
rather than following only rules written out in full by people.

**Supplier** means any organisation that provides the AI system or a service that relies on it,
including resellers and the supplier's own subcontractors that host or train the model.

**Model owner** means the named council manager, at Service Manager grade or above, who is
accountable for the outcomes of an AI system in their service and who signs off its use. The
model owner is never the same person as the procurement lead.

**Procurement lead** means the officer in Commercial Services who runs the purchasing process
and holds the contract record.

**High-impact use** means use of an AI system whose output contributes to a decision about an
individual's access to housing, social care, education, benefits, enforcement action or
employment with the council, or that generates content sent to residents without a person
reading it first.

**Foundation model** means a large model trained on broad data that can be adapted to many
tasks, such as a large language model offered through an application programming interface.

**Material change** means a change by the supplier to the model, its training data, its hosting
location or its subprocessors that could alter the system's accuracy, its behaviour towards
different groups of residents, or the place where council data is processed.

# 3 Roles and responsibilities

## 3.1 Procurement lead

The procurement lead makes sure that an AI screening form is completed before any route to
market is chosen. The form has eleven questions and takes about twenty minutes to complete. The
procurement lead also checks that the mandatory clauses in section 5.5 appear in the contract,
records the risk tier in the contract register, and sets reminders for the performance reviews
described in section 6.2.

## 3.2 Model owner

The model owner defines the problem the system should solve, agrees success measures before
suppliers are approached, and decides whether the system goes live. After go-live, the model
owner receives the supplier's performance reports, reviews complaints that mention the system,
and must be able to explain in plain language how the system influences decisions in their
service. A model owner who changes role must hand over to a named successor within one month; if
nobody is named, the Assistant Director for the service becomes the model owner by default.

## 3.3 AI Assurance Panel

The AI Assurance Panel reviews every purchase in Tier 2 and Tier 3 (see section 4). Its members
are the Data Protection Officer, a representative of the Chief Information Security Officer, a
solicitor from Legal Services, the Equality and Inclusion Lead, and a resident representative
drawn from the Digital Citizens' Forum. The panel meets every two weeks and aims to give a
written opinion within ten working days of receiving a complete submission. Its opinion is one
of: approve, approve with conditions, or do not proceed. A "do not proceed" opinion can be
overridden only by the Chief Executive, in writing, with reasons published in the annual AI
transparency report.

## 3.4 Suppliers

Suppliers must answer the due diligence questionnaire truthfully, tell the council about
material changes in advance, cooperate with audits, and report incidents within the contractual
deadlines. A supplier that discovers its model has produced a discriminatory or unsafe output
affecting council services must report it even when the council has not noticed.

# 4 Risk tiers

Every AI purchase is placed in one of three tiers at the screening stage. The tier decides how
much assurance is needed before the contract is signed.

- **Tier 1 (low)**: no personal data, no influence on decisions about individuals, and a person
  checks any output before it is used. Example: a model that predicts which streetlights will
  fail in the next quarter so that crews can replace several lamps in one visit. Tier 1
  purchases need the screening form and the standard clauses only.
- **Tier 2 (moderate)**: personal data is processed, or outputs reach residents, but a trained
  officer reviews each output before it has an effect. Example: a tool that sorts incoming
  housing repair requests by urgency for a repairs coordinator to confirm. Tier 2 purchases need
  a data protection impact assessment, the due diligence questionnaire and a panel opinion.
- **Tier 3 (high)**: any high-impact use as defined in section 2. Example: a score that suggests
  which adult social care referrals should be assessed first. Tier 3 purchases need everything
  in Tier 2 plus an equality impact assessment, a pilot with an independent evaluation, and
  sign-off by the Cabinet Member for the service.

Some uses are prohibited and must not be bought at any tier: emotion recognition applied to
staff or residents; real-time remote biometric identification in publicly accessible spaces;
scoring residents' general trustworthiness or social behaviour; and any system that predicts the
likelihood of a named individual committing a crime.

When the tier is unclear, the procurement lead should choose the higher tier. Experience in the
first year of this policy showed that two of the five disputed classifications turned out to be
high-impact once the panel looked at how staff actually used the outputs, rather than at how the
supplier described them.

# 5 The procurement lifecycle

## 5.1 Needs assessment and market engagement

Teams should describe the problem before they describe a product. The needs assessment must
state who is affected, what the current process costs, what a good outcome looks like, and what
would happen if the AI system were wrong. It must also record at least one alternative that does
not use AI, such as redesigning a form or adding staff for a seasonal peak, and explain why it
was not chosen. Market engagement events should invite small and medium-sized suppliers and
should share anonymised sample data where possible, so that suppliers can show realistic results
rather than polished demonstrations.

## 5.2 Requirements and specification

The specification must set measurable requirements for accuracy, for the rate of the errors that
matter most, and for the time a person needs to review each output. For example, a specification
for a letter translation service might require that fewer than one in 200 sentences contain an
error that changes the meaning, measured on a council test set of 500 sentences in the six most
requested languages. Specifications must also require conformance with WCAG 2.2 at level AA for
any resident-facing interface, processing and storage of personal data within the United Kingdom
unless the Data Protection Officer approves otherwise, retention of system logs for 24 months,
and the ability to export all council data and configuration in documented open formats.

## 5.3 Supplier due diligence

Tier 2 and Tier 3 bidders complete the council's due diligence questionnaire. It asks suppliers
to:

- describe the origin of the data used to train the model, including whether it contains
  personal data and under what legal basis it was collected;
- provide evaluation results broken down by age group, sex, ethnicity and disability where the
  system makes predictions about people, together with the size of each test group;
- list every subprocessor and hosting location, including the provider of any foundation model
  the product calls;
- supply a model card or equivalent documentation describing intended use, known limitations and
  out-of-scope uses;
- state whether council data will be used to train or improve any model, and how that use can be
  switched off;
- give evidence of information security certification, such as ISO/IEC 27001 or Cyber Essentials
  Plus, and the results of the most recent penetration test;
- describe any incident in the past three years in which the product caused harm, a data breach
  or a regulatory finding;
- estimate the energy use of running the service at the council's expected volume, where the
  supplier can measure it.

A supplier that declines to answer a question must say why. Refusal is not automatically
disqualifying, but the evaluation panel must score it as a risk.

## 5.4 Evaluation and award

For Tier 2 and Tier 3 tenders the quality score carries at least 60 percent of the total, and
responsible AI criteria carry at least 15 percent of the overall score. Responsible AI criteria
include the quality of the answers to the due diligence questionnaire, the supplier's approach
to human oversight, and the clarity of the explanations offered to residents. Where feasible,
shortlisted suppliers should run a proof of concept on council data inside a sandbox. No live
personal data may be used in a proof of concept; teams should use synthetic or properly
anonymised records approved by the Data Protection Officer. Evaluators must test the system
themselves rather than rely on a supplier-led demonstration, and must record at least ten cases
in which the system was wrong, each with a note on how easy the error was to spot.

## 5.5 Mandatory contract clauses

Every AI contract must include the following terms, drawn from the council's model clauses
library:

- a right for the council, or an auditor it appoints, to audit the system's performance and its
  treatment of council data once a year and after any serious incident;
- at least 30 days' written notice of any material change, with the right to test the changed
  system before it is applied to council work and to terminate without penalty if the change is
  unacceptable;
- notification of any incident affecting council data or services within 72 hours, and within 24
  hours for a security breach;
- a prohibition on using council data, prompts or outputs to train or improve the supplier's
  models without the council's prior written consent;
- confirmation that the council owns the outputs generated for it, and an indemnity against
  claims that the system or its outputs infringe a third party's intellectual property;
- version pinning, so that the model in use can be identified on any date, with a record of
  every version change;
- exit assistance, including the return of all council data in open formats within 30 days of
  termination and certified deletion within a further 30 days.

Legal Services may agree variations only in writing and only after the panel has been consulted.
In 2024 the council accepted one variation: a mapping supplier was allowed 45 days' notice of
model changes instead of 30 because its updates followed a fixed quarterly release cycle.

## 5.6 Environmental impact

The council has committed to net zero carbon emissions from its own operations by 2030, and AI
services count towards that target. Training and running large models uses electricity and, in
many data centres, significant amounts of water for cooling. For Tier 2 and Tier 3 purchases,
and for any generative AI service expected to handle more than 100,000 requests a year,
suppliers must report the energy use and carbon emissions attributable to the council's usage,
the location and renewable energy share of the data centres used, and any water consumption
figures they hold. Evaluators should prefer a smaller, task-specific model over a
general-purpose foundation model where both meet the requirements, because the smaller model
usually needs a fraction of the computing power for each request. Where a supplier cannot
measure energy use directly, it should explain its estimate and commit to improving it during
the contract.

# 6 Deployment and contract management

## 6.1 Go-live criteria

A system may go live only when the data protection impact assessment is signed, the equality
impact assessment (Tier 3) is complete, the staff who will use it have completed the council's
two-hour AI awareness module, and a fallback procedure exists for when the system is unavailable
or withdrawn. Resident-facing systems must have been tested with at least eight residents,
including people who use assistive technology and people whose first language is not English.

## 6.2 Monitoring and performance review

The model owner holds a performance review with the supplier every quarter for Tier 3 and every
six months for Tier 2. The review compares live performance with the requirements in the
specification, looks at complaints and overrides, and checks that the version in use is the one
the council approved. Staff overrides are a valuable signal: if officers reject more than 20
percent of a system's recommendations in a quarter, the model owner must find out why before the
next review. Usage-based pricing also needs watching. Several generative AI products charge per
token or per request, and one pilot in 2024 cost three times its forecast in its second month
because a team used it to summarise long planning documents rather than short emails.

## 6.3 Responding to material changes

When a supplier notifies a material change, the procurement lead logs it and the model owner
decides, within the notice period, whether the change needs re-testing. A change of foundation
model provider, hosting country or training data source always needs re-testing, and for Tier 3
systems a fresh panel opinion as well.

## 6.4 Decommissioning

At the end of a contract, or when a system is withdrawn early, the model owner confirms that the
fallback process is working, that council data has been returned and deleted, and that any
decisions made with the system's help remain explainable from the records kept. Records of
decisions must be retained for the period in the council's retention schedule, not merely for
the life of the contract.

# 7 Risks and how this policy addresses them

The main risks the council has seen in AI procurement are listed below with the controls that
address them.

- **Vendor lock-in**: proprietary data formats and fine-tuned models that cannot be exported.
  Controlled by the open-format export requirement and the exit assistance clause.
- **Inaccurate or fabricated content**: generative systems can produce confident statements that
  are false, including invented legislation and non-existent case law. Controlled by the
  requirement that a person reads resident-facing content before it is sent in Tier 2 and Tier 3
  uses.
- **Hidden subcontracting**: a supplier may route data to a foundation model provider in another
  country. Controlled by the subprocessor disclosure and the material change clause.
- **Unequal performance**: a model may work less well for some groups, such as older residents
  or people with names that are uncommon in the training data. Controlled by disaggregated
  evaluation results and equality impact assessments.
- **Cost escalation**: consumption-based pricing can grow quickly and unpredictably. Controlled
  by spending caps in the contract and monthly usage reports.
- **Automation bias**: staff may accept recommendations without thinking. Controlled by training
  and by monitoring override rates.
- **Security weaknesses**: AI features add new attack routes, such as prompt injection through
  uploaded documents. Controlled by security certification, penetration testing and the 24-hour
  breach notification clause.

# 8 Worked examples

## 8.1 Translation of council letters (Tier 2)

In 2024 Revenues and Benefits procured a machine translation service to translate standard
letters into Polish, Romanian, Urdu, Arabic, Portuguese and Tigrinya. Evaluation on 500
sentences showed good quality for five languages but an error rate of one in 40 sentences for
Tigrinya, well above the one-in-200 requirement. The council contracted for the five languages
and kept a human translator for Tigrinya. The panel added a condition that legal notices, such
as eviction warnings, are always checked by a qualified translator before they are sent, because
a mistranslated deadline could cost a resident their home.

## 8.2 Street lighting maintenance (Tier 1)

Highways bought a predictive maintenance tool that uses lamp age, burn hours and weather data to
forecast failures. No personal data is involved and crews inspect every lamp before replacing
it, so the screening form and the standard clauses were enough. In its first year the tool
reduced emergency call-outs by 18 percent and cut the number of separate crew visits by roughly
a quarter.

## 8.3 A bid that was rejected

A supplier bidding to provide a resident enquiry chatbot declined to say where its foundation
model was hosted, citing commercial confidentiality, and would not commit to the prohibition on
training with council data. Its price was the lowest of four bids. The panel scored both
refusals as high risks and the bid was not successful. The supplier later changed its standard
terms, and the council now lists it as an approved supplier for Tier 1 work.

# 9 Exceptions, breaches and review

Urgent purchases needed to protect life or property may proceed before the panel has given its
opinion, but the screening form must be completed within five working days and the panel
informed at its next meeting. Buying an AI system without following this policy is a breach of
the Contract Procedure Rules and will be reported to the Audit Committee. This policy is
reviewed every year, and sooner if legislation changes. Questions should be sent to the
Commercial Services AI mailbox.
"""

MODEL_RISK_BODY = """
# 1 Introduction

## 1.1 Purpose

Tessary Mutual uses models to price motor and home insurance, to flag claims for fraud
investigation, to triage underwriting referrals, to extract information from documents and,
since 2024, to answer members' questions through a chat assistant built on a hosted large
language model. Models make these processes faster and more consistent, but a model that is
wrong, misused or silently changed can harm members and the society's finances at scale. This
guideline explains how Tessary identifies, measures and controls model risk across the model
lifecycle, and what staff must do when a model goes wrong.

## 1.2 Scope

The guideline covers every model in the model inventory, whether built internally, bought from a
vendor, or accessed as a service. It applies to statistical models, machine learning models and
generative AI systems, and to spreadsheets that perform calculations used in pricing, reserving
or capital decisions. It does not cover purely descriptive reports that summarise data without
estimating anything.

# 2 Definitions

**Model** means a quantitative method that applies statistical, mathematical or machine learning
techniques to transform input data into estimates, scores, classifications or generated content.

**Model owner** means the senior manager accountable for a model's use and performance, who
approves its deployment and makes sure that issues are remediated. Each model has exactly one
model owner.

**Model developer** means the person or team who designs, builds and documents the model.

**Model validator** means a person in the Model Validation team, independent of the developer
and the owner, who reviews the model's design, data, performance and limitations.

**Model inventory** means the register of all models in use or in development, maintained by
Model Risk Management.

**Model incident** means an event in which a model produces, or is found to have produced,
outputs that are materially wrong, biased, unsafe or unexplained, or in which a model is used
outside its approved purpose.

**Near miss** means a model error that was caught before it affected members, prices, claims or
regulatory reporting.

**Drift** means a change over time in the data a model receives, or in the relationship between
its inputs and the outcome, that can degrade its performance.

**Challenger model** means an alternative model run in parallel with the production model to
test whether it would perform better.

# 3 Model inventory and tiering

## 3.1 Inventory

Every model must be registered before it is used to inform a decision. The inventory record
includes a unique identifier, the model owner, the purpose, the business process it supports,
input data sources, upstream and downstream model dependencies, the vendor and version for
third-party models, the date of the last validation, open findings, and the model's tier. Model
owners confirm their entries every six months. At the end of 2024 the inventory held 137 models,
of which 19 were Tier A.

## 3.2 Tiering

Models are tiered by materiality and complexity.

- **Tier A**: models that directly set prices or reserves, affect more than 50,000 members a
  year, feed regulatory returns, or generate content shown to members without review. The motor
  pricing model, the claims fraud score and the member chat assistant are all Tier A.
- **Tier B**: models that inform decisions made by staff, such as the underwriting referral
  triage model, or that affect between 5,000 and 50,000 members a year.
- **Tier C**: models with limited impact, such as a forecast of call centre volumes used for
  rota planning.

Complexity can raise a model's tier by one level. A gradient boosted model with 400 features and
a vendor-supplied language model are treated as complex; a generalised linear model with twelve
rating factors is not.

# 4 Development standards

## 4.1 Documentation

Developers must document the business purpose, the data used with its time period and
exclusions, feature definitions, the modelling approach and why it was chosen over alternatives,
performance results, known limitations, and the conditions under which the model should not be
used. Documentation must be written so that a competent analyst who did not build the model
could rebuild it from the documentation alone.

## 4.2 Reproducibility

Training runs must be reproducible. Teams should fix random seeds, record a hash of every
training data snapshot, pin library versions in a lock file, and keep the training code under
version control with a tag for each released model. A validator should be able to re-run
training and obtain the same metrics to within 0.5 percent.

## 4.3 Testing

Every model must be tested on data it was not trained on. Pricing and claims models must also be
tested out of time, on the most recent three months of data held back from training, because
insurance behaviour shifts with weather, inflation and legislation. Machine learning models must
be compared with a simple benchmark, such as a generalised linear model; if the complex model
does not beat the benchmark by a margin that justifies its extra opacity, the simpler model
should be used. Models that affect members must be tested for differences in error rates across
age bands and, where lawful data exists, across other protected characteristics, and for the
effect of postcode-based features that may act as proxies for ethnicity.

## 4.4 Release and change management

A model change is any change to the code, the training data, the features, the hyperparameters
or, for a vendor model, the version in use. Changes are classed as material or non-material by
the model owner with the validator's agreement. Retraining on newer data with an unchanged
method is usually non-material, provided performance on the out-of-time test stays within five
percent of the previous version; changing the algorithm, adding or removing a feature, or moving
to a different vendor model is always material. Material changes need validation before release.

New versions of Tier A models are released in stages. A new pricing model first runs in shadow
mode for at least four weeks, scoring live quotes without affecting them, so that its premiums
can be compared with those of the current model segment by segment. A challenger fraud score is
then applied to ten percent of claims before it replaces the champion. Every release must have a
tested rollback route, and the previous version must remain deployable for at least 90 days
after a new one goes live.

# 5 Independent validation

## 5.1 Frequency

Tier A models are validated before first use and then every year. Tier B models are validated
before first use and every two years, and Tier C models every three years. Any material model
change triggers a fresh validation of the changed elements.

## 5.2 Findings

Validation findings are rated high, medium or low. A high finding means the model should not be
used, or should be used only with compensating controls, until it is fixed; it must be
remediated within 90 days. Medium findings must be remediated within 180 days and low findings
within a year. Model owners may request one extension, which the Chief Risk Officer must
approve. Overdue high findings are reported to the Board Risk Committee by name.

## 5.3 Third-party models

Vendor models are not exempt. Where a vendor will not share internals, validation focuses on
outcomes: the validator tests the model on Tessary data, checks the vendor's documentation and
evaluation reports, and confirms that Tessary can detect a vendor update. The hosted language
model used by the chat assistant is validated through a fixed evaluation set of 1,200 member
questions with approved answers, which is re-run whenever the vendor announces a new model
version.

# 6 Ongoing monitoring

Each model has a monitoring plan agreed at validation. For predictive models, the plan tracks
the population stability index (PSI) of key inputs and of the score itself. A PSI above 0.1 is a
warning, and a PSI above 0.25 requires action by the model owner within ten working days.
Pricing models are also monitored for the ratio of actual to expected claims costs by segment,
and the claims fraud score for the share of referred claims confirmed as fraudulent, which fell
from 31 percent to 22 percent in one quarter of 2024 before the cause was found (see section
9.1).

For generative AI systems, monitoring combines automated metrics with human review. Every week,
reviewers sample 200 chat assistant conversations and score them for factual accuracy against
policy documents, groundedness in the retrieved sources, appropriate tone, and correct
escalation to a human agent. The team also tracks the refusal rate, the escalation rate, the
share of conversations in which members express dissatisfaction, and the number of answers that
mention a monetary amount, because these carry the greatest risk of misleading a member.

# 7 Incident response

## 7.1 What counts as a model incident

Examples of model incidents include: a pricing model producing premiums that are materially
wrong for a segment; a fraud score systematically flagging claims from one region or group
without justification; a chat assistant giving incorrect information about policy cover; a model
being used for a purpose it was not validated for, such as using a marketing propensity model to
set renewal prices; a vendor silently replacing a model; and personal data appearing in a
model's outputs where it should not. A near miss should be reported in the same way as an
incident. Near misses are how Tessary learns cheaply.

## 7.2 Severity levels

- **Severity 1 (critical)**: actual or likely detriment to more than 500 members, a probable
  regulatory breach, financial impact above £1 million, or any risk to the safety of a person.
  Response begins immediately, day or night.
- **Severity 2 (major)**: detriment to between 50 and 500 members, financial impact between
  £100,000 and £1 million, or a significant breach of model policy. Response begins within four
  hours during working days.
- **Severity 3 (moderate)**: limited detriment that can be corrected, or a control failure
  without member impact. Response within two working days.
- **Severity 4 (minor)**: a near miss or a documentation failure. Response within ten working
  days.

When in doubt, staff should assign the higher severity. Severity can be lowered later; lost
hours cannot be recovered.

## 7.3 Incident reporting

Anyone who suspects a model incident must report it, whatever their role. Reports are made
through the model incident form on the risk portal or, for Severity 1 and 2, by calling the
Model Risk on-call number, which is staffed around the clock. A Severity 1 incident must be
reported within one hour of discovery. The report should say which model is involved, what was
observed, when it started if that is known, and how many members may be affected. Reporters are
not expected to have diagnosed the cause.

## 7.4 Containment

The first aim is to stop the harm. For each Tier A model, the monitoring plan names a
containment option that can be applied within one hour: reverting to the previous approved
version, switching to a rules-based fallback, routing all cases to manual handling, or disabling
the feature. The chat assistant has a kill switch that replaces it with a message directing
members to the contact centre. An incident commander, appointed from the model owner's senior
team for Severity 1 and 2 incidents, decides which containment option to use and keeps a
timeline of every action taken.

## 7.5 Investigation and root cause analysis

Once the harm is contained, the team investigates. Investigations are blameless: the goal is to
understand how the system allowed the error, not to find someone to punish. The investigation
records a timeline, the technical cause, the contributing factors, and why existing controls did
not catch the problem earlier. Teams should use the "five whys" technique and should always ask
whether the same weakness exists in other models.

## 7.6 Notification

The incident commander, together with Compliance, decides whether external notification is
needed. A personal data breach must be assessed by the Data Protection Officer so that the
supervisory authority can be notified within 72 hours where required. Incidents that may have
caused members to pay the wrong premium or receive the wrong claim outcome must be discussed
with Compliance to decide whether the conduct regulator should be told. Affected members must be
contacted, told what happened in plain language, and offered redress where they lost out.
Reinsurers are informed when an incident affects reinsured business.

## 7.7 Post-incident review

A post-incident review is held within ten working days of containment for Severity 1 and 2
incidents. It agrees corrective actions, each with an owner and a deadline, and these are
tracked in the same system as validation findings. A summary of every Severity 1 and 2 incident
is presented to the Model Risk Committee. Lessons that apply to other models are shared in a
quarterly bulletin sent to all model developers.

# 8 Risks specific to generative AI

Generative AI systems introduce risks that traditional model controls do not cover well. A
language model can produce fluent but false statements, known as confabulation or hallucination,
for example inventing a policy exclusion that does not exist. Users or documents can contain
instructions that hijack the model, a technique called prompt injection; a claims document
uploaded by a member could contain hidden text telling the assistant to approve the claim.
Members may paste personal information into the chat, creating privacy and retention
obligations. Vendors update hosted models frequently, sometimes without notice, which can change
behaviour overnight. A model trained on text gathered from the internet may also reproduce
copyrighted material in its answers; the vendor contract therefore includes an intellectual
property indemnity, and the assistant is instructed to answer only from Tessary's own documents.

Before launch, every generative AI system must go through red-teaming: a structured attempt by
people outside the development team to make the system fail. For the chat assistant, the red
team wrote 300 adversarial prompts covering jailbreak attempts, requests for other members'
data, questions designed to elicit false statements about cover, and attempts to make the
assistant give financial advice, which Tessary is not authorised to give through that channel.
The assistant was launched only after the failure rate on these prompts fell below two percent
and every failure involving another member's data had been fixed. The red-team prompt set is
re-run monthly and after every vendor model update. Retrieval sources are limited to approved
policy wordings and help articles, and the assistant may not browse the web. Every answer passes
through content filters that block hateful, abusive or violent content, and any conversation in
which a member mentions self-harm is handed immediately to a trained colleague in the contact
centre, with the chat transcript attached.

# 9 Worked examples

## 9.1 Drift in the claims fraud score (Severity 2)

In the third quarter of 2024 the fraud score began referring more home insurance claims from two
coastal postcodes. Investigators found that a storm had produced a surge of genuine water damage
claims with features that resembled a known fraud pattern: several claims from neighbouring
properties, reported within days of each other, with similar contractor invoices. The confirmed
fraud rate among referrals fell from 31 to 22 percent and genuine claimants waited an average of
nine extra days for settlement. Containment was a temporary rule that excluded claims linked to
the named storm from automatic referral. The root cause review found that the model had never
seen a major storm in its training period. The model was retrained with three years of data
instead of two, and a weather event flag was added to the monitoring plan.

## 9.2 Incorrect excess quoted by the chat assistant (Severity 1)

A member asked the chat assistant what excess applied to an escape of water claim and was told
£250. The correct figure for that product was £500. Weekly sampling found two similar answers,
and a search of logs identified 612 conversations in which the assistant had quoted an excess.
The assistant had retrieved a help article written for an older product version. The kill switch
was not needed, because the retrieval index was corrected within three hours, but the incident
was rated Severity 1 because more than 500 members might have been misled. All 612 members were
contacted, and Tessary honoured the lower excess for the 14 who went on to claim. Corrective
actions included version tags on all help articles and a rule that monetary amounts must come
from a structured product table rather than from free text.

## 9.3 Near miss: a leaking feature (Severity 4)

During validation of a new claims triage model, the validator noticed that its accuracy was far
higher than that of any previous model. The cause was a feature recording whether a loss
adjuster had been appointed, which happens only after triage. The feature leaked the outcome
into the input. The model was never deployed. The developer team added a check that compares the
timestamp of every feature with the decision point, and the check is now part of the standard
development template.

# 10 Records and review

Incident records, investigation reports and post-incident actions are retained for seven years.
Model Risk Management reviews this guideline every year, and after any Severity 1 incident whose
review identifies a gap in it. Questions about this guideline should be sent to the Model Risk
Management team.
"""

DATA_GOVERNANCE_BODY = """
# 1 Purpose and scope

Aldermoor Health Partnership runs two acute hospitals, a community health service and a mental
health service, and holds health records for around 1.1 million people. Clinicians, analysts and
research partners increasingly want to use these records to train and evaluate machine learning
systems, from early-warning scores on hospital wards to tools that draft discharge summaries.
This standard sets out how patient and staff data may be used for machine learning, how privacy
is protected at each step, and who decides.

It applies to all staff, contractors, students and research partners who use Partnership data to
develop, test, validate or operate a machine learning system, and to suppliers whose products
learn from Partnership data. It does not replace the Partnership's Data Protection Policy or its
Records Management Policy; it adds requirements that are specific to machine learning.

# 2 Definitions

**Personal data** means any information relating to an identified or identifiable living person.
Health data is special category data and needs an additional legal condition before it can be
used.

**Pseudonymisation** means replacing direct identifiers, such as NHS number, name and address,
with a pseudonym, so that data cannot be linked to a person without additional information that
is kept separately. Pseudonymised data is still personal data.

**Anonymisation** means processing data so that no person can be identified from it by any means
reasonably likely to be used, taking account of other data that is available. Truly anonymous
data is no longer personal data, but full anonymisation of detailed health records is rarely
achievable.

**Data steward** means the person responsible for a particular dataset, who knows its origin,
quality and permitted uses, and who approves requests to use it.

**Model owner** means the named clinical or operational lead who is accountable for a machine
learning system's safe use, for its compliance with this standard and for its eventual
retirement.

**Training dataset** means the data used to fit a model's parameters, including data used for
tuning and for selecting between candidate models.

**Trusted research environment** means a secure computing environment, managed by the
Partnership's Data Services team, in which approved users can analyse pseudonymised data without
being able to download it.

**Synthetic data** means artificially generated data that imitates the statistical properties of
real data. Synthetic data generated from patient records may still disclose information about
real patients and is not automatically anonymous.

# 3 Principles

Six principles govern the use of data for machine learning in the Partnership.

- **Lawful and fair**: every use has a documented legal basis and respects patients' reasonable
  expectations.
- **Minimised**: projects use the least identifiable data, the fewest records and the fewest
  fields that will answer the question.
- **Purpose-limited**: data approved for one model is not reused for another without a fresh
  approval.
- **Good quality**: data is checked for completeness, accuracy and representativeness before it
  is used to train a model.
- **Secure**: data stays in approved environments, with access limited to named people.
- **Transparent**: patients can find out how their data is used for machine learning, and can
  opt out where the law allows.

# 4 Approvals

## 4.1 Legal basis and the Caldicott Guardian

Use of identifiable patient data for direct care, such as running a deployed early-warning score
on a patient's observations, relies on the Partnership's public task and the provision of health
care. Training a new model is usually not direct care. Projects that train or evaluate models
must therefore obtain either the Caldicott Guardian's approval for service improvement use of
pseudonymised data, or research ethics approval and, where consent is not practicable, approval
under the statutory route for using confidential patient information without consent. The
national data opt-out must be applied to all research and planning uses; Data Services removes
opted-out patients before any extract is released.

## 4.2 Data protection impact assessment

A data protection impact assessment (DPIA) is mandatory for any project that trains a model on
personal data, deploys a model that makes or supports decisions about individuals, or sends
personal data to an external AI service. The DPIA must describe the data flows, the legal basis,
retention periods, the risks to individuals, and the measures that reduce them. The Data
Protection Officer reviews every DPIA; high residual risks are escalated to the Senior
Information Risk Owner, who decides whether the project may proceed.

## 4.3 Data Access Committee

Requests to use more than 10,000 patient records, any free-text clinical notes, genomic data, or
data about children under 16 go to the Data Access Committee, which includes two lay members
from the Patient Partnership Panel. The committee meets monthly. In 2024 it approved 23 of 31
requests outright, approved five with conditions, and declined three.

# 5 Data quality for machine learning

## 5.1 Completeness and accuracy

Before training, the project team must produce a data quality report listing, for each field
used, the share of missing values, the range of values, and any known recording changes. Fields
with more than 30 percent missing values need a written justification if they are used at all.
Teams should pay particular attention to changes in clinical coding practice: a switch from one
coding version to another, or a new electronic form, can create patterns in the data that
reflect administration rather than patients' health.

## 5.2 Labels

Many models learn from labels such as a diagnosis, a deterioration event or a radiologist's
finding. Labels are often noisier than teams assume. Where labels are created by people for the
project, at least 10 percent of records must be labelled independently by a second person, and
agreement measured with Cohen's kappa. A kappa below 0.7 means the labelling guidance must be
improved before labelling continues. Where labels come from routine records, the team should
check a random sample of at least 200 against the full clinical record.

## 5.3 Representativeness

The training data must be compared with the population the model will serve, by age, sex,
ethnicity, deprivation quintile and, where relevant, language and disability. Gaps must be
recorded along with their likely effect on the model. A dermatology image model trained mostly
on lighter skin, for example, is likely to perform worse on darker skin and must not be deployed
for all patients without evidence that it works for them.

## 5.4 Lineage and documentation

Each training dataset must have a datasheet recording its source systems, extraction date,
inclusion and exclusion criteria, transformations, known limitations and approvals. Data lineage
must allow the team to say, for any model version, exactly which extract it was trained on.
Extracts are identified by a reference issued by Data Services and by a checksum of the files.

## 5.5 Splitting data for evaluation

Evaluation results are only meaningful if the test data is genuinely separate from the training
data. Health records make this harder than it looks, because one patient can have dozens of
admissions. Teams must split data by patient, not by record, so that no person appears in both
the training and test sets. Where a model will be used at a hospital whose data was not used for
training, the team should hold back that hospital entirely and report performance there
separately, because differences in equipment, coding and case mix often reduce accuracy by more
than internal testing suggests. Test sets must be frozen before model development starts, stored
with their own checksum, and never used for choosing features or tuning hyperparameters.

# 6 De-identification

## 6.1 Pseudonymisation

Data Services pseudonymises all extracts for model development using a keyed hash of the NHS
number. The key is held only by Data Services and is different for each project, so that
extracts from different projects cannot be linked without approval. Dates of birth are reduced
to month and year, postcodes to the outward code, and free-text fields are excluded unless the
Data Access Committee approves their use.

## 6.2 Free text

Clinical notes contain identifiers in unpredictable places: a patient's name in a referral
letter, a relative's phone number, the name of a small village, a rare occupation. Automated
redaction tools remove most but not all of these. In a 2024 audit, the Partnership's redaction
tool removed 97.8 percent of direct identifiers from a sample of 1,000 discharge letters; the
remaining 2.2 percent included nicknames, misspelt names and identifiers embedded in email
addresses. Free text therefore remains pseudonymised personal data after redaction and must stay
in the trusted research environment.

## 6.3 Releasing aggregate results

Tables and charts released from the trusted research environment must not show counts below
eight; such counts are suppressed or combined with neighbouring categories. Model performance
reports that break results down by small groups must follow the same rule. Every output is
checked by a member of Data Services before release.

## 6.4 Synthetic data

Synthetic data is useful for building and testing software, for teaching, and for letting
suppliers develop against realistic formats before they are granted access to real records. It
is not a safe substitute for anonymisation by default. A generator trained on a small cohort, or
on records with rare conditions, can reproduce near-copies of real patients. Synthetic datasets
generated from Partnership records may be released outside the trusted research environment only
after Data Services has measured the distance between each synthetic record and its closest real
record, confirmed that no synthetic record matches a real one on more than four
quasi-identifiers, and recorded the result in the datasheet. Synthetic data must be labelled as
synthetic in every file name and table so that it cannot be mistaken for real data in reports.

# 7 Privacy risks specific to machine learning

Machine learning creates privacy risks that go beyond the data itself, because trained models
can retain information about the people in their training data.

- **Memorisation**: large models, especially language models, can reproduce fragments of their
  training data, including rare combinations such as a name and a diagnosis. Fine-tuning a
  language model on clinical letters creates this risk directly.
- **Membership inference**: an attacker with access to a model may be able to tell whether a
  particular person's record was in the training data, which can itself reveal sensitive
  information, for example that someone was treated at a sexual health clinic.
- **Model inversion**: by querying a model repeatedly, an attacker may reconstruct typical
  features of the people it was trained on.
- **Leakage through prompts**: staff who paste patient details into a public chatbot disclose
  them to the chatbot's provider, which may retain and review them.

Teams should address these risks in the DPIA. Suitable measures include training with
differential privacy where the loss in accuracy is acceptable; limiting access to model weights,
so that a model trained on patient data is treated as confidential and not published;
restricting query rates and the detail of outputs for deployed models; and testing fine-tuned
language models by prompting them with the beginnings of training documents to see whether they
complete them verbatim. A model trained on pseudonymised patient data may be shared outside the
Partnership only with the approval of the Senior Information Risk Owner, after a documented
assessment of these risks.

Staff must not enter patient-identifiable information into any generative AI service that is not
on the Partnership's approved list. The approved list currently contains two services, both of
which process data in the United Kingdom under a contract that forbids the provider from
retaining prompts or using them for training.

# 8 Access control and environments

Model development on patient data takes place only in the trusted research environment or, for
deployed systems, in the production environment managed by Digital Services. Personal laptops
and unmanaged cloud accounts must never be used. Access is granted to named individuals for a
named project, for a fixed period of up to 12 months, and reviewed every quarter by the data
steward. All access and all exports are logged, and logs are retained for six years. Accounts
that have not been used for 90 days are disabled automatically. Research partners from
universities or companies work inside the environment under an honorary contract or a data
sharing agreement; they may take out only approved aggregate outputs and model weights that the
Senior Information Risk Owner has released.

# 9 Retention, deletion and patients' rights

Training extracts are retained for the life of the project plus two years, so that models can be
audited and results reproduced, and are then deleted by Data Services. Model weights trained on
personal data are treated as derived personal data until a risk assessment shows otherwise, and
follow the same retention rule.

Patients have rights over their data, including in many cases the right to object and to have
data erased. Removing one person's influence from a trained model, sometimes called machine
unlearning, is not reliably possible with current techniques. The Partnership therefore honours
objections by excluding the person's records from all future training extracts and by retraining
affected models at their next scheduled update, which must happen at least every 24 months for
deployed models. The Partnership's privacy notice explains this limitation in plain language.

# 10 Suppliers and international transfers

Suppliers whose products learn from Partnership data must sign a data processing agreement that
names the purposes, forbids use of Partnership data to improve products for other customers
unless the Information Governance Committee explicitly approves it, and requires deletion at the
end of the contract. Personal data must not be transferred outside the United Kingdom without a
transfer risk assessment approved by the Data Protection Officer. Suppliers must disclose where
models are trained and hosted, including the location of any third-party foundation model their
product calls.

# 11 Examples

## 11.1 Sepsis early-warning model

The acute medicine team developed a model that estimates a patient's risk of sepsis in the next
12 hours from vital signs, blood results and nursing observations. Training used pseudonymised
records of 212,000 admissions from 2018 to 2023 inside the trusted research environment, under
Caldicott Guardian approval for service improvement. The data quality report found that lactate
results were missing for 64 percent of admissions, mostly because the test is ordered only when
sepsis is already suspected; the team excluded lactate as an input so that the model would not
learn clinicians' suspicions rather than patients' physiology. The representativeness review
showed that patients aged over 85 were under-represented in one hospital's data, so validation
results were reported separately for that group. The deployed model runs on live data under the
direct care basis.

## 11.2 Summarising radiology reports with a language model

Radiology proposed using a generative AI service to draft plain-language summaries of reports
for patients. The DPIA identified that the service's standard terms allowed the provider to
retain prompts for 30 days for abuse monitoring, and that staff could see no record of what had
been sent. The project paused until the supplier agreed a zero-retention arrangement and UK
hosting, and until an audit log was added. In a pilot of 400 reports, radiologists judged 91
percent of summaries accurate and complete, but six summaries omitted a recommendation for
follow-up imaging. The pilot continues, with every summary checked by a radiographer before it
is released to the patient portal.

## 11.3 A request that was declined

A commercial partner asked to fine-tune a language model on 15 years of mental health clinical
notes and then sell the model to other providers. The Data Access Committee declined the
request. The notes contain highly sensitive free text, the memorisation risk could not be
reduced to an acceptable level while keeping the model useful, and patients could not reasonably
expect their notes to be used to build a product sold to others. The committee said it would
consider a revised proposal in which the model remained inside the Partnership and was evaluated
for verbatim recall before any deployment.

# 12 Compliance and review

Information Governance audits a sample of machine learning projects every year against this
standard, checking approvals, datasheets, access logs and released outputs. Breaches of this
standard are handled under the Information Security Incident Procedure and may be reportable to
the supervisory authority. This standard is reviewed annually by the Information Governance
Committee.
"""

HIRING_BODY = """
# 1 Purpose and scope

Quillon Logistics Group employs about 14,000 people across 62 depots and warehouses and hires
around 6,500 people a year, most of them warehouse operatives, drivers and shift supervisors. At
peak, before the winter trading period, a single depot can receive 3,000 applications in a
fortnight. Automated tools help the talent acquisition team cope with this volume: they parse
CVs, check eligibility, schedule interviews, run online assessments and rank shortlists. Used
carelessly, the same tools can exclude capable people for reasons unrelated to the job, and can
do so thousands of times before anyone notices.

This standard applies to any software that uses an algorithm, a statistical model or machine
learning to screen, score, rank, assess, or communicate with job candidates, whether it is
operated by Quillon or by a recruitment agency acting for Quillon. It covers internal promotions
and the assessment of agency workers for permanent roles. It applies in every country where
Quillon hires; where local law sets stricter requirements, local law prevails.

# 2 Definitions

**Automated hiring tool** means software that uses an algorithm, statistical model or machine
learning to evaluate, filter, rank or communicate with candidates.

**Candidate** means anyone who applies for a role, or who is contacted about a role, including
internal applicants.

**Tool owner** means the manager in Talent Acquisition who is accountable for an automated
hiring tool, including its fairness testing, its configuration and its explanation to
candidates.

**Selection rate** means the proportion of candidates in a group who pass a given stage of the
hiring process.

**Adverse impact ratio** means the selection rate of one group divided by the selection rate of
the group with the highest selection rate at the same stage.

**Protected characteristic** means a characteristic protected by equality law, including age,
disability, sex, gender reassignment, race, religion or belief, sexual orientation, marriage and
civil partnership, and pregnancy and maternity.

**Proxy** means a feature that is not a protected characteristic but is strongly associated with
one, such as graduation year, which is associated with age, or a gap in employment, which is
associated with caring responsibilities and therefore with sex.

**Reasonable adjustment** means a change to the process that removes a disadvantage faced by a
disabled candidate.

# 3 Principles

Quillon's use of automated hiring tools follows four principles. Tools assess what the job
needs, and only that. Candidates know when a tool is used and how it affects them. People, not
tools, make rejection decisions, except on objective eligibility criteria. And every tool is
tested for fairness before use and monitored while it is in use.

# 4 Permitted and prohibited uses

## 4.1 Permitted uses

Tools may be used to check objective eligibility requirements, such as the right to work, a
minimum age of 18 for forklift roles, or a category C+E driving licence for heavy goods vehicle
drivers; to schedule interviews and answer candidates' practical questions; to parse CVs into a
standard format; to administer validated skills tests, such as a numeracy test for stock
controllers; and to suggest a ranking of applications for a recruiter to review.

## 4.2 Prohibited uses

The following uses are prohibited: analysing facial expressions, eye movements or voice tone in
video or telephone interviews; inferring personality, emotional state or "culture fit" from
social media or other online activity; inferring any protected characteristic from a candidate's
name, photo, voice or writing; and rejecting a candidate automatically on the basis of a score,
ranking or prediction. Tools that combine a permitted function with a prohibited one may be used
only if the prohibited function is switched off and the supplier confirms in writing that it
cannot affect results.

## 4.3 Internal candidates

Internal applicants are entitled to the same protections as external ones. Tools used for
internal promotion must not draw on sickness absence records, because absence is often linked to
disability or pregnancy, nor on data collected by warehouse management systems for another
purpose, such as pick rates recorded by handheld scanners, unless the role profile makes
productivity a requirement and the employee has been told in advance that the data will be used.
Where pick rates are used, they must be adjusted for the shift, the product mix and any agreed
adjustments, since a night shift picker handling bulky goods will always record lower rates than
a day shift picker handling small parcels.

# 5 Fairness testing

## 5.1 Before deployment

Before a tool is used on live candidates, the tool owner must arrange a fairness test using
historical applications or a realistic test set. The test compares selection rates across sex,
age band (under 25, 25 to 39, 40 to 54, 55 and over), ethnicity and disability, and across
intersections of sex and age where the numbers allow. The adverse impact ratio is the main
screening measure. A ratio below 0.8 for any group, the so-called four-fifths rule, means the
tool owner must investigate before deployment. The four-fifths rule is a rule of thumb, not a
legal test: a ratio above 0.8 does not prove a tool is fair, and with small groups the ratio can
swing widely by chance. Teams should therefore also report the number of candidates in each
group and a confidence interval for each ratio, and should not draw conclusions from groups of
fewer than 50 candidates.

## 5.2 Investigating a gap

When a gap is found, the tool owner must identify which inputs drive it. Common causes in
logistics hiring include penalising gaps in employment, which disadvantages carers and people
returning from illness; scoring distance from the depot, which can disadvantage people in areas
with poor public transport; and valuing particular job titles that are more common among younger
candidates. Inputs that act as proxies and are not clearly needed for the job must be removed.
If an input is needed, for example a question about availability for a shift pattern, the tool
owner must record why and consider whether a less discriminatory alternative would meet the same
need.

## 5.3 Monitoring in use

Selection rates are monitored every quarter for every stage that uses a tool, and every month
during the October to December peak. Candidates are invited, but not required, to complete an
equality monitoring form; the response rate was 71 percent in 2024. Monitoring data is held
separately from application data and is never visible to recruiters or to the tool.

## 5.4 Job relevance

Fairness testing asks whether a tool treats groups differently; job relevance asks whether it
measures anything worth measuring. Every scored input and every assessment must be linked to a
requirement in the role profile, such as lifting safely, reading a pick list accurately, or
planning a delivery route under time pressure. Before a new assessment is adopted, the supplier
or Quillon's occupational psychologist must show evidence that scores predict performance or
retention in comparable roles, ideally from a study of at least 300 hires. Where the evidence is
weak, the assessment may be piloted alongside the existing process but may not influence
decisions. Job relevance is reviewed whenever a role profile changes; the introduction of
voice-directed picking in 2023, for example, made a reading-speed test obsolete for warehouse
operatives.

# 6 Transparency to candidates

## 6.1 Notice

Every job advert and application page must state, in plain language, which automated tools are
used at which stage, what information they use, and how candidates can ask for a person to
review an outcome. The notice should be readable by someone with a reading age of nine and must
be available in every language in which Quillon advertises the role. A typical notice reads: "We
use software to check that you meet the legal requirements for this job and to help our
recruiters sort applications. The software does not decide to reject you. A recruiter looks at
every application before it is turned down."

## 6.2 Explanations

Candidates who are not progressed can ask for an explanation. The explanation must say which
stage they reached, which requirements or test results were decisive, and whether an automated
tool contributed. Quillon does not disclose the full scoring logic of supplier tools, but it
must explain the main factors in terms a candidate can understand and act on, such as "your
numeracy test score was below the level needed for this role; you can retake the test after
three months".

## 6.3 Human review

Candidates can ask for a person to review any outcome in which an automated tool played a part.
The request is acknowledged within two working days and answered within five working days. The
reviewer must not be the recruiter who made the original decision. In 2024 Quillon received 187
review requests; 29 outcomes were changed, most because CV parsing had missed relevant
experience listed in an unusual format.

## 6.4 Generative AI in recruitment communications

Recruiters may use the Group's approved generative AI assistant to draft job adverts, interview
questions and letters to candidates. A person must read and approve every text before it is
published or sent. Drafts must be checked for gendered or age-coded language, such as "digital
native" or "young and energetic team", for requirements the role does not have, and for benefits
or pay details that the model has invented. Candidate CVs, interview notes and any information
about identifiable candidates must never be entered into a generative AI tool that is not
approved for personal data. Candidates must not be told that a letter was written by a person if
it was drafted by a model; the standard rejection letter states that it was prepared with the
help of software and checked by a recruiter.

# 7 Reasonable adjustments and accessibility

Online assessments must work with screen readers and keyboard-only navigation, and must meet
WCAG 2.2 level AA. Candidates must be asked, before any timed assessment, whether they need an
adjustment, and the answer must not be visible to the people or tools scoring them. Standard
adjustments include 25 percent extra time, an alternative format such as a paper or in-person
test, and a telephone interview in place of a chatbot. A candidate who asks for an adjustment
must never be disadvantaged by asking. Game-based assessments that rely on fast reactions need
particular care, because they can disadvantage people with some disabilities and older
candidates without measuring anything the job needs.

# 8 Human oversight

Recruiters who use automated tools must complete a half-day training course covering how each
tool works, its known limitations, and automation bias, which is the tendency to accept a
system's suggestion without enough scrutiny. Recruiters must be able to see why a tool ranked a
candidate as it did, and must record a reason whenever they decide against a tool's suggestion.
To check that oversight is real rather than nominal, a second recruiter each month reviews a
random five percent of the candidates who were not progressed at any tool-assisted stage. If
that review overturns more than one decision in ten, the tool owner must review the tool and the
guidance given to recruiters.

# 9 Suppliers and recruitment agencies

Before a contract is signed, suppliers of automated hiring tools must provide:

- a report of independent fairness testing carried out in the past 12 months, with selection
  rates by group and the size of each group;
- documentation of the data the tool was trained on, including its country of origin, the roles
  it covered and the period it spans;
- a description of each input the tool uses and its effect on scores, in enough detail for the
  tool owner to explain decisions to candidates;
- evidence of job relevance, as described in section 5.4;
- a list of the configuration options that Quillon controls, including any that can switch off
  particular inputs;
- the security certifications held by the supplier and the locations where candidate data is
  stored.

Contracts must give Quillon access to the tool's scores and outcomes for Quillon candidates, so
that Quillon can run its own fairness monitoring, and must forbid the supplier from using
Quillon candidates' data to train models used for other clients. Recruitment agencies that use
automated tools on Quillon's behalf must meet this standard and confirm in writing every year
that they do.

# 10 Records

For each hiring campaign Quillon keeps the tool versions and configurations used, the scores and
rankings produced, recruiter decisions with reasons for overriding the tool, explanations given
and review requests received, and fairness monitoring results. Candidate-level records are
retained for 12 months after the campaign closes and then deleted, unless a claim or complaint
is open. Aggregate fairness results are kept for six years so that trends can be examined.

# 11 Risks and examples

## 11.1 Employment gaps at the Daventry depot

In spring 2024 a CV ranking tool used at the Daventry depot gave lower scores to applicants with
gaps of more than six months in their employment history. Quarterly monitoring showed an adverse
impact ratio of 0.68 for women aged 25 to 39 at the shortlisting stage, based on 1,430
applications. The tool owner removed the employment gap feature; the ratio rose to 0.93 in the
next quarter, and the average performance rating of new warehouse starters did not change. The
depot's earlier shortlist decisions were reviewed and 41 candidates were invited to reapply.

## 11.2 Scheduling chatbot for drivers

A chatbot that books interview slots for driver applicants had a completion rate of 62 percent
among applicants aged 55 and over, compared with 88 percent for those under 40. User testing
showed that older applicants often left when asked to upload a photo of their licence. A
telephone booking option was added to every message, the photo upload was moved to the interview
day, and the completion gap narrowed to four percentage points.

## 11.3 Game-based assessment for the graduate scheme

A supplier proposed game-based assessments for the operations graduate scheme, claiming that
they measured problem solving. The fairness test on 800 past applicants showed lower scores for
candidates who declared dyslexia or dyspraxia, and the supplier could not show that game
performance predicted success in the scheme. Quillon did not adopt the assessment and kept its
structured case study exercise.

## 11.4 Invented benefits in a job advert

In early 2025 a recruiter used a public chatbot, rather than the approved assistant, to draft an
advert for night shift supervisors in Swindon. The draft promised a company car and a four-day
week, neither of which applies to the role, and asked for "recent graduates". The advert was
live for two days and attracted 240 applications before a colleague noticed. Quillon contacted
every applicant to correct the advert, reopened the vacancy with accurate text, and treated the
use of an unapproved tool as a data protection near miss because the recruiter had pasted in an
internal pay grid. The approved assistant now carries a checklist for adverts, and the
recruiters' training course includes this case.

# 12 Governance and review

The Group Head of Talent Acquisition reports on automated hiring tools to the Executive People
Committee twice a year, including fairness monitoring results, review requests and changes made.
A new tool, or a material change to an existing one, needs approval from the committee before it
is used on live candidates. This standard is reviewed annually and whenever the law on automated
decision-making or employment changes.
"""

DOCS = [
    SampleDoc(
        filename="ai_procurement_policy.pdf",
        title="Policy on the Procurement of Artificial Intelligence Systems",
        organisation="Larkfield City Council",
        short_title="AI Procurement Policy",
        reference="LCC-PRC-014 v2.1",
        control=(
            "Policy reference LCC-PRC-014, version 2.1. Approved by the Digital and "
            "Procurement Board on 12 February 2025. Next review: February 2026. Policy owner:"
            " Head of Commercial Services."
        ),
        body=PROCUREMENT_BODY,
    ),
    SampleDoc(
        filename="model_risk_incident_response.pdf",
        title="Model Risk and Incident Response Guideline",
        organisation="Tessary Mutual Insurance",
        short_title="Model Risk and Incident Response",
        reference="MRM-GL-03 v4.0",
        control=(
            "Document MRM-GL-03, version 4.0. Effective 1 April 2025. Approved by the Board "
            "Risk Committee. Owner: Chief Risk Officer."
        ),
        body=MODEL_RISK_BODY,
    ),
    SampleDoc(
        filename="data_governance_privacy_ml.pdf",
        title="Data Governance and Privacy Standard for Machine Learning Systems",
        organisation="Aldermoor Health Partnership",
        short_title="Data Governance for ML",
        reference="IG-STD-22 v1.3",
        control=(
            "Standard IG-STD-22, version 1.3. Approved by the Information Governance "
            "Committee on 3 December 2024. Review date: December 2025. Owner: Senior "
            "Information Risk Owner."
        ),
        body=DATA_GOVERNANCE_BODY,
    ),
    SampleDoc(
        filename="automated_hiring_fairness.pdf",
        title="Transparency and Fairness in Automated Hiring",
        organisation="Quillon Logistics Group",
        short_title="Automated Hiring Standard",
        reference="HR-STD-09 v2.0",
        control=(
            "Standard HR-STD-09, version 2.0. Effective 1 May 2025. Approved by the Executive"
            " People Committee. Owner: Group Head of Talent Acquisition."
        ),
        body=HIRING_BODY,
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--check", action="store_true", help="compare with the files in --out instead of writing"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    args.out.mkdir(parents=True, exist_ok=True)
    stale: list[str] = []
    for doc in DOCS:
        data = render(doc)
        stats = describe(data)
        # The ingest tests rely on these properties, so refuse to write a corpus without them.
        if not 4 <= stats["pages"] <= 8 or stats["hyphenated_line_ends"] < 1:
            log.error("%s does not meet the corpus requirements: %s", doc.filename, stats)
            return 1
        target = args.out / doc.filename
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(doc.filename)
        else:
            target.write_bytes(data)
        print(
            f"{target}: {stats['pages']} pages, {stats['words']} words, "
            f"{stats['hyphenated_line_ends']} hyphenated line ends"
        )
    if stale:
        log.error("out of date (rerun without --check): %s", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
