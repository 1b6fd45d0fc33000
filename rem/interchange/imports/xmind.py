"""Read XMind maps: the current format (a zip with content.json) and XMind 8
(a zip with content.xml, parsed with defusedxml).

Both are normalised to the same topic tree: title, notes, labels, markers and
attached, detached and callout children, plus the sheet's relationships.

Two ways to read a map (the person chooses):
- "rings": the first ring around the central topic are activities, everything
  further out are effects, each linked to the topic it hangs from; the central
  topic itself names the map and is not an item;
- "effects": the central topic becomes the one activity, every other topic an
  effect linked to the topic it hangs from.
Detached (floating) topics become effects without a cause (with their own
children linked to them). Callouts are added to their topic's description.
Labels and markers become codes. Relationships become links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from rem.interchange.imports.base import (
    ImportOptions,
    ImportPlan,
    ImportRefused,
    PlannedItem,
    UploadedFile,
    placeholder_title,
)
from rem.interchange.imports.safety import decode_text, open_zip, parse_xml, read_entry

MAX_DEPTH = 100
MAX_TOPICS = 20_000


@dataclass
class Topic:
    """One XMind topic, whatever the file format."""

    id: str
    title: str
    notes: str = ""
    labels: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    attached: list[Topic] = field(default_factory=list)
    detached: list[Topic] = field(default_factory=list)
    callouts: list[Topic] = field(default_factory=list)


@dataclass
class Sheet:
    """One XMind sheet: a root topic and relationships between topics."""

    title: str
    root: Topic
    relationships: list[tuple[str, str]] = field(default_factory=list)


# --- content.json --------------------------------------------------------------------


def _json_topic(raw: dict, depth: int) -> Topic:
    if depth > MAX_DEPTH:
        raise ImportRefused(_("De XMind-kaart is te diep genest."))
    if not isinstance(raw, dict):
        raise ImportRefused(_("De XMind-kaart heeft een onderwerp dat niet te lezen is."))
    notes = raw.get("notes") or {}
    plain = notes.get("plain") if isinstance(notes, dict) else None
    topic = Topic(
        id=str(raw.get("id") or ""),
        title=str(raw.get("title") or ""),
        notes=str(plain.get("content") or "") if isinstance(plain, dict) else "",
        labels=[str(v) for v in raw.get("labels") or [] if isinstance(v, str | int)],
        markers=[str(m.get("markerId")) for m in raw.get("markers") or []
                 if isinstance(m, dict) and m.get("markerId")],
    )
    children = raw.get("children") or {}
    if isinstance(children, dict):
        topic.attached = [_json_topic(c, depth + 1) for c in children.get("attached") or []]
        topic.detached = [_json_topic(c, depth + 1) for c in children.get("detached") or []]
        topic.callouts = [_json_topic(c, depth + 1) for c in children.get("callout") or []]
    return topic


def _json_sheets(data: bytes) -> list[Sheet]:
    try:
        document = json.loads(decode_text(data, "content.json"))
    except json.JSONDecodeError as exc:
        raise ImportRefused(_("content.json in de XMind-kaart is geen geldige JSON.")) from exc
    if not isinstance(document, list):
        raise ImportRefused(_("content.json in de XMind-kaart heeft een onbekende vorm."))
    sheets = []
    for raw in document:
        if not isinstance(raw, dict) or not isinstance(raw.get("rootTopic"), dict):
            continue
        relationships = [
            (str(r.get("end1Id")), str(r.get("end2Id")))
            for r in raw.get("relationships") or []
            if isinstance(r, dict) and r.get("end1Id") and r.get("end2Id")
        ]
        sheets.append(Sheet(str(raw.get("title") or ""), _json_topic(raw["rootTopic"], 0),
                            relationships))
    return sheets


# --- content.xml (XMind 8) -------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    return next((c for c in element if _local(c.tag) == name), None)


def _xml_topic(element, depth: int) -> Topic:
    if depth > MAX_DEPTH:
        raise ImportRefused(_("De XMind-kaart is te diep genest."))
    title = _child(element, "title")
    notes = _child(element, "notes")
    plain = _child(notes, "plain") if notes is not None else None
    labels = _child(element, "labels")
    markers = _child(element, "marker-refs")
    topic = Topic(
        id=element.get("id", ""),
        title="".join(title.itertext()) if title is not None else "",
        notes="".join(plain.itertext()) if plain is not None else "",
        labels=["".join(lb.itertext()) for lb in labels] if labels is not None else [],
        markers=[m.get("marker-id", "") for m in markers if m.get("marker-id")]
        if markers is not None else [],
    )
    children = _child(element, "children")
    if children is not None:
        for group in children:
            if _local(group.tag) != "topics":
                continue
            kind = group.get("type", "attached")
            topics = [_xml_topic(t, depth + 1) for t in group if _local(t.tag) == "topic"]
            {"attached": topic.attached, "detached": topic.detached,
             "callout": topic.callouts}.get(kind, topic.attached).extend(topics)
    return topic


def _xml_sheets(data: bytes) -> list[Sheet]:
    root = parse_xml(data, "content.xml")
    sheets = []
    for sheet in root:
        if _local(sheet.tag) != "sheet":
            continue
        topic = _child(sheet, "topic")
        if topic is None:
            continue
        relationships = []
        group = _child(sheet, "relationships")
        for rel in group if group is not None else []:
            if rel.get("end1") and rel.get("end2"):
                relationships.append((rel.get("end1"), rel.get("end2")))
        title = _child(sheet, "title")
        sheets.append(Sheet("".join(title.itertext()) if title is not None else "",
                            _xml_topic(topic, 0), relationships))
    return sheets


# --- tree -> plan --------------------------------------------------------------------


def read_sheets(upload: UploadedFile, limit: int) -> list[Sheet]:
    """Open the .xmind zip and return its sheets."""
    archive = open_zip(upload.data, upload.name, limit)
    names = set(archive.namelist())
    if "content.json" in names:
        sheets = _json_sheets(read_entry(archive, "content.json", limit))
    elif "content.xml" in names:
        sheets = _xml_sheets(read_entry(archive, "content.xml", limit))
    else:
        raise ImportRefused(_("“%(name)s” is geen XMind-kaart: content.json of content.xml "
                              "ontbreekt.", name=upload.name))
    if not sheets:
        raise ImportRefused(_("De XMind-kaart heeft geen blad met onderwerpen."))
    return sheets


class _Builder:
    def __init__(self, plan: ImportPlan, mode: str):
        self.plan = plan
        self.mode = mode
        self.untitled = 0
        self.keys: dict[str, str] = {}

    def title(self, topic: Topic) -> str:
        title = " ".join(topic.title.split())
        if not title:
            self.untitled += 1
            title = placeholder_title(self.untitled)
        return title

    def add(self, topic: Topic, kind: str, parent_key: str | None) -> str:
        if len(self.plan.items) >= MAX_TOPICS:
            raise ImportRefused(_("De XMind-kaart heeft meer dan %(n)d onderwerpen.",
                                  n=MAX_TOPICS))
        key = f"t{len(self.plan.items) + 1}"
        if topic.id:
            self.keys[topic.id] = key
        description = topic.notes.strip()
        callouts = [" ".join(c.title.split()) for c in topic.callouts if c.title.strip()]
        if callouts:
            description = "\n\n".join([description, *[f"> {c}" for c in callouts]]).strip()
        self.plan.items.append(PlannedItem(
            key=key, title=self.title(topic), kind=kind, description=description,
            codes=[*topic.labels, *topic.markers],
        ))
        if parent_key is not None:
            self.plan.links.append((parent_key, key))
        return key

    def walk(self, topic: Topic, parent_key: str | None) -> None:
        key = self.add(topic, "effect", parent_key)
        for child in topic.attached:
            self.walk(child, key)
        for child in topic.detached:
            self.walk(child, None)

    def sheet(self, sheet: Sheet) -> None:
        root = sheet.root
        if self.mode == "effects":
            root_key = self.add(root, "activity", None)
            for child in root.attached:
                self.walk(child, root_key)
        else:
            self.plan.notes.append(_("Het middelpunt “%(title)s” is geen item geworden; de "
                                     "eerste ring eromheen zijn de activiteiten.",
                                     title=" ".join(root.title.split()) or "—"))
            if root.labels or root.markers or root.notes.strip():
                self.plan.warn(_("Notities en labels van het middelpunt zijn niet "
                                 "overgenomen."))
            for child in root.attached:
                key = self.add(child, "activity", None)
                for grandchild in child.attached:
                    self.walk(grandchild, key)
                for floating in child.detached:
                    self.walk(floating, None)
        for floating in root.detached:
            self.walk(floating, None)
        for end1, end2 in sheet.relationships:
            if end1 in self.keys and end2 in self.keys:
                self.plan.links.append((self.keys[end1], self.keys[end2]))
            else:
                self.plan.warn(_("Een relatie in de kaart wijst naar een onderwerp dat geen "
                                 "item is geworden; die relatie is overgeslagen."))


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn an XMind map into a plan."""
    sheets = read_sheets(files[0], limit)
    plan = ImportPlan()
    builder = _Builder(plan, options.xmind_mode if options.xmind_mode == "effects" else "rings")
    for sheet in sheets:
        builder.sheet(sheet)
    if builder.untitled:
        plan.warn(ngettext("%(num)d onderwerp had geen titel; het heet nu “(zonder titel …)”.",
                           "%(num)d onderwerpen hadden geen titel; ze heten nu "
                           "“(zonder titel …)”.", builder.untitled))
    if len(sheets) > 1:
        plan.notes.append(_("De kaart heeft %(n)d bladen; ze zijn allemaal ingelezen.",
                            n=len(sheets)))
    return plan
