from competencies.models.comments import Comment
from competencies.models.frameworks import (
    CODE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Capability,
    CapabilityAssociation,
    Domain,
    ExternalAssociation,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)
from competencies.models.imports import FrameworkImport

__all__ = [
    "CODE_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "Capability",
    "CapabilityAssociation",
    "Comment",
    "Domain",
    "ExternalAssociation",
    "Framework",
    "FrameworkImport",
    "LevelDescriptor",
    "Reference",
    "Theme",
]
