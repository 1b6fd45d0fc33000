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
from rem.interchange.imports.safety import (
    decode_text,
    open_zip,
    parse_xml,
    read_entry,
    refuse_nul,
)

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
    web_links: list[str] = field(default_factory=list)  # http(s) hyperlinks: kept
    dropped: list[str] = field(default_factory=list)  # what an item cannot hold: named


@dataclass
class Sheet:
    """One XMind sheet: a root topic and relationships between topics."""

    title: str
    root: Topic
    relationships: list[tuple[str, str]] = field(default_factory=list)
    relationship_titles: int = 0  # relationships with a title (a link has none in rem)


def _hyperlink(topic: Topic, href: str) -> None:
    """Keep a web link (it goes into the description); name any other kind as dropped."""
    href = href.strip()
    if href.startswith(("http://", "https://")):
        topic.web_links.append(href)
    elif href.startswith(("xap:", "xap://")):
        topic.dropped.append(_("de bijlage “%(name)s”", name=href.rsplit("/", 1)[-1][:80]))
    elif href.startswith("xmind:"):
        topic.dropped.append(_("een link naar een ander onderwerp"))
    elif href:
        topic.dropped.append(_("de link “%(href)s”", href=href[:80]))


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
    if isinstance(notes, dict) and not topic.notes and notes.get("realHTML"):
        topic.dropped.append(_("de opgemaakte notitie"))
    if isinstance(raw.get("href"), str):
        _hyperlink(topic, raw["href"])
    if raw.get("image"):
        topic.dropped.append(_("de afbeelding"))
    if raw.get("extensions"):
        topic.dropped.append(_("taakgegevens of andere uitbreidingen"))
    if raw.get("comments"):
        topic.dropped.append(_("de opmerkingen"))
    for name, what in (("summaries", _("een samenvatting")), ("boundaries", _("een kader"))):
        if raw.get(name):
            topic.dropped.append(what)
    children = raw.get("children") or {}
    if isinstance(children, dict):
        topic.attached = [_json_topic(c, depth + 1) for c in children.get("attached") or []]
        topic.detached = [_json_topic(c, depth + 1) for c in children.get("detached") or []]
        topic.callouts = [_json_topic(c, depth + 1) for c in children.get("callout") or []]
        for group in children:
            if group not in ("attached", "detached", "callout") and children[group]:
                topic.dropped.append(_("onderwerpen van de soort “%(kind)s”",
                                       kind=str(group)[:40]))
    return topic


