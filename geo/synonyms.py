"""What the words in coordinators' lists mean: a synonym table for categories and target groups.

Lists, OpenStreetMap tags and the Integreat CMS name the same things in many words
("Religionsgemeinschaft", "Moschee", ``place_of_worship``; "Migrant*innen",
"Zugewanderte"). Each *concept* below gathers such words (German, English, OSM tag
values, Integreat category names) and says how it relates to our vocabulary:

``same``
    the built-in key the words mean; they are accepted without asking
    ("Krankenhaus" is health care, which the built-in category ``doctor`` is about).
``near``
    built-in keys closest in meaning, best first. The words are *not* accepted on their
    own: the row waits for review, and these keys are what we suggest
    ("Religionsgemeinschaft" -> Treffpunkt, Sonstiges; never "Beratung" because the
    letters look alike).

A town that adds its own category (``[vocabulary.categories.library]``) gets the
concept's words with it: a concept whose key, or one of whose words, equals the new
category's key, label or alias lends it all its words (see geo.vocab).

Words are written folded (geo.vocab.fold: lower case, no accents, ß -> ss); OSM values
keep their underscore, which folding turns into a space.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    key: str
    words: tuple[str, ...]
    same: str = ""
    near: tuple[str, ...] = ()


CATEGORY_CONCEPTS: tuple[Concept, ...] = (
    # -- accepted as a built-in category -----------------------------------------------------
    Concept("counselling", (
        "beratungsstelle", "beratungszentrum", "migrationsberatung fur erwachsene", "fluchtlingsberatung",
        "integrationsberatung", "sozialberatung", "schuldnerberatung", "familienberatung", "erziehungsberatung",
        "schwangerschaftsberatung", "schwangerenberatung", "jugendberatung", "frauenberatung", "berufsberatung",
        "verfahrensberatung", "asylverfahrensberatung", "ruckkehrberatung", "antidiskriminierungsberatung",
        "advice centre", "advice center", "counselling centre", "counseling center", "legal advice", "beratungsangebot",
        "anlaufstelle", "help desk", "helpdesk", "infopoint", "info point", "information"),
        same="counselling"),
    Concept("language_course", (
        "sprachschule", "deutsch lernen", "deutschunterricht", "sprachkurs deutsch", "alphabetisierungskurs",
        "alphakurs", "berufssprachkurs", "dtz", "deutsch fur zuwanderer", "conversation class", "language school",
        "language class", "german class", "german lessons", "sprachpatenschaft", "sprachtandem", "tandem"),
        same="language_course"),
    Concept("community_centre", (
        "gemeindezentrum", "burgerhaus", "burgerzentrum", "stadtteilzentrum", "nachbarschaftshaus",
        "nachbarschaftszentrum", "mehrgenerationenhaus", "familienzentrum", "jugendzentrum", "jugendhaus",
        "jugendtreff", "jugendfreizeiteinrichtung", "jugendfreizeitstatte", "frauentreff", "seniorentreff",
        "community centre", "community center", "community_centre", "youth centre", "youth center",
        "social centre", "social center", "social_centre", "internationales cafe", "elterncafe", "begegnungszentrum",
        "interkulturelles zentrum", "kulturtreff", "meeting point", "meeting place", "treffpunkt"),
        same="meeting_place"),
    Concept("sports_facility", (
        "sportplatz", "sporthalle", "turnhalle", "sportzentrum", "sports centre", "sports center", "sports_centre",
        "fitness", "fitnessstudio", "fitness_centre", "schwimmbad", "swimming pool", "swimming_pool", "pitch",
        "boxen", "kampfsport", "yoga", "turnverein", "tanzen", "dance"),
        same="sports"),
    Concept("health_care", (
        "krankenhaus", "klinik", "klinikum", "hospital", "clinic", "poliklinik", "gesundheitszentrum",
        "medizinisches versorgungszentrum", "mvz", "notaufnahme", "notdienst", "arztlicher notdienst", "healthcare",
        "health care", "doctors", "dentist", "zahnarztin", "zahnarztpraxis", "kinderarztin", "frauenarzt",
        "frauenarztin", "gynakologe", "gynakologin", "psychotherapie", "psychotherapeut", "psychotherapeutin",
        "hebamme", "midwife", "medical", "medizinische versorgung", "gesundheitsversorgung", "gesundheitswesen",
        "gesundheit", "health"),
        same="doctor"),
    Concept("public_office", (
        "rathaus", "stadtverwaltung", "kreisverwaltung", "verwaltung", "burgeramt", "burgerservice", "einwohnermeldeamt",
        "meldebehorde", "standesamt", "jugendamt", "gesundheitsamt", "auslanderamt", "agentur fur arbeit",
        "arbeitsagentur", "bundesagentur fur arbeit", "familienkasse", "bamf", "landesamt", "townhall", "town hall",
        "city hall", "government", "public office", "public_building", "public building", "courthouse", "gericht",
        "amtsgericht", "finanzamt", "integrationsburo", "servicestelle", "kfz zulassung", "zulassungsstelle"),
        same="authority"),
    Concept("other", ("sonstige", "divers", "diverses", "miscellaneous", "various", "verschiedenes", "weitere"),
            same="other"),
    # -- known, but no built-in category means the same: suggested, row reviewed ---------------
    Concept("religious_community", (
        "religionsgemeinschaft", "religionsgemeinschaften", "religiose gemeinschaft", "glaubensgemeinschaft",
        "kirche", "kirchengemeinde", "pfarrei", "pfarramt", "pfarrgemeinde", "gemeindehaus", "moschee",
        "moscheegemeinde", "moscheeverein", "synagoge", "judische gemeinde", "tempel", "gurdwara", "kapelle",
        "gotteshaus", "religion", "religious community", "place of worship", "place_of_worship", "church",
        "mosque", "synagogue", "temple", "chapel", "religious", "kirchlich"),
        near=("meeting_place", "other")),
    Concept("library", (
        "bibliothek", "bucherei", "stadtbibliothek", "stadtbucherei", "stadtteilbibliothek", "gemeindebucherei",
        "mediathek", "medienzentrum", "library", "public library", "bucherhalle", "lesesaal", "buchereien",
        "bibliotheken"),
        near=("meeting_place", "language_course", "other")),
    Concept("social_facility", (
        "soziale einrichtung", "sozialeinrichtung", "soziale einrichtungen", "social facility", "social_facility",
        "sozialdienst", "sozialstation", "wohlfahrtsverband", "wohlfahrt", "tafel", "kleiderkammer", "sozialkaufhaus",
        "obdachlosenhilfe", "wohnungslosenhilfe", "notunterkunft", "unterkunft", "gemeinschaftsunterkunft",
        "wohnheim", "frauenhaus", "shelter", "food bank", "foodbank", "soup kitchen", "social services",
        "social service", "jugendhilfe", "eingliederungshilfe", "pflegeeinrichtung", "pflegeheim", "nursing home",
        "nursing_home", "altenheim", "seniorenheim", "betreutes wohnen", "hilfe"),
        near=("counselling", "meeting_place", "other")),
    Concept("pharmacy", ("apotheke", "apotheken", "pharmacy", "chemist", "drogerie"), near=("doctor", "other")),
    Concept("education", (
        "schule", "schulen", "grundschule", "gesamtschule", "realschule", "gymnasium", "berufsschule",
        "berufsbildende schule", "volkshochschule", "vhs", "hochschule", "universitat", "university", "college",
        "school", "bildung", "bildungszentrum", "bildungseinrichtung", "education", "weiterbildung", "nachhilfe",
        "hausaufgabenhilfe", "tutoring", "training", "ausbildung", "qualifizierung", "kurs", "kurse", "workshop"),
        near=("language_course", "counselling", "other")),
    Concept("childcare", (
        "kita", "kitas", "kindergarten", "kindertagesstatte", "kindertagesstatten", "kinderkrippe", "krippe", "hort",
        "kindertagespflege", "tagesmutter", "spielgruppe", "eltern-kind-gruppe", "childcare", "child care",
        "daycare", "nursery", "kindergarden"),
        near=("meeting_place", "other")),
    Concept("leisure", (
        "freizeit", "freizeitangebot", "freizeitangebote", "leisure", "spielplatz", "playground", "park",
        "garten", "gemeinschaftsgarten", "urban gardening", "ausflug", "ausfluge", "hobby", "basteln",
        "spielen", "games"),
        near=("sports", "meeting_place", "other")),
    Concept("culture", (
        "kultur", "kulturangebot", "kulturzentrum", "culture", "cultural", "museum", "museen", "theater", "theatre",
        "kino", "cinema", "arts centre", "arts_centre", "kunst", "art", "musik", "music", "konzert", "chor",
        "galerie", "gallery", "ausstellung"),
        near=("meeting_place", "other")),
    Concept("gastronomy", (
        "gastronomie", "gastronomy", "restaurant", "restaurants", "imbiss", "fast food", "fast_food", "kantine",
        "mensa", "cafeteria", "food", "essen", "mittagstisch", "bistro", "bar", "pub", "food court"),
        near=("meeting_place", "other")),
    Concept("multimedia", (
        "multimedia", "medien", "media", "computer", "pc", "internet", "internetcafe", "internet cafe", "wlan",
        "wifi", "digital", "digitales", "medienkompetenz", "computerkurs", "telefon", "telecommunication"),
        near=("other", "meeting_place")),
    Concept("mobility", (
        "mobilitat", "mobility", "verkehr", "transport", "nahverkehr", "opnv", "public transport", "bahnhof",
        "hauptbahnhof", "station", "bus", "bahn", "fahrrad", "fahrradwerkstatt", "bike", "bicycle", "radfahren",
        "fahrschule", "car sharing", "carsharing", "parken", "parking", "taxi", "ticket", "fahrkarten"),
        near=("other",)),
    Concept("shopping", (
        "einkaufen", "shopping", "shop", "laden", "geschaft", "geschafte", "supermarkt", "supermarket", "markt",
        "market", "second hand", "secondhand", "gebrauchtwaren", "flohmarkt", "kaufhaus"),
        near=("other",)),
    Concept("services", (
        "dienstleistung", "dienstleistungen", "dienstleister", "service", "services", "ubersetzung", "dolmetschen",
        "dolmetscher", "ubersetzer", "translation", "interpreting", "bank", "post", "versicherung"),
        near=("counselling", "other")),
    Concept("facility", ("einrichtung", "einrichtungen", "facility", "institution", "organisation", "organization",
                         "verein", "vereine", "initiative", "projekt", "project", "ehrenamt", "volunteering"),
            near=("meeting_place", "counselling", "other")),
    Concept("employment", (
        "arbeit", "arbeitsmarkt", "beruf", "job", "jobs", "arbeitsvermittlung", "jobvermittlung", "bewerbung",
        "bewerbungstraining", "berufseinstieg", "employment", "work", "career", "praktikum"),
        near=("counselling", "authority", "other")),
    Concept("housing", ("wohnen", "wohnung", "wohnungssuche", "housing", "accommodation", "mieterverein"),
            near=("counselling", "other")),
)

TARGET_GROUP_CONCEPTS: tuple[Concept, ...] = (
    # On a map for newcomers, an offer "for migrants" is open to every newcomer: "all".
    Concept("migrants", (
        "migranten", "migrantinnen", "migrant innen", "migrant*innen", "migrant:innen", "migrantinnen und migranten",
        "migranten und migrantinnen", "migrant", "migrants", "immigrants", "immigranten", "zugewanderte",
        "neuzugewanderte", "neu zugewanderte", "zuwanderer", "zuwanderinnen", "zuwanderer*innen", "eingewanderte",
        "einwanderer", "menschen mit migrationshintergrund", "migrationshintergrund", "menschen mit migrationsgeschichte",
        "menschen mit fluchterfahrung und migrationsgeschichte", "newcomers", "newcomer", "neuankommende",
        "neuburger", "auslander", "auslanderinnen", "auslander*innen", "foreigners", "internationals",
        "menschen aus anderen landern", "people with a migration background", "interkulturell"),
        same="all"),
    Concept("everyone", (
        "alle interessierten", "alle menschen", "jede", "jeder", "jede*r", "jedermann", "offen fur alle",
        "fur alle", "for everyone", "for all", "anyone", "everybody", "all ages", "alle altersgruppen",
        "allgemein", "offentlichkeit", "public", "general public", "burger", "burgerinnen", "einwohner"),
        same="all"),
    Concept("refugees", (
        "gefluchtete menschen", "menschen mit fluchterfahrung", "fluchtlinge aus der ukraine",
        "gefluchtete aus der ukraine", "ukrainer", "ukrainerinnen", "ukrainer*innen", "schutzberechtigte",
        "anerkannte fluchtlinge", "asylberechtigte", "people with refugee experience", "displaced persons"),
        same="refugees"),
    Concept("asylum_seekers", ("asylbewerber", "asylbewerberinnen", "asylsuchende menschen", "asylum seeker"),
            same="asylum_seekers"),
    Concept("young_children", ("babys", "babies", "kleinkinder", "sauglinge", "toddlers", "kita-kinder",
                               "vorschulkinder", "schulkinder", "grundschulkinder"), same="children"),
    Concept("young_people", ("teenager", "teenagers", "teens", "junge leute", "adolescents", "heranwachsende",
                             "junge erwachsene", "young adults", "azubis", "auszubildende"), same="youth"),
    Concept("older_people", ("altere menschen", "senioren und seniorinnen", "rentner", "rentnerinnen",
                             "older people", "elderly", "senior", "ruhestand"), same="seniors"),
    Concept("parents", ("alleinerziehende", "single parents", "mutter", "vater", "mutter und kinder",
                        "eltern mit kindern", "schwangere", "pregnant women", "mothers", "fathers"),
            same="families"),
    Concept("job_seeking", ("langzeitarbeitslose", "erwerbslose", "unemployed", "arbeitslos", "arbeitsuchend",
                            "berufseinsteiger", "berufseinsteigerinnen"), same="job_seekers"),
    Concept("students", ("studenten", "studentinnen", "student", "international student", "austauschstudierende"),
            same="international_students"),
    # -- no built-in group: suggested -------------------------------------------------------
    Concept("girls", ("madchen", "girls", "junge frauen", "young women"), near=("women", "youth", "children")),
    Concept("men", ("manner", "men", "jungen", "boys", "junge manner"), near=("all", "youth")),
    Concept("pupils", ("schuler", "schulerinnen", "schuler*innen", "schuler innen", "pupils"),
            near=("children", "youth")),
    Concept("adults", ("erwachsene", "adults", "erwachsen"), near=("all",)),
    Concept("lgbtiq", ("lsbtiq", "lsbti", "lgbt", "lgbtq", "lgbtiq", "lgbtqia", "queer", "queere menschen",
                       "trans", "homosexuelle"), near=("all",)),
    Concept("disabilities", ("menschen mit behinderung", "menschen mit behinderungen", "behinderte", "disabled",
                             "people with disabilities", "beeintrachtigte", "blinde", "gehorlose"), near=("all",)),
    Concept("workers", ("arbeitnehmer", "arbeitnehmerinnen", "beschaftigte", "fachkrafte", "skilled workers",
                        "workers", "employees", "pflegekrafte"), near=("job_seekers", "all")),
)

CONCEPTS = {"category": CATEGORY_CONCEPTS, "target_group": TARGET_GROUP_CONCEPTS}
