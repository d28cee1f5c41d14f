"""Sync in: the whole organisation as a spreadsheet, and the upserts by external id behind it.

Formats (``fmt``):

- ``xlsx``: one workbook with the sheets 部门, 岗位, 人员, 任职 (departments, posts, people,
  memberships), a header row of the column names below, one row per record;
- ``zip``: the same four tables as CSV files ``部门.csv`` … in one zip archive;
- ``dir``: the same CSV files in a folder (the command line's choice for CSV).

CSV files are UTF-8 with a byte-order mark, so Excel and WPS open them right (files saved
back by WPS as GB18030 are read too). Text cells that a spreadsheet would run as a formula
(starting ``= + - @``, tab or CR) are exported with a leading ``'`` and read back without it.

Everything is keyed by external ids. An object created in Zhengtong without one is exported
as ``zt-<department|post|person>-<id>`` and found again by that name on import; the ``zt-``
prefix is reserved for these. Yes/no cells take 是/否, 1/0, true/false, yes/no, y/n. A
person's clearance is not part of the file: the security administrator labels it.

An import reads and checks every row before it changes anything, and reports every bad row
(sheet, row number as Excel shows it, reason); if any row is bad nothing is imported. A good
file is applied in one transaction through ``services``, so an error found only while
applying (e.g. a post that people hold moved to another department) still undoes it all.
Each record is created or, if it differs, updated; unchanged records are not touched, so
re-importing a file records nothing. Each person in the file has exactly the memberships
the file lists (a move is a removal and an addition; a disabled person's memberships stay
as history when the file lists them, as an export does). People missing from the file are
left alone, or disabled with ``disable_missing``. Departments and posts are never deleted.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from zhengtong.errors import Conflict, ServiceError
from zhengtong.platform.access import permissions as perms
from zhengtong.platform.access.policy import can
from zhengtong.platform.audit import services as audit
from zhengtong.platform.directory import services
from zhengtong.platform.directory.models import ChangeEvent, Department, Membership, Person, Post
from zhengtong.platform.directory.permissions import require_sync

FORMATS = ("xlsx", "zip", "dir")
MOBILE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES = {"是", "1", "true", "yes", "y", "t"}
NO = {"否", "0", "false", "no", "n", "f", ""}


# --- Finding records by external id -----------------------------------------------------------


def _key(keys: dict[int, str], pk: int | None) -> str:
    """The external key of an optional reference ("" when there is none)."""
    return keys.get(pk, "") if pk is not None else ""


def _derived_pk(prefix: str, external_id: str) -> int | None:
    match = re.fullmatch(rf"zt-{prefix}-(\d+)", external_id)
    return int(match.group(1)) if match else None


def external_key(prefix: str, external_id: str | None, pk: Any) -> str:
    """The external id of a record, or the one derived from its id when it has none."""
    return external_id or f"zt-{prefix}-{pk}"


def find_department(external_id: str) -> Department | None:
    pk = _derived_pk("department", external_id)
    return Department.objects.filter(Q(external_id=external_id) | Q(pk=pk or 0, external_id__isnull=True)).first()


def find_post(external_id: str) -> Post | None:
    pk = _derived_pk("post", external_id)
    return Post.objects.select_related("department").filter(Q(external_id=external_id) | Q(pk=pk or 0, external_id__isnull=True)).first()


def find_person(external_id: str) -> Any:
    pk = _derived_pk("person", external_id)
    return (get_user_model().objects.filter(Q(directory_person__external_id=external_id)
                                            | Q(pk=pk or 0, directory_person__external_id__isnull=True)).first())


def person_key(user: Any) -> str:
    person = Person.objects.filter(user=user).first()
    return external_key("person", person.external_id if person else None, user.pk)


# --- Upserts by external id (the import and the sync API) --------------------------------------


def upsert_department(acting_user: Any, external_id: str, *, parent: Department | None, is_confidential: bool | None = None,
                      **fields: Any) -> tuple[Department, bool]:
    """Create or update (and move) the department known as ``external_id``; (department, created).

    ``fields``: kind, name, short_name, order, code, phone, is_active. Confidentiality changes
    only when given, through the security administrator's service.
    """
    department = find_department(external_id)
    created = department is None
    relabels = is_confidential is not None and is_confidential != (department.is_confidential if department else False)
    if relabels:
        # Refused before the department is written, not rolled back after.
        services.authorise_visibility(acting_user)
    with transaction.atomic():
        if department is None:
            department = services.create_department(acting_user=acting_user, parent=parent, external_id=external_id, **fields)
        else:
            department = services.update_department(acting_user=acting_user, department=department, parent=parent, **fields)
        if relabels:
            department = services.set_department_confidential(acting_user=acting_user, department=department,
                                                              confidential=bool(is_confidential))
    return department, created


def upsert_post(acting_user: Any, external_id: str, *, department: Department, name: str, order: int = 0) -> tuple[Post, bool]:
    post = find_post(external_id)
    if post is None:
        return services.create_post(acting_user=acting_user, department=department, name=name, order=order,
                                    external_id=external_id), True
    return services.update_post(acting_user=acting_user, post=post, department=department, name=name, order=order), False


def upsert_person(acting_user: Any, external_id: str, *, username: str, display_name: str, email: str = "", mobile: str = "",
                  office_phone: str = "", status: str = Person.Status.ON_DUTY, is_active: bool | None = None,
                  reason: str = "") -> tuple[Any, bool]:
    """Create or update the person known as ``external_id``; ``is_active`` given disables or enables them."""
    if mobile and not MOBILE.match(mobile):
        raise ServiceError("invalid", _("Not a mobile number: %(mobile)s") % {"mobile": mobile}, {"mobile": [_("Enter a mobile number.")]})
    user = find_person(external_id)
    created = user is None
    with transaction.atomic():
        if user is None:
            user = services.create_person(acting_user=acting_user, username=username, display_name=display_name,
                                          external_id=external_id,
                                          email=email, mobile=mobile, office_phone=office_phone, status=status)
        elif user.username.lower() != username.strip().lower():
            raise Conflict("username_fixed", _("A username cannot change: %(external_id)s is %(username)s.")
                           % {"external_id": external_id, "username": user.username}, {"username": [_("Keep the username.")]})
        else:
            services.update_person(acting_user=acting_user, user=user, display_name=display_name, email=email, mobile=mobile,
                                   office_phone=office_phone, status=status)
            user.refresh_from_db()
        if is_active is False:
            user = services.disable_person(acting_user=acting_user, user=user, reason=reason)
        elif is_active:
            user = services.enable_person(acting_user=acting_user, user=user)
    return user, created


@dataclass(frozen=True)
class MembershipSpec:
    department: Department
    post: Post | None = None
    is_primary: bool = False
    is_leader: bool = False
    is_deputy: bool = False
    order: int = 0
    office_phone: str = ""


def set_memberships(acting_user: Any, user: Any, specs: list[MembershipSpec]) -> None:
    """Make the person's memberships exactly ``specs`` (the first is primary if none is marked)."""
    for spec in specs:
        if spec.post is not None and spec.post.department_id != spec.department.pk:
            raise ServiceError("invalid", _("The post belongs to another department."), {"post": [_("Choose a post of this department.")]})
    if specs and not any(spec.is_primary for spec in specs):
        specs = [MembershipSpec(**{**specs[0].__dict__, "is_primary": True}), *specs[1:]]
    # The new primary last, so that the old one is visibly cleared first.
    wanted = {(spec.department.pk, spec.post.pk if spec.post else None): spec for spec in sorted(specs, key=lambda s: s.is_primary)}
    if len(wanted) < len(specs):
        raise ServiceError("duplicate", _("The same post is listed twice."))
    with transaction.atomic():
        held = {(m.department_id, m.post_id): m for m in Membership.objects.filter(user=user)}
        for key, membership in held.items():
            if key not in wanted:
                services.remove_membership(acting_user=acting_user, membership=membership)
        for key, spec in wanted.items():
            flags: dict[str, Any] = {"is_primary": spec.is_primary, "is_leader": spec.is_leader, "is_deputy": spec.is_deputy,
                                     "order": spec.order,
                     "office_phone": spec.office_phone}
            if key in held:
                services.update_membership(acting_user=acting_user, membership=held[key], **flags)
            else:
                services.add_membership(acting_user=acting_user, user=user, department=spec.department, post=spec.post, **flags)


