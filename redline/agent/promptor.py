"""The promptor flow: a completion prompt designed with the user, in conversation (Promptor).

engage ─▶ derive ─▶ evaluate ─▶ test ─▶ refine ─┬─a change─▶ evaluate (refused: back to refine)
                                                └─accept──▶ finalize ─▶ consent ─▶ END

The six steps of Promptor (Shen et al., 2023) as nodes; the user's turns are
LangGraph interrupts. engage asks what the suggestions are for (task preset,
file type, length, how much of the user's writing to show, tone); derive
writes an intermediate template with ``{examples}``, ``{context}`` and
``{prefix}`` (with a designer model, the model words its instruction line);
evaluate validates it and runs a test prediction; test measures keystroke
savings on held-out passages of the user's own writing beside the active
prompt and shows predictions next to what the user really wrote; refine
takes the user's changes; finalize stores the prompt as a new, inactive
version; consent activates it only when the user says so.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import END
from langgraph.types import Command, interrupt

from redline.agent.graphs import chain, graph_of
from redline.agent.pairwise import Item
from redline.agent.prompt_trials import CompletionTrials
from redline.agent.prompts import (
    COMPLETION_TASK,
    CompletionPrompt,
    kind_task,
    to_body,
    with_changes,
)
from redline.errors import InputError, RedlineError
from redline.memory.prompt_versions import PromptVersion, PromptVersions
from redline.predictors.base import Predictor, Prompt, generate

TEST_PASSAGES = 3
MAX_REFINEMENTS = 8


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    choices: dict[str, Any]  # the word the user types -> the value it sets
    default: str


PRESETS = {  # task presets: a header line and how much of the user's writing to show
    "replies": ("Replies I wrote, in my own words.\n\n", 1200),
    "notes": ("My notes.\n\n", 2400),
    "prose": ("", 2400),
    "lists": ("My lists and plans.\n\n", 1200),
}

QUESTIONS = (
    Question("preset", "What do you write with it: replies, notes, prose or lists?",
             {name: name for name in PRESETS}, "prose"),
    Question("kind", "For which documents: all, or one file type (md, txt, eml ...)?",
             {"all": ""}, "all"),
    Question("length", "How long should a suggestion be: short (a few words), medium (a"
             " phrase) or long (up to a sentence)?", {"short": 4, "medium": 8, "long": 16},
             "medium"),
    Question("examples", "How much of your own writing should the model see: none, a little,"
             " some or a lot?", {"none": 0, "little": 600, "some": 1200, "lot": 2400}, "some"),
    Question("tone", "In a few words, the tone or style to keep (or 'skip'):", {"skip": ""},
             "skip"),
)  # fmt: skip

REFINEMENTS = (
    "accept",
    "shorter",
    "longer",
    "more examples",
    "fewer examples",
    "no instruction",
    "template: <your own template>",
    "cancel",
)


@dataclass(frozen=True)
class Prediction:
    typed: str  # the start of a passage of the user's writing
    predicted: str  # what the prompt suggested next
    actual: str  # what the user really wrote next


@dataclass(frozen=True)
class TestReport:
    """Keystroke savings of the designed prompt and of the active one on held-out passages."""

    passages: int
    ksr: float
    active_ksr: float
    predictions: list[Prediction] = field(default_factory=list)

    def describe(self) -> str:
        if not self.passages:
            return "no passage of your writing to measure on (observe some first)"
        return (
            f"on {self.passages} held-out passage(s) of your writing: keystroke savings"
            f" {self.ksr:.1%} with this prompt, {self.active_ksr:.1%} with the active one"
        )


class PromptorState(TypedDict, total=False):
    request: str
    answers: dict[str, Any]
    design: CompletionPrompt  # the last valid design
    proposal: CompletionPrompt | None  # a change waiting for evaluation
    problem: str | None  # why the last proposal was refused
    report: TestReport
    refinements: int
    accepted: bool
    version: PromptVersion | None
    activated: bool


@dataclass
class PromptorDeps:
    trials: Callable[[str], CompletionTrials]  # held-out passages of one file type ("" for all)
    versions: PromptVersions
    active: Callable[[str], CompletionPrompt]  # the active completion prompt of a task
    designer: Predictor | None = None  # a stronger model that words the instruction line
    seed: int = 0


def parse_choice(question: Question, text: str) -> Any:
    """The value an answer sets, or a clear error naming the choices."""
    answer = text.strip().lower()
    if not answer:
        answer = question.default
    for word, value in question.choices.items():
        if re.search(rf"\b{re.escape(word)}\b", answer):
            return value
    if question.key == "kind":
        return kind_task(answer).split(":", 1)[1]
    if question.key == "tone":
        return text.strip()
    raise InputError(f"please answer with one of: {', '.join(question.choices)}")


def derive_design(
    request: str, answers: dict[str, Any], instruction: str | None
) -> CompletionPrompt:
    """The intermediate template from the answers (Promptor's step 2)."""
    header, context_chars = PRESETS[answers["preset"]]
    line = instruction if instruction is not None else _instruction(request, answers["tone"])
    if line:
        header = f"{line}\n\n"
    examples = answers["examples"]
    return with_changes(
        CompletionPrompt(),
        template=f"{_escape(header)}{{examples}}{{prefix}}",
        context_chars=examples if examples is not None else context_chars,
        max_tokens=answers["length"],
    )


def apply_refinement(design: CompletionPrompt, text: str) -> CompletionPrompt | None:
    """The design after the user's change (None for accept); an invalid template is refused."""
    answer = text.strip()
    word = answer.lower()
    if word.startswith("template:"):
        return with_changes(design, template=answer.split(":", 1)[1].strip().replace("\\n", "\n"))
    if word in ("accept", "ok", "yes", "save"):
        return None
    tokens = design.max_tokens or 16
    chars = design.context_chars if design.context_chars is not None else 2400
    changes = {
        "shorter": {"max_tokens": max(2, tokens // 2)},
        "longer": {"max_tokens": min(64, tokens * 2)},
        "more examples": {"context_chars": min(6000, max(600, chars * 2))},
        "fewer examples": {"context_chars": chars // 2},
        "no instruction": {"template": "{examples}{prefix}"},
    }
    if word not in changes:
        raise InputError(
            f"I did not understand {answer!r}", f"answer with one of: {', '.join(REFINEMENTS)}"
        )
    return with_changes(design, **changes[word])


def build_promptor_graph(deps: PromptorDeps) -> Any:
    """Compile the promptor flow, with a checkpointer so that the user's turns can resume it."""
    rng = random.Random(deps.seed)
    held_out: dict[str, list[Item]] = {}
    active_scores: dict[str, float] = {}
    trials_by_kind: dict[str, CompletionTrials] = {}

    def target(state: PromptorState) -> str:
        kind = state["answers"]["kind"]
        return kind_task(kind) if kind else COMPLETION_TASK

    def engage(state: PromptorState) -> PromptorState:
        answers: dict[str, Any] = {}
        problem = None
        for question in QUESTIONS:
            while question.key not in answers:
                asked = f"{problem}\n{question.text}" if problem else question.text
                reply = interrupt({"step": "engage", "ask": asked,
                                   "choices": list(question.choices)})  # fmt: skip
                try:
                    answers[question.key] = parse_choice(question, str(reply))
                    problem = None
                except InputError as exc:
                    problem = exc.message
        return {"answers": answers, "refinements": 0}

    def derive(state: PromptorState) -> PromptorState:
        instruction = None
        if deps.designer is not None:
            instruction = _ask_designer(deps.designer, state["request"], state["answers"])
        design = derive_design(state["request"], state["answers"], instruction)
        return {"proposal": design, "problem": None}

    def evaluate(state: PromptorState) -> PromptorState:
        proposal = state["proposal"]
        try:
            proposal.validate()
            trials = _trials(state)
            probe = _passages(state)[:1] or [Item("probe", state["request"], COMPLETION_TASK)]
            trials.show(proposal, probe)  # a test prediction runs
        except RedlineError as exc:
            refused: PromptorState = {"problem": f"that template was refused: {exc.message}",
                                      "proposal": None}  # fmt: skip
            if "design" not in state:  # nothing valid yet: start from the active prompt
                refused["design"] = deps.active(target(state))
            return refused
        return {"design": proposal, "proposal": None, "problem": None}

    def test(state: PromptorState) -> PromptorState:
        if state.get("problem") and "report" in state:
            return {}
        items, trials, task = _passages(state), _trials(state), target(state)
        if not items:
            return {"report": TestReport(0, 0.0, 0.0)}
        ours = trials.run(state["design"], items)
        if task not in active_scores:
            theirs = trials.run(deps.active(task), items)
            active_scores[task] = sum(o.score or 0 for o in theirs) / len(theirs)
        shown = trials.show(state["design"], items)
        predictions = [
            Prediction(typed, output.text, item.source[len(typed) :][:120])
            for (typed, output), item in zip(shown, items, strict=True)
        ]
        ksr = sum(o.score or 0 for o in ours) / len(ours)
        return {"report": TestReport(len(items), ksr, active_scores[task], predictions)}

    def refine(state: PromptorState) -> PromptorState:
        problem = state.get("problem")
        while True:
            asked = {"step": "refine", "report": state["report"], "problem": problem,
                     "design": state["design"], "choices": list(REFINEMENTS)}  # fmt: skip
            reply = interrupt(asked)
            if str(reply).strip().lower() == "cancel":
                return {"accepted": False, "proposal": None}
            try:
                proposal = apply_refinement(state["design"], str(reply))
            except InputError as exc:
                problem = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
                continue
            if proposal is None:
                return {"accepted": True, "proposal": None}
            return {"proposal": proposal, "refinements": state["refinements"] + 1}

    def after_refine(state: PromptorState) -> str:
        if state.get("proposal") is not None and state["refinements"] <= MAX_REFINEMENTS:
            return "evaluate"
        return "finalize" if state.get("accepted") else END

    def finalize(state: PromptorState) -> PromptorState:
        task, report = target(state), state["report"]
        evidence = {"request": state["request"], "passages": report.passages,
                    "ksr": report.ksr, "active_ksr": report.active_ksr}  # fmt: skip
        active_id = deps.versions.active_id(task) or deps.versions.active_id(COMPLETION_TASK)
        version = deps.versions.add(task, to_body(state["design"]), active_id, "promptor", evidence)
        return {"version": version, "activated": False}

    def consent(state: PromptorState) -> PromptorState:
        version = state["version"]
        ask = f"Saved {version.label}, not active. Use it from now on? (yes/no)"
        yes = interrupt({"step": "consent", "version": version, "ask": ask})
        if str(yes).strip().lower() in ("y", "yes", "ok", "sure"):
            version = deps.versions.activate(version.id, "designed with you (promptor)")
            return {"version": version, "activated": True}
        return {}

    def _trials(state: PromptorState) -> CompletionTrials:
        kind = state["answers"]["kind"]
        if kind not in trials_by_kind:
            trials_by_kind[kind] = deps.trials(kind)
        return trials_by_kind[kind]

    def _passages(state: PromptorState) -> list[Item]:
        kind, trials = state["answers"]["kind"], _trials(state)
        if kind not in held_out:
            items = trials.items()
            rng.shuffle(items)
            held_out[kind] = items[:TEST_PASSAGES]
            trials.hold_out(held_out[kind])
        return held_out[kind]

    graph = graph_of(
        PromptorState,
        {"engage": engage, "derive": derive, "evaluate": evaluate, "test": test,
         "refine": refine, "finalize": finalize, "consent": consent},
    )  # fmt: skip
    chain(graph, "engage", "derive", "evaluate", "test", "refine")
    graph.add_conditional_edges("refine", after_refine, ["evaluate", "finalize", END])
    chain(graph, "finalize", "consent", END)
    return graph.compile(checkpointer=InMemorySaver(serde=JsonPlusSerializer(
        allowed_msgpack_modules=[(cls.__module__, cls.__name__) for cls in _CHECKPOINTED]
    )))  # fmt: skip


# The types the conversation's checkpoints hold.
_CHECKPOINTED = (CompletionPrompt, Prediction, TestReport, PromptVersion)


@dataclass(frozen=True)
class Turn:
    """What the designer says next: a question with its choices, or the end of the design."""

    step: str  # engage, refine, consent, or done
    ask: str
    choices: list[str] = field(default_factory=list)
    report: TestReport | None = None
    design: CompletionPrompt | None = None
    version: PromptVersion | None = None
    activated: bool = False


class PromptDesigner:
    """One design conversation: ``start`` with what the user wants, then ``reply`` to each turn."""

    def __init__(self, deps: PromptorDeps) -> None:
        self.graph = build_promptor_graph(deps)
        self.config = {"configurable": {"thread_id": uuid.uuid4().hex}, "recursion_limit": 200}

    def start(self, request: str) -> Turn:
        if not request.strip():
            raise InputError("say what the suggestions should help you write")
        return self._turn(self.graph.invoke({"request": request.strip()}, self.config))

    def reply(self, text: str) -> Turn:
        return self._turn(self.graph.invoke(Command(resume=text), self.config))

    def _turn(self, state: dict[str, Any]) -> Turn:
        pending = state.get("__interrupt__")
        if not pending:
            version = state.get("version")
            if version is None:
                return Turn("done", "Stopped: nothing was saved.")
            said = "is active now" if state.get("activated") else "is saved, not active"
            return Turn("done", f"{version.label} {said}.", version=version,
                        activated=bool(state.get("activated")))  # fmt: skip
        value = pending[0].value
        if value["step"] == "refine":
            return Turn("refine", _refine_text(value), value["choices"], value["report"],
                        value["design"])  # fmt: skip
        return Turn(value["step"], value["ask"], value.get("choices", []),
                    version=value.get("version"))  # fmt: skip


def _refine_text(value: dict[str, Any]) -> str:
    report: TestReport = value["report"]
    lines = [f"Tested {report.describe()}."]
    for p in report.predictions:
        lines.append(f"  …{p.typed[-60:]!r}")
        lines.append(f"    predicted: {p.predicted!r}\n    you wrote: {p.actual[:60]!r}")
    if value.get("problem"):
        lines.append(value["problem"])
    lines.append("Keep it (accept), or change it: " + ", ".join(value["choices"][1:]) + ".")
    return "\n".join(lines)


def _instruction(request: str, tone: str) -> str:
    line = request.strip().rstrip(".")
    if tone:
        line = f"{line}; tone: {tone.strip().rstrip('.')}"
    return f"{line[0].upper()}{line[1:]}." if line else ""


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _ask_designer(designer: Predictor, request: str, answers: dict[str, Any]) -> str | None:
    """A designer model's one-line instruction for the prompt, or None when it gives none."""
    asked = (
        "You design prompts for an inline text-completion model that continues the user's"
        f" own writing. The user wants: {request}. Tone: {answers['tone'] or 'their own'}."
        " Write one short line to place above examples of their writing. Reply with the line."
    )
    line = generate(designer, Prompt(text=asked, raw=False), max_tokens=60).text.strip()
    line = line.splitlines()[0].strip().strip('"') if line else ""
    return line or None
