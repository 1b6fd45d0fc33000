"""The built-in codebooks as plain data (``codes.services.install_default_codebooks`` adds them).

The schemes come from the source reports: the six borging strategies and the
five working elements ("Aan de slag met burgerparticipatie!", chapters 3-4),
the governance styles after Pröpper (box 1), the participation ladder (JZOJP
regional plans study), the five pillars of the participatiescan and the hub
services (final report of the preparatory phase, appendix B and 5.5), and the
Community Capitals that Ripple Effects Mapping uses for coding.

Names and descriptions are plain Dutch (B1): they are shown to citizens. They are
stored in Dutch (exports keep them so) and marked with ``N_`` for the catalogue, so that
``rem.codes.labels`` can show them in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark a built-in text for extraction (a Babel default keyword); return it unchanged."""
    return text


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
        N_("Borgingsstrategieën"),
        N_("Zes manieren om burgerparticipatie blijvend te maken, ook als het project "
           "of het geld stopt."),
        10,
        _codes(
            (
                "sleutelpersonen",
                N_("Sleutelpersonen"),
                N_("Mensen die burgers en professionals verbinden en het werk gaande houden, "
                   "zoals een dorpsondersteuner of buurtverbinder."),
            ),
            (
                "infrastructuur",
                N_("Infrastructuur"),
                N_("Vaste plekken, terugkerende bijeenkomsten, online groepen en netwerken "
                   "waar mensen elkaar blijven ontmoeten."),
            ),
            (
                "kennisdeling-en-training",
                N_("Kennisdeling en training"),
                N_("Kennis en ervaring delen en mensen opleiden, zodat het werk niet van een "
                   "paar personen afhangt."),
            ),
            (
                "beleidsverankering",
                N_("Beleidsverankering"),
                N_("Burgerparticipatie vastleggen in beleid, zodat het een vast onderdeel van "
                   "het werk wordt."),
            ),
            (
                "juridische-borging",
                N_("Juridische borging"),
                N_("Afspraken en rollen vastleggen in een rechtsvorm, zoals een stichting of "
                   "coöperatie."),
            ),
            (
                "financiele-duurzaamheid",
                N_("Financiële duurzaamheid"),
                N_("Geld voor langere tijd regelen, bijvoorbeeld via de gemeente (SPUK/DOS), "
                   "het IZA of een zorgverzekeraar."),
            ),
        ),
    ),
    CodebookSpec(
        "werkzame-elementen",
        N_("Werkzame elementen"),
        N_("Vijf dingen die ervoor zorgen dat burgerparticipatie werkt."),
        20,
        _codes(
            (
                "wensen-en-behoeften-inventariseren",
                N_("Wensen en behoeften inventariseren"),
                N_("Goed luisteren en ophalen wat burgers en professionals willen en nodig "
                   "hebben."),
            ),
            (
                "visie-ontwikkelen",
                N_("Een visie op burgerparticipatie ontwikkelen"),
                N_("Samen bepalen wat burgerparticipatie voor jullie betekent en hoe je het "
                   "aanpakt."),
            ),
            (
                "eigenaarschap-vergroten",
                N_("Eigenaarschap en verantwoordelijkheid vergroten"),
                N_("Zorgen dat burgers en professionals zich samen verantwoordelijk voelen en "
                   "actief meedoen."),
            ),
            (
                "burgers-en-professionals-verbinden",
                N_("Burgers en professionals verbinden"),
                N_("Burgers en professionals laten ontmoeten, zodat ze elkaar leren kennen en "
                   "begrijpen."),
            ),
            (
                "flexibele-houding",
                N_("Flexibele houding en aanpak"),
                N_("Ruimte laten om plannen aan te passen en samen te leren van wat er "
                   "gebeurt."),
            ),
        ),
    ),
    CodebookSpec(
        "bestuursstijlen",
        N_("Bestuursstijlen"),
        N_("Vier manieren waarop een samenwerkingsverband burgers laat meedoen (naar "
           "Pröpper)."),
        30,
        _codes(
            (
                "faciliterend",
                N_("Faciliterend"),
                N_("Burgers nemen zelf het initiatief en beslissen; het samenwerkingsverband "
                   "helpt met kennis of geld."),
            ),
            (
                "samenwerkend",
                N_("Samenwerkend"),
                N_("Burgers werken als gelijke partner mee aan plannen en activiteiten."),
            ),
            (
                "delegerend",
                N_("Delegerend"),
                N_("Burgers beslissen zelf, binnen afspraken die het samenwerkingsverband "
                   "vooraf maakt."),
            ),
            (
                "participerend",
                N_("Participerend"),
                N_("Burgers geven advies en denken vroeg mee; het samenwerkingsverband "
                   "beslist."),
            ),
        ),
    ),
    CodebookSpec(
        "participatieladder",
        N_("Participatieladder"),
        N_("Vijf treden die laten zien hoeveel invloed burgers hebben."),
        40,
        _codes(
            (
                "informeren",
                N_("Informeren"),
                N_("Burgers krijgen informatie, maar geven zelf geen inbreng."),
            ),
            (
                "consulteren",
                N_("Consulteren"),
                N_("Burgers wordt gevraagd wat zij vinden; anderen bepalen de richting."),
            ),
            (
                "adviseren",
                N_("Adviseren"),
                N_("Burgers noemen problemen en oplossingen, en hun advies telt echt mee."),
            ),
            (
                "coproduceren",
                N_("Coproduceren"),
                N_("Burgers en organisaties maken samen plannen en houden zich daaraan."),
            ),
            (
                "meebeslissen",
                N_("Meebeslissen"),
                N_("Burgers beslissen mee en organisaties nemen de uitkomst over."),
            ),
        ),
    ),
    CodebookSpec(
        "participatiescan",
        N_("Participatiescan"),
        N_("De vijf pijlers van de participatiescan: hoe staat het met participatie in de "
           "regio?"),
        50,
        _codes(
            (
                "diversiteit",
                N_("Diversiteit"),
                N_("Verschillende soorten inwoners doen mee: jong en oud, met verschillende "
                   "achtergronden."),
            ),
            (
                "invloed",
                N_("Invloed"),
                N_("Inwoners hebben echt invloed en er gebeurt iets met wat zij inbrengen."),
            ),
            (
                "draagvlak",
                N_("Draagvlak"),
                N_("Organisaties en mensen staan echt achter samenwerken met inwoners."),
            ),
            (
                "verbinding",
                N_("Verbinding"),
                N_("Inwoners en professionals verdiepen zich in elkaars wereld."),
            ),
            (
                "vaardigheden-en-werkvormen",
                N_("Vaardigheden en werkvormen"),
                N_("Mensen hebben de kennis en de werkvormen om gelijkwaardig samen te "
                   "werken."),
            ),
        ),
    ),
    CodebookSpec(
        "community-capitals",
        N_("Community Capitals (kapitaal van een gemeenschap)"),
        N_("Zeven soorten rijkdom van een gemeenschap; de vaste manier om effecten in een "
           "rimpelkaart in te delen."),
        60,
        _codes(
            (
                "natuurlijk",
                N_("Natuurlijk kapitaal"),
                N_("Natuur, groen, water en de leefomgeving van een plek."),
            ),
            (
                "cultureel",
                N_("Cultureel kapitaal"),
                N_("Gewoonten, tradities, taal en het gevoel ergens bij te horen, zoals "
                   "noaberschap."),
            ),
            (
                "menselijk",
                N_("Menselijk kapitaal"),
                N_("Kennis, vaardigheden, gezondheid en zelfvertrouwen van mensen."),
            ),
            (
                "sociaal",
                N_("Sociaal kapitaal"),
                N_("Contacten, vertrouwen en netwerken tussen mensen en groepen."),
            ),
            (
                "politiek",
                N_("Politiek kapitaal"),
                N_("Invloed op besluiten en toegang tot de mensen die beslissen."),
            ),
            (
                "financieel",
                N_("Financieel kapitaal"),
                N_("Geld, subsidies en andere middelen om iets te kunnen doen."),
            ),
            (
                "gebouwd",
                N_("Gebouwd kapitaal"),
                N_("Gebouwen, ontmoetingsplekken en andere voorzieningen, ook digitale."),
            ),
        ),
    ),
    CodebookSpec(
        "hub-diensten",
        N_("Diensten van de participatiehub"),
        N_("Wat een participatiehub voor inwoners en organisaties kan doen."),
        70,
        _codes(
            (
                "informeren",
                N_("Informeren"),
                N_("Vertellen wat er speelt en waar je terecht kunt."),
            ),
            (
                "bewustwording-verhogen",
                N_("Bewustwording verhogen"),
                N_("Laten zien waarom het meedoen van inwoners belangrijk is."),
            ),
            (
                "adviseren",
                N_("Adviseren"),
                N_("Meedenken en tips geven bij een vraag over participatie."),
            ),
            (
                "professionaliseren",
                N_("Professionaliseren"),
                N_("Mensen trainen, zodat zij beter en gelijkwaardig samenwerken met "
                   "inwoners."),
            ),
            (
                "verbinden",
                N_("Verbinden"),
                N_("Mensen, initiatieven en organisaties met elkaar in contact brengen."),
            ),
        ),
    ),
)


def default_code_refs() -> set[str]:
    """Return every built-in code as ``codebook-slug:code-slug``."""
    return {f"{book.slug}:{code.slug}" for book in DEFAULT_CODEBOOKS for code in book.codes}
