"""The built-in codebooks, as plain data, and an idempotent installer.

The schemes come from the source reports: the six borging strategies and the
five working elements ("Aan de slag met burgerparticipatie!", chapters 3-4),
the governance styles after Pröpper (box 1), the participation ladder (JZOJP
regional plans study), the five pillars of the participatiescan and the hub
services (final report of the preparatory phase, appendix B and 5.5), and the
Community Capitals that Ripple Effects Mapping uses for coding.

Names and descriptions are plain Dutch (B1): they are shown to citizens.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rem.codes.models import Code, Codebook
from rem.extensions import db


@dataclass(frozen=True)
class CodeSpec:
    """One built-in code."""

    slug: str
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class CodebookSpec:
    """One built-in codebook with its codes."""

    slug: str
    name: str
    description: str
    position: int
    codes: tuple[CodeSpec, ...]


def _codes(*rows: tuple[str, str, str]) -> tuple[CodeSpec, ...]:
    """Number ``(slug, name, description)`` rows 10, 20, 30... in the given order."""
    return tuple(
        CodeSpec(slug, name, description, 10 * (i + 1))
        for i, (slug, name, description) in enumerate(rows)
    )


DEFAULT_CODEBOOKS: tuple[CodebookSpec, ...] = (
    CodebookSpec(
        "borging",
        "Borgingsstrategieën",
        "Zes manieren om burgerparticipatie blijvend te maken, ook als het project "
        "of het geld stopt.",
        10,
        _codes(
            (
                "sleutelpersonen",
                "Sleutelpersonen",
                "Mensen die burgers en professionals verbinden en het werk gaande houden, "
                "zoals een dorpsondersteuner of buurtverbinder.",
            ),
            (
                "infrastructuur",
                "Infrastructuur",
                "Vaste plekken, terugkerende bijeenkomsten, online groepen en netwerken "
                "waar mensen elkaar blijven ontmoeten.",
            ),
            (
                "kennisdeling-en-training",
                "Kennisdeling en training",
                "Kennis en ervaring delen en mensen opleiden, zodat het werk niet van een "
                "paar personen afhangt.",
            ),
            (
                "beleidsverankering",
                "Beleidsverankering",
                "Burgerparticipatie vastleggen in beleid, zodat het een vast onderdeel van "
                "het werk wordt.",
            ),
            (
                "juridische-borging",
                "Juridische borging",
                "Afspraken en rollen vastleggen in een rechtsvorm, zoals een stichting of "
                "coöperatie.",
            ),
            (
                "financiele-duurzaamheid",
                "Financiële duurzaamheid",
                "Geld voor langere tijd regelen, bijvoorbeeld via de gemeente (SPUK/DOS), "
                "het IZA of een zorgverzekeraar.",
            ),
        ),
    ),
    CodebookSpec(
        "werkzame-elementen",
        "Werkzame elementen",
        "Vijf dingen die ervoor zorgen dat burgerparticipatie werkt.",
        20,
        _codes(
            (
                "wensen-en-behoeften-inventariseren",
                "Wensen en behoeften inventariseren",
                "Goed luisteren en ophalen wat burgers en professionals willen en nodig "
                "hebben.",
            ),
            (
                "visie-ontwikkelen",
                "Een visie op burgerparticipatie ontwikkelen",
                "Samen bepalen wat burgerparticipatie voor jullie betekent en hoe je het "
                "aanpakt.",
            ),
            (
                "eigenaarschap-vergroten",
                "Eigenaarschap en verantwoordelijkheid vergroten",
                "Zorgen dat burgers en professionals zich samen verantwoordelijk voelen en "
                "actief meedoen.",
            ),
            (
                "burgers-en-professionals-verbinden",
                "Burgers en professionals verbinden",
                "Burgers en professionals laten ontmoeten, zodat ze elkaar leren kennen en "
                "begrijpen.",
            ),
            (
                "flexibele-houding",
                "Flexibele houding en aanpak",
                "Ruimte laten om plannen aan te passen en samen te leren van wat er "
                "gebeurt.",
            ),
        ),
    ),
    CodebookSpec(
        "bestuursstijlen",
        "Bestuursstijlen",
        "Vier manieren waarop een samenwerkingsverband burgers laat meedoen (naar "
        "Pröpper).",
        30,
        _codes(
            (
                "faciliterend",
                "Faciliterend",
                "Burgers nemen zelf het initiatief en beslissen; het samenwerkingsverband "
                "helpt met kennis of geld.",
            ),
            (
                "samenwerkend",
                "Samenwerkend",
                "Burgers werken als gelijke partner mee aan plannen en activiteiten.",
            ),
            (
                "delegerend",
                "Delegerend",
                "Burgers beslissen zelf, binnen afspraken die het samenwerkingsverband "
                "vooraf maakt.",
            ),
            (
                "participerend",
                "Participerend",
                "Burgers geven advies en denken vroeg mee; het samenwerkingsverband "
                "beslist.",
            ),
        ),
    ),
    CodebookSpec(
        "participatieladder",
        "Participatieladder",
        "Vijf treden die laten zien hoeveel invloed burgers hebben.",
        40,
        _codes(
            (
                "informeren",
                "Informeren",
                "Burgers krijgen informatie, maar geven zelf geen inbreng.",
            ),
            (
                "consulteren",
                "Consulteren",
                "Burgers wordt gevraagd wat zij vinden; anderen bepalen de richting.",
            ),
            (
                "adviseren",
                "Adviseren",
                "Burgers noemen problemen en oplossingen, en hun advies telt echt mee.",
            ),
            (
                "coproduceren",
                "Coproduceren",
                "Burgers en organisaties maken samen plannen en houden zich daaraan.",
            ),
            (
                "meebeslissen",
                "Meebeslissen",
                "Burgers beslissen mee en organisaties nemen de uitkomst over.",
            ),
        ),
    ),
    CodebookSpec(
        "participatiescan",
        "Participatiescan",
        "De vijf pijlers van de participatiescan: hoe staat het met participatie in de "
        "regio?",
        50,
        _codes(
            (
                "diversiteit",
                "Diversiteit",
                "Verschillende soorten inwoners doen mee: jong en oud, met verschillende "
                "achtergronden.",
            ),
            (
                "invloed",
                "Invloed",
                "Inwoners hebben echt invloed en er gebeurt iets met wat zij inbrengen.",
            ),
            (
                "draagvlak",
                "Draagvlak",
                "Organisaties en mensen staan echt achter samenwerken met inwoners.",
            ),
            (
                "verbinding",
                "Verbinding",
                "Inwoners en professionals verdiepen zich in elkaars wereld.",
            ),
            (
                "vaardigheden-en-werkvormen",
                "Vaardigheden en werkvormen",
                "Mensen hebben de kennis en de werkvormen om gelijkwaardig samen te "
                "werken.",
            ),
        ),
    ),
    CodebookSpec(
        "community-capitals",
        "Community Capitals (kapitaal van een gemeenschap)",
        "Zeven soorten rijkdom van een gemeenschap; de vaste manier om effecten in een "
        "rimpelkaart in te delen.",
        60,
        _codes(
            (
                "natuurlijk",
                "Natuurlijk kapitaal",
                "Natuur, groen, water en de leefomgeving van een plek.",
            ),
            (
                "cultureel",
                "Cultureel kapitaal",
                "Gewoonten, tradities, taal en het gevoel ergens bij te horen, zoals "
                "noaberschap.",
            ),
            (
                "menselijk",
                "Menselijk kapitaal",
                "Kennis, vaardigheden, gezondheid en zelfvertrouwen van mensen.",
            ),
            (
                "sociaal",
                "Sociaal kapitaal",
                "Contacten, vertrouwen en netwerken tussen mensen en groepen.",
            ),
            (
                "politiek",
                "Politiek kapitaal",
                "Invloed op besluiten en toegang tot de mensen die beslissen.",
            ),
            (
                "financieel",
                "Financieel kapitaal",
                "Geld, subsidies en andere middelen om iets te kunnen doen.",
            ),
            (
                "gebouwd",
                "Gebouwd kapitaal",
                "Gebouwen, ontmoetingsplekken en andere voorzieningen, ook digitale.",
            ),
        ),
    ),
    CodebookSpec(
        "hub-diensten",
        "Diensten van de participatiehub",
        "Wat een participatiehub voor inwoners en organisaties kan doen.",
        70,
        _codes(
            (
                "informeren",
                "Informeren",
                "Vertellen wat er speelt en waar je terecht kunt.",
            ),
            (
                "bewustwording-verhogen",
                "Bewustwording verhogen",
                "Laten zien waarom het meedoen van inwoners belangrijk is.",
            ),
            (
                "adviseren",
                "Adviseren",
                "Meedenken en tips geven bij een vraag over participatie.",
            ),
            (
                "professionaliseren",
                "Professionaliseren",
                "Mensen trainen, zodat zij beter en gelijkwaardig samenwerken met "
                "inwoners.",
            ),
            (
                "verbinden",
                "Verbinden",
                "Mensen, initiatieven en organisaties met elkaar in contact brengen.",
            ),
        ),
    ),
)


def default_code_refs() -> set[str]:
    """Return every built-in code as ``codebook-slug:code-slug``."""
    return {f"{book.slug}:{code.slug}" for book in DEFAULT_CODEBOOKS for code in book.codes}


def install_default_codebooks() -> int:
    """Add the built-in codebooks and codes that are missing; return the rows added.

    Matches by slug, never changes or deletes what is there (users may have
    renamed a built-in code), flushes but does not commit.
    """
    existing = {book.slug: book for book in db.session.scalars(sa.select(Codebook))}
    added = 0
    for spec in DEFAULT_CODEBOOKS:
        book = existing.get(spec.slug)
        if book is None:
            book = Codebook(
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
                position=spec.position,
                builtin=True,
            )
            db.session.add(book)
            added += 1
            known: set[str] = set()
        else:
            known = set(
                db.session.scalars(sa.select(Code.slug).where(Code.codebook_id == book.id))
            )
        for code_spec in spec.codes:
            if code_spec.slug in known:
                continue
            db.session.add(
                Code(
                    codebook=book,
                    slug=code_spec.slug,
                    name=code_spec.name,
                    description=code_spec.description,
                    position=code_spec.position,
                )
            )
            added += 1
    db.session.flush()
    return added
