"""Smoke test in a real editor: headless Neovim starts `redline lsp`, types, gets a completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.conftest import fresh_memory

# Neovim 0.7+ API only: vim.lsp.start_client, buf_attach_client, buf_request_sync.
INIT_LUA = r"""
local out = os.getenv("SMOKE_OUT")
local function finish(message)
  local file = io.open(out, "w")
  file:write(message)
  file:close()
  vim.cmd("qa!")
end

local function ask(deadline)
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(),
    position = { line = 0, character = 10 },
  }
  -- Short timeouts: 0.7 waits the whole timeout while the server is not initialized.
  local answers = vim.lsp.buf_request_sync(0, "textDocument/completion", params, 3000) or {}
  for _, answer in pairs(answers) do
    local items = answer.result and (answer.result.items or answer.result) or {}
    if #items > 0 then
      return finish("OK " .. items[1].textEdit.newText)
    end
  end
  if vim.loop.now() > deadline then
    return finish("TIMEOUT " .. vim.bo.filetype .. " " .. vim.inspect(answers))
  end
  vim.defer_fn(function() ask(deadline) end, 300)
end

local function start()
  local client = vim.lsp.start_client({
    name = "redline",
    cmd = { os.getenv("SMOKE_PYTHON"), "-m", "redline", "lsp" },
    root_dir = vim.fn.getcwd(),
  })
  vim.lsp.buf_attach_client(0, client)
  vim.api.nvim_feedkeys("iShout if I\27", "xt", false)
  ask(vim.loop.now() + tonumber(os.getenv("SMOKE_WAIT_MS")))
end

-- After startup, when note.md is the current (markdown) buffer.
vim.api.nvim_create_autocmd("VimEnter", { callback = start })
"""


@pytest.mark.skipif(
    shutil.which("nvim") is None, reason="nvim is not installed (apt-get install neovim)"
)
def test_neovim_gets_a_completion_from_redline_lsp(memory_template: Path, tmp_path: Path) -> None:
    data = fresh_memory(memory_template, tmp_path)
    init = tmp_path / "init.lua"
    init.write_text(INIT_LUA, encoding="utf-8")
    out = tmp_path / "result.txt"
    env = {
        **os.environ,
        "REDLINE_DATA_DIR": str(data),
        "SMOKE_PYTHON": sys.executable,
        "SMOKE_OUT": str(out),
        "SMOKE_WAIT_MS": "240000",
    }
    subprocess.run(
        ["nvim", "--headless", "--clean", "-u", str(init), "note.md"],
        cwd=tmp_path,
        env=env,
        timeout=300,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8").startswith("OK I missed anything.")
