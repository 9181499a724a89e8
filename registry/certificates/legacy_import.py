"""Write checked rows of the old registry into persons, enterprises, registrations and their specialties.

Rows arrive one by one (``LegacyImporter.add``) and are written in chunks, each in one transaction:

1. Read what the database already holds for the chunk's natural keys: persons by ID number, enterprises
   by credit code, registrations by number (with their specialties), the active registration of each
   person and the owners of the chunk's paper certificate numbers. Nothing is cached across chunks, so
   memory stays flat however long the file is, and every look-up goes through an index with no join,
   so a chunk costs the same at the end of the file as at its start.
2. Walk the rows in file order against that state plus what earlier rows of the chunk add. A row that
   contradicts either (another name for the same ID number, a registration number owned by another
   person, a second active registration...) is refused with its reason; a row already present with the
   same data changes nothing; every other row is planned.
3. Write the plan with one multi-row insert per table (enterprises, persons, registrations,
   specialties, one registration transition per registration created) and one update for registrations
   that become active again. A unique key taken meanwhile by another writer rolls the chunk back and plans it again.

Existing rows are never overwritten: a difference is a row error, so a re-run of the same file changes
nothing and an import never undoes what the new system has done since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, connection, reset_queries, transaction

from registry import clock
from registry.applications.models import (
    Registration,
    RegistrationSpecialty,
    RegistrationStatus,
    RegistrationTransition,
)
from registry.certificates import legacy
from registry.certificates.legacy import LegacyRow, Problem
from registry.people.models import Enterprise, Person

CHUNK_SIZE = 5000
IMPORT_ACTION = "legacy_import"
IMPORT_REASON = "原系统数据导入"
# Plain strings, as the database gives them back (the rows written by ``_insert`` are not adapted further).
ACTIVE = RegistrationStatus.ACTIVE.value
CANCELLED = RegistrationStatus.CANCELLED.value


@dataclass
class ImportCounts:
    """What an import did, by row and by object (no personal data: safe for the audit log)."""

    rows: int = 0
    imported: int = 0  # rows whose specialty was created
    unchanged: int = 0  # rows already present with the same data
    rejected: int = 0  # rows with at least one error (nothing of them written)
    warned: int = 0  # rows kept with a warning
    expired: int = 0  # imported rows whose validity has ended
    cancelled: int = 0  # imported rows of a cancelled specialty
    persons_created: int = 0
    enterprises_created: int = 0
    registrations_created: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts by name."""
        return dict(self.__dict__)


@dataclass
class _Registration:
    """A registration as the planner sees it: its owner and employer by natural key."""

    id_number: str
    credit_code: str
    paper_number: str
    registered_on: date
    status: str
    pk: int | None = None


@dataclass
class _Plan:
    """The writes and outcomes of one chunk, applied only once its transaction commits."""

    persons: dict[str, LegacyRow] = field(default_factory=dict)  # ID number -> the row that adds the person
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    registrations: dict[str, _Registration] = field(default_factory=dict)
    specialties: list[tuple[str, LegacyRow]] = field(default_factory=list)
    reactivated: set[int] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)


