-- Drive `fixloop serve` from Neovim's built-in LSP client (Neovim 0.7 API: start_client,
-- buf_attach_client, request_sync). Runs the file, takes the "Debug and fix" code action,
-- executes its command, applies the "Apply verified fix" edit and runs the buffer again.
-- Writes a JSON report of every step to $FIXLOOP_NVIM_REPORT; exits non-zero on failure.
local file = os.getenv("FIXLOOP_NVIM_FILE")
local report_path = os.getenv("FIXLOOP_NVIM_REPORT")
local python = os.getenv("FIXLOOP_NVIM_PYTHON")
local report = { steps = {} }

local function finish(ok, message)
  report.ok = ok
  report.message = message
  local handle = io.open(report_path, "w")
  handle:write(vim.fn.json_encode(report))
  handle:close()
  vim.cmd(ok and "qall!" or "cquit! 1")
end

local function step(name, value)
  table.insert(report.steps, { name = name, value = value })
end

local last_diagnostics = nil
local initialized = false
local client_id = vim.lsp.start_client({
  name = "fixloop",
  cmd = { python, "-m", "fixloop", "serve" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
  init_options = { settings = { sandbox = "local", engine = "offline", budget = 60 } },
  on_init = function() initialized = true end,
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      last_diagnostics = result.diagnostics
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
  },
})
if not client_id then return finish(false, "start_client failed") end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
vim.bo[bufnr].filetype = "python"
if not vim.wait(20000, function() return initialized end, 50) then
  return finish(false, "the server did not initialize")
end
vim.lsp.buf_attach_client(bufnr, client_id)
local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(bufnr)

local function command(name, argument, timeout)
  local response, err = client.request_sync("workspace/executeCommand",
    { command = name, arguments = { argument } }, timeout or 30000, bufnr)
  if not response then return nil, tostring(err) end
  if response.err then return nil, vim.inspect(response.err) end
  return response.result
end

local function code_actions(diagnostic)
  local params = {
    textDocument = { uri = uri },
    range = { start = diagnostic.range.start, ["end"] = diagnostic.range.start },
    context = { diagnostics = { diagnostic } },
  }
  local response = client.request_sync("textDocument/codeAction", params, 10000, bufnr)
  return response and response.result or {}
end

-- 1. Run the file: a diagnostic arrives.
local ran, err = command("fixloop.runFile", { uri = uri })
if not ran then return finish(false, "runFile: " .. err) end
step("runFile", ran.status)
if not vim.wait(10000, function() return last_diagnostics and #last_diagnostics > 0 end, 50) then
  return finish(false, "no diagnostic after runFile")
end
local diagnostic = last_diagnostics[1]
step("diagnostic", { code = diagnostic.code, line = diagnostic.range.start.line, vim = #vim.diagnostic.get(bufnr) })

-- 2. Code actions: "Debug and fix: <Type>".
local actions = code_actions(diagnostic)
local debug = actions[1]
if not debug or not debug.command then return finish(false, "no Debug and fix action") end
step("action", debug.title)

-- 3. Execute its command: the loop runs and proves a fix.
local fixed, fix_err = command(debug.command.command, debug.command.arguments[1], 120000)
if not fixed then return finish(false, "fix: " .. fix_err) end
step("fix", { verified = fixed.verified, proof = fixed.proof, summary = fixed.summary })
if not fixed.verified then return finish(false, "no verified fix: " .. tostring(fixed.reason)) end

-- 4. Code actions again: "Apply verified fix", applied with Neovim's own edit machinery.
local apply = nil
for _, action in ipairs(code_actions(diagnostic)) do
  if action.edit then apply = action end
end
if not apply then return finish(false, "no Apply verified fix action") end
step("apply", apply.title)
vim.lsp.util.apply_workspace_edit(apply.edit, client.offset_encoding or "utf-16")
report.buffer = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")

-- 5. Run again on the edited (unsaved) buffer: clean.
vim.wait(200)
local again, again_err = command("fixloop.runFile", { uri = uri })
if not again then return finish(false, "second runFile: " .. again_err) end
step("rerun", again.status)
if not again.ok then return finish(false, "the fixed buffer still fails") end
client.stop()
return finish(true, "fixed")
