"""Demo data: hubs, collaborations, ripple logs and users, as plain Python data.

Every story comes from the source reports in ``shared/seeds``:

- Achterveld: "Aan de slag met burgerparticipatie!" (2026), box 7 (inspiratiemarkt,
  100 deelnemers), footnote 10 (optrommelactie), chapter 3 (four system-partner
  staff leaving within half a year), box 11 (the dorpsondersteuner) and chapter 4
  (dorpsverbinder funded from SPUK/DOS), appendix 1 (goal).
- Groningen: box 9 (InBegrepen, one to two positions, "katalysator", Menzis and the
  Regioplan Mentaal Gezond Groningen) and the text after box 10 (herstelgroepen not
  achieved, borging within Gezond Groningen).
- Veenkoloniën: box 6 (barriers, two directions for solutions), chapter 2 (distrust
  in Groningen, diversity as an integral theme), chapter 3 (copying the system
  world), chapter 4 (Drents Collectief) and box 15 (stichting).
- Noord-Nederland (acute zorg, ROAZ): box 5 and the text before and after it.
- Zoetermeer: chapter 3 (dialoogsessies with 60 ouderen), box 14 (Senior Green Tour,
  Kamer van Inwoners); the final report of the preparatory phase (co-creation
  meeting Haaglanden postponed from 12 December 2023 to 30 May 2024, 16 people);
  and the report of the hub's second dialogue session (15 and 27 May 2025, about
  25 people, Expeditiefase from 16 June 2025, projectgroep 8 July 2025,
  uitvoeringsfase early 2026).
- Oegstgeest: box 4 (door-to-door talks) and box 11 (the formal letter that failed,
  letting go of the valpreventie theme).
- Twente: chapter 2 (football club, Stichting Ervaringsdeskundigen Handicap Borne),
  chapter 3 (the hub's bureaucratic title, box 8: Twentse Noabers, friction with
  insurers, Dag van het Twentse Burgerinitiatief) and chapter 4 (IZA funding).
- Flevoland (Samen Buurten): chapter 2 (ABCD, inclusion) and box 12.
- Maastricht (Amby): box 2 (400+ participants) and box 3 (Warkhouse), chapter 4
  (flitscoöperatie explored).

Quotes (``evidence_kind`` "quote") are taken from the reports and stay with the
collaboration the report attributes them to. Most dates are not in the reports:
they are plausible estimates, given with a month or quarter precision; the
Zoetermeer 2024-2025 dates are real. A few follow-on effects elaborate on what the
reports describe in general terms, so that each map shows second- and third-order
ripples. People are fictional; organisations are real.

Dates are compact strings: "2024-03-12" (day), "2024-03" (month), "2024-Q2"
(quarter) or "2024" (year). Codes are "codebook-slug:code-slug" as in
``rem.codes.defaults``. An effect's ``causes`` are keys of earlier items in the same
collaboration.
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "demo-wachtwoord"  # noqa: S105 - public demo accounts only

_REPORT = "Rapport 'Aan de slag met burgerparticipatie!' (2026)"
_HUB_REPORT = "Eindrapport kwartiermakersfase participatiehubs"
_ZOETERMEER_REPORT = "Verslag tweede dialoogsessie participatiehub Zoetermeer (27 mei 2025)"


def _activity(
    key: str,
    title: str,
    date: str,
    description: str,
    *,
    codes: tuple[str, ...] = (),
    participants: int | None = None,
    style: str | None = None,
    ladder: str | None = None,
    visibility: str = "collaboration",
) -> dict[str, Any]:
    """Return one activity as a dict."""
    return {
        "key": key,
        "kind": "activity",
        "title": title,
        "date": date,
        "description": description,
        "codes": list(codes),
        "visibility": visibility,
        "participant_count": participants,
        "governance_style": style,
        "ladder_step": ladder,
    }


def _effect(
    key: str,
    title: str,
    date: str,
    description: str,
    *,
    causes: tuple[str, ...],
    intended: bool | None,
    noticed_by: str,
    valence: str | None = "positive",
    evidence_kind: str | None = None,
    evidence: str = "",
    evidence_url: str = "",
    codes: tuple[str, ...] = (),
    visibility: str = "collaboration",
) -> dict[str, Any]:
    """Return one effect as a dict."""
    return {
        "key": key,
        "kind": "effect",
        "title": title,
        "date": date,
        "description": description,
        "codes": list(codes),
        "visibility": visibility,
        "causes": list(causes),
        "intended": intended,
        "valence": valence,
        "noticed_by": noticed_by,
        "evidence_kind": evidence_kind,
        "evidence_text": evidence,
        "evidence_url": evidence_url,
    }


HUBS: list[dict[str, str]] = [
    {
        "slug": "noord-nederland",
        "name": "Participatiehub Noord-Nederland",
        "region": "Groningen, Friesland en Drenthe",
        "description": (
            "Eén hub voor de drie noordelijke provincies, omdat daar al over de "
            "grenzen van de regio's heen wordt samengewerkt. De hub informeert, "
            "adviseert en verbindt inwoners, initiatieven en organisaties in zorg en "
            "welzijn."
        ),
    },
    {
        "slug": "utrecht",
        "name": "Participatiehub Utrecht",
        "region": "Zorgkantoorregio Utrecht",
        "description": (
            "Regionale hub voor inwonersparticipatie in gezondheid, zorg en "
            "ondersteuning in de provincie Utrecht."
        ),
    },
    {
        "slug": "zoetermeer",
        "name": "Participatiehub Zoetermeer",
        "region": "Zoetermeer (regio Haaglanden)",
        "description": (
            "Een netwerk dat inwoners actief betrekt bij regionaal beleid over "
            "gezondheid, zorg en ondersteuning. De Vereniging Gezondheidsregio "
            "Zoetermeer bouwt de hub op, binnen het programma Samen ZoeterMeer Gezond."
        ),
    },
    {
        "slug": "zuid-holland-noord",
        "name": "Participatiehub Zuid-Holland Noord",
        "region": "Leiden en omgeving (Holland Rijnland)",
        "description": (
            "Regionale hub in opbouw. Inwoners zitten hier nog niet vast aan tafel; "
            "de hub wil dat samen met gemeenten en initiatieven veranderen."
        ),
    },
    {
        "slug": "twente",
        "name": "Participatiehub Twente",
        "region": "Twente (Overijssel)",
        "description": (
            "Regionale hub die voortbouwt op het sterke netwerk van burgerinitiatieven "
            "en de cultuur van noaberschap in Twente."
        ),
    },
    {
        "slug": "flevoland",
        "name": "Participatiehub Flevoland",
        "region": "Provincie Flevoland",
        "description": (
            "Regionale hub voor alle inwoners van Flevoland, met veel aandacht voor "
            "inclusie van mensen met een beperking."
        ),
    },
    {
        "slug": "zuid-limburg",
        "name": "Participatiehub Zuid-Limburg",
        "region": "Zuid-Limburg",
        "description": (
            "Regionale hub die wijkgerichte initiatieven, zoals in Maastricht, met "
            "elkaar en met zorg- en welzijnsorganisaties verbindt."
        ),
    },
]


ACHTERVELD: dict[str, Any] = {
    "slug": "achterveld",
    "hub": "utrecht",
    "name": "Toekomstbestendige ouderenzorg in Achterveld",
    "region": "Achterveld (gemeente Leusden)",
    "scale": "lokaal",
    "stage": "koploper",
    "target_group": "Ouderen in Achterveld",
    "goal": (
        "Het burgerinitiatief Door Achterveld Voor Achterveld (DAVA) inbedden in de "
        "formele ouderenzorg, samenwerking opzetten tussen formele en informele "
        "ouderenzorg en zorgen voor structurele financiering van een dorpsondersteuner."
    ),
    "start_date": "2023-10",
    "items": [
        _activity(
            "start",
            "Eerste overleg tussen DAVA en de zorg- en welzijnspartners",
            "2023-10",
            "Het burgerinitiatief **Door Achterveld Voor Achterveld** (DAVA), de "
            "zorg- en welzijnspartners in het dorp en de gemeente spreken af samen te "
            "werken aan ouderenzorg die ook over tien jaar nog werkt.",
            codes=("werkzame-elementen:visie-ontwikkelen",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _activity(
            "dorpsondersteuner",
            "Dorpsondersteuner gaat aan de slag",
            "2024-01",
            "Een dorpsondersteuner wordt het vaste aanspreekpunt voor inwoners, "
            "vrijwilligers en professionals. Zij sluit aan bij de krachten, de energie "
            "en het tempo van de inwoners en biedt vooral ondersteuning.",
            codes=("borging:sleutelpersonen", "werkzame-elementen:flexibele-houding"),
            style="faciliterend",
            ladder="coproduceren",
        ),
        _effect(
            "regie",
            "Initiatieven blijven in handen van inwoners",
            "2024-Q2",
            "Omdat de dorpsondersteuner ondersteunt en niet overneemt, blijven de "
            "inwoners eigenaar van hun initiatieven. Dat gaat soms langzamer dan zij "
            "zou willen.",
            causes=("dorpsondersteuner",),
            intended=True,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Ik wil graag sneller gaan, maar dat gaat niet in het proces: "
            "zij beslissen.”",
            codes=("werkzame-elementen:eigenaarschap-vergroten", "bestuursstijlen:faciliterend"),
        ),
        _activity(
            "optrommelen",
            "Optrommelactie: trommeltjes gaan van huis tot huis",
            "2024-Q2",
            "Inwoners vullen een formuliertje in: wat vinden zij belangrijk in het "
            "dorp, en willen zij ergens aan bijdragen? De formuliertjes gaan in "
            "trommeltjes die van huis tot huis worden doorgegeven. Zo horen we ook "
            "mensen die niet naar bijeenkomsten komen.",
            codes=(
                "werkzame-elementen:wensen-en-behoeften-inventariseren",
                "participatiescan:diversiteit",
            ),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "themas",
            "Overzicht van wat inwoners belangrijk vinden",
            "2024-Q3",
            "De antwoorden uit de trommeltjes zijn gebundeld. Thema's als fijn wonen, "
            "valpreventie, burenhulp en mantelzorg worden de thema's van de "
            "ontmoetingsdag in het najaar.",
            causes=("optrommelen",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Uitkomsten van de optrommelactie, besproken in het overleg van de "
            "partners.",
            codes=(
                "werkzame-elementen:wensen-en-behoeften-inventariseren",
                "participatiescan:invloed",
            ),
        ),
        _effect(
            "hulpaanbod",
            "Inwoners bieden via de trommeltjes hun hulp aan",
            "2024-Q3",
            "Op een deel van de formuliertjes schrijven inwoners dat zij willen helpen, "
            "bijvoorbeeld bij burenhulp of een activiteit.",
            causes=("optrommelen",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Aanmeldingen op de ingevulde formuliertjes.",
            codes=("community-capitals:sociaal", "werkzame-elementen:eigenaarschap-vergroten"),
        ),
        _activity(
            "markt",
            "Ontmoetingsdag 'We doen het samen in Achterveld' met inspiratiemarkt",
            "2024-10",
            "Samenwerkingspartners staan met marktkraampjes op een ontmoetingsdag. "
            "Inwoners en professionals praten over **fijn wonen**, **valpreventie**, "
            "**burenhulp**, **mantelzorg** en **vrijwilligerswerk**. Inwoners stellen "
            "vragen en krijgen tips. Er zijn 100 deelnemers, ook inwoners met een "
            "beperking en hun verzorgers.",
            codes=(
                "werkzame-elementen:burgers-en-professionals-verbinden",
                "borging:infrastructuur",
            ),
            participants=100,
            style="samenwerkend",
            ladder="consulteren",
            visibility="network",
        ),
        _effect(
            "kramen",
            "Meer contact tussen de kramen van formele en informele zorg",
            "2024-10",
            "Kraamhouders van zorgprofessionals en van vrijwilligersorganisaties zoeken "
            "elkaar op. Dat was niet gepland: de markt was bedoeld voor inwoners.",
            causes=("markt",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Gezien tijdens de markt en genoemd in de evaluatiesessie.",
            codes=(
                "community-capitals:sociaal",
                "werkzame-elementen:burgers-en-professionals-verbinden",
            ),
        ),
        _effect(
            "vrijwilligers",
            "Inwoners melden zich aan als vrijwilliger",
            "2024-11",
            "Na de markt melden een aantal inwoners zich als vrijwilliger aan bij "
            "organisaties in het dorp.",
            causes=("markt", "hulpaanbod"),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Aanmeldingen bij de organisaties die een kraam hadden.",
            codes=("community-capitals:menselijk", "community-capitals:sociaal"),
        ),
        _effect(
            "eigenaarschap",
            "Partners voelen zich meer eigenaar van het gezamenlijke doel",
            "2024-Q4",
            "Door elkaar te ontmoeten krijgen partners meer vertrouwen in een "
            "gezamenlijk doel. Zij nemen vaker zelf initiatief.",
            causes=("kramen",),
            intended=False,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Je ziet dat als je partijen bij elkaar brengt, er steeds meer "
            "ontstaat. En we langzaam tot het geloof in een gezamenlijk doel zijn "
            "gekomen.”",
            codes=("werkzame-elementen:eigenaarschap-vergroten", "participatiescan:draagvlak"),
            visibility="hub",
        ),
        _activity(
            "spuk",
            "Gemeente en DAVA vragen samen SPUK/DOS aan",
            "2024-Q4",
            "De gemeente vraagt een *Specifieke uitkering domeinoverstijgend "
            "samenwerken* (SPUK/DOS) aan. De dorpsondersteuner is een belangrijk "
            "onderdeel van de aanvraag.",
            codes=("borging:financiele-duurzaamheid",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "meer_gebeurt",
            "Inwoners pakken zelf dingen op, vaak buiten beeld",
            "2024-Q4",
            "De dorpsondersteuner merkt dat inwoners meer zelf oppakken dan zij ziet. "
            "Vertrouwen geven werkt.",
            causes=("regie",),
            intended=False,
            # Good or not is not known: she does not see what they take on.
            valence=None,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Ik denk dat je ook heel erg vertrouwen moet hebben dat mensen ook "
            "echt wel dingen oppakken soms en dat er veel meer gebeurt dan dat je weet.”",
            codes=("community-capitals:sociaal", "community-capitals:menselijk"),
        ),
        _effect(
            "netwerk",
            "Sterker netwerk van formele en informele ouderenzorg",
            "2025-Q1",
            "Zorgprofessionals, welzijnswerk, vrijwilligers en DAVA weten elkaar beter "
            "te vinden. Het netwerk is een basis om door te gaan als het project stopt.",
            causes=("eigenaarschap",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Partners noemen in de evaluatiesessie een sterker netwerk als "
            "opbrengst van de ontmoetingsdag.",
            codes=("borging:infrastructuur", "community-capitals:sociaal"),
            visibility="hub",
        ),
        _effect(
            "vertrek",
            "Vier contactpersonen bij systeempartners weg binnen een half jaar",
            "2025-Q1",
            "Binnen een half jaar vertrekken vier mensen bij systeempartijen, zoals de "
            "gemeente. Nieuwe mensen moeten zich inwerken en hebben niet altijd "
            "affiniteit met burgerparticipatie.",
            causes=("start",),
            intended=False,
            valence="negative",
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“En dan beginnen weer nieuwe mensen en dan delen ze alles weer "
            "nieuw in.”",
            codes=("borging:sleutelpersonen", "participatiescan:draagvlak"),
            visibility="network",
        ),
        _effect(
            "financiering",
            "Dorpsondersteuner betaald uit SPUK/DOS",
            "2025-Q1",
            "De aanvraag is toegekend. De dorpsondersteuner kan de komende jaren "
            "blijven werken.",
            causes=("spuk",),
            intended=True,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence=f"{_REPORT}, hoofdstuk 4: in Achterveld is de dorpsverbinder "
            "gefinancierd vanuit SPUK/DOS.",
            codes=(
                "borging:financiele-duurzaamheid",
                "borging:sleutelpersonen",
                "community-capitals:financieel",
            ),
            visibility="network",
        ),
        _effect(
            "weinig_eigenaarschap",
            "Systeempartners voelen weinig eigenaarschap",
            "2025-Q2",
            "Door de wisselingen voelen de systeempartners volgens de betrokkenen "
            "weinig eigenaarschap. Afspraken moeten steeds opnieuw worden uitgelegd.",
            causes=("vertrek",),
            intended=False,
            valence="negative",
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Genoemd door inwoners en professionals in de evaluatiesessie.",
            codes=("werkzame-elementen:eigenaarschap-vergroten", "participatiescan:draagvlak"),
        ),
        _activity(
            "evaluatie",
            "Evaluatiesessie met Ripple Effects Mapping",
            "2025-06",
            "Inwoners, partners en onderzoekers brengen samen in kaart wat er sinds de "
            "start is veranderd. In tweetallen vertellen deelnemers elkaar een verhaal "
            "over iets waar zij trots op zijn; daarna maakt de groep samen de "
            "rimpelkaart.",
            codes=("borging:kennisdeling-en-training",),
            style="samenwerkend",
            ladder="adviseren",
        ),
        _effect(
            "trots",
            "Zichtbaar wat er al bereikt is, en dat geeft energie",
            "2025-06",
            "De rimpelkaart laat zien hoeveel er in anderhalf jaar is gebeurd. "
            "Deelnemers zijn trots en willen verder.",
            causes=("evaluatie",),
            intended=True,
            noticed_by="researcher",
            evidence_kind="observation",
            evidence="Reacties van deelnemers aan het eind van de sessie.",
            codes=("community-capitals:menselijk",),
        ),
        _effect(
            "onzeker",
            "Geld voor een paar jaar: blijvende financiering nog niet geregeld",
            "2025-Q3",
            "De SPUK/DOS-middelen zijn tijdelijk. In de borgingsreview blijkt dat de "
            "dorpsondersteuner nog afhangt van één subsidie.",
            causes=("financiering",),
            intended=False,
            valence="mixed",
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Besproken in de jaarlijkse borgingsreview.",
            codes=("borging:financiele-duurzaamheid",),
        ),
        _effect(
            "dava_aan_tafel",
            "DAVA vaker aan tafel bij de zorgpartners",
            "2025-Q3",
            "DAVA schuift vaker aan bij overleg over ouderenzorg in het dorp. Vaste "
            "afspraken zijn er nog niet: door de wisselingen bij systeempartners gaat "
            "dat langzamer dan gehoopt.",
            causes=("netwerk", "financiering", "weinig_eigenaarschap"),
            intended=True,
            valence="mixed",
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Agenda's van het overleg ouderenzorg.",
            codes=("borging:beleidsverankering", "community-capitals:politiek"),
        ),
    ],
}


GRONINGEN: dict[str, Any] = {
    "slug": "groningen",
    "hub": "noord-nederland",
    "name": "Burgerinitiatieven in de Regionale Taskforce Wachttijden Groningen",
    "region": "Provincie Groningen",
    "scale": "regionaal",
    "stage": "koploper",
    "target_group": "Mensen met een psychische of cognitieve aandoening (18+)",
    "goal": (
        "Wachtlijsten en wachttijden in de GGZ verminderen, de samenwerking met "
        "burgers in de taskforce verstevigen en borgen, en ervaringsdeskundigen de "
        "regie en het eigenaarschap geven om de wachtlijstproblematiek aan te pakken."
    ),
    "start_date": "2023-10",
    "items": [
        _activity(
            "kartrekker",
            "InBegrepen wordt kartrekker van het samenwerkingsverband",
            "2023-10",
            "InBegrepen, een coöperatie van onder meer zzp-ervaringsdeskundigen, "
            "(ex-)cliënten en vrijwilligers uit de GGZ en andere domeinen, coördineert "
            "het samenwerkingsverband.",
            codes=("borging:sleutelpersonen",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _activity(
            "twee_posities",
            "Ervaringsdeskundigen krijgen twee vaste plekken in de taskforce",
            "2023-11",
            "Meteen bij de start wordt de rol van ervaringsdeskundigen stevig "
            "neergezet: van één naar twee posities. Zij zijn officieel onderdeel van "
            "het samenwerkingsverband.",
            codes=("borging:beleidsverankering", "participatiescan:invloed"),
            style="samenwerkend",
            ladder="meebeslissen",
            visibility="hub",
        ),
        _effect(
            "vertrouwen",
            "Systeempartners krijgen meer vertrouwen in de samenwerking",
            "2024-Q1",
            "Sinds InBegrepen de kartrekker is, hebben systeempartners meer vertrouwen "
            "in het samenwerkingsverband.",
            causes=("kartrekker",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Genoemd door systeempartners in de evaluatiesessie.",
            codes=("community-capitals:sociaal", "participatiescan:draagvlak"),
        ),
        _effect(
            "katalysator",
            "Meer burgers doen mee in het samenwerkingsverband",
            "2024-Q1",
            "De vaste plekken voor ervaringsdeskundigen werken als een katalysator: "
            "meer burgers sluiten aan.",
            causes=("twee_posities",),
            intended=True,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="De betrokkenheid van ervaringsdeskundigen werkte als een "
            "“katalysator” voor “de deelname van burgers aan het samenwerkingsverband”.",
            codes=("werkzame-elementen:eigenaarschap-vergroten", "community-capitals:sociaal"),
        ),
        _activity(
            "herstelgroepen",
            "Plan: herstelgroepen voor mensen op de wachtlijst",
            "2024-Q1",
            "Het samenwerkingsverband wil herstelgroepen organiseren voor mensen die "
            "op de wachtlijst voor de GGZ staan, geleid door ervaringsdeskundigen.",
            codes=("werkzame-elementen:eigenaarschap-vergroten",),
            style="delegerend",
            ladder="coproduceren",
        ),
        _activity(
            "ophalen",
            "Gesprekken met ervaringsdeskundigen, wachtenden en naasten",
            "2024-Q2",
            "In gesprekken en bijeenkomsten vertellen mensen wat wachten op hulp met "
            "hen doet en wat zou helpen.",
            codes=("werkzame-elementen:wensen-en-behoeften-inventariseren",),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "op_de_kaart",
            "Ervaringsdeskundigheid staat op de kaart in de regio",
            "2024-Q2",
            "Organisaties in de regio vragen vaker naar ervaringsdeskundigen en hun "
            "kennis.",
            causes=("katalysator",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Vragen van organisaties aan InBegrepen.",
            codes=("community-capitals:menselijk", "borging:kennisdeling-en-training"),
        ),
        _effect(
            "herstel_niet",
            "Herstelgroepen voor wachtenden komen niet van de grond",
            "2024-Q3",
            "De geplande herstelgroepen starten niet. Een van de oorspronkelijke "
            "doelen wordt dus niet gehaald.",
            causes=("herstelgroepen",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Voortgangsverslag van het samenwerkingsverband.",
        ),
        _effect(
            "zichtbaar",
            "InBegrepen en de taskforce worden zichtbaarder en serieuzer genomen",
            "2024-Q3",
            "Het vertrouwen van systeempartners en de zichtbare rol van "
            "ervaringsdeskundigen vergroten de legitimiteit van InBegrepen en van het "
            "samenwerkingsverband.",
            causes=("vertrouwen", "op_de_kaart"),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Uitnodigingen voor regionale overleggen.",
            codes=("community-capitals:politiek", "participatiescan:draagvlak"),
            visibility="hub",
        ),
        _effect(
            "opgehaald",
            "Veel ervaringskennis opgehaald om mee verder te gaan",
            "2024-Q4",
            "Ook al lopen niet alle plannen zoals gehoopt, er is veel kennis "
            "opgehaald over wat wachtenden nodig hebben.",
            causes=("ophalen",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Een aantal zaken zijn niet gelopen zoals gehoopt, andere beter dan "
            "gehoopt, ondertussen ontzettend veel opgehaald waar we mee verder kunnen.”",
            codes=("community-capitals:menselijk", "borging:kennisdeling-en-training"),
        ),
        _effect(
            "bijsturen",
            "Het team kiest een nieuwe richting: borgen in plaats van herstelgroepen",
            "2024-Q4",
            "In plaats van vast te houden aan het oude plan, stuurt het team bij. De "
            "energie gaat naar het verstevigen van burgerparticipatie in de regio.",
            causes=("herstel_niet", "opgehaald"),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Besluit in het overleg van het samenwerkingsverband.",
            codes=("werkzame-elementen:flexibele-houding",),
        ),
        _effect(
            "menzis",
            "Menzis vraagt InBegrepen mee te schrijven aan het regioplan",
            "2024-Q4",
            "Zorgverzekeraar Menzis vraagt InBegrepen om mee te schrijven aan het "
            "Regioplan Mentaal Gezond Groningen, met een hoofdstuk over "
            "ervaringsdeskundigheid.",
            causes=("zichtbaar",),
            intended=False,
            noticed_by="professional",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 9.",
            codes=("community-capitals:politiek", "participatiescan:invloed"),
            visibility="network",
        ),
        _effect(
            "hoofdstuk",
            "Hoofdstuk over ervaringsdeskundigheid in het Regioplan Mentaal Gezond",
            "2025-Q1",
            "Het regioplan krijgt een eigen hoofdstuk over ervaringsdeskundigheid, "
            "mede geschreven door InBegrepen.",
            causes=("menzis",),
            intended=False,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence="Regioplan Mentaal Gezond Groningen, hoofdstuk over "
            "ervaringsdeskundigheid.",
            codes=("borging:beleidsverankering", "community-capitals:politiek"),
            visibility="network",
        ),
        _activity(
            "evaluatie",
            "Evaluatiesessie met Ripple Effects Mapping",
            "2025-03",
            "Ervaringsdeskundigen, systeempartners en onderzoekers maken samen een "
            "rimpelkaart van wat het project tot nu toe heeft opgeleverd.",
            codes=("borging:kennisdeling-en-training",),
            style="samenwerkend",
            ladder="adviseren",
        ),
        _effect(
            "anders_succes",
            "Succes blijkt anders dan gepland, en dat mag",
            "2025-03",
            "Op de kaart is te zien dat de opbrengst vooral in de borging zit en niet "
            "in de herstelgroepen. Deelnemers zien het project toch als een succes.",
            causes=("evaluatie",),
            intended=None,  # nobody could say whether this was meant: "Weet ik niet"
            noticed_by="researcher",
            evidence_kind="observation",
            evidence="Rimpelkaart van de evaluatiesessie.",
            codes=("werkzame-elementen:flexibele-houding",),
        ),
        _effect(
            "gezond_groningen",
            "Burgerparticipatie geborgd binnen Gezond Groningen",
            "2025-Q2",
            "Burgerparticipatie krijgt een vaste plek binnen het samenwerkingsverband "
            "*Gezond Groningen*, ook na het einde van het project.",
            causes=("bijsturen", "zichtbaar"),
            intended=True,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“We beschouwen dit project als een groot succes, maar niet in de "
            "richting waaraan we oorspronkelijk dachten.”",
            codes=("borging:beleidsverankering", "borging:infrastructuur"),
            visibility="hub",
        ),
    ],
}


VEENKOLONIEN: dict[str, Any] = {
    "slug": "veenkolonien",
    "hub": "noord-nederland",
    "name": "Met Kracht naar een gelijkwaardige positie (Veenkoloniën)",
    "region": "Veenkoloniën (Groningen en Drenthe)",
    "scale": "regionaal",
    "stage": "koploper",
    "target_group": "Senioren (65+) in de Groningse en Drentse Veenkoloniën",
    "goal": (
        "Burgers en burgerinitiatieven krijgen een gelijkwaardige positie bij het "
        "maken en uitvoeren van beleid over zorgnetwerken, in het kader van het IZA en "
        "de ouderenzorgplannen."
    ),
    "start_date": "2023-10",
    "items": [
        _activity(
            "barrieres",
            "Samen in kaart brengen wat gelijkwaardige participatie in de weg staat",
            "2024-Q1",
            "In gezamenlijke sessies bespreken bewoners en professionals wat een "
            "gelijkwaardige samenwerking lastig maakt.",
            codes=(
                "werkzame-elementen:wensen-en-behoeften-inventariseren",
                "werkzame-elementen:eigenaarschap-vergroten",
            ),
            style="samenwerkend",
            ladder="consulteren",
        ),
        _effect(
            "barrieres_benoemd",
            "Vijf barrières voor gelijkwaardige samenwerking benoemd",
            "2024-Q1",
            "De groep noemt vijf barrières:\n\n"
            "- machtsongelijkheid tussen burgers en professionals;\n"
            "- ervaringskennis telt minder dan professionele kennis;\n"
            "- weinig vertrouwen in overheid en systeempartijen;\n"
            "- sociale en culturele verschillen, en bureaucratie;\n"
            "- wisselende betrokkenheid van burgers.",
            causes=("barrieres",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Zij bedenken de plannen die voor de inwoners helemaal niet werken.”",
            codes=("participatiescan:invloed",),
        ),
        _activity(
            "wantrouwen",
            "Wantrouwen in het Groningse deel bespreekbaar maken",
            "2024-Q2",
            "Inwoners in Groningen voelen meer wantrouwen naar organisaties en overheid "
            "dan in Drenthe, mogelijk door de afhandeling van de aardbevingsschade. Het "
            "samenwerkingsverband erkent dit en neemt extra tijd om vertrouwen op te "
            "bouwen.",
            codes=("werkzame-elementen:flexibele-houding", "participatiescan:verbinding"),
            style="samenwerkend",
            ladder="consulteren",
        ),
        _activity(
            "workshops",
            "Workshops, interviews en een focusgroep over oplossingen",
            "2024-Q2",
            "Burgers en professionals werken samen aan oplossingen voor de barrières.",
            codes=("werkzame-elementen:burgers-en-professionals-verbinden",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "spannend",
            "Beleidsmakers merken dat organisch werken met bewoners spannend is",
            "2024-Q2",
            "Beleidsmakers moeten resultaten vooraf benoemen; bewoners werken liever "
            "stap voor stap. Dat verschil wordt nu hardop besproken.",
            causes=("barrieres_benoemd",),
            intended=False,
            valence="mixed",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Beleidsmakers willen graag het hele plannetje al hebben, je moet het "
            "eindresultaat al benoemen. Zij moeten leveren. En met bewoners werken is veel "
            "meer organisch, volgend. En dat is voor heel veel beleidsmakers doodeng.”",
            codes=("participatiescan:draagvlak", "werkzame-elementen:flexibele-houding"),
            visibility="network",
        ),
        _effect(
            "richtingen",
            "Twee oplossingen: vertrouwen bouwen en verschillen respecteren",
            "2024-Q3",
            "Uit de workshops komen twee verbonden oplossingsrichtingen: **vertrouwen "
            "bouwen** als basis voor een gemeenschappelijk doel, en **respect voor de "
            "verschillen** tussen burgers en professionals. Voor beide zijn ruimte en "
            "tijd nodig.",
            causes=("workshops", "barrieres_benoemd"),
            intended=True,
            noticed_by="researcher",
            evidence_kind="observation",
            evidence="Verslag van de focusgroep.",
            codes=("werkzame-elementen:visie-ontwikkelen",),
        ),
        _effect(
            "diversiteit",
            "Diversiteit wordt onderdeel van het gewone werk",
            "2024-Q3",
            "Diversiteit is geen los thema meer, maar hoort bij het versterken van "
            "gelijkwaardige bewonersparticipatie.",
            causes=("richtingen",),
            intended=False,
            noticed_by="researcher",
            evidence_kind="quote",
            evidence="“Diversiteit is [...] niet benaderd als een afzonderlijk thema, maar "
            "als een integraal onderdeel van het versterken en borgen van gelijkwaardige "
            "bewonersparticipatie.”",
            codes=("participatiescan:diversiteit",),
        ),
        _effect(
            "vertrouwen",
            "Langzaam meer vertrouwen tussen bewoners en professionals",
            "2024-Q4",
            "Het vertrouwen groeit, vooral in het Drentse deel. In het Groningse deel "
            "gaat het langzamer.",
            causes=("wantrouwen", "richtingen"),
            intended=True,
            valence="mixed",
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Genoemd door bewoners in de evaluatiesessie.",
            codes=("community-capitals:sociaal", "participatiescan:verbinding"),
        ),
        _effect(
            "stichting",
            "Burgerinitiatieven bundelen zich in stichting Kracht van de Veenkoloniën",
            "2025-Q1",
            "Burgerinitiatieven uit de regio richten samen de stichting 'Kracht van de "
            "Veenkoloniën' op, om kennis te delen en de initiatieven van bewoners te "
            "versterken.",
            causes=("richtingen", "vertrouwen"),
            intended=True,
            noticed_by="citizen",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 15.",
            codes=("borging:juridische-borging", "community-capitals:politiek"),
            visibility="network",
        ),
        _effect(
            "stem",
            "Bewoners spreken met één, krachtigere stem",
            "2025-Q2",
            "Doordat de initiatieven formeel samen optrekken, worden zij beter gehoord "
            "door gemeenten, zorgaanbieders en verzekeraars.",
            causes=("stichting",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Uitnodigingen aan de stichting voor overleg over ouderenzorgplannen.",
            codes=("community-capitals:politiek", "participatiescan:invloed"),
        ),
        _effect(
            "kennis",
            "Initiatieven delen kennis binnen de stichting",
            "2025-Q2",
            "Initiatieven leren van elkaar, bijvoorbeeld hoe je subsidie aanvraagt of "
            "vrijwilligers vindt.",
            causes=("stichting",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Bijeenkomsten van de stichting.",
            codes=("borging:kennisdeling-en-training", "community-capitals:menselijk"),
        ),
        _activity(
            "drents_collectief",
            "Aansluiten bij het Drents Collectief",
            "2025-Q2",
            "Het samenwerkingsverband sluit aan bij het Drents Collectief, een breder "
            "netwerk in Drenthe.",
            codes=("borging:infrastructuur", "hub-diensten:verbinden"),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "serieus",
            "De stichting wordt gezien als serieuze en gelijkwaardige partner",
            "2025-Q3",
            "Partijen zien de stichting steeds meer als gelijkwaardige "
            "samenwerkingspartner, en faciliteren haar ook.",
            causes=("stem",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Door de positie die wij inmiddels hebben verworven en doordat onze "
            "kennis en ervaring worden gewaardeerd, worden wij steeds meer gezien als een "
            "serieuze en gelijkwaardige samenwerkingspartner die ook passend wordt "
            "gefaciliteerd.”",
            codes=("participatiescan:invloed", "community-capitals:politiek"),
            visibility="hub",
        ),
        _effect(
            "kopieren",
            "Sommige initiatieven gaan de systeemwereld nadoen",
            "2025-Q3",
            "Om invloed te krijgen gaan sommige bewonersinitiatieven werken zoals "
            "organisaties. Daarmee dreigt de kracht van de leefwereld te verdwijnen.",
            causes=("stem",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Ik zie ook bewonersinitiatieven die de systeemwereld gaan kopiëren om "
            "daar invloed te krijgen. Terwijl ik denk: wat zonde, want het ging juist over "
            "die leefwereld.”",
            codes=("community-capitals:cultureel",),
            visibility="network",
        ),
        _effect(
            "breder_netwerk",
            "Breder netwerk in Drenthe voor de stichting",
            "2025-Q3",
            "Via het Drents Collectief komt de stichting in contact met andere "
            "initiatieven en organisaties.",
            causes=("drents_collectief", "stichting"),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Nieuwe contacten na de eerste bijeenkomst van het collectief.",
            codes=("borging:infrastructuur", "community-capitals:sociaal"),
        ),
    ],
}


NOORD_NEDERLAND: dict[str, Any] = {
    "slug": "noord-nederland-acute-zorg",
    "hub": "noord-nederland",
    "name": "Samen op weg! Inwonersparticipatie in de acute zorg",
    "region": "Friesland, Groningen en Drenthe",
    "scale": "provinciaal",
    "stage": "pionier",
    "target_group": "Inwoners, patiënten en naasten in Friesland, Groningen en Drenthe",
    "goal": (
        "Inwoners, patiënten en hun naasten laten meedoen bij de uitwerking en "
        "uitvoering van de ROAZ-plannen, en afspraken maken over structurele borging "
        "van inwonersparticipatie binnen het ROAZ."
    ),
    "start_date": "2024-01",
    "items": [
        _activity(
            "verkenning",
            "Verkennende gesprekken met ROAZ-partners over burgerparticipatie",
            "2024-Q1",
            "Ziekenhuizen, ambulancediensten, huisartsen en andere partners in het "
            "Regionaal Overleg Acute Zorgketen (ROAZ) praten over wat burgerparticipatie "
            "in de acute zorg kan betekenen.",
            codes=("werkzame-elementen:visie-ontwikkelen", "hub-diensten:bewustwording-verhogen"),
            style="participerend",
            ladder="informeren",
        ),
        _effect(
            "drempel",
            "Partners zien burgerparticipatie als ingewikkeld en vertragend",
            "2024-Q1",
            "In de acute zorg gaan efficiëntie en professionele normen voor. Veel "
            "partners hebben slechte ervaringen met inbreng van burgers die niet over "
            "acute zorg ging.",
            causes=("verkenning",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Dat is een drempel die we moesten zien te verlagen. "
            "Burgerparticipatie lijkt voor vele partijen binnen het netwerk een "
            "ingewikkeld en vertragend onderdeel.”",
            codes=("participatiescan:draagvlak",),
            visibility="hub",
        ),
        _activity(
            "bijeenkomst_1",
            "Eerste inwonersbijeenkomst over acute zorg",
            "2024-Q2",
            "Inwoners krijgen uitleg over hoe de acute zorg werkt en praten over hun "
            "ervaringen.",
            codes=(
                "hub-diensten:informeren",
                "werkzame-elementen:wensen-en-behoeften-inventariseren",
            ),
            style="participerend",
            ladder="informeren",
        ),
        _effect(
            "zorg_als_geheel",
            "Inwoners praten over zorg als geheel, niet alleen over acute zorg",
            "2024-Q2",
            "Inwoners maken geen scherp onderscheid tussen acute zorg en de rest van de "
            "zorg. Voor professionals is dat lastig, maar het laat ook zien hoe "
            "inwoners de zorg beleven.",
            causes=("bijeenkomst_1",),
            intended=False,
            valence="mixed",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“De grens tussen wat acuut is en wat niet vervaagt doordat mensen over "
            "hun huisarts gaan praten. [...] Het heeft namelijk invloed op elkaar en mensen "
            "zien het als één geheel.”",
            codes=("participatiescan:verbinding",),
        ),
        _effect(
            "tempo",
            "Professionals passen verwachtingen, tempo en planning aan",
            "2024-Q3",
            "Het projectteam neemt meer tijd en sluit beter aan bij wat inwoners "
            "nodig hebben.",
            causes=("zorg_als_geheel", "drempel"),
            intended=False,
            noticed_by="researcher",
            evidence_kind="observation",
            evidence="Aangepaste projectplanning.",
            codes=("werkzame-elementen:flexibele-houding",),
        ),
        _activity(
            "bijeenkomst_2",
            "Tweede inwonersbijeenkomst: wat kunnen inwoners betekenen?",
            "2024-Q4",
            "Inwoners en professionals bespreken welke rol inwoners in de acute zorg "
            "kunnen spelen.",
            codes=("werkzame-elementen:burgers-en-professionals-verbinden",),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "gesprek",
            "Gesprek over de prioriteit van burgerparticipatie komt op gang",
            "2024-Q4",
            "Professionals en burgers waarderen de uitwisseling. Binnen het ROAZ wordt "
            "nu gesproken over hoe belangrijk burgerparticipatie is.",
            causes=("bijeenkomst_2",),
            intended=True,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Er ontstaat een gesprek over welke prioriteit burgerparticipatie "
            "heeft.”",
            codes=("participatiescan:draagvlak",),
        ),
        _effect(
            "begrip",
            "Meer begrip en openheid voor burgerparticipatie",
            "2025-Q1",
            "Door de uitwisseling van informatie groeien begrip en openheid bij "
            "ROAZ-partners en bij inwoners.",
            causes=("tempo", "gesprek"),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Reacties van ROAZ-partners in het overleg.",
            codes=("participatiescan:draagvlak", "werkzame-elementen:visie-ontwikkelen"),
        ),
        _effect(
            "veertien",
            "Veertien inwoners willen blijvend meedoen",
            "2025-Q1",
            "Veertien inwoners geven aan open te staan voor burgerparticipatie in de "
            "acute zorg.",
            causes=("begrip",),
            intended=True,
            noticed_by="professional",
            evidence_kind="number",
            evidence="14 inwoners",
            codes=("community-capitals:sociaal",),
        ),
        _effect(
            "burgergroep",
            "Burgergroep voor toekomstige betrokkenheid samengesteld",
            "2025-Q2",
            "Met deze inwoners wordt een burgergroep samengesteld die het ROAZ kan "
            "raadplegen bij nieuwe plannen.",
            causes=("veertien",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Samenstelling van de burgergroep.",
            codes=("borging:infrastructuur", "borging:sleutelpersonen"),
            visibility="network",
        ),
    ],
}


ZOETERMEER: dict[str, Any] = {
    "slug": "zoetermeer",
    "hub": "zoetermeer",
    "name": "Versterk de burger, verlicht de zorg (Zoetermeer)",
    "region": "Gemeente Zoetermeer",
    "scale": "lokaal",
    "stage": "koploper",
    "target_group": "Inwoners van Zoetermeer",
    "goal": (
        "De stem van inwoners duurzaam organiseren: een gelijkwaardige plek voor "
        "inwoners in het bestuur, een brede groep inwoners die meedenkt (collectief "
        "burgerbrein), bijeenkomsten van inwoners en professionals, en een "
        "kennisnetwerk om kennis en ervaring te delen."
    ),
    "start_date": "2023-09",
    "items": [
        _activity(
            "kamer",
            "Inrichten van de Kamer van Inwoners",
            "2023-Q4",
            "Inwoners krijgen een eigen plek in het bestuur van de Vereniging "
            "Gezondheidsregio Zoetermeer: de **Kamer van Inwoners**, met "
            "burgerbestuurders.",
            codes=("borging:sleutelpersonen", "participatiescan:invloed"),
            style="samenwerkend",
            ladder="meebeslissen",
        ),
        _activity(
            "cocreatie_gepland",
            "Voorbereiding co-creatiebijeenkomst over een hub in Haaglanden",
            "2023-11",
            "De kwartiermakers plannen met Zoetermeer en partners in Den Haag een "
            "gezamenlijke co-creatiebijeenkomst op 12 december 2023.",
            codes=("hub-diensten:verbinden",),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "uitstel",
            "Co-creatiebijeenkomst uitgesteld door onduidelijkheid over subsidies",
            "2023-12",
            "Door onduidelijkheid over de verschillende programma's en subsidies rond "
            "burgerparticipatie gaat de bijeenkomst niet door. Pas een half jaar later "
            "komt er een nieuwe datum.",
            causes=("cocreatie_gepland",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="document",
            evidence=f"{_HUB_REPORT}, regio Haaglanden.",
        ),
        _activity(
            "dialoog_ouderen",
            "Dialoogsessies met ouderen, initiatieven en professionals",
            "2024-Q1",
            "Laagdrempelige gesprekken om bestaande burgerinitiatieven en professionals "
            "met elkaar te verbinden.",
            codes=("werkzame-elementen:burgers-en-professionals-verbinden",),
            participants=60,
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "kennismaken",
            "Ouderen, initiatieven en professionals leren elkaar kennen",
            "2024-Q1",
            "De dialoogsessies blijken een toegankelijke manier om kennis te maken.",
            causes=("dialoog_ouderen",),
            intended=True,
            noticed_by="professional",
            evidence_kind="number",
            evidence="60 ouderen namen deel",
            codes=("community-capitals:sociaal",),
        ),
        _effect(
            "kamer_aan_tafel",
            "Kamer van Inwoners krijgt een vaste plek aan de bestuurlijke tafel",
            "2024-Q2",
            "Burgerparticipatie zit niet meer alleen in projecten: inwoners praten "
            "mee waar besluiten vallen.",
            causes=("kamer",),
            intended=True,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 14.",
            codes=("borging:beleidsverankering", "community-capitals:politiek"),
            visibility="network",
        ),
        _activity(
            "cocreatie",
            "Co-creatiebijeenkomst over een participatiehub",
            "2024-05-30",
            "Gemeente, inwoners, adviesraden, zorgverzekeraar en zorgorganisaties "
            "denken samen na over een participatiehub voor de regio.",
            codes=("hub-diensten:verbinden",),
            participants=16,
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "hub_verkenning",
            "Partijen verkennen samen hoe een hub eruit kan zien",
            "2024-06",
            "Voor het eerst zitten gemeente, inwoners, adviesraden, verzekeraar en "
            "zorgorganisaties samen aan tafel over een participatiehub.",
            causes=("cocreatie",),
            intended=True,
            noticed_by="professional",
            evidence_kind="document",
            evidence=f"{_HUB_REPORT}, regio Haaglanden.",
            codes=("participatiescan:verbinding", "hub-diensten:verbinden"),
        ),
        _effect(
            "burgerbrein",
            "Een bredere groep inwoners denkt mee",
            "2024-Q3",
            "Na de dialoogsessies sluiten meer inwoners aan bij het 'collectief "
            "burgerbrein': een groep die meedenkt over gezondheid en zorg in de stad.",
            causes=("kennismaken",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Aanmeldingen voor het meedenkpanel.",
            codes=("participatiescan:diversiteit", "community-capitals:menselijk"),
        ),
        _effect(
            "certificaat",
            "Certificaat Senior Green Tour legt participatie vast in beleid",
            "2024-Q4",
            "Het certificaat stelt eisen aan toegankelijkheid, infrastructuur en "
            "samenwerking tussen overheid en inwoners. Zo wordt burgerparticipatie "
            "formeel erkend en opgenomen in gemeentelijke processen.",
            causes=("kamer_aan_tafel",),
            intended=True,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 14.",
            codes=(
                "borging:beleidsverankering",
                "community-capitals:politiek",
                "community-capitals:gebouwd",
            ),
            visibility="network",
        ),
        _effect(
            "regioplan",
            "Certificaat gekoppeld aan het Regioplan Haaglanden",
            "2025-Q1",
            "Het certificaat wordt gekoppeld aan het Regioplan Haaglanden en ingebed in "
            "de Vereniging Gezondheidsregio Zoetermeer.",
            causes=("certificaat",),
            intended=False,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 14.",
            codes=("borging:beleidsverankering", "borging:infrastructuur"),
            visibility="hub",
        ),
        _activity(
            "dialoog_1",
            "Eerste dialoogsessie over de participatiehub",
            "2025-05-15",
            "Inwoners, zorgprofessionals en beleidsmakers halen op wat de "
            "participatiehub voor hen moet betekenen.",
            codes=("werkzame-elementen:wensen-en-behoeften-inventariseren",),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "themas",
            "Drie thema's voor de participatiehub opgehaald",
            "2025-05-15",
            "De drie belangrijkste thema's:\n\n"
            "1. Aantrekkelijke activiteiten vindbaar en toegankelijk\n"
            "2. Gezond leven gemakkelijk maken\n"
            "3. Op weg naar een gelijkwaardige samenwerking tussen inwoners(initiatieven) "
            "en organisaties in zorg en welzijn",
            causes=("dialoog_1",),
            intended=True,
            noticed_by="professional",
            evidence_kind="document",
            evidence=f"{_ZOETERMEER_REPORT}, terugblik op de eerste sessie.",
            codes=("werkzame-elementen:wensen-en-behoeften-inventariseren",),
        ),
        _activity(
            "dialoog_2",
            "Tweede dialoogsessie: hoe moet de participatiehub eruitzien?",
            "2025-05-27",
            "Ongeveer 25 inwoners, leden van patiënten- en cliëntenraden, "
            "zorgprofessionals en beleidsmedewerkers praten in drie groepen over vier "
            "vragen:\n\n"
            "- Waarom zou je meedoen aan participatie?\n"
            "- Wanneer ga jij meedoen?\n"
            "- Wat betekent voor jou 'echte invloed hebben'?\n"
            "- Hoe moet de participatiehub eruitzien?\n\n"
            "Ter inspiratie komen twee voorbeelden aan bod: Samen Goud en het behoud "
            "van de geboortezorg in Zoetermeer.",
            codes=("werkzame-elementen:visie-ontwikkelen", "hub-diensten:verbinden"),
            participants=25,
            style="participerend",
            ladder="adviseren",
            visibility="network",
        ),
        _effect(
            "motivatie",
            "Helder waarom en wanneer inwoners willen meedoen",
            "2025-05-27",
            "Inwoners doen mee als het onderwerp hen raakt, als hun stem serieus wordt "
            "genomen en als meedoen praktisch en laagdrempelig is.",
            causes=("dialoog_2",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Als er aan de voorkant duidelijk is wat er met mijn stem gedaan "
            "wordt.”",
            codes=("participatiescan:invloed",),
            visibility="network",
        ),
        _effect(
            "projectgroep_aanmeldingen",
            "Inwoners melden zich aan voor de projectgroep",
            "2025-06",
            "Na de uitnodiging in de dialoogsessie melden inwoners zich aan om mee te "
            "denken over de subsidieaanvraag.",
            causes=("dialoog_2",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Aanmeldingen via de vereniging.",
            codes=("werkzame-elementen:eigenaarschap-vergroten",),
        ),
        _effect(
            "uitgangspunten",
            "Uitgangspunten: klein en lerend beginnen, afspiegeling, hybride",
            "2025-06",
            "De hub moet klein en lerend beginnen, een afspiegeling van de gemeenschap "
            "zijn en goed vindbaar zijn, met zowel online als fysieke vormen.",
            causes=("motivatie", "themas"),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Begin met een pilot (klein beginnen en leren).”",
            codes=("werkzame-elementen:visie-ontwikkelen", "participatiescan:diversiteit"),
        ),
        _activity(
            "expeditie",
            "Start van de Expeditiefase",
            "2025-06-16",
            "Lessen uit andere regio's worden meegenomen en er komt een concreet "
            "actieplan voor de participatiehub.",
            codes=("hub-diensten:adviseren",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _activity(
            "projectgroep",
            "Projectgroep denkt mee over de subsidieaanvraag",
            "2025-07-08",
            "Inwoners en professionals bespreken de inhoud van de aanvraag voor de "
            "volgende fase.",
            codes=("borging:financiele-duurzaamheid",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "actieplan",
            "Actieplan voor de participatiehub klaar",
            "2025-Q4",
            "Het actieplan bouwt op de uitgangspunten uit de dialoogsessies en is "
            "samen met de projectgroep geschreven.",
            causes=("uitgangspunten", "expeditie", "projectgroep"),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Actieplan, besproken in de projectgroep.",
            codes=("werkzame-elementen:visie-ontwikkelen", "borging:beleidsverankering"),
        ),
        _activity(
            "pilot",
            "Uitvoeringsfase: eerste pilot van de participatiehub",
            "2026-Q1",
            "De participatiehub start klein, met een eerste pilot.",
            codes=("borging:infrastructuur", "hub-diensten:verbinden"),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "kaartenbak",
            "Een kaartenbak van inwoners op thema en expertise",
            "2026-Q2",
            "Beleidsmakers kunnen via de hub inwoners vinden die willen meedenken over "
            "een bepaald thema.",
            causes=("pilot", "uitgangspunten"),
            intended=True,
            noticed_by="policy_maker",
            evidence_kind="observation",
            evidence="Eerste vragen van beleidsmakers aan de hub.",
            codes=("borging:infrastructuur", "hub-diensten:verbinden"),
        ),
    ],
}


OEGSTGEEST: dict[str, Any] = {
    "slug": "oegstgeest",
    "hub": "zuid-holland-noord",
    "name": "Oudere burgers aan zet! Living Lab Oegstgeest",
    "region": "Gemeente Oegstgeest",
    "scale": "lokaal",
    "stage": "pionier",
    "target_group": "Senioren (65+)",
    "goal": (
        "Oudere inwoners en professionals ontwikkelen samen een modern welzijnsaanbod, "
        "om de druk op de zorg te verlichten en de zorg duurzamer te maken."
    ),
    "start_date": "2024-01",
    "items": [
        _activity(
            "brief",
            "Formele brief aan ouderen over het project",
            "2024-Q1",
            "Professionals schrijven een formele brief om ouderen over het project te "
            "vertellen. Dit is niet samen met burgers besloten.",
            style="participerend",
            ladder="informeren",
        ),
        _effect(
            "weinig_respons",
            "De brief levert weinig reacties op",
            "2024-Q1",
            "Er komen weinig reacties. Voor de professionals voelt de brief als een "
            "stap terug.",
            causes=("brief",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="Het voelde als een “stap teruggaan in burgerparticipatie”.",
        ),
        _effect(
            "reflectie",
            "Het team denkt opnieuw na over de visie op participatie",
            "2024-Q2",
            "Het team kijkt kritisch naar de eigen visie en naar hoe het samen werkt.",
            causes=("weinig_respons",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Besproken in het projectteam.",
            codes=("werkzame-elementen:visie-ontwikkelen", "werkzame-elementen:flexibele-houding"),
        ),
        _effect(
            "nieuwe_werving",
            "Nieuwe, persoonlijke manieren om ouderen te werven",
            "2024-Q2",
            "Het team experimenteert met andere wervingsmethoden en zet de behoeften "
            "van ouderen voorop.",
            causes=("reflectie",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Nieuwe wervingsaanpak in het projectplan.",
            codes=(
                "werkzame-elementen:flexibele-houding",
                "participatiescan:vaardigheden-en-werkvormen",
            ),
            visibility="network",
        ),
        _activity(
            "deur_aan_deur",
            "Deur-aan-deurgesprekken met ouderen in de wijken",
            "2024-Q3",
            "Professionals bellen aan bij ouderen, na een aankondiging met een flyer. "
            "Met tientallen mensen praten zij aan de voordeur over woonplezier, "
            "burencontact en voorzieningen. De ideeën worden genoteerd en teruggekoppeld.",
            codes=("werkzame-elementen:wensen-en-behoeften-inventariseren",),
            style="participerend",
            ladder="consulteren",
        ),
        _effect(
            "bereik",
            "Ook ouderen buiten de 'usual suspects' doen mee",
            "2024-Q3",
            "De persoonlijke aanpak bereikt ook ouderen zonder professionele "
            "achtergrond, in een kwetsbare positie of met minder zelfvertrouwen.",
            causes=("deur_aan_deur",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Gespreksnotities van de deur-aan-deurgesprekken.",
            codes=("participatiescan:diversiteit",),
            visibility="hub",
        ),
        _effect(
            "enthousiasme",
            "Enthousiasme in het projectteam",
            "2024-Q3",
            "Ouderen reageren positief op de persoonlijke uitnodiging. Dat geeft het "
            "team energie.",
            causes=("deur_aan_deur",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Terugblik in het projectteam.",
            codes=("community-capitals:menselijk",),
        ),
        _activity(
            "valpreventie",
            "Bijeenkomst over valpreventie",
            "2024-Q4",
            "Een bijeenkomst voor ouderen met valpreventie als vooraf bedacht thema.",
            style="samenwerkend",
            ladder="consulteren",
        ),
        _effect(
            "thema_losgelaten",
            "Thema losgelaten: ouderen willen vooral kennis uitwisselen",
            "2024-Q4",
            "Tijdens de bijeenkomst laten de professionals het thema valpreventie los, "
            "omdat ouderen meer behoefte hebben aan het uitwisselen van kennis.",
            causes=("valpreventie",),
            intended=False,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Verslag van de bijeenkomst.",
            codes=("werkzame-elementen:flexibele-houding",),
        ),
        _effect(
            "pet_op",
            "Professionals leren de taal en behoeften van ouderen kennen",
            "2025-Q1",
            "Door hun eigen ideeën los te laten, leren professionals meer over hoe "
            "ouderen praten en wat zij nodig hebben.",
            causes=("thema_losgelaten",),
            intended=False,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“pet van de bewoners opzetten”",
            codes=("participatiescan:verbinding", "community-capitals:menselijk"),
        ),
        _effect(
            "lef",
            "Professionals durven zich kwetsbaarder op te stellen",
            "2025-Q1",
            "Professionals merken dat een beetje lef genoeg is om het anders te doen.",
            causes=("pet_op",),
            intended=False,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Je hoeft maar twintig seconden lef te hebben en te durven.”",
            codes=("werkzame-elementen:flexibele-houding",),
            visibility="network",
        ),
    ],
}


TWENTE: dict[str, Any] = {
    "slug": "twente",
    "hub": "twente",
    "name": "Burgerparticipatie in het regioplan Twente",
    "region": "Twente",
    "scale": "regionaal",
    "stage": "koploper",
    "target_group": "Inwoners van Twente",
    "goal": (
        "De rol van burgers verstevigen en borgen bij het samen opstellen en uitvoeren "
        "van het regioplan, en kennis en handvatten voor burgerparticipatie ophalen en "
        "delen."
    ),
    "start_date": "2023-10",
    "items": [
        _activity(
            "regioplan",
            "Twentse Noabers schrijven mee aan het regioplan",
            "2023-Q4",
            "De coöperatie **Twentse Noabers**, sinds 2019 de formele bundeling van "
            "ongeveer 30 burgerinitiatieven, schrijft in co-creatie mee aan het "
            "regioplan.",
            codes=("borging:juridische-borging", "community-capitals:cultureel"),
            style="samenwerkend",
            ladder="coproduceren",
            visibility="network",
        ),
        _effect(
            "subsidiehulp",
            "Het netwerk helpt initiatieven aan subsidie",
            "2024-Q2",
            "Het grote netwerk maakt formele ondersteuning mogelijk, bijvoorbeeld bij "
            "het aanvragen van subsidie.",
            causes=("regioplan",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Zonder die hulp was het vaak niet gelukt; daar lopen veel "
            "initiatieven op stuk.”",
            codes=("community-capitals:financieel", "borging:infrastructuur"),
        ),
        _activity(
            "vertrouwde_plekken",
            "Samenwerken met een voetbalclub en ervaringsdeskundigen in Borne",
            "2024-Q2",
            "Het samenwerkingsverband werkt samen met onder meer een voetbalclub en de "
            "Stichting Ervaringsdeskundigen Handicap Borne: plekken die voor inwoners "
            "vertrouwd zijn.",
            codes=(
                "participatiescan:diversiteit",
                "werkzame-elementen:burgers-en-professionals-verbinden",
            ),
            style="samenwerkend",
            ladder="consulteren",
        ),
        _effect(
            "spanning",
            "Spanning met zorgverzekeraars over meetbare resultaten",
            "2024-Q3",
            "Zorgverzekeraars willen concrete, meetbare resultaten. Burgerinitiatieven "
            "voelen zich ongemakkelijk bij beloftes op basis van geschatte cijfers. Dat "
            "maakt het lastig om systeempartners te betrekken.",
            causes=("regioplan",),
            intended=False,
            valence="negative",
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Besproken in de evaluatiesessie.",
            codes=("community-capitals:cultureel", "participatiescan:draagvlak"),
            visibility="network",
        ),
        _activity(
            "hub_overleg",
            "Overleg over een participatiehub in de regio",
            "2024-Q3",
            "Gemeenten en partners bespreken een participatiehub met de titel "
            "'betere beleidsparticipatie vanuit de participatiewet'.",
            codes=("hub-diensten:informeren",),
            style="participerend",
            ladder="informeren",
        ),
        _effect(
            "nieuwe_achterban",
            "Nieuwe groepen inwoners bereikt via vertrouwde plekken",
            "2024-Q3",
            "Via de club en de stichting doen mensen mee die het samenwerkingsverband "
            "anders niet had bereikt.",
            causes=("vertrouwde_plekken",),
            intended=True,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Plekken die al van nature een ontmoetingsplek zijn, hebben al hun "
            "eigen achterban; dat zijn mensen die wij anders nooit hadden kunnen "
            "bereiken.”",
            codes=("participatiescan:diversiteit",),
            visibility="hub",
        ),
        _effect(
            "ambtelijke_taal",
            "Ambtelijke titel van de hub stoot bewoners af",
            "2024-Q3",
            "Bewoners voelen dat beleidsmakers niet zien hoeveel goeds er al gebeurt.",
            causes=("hub_overleg",),
            intended=False,
            valence="negative",
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Dat zit bewoners niet lekker, want zij voelen daardoor dat de "
            "beleidsmakers niet zien hoeveel goeds er al gebeurt.”",
            codes=("participatiescan:verbinding",),
        ),
        _effect(
            "verbondenheid",
            "Groter gevoel van verbondenheid",
            "2024-Q4",
            "Naast meer diversiteit noemen betrokkenen een groter gevoel van "
            "verbondenheid: noaberschap.",
            causes=("nieuwe_achterban",),
            intended=False,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Genoemd door betrokkenen in de evaluatiesessie.",
            codes=("community-capitals:cultureel", "community-capitals:sociaal"),
        ),
        _activity(
            "dag",
            "Dag van het Twentse Burgerinitiatief",
            "2024-Q4",
            "Een dag waarop burgerinitiatieven elkaar ontmoeten en (kleine) successen "
            "vieren.",
            codes=(
                "borging:infrastructuur",
                "werkzame-elementen:burgers-en-professionals-verbinden",
            ),
            style="faciliterend",
            ladder="informeren",
        ),
        _effect(
            "trots",
            "Trots op wat samen is bereikt",
            "2024-Q4",
            "Het delen van successen motiveert en versterkt het vertrouwen in elkaars "
            "inzet.",
            causes=("dag",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Reacties van deelnemers op de dag.",
            codes=("community-capitals:cultureel", "community-capitals:menselijk"),
        ),
        _effect(
            "iza",
            "Financiering via een IZA-aanvraag en een regionale coalitie",
            "2025-Q1",
            "De financiering is geborgd via een IZA-aanvraag en structurele middelen "
            "vanuit een regionale coalitie.",
            causes=("regioplan", "subsidiehulp"),
            intended=True,
            noticed_by="policy_maker",
            evidence_kind="document",
            evidence=f"{_REPORT}, hoofdstuk 4.",
            codes=("borging:financiele-duurzaamheid", "community-capitals:financieel"),
            visibility="network",
        ),
    ],
}


FLEVOLAND: dict[str, Any] = {
    "slug": "flevoland-samen-buurten",
    "hub": "flevoland",
    "name": "Samen Buurten (Flevoland)",
    "region": "Provincie Flevoland",
    "scale": "provinciaal",
    "stage": "koploper",
    "target_group": "Inwoners van Flevoland",
    "goal": (
        "Samenlevingsopbouw in Flevoland bevorderen, gemeenschappen sterker maken en "
        "langdurige zorg toegankelijk houden."
    ),
    "start_date": "2023-10",
    "items": [
        _activity(
            "praktijklabs",
            "Praktijklabs waar inwoners en professionals samenwerken",
            "2024-Q1",
            "In praktijklabs werken inwoners en professionals samen aan "
            "burgerinitiatieven, onder andere met de ABCD-methode. Ervaringsdeskundigen "
            "van de Vereniging Gehandicaptenzorg Nederland zitten gelijkwaardig in de "
            "projectgroep.",
            codes=(
                "borging:infrastructuur",
                "werkzame-elementen:burgers-en-professionals-verbinden",
            ),
            style="faciliterend",
            ladder="coproduceren",
        ),
        _effect(
            "anders_kijken",
            "Professionals gaan anders kijken: vanuit de burger",
            "2024-Q2",
            "Professionals raken enthousiast over de ABCD-methode, omdat die helpt om "
            "vanuit de inwoner te denken.",
            causes=("praktijklabs",),
            intended=False,
            noticed_by="professional",
            evidence_kind="quote",
            evidence="“Dit is echt anders kijken. Niet vanuit de koker van welzijn of "
            "gemeente, maar echt vanuit de burger.”",
            codes=("participatiescan:verbinding", "werkzame-elementen:flexibele-houding"),
            visibility="network",
        ),
        _effect(
            "doorvertellen",
            "Deelnemers nodigen zelf buurtbewoners uit",
            "2024-Q2",
            "Inwoners die de praktijklabs volgen, vragen hun buren om zich ook in te "
            "schrijven.",
            causes=("praktijklabs",),
            intended=False,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“De praktijklabs van Samen Buurten waren echt heel inspirerend om te "
            "volgen. [...] Ik heb direct bij meerdere buurtbewoners aangegeven dat zij zich "
            "ook moeten inschrijven. Dan kunnen we met z’n allen stappen maken en niet "
            "alleen ik.”",
            codes=("werkzame-elementen:eigenaarschap-vergroten", "community-capitals:sociaal"),
        ),
        _effect(
            "inclusie",
            "Inclusie van mensen met een beperking wordt vast onderdeel",
            "2024-Q3",
            "Omdat inclusie steeds wordt meegenomen, is het een vast onderdeel geworden "
            "van alle initiatieven.",
            causes=("praktijklabs",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Opzet van de initiatieven in de praktijklabs.",
            codes=("participatiescan:diversiteit",),
        ),
        _activity(
            "opleiding",
            "Opleidingstraject voor buurtverbinders",
            "2024-Q3",
            "Inwoners worden in de praktijklabs opgeleid tot buurtverbinder, zodat zij "
            "lang actief kunnen blijven.",
            codes=("borging:kennisdeling-en-training", "borging:sleutelpersonen"),
            style="faciliterend",
            ladder="coproduceren",
        ),
        _effect(
            "regie",
            "Buurtverbinders nemen de regie over eigen initiatieven",
            "2024-Q4",
            "Buurtverbinders sturen hun eigen burgerinitiatief aan.",
            causes=("opleiding",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Voortgang van de initiatieven.",
            codes=("borging:sleutelpersonen", "bestuursstijlen:faciliterend"),
        ),
        _effect(
            "begeleiden",
            "Buurtverbinders begeleiden andere bewoners",
            "2025-Q1",
            "Buurtverbinders begeleiden andere inwoners en stimuleren ontmoeting, "
            "eigenaarschap en inclusie.",
            causes=("regie",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Verhalen van buurtverbinders.",
            codes=("community-capitals:menselijk", "borging:kennisdeling-en-training"),
        ),
        _effect(
            "pijler",
            "Buurtverbinders worden een pijler onder Samen Buurten",
            "2025-Q2",
            "De buurtverbinders dragen het werk: zij zijn een belangrijke pijler in de "
            "borging van Samen Buurten.",
            causes=("begeleiden",),
            intended=True,
            noticed_by="professional",
            evidence_kind="document",
            evidence=f"{_REPORT}, box 12.",
            codes=("borging:sleutelpersonen",),
            visibility="hub",
        ),
        _activity(
            "intentie",
            "Intentieverklaringen met buurtverbinders opstellen",
            "2025-Q2",
            "Buurtverbinders en het samenwerkingsverband leggen verwachtingen en de "
            "duur van de inzet vast in een intentieverklaring.",
            codes=("borging:sleutelpersonen",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _effect(
            "afspraken",
            "Heldere afspraken over verwachtingen en duur van de inzet",
            "2025-Q3",
            "Iedereen weet wat er van de buurtverbinders wordt verwacht, en voor hoe "
            "lang.",
            causes=("intentie", "pijler"),
            intended=True,
            noticed_by="professional",
            evidence_kind="document",
            evidence="Getekende intentieverklaringen.",
            codes=("borging:sleutelpersonen",),
        ),
    ],
}


MAASTRICHT: dict[str, Any] = {
    "slug": "maastricht-amby",
    "hub": "zuid-limburg",
    "name": "Ouderen langer thuis in de wijk Amby (Maastricht)",
    "region": "Wijk Amby, Maastricht",
    "scale": "lokaal",
    "stage": "pionier",
    "target_group": "Kwetsbare ouderen in Amby",
    "goal": (
        "Samenwerking tussen formele en informele zorg en welzijn en burgers "
        "stimuleren, een on- en offline platform voor activiteiten in de wijk, een "
        "veerkrachtmonitor positieve gezondheid en een wijkgericht ouderenzorgplan."
    ),
    "start_date": "2024-01",
    "items": [
        _activity(
            "warkhouse",
            "Begeleiding door expertisebureau Warkhouse",
            "2024-Q1",
            "Een projectleider, een participatief actieonderzoeker en een "
            "communicatieadviseur van Warkhouse ondersteunen de burgerwerkgroep.",
            codes=("borging:kennisdeling-en-training",),
            style="samenwerkend",
            ladder="coproduceren",
        ),
        _activity(
            "werksessies",
            "Werksessies: hoe is het om oud te worden in Amby?",
            "2024-Q2",
            "Burgers en professionals uit informele en formele kringen praten over wat "
            "ouderen nodig hebben aan wonen, zorg en welzijn. Er worden verschillende "
            "participatieve onderzoeksmethoden gebruikt. Meer dan 400 inwoners doen mee.",
            codes=("werkzame-elementen:wensen-en-behoeften-inventariseren",),
            participants=400,
            style="samenwerkend",
            ladder="consulteren",
            visibility="network",
        ),
        _effect(
            "drempel_lager",
            "Lagere drempel om met elkaar in gesprek te gaan",
            "2024-Q2",
            "Omdat Warkhouse geen eigen belang heeft, praten bewoners en gemeente "
            "makkelijker met elkaar.",
            causes=("warkhouse",),
            intended=False,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“Warkhouse is een externe partij zonder direct belang in het project, "
            "waardoor zij in staat is om onafhankelijk met iedereen in gesprek te gaan, van "
            "bewoners tot de gemeente.”",
            codes=("participatiescan:verbinding",),
        ),
        _effect(
            "kennen",
            "Inwoners en professionals leren elkaar kennen",
            "2024-Q2",
            "In de werksessies leren burgers en professionals elkaar kennen. Dat helpt "
            "de samenwerking.",
            causes=("werksessies",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Verslagen van de werksessies.",
            codes=(
                "werkzame-elementen:burgers-en-professionals-verbinden",
                "community-capitals:sociaal",
            ),
        ),
        _effect(
            "vooral_ouderen",
            "De werksessies trekken vooral oudere inwoners",
            "2024-Q3",
            "Er komen veel en verschillende ouderen, maar andere groepen blijven "
            "grotendeels weg. Meer diversiteit vraagt extra capaciteit.",
            causes=("werksessies",),
            intended=False,
            valence="mixed",
            noticed_by="researcher",
            evidence_kind="number",
            evidence="Meer dan 400 deelnemers, vooral ouderen",
            codes=("participatiescan:diversiteit",),
        ),
        _effect(
            "zelfvertrouwen",
            "De burgerwerkgroep krijgt meer zelfvertrouwen",
            "2024-Q3",
            "De burgerwerkgroep ontwikkelt kennis en vaardigheden en gelooft meer in "
            "eigen kunnen.",
            causes=("warkhouse",),
            intended=True,
            noticed_by="citizen",
            evidence_kind="quote",
            evidence="“meer zelfvertrouwen in eigen kunnen en talenten”",
            codes=("community-capitals:menselijk",),
        ),
        _effect(
            "zelfstandiger",
            "De burgerwerkgroep werkt zelfstandiger",
            "2024-Q4",
            "De werkgroep pakt meer zelf op en heeft de begeleiding minder nodig.",
            causes=("zelfvertrouwen",),
            intended=True,
            noticed_by="professional",
            evidence_kind="observation",
            evidence="Minder uren begeleiding nodig.",
            codes=("werkzame-elementen:eigenaarschap-vergroten",),
        ),
        _effect(
            "serieus",
            "Systeempartners nemen de burgerwerkgroep serieuzer",
            "2025-Q1",
            "Systeempartners nemen de burgerwerkgroep steeds serieuzer en waarderen "
            "haar meer.",
            causes=("zelfstandiger",),
            intended=False,
            noticed_by="citizen",
            evidence_kind="observation",
            evidence="Uitnodigingen van systeempartners aan de werkgroep.",
            codes=("participatiescan:invloed", "community-capitals:politiek"),
            visibility="hub",
        ),
        _activity(
            "flitscooperatie",
            "Verkennen of een flitscoöperatie een passende rechtsvorm is",
            "2025-Q2",
            "Een flitscoöperatie kan in een week worden opgericht; de details worden "
            "later in de statuten vastgelegd. Dat past bij burgerinitiatieven.",
            codes=("borging:juridische-borging",),
            style="faciliterend",
            ladder="coproduceren",
        ),
    ],
}


COLLABORATIONS: list[dict[str, Any]] = [
    ACHTERVELD,
    GRONINGEN,
    VEENKOLONIEN,
    NOORD_NEDERLAND,
    ZOETERMEER,
    OEGSTGEEST,
    TWENTE,
    FLEVOLAND,
    MAASTRICHT,
]


USERS: list[dict[str, Any]] = [
    {
        "email": "admin@example.org",
        "name": "Beheerder (demo)",
        "is_admin": True,
        "is_researcher": False,
        "memberships": [],
    },
    {
        "email": "coordinator@example.org",
        "name": "Fenna Dijkstra",
        "is_admin": False,
        "is_researcher": False,
        "memberships": [{"role": "coordinator", "hub": "noord-nederland"}],
    },
    {
        "email": "facilitator@example.org",
        "name": "Sanne Bakker",
        "is_admin": False,
        "is_researcher": False,
        "memberships": [{"role": "facilitator", "collaboration": "groningen"}],
    },
    {
        "email": "member@example.org",
        "name": "Kees Mulder",
        "is_admin": False,
        "is_researcher": False,
        "memberships": [{"role": "member", "collaboration": "groningen"}],
    },
    {
        "email": "researcher@example.org",
        "name": "Lotte Visser",
        "is_admin": False,
        "is_researcher": True,
        "memberships": [],
    },
    {
        "email": "achterveld@example.org",
        "name": "Marieke van den Berg",
        "is_admin": False,
        "is_researcher": False,
        "memberships": [{"role": "facilitator", "collaboration": "achterveld"}],
    },
]


# Learning logs and a learning exchange (leerlogboek, leeruitwisseling).
#
# Grounded in "Aan de slag met burgerparticipatie!" (2026), chapter 4 (financiële
# duurzaamheid: SPUK/DOS in Achterveld, IZA and a regional coalition in Twente, the
# risk when the people who pull the cart leave or project money ends) and its advice
# ("Zet in op structurele financiering ... Zorgverzekeraars zijn vaak sleutelpartners"),
# and, for Groningen, box 9 and the text after box 10. Entries are keyed per
# collaboration; ``cites`` are keys of that collaboration's demo items (or of earlier
# entries, prefixed "entry:"). ``author`` and ``owner`` are demo e-mail addresses.
# They are loaded only into a collaboration whose learning log is still empty.


def _entry(
    key: str,
    kind: str,
    title: str,
    date: str,
    body: str,
    *,
    author: str,
    codes: tuple[str, ...] = (),
    cites: tuple[str, ...] = (),
    visibility: str = "collaboration",
    owner: str | None = None,
    due: str | None = None,
    done: bool = False,
) -> dict[str, Any]:
    """Return one learning-log entry as a dict."""
    return {
        "key": key,
        "kind": kind,
        "title": title,
        "date": date,
        "body": body,
        "author": author,
        "codes": list(codes),
        "cites": list(cites),
        "visibility": visibility,
        "owner": owner,
        "due": due,
        "done": done,
    }


LOG_ENTRIES: dict[str, list[dict[str, Any]]] = {
    "achterveld": [
        _entry(
            "les_een_subsidie",
            "lesson",
            "Eén subsidie houdt de dorpsondersteuner maar een paar jaar overeind",
            "2025-06-12",
            "Wat gaat goed? De SPUK/DOS-aanvraag van gemeente en DAVA samen lukte, en "
            "de dorpsondersteuner kon blijven.\n\nWat kan beter? Het geld is voor een "
            "paar jaar. Als we nu niet zoeken naar **structurele** financiering, staan "
            "we straks weer met lege handen.",
            author="achterveld@example.org",
            codes=("borging:financiele-duurzaamheid", "borging:sleutelpersonen"),
            cites=("spuk", "financiering"),
            visibility="network",
        ),
        _entry(
            "les_contactpersonen",
            "lesson",
            "Leg afspraken vast bij de organisatie, niet alleen bij één contactpersoon",
            "2025-06-12",
            "Vier contactpersonen bij systeempartners vertrokken binnen een half jaar. "
            "Elke keer moesten we opnieuw uitleggen wie DAVA is.",
            author="achterveld@example.org",
            codes=("borging:sleutelpersonen", "borging:beleidsverankering"),
            cites=("vertrek",),
            visibility="network",
        ),
        _entry(
            "besluit_zorgverzekeraar",
            "decision",
            "We gaan met de zorgverzekeraar praten over geld na de SPUK/DOS-periode",
            "2025-07-03",
            "Besloten in het kernteam: de gemeente en DAVA vragen samen een gesprek "
            "aan met de zorgverzekeraar.",
            author="achterveld@example.org",
            codes=("borging:financiele-duurzaamheid",),
            cites=("onzeker", "entry:les_een_subsidie"),
        ),
        _entry(
            "actie_gesprek",
            "action",
            "Gesprek met de zorgverzekeraar plannen",
            "2025-07-03",
            "Neem de resultaten van de inspiratiemarkt en de rimpelkaart mee.",
            author="achterveld@example.org",
            owner="achterveld@example.org",
            due="2027-02-01",
            codes=("borging:financiele-duurzaamheid",),
            cites=("entry:besluit_zorgverzekeraar",),
        ),
    ],
    "twente": [
        _entry(
            "les_coalitie",
            "lesson",
            "Een regionale coalitie maakt een IZA-aanvraag sterker",
            "2025-04-15",
            "De financiering kwam rond via een IZA-aanvraag én structurele middelen van "
            "een regionale coalitie. Het netwerk van Twentse Noabers hielp: samen sta je "
            "sterker dan elk initiatief alleen.",
            author="admin@example.org",
            codes=("borging:financiele-duurzaamheid", "borging:infrastructuur"),
            cites=("iza", "subsidiehulp"),
            visibility="network",
        ),
        _entry(
            "besluit_verzekeraars",
            "decision",
            "We spreken met zorgverzekeraars vooraf af wat we samen willen bereiken",
            "2025-04-15",
            "Er was spanning over meetbare resultaten. Daarom maken we voortaan vooraf "
            "afspraken over wat we samen zien als succes.",
            author="admin@example.org",
            codes=("borging:financiele-duurzaamheid", "borging:beleidsverankering"),
            cites=("spanning",),
            visibility="network",
        ),
    ],
    "groningen": [
        _entry(
            "reflectie_evaluatie",
            "reflection",
            "Wat gaat goed, wat kan beter na de evaluatiesessie",
            "2025-03-20",
            "Wat gaat goed? Ervaringsdeskundigheid staat op de kaart en InBegrepen "
            "schrijft mee aan het regioplan.\n\nWat kan beter? De herstelgroepen kwamen "
            "niet van de grond. Succes blijkt anders dan gepland, en dat mag.",
            author="facilitator@example.org",
            codes=("borging:kennisdeling-en-training",),
            cites=("evaluatie", "herstel_niet", "anders_succes"),
        ),
        _entry(
            "les_meeschrijven",
            "lesson",
            "Meeschrijven aan het regioplan opent deuren",
            "2025-03-20",
            "Doordat Menzis InBegrepen vroeg mee te schrijven, kwam ervaringsdeskundigheid "
            "in het Regioplan Mentaal Gezond. Dat is een stevigere plek dan een los project.",
            author="facilitator@example.org",
            codes=("borging:beleidsverankering",),
            cites=("menzis", "hoofdstuk"),
            visibility="network",
        ),
        _entry(
            "actie_gezond_groningen",
            "action",
            "Afspraken over burgerparticipatie in Gezond Groningen op papier zetten",
            "2025-05-15",
            "",
            author="facilitator@example.org",
            owner="facilitator@example.org",
            due="2025-09-30",
            codes=("borging:beleidsverankering",),
            cites=("gezond_groningen",),
        ),
        _entry(
            "vraag_geld",
            "question",
            "Wie betaalt de ervaringsdeskundigen als het projectgeld stopt?",
            "2025-05-15",
            "Twee vaste plekken in de taskforce is mooi. Maar hoe blijven die betaald?",
            author="member@example.org",
            codes=("borging:financiele-duurzaamheid",),
            cites=("twee_posities",),
        ),
    ],
}

EXCHANGES: list[dict[str, Any]] = [
    {
        "title": "Financiële duurzaamheid: hoe blijft het geld er?",
        "theme": "borging:financiele-duurzaamheid",
        "question": "Wat werkt om burgerparticipatie betaald te houden als het "
        "projectgeld stopt?",
        "description": "Achterveld (SPUK/DOS) en Twente (IZA en een regionale coalitie) "
        "vertellen hoe zij hun financiering regelden. Daarna: wat nemen we mee?\n\n"
        "1. Rondje: wat is bij jullie geregeld, en voor hoe lang?\n"
        "2. Samen naar het bewijs en de rimpelkaarten kijken.\n"
        "3. Wat spreken we af?",
        "hubs": ["utrecht", "twente"],
        "date": "2025-11-20",
        "place": "Online",
        "created_by": "coordinator@example.org",
        "outcomes": [
            {
                "kind": "insight",
                "title": "Structureel geld komt eerder via IZA, een coalitie of de "
                "zorgverzekeraar dan via één projectsubsidie",
                "body": "Beide samenwerkingsverbanden zien dat één subsidie maar een paar "
                "jaar helpt. Samen optrekken in de regio maakt een aanvraag sterker.",
                "due": None,
                "adopted_by": ["achterveld"],
            },
            {
                "kind": "agreement",
                "title": "We delen onze aanvragen met elkaar",
                "body": "Twente deelt de IZA-aanvraag, Achterveld de SPUK/DOS-aanvraag.",
                "due": None,
                "adopted_by": [],
            },
            {
                "kind": "follow_up",
                "title": "Een tweede uitwisseling met een zorgverzekeraar erbij",
                "body": "",
                "due": "2026-06-30",
                "adopted_by": [],
            },
        ],
    },
]


# Evaluation sessions (rem.workshops): the Zoetermeer hub's second dialogue session of
# 27 May 2025 (the report in shared/seeds/003), as a closed session whose stories were
# told on phones. The stories paraphrase the quotes in that report; the people are
# fictional. ``effect`` is the key of the effect a story became ("accepted": the effect
# came from this session) or was merged into ("merged"); ``grew_from`` is the key of an
# item participants could choose (``link_items``).
WORKSHOPS: list[dict[str, Any]] = [
    {
        "collaboration": "zoetermeer",
        "title": "Tweede dialoogsessie participatiehub",
        "date": "2025-05-27",
        "opened": "13:30",
        "closed": "15:30",
        "place": "Zoetermeer",
        "focus_question": "Hoe moet de participatiehub eruitzien, en wat is er sinds de "
        "eerste dialoogsessie al veranderd?",
        "prompts": [
            "Waarom zou je meedoen aan participatie?",
            "Wanneer ga jij meedoen aan participatie?",
            "Wat betekent voor jou ‘echte invloed hebben’?",
            "Hoe moet de participatiehub eruitzien?",
        ],
        "link_items": ["dialoog_1", "dialoog_2", "kamer", "cocreatie"],
        "participants": [
            {"name": "Ria", "role": "citizen"},
            {"name": "Henk", "role": "citizen"},
            {"name": "", "role": "citizen"},
            {"name": "Sanne", "role": "professional"},
            {"name": "", "role": "professional"},
            {"name": "Mark", "role": "policy_maker"},
            {"name": "", "role": None},
        ],
        "stories": [
            {
                "participant": 0,
                "text": "Ik doe nu mee, omdat ik weet wat er met mijn stem gebeurt. Dat was "
                "bij de eerste sessie aan de voorkant duidelijk gemaakt.",
                "for_whom": "Inwoners zoals ik",
                "date": "2025-05",
                "intended": True,
                "valence": "positive",
                "grew_from": "dialoog_2",
                "status": "accepted",
                "effect": "motivatie",
            },
            {
                "participant": 1,
                "text": "Ik voel me onderdeel van iets groters. Ik kan invloed hebben op beleid.",
                "for_whom": "",
                "date": None,
                "intended": True,
                "valence": "positive",
                "grew_from": None,
                "status": "merged",
                "effect": "motivatie",
            },
            {
                "participant": 3,
                "text": "We hebben samen besloten klein te beginnen en te leren: eerst een "
                "pilot. Dat geeft rust.",
                "for_whom": "De projectgroep en de partners",
                "date": "2025-05",
                "intended": True,
                "valence": "positive",
                "grew_from": "dialoog_2",
                "status": "accepted",
                "effect": "uitgangspunten",
            },
            {
                "participant": 2,
                "text": "De hub moet een afspiegeling zijn van de stad, uit alle wijken. Niet "
                "alleen de mensen die er altijd al zijn.",
                "for_whom": "Inwoners uit alle wijken",
                "date": None,
                "intended": None,
                "valence": "mixed",
                "grew_from": None,
                "status": "merged",
                "effect": "uitgangspunten",
            },
            {
                "participant": 5,
                "text": "Wij willen een kaartenbak op thema's en expertise, zodat we inwoners "
                "kunnen vinden die willen meedenken.",
                "for_whom": "Beleidsmakers van de gemeente",
                "date": None,
                "intended": True,
                "valence": "positive",
                "grew_from": None,
                "status": "parked",
                "effect": None,
            },
            {
                "participant": 4,
                "text": "Het moet laagdrempelig zijn. Nu haken mensen af als het ingewikkeld "
                "wordt of als de tijden niet passen.",
                "for_whom": "Mensen met weinig tijd",
                "date": "2025",
                "intended": False,
                "valence": "negative",
                "grew_from": None,
                "status": "parked",
                "effect": None,
            },
        ],
    },
]

# Annual borging reviews (rem.reviews): an adopted 2024 review for Groningen, so that its
# facilitator (facilitator@example.org) can hold the 2025 review and compare. Nothing for
# 2025 yet. Narratives follow box 9 and the text after box 10 of the 2026 report.
REVIEWS: list[dict[str, Any]] = [
    {
        "collaboration": "groningen",
        "year": 2024,
        "adopted_by": "facilitator@example.org",
        "meeting_date": "2024-12-12",
        "participants": "Twee ervaringsdeskundigen van InBegrepen, de projectleider van de "
        "taskforce, een beleidsadviseur van de gemeente Groningen en een adviseur van Menzis.",
        "strategies": {
            "sleutelpersonen": (
                "in_development",
                "Ervaringsdeskundigen hebben nu twee vaste plekken in de taskforce. Veel "
                "hangt nog af van de kartrekkers van InBegrepen.",
            ),
            "infrastructuur": (
                "not_started",
                "Er is nog geen vaste plek of terugkerend overleg buiten de taskforce.",
            ),
            "kennisdeling-en-training": (
                "in_development",
                "Organisaties vragen InBegrepen vaker om ervaringskennis. Zo staat "
                "ervaringsdeskundigheid op de kaart.",
            ),
            "beleidsverankering": (
                "in_development",
                "Menzis vroeg InBegrepen mee te schrijven aan het regioplan. Vastgelegd is "
                "nog niets.",
            ),
            "juridische-borging": (
                "realised",
                "InBegrepen is een coöperatie: de rechtsvorm bestaat al.",
            ),
            "financiele-duurzaamheid": (
                "at_risk",
                "De plekken voor ervaringsdeskundigen worden betaald uit projectgeld. Na "
                "2025 is er nog geen geld.",
            ),
        },
        "risk_key_persons": "Als de twee kartrekkers van InBegrepen stoppen, valt het "
        "contact met de taskforce grotendeels weg.",
        "risk_project_money": "De vergoeding van ervaringsdeskundigen komt uit projectgeld "
        "dat eind 2025 stopt.",
        "scores": {"diversiteit": 2, "invloed": 2.5, "draagvlak": 3, "verbinding": 3,
                   "vaardigheden-en-werkvormen": 2},
    },
]


# Themes (the REM step after mapping) of the demo collaborations: name, description and the
# keys of their effects; an effect may be in more than one.
THEMES: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "groningen": [
        ("Ervaringskennis telt mee", "Ervaringsdeskundigen krijgen een vaste plek en stem.",
         ("vertrouwen", "katalysator", "zichtbaar", "hoofdstuk")),
        ("Samen met de zorgverzekeraar", "Wat de samenwerking met Menzis opleverde.",
         ("menzis", "hoofdstuk", "gezond_groningen")),
        ("Wachttijden in beeld", "Wat burgers ophaalden over wachten op zorg.",
         ("op_de_kaart", "opgehaald", "bijsturen")),
    ],
}