# --- The tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text, int or bool
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


DEPARTMENTS = Sheet("部门", (
    Column("external_id", "外部标识", required=True), Column("parent", "上级外部标识"), Column("kind", "类型"),
    Column("name", "名称", required=True), Column("short_name", "简称"), Column("order", "排序", "int"), Column("code", "编码"),
    Column("phone", "办公电话"), Column("is_confidential", "保密", "bool"), Column("is_active", "启用", "bool"),
))
POSTS = Sheet("岗位", (
    Column("external_id", "外部标识", required=True), Column("department", "部门外部标识", required=True),
    Column("name", "名称", required=True), Column("order", "排序", "int"),
))
PEOPLE = Sheet("人员", (
    Column("external_id", "外部标识", required=True), Column("username", "用户名", required=True),
    Column("display_name", "姓名", required=True), Column("email", "电子邮箱"), Column("mobile", "手机"),
    Column("office_phone", "办公电话"), Column("status", "状态"), Column("is_active", "启用", "bool"),
))
MEMBERSHIPS = Sheet("任职", (
    Column("person", "人员外部标识", required=True), Column("department", "部门外部标识", required=True),
    Column("post", "岗位外部标识"), Column("is_primary", "主要任职", "bool"), Column("is_leader", "负责人", "bool"),
    Column("is_deputy", "副职", "bool"), Column("order", "排序", "int"), Column("office_phone", "办公电话"),
))
SHEETS = (DEPARTMENTS, POSTS, PEOPLE, MEMBERSHIPS)
DEFAULTS = {"kind": Department.Kind.DEPARTMENT, "status": Person.Status.ON_DUTY, "is_active": True}

