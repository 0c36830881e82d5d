-- `relc lsp` driven by a real client: Neovim's built-in LSP client, headless. Diagnostics of
-- the open file and of a file it imports, hover, go to definition, and formatting that equals
-- `relc fmt`. Run by CTest (tests/editor/CMakeLists.txt) as
--   RELC_BINARY=... RELC_TEST_DIR=... nvim --headless -u NONE -i NONE -n -c "luafile neovim_lsp_test.lua"
-- It exits 0 when every check holds, else 1 after printing the failed ones.
local relc = os.getenv('RELC_BINARY')
local dir = os.getenv('RELC_TEST_DIR')
local failures = {}

local function check(condition, what)
  if not condition then table.insert(failures, what) end
end

local function finish()
  for _, failure in ipairs(failures) do io.stderr:write('neovim lsp test: ' .. failure .. '\n') end
  io.stdout:write(string.format('neovim lsp test: %d failure(s)\n', #failures))
  vim.cmd(#failures == 0 and 'qall!' or 'cquit 1')
end

local function write(path, text)
  local file = assert(io.open(path, 'w'))
  file:write(text)
  file:close()
end

os.execute('mkdir -p ' .. dir)
-- An imported file with an error, and a main file laid out as `relc fmt` would not lay it.
write(dir .. '/lib.rel', 'panel dormant = customers where frequncy >= 2\n')
local main_path = dir .. '/main.rel'
local main_text = table.concat({
  'import "./lib.rel"',
  'program "P" {',
  '  consent { email if email_optin }',
  '  panel   buyers = customers where frequency >= 1',
  '  scenario s {',
  '    trigger enter buyers',
  '    first: send email "x"',
  '  }',
  '}',
  '',
}, '\n')
write(main_path, main_text)

vim.cmd('edit ' .. main_path)
local buffer = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({ cmd = { relc, 'lsp' }, root_dir = dir, name = 'relc' })
check(client_id ~= nil, 'the client did not start relc lsp')
vim.lsp.buf_attach_client(buffer, client_id)
local client = vim.lsp.get_client_by_id(client_id)
check(vim.wait(10000, function() return client.initialized end), 'the server was not initialized')

-- Diagnostics: the imported file's own, on its buffer, and one on the import line of main.rel.
local lib_buffer = vim.uri_to_bufnr(vim.uri_from_fname(dir .. '/lib.rel'))
check(vim.wait(10000, function()
  return #vim.diagnostic.get(buffer) > 0 and #vim.diagnostic.get(lib_buffer) > 0
end), 'no diagnostics for main.rel and lib.rel')
local on_import = vim.diagnostic.get(buffer)[1]
check(on_import and on_import.lnum == 0 and on_import.severity == vim.diagnostic.severity.ERROR,
      'the import line of main.rel has no error')
local in_lib = vim.diagnostic.get(lib_buffer)[1]
check(in_lib and in_lib.lnum == 0 and in_lib.col == 32 and in_lib.code == 'REL0100',
      'lib.rel has no REL0100 at 1:33: ' .. vim.inspect(in_lib))

local function at(line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(buffer) }, position = { line = line, character = character } }
end

-- Hover on `buyers` where the scenario uses it; definition goes back to its panel.
local hover = client.request_sync('textDocument/hover', at(5, 19), 5000, buffer)
local hover_text = hover and hover.result and hover.result.contents and hover.result.contents.value or ''
check(hover_text:find('buyers', 1, true) ~= nil, 'hover on `buyers` says nothing of it: ' .. vim.inspect(hover))
local definition = client.request_sync('textDocument/definition', at(5, 19), 5000, buffer)
local location = definition and definition.result and (definition.result[1] or definition.result)
check(location and location.range and location.range.start.line == 3,
      'definition of `buyers` is not its panel on line 4: ' .. vim.inspect(definition))

-- Formatting, applied by Neovim, gives what `relc fmt` writes.
local formatting = client.request_sync('textDocument/formatting',
  { textDocument = { uri = vim.uri_from_bufnr(buffer) }, options = { tabSize = 2, insertSpaces = true } }, 5000, buffer)
check(formatting and formatting.result, 'formatting returned nothing')
if formatting and formatting.result then
  vim.lsp.util.apply_text_edits(formatting.result, buffer, client.offset_encoding or 'utf-16')
end
local formatted = table.concat(vim.api.nvim_buf_get_lines(buffer, 0, -1, false), '\n') .. '\n'
-- `relc fmt` on a copy beside it (the import resolves the same way).
local copy = dir .. '/copy.rel'
write(copy, main_text)
local output = vim.fn.system({ relc, 'fmt', '-q', copy })
check(vim.v.shell_error == 0, 'relc fmt failed: ' .. output)
local expected = table.concat(vim.fn.readfile(copy), '\n') .. '\n'
check(expected ~= main_text, 'the test file was already formatted: it tests nothing')
check(formatted == expected, 'formatting differs from relc fmt:\n' .. formatted .. '\n---\n' .. expected)

vim.lsp.stop_client(client_id)
finish()
