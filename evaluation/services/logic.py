"""Logic models: their items in five ordered columns, their mechanisms, and the EISEN model.

Positions are unique per column (items) and per model (mechanisms); every change that shifts them
locks the logic model row first, so two evaluators adding or moving at once cannot collide.
Models and mechanisms carry a revision; items have none, so an item edit is checked against the
text the evaluator started from.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from eisen.errors import Conflict, StaleEdit
from eisen.rows import locked_for_edit, place_in_order, taken_by_another
from evaluation.models import (
    ExcerptMechanism,
    LogicModel,
    LogicModelItem,
    Mechanism,
    MechanismAssessment,
)

EISEN_LOGIC_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "eisen_logic_model.json"


def _lock(logic_model: LogicModel) -> LogicModel:
    return LogicModel.objects.select_for_update().get(pk=logic_model.pk)


def _check_title(logic_model: LogicModel) -> None:
    if taken_by_another(logic_model, title=logic_model.title):
        raise ValidationError(
            {
                "title": _(
                    "There is already a logic model called “%(title)s”; choose another title."
                )
                % {"title": logic_model.title}
            }
        )


@transaction.atomic
def logic_model_create(*, title: str, description: str = "", is_example: bool = False):
    logic_model = LogicModel(
        title=title.strip(), description=description.strip(), is_example=is_example
    )
    _check_title(logic_model)
    logic_model.full_clean()
    logic_model.save()
    return logic_model


@transaction.atomic
def logic_model_update(
    *,
    logic_model: LogicModel,
    expected_revision: int | None,
    title: str | None = None,
    description: str | None = None,
) -> LogicModel:
    logic_model = locked_for_edit(LogicModel, logic_model, expected_revision)
    if title is not None:
        logic_model.title = title.strip()
    if description is not None:
        logic_model.description = description.strip()
    _check_title(logic_model)
    logic_model.full_clean()
    logic_model.revision += 1
    logic_model.save()
    return logic_model


def _evidence_in_use(mechanisms) -> tuple[int, int]:
    """How many excerpt links and assessments rest on these mechanisms."""
    links = ExcerptMechanism.objects.filter(mechanism__in=mechanisms).count()
    assessments = MechanismAssessment.objects.filter(mechanism__in=mechanisms).count()
    return links, assessments


def _refuse_if_evidence(mechanisms, subject: str) -> None:
    # Deleting would silently drop coders' links and evaluators' verdicts with the mechanisms.
    links, assessments = _evidence_in_use(mechanisms)
    if links or assessments:
        raise Conflict(
            _(
                "%(subject)s cannot be deleted: %(links)s excerpt links and %(assessments)s "
                "assessments rest on it. Unlink those excerpts first."
            )
            % {"subject": subject, "links": links, "assessments": assessments}
        )


@transaction.atomic
def logic_model_delete(*, logic_model: LogicModel, expected_revision: int | None) -> None:
    """Remove the model with its items and mechanisms, unless coding or verdicts cite them."""
    logic_model = locked_for_edit(LogicModel, logic_model, expected_revision)
    _refuse_if_evidence(
        Mechanism.objects.filter(logic_model=logic_model),
        _("The logic model “%(title)s”") % {"title": logic_model.title},
    )
    logic_model.delete()


def _renumber(model, ordered: list) -> None:
    if all(row.position == position for position, row in enumerate(ordered)):
        return
    for position, row in enumerate(ordered):
        row.position = position
    place_in_order(model, ordered, ["position"])


def _moved(ordered: list, row, offset: int) -> list:
    """The list with `row` moved `offset` places; a move past either end stops there."""
    keys = [item.pk for item in ordered]
    if row.pk not in keys:
        raise Conflict(_("Someone else deleted this row meanwhile; reload the page."))
    place = keys.index(row.pk)
    moved = list(ordered)
    moved.insert(max(0, min(len(moved) - 1, place + offset)), moved.pop(place))
    return moved


def _column(logic_model_id: int, component: str) -> list[LogicModelItem]:
    return list(
        LogicModelItem.objects.filter(logic_model_id=logic_model_id, component=component).order_by(
            "position"
        )
    )


def _next_position(rows) -> int:
    last = rows.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def logic_item_create(*, logic_model: LogicModel, component: str, text: str) -> LogicModelItem:
    """Add the item at the end of its column."""
    _lock(logic_model)
    item = LogicModelItem(logic_model=logic_model, component=component, text=text.strip())
    item.position = _next_position(
        LogicModelItem.objects.filter(logic_model=logic_model, component=component)
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def logic_item_update(
    *,
    item: LogicModelItem,
    text: str | None = None,
    component: str | None = None,
    expected_text: str | None = None,
) -> LogicModelItem:
    """Reword the item, or move it to the end of another column.

    `expected_text` is the text the evaluator started from: when someone else changed it
    meanwhile the edit is refused with the item as it is now.
    """
    _lock(item.logic_model)
    current = LogicModelItem.objects.filter(pk=item.pk).first()
    if current is None:
        raise Conflict(_("Someone else deleted this item meanwhile; reload the page."))
    if expected_text is not None and current.text != expected_text:
        raise StaleEdit(
            _("Someone else saved this logic model item while you were editing it."),
            current=current,
        )
    if text is not None:
        current.text = text.strip()
    left_column = None
    if component is not None and component != current.component:
        left_column = current.component
        current.component = component
        current.position = _next_position(
            LogicModelItem.objects.filter(
                logic_model_id=current.logic_model_id, component=component
            )
        )
    current.full_clean()
    current.save()
    if left_column is not None:
        _renumber(LogicModelItem, _column(current.logic_model_id, left_column))
    return current


@transaction.atomic
def logic_item_delete(*, item: LogicModelItem) -> None:
    """Remove the item; the items after it in its column move up."""
    _lock(item.logic_model)
    current = LogicModelItem.objects.filter(pk=item.pk).first()
    if current is None:
        return
    current.delete()
    _renumber(LogicModelItem, _column(current.logic_model_id, current.component))


@transaction.atomic
def logic_item_move(*, item: LogicModelItem, offset: int) -> list[LogicModelItem]:
    """Move the item `offset` places up (negative) or down (positive) in its column."""
    _lock(item.logic_model)
    current = LogicModelItem.objects.filter(pk=item.pk).first()
    if current is None:
        raise Conflict(_("Someone else deleted this item meanwhile; reload the page."))
    ordered = _moved(_column(current.logic_model_id, current.component), current, offset)
    _renumber(LogicModelItem, ordered)
    return ordered


def _check_name(mechanism: Mechanism) -> None:
    if taken_by_another(mechanism, logic_model_id=mechanism.logic_model_id, name=mechanism.name):
        raise ValidationError(
            {
                "name": _(
                    "This logic model already has a mechanism called “%(name)s”; "
                    "choose another name."
                )
                % {"name": mechanism.name}
            }
        )


@transaction.atomic
def mechanism_create(
    *, logic_model: LogicModel, name: str, assumption: str, reflection: str = ""
) -> Mechanism:
    """Add the mechanism after the model's others."""
    _lock(logic_model)
    mechanism = Mechanism(
        logic_model=logic_model,
        name=name.strip(),
        assumption=assumption.strip(),
        reflection=reflection.strip(),
        position=_next_position(Mechanism.objects.filter(logic_model=logic_model)),
    )
    _check_name(mechanism)
    mechanism.full_clean()
    mechanism.save()
    return mechanism


