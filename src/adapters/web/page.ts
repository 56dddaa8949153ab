/**
 * The local web chat page: one self-contained HTML document (no build step, nothing fetched from
 * the internet). It renders the neutral Reply blocks, highlights SQL, shows images inline, sends
 * button clicks back and uploads log files, reading answers as NDJSON so progress shows live.
 */
export const webChatPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pgdba</title>
<style>
  :root { --blue: #336791; --bg: #f5f7fa; --border: #d8dee6; font-family: "DejaVu Sans", system-ui, sans-serif; }
  body { margin: 0; background: var(--bg); color: #1d2733; }
  header { background: var(--blue); color: white; padding: 10px 18px; font-weight: bold; }
  header small { font-weight: normal; opacity: .8; margin-left: 8px; }
  #log { max-width: 980px; margin: 0 auto; padding: 16px 16px 120px; }
  .msg { background: white; border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; margin: 10px 0; overflow-x: auto; }
  .msg.user { background: #e8f0f8; margin-left: 20%; white-space: pre-wrap; }
  .msg.error { border-color: #c0392b; }
  .progress { color: #5b6b7c; font-style: italic; }
  table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
  th, td { border-bottom: 1px solid var(--border); padding: 3px 8px; text-align: left; vertical-align: top; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 6px 0; }
  dt { color: #5b6b7c; } dd { margin: 0; }
  pre { background: #1e2430; color: #e6e6e6; padding: 8px 10px; border-radius: 6px; overflow-x: auto; font-size: 13px; }
  .kw { color: #7fb4ff; font-weight: bold; } .str { color: #b5e08c; } .num-lit { color: #f7b267; } .cmt { color: #8a94a6; }
  img { max-width: 100%; border: 1px solid var(--border); border-radius: 4px; }
  .context { color: #5b6b7c; font-size: 12px; }
  button { margin: 4px 6px 0 0; padding: 5px 12px; border-radius: 5px; border: 1px solid var(--blue); background: white; color: var(--blue); cursor: pointer; }
  button.primary { background: var(--blue); color: white; } button.danger { border-color: #c0392b; color: #c0392b; }
  form { position: fixed; bottom: 0; left: 0; right: 0; background: white; border-top: 1px solid var(--border); padding: 10px; display: flex; gap: 8px; justify-content: center; }
  #question { width: min(720px, 60vw); padding: 8px; font-size: 15px; }
</style>
</head>
<body>
<header>pgdba <small>PostgreSQL DBA assistant — type "help"</small></header>
<div id="log" aria-live="polite"></div>
<form id="ask">
  <input id="question" name="question" autocomplete="off" placeholder="Ask about your database, e.g. tables" aria-label="Question">
  <button class="primary" type="submit">Ask</button>
  <label><input id="upload" type="file" accept=".log,.csv,.json,.gz,.txt" hidden><button type="button" id="upload-button">Upload log…</button></label>
</form>
<script>
const token = new URLSearchParams(location.search).get('token');
const auth = token ? { authorization: 'Bearer ' + token } : {};
const log = document.getElementById('log');
const conversation = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
function inlineMarkdown(text) {
  return escapeHtml(text)
    .replace(/\`([^\`]+)\`/g, '<code>$1</code>')
    .replace(/\\*([^*\\n]+)\\*/g, '<strong>$1</strong>')
    .replace(/(^|\\s)_([^_\\n]+)_/g, '$1<em>$2</em>');
}
function markdown(text) {
  const lines = String(text).split('\\n');
  let html = '', inList = false;
  for (const line of lines) {
    if (line.startsWith('- ')) { if (!inList) { html += '<ul>'; inList = true; } html += '<li>' + inlineMarkdown(line.slice(2)) + '</li>'; continue; }
    if (inList) { html += '</ul>'; inList = false; }
    html += '<div>' + inlineMarkdown(line) + '</div>';
  }
  return html + (inList ? '</ul>' : '');
}
const sqlKeywords = /\\b(select|from|where|and|or|not|in|exists|join|left|right|inner|outer|on|group|by|order|having|limit|offset|insert|into|values|update|set|delete|create|index|concurrently|unique|drop|alter|table|add|column|constraint|primary|key|references|with|as|union|all|distinct|case|when|then|else|end|is|null|like|between|explain|analyze|vacuum|begin|commit|rollback|asc|desc|using|include|if)\\b/gi;
function highlightSql(code) {
  return escapeHtml(code).replace(/(--[^\\n]*)|('(?:[^']|'')*')|(\\b\\d+(?:\\.\\d+)?\\b)|([A-Za-z_]+)/g, (m, comment, str, num, word) => {
    if (comment) return '<span class="cmt">' + comment + '</span>';
    if (str) return '<span class="str">' + str + '</span>';
    if (num) return '<span class="num-lit">' + num + '</span>';
    return word.match(sqlKeywords) ? '<span class="kw">' + word + '</span>' : word;
  });
}
function renderBlock(block) {
  switch (block.type) {
    case 'text': return '<div class="text">' + markdown(block.text) + '</div>';
    case 'context': return '<div class="context">' + inlineMarkdown(block.text) + '</div>';
    case 'fields': return '<dl>' + block.fields.map((f) => '<dt>' + escapeHtml(f.label) + '</dt><dd>' + inlineMarkdown(f.value) + '</dd>').join('') + '</dl>';
    case 'table': {
      const numeric = new Set(block.numericColumns || []);
      const head = '<tr>' + block.columns.map((c) => '<th>' + escapeHtml(c) + '</th>').join('') + '</tr>';
      const rows = block.rows.map((row) => '<tr>' + row.map((cell, i) => '<td' + (numeric.has(i) ? ' class="num"' : '') + '>' + escapeHtml(cell) + '</td>').join('') + '</tr>').join('');
      return (block.title ? '<div><strong>' + escapeHtml(block.title) + '</strong></div>' : '') + '<table>' + head + rows + '</table>' + (block.note ? '<div class="context">' + escapeHtml(block.note) + '</div>' : '');
    }
    case 'code': return (block.title ? '<div><strong>' + escapeHtml(block.title) + '</strong></div>' : '') + '<pre><code>' + (block.language === 'sql' ? highlightSql(block.code) : escapeHtml(block.code)) + '</code></pre>';
    case 'image': return '<figure><img src="' + block.src + '" alt="' + escapeHtml(block.alt) + '" title="' + escapeHtml(block.title) + '"></figure>';
    case 'actions': return '<div class="actions">' + block.actions.map((a) => '<button type="button" class="' + (a.style || '') + '" data-action="' + escapeHtml(a.id) + '" data-payload="' + escapeHtml(a.payload) + '">' + escapeHtml(a.label) + '</button>').join('') + '</div>';
    default: return '';
  }
}
function addMessage(kind, html) {
  const element = document.createElement('div');
  element.className = 'msg ' + kind;
  element.innerHTML = html;
  log.appendChild(element);
  element.scrollIntoView({ block: 'end' });
  return element;
}
async function stream(path, init, target) {
  target.innerHTML = '<div class="progress">Working…</div>';
  try {
    const response = await fetch(path, { ...init, headers: { ...auth, ...(init.headers || {}) } });
    if (!response.ok && !(response.headers.get('content-type') || '').includes('ndjson')) {
      const body = await response.json().catch(() => ({ error: response.statusText }));
      target.classList.add('error');
      target.innerHTML = markdown(body.error || 'Request failed');
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf('\\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (line.progress) {
          const p = line.progress;
          const share = p.total ? ' ' + Math.round((p.done / p.total) * 100) + ' %' : '';
          target.innerHTML = '<div class="progress">' + escapeHtml(p.stage) + share + '</div>';
        } else if (line.blocks) {
          target.classList.toggle('error', line.ok === false);
          target.innerHTML = line.blocks.map(renderBlock).join('');
        } else if (line.error) {
          target.classList.add('error');
          target.innerHTML = markdown(line.error);
        }
      }
    }
  } catch (error) {
    target.classList.add('error');
    target.textContent = 'pgdba could not be reached: ' + error.message;
  }
}
document.getElementById('ask').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('question');
  const question = input.value.trim();
  if (!question) return;
  input.value = '';
  addMessage('user', escapeHtml(question));
  stream('/web/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question, conversation }) }, addMessage('bot', ''));
});
log.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const message = button.closest('.msg');
  stream('/web/action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: button.dataset.action, payload: button.dataset.payload, conversation }) }, message);
});
document.getElementById('upload-button').addEventListener('click', () => document.getElementById('upload').click());
document.getElementById('upload').addEventListener('change', (event) => {
  const file = event.target.files[0];
  if (!file) return;
  addMessage('user', 'Uploaded ' + escapeHtml(file.name) + ' (' + file.size + ' bytes)');
  stream('/web/upload', { method: 'POST', headers: { 'x-file-name': encodeURIComponent(file.name), 'content-type': 'application/octet-stream' }, body: file }, addMessage('bot', ''));
  event.target.value = '';
});
</script>
</body>
</html>
`;
