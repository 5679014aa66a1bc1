"""What the desk calls a scenario's CRM fields, tables and wrap-up codes.

Scenarios name CRM fields by short ids (`holder`, `last_four`, `plan`) that templates and facts
refer to; the desk shows a reader's label instead: a built-in table of the common ids (marked
for the catalogue, so each has its Chinese), else the id humanised ('refund_window' ->
'Refund window'). Wrap-up codes that are ids get a label too; codes an author wrote as words
(已解决) are shown as written."""

from __future__ import annotations

from dataclasses import dataclass

from roleplay.model.i18n import N_, translator
from roleplay.model.scenario import Scenario

FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"), "holder": N_("Holder"), "customer": N_("Customer"), "patient": N_("Patient"),
    "phone": N_("Phone"), "email": N_("Email"), "address": N_("Address"), "city": N_("City"),
    "account": N_("Account number"), "number": N_("Number"), "card": N_("Card number"),
    "last_four": N_("Last four digits"), "order": N_("Order number"), "id_number": N_("ID number"),
    "dob": N_("Date of birth"), "plan": N_("Plan"), "fee": N_("Fee"), "since": N_("Customer since"),
    "standing": N_("Account standing"), "status": N_("Status"), "limit": N_("Credit limit"),
    "balance": N_("Balance"), "due": N_("Payment due"), "charge": N_("Charge"), "merchant": N_("Merchant"),
    "date": N_("Date"), "visit": N_("Visit day"), "slot": N_("Time slot"), "item": N_("Product"),
    "boxes": N_("Quantity"), "delivery": N_("Delivery day"), "prescribed": N_("Dose prescribed"),
    "sent": N_("Dose sent"), "amount": N_("Amount"), "received": N_("Received on"),
    "refund_date": N_("Refund date"),
}
TABLE_LABELS: dict[str, str] = {
    "card": N_("Card"), "account": N_("Account"), "order": N_("Order"), "ret": N_("Return"),
    "fault": N_("Fault report"), "customer": N_("Customer"), "ticket": N_("Ticket"),
}
DISPOSITION_LABELS: dict[str, str] = {
    "resolved": N_("resolved"), "follow_up": N_("follow-up"), "escalated": N_("escalated"),
}


def humanised(field_id: str) -> str:
    words = field_id.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else field_id


def _label(table: dict[str, str], key: str, lang: str) -> str:
    return translator(lang).gettext(table[key]) if key in table else humanised(key)


def field_label(field_id: str, lang: str) -> str:
    return _label(FIELD_LABELS, field_id, lang)


@dataclass(frozen=True)
class DeskLabels:
    fields: dict[str, str]           # field id -> label, every field of the scenario's records
    tables: dict[str, str]           # table name -> label
    dispositions: dict[str, str]     # wrap-up code -> label (the code is what is sent)


def desk_labels(scenario: Scenario, lang: str) -> DeskLabels:
    ids = dict.fromkeys(f for t in scenario.crm.values() for row in t.records for f in row)
    gettext = translator(lang).gettext
    return DeskLabels(
        {f: field_label(f, lang) for f in ids},
        {name: _label(TABLE_LABELS, name, lang) for name in scenario.crm},
        {d: gettext(DISPOSITION_LABELS[d]) if d in DISPOSITION_LABELS else d for d in scenario.desk.dispositions})
