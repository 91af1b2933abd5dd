"""The HSDS 3.0 tables as the specification defines them: names, CSV file names and fields.

Copied from the official JSON schemas (openreferral/specification, ``schema/*.json``, the
copy in ../shared/data/hsds-3.0-schemas) so that the tabular package can be written and read
without the schema files at hand; tests/test_hsds_schemas.py fails when this copy and the
official schemas disagree. Only scalar fields are listed: the arrays and objects of the
schemas are the nested (API) form of the same tables.

``Field.type`` is the tabular type (string, number, date, time, datetime: the schemas'
``datapackage_type`` where given); ``Field.format`` the JSON-schema format (uuid, uri, email,
date-time); ``flags`` holds R (required in the tabular form: ``required`` or
``tabular_required``) and U (unique in its table).
"""

from __future__ import annotations

from dataclasses import dataclass

HSDS_VERSION = "3.0"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    format: str = ""
    flags: str = ""

    @property
    def required(self) -> bool:
        return "R" in self.flags

    @property
    def unique(self) -> bool:
        return "U" in self.flags


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def plural(self) -> str:
        """The table's name as its CSV file names it ("services", "service_at_location")."""
        return self.path.removesuffix(".csv")


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("organization", "organizations.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("name", "string", flags="R"),
        Field("alternate_name", "string"),
        Field("description", "string", flags="R"),
        Field("email", "string", "email"),
        Field("website", "string", "uri"),
        Field("tax_status", "string"),
        Field("tax_id", "string"),
        Field("year_incorporated", "number"),
        Field("legal_status", "string"),
        Field("logo", "string"),
        Field("uri", "string", "uri"),
        Field("parent_organization_id", "string", "uuid"),
    )),
    Table("program", "programs.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("organization_id", "string", "uuid", "RU"),
        Field("name", "string", flags="R"),
        Field("alternate_name", "string"),
        Field("description", "string", flags="R"),
    )),
    Table("service", "services.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("organization_id", "string", "uuid", "R"),
        Field("program_id", "string", "uuid"),
        Field("name", "string", flags="R"),
        Field("alternate_name", "string"),
        Field("description", "string"),
        Field("url", "string", "uri"),
        Field("email", "string", "email"),
        Field("status", "string", flags="R"),
        Field("interpretation_services", "string"),
        Field("application_process", "string"),
        Field("fees_description", "string"),
        Field("wait_time", "string"),
        Field("fees", "string"),
        Field("accreditations", "string"),
        Field("eligibility_description", "string"),
        Field("minimum_age", "number"),
        Field("maximum_age", "number"),
        Field("assured_date", "date"),
        Field("assurer_email", "string", "email"),
        Field("licenses", "string"),
        Field("alert", "string"),
        Field("last_modified", "datetime", "date-time"),
    )),
    Table("attribute", "attributes.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("link_id", "string", "uuid", "R"),
        Field("taxonomy_term_id", "string", "uuid", "R"),
        Field("link_type", "string"),
        Field("link_entity", "string", flags="R"),
        Field("value", "string"),
    )),
    Table("service_at_location", "service_at_location.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid", "R"),
        Field("location_id", "string", "uuid", "R"),
        Field("description", "string"),
    )),
    Table("location", "locations.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("location_type", "string", flags="R"),
        Field("url", "string", "uri"),
        Field("organization_id", "string", "uuid"),
        Field("name", "string"),
        Field("alternate_name", "string"),
        Field("description", "string"),
        Field("transportation", "string"),
        Field("latitude", "number"),
        Field("longitude", "number"),
        Field("external_identifier", "string"),
        Field("external_identifier_type", "string"),
    )),
    Table("phone", "phones.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("location_id", "string", "uuid"),
        Field("service_id", "string", "uuid"),
        Field("organization_id", "string", "uuid"),
        Field("contact_id", "string", "uuid"),
        Field("service_at_location_id", "string", "uuid"),
        Field("number", "string", flags="R"),
        Field("extension", "number"),
        Field("type", "string"),
        Field("description", "string"),
    )),
    Table("contact", "contacts.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("organization_id", "string", "uuid"),
        Field("service_id", "string", "uuid"),
        Field("service_at_location_id", "string", "uuid"),
        Field("location_id", "string", "uuid"),
        Field("name", "string"),
        Field("title", "string"),
        Field("department", "string"),
        Field("email", "string", "email"),
    )),
    Table("address", "addresses.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("location_id", "string", "uuid"),
        Field("attention", "string"),
        Field("address_1", "string", flags="R"),
        Field("address_2", "string"),
        Field("city", "string", flags="R"),
        Field("region", "string"),
        Field("state_province", "string", flags="R"),
        Field("postal_code", "string", flags="R"),
        Field("country", "string", flags="R"),
        Field("address_type", "string", flags="R"),
    )),
    Table("schedule", "schedules.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid"),
        Field("location_id", "string", "uuid"),
        Field("service_at_location_id", "string", "uuid"),
        Field("valid_from", "date"),
        Field("valid_to", "date"),
        Field("dtstart", "date"),
        Field("timezone", "number"),
        Field("until", "date"),
        Field("count", "number"),
        Field("wkst", "string"),
        Field("freq", "string"),
        Field("interval", "number"),
        Field("byday", "string"),
        Field("byweekno", "string"),
        Field("bymonthday", "string"),
        Field("byyearday", "string"),
        Field("description", "string"),
        Field("opens_at", "time"),
        Field("closes_at", "time"),
        Field("schedule_link", "string", "uri"),
        Field("attending_type", "string"),
        Field("notes", "string"),
    )),
    Table("funding", "funding.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("organization_id", "string", "uuid"),
        Field("service_id", "string", "uuid"),
        Field("source", "string"),
    )),
    Table("service_area", "service_areas.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid"),
        Field("name", "string"),
        Field("description", "string"),
        Field("extent", "string"),
        Field("extent_type", "string"),
        Field("uri", "string"),
    )),
    Table("required_document", "required_documents.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid"),
        Field("document", "string"),
        Field("uri", "string", "uri"),
    )),
    Table("language", "languages.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid"),
        Field("location_id", "string", "uuid"),
        Field("phone_id", "string", "uuid"),
        Field("name", "string"),
        Field("code", "string"),
        Field("note", "string"),
    )),
    Table("accessibility", "accessibility.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("location_id", "string", "uuid"),
        Field("description", "string"),
        Field("details", "string"),
        Field("url", "string", "uri"),
    )),
    Table("taxonomy_term", "taxonomy_terms.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("code", "string", flags="U"),
        Field("name", "string", flags="R"),
        Field("description", "string", flags="R"),
        Field("parent_id", "string", "uuid"),
        Field("taxonomy", "string"),
        Field("language", "string"),
        Field("taxonomy_id", "string", "uuid"),
        Field("term_uri", "string", "uri"),
    )),
    Table("metadata", "metadata.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("resource_id", "string", "uuid", "R"),
        Field("resource_type", "string", flags="R"),
        Field("last_action_date", "date", flags="R"),
        Field("last_action_type", "string", flags="R"),
        Field("field_name", "string", flags="R"),
        Field("previous_value", "string", flags="R"),
        Field("replacement_value", "string", flags="R"),
        Field("updated_by", "string", flags="R"),
    )),
    Table("meta_table_description", "meta_table_descriptions.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("name", "string"),
        Field("language", "string"),
        Field("character_set", "string"),
    )),
    Table("cost_option", "cost_options.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("service_id", "string", "uuid", "R"),
        Field("valid_from", "date"),
        Field("valid_to", "date"),
        Field("option", "string"),
        Field("currency", "string"),
        Field("amount", "number"),
        Field("amount_description", "string"),
    )),
    Table("organization_identifier", "organization_identifiers.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("organization_id", "string", "uuid", "R"),
        Field("identifier_scheme", "string"),
        Field("identifier_type", "string", flags="R"),
        Field("identifier", "string", flags="R"),
    )),
    Table("taxonomy", "taxonomies.csv", (
        Field("id", "string", "uuid", "RU"),
        Field("name", "string", flags="R"),
        Field("description", "string", flags="R"),
        Field("uri", "string", "uri"),
        Field("version", "string"),
    )),
)}

# Key of a table in a JSON document: the singular table name (as in the tabular profile,
# compiled/tabular.json) or the CSV file's stem ("services"), which other tools also write.
TABLE_KEYS: dict[str, str] = {**{t.name: t.name for t in TABLES.values()},
                              **{t.plural: t.name for t in TABLES.values()},
                              "service_at_locations": "service_at_location"}
