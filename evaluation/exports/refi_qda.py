"""REFI-QDA (QDA-XML 1.0) codebooks: the `.qdc` file, and the codes and sets of a project.

Mechanisms and capabilities linked to codes become Sets of those codes (never a set without
members, and a `<Sets>` element only when there is a set: the schema refuses an empty one);
optionally also a code branch "Mechanisms" / "Capabilities" with a code for each, for tools
that drop sets.

GUIDs are stable across exports, so that a tool can match a re-import with what it has: codes,
transcripts, excerpts, participants, mechanisms and capabilities keep their own `uuid`;
everything else (users, codings, the branch codes) gets a UUID 5 derived from stable
identifiers in GUID_NAMESPACE. They are written in capitals with hyphens, as the schema's
GUIDType allows. Files are UTF-8 without a byte order mark, with an XML declaration.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.utils.translation import gettext as _

from competencies.models import Capability
from eisen.errors import Conflict
from evaluation.exports.code_tree import CodeTree, code_tree
from evaluation.exports.excerpts import code_links
from evaluation.models import Code, Mechanism

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = "EISEN Curriculum"
# Never change it: the GUIDs derived from it identify objects from one export to the next.
GUID_NAMESPACE = uuid.UUID("3ad2bcae-e11a-4699-8e79-6c55c20e2378")
# Characters XML 1.0 cannot carry at all (control characters other than tab and line ends).
NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def guid(value: uuid.UUID) -> str:
    return str(value).upper()


def derived_guid(kind: str, *identifiers) -> str:
    return guid(uuid.uuid5(GUID_NAMESPACE, ":".join([kind, *map(str, identifiers)])))


def user_guid(user) -> str:
    return derived_guid("user", user.pk)


def mechanism_code_guid(mechanism: Mechanism) -> str:
    return derived_guid("mechanism-code", mechanism.uuid)


def capability_code_guid(capability: Capability) -> str:
    return derived_guid("capability-code", capability.uuid)


def xml_text(value: str) -> str:
    return NOT_IN_XML.sub("", value)


def add(parent: ET.Element, tag: str, text: str = "", **attributes) -> ET.Element:
    """A child element; attributes left None are not written."""
    element = ET.SubElement(
        parent,
        tag,
        {name: xml_text(str(value)) for name, value in attributes.items() if value is not None},
    )
    if text:
        element.text = xml_text(text)
    return element


def xml_document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return (declaration + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


@dataclass
class Codebook:
    """The codes, and the mechanisms and capabilities as sets of the codes linked to them."""

    tree: CodeTree
    mechanisms: list[Mechanism]
    mechanism_names: dict[int, str]
    capabilities: list[Capability]
    # Mechanism / capability pk → pks of its codes, in codebook order.
    mechanism_members: dict[int, list[int]]
    capability_members: dict[int, list[int]]


def codebook_read(*, extra_capability_ids=()) -> Codebook:
    """Every code, every mechanism, and the capabilities linked to a code or named in
    `extra_capability_ids`, in five queries."""
    tree = code_tree()
    code_mechanisms, code_capabilities = code_links()
    mechanism_members, capability_members = {}, {}
    for code, _depth in tree.walk():
        for link in code_mechanisms[code.pk]:
            mechanism_members.setdefault(link.target_id, []).append(code.pk)
        for link in code_capabilities[code.pk]:
            capability_members.setdefault(link.target_id, []).append(code.pk)
    mechanisms = list(
        Mechanism.objects.select_related("logic_model").order_by("logic_model__title", "position")
    )
    several_models = len({mechanism.logic_model_id for mechanism in mechanisms}) > 1
    capabilities = list(
        Capability.objects.filter(pk__in=set(capability_members) | set(extra_capability_ids))
        .select_related("framework")
        .order_by("framework__title", "framework_id", "domain__position", "position")
    )
    return Codebook(
        tree=tree,
        mechanisms=mechanisms,
        mechanism_names={
            mechanism.pk: f"{mechanism.name} ({mechanism.logic_model.title})"
            if several_models
            else mechanism.name
            for mechanism in mechanisms
        },
        capabilities=capabilities,
        mechanism_members=mechanism_members,
        capability_members=capability_members,
    )


def capability_name(capability: Capability) -> str:
    return f"{capability.code} {capability.title}"


def code_description(code: Code) -> str:
    parts = [code.definition.strip()]
    if code.include.strip():
        parts.append(_("Use when: %(text)s") % {"text": code.include.strip()})
    if code.exclude.strip():
        parts.append(_("Do not use when: %(text)s") % {"text": code.exclude.strip()})
    return "\n\n".join(part for part in parts if part)


def codes_element(codebook: Codebook, *, as_code_branch: bool) -> ET.Element | None:
    """`<Codes>` with the codebook's tree (and the branches), or None when there is no code."""
    codes = ET.Element("Codes")

    def add_code(parent: ET.Element, code: Code) -> None:
        element = add(
            parent,
            "Code",
            guid=guid(code.uuid),
            name=code.name,
            isCodable="true",
            color=code.colour,
        )
        if description := code_description(code):
            add(element, "Description", description)
        for child in codebook.tree.children.get(code.pk, []):
            add_code(element, child)

    for code in codebook.tree.children.get(None, []):
        add_code(codes, code)
    if as_code_branch and codebook.mechanisms:
        branch = add(
            codes,
            "Code",
            guid=derived_guid("branch", "mechanisms"),
            name=_("Mechanisms"),
            isCodable="false",
        )
        add(branch, "Description", _("The mechanisms of the logic model, one code each."))
        for mechanism in codebook.mechanisms:
            code = add(
                branch,
                "Code",
                guid=mechanism_code_guid(mechanism),
                name=codebook.mechanism_names[mechanism.pk],
                isCodable="true",
            )
            add(code, "Description", mechanism.assumption)
    if as_code_branch and codebook.capabilities:
        branch = add(
            codes,
            "Code",
            guid=derived_guid("branch", "capabilities"),
            name=_("Capabilities"),
            isCodable="false",
        )
        add(branch, "Description", _("Capabilities of the competency framework, one code each."))
        for capability in codebook.capabilities:
            code = add(
                branch,
                "Code",
                guid=capability_code_guid(capability),
                name=capability_name(capability),
                isCodable="true",
            )
            if capability.description:
                add(code, "Description", capability.description)
    return codes if len(codes) else None