Row = tuple[int, dict[str, Any]]


def _escaped(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _unescaped(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _rows() -> dict[Sheet, Iterator[list[Any]]]:
    """The organisation as table rows, each sheet in an order that reads well."""
    departments = {pk: external_key("department", ext, pk) for pk, ext in Department.objects.values_list("pk", "external_id")}
    posts = {pk: external_key("post", ext, pk) for pk, ext in Post.objects.values_list("pk", "external_id")}
    people = get_user_model().objects.filter(Q(directory_person__isnull=False) | Q(memberships__isnull=False)).distinct()
    persons = {person.user_id: person for person in Person.objects.all()}
    person_keys = {user.pk: external_key("person", getattr(persons.get(user.pk), "external_id", None), user.pk) for user in people}
    return {
        DEPARTMENTS: ([departments[d.pk], _key(departments, d.parent_id), d.kind, d.name, d.short_name, d.order, d.code or "",
                       d.phone, d.is_confidential, d.is_active] for d in Department.objects.order_by("path")),
        POSTS: ([posts[p.pk], departments[p.department_id], p.name, p.order]
                for p in Post.objects.order_by("department__path", "order", "id")),
        PEOPLE: ([person_keys[u.pk], u.username, u.display_name, u.email, u.mobile, getattr(persons.get(u.pk), "office_phone", ""),
                  getattr(persons.get(u.pk), "status", Person.Status.ON_DUTY), u.is_active] for u in people.order_by("username")),
        MEMBERSHIPS: ([person_keys[m.user_id], departments[m.department_id], _key(posts, m.post_id), m.is_primary, m.is_leader,
                       m.is_deputy, m.order, m.office_phone]
                      for m in Membership.objects.order_by("user__username", "-is_primary", "order", "id")),
    }


def _csv_bytes(sheet: Sheet, rows: Iterable[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([column.header for column in sheet.columns])
    writer.writerows([_escaped(value) for value in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")


def export(acting_user: Any, target: IO[bytes] | Path, fmt: str) -> None:
    """Write the whole organisation to ``target``: a binary file for xlsx and zip, a folder for dir."""
    if acting_user is not None:
        require_sync(acting_user)
    tables = _rows()
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for sheet, rows in tables.items():
            worksheet = workbook.create_sheet(sheet.name)
            worksheet.append([column.header for column in sheet.columns])
            for row in rows:
                worksheet.append([_escaped(value) for value in row])
        workbook.save(target)
    elif fmt == "zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
            for sheet, rows in tables.items():
                archive.writestr(sheet.filename, _csv_bytes(sheet, rows))
    elif fmt == "dir":
        folder = Path(target)  # type: ignore[arg-type]
        folder.mkdir(parents=True, exist_ok=True)
        for sheet, rows in tables.items():
            (folder / sheet.filename).write_bytes(_csv_bytes(sheet, rows))
    else:
        raise ServiceError("invalid", _("Unknown format: %(fmt)s") % {"fmt": fmt})
    with transaction.atomic():
        audit.record("directory.exported", actor=acting_user, detail=fmt)


def format_of(path: Path) -> str:
    """The format a command-line path names: a folder, a .zip or an .xlsx file."""
    if path.is_dir() or not path.suffix:
        return "dir"
    return {".xlsx": "xlsx", ".zip": "zip"}.get(path.suffix.lower(), path.suffix.lower().lstrip("."))


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        if not self.row:
            return f"{self.sheet}: {self.reason}" if self.sheet else self.reason
        return _("%(sheet)s row %(row)d: %(reason)s") % {"sheet": self.sheet, "row": self.row, "reason": self.reason}


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    # Changes made (or, in a dry run, that would be made), by "entity.action": {"person.created": 3}.
    changes: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text)))


def _raw_tables(source: IO[bytes] | Path, fmt: str) -> dict[str, list[list[Any]]]:
    """Each sheet present, as lists of cells, header first."""
    if fmt == "xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(source, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise _Invalid(RowError("", 0, _("Not an XLSX workbook (%(error)s).") % {"error": exc})) from None
        try:
            return {name: [list(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}
        finally:
            workbook.close()
    if fmt == "zip":
        try:
            with zipfile.ZipFile(source) as archive:  # type: ignore[arg-type]
                return {Path(name).stem: _csv_rows(archive.read(name)) for name in archive.namelist() if name.endswith(".csv")}
        except zipfile.BadZipFile:
            raise _Invalid(RowError("", 0, _("Not a zip archive of CSV files."))) from None
    if fmt == "dir":
        return {path.stem: _csv_rows(path.read_bytes()) for path in Path(source).glob("*.csv")}  # type: ignore[arg-type]
    raise _Invalid(RowError("", 0, _("Unknown format: %(fmt)s") % {"fmt": fmt}))


def _typed(column: Column, text: str) -> Any:
    if column.kind == "int":
        try:
            return int(text) if text else 0
        except ValueError:
            raise ValueError(_("not a whole number: %(value)s") % {"value": text}) from None
    if column.kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return DEFAULTS.get(column.key, False) if not text else False
        raise ValueError(_("not yes or no: %(value)s") % {"value": text})
    return text or DEFAULTS.get(column.key, "")


def _parse(sheet: Sheet, cells: list[list[Any]] | None, errors: list[RowError]) -> list[Row]:
    if cells is None:
        errors.append(RowError(sheet.name, 0, _("The sheet is missing.")))
        return []
    header = [_unescaped(cell) for cell in cells[0]] if cells else []
    missing = [column.header for column in sheet.columns if column.header not in header]
    if missing:
        errors.append(RowError(sheet.name, 1, _("Columns missing: %(columns)s") % {"columns": ", ".join(missing)}))
        return []
    positions = {column.key: header.index(column.header) for column in sheet.columns}
    rows: list[Row] = []
    for number, raw in enumerate(cells[1:], start=2):
        texts = {key: _unescaped(raw[index]) if index < len(raw) else "" for key, index in positions.items()}
        if not any(texts.values()):
            continue
        values, problems = {}, []
        for column in sheet.columns:
            if column.required and not texts[column.key]:
                problems.append(_("%(column)s is required") % {"column": column.header})
                continue
            try:
                values[column.key] = _typed(column, texts[column.key])
            except ValueError as exc:
                problems.append(f"{column.header}: {exc}")
        if problems:
            errors.append(RowError(sheet.name, number, "; ".join(problems)))
        else:
            rows.append((number, values))
    return rows


# --- Checking ---------------------------------------------------------------------------------


class _Checker:
    """Checks every row against the file and the database; collects every bad row."""

    def __init__(self, acting_user: Any, tables: dict[Sheet, list[Row]]) -> None:
        self.acting_user = acting_user
        self.tables = tables
        self.errors: list[RowError] = []
        users = get_user_model().objects.all()
        self.person_of = {p.user_id: p for p in Person.objects.all()}
        self.existing_departments = {external_key("department", d.external_id, d.pk): d for d in Department.objects.all()}
        self.department_keys = {d.pk: key for key, d in self.existing_departments.items()}
        self.file_departments = {values["external_id"] for _number, values in tables[DEPARTMENTS]}
        self.existing_posts = {external_key("post", p.external_id, p.pk): p for p in Post.objects.all()}
        self.existing_people = {external_key("person", getattr(self.person_of.get(u.pk), "external_id", None), u.pk): u for u in users}
        self.usernames = {u.username.lower(): u for u in users}

    def fail(self, sheet: Sheet, number: int, reason: str) -> None:
        self.errors.append(RowError(sheet.name, number, reason))

    def model_errors(self, sheet: Sheet, number: int, obj: models.Model, exclude: list[str]) -> None:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            headers = {column.key: column.header for column in sheet.columns}
            self.fail(sheet, number, "; ".join(f"{headers.get(name, name)}: {' '.join(messages)}"
                                               for name, messages in exc.message_dict.items()))

    def unique(self, sheet: Sheet, rows: list[Row], key: Callable[[dict[str, Any]], Any], label: str,
               existing: dict[Any, str] | None = None) -> None:
        """Refuse a value two rows share, or one an existing record outside the file holds (``label``: the column)."""
        seen: dict[Any, int] = {}
        in_file = {values.get("external_id") for _number, values in rows}
        for number, values in rows:
            value = key(values)
            if value in (None, ""):
                continue
            owner = (existing or {}).get(value)
            if value in seen:
                self.fail(sheet, number, _("%(label)s %(value)s also appears in row %(row)d.") % {"label": label, "value": value,
                                                                                                 "row": seen[value]})
            elif owner is not None and owner != values.get("external_id") and owner not in in_file:
                self.fail(sheet, number, _("%(label)s %(value)s is already used by %(owner)s.") % {"label": label, "value": value,
                                                                                                  "owner": owner})
            seen.setdefault(value, number)

    def departments(self) -> None:
        rows = self.tables[DEPARTMENTS]
        self.unique(DEPARTMENTS, rows, lambda v: v["external_id"], "外部标识")
        self.unique(DEPARTMENTS, rows, lambda v: v["code"], "编码",
                    {d.code: key for key, d in self.existing_departments.items() if d.code})
        parents = {key: self.department_keys.get(d.parent_id, "") if d.parent_id else "" for key, d in self.existing_departments.items()}
        may_label = self.acting_user is None or can(self.acting_user, perms.MANAGE_GRANTS)
        for number, values in rows:
            parents[values["external_id"]] = values["parent"]
            if values["kind"] not in Department.Kind.values:
                self.fail(DEPARTMENTS, number, _("Unknown kind %(kind)s (unit, department or leadership).") % {"kind": values["kind"]})
            if not values["parent"] and values["kind"] != Department.Kind.UNIT:
                self.fail(DEPARTMENTS, number, _("Only a unit may have no parent."))
            elif values["parent"] and not self.department_known(values["parent"]):
                self.fail(DEPARTMENTS, number, _("Unknown parent %(parent)s.") % {"parent": values["parent"]})
            existing = self.existing_departments.get(values["external_id"])
            if not may_label and values["is_confidential"] != (existing.is_confidential if existing else False):
                self.fail(DEPARTMENTS, number, _("Only the security administrator may change whether a department is confidential."))
            self.model_errors(DEPARTMENTS, number, Department(**{k: values[k] for k in ("kind", "name", "short_name", "order",
                                                                                          "phone", "external_id")},
                                                              code=values["code"] or None), ["parent", "path", "depth"])
        for number, values in rows:
            seen, node = set(), values["external_id"]
            while node and node not in seen:
                seen.add(node)
                node = parents.get(node, "")
            if node == values["external_id"]:
                self.fail(DEPARTMENTS, number, _("The department would be below itself (a cycle in the tree)."))

    def department_known(self, key: str) -> bool:
        return key in self.existing_departments or key in self.file_departments

    def posts(self) -> None:
        rows = self.tables[POSTS]
        self.unique(POSTS, rows, lambda v: v["external_id"], "外部标识")
        self.unique(POSTS, rows, lambda v: (v["department"], v["name"]), "岗位",
                    {(self.department_keys[p.department_id], p.name): key for key, p in self.existing_posts.items()})
        for number, values in rows:
            if not self.department_known(values["department"]):
                self.fail(POSTS, number, _("Unknown department %(department)s.") % {"department": values["department"]})
            self.model_errors(POSTS, number, Post(name=values["name"], order=values["order"], external_id=values["external_id"]),
                              ["department"])

    def people(self) -> None:
        rows = self.tables[PEOPLE]
        self.unique(PEOPLE, rows, lambda v: v["external_id"], "外部标识")
        self.unique(PEOPLE, rows, lambda v: v["username"].lower(), "用户名",
                    {name: key for key, user in self.existing_people.items() for name in [user.username.lower()]})
        for number, values in rows:
            existing = self.existing_people.get(values["external_id"])
            if existing is not None and existing.username.lower() != values["username"].lower():
                self.fail(PEOPLE, number, _("A username cannot change: %(external_id)s is %(username)s.")
                          % {"external_id": values["external_id"], "username": existing.username})
            if values["mobile"] and not MOBILE.match(values["mobile"]):
                self.fail(PEOPLE, number, _("Not a mobile number: %(mobile)s") % {"mobile": values["mobile"]})
            if (not values["is_active"] and self.acting_user is not None and existing is not None
                    and existing.pk == self.acting_user.pk):
                self.fail(PEOPLE, number, _("You cannot disable your own account."))
            user = get_user_model()(username=values["username"], display_name=values["display_name"], email=values["email"])
            self.model_errors(PEOPLE, number, user, ["password", "mobile"])
            self.model_errors(PEOPLE, number, Person(external_id=values["external_id"], office_phone=values["office_phone"],
                                                     status=values["status"]), ["user", "superior"])

    def memberships(self) -> None:
        rows = self.tables[MEMBERSHIPS]
        people = {values["external_id"] for _n, values in self.tables[PEOPLE]} | set(self.existing_people)
        post_departments = {key: self.department_keys[post.department_id] for key, post in self.existing_posts.items()}
        post_departments.update({values["external_id"]: values["department"] for _n, values in self.tables[POSTS]})
        self.unique(MEMBERSHIPS, rows, lambda v: (v["person"], v["department"], v["post"]), "任职")
        primary: dict[str, int] = {}
        for number, values in rows:
            if values["person"] not in people:
                self.fail(MEMBERSHIPS, number, _("Unknown person %(person)s.") % {"person": values["person"]})
            if not self.department_known(values["department"]):
                self.fail(MEMBERSHIPS, number, _("Unknown department %(department)s.") % {"department": values["department"]})
            if values["post"] and values["post"] not in post_departments:
                self.fail(MEMBERSHIPS, number, _("Unknown post %(post)s.") % {"post": values["post"]})
            elif values["post"] and post_departments[values["post"]] != values["department"]:
                self.fail(MEMBERSHIPS, number, _("The post belongs to another department."))
            if values["is_primary"]:
                if values["person"] in primary:
                    self.fail(MEMBERSHIPS, number, _("A second primary membership (the first is in row %(row)d).")
                              % {"row": primary[values["person"]]})
                primary.setdefault(values["person"], number)
            self.model_errors(MEMBERSHIPS, number, Membership(order=values["order"], office_phone=values["office_phone"]),
                              ["user", "department", "post"])

    def check(self) -> list[RowError]:
        self.departments()
        self.posts()
        self.people()
        self.memberships()
        return sorted(self.errors, key=lambda error: ([s.name for s in SHEETS].index(error.sheet), error.row))


# --- Applying ---------------------------------------------------------------------------------


@contextmanager
def _at(sheet: Sheet, number: int) -> Iterator[None]:
    """Turn a service's refusal into the bad row it came from."""
    try:
        yield
    except ServiceError as exc:
        details = "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in exc.fields.items())
        raise _Invalid(RowError(sheet.name, number, f"{exc.message} {details}".strip())) from None


def _tree_order(rows: list[Row]) -> list[Row]:
    """Departments with every parent in the file before its children (the tree has no cycle)."""
    by_key = {values["external_id"]: (number, values) for number, values in rows}
    ordered: list[Row] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed or key not in by_key:
            return
        placed.add(key)
        place(by_key[key][1]["parent"])
        ordered.append(by_key[key])

    for key in by_key:
        place(key)
    return ordered


def _apply(acting_user: Any, tables: dict[Sheet, list[Row]], disable_missing: bool, tick: Callable[[int], Any]) -> None:
    departments: dict[str, Department] = {}
    for number, values in _tree_order(tables[DEPARTMENTS]):
        with _at(DEPARTMENTS, number):
            parent = departments.get(values["parent"]) or (find_department(values["parent"]) if values["parent"] else None)
            fields = {key: values[key] for key in ("kind", "name", "short_name", "order", "code", "phone", "is_active")}
            departments[values["external_id"]], _created = upsert_department(
                acting_user, values["external_id"], parent=parent, is_confidential=values["is_confidential"], **fields)
        tick(1)
    posts: dict[str, Post] = {}
    for number, values in tables[POSTS]:
        with _at(POSTS, number):
            department = departments.get(values["department"]) or find_department(values["department"])
            posts[values["external_id"]], _created = upsert_post(acting_user, values["external_id"], department=department,  # type: ignore[arg-type]
                                                                 name=values["name"], order=values["order"])
        tick(1)
    people: dict[str, Any] = {}
    for number, values in tables[PEOPLE]:
        with _at(PEOPLE, number):
            fields = {key: values[key] for key in ("username", "display_name", "email", "mobile", "office_phone", "status", "is_active")}
            people[values["external_id"]], _created = upsert_person(acting_user, values["external_id"], reason=_("Imported as inactive."),
                                                                    **fields)
        tick(1)
    wanted: dict[str, list[tuple[int, MembershipSpec]]] = {key: [] for key in people}
    for number, values in tables[MEMBERSHIPS]:
        department = departments.get(values["department"]) or find_department(values["department"])
        post = (posts.get(values["post"]) or find_post(values["post"])) if values["post"] else None
        wanted.setdefault(values["person"], []).append((number, MembershipSpec(
            department=department, post=post, **{key: values[key] for key in  # type: ignore[arg-type]
                                                  ("is_primary", "is_leader", "is_deputy", "order", "office_phone")})))
    for key, specs in wanted.items():
        with _at(MEMBERSHIPS if specs else PEOPLE, specs[0][0] if specs else 0):
            set_memberships(acting_user, people.get(key) or find_person(key), [spec for _number, spec in specs])
        tick(len(specs))
    if disable_missing:
        listed = [user.pk for user in people.values()]
        missing = (get_user_model().objects.filter(Q(directory_person__isnull=False) | Q(memberships__isnull=False), is_active=True)
                   .exclude(pk__in=listed).distinct())
        for user in missing:
            with _at(PEOPLE, 0):
                services.disable_person(acting_user=acting_user, user=user, reason=_("Not in the imported file."))


def import_file(acting_user: Any, source: IO[bytes] | Path, fmt: str, *, dry_run: bool = False, disable_missing: bool = False,
                progress: Callable[[int], Any] | None = None) -> ImportReport:
    """Check, then apply, a whole-organisation file (see the module's description).

    ``progress(total)`` is called once with the number of rows and returns an object whose
    ``update(n)`` is called as rows are applied (a ``tqdm``). A dry run checks and applies,
    reports what would change, and rolls back.
    """
    if acting_user is not None:
        require_sync(acting_user)
    report = ImportReport(dry_run=dry_run)
    try:
        raw = _raw_tables(source, fmt)
    except _Invalid as invalid:
        report.errors.append(invalid.error)
        return report
    tables = {sheet: _parse(sheet, raw.get(sheet.name), report.errors) for sheet in SHEETS}
    report.errors.extend(_Checker(acting_user, tables).check())
    if report.errors:
        return report
    bar = progress(sum(len(rows) for rows in tables.values())) if progress else None
    try:
        with transaction.atomic():
            first = ChangeEvent.objects.aggregate(last=Max("id"))["last"] or 0
            _apply(acting_user, tables, disable_missing, bar.update if bar else lambda n: None)
            made = ChangeEvent.objects.filter(id__gt=first).values("entity", "action").annotate(n=Count("id"))
            report.changes = {f"{row['entity']}.{row['action']}": row["n"] for row in made}
            if dry_run:
                transaction.set_rollback(True)
            elif report.changes:
                audit.record("directory.imported", actor=acting_user, detail=fmt, changes={"changes": [None, report.changes]})
    except _Invalid as invalid:
        report.errors.append(invalid.error)
        report.changes = {}
    finally:
        if bar is not None:
            bar.close()
    return report