class LegacyImporter:
    """Buffers checked (or refused) rows and writes them chunk by chunk; ``finish`` writes the last one."""

    def __init__(self, *, today: date, now: datetime, report: Callable[[Problem], None],
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.today = today
        self.now = now
        self.report = report
        self.chunk_size = chunk_size
        self.counts = ImportCounts()
        self._chunk: list[LegacyRow | list[Problem]] = []

    def add(self, row: LegacyRow | list[Problem]) -> None:
        """Take one parsed row (or the errors of a row that could not be parsed)."""
        self._chunk.append(row)
        if len(self._chunk) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows in one transaction and report their problems in file order."""
        if not self._chunk:
            return
        chunk, self._chunk = self._chunk, []
        for attempt in range(3):
            try:
                with transaction.atomic():
                    plan = self._plan(chunk)
                    self._write(plan)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        # With DEBUG on, Django keeps the text of every query: drop it, or memory grows with the file.
        reset_queries()
        for problem in sorted(plan.problems, key=lambda p: (p.row, p.is_warning)):
            self.report(problem)
        for name, value in plan.counts.as_dict().items():
            setattr(self.counts, name, getattr(self.counts, name) + value)

    def finish(self) -> ImportCounts:
        """Write what is left and return the totals."""
        self.flush()
        return self.counts

    # -- planning ---------------------------------------------------------------------------------

    def _plan(self, chunk: list[LegacyRow | list[Problem]]) -> _Plan:
        plan = _Plan()
        rows = [row for row in chunk if isinstance(row, LegacyRow)]
        state = _State.load(rows)
        for row in chunk:
            plan.counts.rows += 1
            if not isinstance(row, LegacyRow):
                plan.problems.extend(row)
                plan.counts.rejected += 1
                continue
            errors = state.conflicts(row)
            plan.problems.extend(row.warnings)
            if errors:
                plan.problems.extend(errors)
                plan.counts.rejected += 1
                continue
            if row.warnings:
                plan.counts.warned += 1
            if state.has_specialty(row):
                plan.counts.unchanged += 1
                continue
            state.apply(row, plan)
            plan.counts.imported += 1
            plan.counts.cancelled += row.cancelled
            plan.counts.expired += row.has_expired(self.today)
        plan.counts.persons_created = len(plan.persons)
        plan.counts.enterprises_created = len(plan.enterprises)
        plan.counts.registrations_created = len(plan.registrations)
        return plan

    # -- writing ----------------------------------------------------------------------------------

    def _write(self, plan: _Plan) -> None:
        day = connection.ops.adapt_datefield_value
        now = self.now
        Enterprise.objects.bulk_create(plan.enterprises.values())  # a few per chunk: the ORM's way is fine
        _insert(Person, ("name", "id_number", "sex", "birth_date"), now, [
            (row.name, row.id_number, row.sex, day(row.birth_date)) for row in plan.persons.values()])
        person_pks = _pks(Person, "id_number", {reg.id_number for reg in plan.registrations.values()})
        enterprise_pks = _pks(Enterprise, "credit_code", {reg.credit_code for reg in plan.registrations.values()})
        _insert(Registration, ("number", "person_id", "employer_id", "status", "registered_on",
                               "paper_certificate_number"), now, [
            (number, person_pks[reg.id_number], enterprise_pks[reg.credit_code], reg.status,
             day(reg.registered_on), reg.paper_number)
            for number, reg in plan.registrations.items()])
        registration_pks = _pks(Registration, "number", {number for number, _row in plan.specialties})
        _insert(RegistrationSpecialty, ("registration_id", "specialty", "valid_from", "valid_to", "status"), now, [
            (registration_pks[number], row.specialty, day(row.valid_from), day(row.valid_to),
             CANCELLED if row.cancelled else ACTIVE)
            for number, row in plan.specialties])
        if plan.reactivated:
            Registration.objects.filter(pk__in=plan.reactivated, status=RegistrationStatus.CANCELLED).update(
                status=RegistrationStatus.ACTIVE, updated_at=now)
        _insert(RegistrationTransition, ("registration_id", "from_status", "to_status", "action", "reason"), now,
                [(registration_pks[number], "", reg.status, IMPORT_ACTION, IMPORT_REASON)
                 for number, reg in plan.registrations.items()]
                + [(pk, CANCELLED, ACTIVE, IMPORT_ACTION, IMPORT_REASON)
                   for pk in sorted(plan.reactivated)])


def _insert(model, fields: tuple[str, ...], now: datetime, rows: list[tuple]) -> None:
    """Insert rows of database-ready values into ``model``'s table: a COPY on PostgreSQL, else ``executemany``.

    This is ``bulk_create`` without its per-object and per-field work, which is most of an import's time.
    ``fields`` are attribute names; every other concrete column gets its default, computed once (a time
    default or ``auto_now`` field gets ``now``), so a column added to the model later is still filled.
    """
    if not rows:
        return
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    others = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in fields]
    defaults = tuple(
        f.get_db_prep_save(now if getattr(f, "auto_now", False) or f.default is clock.now else f.get_default(),
                           connection)
        for f in others
    )
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in given + others)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's bulk load, one stream per table (an INSERT per row is parsed row by row).
            # It runs on the driver's cursor, so Django's error translation (IntegrityError...) is applied here.
            with connection.wrap_database_errors, cursor.cursor.copy(
                    f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + defaults)
            return
        placeholders = ", ".join(["%s"] * (len(given) + len(others)))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                           [row + defaults for row in rows])


def _pks(model, key: str, values: Iterable[str]) -> dict[str, int]:
    """Return the primary keys of the rows of ``model`` whose ``key`` is one of ``values``."""
    values = list(values)
    if not values:
        return {}
    return dict(model.objects.filter(**{f"{key}__in": values}).values_list(key, "pk"))


@dataclass
class _State:
    """What the database holds for one chunk's keys, plus what the chunk's earlier rows add."""

    person_names: dict[str, str]  # ID number -> name
    enterprises: dict[str, tuple[str, str]]  # credit code -> (name, district)
    registrations: dict[str, _Registration]  # number -> registration
    specialties: dict[tuple[str, str], tuple[date, date, bool]]  # (number, specialty) -> validity, cancelled
    active_registration: dict[str, str]  # ID number -> number of the person's active registration
    paper_owners: dict[str, str]  # paper certificate number -> registration number

    @classmethod
    def load(cls, rows: list[LegacyRow]) -> _State:
        """Read the database's rows for the natural keys of ``rows``.

        Six queries, each on a unique or foreign-key index with the chunk's keys and no join, so each costs
        the same however many rows the tables already hold.
        """
        persons = {id_number: (pk, name) for id_number, pk, name in Person.objects.filter(
            id_number__in={row.id_number for row in rows}).values_list("id_number", "pk", "name")}
        enterprises = {code: (pk, name, district) for code, pk, name, district in Enterprise.objects.filter(
            credit_code__in={row.credit_code for row in rows}).values_list("credit_code", "pk", "name", "district")}
        id_number_of = {pk: id_number for id_number, (pk, _name) in persons.items()}
        credit_code_of = {pk: code for code, (pk, _name, _district) in enterprises.items()}
        registrations: dict[str, _Registration] = {}
        number_of: dict[int, str] = {}
        for pk, number, person_id, employer_id, paper, registered_on, status in Registration.objects.filter(
                number__in={row.registration_number for row in rows}).values_list(
                "pk", "number", "person_id", "employer_id", "paper_certificate_number", "registered_on", "status"):
            # An owner or employer outside the chunk's keys is another one: a key no row can have says so.
            registrations[number] = _Registration(
                id_number=id_number_of.get(person_id, f"#{person_id}"),
                credit_code=credit_code_of.get(employer_id, f"#{employer_id}"),
                paper_number=paper, registered_on=registered_on, status=status, pk=pk)
            number_of[pk] = number
        specialties = {
            (number_of[registration_id], specialty): (valid_from, valid_to, status == CANCELLED)
            for registration_id, specialty, valid_from, valid_to, status in RegistrationSpecialty.objects.filter(
                registration_id__in=number_of).values_list(
                "registration_id", "specialty", "valid_from", "valid_to", "status")
        }
        active = Registration.objects.filter(person_id__in=id_number_of, status=ACTIVE).values_list(
            "person_id", "number")
        return cls(
            person_names={id_number: name for id_number, (_pk, name) in persons.items()},
            enterprises={code: (name, district) for code, (_pk, name, district) in enterprises.items()},
            registrations=registrations,
            specialties=specialties,
            active_registration={id_number_of[person_id]: number for person_id, number in active},
            paper_owners=dict(Registration.objects.filter(
                paper_certificate_number__in={row.paper_number for row in rows}).values_list(
                "paper_certificate_number", "number")),
        )

    def conflicts(self, row: LegacyRow) -> list[Problem]:
        """Return the reasons the row contradicts what is known, in column order (empty when it fits)."""
        found: list[tuple[str, str]] = []
        name = self.person_names.get(row.id_number)
        if name is not None and name != row.name:
            found.append((legacy.NAME, "该身份证号已登记的姓名与本行不同"))
        enterprise = self.enterprises.get(row.credit_code)
        if enterprise is not None and enterprise[0] != row.employer_name:
            found.append((legacy.EMPLOYER, "该统一社会信用代码已登记的企业名称与本行不同"))
        elif enterprise is not None and enterprise[1] != row.district:
            found.append((legacy.DISTRICT, "该企业已登记的所在区县与本行不同"))
        number = row.registration_number
        registration = self.registrations.get(number)
        if registration is not None:
            found.extend(self._registration_conflicts(row, registration))
        owner = self.paper_owners.get(row.paper_number)
        if owner is not None and owner != number:
            found.append((legacy.PAPER_NUMBER, "该纸质证书编号已属于另一个注册编号"))
        known = self.specialties.get((number, row.specialty))
        if known is not None and known != (row.valid_from, row.valid_to, row.cancelled):
            found.append((legacy.SPECIALTY, "该注册的此专业已导入，有效期或状态与本行不同"))
        active = self.active_registration.get(row.id_number)
        if not row.cancelled and active is not None and active != number:
            found.append((legacy.REGISTRATION_NUMBER, "该人员已有另一个有效注册，不能同时有两个有效注册"))
        return [Problem(row.row, column, reason) for column, reason in found]

    @staticmethod
    def _registration_conflicts(row: LegacyRow, registration: _Registration) -> list[tuple[str, str]]:
        if registration.id_number != row.id_number:
            return [(legacy.REGISTRATION_NUMBER, "该注册编号已属于另一人员")]
        found = []
        if registration.credit_code != row.credit_code:
            found.append((legacy.CREDIT_CODE, "该注册编号已登记在另一聘用企业"))
        if registration.paper_number != row.paper_number:
            found.append((legacy.PAPER_NUMBER, "该注册编号已登记的纸质证书编号与本行不同"
                          if registration.paper_number else "该注册编号已在本系统办理，不是纸质证书注册"))
        if row.registered_on is not None and row.registered_on != registration.registered_on:
            found.append((legacy.REGISTERED_ON, "与该注册编号已登记的初始注册日期不同"))
        return found

    def has_specialty(self, row: LegacyRow) -> bool:
        """Return whether the row's specialty is already there with the same data."""
        return (row.registration_number, row.specialty) in self.specialties

    def apply(self, row: LegacyRow, plan: _Plan) -> None:
        """Add the row's new objects to the plan and to the state later rows of the chunk are checked against."""
        if row.id_number not in self.person_names:
            self.person_names[row.id_number] = row.name
            plan.persons[row.id_number] = row
        if row.credit_code not in self.enterprises:
            self.enterprises[row.credit_code] = (row.employer_name, row.district)
            plan.enterprises[row.credit_code] = Enterprise(credit_code=row.credit_code, name=row.employer_name,
                                                           district=row.district)
        number = row.registration_number
        status = CANCELLED if row.cancelled else ACTIVE
        registration = self.registrations.get(number)
        if registration is None:
            registration = _Registration(id_number=row.id_number, credit_code=row.credit_code,
                                         paper_number=row.paper_number,
                                         registered_on=row.registered_on or row.valid_from, status=status)
            self.registrations[number] = plan.registrations[number] = registration
            self.paper_owners[row.paper_number] = number
        elif not row.cancelled and registration.status == CANCELLED:
            # A registration is active while one of its specialties is.
            registration.status = ACTIVE
            if registration.pk is not None:
                plan.reactivated.add(registration.pk)
        if not row.cancelled:
            self.active_registration[row.id_number] = number
        self.specialties[(number, row.specialty)] = (row.valid_from, row.valid_to, row.cancelled)
        plan.specialties.append((number, row))