def sets_element(codebook: Codebook, *, member_attribute: str) -> ET.Element | None:
    """`<Sets>`: a set per mechanism and per capability linked to codes, or None when no
    mechanism or capability is. Members are named by `guid` in a codebook and by `targetGUID`
    in a project."""
    sets = ET.Element("Sets")
    codes = codebook.tree.codes

    def add_set(set_guid, name, description, member_ids):
        element = add(sets, "Set", guid=set_guid, name=name)
        if description:
            add(element, "Description", description)
        for code_id in member_ids:
            add(element, "MemberCode", **{member_attribute: guid(codes[code_id].uuid)})

    for mechanism in codebook.mechanisms:
        if mechanism.pk in codebook.mechanism_members:
            add_set(
                guid(mechanism.uuid),
                _("Mechanism: %(name)s") % {"name": codebook.mechanism_names[mechanism.pk]},
                mechanism.assumption,
                codebook.mechanism_members[mechanism.pk],
            )
    for capability in codebook.capabilities:
        if capability.pk in codebook.capability_members:
            add_set(
                guid(capability.uuid),
                _("Capability: %(name)s") % {"name": capability_name(capability)},
                capability.description,
                codebook.capability_members[capability.pk],
            )
    return sets if len(sets) else None


def codebook_qdc(*, as_code_branch: bool = False) -> bytes:
    """The codebook as a REFI-QDA `.qdc` file (five queries)."""
    codebook = codebook_read()
    codes = codes_element(codebook, as_code_branch=as_code_branch)
    if codes is None:
        raise Conflict(
            _("The codebook has no codes yet: add codes on the codebook page, then export it.")
        )
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NAMESPACE, "origin": ORIGIN})
    root.append(codes)
    if (sets := sets_element(codebook, member_attribute="guid")) is not None:
        root.append(sets)
    return xml_document(root)