def _json_sheets(data: bytes) -> list[Sheet]:
    try:
        document = json.loads(decode_text(data, "content.json"))
    except json.JSONDecodeError as exc:
        raise ImportRefused(_("content.json in de XMind-kaart is geen geldige JSON.")) from exc
    refuse_nul(document, "content.json")
    if not isinstance(document, list):
        raise ImportRefused(_("content.json in de XMind-kaart heeft een onbekende vorm."))
    sheets = []
    for raw in document:
        if not isinstance(raw, dict) or not isinstance(raw.get("rootTopic"), dict):
            continue
        found = [r for r in raw.get("relationships") or []
                 if isinstance(r, dict) and r.get("end1Id") and r.get("end2Id")]
        sheets.append(Sheet(str(raw.get("title") or ""), _json_topic(raw["rootTopic"], 0),
                            [(str(r["end1Id"]), str(r["end2Id"])) for r in found],
                            sum(1 for r in found if str(r.get("title") or "").strip())))
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
    if notes is not None and not topic.notes and _child(notes, "html") is not None:
        topic.dropped.append(_("de opgemaakte notitie"))
    href = next((value for name, value in element.attrib.items() if _local(name) == "href"), "")
    _hyperlink(topic, href)
    for child in element:
        name = _local(child.tag)
        if name == "img":
            topic.dropped.append(_("de afbeelding"))
        elif name == "extensions":
            topic.dropped.append(_("taakgegevens of andere uitbreidingen"))
        elif name == "summaries":
            topic.dropped.append(_("een samenvatting"))
        elif name == "boundaries":
            topic.dropped.append(_("een kader"))
    children = _child(element, "children")
    if children is not None:
        for group in children:
            if _local(group.tag) != "topics":
                continue
            kind = group.get("type", "attached")
            topics = [_xml_topic(t, depth + 1) for t in group if _local(t.tag) == "topic"]
            target = {"attached": topic.attached, "detached": topic.detached,
                      "callout": topic.callouts}.get(kind)
            if target is not None:
                target.extend(topics)
            elif topics:
                topic.dropped.append(_("onderwerpen van de soort “%(kind)s”", kind=kind[:40]))
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
        titled = 0
        group = _child(sheet, "relationships")
        for rel in group if group is not None else []:
            if rel.get("end1") and rel.get("end2"):
                relationships.append((rel.get("end1"), rel.get("end2")))
                label = _child(rel, "title")
                titled += bool(label is not None and "".join(label.itertext()).strip())
        title = _child(sheet, "title")
        sheets.append(Sheet("".join(title.itertext()) if title is not None else "",
                            _xml_topic(topic, 0), relationships, titled))
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
        self.web_links = 0
        self.sheet_title = ""

    def path(self, topic: Topic, parent: str) -> str:
        """Where a topic stands: sheet › … › topic (for messages)."""
        return f"{parent} › {' '.join(topic.title.split())[:60] or '…'}"

    def title(self, topic: Topic) -> str:
        title = " ".join(topic.title.split())
        if not title:
            self.untitled += 1
            title = placeholder_title(self.untitled)
        return title

    def dropped(self, topic: Topic, where: str) -> None:
        for what in topic.dropped:
            self.plan.warn(_("“%(where)s”: %(what)s is niet overgenomen.", where=where,
                             what=what))

    def add(self, topic: Topic, kind: str, parent_key: str | None, where: str) -> str:
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
        if topic.web_links:
            self.web_links += len(topic.web_links)
            description = "\n\n".join([description, *[f"<{link}>" for link in
                                                      topic.web_links]]).strip()
        self.dropped(topic, where)
        for callout in topic.callouts:
            self.dropped(callout, self.path(callout, where))
        self.plan.items.append(PlannedItem(
            key=key, title=self.title(topic), kind=kind, description=description,
            codes=[*topic.labels, *topic.markers], source=where,
        ))
        if parent_key is not None:
            self.plan.links.append((parent_key, key))
        return key

    def walk(self, topic: Topic, parent_key: str | None, parent: str) -> None:
        where = self.path(topic, parent)
        key = self.add(topic, "effect", parent_key, where)
        for child in topic.attached:
            self.walk(child, key, where)
        for child in topic.detached:
            self.walk(child, None, where)

    def sheet(self, sheet: Sheet) -> None:
        root = sheet.root
        top = " ".join(sheet.title.split())[:60] or _("blad")
        root_where = self.path(root, top)
        if self.mode == "effects":
            root_key = self.add(root, "activity", None, root_where)
            for child in root.attached:
                self.walk(child, root_key, root_where)
        else:
            self.plan.notes.append(_("Het middelpunt “%(title)s” is geen item geworden; de "
                                     "eerste ring eromheen zijn de activiteiten.",
                                     title=" ".join(root.title.split()) or "—"))
            if root.labels or root.markers or root.notes.strip() or root.web_links \
                    or root.callouts:
                self.plan.warn(_("Notities, labels, links en toelichtingen van het middelpunt "
                                 "zijn niet overgenomen: het middelpunt wordt geen item."))
            self.dropped(root, root_where)
            for child in root.attached:
                where = self.path(child, root_where)
                key = self.add(child, "activity", None, where)
                for grandchild in child.attached:
                    self.walk(grandchild, key, where)
                for floating in child.detached:
                    self.walk(floating, None, where)
        for floating in root.detached:
            self.walk(floating, None, root_where)
        for end1, end2 in sheet.relationships:
            if end1 in self.keys and end2 in self.keys:
                self.plan.links.append((self.keys[end1], self.keys[end2]))
            else:
                self.plan.warn(_("Een relatie in de kaart wijst naar een onderwerp dat geen "
                                 "item is geworden; die relatie is overgeslagen."))
        if sheet.relationship_titles:
            self.plan.warn(ngettext(
                "“%(sheet)s”: %(num)d relatie heeft een tekst; die is niet overgenomen (een "
                "verbinding in rem heeft geen tekst).",
                "“%(sheet)s”: %(num)d relaties hebben een tekst; die is niet overgenomen (een "
                "verbinding in rem heeft geen tekst).", sheet.relationship_titles, sheet=top))


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
    if builder.web_links:
        plan.notes.append(ngettext("%(num)d link uit de kaart staat in de beschrijving van "
                                   "zijn item.",
                                   "%(num)d links uit de kaart staan in de beschrijving van "
                                   "hun item.", builder.web_links))
    return plan
