"""Overlays: a pack that ``extend``s another and gives only what differs from it.

An overlay names its base (a pack name, ``provider:name``, or a path relative to the
overlay's file) and has its own ``pack:`` metadata, plus any of:

* ``calendar``: single keys replace the base's;
* ``agencies`` / ``roles`` / ``escalation_paths``: an entry replaces the base's entry of
  that id, or is added;
* ``parameters``: the keys given (usually ``default``) replace those of the base's
  parameter of that name; a name the base does not have is an error; a ``default`` the
  overlay sets is a local default (``basis: local_default``) unless it gives ``basis``;
* ``rules``: a rule with a base rule's id replaces it in place; a new id is appended.
* ``not_encoded``: the overlay's entries are appended to the base's.
* ``vocabulary``: a declared event type, or the typed attributes of an event type, replace
  the base's of that name, or are added.
* ``disable``: ids of base rules the overlay switches off; they are left out of the merged
  pack. An id that is not a base rule (did-you-mean), or that the overlay also replaces,
  is an error.

The merge works on the plain YAML data, before validation, and keeps every value's
position in the file it came from, so each diagnostic points into the file that holds
the value: the overlay or one of its bases. Chains (an overlay of an overlay) work; a
cycle is an error that names it, and chains are at most ``PackLimits.max_extend_depth``
long. A base given by path must be a file inside the pack's own directory tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._diagnose import DUPLICATE_ID, UNKNOWN_PARAMETER, diagnostic_at, diagnostics_from
from ._errors import (
    Diagnostic,
    PackNotFoundError,
    PackValidationError,
    declare,
    did_you_mean,
    known_list,
)
from ._files import FileReadError, inside
from ._limits import DEFAULT_LIMITS, PackLimits
from ._positions import Positions
from ._prebuilt import read_pack

if TYPE_CHECKING:  # the models are imported when an overlay is merged
    from ._pack import Overlay, Pack

MAX_EXTEND_DEPTH = DEFAULT_LIMITS.max_extend_depth
# Metadata an overlay inherits from its base unless it gives its own.
INHERITED = ("jurisdiction", "effective_from", "effective_to")
# Sections whose entries an overlay replaces or adds by id.
KEYED_SECTIONS = ("agencies", "roles", "escalation_paths")

Loc = tuple[str | int, ...]

UNKNOWN_PACK = declare("unknown-pack", "'extend' names no registered pack and no file")
UNKNOWN_RULE = declare("unknown-rule", "an overlay switches off a rule its base does not have")
EXTEND_CYCLE = declare("extend-cycle", "an overlay extends itself, directly or through others")
EXTEND_TOO_DEEP = declare(
    "extend-too-deep", "a chain of 'extend' is longer than the limit (docs/limits.md)"
)

# A pack name or ``provider:name`` -> its file; raises PackNotFoundError. The registry
# provides it: merging never looks packs up by itself, so it does not depend on the registry.
ResolveName = Callable[[str], Path]


@dataclass(frozen=True)
class Expanded:
    """A pack's plain data with any ``extend`` merged in, and where each value came from."""

    data: Any
    positions: Positions
    extends: str | None = None  # the base pack's id
    lineage: tuple[str, ...] = ()  # ids of the bases, nearest first
    # The directory tree each file of the chain may refer into: the tree of the pack first
    # read, or a registered base's own directory.
    roots: Mapping[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class _Chain:
    resolve_name: ResolveName
    limits: PackLimits
    trail: tuple[tuple[str, str], ...] = ()  # (identity, as shown) of each file so far


def is_overlay(data: Any) -> bool:
    return isinstance(data, dict) and "extend" in data


def expand(
    data: Any,
    positions: Positions,
    resolve_name: ResolveName,
    *,
    root: Path | None = None,
    limits: PackLimits = DEFAULT_LIMITS,
) -> Expanded:
    """Merge an overlay onto its base (recursively); a plain pack comes back as it is.

    ``resolve_name`` finds a base given by name; a base given by path must be inside
    ``root`` (default: the directory of ``positions.file``). Raises PackError with
    diagnostics located in the file that holds each problem.
    """
    home = (root if root is not None else Path(positions.file).parent).resolve()
    return _expand(data, positions, home, _Chain(resolve_name, limits))


def _expand(data: Any, positions: Positions, root: Path, chain: _Chain) -> Expanded:
    if not is_overlay(data):
        return Expanded(data, positions, roots={positions.file: root})
    from pydantic import ValidationError

    from ._pack import DOCUMENT, Overlay, Pack

    try:
        overlay = Overlay.model_validate(data, context=DOCUMENT)
    except ValidationError as exc:
        raise PackValidationError(diagnostics_from(exc, data, positions, Overlay)) from exc
    trail = (*chain.trail, (_identity(positions.file), positions.file))
    base_file, base_root = _base_file(overlay.extend, positions, root, chain.resolve_name)
    seen = [identity for identity, _shown in trail]
    if _identity(str(base_file)) in seen:
        start = seen.index(_identity(str(base_file)))
        cycle = " -> ".join([*(shown for _id, shown in trail[start:]), trail[start][1]])
        raise _error(
            positions,
            f"extend cycle: {cycle}; a pack cannot extend itself, directly or through others",
            EXTEND_CYCLE,
        )
    limit = chain.limits.max_extend_depth
    if len(trail) >= limit:
        links = " -> ".join([*(shown for _id, shown in trail), str(base_file)])
        raise _error(
            positions,
            f"extend chain is longer than {limit} packs: {links}; extend the base directly",
            EXTEND_TOO_DEEP,
        )
    base_data, base_positions = read_pack(base_file, chain.limits)
    base = _expand(base_data, base_positions, base_root, replace(chain, trail=trail))
    try:
        base_pack = Pack.model_validate(base.data, context=DOCUMENT)
    except ValidationError as exc:
        raise PackValidationError(diagnostics_from(exc, base.data, base.positions, Pack)) from exc
    problems = _check_overrides(overlay, base_pack, positions)
    if problems:
        raise PackValidationError(problems)
    merged = _Merge(base.data, base.positions, data, positions, overlay, base_pack).run()
    return Expanded(
        merged.data,
        merged.positions,
        base_pack.pack.id,
        (base_pack.pack.id, *base.lineage),
        {**base.roots, positions.file: root},
    )


def _identity(file: str) -> str:
    return str(Path(file).resolve())


def _error(positions: Positions, message: str, code: str) -> PackValidationError:
    return PackValidationError([diagnostic_at(positions, ("extend",), message, code)])


def _base_file(
    extend: str, positions: Positions, root: Path, resolve_name: ResolveName
) -> tuple[Path, Path]:
    """The file ``extend`` names and the tree that file may refer into: a path inside this
    pack's tree (and that tree), or a registered pack (and its own directory)."""
    if extend.endswith((".yaml", ".yml")) or "/" in extend or "\\" in extend:
        directory = Path(positions.file).parent
        try:
            inside(root, directory, extend, "extend")
        except FileReadError as exc:
            raise _error(positions, exc.message, exc.code) from exc
        candidate = directory / extend
        if not candidate.is_file():
            raise _error(
                positions,
                f"extend: no pack file at {candidate} (a path is relative to this file)",
                UNKNOWN_PACK,
            )
        return candidate, root
    try:
        found = resolve_name(extend)
    except PackNotFoundError as exc:
        raise _error(positions, f"extend: {exc}", UNKNOWN_PACK) from exc
    return found, found.parent.resolve()


def _check_overrides(overlay: Overlay, base: Pack, positions: Positions) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    base_id = base.pack.id
    if overlay.pack.id == base_id:
        problems.append(
            diagnostic_at(
                positions,
                ("pack", "id"),
                f"an overlay needs its own id: {base_id!r} is the id of its base, and results "
                "are stamped with the id",
                DUPLICATE_ID,
            )
        )
    for name in overlay.parameters:
        if name not in base.parameters:
            problems.append(
                diagnostic_at(
                    positions,
                    ("parameters", name),
                    f"{name!r} is not a parameter of {base_id}"
                    f"{did_you_mean(name, base.parameters)}; an overlay can only override its "
                    f"base's parameters, which are: {known_list(base.parameters) or '(none)'}",
                    UNKNOWN_PARAMETER,
                )
            )
    base_ids = [rule.id for rule in base.rules]
    own_ids = {rule.id for rule in overlay.rules}
    for k, rule_id in enumerate(overlay.disable):
        if rule_id not in base_ids:
            problems.append(
                diagnostic_at(
                    positions,
                    ("disable", k),
                    f"{rule_id!r} is not a rule of {base_id}{did_you_mean(rule_id, base_ids)}; "
                    "an overlay can only switch off its base's rules",
                    UNKNOWN_RULE,
                )
            )
        elif rule_id in own_ids:
            problems.append(
                diagnostic_at(
                    positions,
                    ("disable", k),
                    f"{rule_id!r} is both switched off and replaced by this overlay; keep one",
                    DUPLICATE_ID,
                )
            )
        elif rule_id in overlay.disable[:k]:
            problems.append(
                diagnostic_at(
                    positions, ("disable", k), f"{rule_id!r} is switched off twice", DUPLICATE_ID
                )
            )
    first: dict[str, int] = {}
    for j, rule in enumerate(overlay.rules):
        if rule.id in first:
            problems.append(
                diagnostic_at(
                    positions,
                    ("rules", j, "id"),
                    f"rule id {rule.id!r} is already used by rule {first[rule.id] + 1} of this "
                    "overlay; each rule replaces or adds one rule",
                    DUPLICATE_ID,
                )
            )
        first.setdefault(rule.id, j)
    return problems


class _Merge:
    """The base's data with the overlay's laid over it, and a position for every value."""

    def __init__(
        self,
        base: dict[str, Any],
        base_positions: Positions,
        overlay: dict[str, Any],
        overlay_positions: Positions,
        model: Overlay,
        base_model: Pack,
    ) -> None:
        self.base, self.base_positions = base, base_positions
        self.overlay, self.overlay_positions = overlay, overlay_positions
        self.model, self.base_model = model, base_model
        self.data: dict[str, Any] = dict(base)
        self.positions = Positions(overlay_positions.file)

    def run(self) -> _Merge:
        self._graft(self.base_positions, ())
        self._graft(self.overlay_positions, (), only_this=True)
        self._metadata()
        if self.overlay.get("calendar") is not None:
            self._replace_keys(("calendar",))
        for section in KEYED_SECTIONS:
            if section in self.overlay:
                self._replace_keys((section,))
        for name, given in self.overlay.get("parameters", {}).items():
            self._replace_keys(("parameters", name))
            if isinstance(given, dict) and "default" in given and "basis" not in given:
                # A value an overlay sets is a local choice, whatever the base's basis was.
                merged = dict(self._at(self.data, ("parameters", name)))
                self._put(("parameters", name), {**merged, "basis": "local_default"})
        self._rules()
        self._not_encoded()
        self._vocabulary()
        return self

    def _vocabulary(self) -> None:
        own = self.overlay.get("vocabulary")
        if not isinstance(own, dict):
            return
        if not isinstance(self.data.get("vocabulary"), dict):
            self.data["vocabulary"] = {}
            self._graft(self.overlay_positions, ("vocabulary",), only_this=True)
        for section in ("events", "attributes"):
            if isinstance(own.get(section), dict):
                self._replace_keys(("vocabulary", section))

    def _metadata(self) -> None:
        own: dict[str, Any] = self.overlay["pack"]
        inherited: dict[str, Any] = self.base["pack"]
        meta = dict(own)
        self._prune(("pack",))
        self._graft(self.overlay_positions, ("pack",))
        for key in INHERITED:
            if key not in own and key in inherited:
                meta[key] = inherited[key]
                self._graft(self.base_positions, ("pack", key))
        base_sources: list[Any] = inherited.get("sources") or []
        meta["sources"] = [*base_sources, *(own.get("sources") or [])]
        self._prune(("pack", "sources"))
        self._graft(self.base_positions, ("pack", "sources"))
        for j in range(len(own.get("sources") or [])):
            self._graft(
                self.overlay_positions,
                ("pack", "sources", j),
                ("pack", "sources", len(base_sources) + j),
            )
        if "sources" in own:
            self._graft(self.overlay_positions, ("pack", "sources"), only_this=True)
        self.data["pack"] = meta

    def _replace_keys(self, loc: tuple[str, ...]) -> None:
        """Each key the overlay gives under ``loc`` replaces the base's (or is added)."""
        given: dict[str, Any] = self._at(self.overlay, loc)
        target = dict(self._at(self.base, loc) or {})
        for key, value in given.items():
            target[key] = value
            self._prune((*loc, key))
            self._graft(self.overlay_positions, (*loc, key))
        if self._at(self.base, loc) is None:
            self._graft(self.overlay_positions, loc, only_this=True)
        self._put(loc, target)

    def _rules(self) -> None:
        off = set(self.model.disable)
        rules = list(self.base["rules"])
        at: dict[str, int] = {}
        for i, rule in enumerate(self.base_model.rules):
            at.setdefault(rule.id, i)
        for j, rule in enumerate(self.model.rules):
            i = at.get(rule.id, len(rules))
            if i == len(rules):
                rules.append(self.overlay["rules"][j])  # a new rule
            else:
                rules[i] = self.overlay["rules"][j]  # replaces the base's, in its place
                self._prune(("rules", i))
            self._graft(self.overlay_positions, ("rules", j), ("rules", i))
        if off:
            # Switched-off rules are left out; the positions of those after move up.
            kept = [i for i, rule in enumerate(self.base_model.rules) if rule.id not in off]
            kept += list(range(len(self.base_model.rules), len(rules)))
            moved = {old: new for new, old in enumerate(kept)}
            spots = self.positions.spots
            files = self.positions.files
            old_spots = {p: spots.pop(p) for p in list(spots) if p[:1] == ("rules",) and len(p) > 1}
            old_files = {p: files.pop(p) for p in list(files) if p[:1] == ("rules",) and len(p) > 1}
            for path, spot in old_spots.items():
                index = path[1]
                if isinstance(index, int) and index in moved:
                    spots[("rules", moved[index], *path[2:])] = spot
            for path, file in old_files.items():
                index = path[1]
                if isinstance(index, int) and index in moved:
                    files[("rules", moved[index], *path[2:])] = file
            rules = [rules[i] for i in kept]
        self.data["rules"] = rules

    def _not_encoded(self) -> None:
        base: list[Any] = self.base.get("not_encoded") or []
        own: list[Any] = self.overlay.get("not_encoded") or []
        if not own:
            return
        for j in range(len(own)):
            self._graft(self.overlay_positions, ("not_encoded", j), ("not_encoded", len(base) + j))
        self.data["not_encoded"] = [*base, *own]

    # --- plain data -------------------------------------------------------------------

    @staticmethod
    def _at(data: dict[str, Any], loc: tuple[str, ...]) -> Any:
        current: Any = data
        for key in loc:
            current = current.get(key) if isinstance(current, dict) else None
        return current

    def _put(self, loc: tuple[str, ...], value: Any) -> None:
        # Copy each mapping on the way down: the base's data is shared and stays as it is.
        parent = self.data
        for key in loc[:-1]:
            parent[key] = dict(parent[key])
            parent = parent[key]
        parent[loc[-1]] = value

    # --- positions --------------------------------------------------------------------

    def _graft(
        self, source: Positions, src: Loc, dst: Loc | None = None, *, only_this: bool = False
    ) -> None:
        """Copy the positions under ``src`` in ``source`` to ``dst`` (default: the same)."""
        dst = src if dst is None else dst
        spots = self.positions.spots
        files = self.positions.files
        n = len(src)
        chosen = [src] if only_this else [p for p in source.spots if p[:n] == src]
        for path in chosen:
            if path not in source.spots:
                continue
            moved = (*dst, *path[n:])
            spots[moved] = source.spots[path]
            file = source.files.get(path, source.file)
            if file == self.positions.file:
                files.pop(moved, None)
            else:
                files[moved] = file

    def _prune(self, prefix: Loc) -> None:
        n = len(prefix)
        for path in [p for p in self.positions.spots if p[:n] == prefix]:
            del self.positions.spots[path]
            self.positions.files.pop(path, None)