@transaction.atomic
def mechanism_update(
    *,
    mechanism: Mechanism,
    expected_revision: int | None,
    name: str | None = None,
    assumption: str | None = None,
    reflection: str | None = None,
) -> Mechanism:
    mechanism = locked_for_edit(Mechanism, mechanism, expected_revision)
    if name is not None:
        mechanism.name = name.strip()
    if assumption is not None:
        mechanism.assumption = assumption.strip()
    if reflection is not None:
        mechanism.reflection = reflection.strip()
    _check_name(mechanism)
    mechanism.full_clean()
    mechanism.revision += 1
    mechanism.save()
    return mechanism


@transaction.atomic
def mechanism_delete(*, mechanism: Mechanism, expected_revision: int | None) -> None:
    """Remove the mechanism unless excerpts or assessments cite it; the later ones move up."""
    _lock(mechanism.logic_model)
    mechanism = locked_for_edit(Mechanism, mechanism, expected_revision)
    _refuse_if_evidence([mechanism], _("The mechanism “%(name)s”") % {"name": mechanism.name})
    logic_model_id = mechanism.logic_model_id
    mechanism.delete()
    _renumber(Mechanism, list(Mechanism.objects.filter(logic_model_id=logic_model_id)))


@transaction.atomic
def mechanism_move(*, mechanism: Mechanism, offset: int) -> list[Mechanism]:
    """Move the mechanism `offset` places up (negative) or down (positive) in its model."""
    _lock(mechanism.logic_model)
    ordered = _moved(
        list(Mechanism.objects.filter(logic_model_id=mechanism.logic_model_id)), mechanism, offset
    )
    _renumber(Mechanism, ordered)
    return ordered


@dataclass
class LoadedLogicModel:
    logic_model: LogicModel
    created: bool


def _eisen_logic_model_data() -> dict:
    with EISEN_LOGIC_MODEL_FILE.open(encoding="utf-8") as data_file:
        return json.load(data_file)


@transaction.atomic
def _eisen_logic_model_load() -> LoadedLogicModel:
    data = _eisen_logic_model_data()
    meta = data["logic_model"]
    # Found by its identifier or its title: once there, the model and everything in it belong to
    # the evaluators, so a re-run neither rewrites their edits nor brings back what they removed.
    existing = (
        LogicModel.objects.filter(uuid=meta["uuid"]).first()
        or LogicModel.objects.filter(title=meta["title"]).first()
    )
    if existing is not None:
        return LoadedLogicModel(logic_model=existing, created=False)
    logic_model = LogicModel(
        uuid=meta["uuid"], title=meta["title"], description=meta["description"], is_example=True
    )
    logic_model.full_clean()
    logic_model.save()
    for component, items in data["items"].items():
        for item in items:
            logic_item_create(logic_model=logic_model, component=component, text=item["text"])
    for mechanism in data["mechanisms"]:
        mechanism_create(
            logic_model=logic_model,
            name=mechanism["name"],
            assumption=mechanism["assumption"],
            reflection="\n\n".join(mechanism["reflection_paragraphs"]),
        )
    return LoadedLogicModel(logic_model=logic_model, created=True)


def eisen_logic_model_load() -> LogicModel:
    """The EISEN logic model with the report's four mechanisms, created if it is not there."""
    return _eisen_logic_model_load().logic_model


def eisen_logic_model_load_summary() -> str:
    """Load the EISEN logic model (for `manage.py load_eisen`) and say what is there."""
    loaded = _eisen_logic_model_load()
    logic_model = loaded.logic_model
    state = "loaded" if loaded.created else "already loaded"
    return (
        f"{logic_model.title}: {logic_model.mechanisms.count()} mechanisms, "
        f"{logic_model.items.count()} items ({state})"
    )
