"""Random trigger sequences and data changes: the state stays legal, the audit chain verifies."""

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine
from sqlmodel import Session

from states import PHASES, CaseState, Trigger, destination
from states.sections import editable_sections
from states.table import rules_for
from tests.chain import assert_chain_intact
from tests.factories import DatabaseTarget, make_ready, make_world, new_case, patch
from workflow.audit.writer import case_chain
from workflow.core.errors import InvalidInput, SectionLocked, WorkflowError
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case
from workflow.transitions.engine import apply_trigger

TRIGGERS = [t.value for t in Trigger] + ["bogus"]


def make_machine(engine: Engine) -> type[RuleBasedStateMachine]:
    """A state machine test class bound to `engine`."""

    class CaseLifecycle(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.session = Session(engine, expire_on_commit=False)
            self.world = make_world(self.session)
            self.case = new_case(self.session, self.world.lead, now=self.world.clock)
            self.session.commit()
            assert self.case.id is not None
            self.case_id: int = self.case.id

        def _reload(self) -> Case:
            self.session.expire_all()
            case = self.session.get(Case, self.case_id)
            assert case is not None
            return case

        @rule(trigger=st.sampled_from(TRIGGERS), with_reason=st.booleans(), ready=st.booleans())
        def fire(self, trigger: str, with_reason: bool, ready: bool) -> None:
            case = self._reload()
            if ready and CaseState(case.state) in PHASES and not case.on_hold:
                make_ready(self.session, self.world, case)
                case = self._reload()
            before_state, before_version = CaseState(case.state), case.version
            before_hold, cancelled_from = case.on_hold, case.cancelled_from
            try:
                apply_trigger(
                    UnitOfWork(self.session),
                    self.case_id,
                    trigger,
                    self.world.manager,
                    reason="Fordi" if with_reason else None,
                    expected_version=case.version,
                    now=self.world.tick(),
                )
            except WorkflowError:
                after = self._reload()
                assert (after.state, after.version) == (before_state.value, before_version)
                return
            after = self._reload()
            trig = Trigger(trigger)
            assert rules_for(before_state, trig), f"{before_state} --{trig}--> not in table"
            origin = CaseState(cancelled_from) if cancelled_from else None
            assert after.state == destination(before_state, trig, origin)
            assert after.version == before_version + 1
            if trig is Trigger.PAUSE:
                assert not before_hold and after.on_hold
            if trig is Trigger.RESUME:
                assert before_hold and not after.on_hold
            if trig is Trigger.ADVANCE:
                assert not before_hold

        @rule(
            field=st.sampled_from(["description", "target_group", "expected_value"]),
            value=st.text(min_size=0, max_size=30),
        )
        def edit_need(self, field: str, value: str) -> None:
            case = self._reload()
            state, version = case.state, case.version
            try:
                patch(
                    self.session,
                    case,
                    {"need": {field: value or None}},
                    self.world.manager,
                    self.world.clock,
                )
            except InvalidInput:
                assert "\x00" in value
                self.session.rollback()
            except SectionLocked:  # the need is open only while the case is in need
                assert "need" not in editable_sections(state)
                self.session.rollback()
            else:  # a locked section sent back unchanged is no change at all
                assert "need" in editable_sections(state) or self._reload().version == version

        @invariant()
        def state_is_legal(self) -> None:
            case = self._reload()
            state = CaseState(case.state)
            assert not (case.on_hold and state not in PHASES)
            assert (case.cancelled_from is not None) == (state is CaseState.CANCELLED)

        @invariant()
        def audit_chain_verifies(self) -> None:
            events = assert_chain_intact(self.session, case_chain(self.case_id))
            transitions = [json.loads(e.data) for e in events if e.action == "case.transition"]
            case = self._reload()
            if transitions:
                assert transitions[-1]["to"] == case.state

        def teardown(self) -> None:
            self.session.close()

    return CaseLifecycle


def test_random_trigger_sequences_keep_the_case_legal(db: DatabaseTarget) -> None:
    run_state_machine_as_test(
        make_machine(db.engine),
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            database=None,
        ),
    )
