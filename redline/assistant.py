"""Assistant: the one facade every face (CLI, language server, terminal UI) uses."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline.config import Settings, load_settings
from redline.errors import InputError

if TYPE_CHECKING:
    from redline.agent.chat import Conversations
    from redline.agent.duel import Duel
    from redline.agent.optimize import OptimizeResult
    from redline.agent.promptor import PromptDesigner
    from redline.drafts import Draft, Learned


class Assistant:
    """A personal writing assistant over one data directory.

    ``model`` is None for the embedded default, a GGUF path, or a litellm
    model id. ``learning=False`` never learns and never uses what was
    learned (the no-learning baseline). Nothing heavy happens here: the
    store opens now, the models load on first use.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        model: str | None = None,
        learning: bool = True,
        settings: Settings | None = None,
    ) -> None:
        overrides = {"data_dir": str(data_dir) if data_dir is not None else None, "model": model}
        if settings is None:
            settings = load_settings(overrides)
        else:
            settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        self.settings = settings
        self.learning = learning and self.settings.learning

        from redline.agent.prompts import ActiveDesigns, builtin_bodies, is_kind_task
        from redline.memory.embedder import Embedder
        from redline.memory.preferences import PreferenceMemory
        from redline.memory.prompt_versions import PromptVersions
        from redline.memory.store import Store
        from redline.memory.writing import WritingMemory

        self.store = Store(self.settings.data_path)
        self.embedder = Embedder(self.settings.embedding_device)
        self.writing = WritingMemory(self.store, self.embedder)
        self.preferences = PreferenceMemory(self.store, self.embedder)
        self.prompts = PromptVersions(self.store, builtin_bodies(), is_kind_task)
        self.designs = ActiveDesigns(self.prompts)
        self._predictor: Any = None
        self._complete_graph: Any = None
        self._draft_graph: Any = None
        self._learn_graph: Any = None
        self._conversations: Conversations | None = None
        self._lock = threading.RLock()

    # -- models, loaded on first use ------------------------------------------

    @property
    def predictor(self) -> Any:
        with self._lock:
            if self._predictor is None:
                from redline.predictors.factory import make_predictor

                self._predictor = make_predictor(self.settings)
            return self._predictor

    def _complete_flow(self) -> Any:
        with self._lock:
            if self._complete_graph is None:
                from redline.agent.complete import CompleteDeps, build_complete_graph
                from redline.agent.documents import Documents

                self._complete_graph = build_complete_graph(
                    CompleteDeps(
                        writing=self.writing,
                        predictor=self.predictor,
                        design=self.designs.completion,
                        documents=Documents(),
                        context_chars=self.settings.context_chars,
                        personal=self.learning,
                    )
                )
            return self._complete_graph

    def _draft_flow(self) -> Any:
        with self._lock:
            if self._draft_graph is None:
                from redline.agent.draft import DraftDeps, build_draft_graph

                self._draft_graph = build_draft_graph(
                    DraftDeps(self.predictor, self.preferences, self.learning, self.designs)
                )
            return self._draft_graph

    def _learn_flow(self) -> Any:
        with self._lock:
            if self._learn_graph is None:
                from redline.agent.learn import LearnDeps, build_learn_graph

                self._learn_graph = build_learn_graph(
                    LearnDeps(self.predictor, self.preferences, self.designs)
                )
            return self._learn_graph

    # -- public API ------------------------------------------------------------

    def observe_writing(self, text: str, uri: str | None = None) -> None:
        """Add a piece of the user's own writing to their personal memory."""
        self.observe_many([(text, uri)])

    def observe_many(self, samples: list[tuple[str, str | None]]) -> int:
        """Add pieces of writing, (text, uri) each, in one batch; returns the new passages.

        A text too long to observe is refused before anything is stored.
        """
        for text, _ in samples:
            if not isinstance(text, str):
                raise InputError("observe takes text (str)", "decode the file as UTF-8 first")
        return self.writing.observe_many(samples) if self.learning else 0

    def complete(
        self, prefix: str, suffix: str = "", uri: str | None = None, max_tokens: int | None = None
    ) -> str:
        """Text to insert at the cursor: whole words, or "" when nothing useful."""
        return self.complete_detail(prefix, suffix, uri, max_tokens)["suggestion"]

    def complete_detail(
        self,
        prefix: str,
        suffix: str = "",
        uri: str | None = None,
        max_tokens: int | None = None,
        cancel: Any = None,
        typed_by_hand: bool = False,
        phrases_only: bool = False,
    ) -> dict[str, Any]:
        """Like :meth:`complete`, with the flow's state: ``source`` (cache, phrases, model, none)
        and, when the model ran, the ``prompt`` it was given.

        A face that sees each keystroke passes ``typed_by_hand`` when the text
        added since its last request was typed, not accepted: words of the last
        suggestion that arrive in one piece are otherwise read as accepted, and
        the word after them as refused. ``phrases_only`` never asks the model
        (nor the embedder): a face whose models are still loading answers from
        the cache and the user's phrases.
        """
        state = {
            "prefix": prefix,
            "suffix": suffix,
            "uri": uri,
            "max_tokens": max_tokens or self.settings.max_tokens,
            "cancel": cancel,
            "typed_by_hand": typed_by_hand,
            "phrases_only": phrases_only,
        }
        with self._lock:
            result = self._complete_flow().invoke(state)
        return {"suggestion": "", "source": "none", **result}

    def draft(self, source: str, task: str = "summarize", preference: str | None = None) -> Draft:
        """A draft from ``source`` for ``task`` (summarize, email, rewrite, continue, or an
        instruction in words), shaped by the learned preferences, or by ``preference`` when
        given (which then replaces them)."""
        from redline.drafts import Draft

        if not isinstance(task, str) or not task.strip():
            raise InputError("a draft needs a task", "summarize, email, rewrite or an instruction")
        with self._lock:
            state = self._draft_flow().invoke(
                {"source": source, "task": task, "preference": preference}
            )
        return Draft(state["text"], state.get("preference"), state.get("id"), task, state["origin"])

    def remember_suggestion(self, text: str, before: str, task: str = "complete") -> Draft:
        """Record a suggestion the user accepted (``before``: the text it followed), so that
        :meth:`learn` can read the user's later edits of it as edits of a draft (with learning
        off nothing is stored)."""
        from redline.drafts import Draft

        if not self.learning:
            return Draft(text, None, None, task)
        context = self.preferences.context(task, before[-2000:] or text)
        draft_id = self.preferences.save_draft(context, before, text, None, [])
        return Draft(text, None, draft_id, task)

    def learn(self, draft: Draft | int, edited: str) -> Learned:
        """Learn from the user's version of a draft (a no-op when it is unchanged)."""
        from redline.drafts import Learned

        if not isinstance(edited, str):
            raise InputError("learn takes the edited text (str)", "decode the file as UTF-8 first")
        if not self.learning:
            return Learned(None, [], "learning is off")
        record = self.preferences.draft(draft if isinstance(draft, int) else draft.id)
        with self._lock:
            state = self._learn_flow().invoke({"draft": record, "edited": edited})
        if state.get("skipped"):
            return Learned(None, [], state["skipped"])
        return Learned(state["preference"], state["rules"], None)

    def optimize(
        self,
        task: str,
        rounds: int = 5,
        optimizer: str | None = None,
        judge: str | None = None,
        seed: int = 0,
        progress: Any = None,
        sample: int = 6,
        cancel: Any = None,
    ) -> OptimizeResult:
        """Look for a better prompt for ``task`` on the user's own history (SPO).

        ``optimizer`` and ``judge`` name other models (a GGUF path or a litellm
        id); ``sample``: how many items of the history each round runs on (as
        many again at most are held out); ``cancel`` (a Cancellation) ends the
        run after the current round. The best prompt found is stored as a new
        version and activated only when it also wins on held-out items.
        """
        from redline.agent.optimize import OptimizeDeps, run_optimize
        from redline.agent.pairwise import ModelJudge
        from redline.agent.prompts import check_task
        from redline.predictors.counting import CountingPredictor, Tally
        from redline.predictors.factory import make_predictor

        task = check_task(task)
        if rounds < 1:
            raise InputError("optimize needs at least one round")
        tally = Tally()
        counted = CountingPredictor(self.predictor, tally)
        others = [make_predictor(replace(self.settings, model=m)) if m else None
                  for m in (optimizer, judge)]  # fmt: skip
        optimizer_model, judge_model = (CountingPredictor(p, tally) if p else None for p in others)
        deps = OptimizeDeps(
            trials=self._trials(task, counted),
            versions=self.prompts,
            start=self.prompts.active(task),
            start_design=self.designs(task),
            fallback_judge=ModelJudge(counted),
            tally=tally,
            judge=ModelJudge(judge_model) if judge_model else None,
            optimizer=optimizer_model,
            rounds=rounds,
            sample_size=sample,
            held_out_size=sample,
            seed=seed,
            progress=progress or (lambda what, done, total: None),
            cancel=cancel,
        )
        try:
            return run_optimize(deps)
        finally:
            for predictor in others:
                if predictor is not None:
                    predictor.close()

    def prompt_duel(
        self, task: str, version_id: int | None = None, items: int = 4, seed: int | None = None
    ) -> Duel:
        """Outputs of the active prompt and a candidate (a stored version, or a new variation)
        side by side on items of the user's history, for the user to pick from."""
        from redline.agent.duel import start_duel
        from redline.agent.prompts import check_task

        task = check_task(task)
        trials = self._trials(task, self.predictor)
        return start_duel(trials, self.prompts, self.designs(task), version_id, items, seed)

    def settle_prompt_duel(self, duel: Duel, picks: list[str]) -> tuple[Any, Any]:
        """The accept rule over the user's picks; a winning candidate becomes active.
        Returns the decision and the newly active version (None when nothing changed)."""
        from redline.agent.duel import settle_duel

        return settle_duel(duel, picks, self.prompts)

    def prompt_designer(self, designer: str | None = None, seed: int = 0) -> PromptDesigner:
        """A conversation that designs a completion prompt with the user (Promptor), tested on
        held-out passages of their writing; ``designer``: a stronger model to word it."""
        from redline.agent.prompt_trials import CompletionTrials
        from redline.agent.promptor import PromptDesigner, PromptorDeps
        from redline.predictors.factory import make_predictor

        helper = make_predictor(replace(self.settings, model=designer)) if designer else None
        return PromptDesigner(
            PromptorDeps(
                trials=lambda kind: CompletionTrials(
                    self.writing, self.predictor, self.settings.context_chars, kind
                ),
                versions=self.prompts,
                active=self.designs,
                designer=helper,
                seed=seed,
            )
        )

    def conversations(self) -> Conversations:
        """The chat conversations of this data dir (``chats.sqlite3``): answered with the learned
        preferences, draft commands and prompt design; made on first use, closed by close()."""
        conversations = self._conversations  # read without the lock, which a draft may hold
        if conversations is None:
            with self._lock:
                conversations = self._conversations
                if conversations is None:
                    from redline.agent.chat import Conversations

                    conversations = self._conversations = Conversations(self)
        return conversations

    def _trials(self, task: str, predictor: Any) -> Any:
        from redline.agent.prompt_trials import CompletionTrials, DraftTrials
        from redline.agent.prompts import COMPLETION_TASK

        if task == COMPLETION_TASK:
            return CompletionTrials(self.writing, predictor, self.settings.context_chars)
        return DraftTrials(task, self.preferences, predictor, self.designs)

    def close(self) -> None:
        """Release the models and the database."""
        with self._lock:
            if self._conversations is not None:
                self._conversations.close()
                self._conversations = None
            if self._predictor is not None:
                self._predictor.close()
                self._predictor = None
            try:
                self.writing.index.flush()
            finally:
                self.store.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
