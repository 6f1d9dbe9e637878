"""Smoke test in a real editor: Emacs in batch mode with the README's eglot setup as written
starts `redline lsp`; a note is typed, completed with `completion-at-point`, and a paragraph
summarized with `eglot-code-actions`.

Works with Emacs 28 and eglot from Debian's `elpa-eglot` as well as Emacs 29+ (eglot built in).
The Emacs side writes what it saw to a JSON file (SMOKE_OUT) after every step; the asserts are
here, so a failure shows everything Emacs got.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.conftest import fresh_memory

# `emacs -Q` skips Debian's site startup, which is what puts its elpa-* packages on the package
# path: name that directory, and keep the user's own ~/.emacs.d/elpa out.
LOAD_EGLOT = r"""
(require 'package)
(setq package-user-dir (make-temp-name "/nonexistent/redline-smoke-elpa-"))
(dolist (dir '("/usr/share/emacs/site-lisp/elpa"))
  (when (file-directory-p dir) (add-to-list 'package-directory-list dir)))
(package-initialize)
(require 'eglot nil t)
"""

SMOKE_EL = (
    ";;; -*- lexical-binding: t -*-\n"
    + LOAD_EGLOT
    + r"""
(require 'json)
(require 'cl-lib)

(defvar smoke-results nil "Alist of what Emacs saw, written to SMOKE_OUT.")
(defvar smoke-deadline
  (+ (float-time) (/ (string-to-number (getenv "SMOKE_WAIT_MS")) 1000.0)))

(defun smoke-set (key value)
  (setf (alist-get key smoke-results) value)
  (with-temp-file (getenv "SMOKE_OUT")
    (insert (json-encode smoke-results))))

(defun smoke-titles (actions)
  (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))

(defun smoke-candidates ()
  "The candidates eglot's completion-at-point function offers for the word at point."
  (let ((capf (eglot-completion-at-point)))
    (and capf
         (all-completions (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))
                          (nth 2 capf)))))

(defun smoke-retry (step thunk)
  "Call THUNK until it returns non-nil; requests time out while the model loads."
  (let (value)
    (while (and (not value) (< (float-time) smoke-deadline))
      (setq value (condition-case err (funcall thunk)
                    (error (smoke-set (intern (format "%s_last_error" step))
                                      (format "%S" err))
                           nil)))
      (unless value (sleep-for 0.3)))
    (or value (error "%s: nothing before the deadline" step))))

(defun smoke-run ()
  (smoke-set 'emacs emacs-version)
  (smoke-set 'eglot (or (locate-library "eglot") "missing"))
  ;; The README's configuration, as written ("redline" is the test's shim on PATH).
  (load (getenv "SMOKE_CONFIG") nil t)
  (find-file "note.md")
  (text-mode)
  ;; eglot-ensure (from text-mode-hook) connects after the command that opened the buffer:
  ;; --batch has no command loop, so run what it runs after a command.
  (run-hooks 'post-command-hook)
  (while (and (not (eglot-current-server)) (< (float-time) smoke-deadline))
    (accept-process-output nil 0.2))
  (unless (eglot-current-server) (error "eglot-ensure did not connect"))
  (smoke-set 'connected (symbol-name major-mode))
  ;; (a) Type, then complete: the first requests wait while the model loads.
  (insert "Shout if I")
  (smoke-set 'candidates (vconcat (smoke-retry "completion" #'smoke-candidates)))
  (completion-at-point)
  (smoke-set 'completed (buffer-substring-no-properties (point-min) (point-max)))
  ;; (b) A paragraph, selected; its code actions listed, then one applied as a user picks it.
  (goto-char (point-max))
  (insert "\n\n")
  (let ((start (point)))
    (insert "The spectrometer lamp failed again on Monday, so the calibration runs moved to"
            " Wednesday. Mei replaced the lamp and checked the alignment; the first runs look"
            " clean and the backlog should be cleared by Friday.")
    (transient-mark-mode 1)
    (push-mark start t t))
  (let ((beg (region-beginning)) (end (region-end)))
    (smoke-set 'actions
               (smoke-titles (smoke-retry "actions" (lambda () (eglot-code-actions beg end)))))
    (let ((before (buffer-substring-no-properties (point-min) (point-max)))
          (started (float-time)))
      (smoke-set 'before before)
      ;; M-x eglot-code-actions, with "Summarize" picked from the keyboard's menu.
      (condition-case err
          (let ((last-nonmenu-event ?\r))
            (cl-letf (((symbol-function 'completing-read)
                       (lambda (_prompt collection &rest _)
                         (smoke-set 'menu (vconcat (mapcar #'car collection)))
                         "Summarize")))
              (eglot-code-actions beg end nil t)))
        ;; jsonrpc's own 10 s request timeout; the server's edit may still come after it.
        (error (smoke-set 'execute_error (format "%S" err))))
      (while (and (< (float-time) (min smoke-deadline (+ started 120)))
                  (equal before (buffer-substring-no-properties (point-min) (point-max))))
        (accept-process-output nil 0.2))
      (smoke-set 'after (buffer-substring-no-properties (point-min) (point-max)))
      (smoke-set 'action_seconds (- (float-time) started))))
  (ignore-errors (eglot-shutdown (eglot-current-server))))

(condition-case err
    (smoke-run)
  (error (smoke-set 'error (format "%S" err))))
(smoke-set 'done t)
(kill-emacs 0)
"""
)

ACTIONS = ["Rewrite with my preferences", "Summarize", "Continue this paragraph"]
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_config() -> str:
    """The elisp block of the README's Emacs setup, as a user copies it."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^\*\*Emacs\*\*.*?^```elisp\n(.*?)^```", text, re.S | re.M)
    assert found, "README.md has no elisp block after its **Emacs** paragraph"
    return found.group(1)


def _missing() -> str | None:
    """Why the test cannot run here, or None."""
    emacs = shutil.which("emacs")
    if emacs is None:
        return "emacs is not installed (apt-get install emacs-nox elpa-eglot)"
    try:
        probe = subprocess.run(
            [emacs, "--batch", "-Q", "--eval", f"(progn {LOAD_EGLOT} (princ (featurep 'eglot)))"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"emacs does not run: {error}"
    if probe.stdout.strip() != "t":
        return "eglot is not available to emacs (apt-get install elpa-eglot, or Emacs 29+)"
    return None


MISSING = _missing()


@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_emacs_eglot_completes_and_applies_a_code_action(
    memory_template: Path, tmp_path: Path
) -> None:
    data = fresh_memory(memory_template, tmp_path)
    script = tmp_path / "smoke.el"
    script.write_text(SMOKE_EL, encoding="utf-8")
    config = tmp_path / "config.el"
    config.write_text(readme_config(), encoding="utf-8")
    # The README's `("redline" "lsp")`, found on PATH: this checkout's redline.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "redline"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m redline "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    out = tmp_path / "result.json"
    env = {
        **os.environ,
        "REDLINE_DATA_DIR": str(data),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "SMOKE_CONFIG": str(config),
        "SMOKE_OUT": str(out),
        "SMOKE_WAIT_MS": "240000",
    }
    try:
        emacs = subprocess.run(
            ["emacs", "--batch", "-Q", "-l", str(script)],
            cwd=tmp_path,
            env=env,
            timeout=300,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        log = emacs.stderr[-4000:]
    except subprocess.TimeoutExpired as expired:
        log = f"emacs ran past 300 s: {expired.stderr!r}"[-4000:]
    assert out.exists(), f"emacs wrote no result:\n{log}"
    seen: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    report = f"{json.dumps(seen, indent=2)}\n--- emacs stderr ---\n{log}"
    assert seen.get("done") and "error" not in seen, report
    # (a) The typed partial word "I" is replaced by the item's textEdit; eglot's candidate is the
    # item's label (the continuation's first words), so look for the continuation in it.
    assert any("missed anything." in c for c in seen["candidates"]), report
    assert seen["completed"].startswith("Shout if I missed anything."), report
    # (b) The three actions, listed and offered in eglot's menu; the summary follows the paragraph.
    assert seen["actions"] == ACTIONS, report
    assert seen["menu"] == ACTIONS, report
    before, after = seen["before"], seen["after"]
    assert after != before and after.startswith(before), report
    assert after[len(before) :].strip(), report
