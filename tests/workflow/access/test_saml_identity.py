"""What a verified SAML assertion says about a person, mapped through the settings: Context
Handler's CVR attribute, privilege lists (OIOSAML basic privilege profile) and plain roles."""

import base64
from pathlib import Path

import pytest

from workflow.access.saml import SamlAssertion, identity, privileges
from workflow.access.sign_in import ClaimMapping
from workflow.core.settings import Settings
from workflow.models import Role, SignInMethod

PRIVILEGE_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">
  <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189730">
    <Privilege>http://furesoe.dk/roles/usersystemrole/opi_projektleder/1</Privilege>
    <Privilege>http://furesoe.dk/roles/usersystemrole/other/1</Privilege>
  </PrivilegeGroup>
</bpp:PrivilegeList>"""


def _settings(**values: object) -> Settings:
    return Settings(
        saml_idp_metadata_file=Path("idp.xml"),
        saml_sp_key_file=Path("sp.key"),
        saml_sp_cert_file=Path("sp.crt"),
        **values,  # type: ignore[arg-type]
    )


def _assertion(attributes: dict[str, tuple[str, ...]], name_id: str = "x-1") -> SamlAssertion:
    return SamlAssertion(
        issuer="https://idp.example/saml",
        assertion_id="id-1",
        name_id=name_id,
        name_id_format=None,
        name_qualifier=None,
        sp_name_qualifier=None,
        session_index=None,
        attributes=attributes,
        next_path="/ui/overview",
        replaces_session_id=None,
    )


def test_a_privilege_list_gives_privileges_and_the_cvr_scope() -> None:
    encoded = base64.b64encode(PRIVILEGE_LIST.encode()).decode()
    assert privileges(encoded) == (
        [
            "http://furesoe.dk/roles/usersystemrole/opi_projektleder/1",
            "http://furesoe.dk/roles/usersystemrole/other/1",
        ],
        ["29189730"],
    )


@pytest.mark.parametrize(
    "value",
    [
        "manager",
        "http://furesoe.dk/roles/usersystemrole/opi_projektleder/1",
        base64.b64encode(b"<other><x/></other>" * 3).decode(),
        base64.b64encode(
            b'<!DOCTYPE x [<!ENTITY e "boom">]><PrivilegeList>&e;&e;&e;</PrivilegeList>'
        ).decode(),
    ],
    ids=["role-name", "uri", "other-xml", "entities"],
)
def test_other_values_are_no_privilege_list(value: str) -> None:
    assert privileges(value) is None


def test_context_handler_attributes_map_to_organisation_and_role() -> None:
    settings = _settings(
        saml_role_map={"http://furesoe.dk/roles/usersystemrole/opi_projektleder/1": "manager"}
    )
    encoded = base64.b64encode(PRIVILEGE_LIST.encode()).decode()
    person = identity(
        _assertion(
            {
                "urn:oid:0.9.2342.19200300.100.1.3": ("anne@furesoe.dk",),
                "urn:oid:2.5.4.3": ("Anne Projektleder",),
                "dk:gov:saml:attribute:Privileges_intermediate": (encoded,),
            }
        ),
        settings,
    )
    assert person.method is SignInMethod.SAML
    assert (person.email, person.name, person.organisation) == (
        "anne@furesoe.dk",
        "Anne Projektleder",
        "29189730",
    )
    mapping = ClaimMapping(
        role_map={"http://furesoe.dk/roles/usersystemrole/opi_projektleder/1": Role.MANAGER}
    )
    assert mapping.roles_of(person.roles) == [Role.MANAGER]


def test_the_cvr_attribute_wins_and_an_email_name_id_stands_in_for_the_email() -> None:
    person = identity(
        _assertion(
            {
                "dk:gov:saml:attribute:CvrNumberIdentifier": ("CVR:11111111",),
                "dk:gov:saml:attribute:Privileges_intermediate": ("staff",),
            },
            name_id="bo@furesoe.dk",
        ),
        _settings(),
    )
    assert (person.email, person.organisation, person.roles) == (
        "bo@furesoe.dk",
        "CVR:11111111",
        ("staff",),
    )
